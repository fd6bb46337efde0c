-- 005: the settings the loaded rows were read with. The manifest
-- (ingest_files) skips a file it has seen; that is right only while the
-- settings that decide how a row is read (timezone, encoding, header
-- mapping, personal columns, SLA, survey filter, salt, civicscore's own
-- validation rules) are those of the earlier load. ingest compares them on
-- every load and, when they differ, reads every input again from empty
-- tables, so that the database always holds what a first load with the
-- current settings would.
CREATE TABLE ingest_settings (
    settings    JSON      NOT NULL,
    fingerprint VARCHAR   NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);

COMMENT ON TABLE ingest_settings IS 'The settings the rows of the input tables were read with (one row). When a load finds other settings, every input is read again. The settings are config keys: docs/config.md. Source: ingest.';
COMMENT ON COLUMN ingest_settings.settings IS 'The settings that decide how rows are read, by config key (timezone, encoding, mapping, personal, sla.*, survey.*), and ingest_rules: a SHA-256 of civicscore''s validation SQL and value spellings. The salt is not among them. Source: config and civicscore.';
COMMENT ON COLUMN ingest_settings.fingerprint IS 'SHA-256 of settings together with the salt (CIVICSCORE_SALT): a changed salt also makes every input be read again, since hashed identifiers would no longer match across files. Source: ingest.';
COMMENT ON COLUMN ingest_settings.recorded_at IS 'When these settings were first used for a load. Unit: local time. Source: ingest.';
