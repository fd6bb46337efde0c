-- Cases: type every staged row, find the first rule it breaks, and file it
-- into cases or rejects. Rules in order (the first that fails is the reason):
--   malformed_row          the row could not be read as a record (wrong field count, bad quoting)
--   missing_required       case_id, community_id, category, reported_at or resolution_level empty
--   duplicate_in_file      the same case_id appears again later in this file (the last wins)
--   bad_timestamp          a timestamp column holds text that is not a timestamp
--   bad_enum               resolution_level, callback_satisfaction or a boolean with an unknown value
--   closed_before_reported closed_at < reported_at
--   unknown_community      community_id not in communities
-- A valid row whose case_id is already loaded replaces that row unless the
-- loaded one is newer by (updated_at, closed_at); otherwise it is filed as
-- stale_version. due_at, when empty, is reported_at plus the SLA of the
-- category (sla_category, else the default), via cs_due.
CREATE OR REPLACE TEMP TABLE checked AS
WITH typed AS (
    SELECT
        s._row, s._raw, s._extra, s._error,
        cs_text(s.case_id)      AS case_id,
        cs_text(s.community_id) AS community_id,
        cs_text(s.grid_id)      AS grid_id,
        s.source                AS source_in,
        cs_text(s.category)     AS category,
        cs_text(s.subcategory)  AS subcategory,
        s.reported_at AS reported_in, s.first_response_at AS first_response_in, s.due_at AS due_in,
        s.closed_at AS closed_in, s.updated_at AS updated_in,
        cs_ts(s.reported_at)       AS reported_at,
        cs_ts(s.first_response_at) AS first_response_at,
        cs_ts(s.due_at)            AS due_at,
        cs_ts(s.closed_at)         AS closed_at,
        cs_ts(s.updated_at)        AS updated_at,
        s.resolution_level AS level_in,
        cs_enum('resolution_level', s.resolution_level) AS resolution_level,
        s.callback_satisfaction AS cbs_in,
        cs_enum('callback_satisfaction', s.callback_satisfaction) AS cbs,
        s.callback_contacted AS contacted_in, s.callback_resolved AS resolved_in, s.reopened AS reopened_in,
        cs_bool(s.callback_contacted) AS callback_contacted,
        cs_bool(s.callback_resolved)  AS callback_resolved,
        cs_bool(s.reopened)           AS reopened,
        count(*) OVER (PARTITION BY cs_text(s.case_id) ORDER BY s._row DESC
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS occurrence_from_end
    FROM stage s
)
SELECT
    t.*,
    coalesce(nullif(cs_enum('source', t.source_in), ''), CASE WHEN cs_text(t.source_in) IS NOT NULL THEN 'other' END) AS source,
    nullif(t.cbs, '') AS callback_satisfaction,
    coalesce(t.due_at, cs_due(t.reported_at, t.category)) AS due_at_filled,
    t.due_at IS NULL AND t.reported_at IS NOT NULL AS due_at_from_sla,
    CASE
        WHEN t._error IS NOT NULL THEN 'malformed_row'
        WHEN t.case_id IS NULL OR t.community_id IS NULL OR t.category IS NULL
          OR cs_text(t.reported_in) IS NULL OR cs_text(t.level_in) IS NULL THEN 'missing_required'
        WHEN t.occurrence_from_end > 1 THEN 'duplicate_in_file'
        WHEN cs_bad_ts(t.reported_in) OR cs_bad_ts(t.first_response_in) OR cs_bad_ts(t.due_in)
          OR cs_bad_ts(t.closed_in) OR cs_bad_ts(t.updated_in) THEN 'bad_timestamp'
        WHEN t.resolution_level IS NULL OR t.resolution_level = ''
          OR cs_bad_enum('callback_satisfaction', t.cbs_in)
          OR cs_bad_enum('bool', t.contacted_in) OR cs_bad_enum('bool', t.resolved_in)
          OR cs_bad_enum('bool', t.reopened_in) THEN 'bad_enum'
        WHEN t.closed_at < t.reported_at THEN 'closed_before_reported'
        WHEN NOT EXISTS (SELECT 1 FROM communities c WHERE c.community_id = t.community_id) THEN 'unknown_community'
    END AS reason,
    CASE
        WHEN t._error IS NOT NULL THEN t._error
        WHEN t.case_id IS NULL THEN 'column case_id is empty'
        WHEN t.community_id IS NULL THEN 'column community_id is empty'
        WHEN t.category IS NULL THEN 'column category is empty'
        WHEN cs_text(t.reported_in) IS NULL THEN 'column reported_at is empty'
        WHEN cs_text(t.level_in) IS NULL THEN 'column resolution_level is empty'
        WHEN t.occurrence_from_end > 1 THEN 'case_id ' || cs_q(t.case_id) || ' appears again later in this file; the last row wins'
        WHEN cs_bad_ts(t.reported_in) THEN 'column reported_at: ' || cs_q(t.reported_in) || ' is not a timestamp'
        WHEN cs_bad_ts(t.first_response_in) THEN 'column first_response_at: ' || cs_q(t.first_response_in) || ' is not a timestamp'
        WHEN cs_bad_ts(t.due_in) THEN 'column due_at: ' || cs_q(t.due_in) || ' is not a timestamp'
        WHEN cs_bad_ts(t.closed_in) THEN 'column closed_at: ' || cs_q(t.closed_in) || ' is not a timestamp'
        WHEN cs_bad_ts(t.updated_in) THEN 'column updated_at: ' || cs_q(t.updated_in) || ' is not a timestamp'
        WHEN t.resolution_level IS NULL OR t.resolution_level = '' THEN 'column resolution_level: ' || cs_q(t.level_in) || ' is not one of community, block, street, district, city'
        WHEN cs_bad_enum('callback_satisfaction', t.cbs_in) THEN 'column callback_satisfaction: ' || cs_q(t.cbs_in) || ' is not one of satisfied, basically_satisfied, dissatisfied'
        WHEN cs_bad_enum('bool', t.contacted_in) THEN 'column callback_contacted: ' || cs_q(t.contacted_in) || ' is not a boolean'
        WHEN cs_bad_enum('bool', t.resolved_in) THEN 'column callback_resolved: ' || cs_q(t.resolved_in) || ' is not a boolean'
        WHEN cs_bad_enum('bool', t.reopened_in) THEN 'column reopened: ' || cs_q(t.reopened_in) || ' is not a boolean'
        WHEN t.closed_at < t.reported_at THEN 'column closed_at: ' || cs_q(t.closed_in) || ' is before reported_at ' || cs_q(t.reported_in)
        ELSE 'column community_id: ' || cs_q(t.community_id) || ' is not in communities'
    END AS detail
FROM typed t;

-- Valid rows that win over the version already loaded, if any.
CREATE OR REPLACE TEMP TABLE winners AS
SELECT n.*
FROM checked n
LEFT JOIN cases o ON o.case_id = n.case_id
WHERE n.reason IS NULL
  AND (o.case_id IS NULL
       OR NOT (coalesce(o.updated_at, TIMESTAMP '-infinity') > coalesce(n.updated_at, TIMESTAMP '-infinity')
               OR (coalesce(o.updated_at, TIMESTAMP '-infinity') = coalesce(n.updated_at, TIMESTAMP '-infinity')
                   AND coalesce(o.closed_at, TIMESTAMP '-infinity') > coalesce(n.closed_at, TIMESTAMP '-infinity'))));

INSERT INTO rejects (kind, source_file, source_row, reason, detail, raw)
SELECT 'cases', p.file, c._row, c.reason, c.detail, c._raw
FROM checked c, ingest_params p
WHERE c.reason IS NOT NULL
UNION ALL
SELECT 'cases', p.file, c._row, 'stale_version',
       'case_id ' || cs_q(c.case_id) || ': the version already loaded is newer (updated_at, closed_at)', c._raw
FROM checked c, ingest_params p
WHERE c.reason IS NULL AND NOT EXISTS (SELECT 1 FROM winners w WHERE w.case_id = c.case_id);

DELETE FROM cases WHERE case_id IN (SELECT case_id FROM winners);

INSERT INTO cases
SELECT w.case_id, w.community_id, w.grid_id, w.source, w.category, w.subcategory,
       w.reported_at, w.first_response_at, w.due_at_filled, w.due_at_from_sla, w.closed_at,
       w.resolution_level, w.callback_satisfaction, w.callback_contacted, w.callback_resolved,
       w.reopened, w.updated_at, w._extra, p.file, w._row, p.load_seq
FROM winners w, ingest_params p;
