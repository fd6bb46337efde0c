-- Services: one row per service delivered. Rules in order:
--   missing_required   service_id, community_id, service_date, service_type or provider_type empty
--   duplicate_in_file  the same service_id again later in this file (the last wins)
--   bad_timestamp      service_date is not a date
--   bad_enum           service_type or provider_type unknown
--   bad_number         recipients not a whole number >= 1, or hours not a number >= 0
--   unknown_community  community_id not in communities
-- target_group with an unknown value becomes 'other'. recipients defaults to 1.
-- A service_id loaded again replaces the earlier row (the later file wins).
CREATE OR REPLACE TEMP TABLE checked AS
WITH typed AS (
    SELECT s._row, s._raw, s._extra, s._error,
        cs_text(s.service_id) AS service_id, cs_text(s.community_id) AS community_id,
        s.service_date AS date_in, cs_ts(s.service_date)::DATE AS service_date,
        s.service_type AS type_in, nullif(cs_enum('service_type', s.service_type), '') AS service_type,
        coalesce(nullif(cs_enum('target_group', s.target_group), ''), CASE WHEN cs_text(s.target_group) IS NOT NULL THEN 'other' END) AS target_group,
        s.provider_type AS provider_in, nullif(cs_enum('provider_type', s.provider_type), '') AS provider_type,
        s.recipients AS recipients_in, coalesce(cs_num(s.recipients), CASE WHEN cs_text(s.recipients) IS NULL THEN 1 END) AS recipients,
        s.hours AS hours_in, cs_num(s.hours) AS hours,
        cs_text(s.recipient_hash) AS recipient_hash,
        row_number() OVER (PARTITION BY cs_text(s.service_id) ORDER BY s._row DESC) AS occurrence_from_end
    FROM stage s
)
SELECT t.*,
    CASE
        WHEN t._error IS NOT NULL THEN 'malformed_row'
        WHEN t.service_id IS NULL OR t.community_id IS NULL OR cs_text(t.date_in) IS NULL
          OR cs_text(t.type_in) IS NULL OR cs_text(t.provider_in) IS NULL THEN 'missing_required'
        WHEN t.occurrence_from_end > 1 THEN 'duplicate_in_file'
        WHEN t.service_date IS NULL THEN 'bad_timestamp'
        WHEN t.service_type IS NULL OR t.provider_type IS NULL THEN 'bad_enum'
        WHEN t.recipients IS NULL OR t.recipients < 1 OR t.recipients <> floor(t.recipients)
          OR (cs_text(t.hours_in) IS NOT NULL AND (t.hours IS NULL OR t.hours < 0)) THEN 'bad_number'
        WHEN NOT EXISTS (SELECT 1 FROM communities c WHERE c.community_id = t.community_id) THEN 'unknown_community'
    END AS reason,
    CASE
        WHEN t._error IS NOT NULL THEN t._error
        WHEN t.service_id IS NULL THEN 'column service_id is empty'
        WHEN t.community_id IS NULL THEN 'column community_id is empty'
        WHEN cs_text(t.date_in) IS NULL THEN 'column service_date is empty'
        WHEN cs_text(t.type_in) IS NULL THEN 'column service_type is empty'
        WHEN cs_text(t.provider_in) IS NULL THEN 'column provider_type is empty'
        WHEN t.occurrence_from_end > 1 THEN 'service_id ' || cs_q(t.service_id) || ' appears again later in this file; the last row wins'
        WHEN t.service_date IS NULL THEN 'column service_date: ' || cs_q(t.date_in) || ' is not a date'
        WHEN t.service_type IS NULL THEN 'column service_type: ' || cs_q(t.type_in) || ' is not a known service type'
        WHEN t.provider_type IS NULL THEN 'column provider_type: ' || cs_q(t.provider_in) || ' is not a known provider type'
        WHEN t.recipients IS NULL OR t.recipients < 1 OR t.recipients <> floor(t.recipients) THEN 'column recipients: ' || cs_q(t.recipients_in) || ' is not a whole number >= 1'
        WHEN cs_text(t.hours_in) IS NOT NULL AND (t.hours IS NULL OR t.hours < 0) THEN 'column hours: ' || cs_q(t.hours_in) || ' is not a number >= 0'
        ELSE 'column community_id: ' || cs_q(t.community_id) || ' is not in communities'
    END AS detail
FROM typed t;

CREATE OR REPLACE TEMP TABLE winners AS SELECT * FROM checked WHERE reason IS NULL;

INSERT INTO rejects (kind, source_file, source_row, reason, detail, raw)
SELECT 'services', p.file, c._row, c.reason, c.detail, c._raw
FROM checked c, ingest_params p WHERE c.reason IS NOT NULL;

DELETE FROM services WHERE service_id IN (SELECT service_id FROM winners);

INSERT INTO services
SELECT w.service_id, w.community_id, w.service_date, w.service_type, w.target_group, w.provider_type,
       w.recipients::BIGINT, w.hours, w.recipient_hash, w._extra, p.file, w._row
FROM winners w, ingest_params p;
