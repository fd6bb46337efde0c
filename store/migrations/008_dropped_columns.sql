-- 008: the columns of each file that were not stored because they are (or
-- look) personal: by header (built-in personal headers, config personal),
-- by content (extra_columns: scan found a phone or ID-card number, an
-- e-mail, coordinates, a street address or long free text), or all unknown
-- columns (extra_columns: drop). The data-quality page lists them.
ALTER TABLE ingest_files ADD COLUMN dropped_columns JSON;

COMMENT ON COLUMN ingest_files.dropped_columns IS 'The file''s columns that were dropped at ingest, as a JSON object header → reason: personal_header (a built-in personal header name), personal_config (named in config personal.<kind>), extra_columns_drop (extra_columns: drop), or, found by extra_columns: scan in one of the column''s values, phone, id_number, email, coordinates, address or long_text (over 50 characters). {} when none was dropped; NULL for files loaded before this was recorded. Source: ingest.';
