-- Services: one row per service delivered. Rules in order:
--   malformed_row      the row could not be read as a record
--   missing_required   service_id, community_id, service_date, service_type or provider_type empty
--   duplicate_in_file  the same service_id again later in this file (the last wins)
--   bad_timestamp      service_date is not a date (or a year outside 2000..2099)
--   bad_enum           service_type or provider_type unknown
--   bad_number         recipients not a whole number >= 1, or hours not a number >= 0
--   unknown_community  community_id not in communities
-- target_group with an unknown value becomes 'other'. recipients defaults to 1.
-- A service_id loaded again replaces the earlier row (the later file wins).
CREATE OR REPLACE TEMP TABLE checked AS
WITH s AS NOT MATERIALIZED (
    SELECT _row, _error, _extra,
        cs_text(service_id) AS service_id, cs_text(community_id) AS community_id,
        cs_text(service_date) AS date_in, cs_text(service_type) AS type_in,
        cs_text(target_group) AS target_in, cs_text(provider_type) AS provider_in,
        cs_text(recipients) AS recipients_in, cs_text(hours) AS hours_in,
        cs_text(recipient_hash) AS recipient_hash
    FROM stage
), dup AS (
    -- ids that appear more than once in this file, with their last row
    SELECT service_id, max(_row) AS last_row FROM s WHERE service_id IS NOT NULL GROUP BY service_id HAVING count(*) > 1
), typed AS (
    SELECT s.*,
        cs_in_range(cs_date_raw(date_in))::DATE AS service_date,
        nullif(e_type.canonical, '') AS service_type,
        coalesce(nullif(e_target.canonical, ''), CASE WHEN target_in IS NOT NULL THEN 'other' END) AS target_group,
        nullif(e_prov.canonical, '') AS provider_type,
        CASE WHEN recipients_in IS NULL THEN 1 ELSE cs_num(recipients_in) END AS recipients,
        cs_num(hours_in) AS hours,
        cm.community_id IS NOT NULL AS community_known,
        coalesce(dup.last_row, s._row) AS last_row
    FROM s
    LEFT JOIN dup ON dup.service_id = s.service_id
    LEFT JOIN enum_alias e_type ON e_type.field = 'service_type' AND e_type.alias = cs_key(s.type_in)
    LEFT JOIN enum_alias e_target ON e_target.field = 'target_group' AND e_target.alias = cs_key(s.target_in)
    LEFT JOIN enum_alias e_prov ON e_prov.field = 'provider_type' AND e_prov.alias = cs_key(s.provider_in)
    LEFT JOIN communities cm ON cm.community_id = s.community_id
), flagged AS (
    SELECT *,
        service_id IS NULL OR community_id IS NULL OR date_in IS NULL OR type_in IS NULL OR provider_in IS NULL AS missing,
        recipients IS NULL OR recipients < 1 OR recipients <> floor(recipients) AS bad_recipients,
        hours_in IS NOT NULL AND (hours IS NULL OR hours < 0) AS bad_hours
    FROM typed
)
SELECT _row, _extra, service_id, community_id, service_date, service_type, target_group, provider_type,
    recipients, hours, recipient_hash,
    CASE
        WHEN _error IS NOT NULL THEN 'malformed_row'
        WHEN missing THEN 'missing_required'
        WHEN _row < last_row THEN 'duplicate_in_file'
        WHEN service_date IS NULL THEN 'bad_timestamp'
        WHEN service_type IS NULL OR provider_type IS NULL THEN 'bad_enum'
        WHEN bad_recipients OR bad_hours THEN 'bad_number'
        WHEN NOT community_known THEN 'unknown_community'
    END AS reason,
    -- Every problem of the row, in rule order (reason is the first).
    CASE WHEN _error IS NOT NULL THEN _error ELSE nullif(concat_ws('; ',
        CASE WHEN service_id IS NULL THEN 'column service_id is empty' END,
        CASE WHEN community_id IS NULL THEN 'column community_id is empty' END,
        CASE WHEN date_in IS NULL THEN 'column service_date is empty' END,
        CASE WHEN type_in IS NULL THEN 'column service_type is empty' END,
        CASE WHEN provider_in IS NULL THEN 'column provider_type is empty' END,
        CASE WHEN _row < last_row THEN 'service_id ' || cs_q(service_id) || ' appears again later in this file (row ' || last_row || '); the last row wins' END,
        CASE WHEN date_in IS NOT NULL AND service_date IS NULL THEN 'column service_date: ' || cs_q(date_in) || ' is not a date' END,
        CASE WHEN type_in IS NOT NULL AND service_type IS NULL THEN 'column service_type: ' || cs_q(type_in) || ' is not a known service type' END,
        CASE WHEN provider_in IS NOT NULL AND provider_type IS NULL THEN 'column provider_type: ' || cs_q(provider_in) || ' is not a known provider type' END,
        CASE WHEN bad_recipients THEN 'column recipients: ' || cs_q(recipients_in) || ' is not a whole number >= 1' END,
        CASE WHEN bad_hours THEN 'column hours: ' || cs_q(hours_in) || ' is not a number >= 0' END,
        CASE WHEN community_id IS NOT NULL AND NOT community_known THEN 'column community_id: ' || cs_q(community_id) || ' is not in communities' END
    ), '') END AS detail
FROM flagged;

-- (checked is made before the file's transaction opens, so that the
-- statements below scan it in parallel.)
-- @transaction
-- The rejected rows; stage_rawjson builds the row as read for these only.
DELETE FROM rejected;
INSERT INTO rejected SELECT _row, reason, detail FROM checked WHERE reason IS NOT NULL;

INSERT INTO rejects (kind, source_file, source_row, reason, detail, raw)
SELECT 'services', p.file, c._row, c.reason, cs_scrub(c.detail), cs_scrub(r._raw)
FROM rejected c JOIN stage_rawjson r ON r._row = c._row CROSS JOIN ingest_params p;

DELETE FROM services WHERE service_id IN (SELECT service_id FROM checked WHERE reason IS NULL);

INSERT INTO services
SELECT w.service_id, w.community_id, w.service_date, w.service_type, w.target_group, w.provider_type,
       w.recipients::BIGINT, w.hours, w.recipient_hash, cs_scrub(w._extra), p.file, w._row
FROM checked w, ingest_params p
WHERE w.reason IS NULL;
