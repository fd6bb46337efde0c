-- Cases: type every staged row, find the first rule it breaks, and file it
-- into cases or rejects (detail lists every rule it breaks). Rules in order (the first that fails is the reason):
--   malformed_row          the row could not be read as a record (wrong field count, bad quoting)
--   missing_required       case_id, community_id, category, reported_at or resolution_level empty
--   duplicate_in_file      the same case_id appears again later in this file (the last wins)
--   bad_timestamp          a timestamp column holds text that is not a timestamp (or a year
--                          outside 2000..2099)
--   bad_enum               resolution_level, callback_satisfaction or a boolean with an unknown value
--   closed_before_reported closed_at < reported_at
--   unknown_community      community_id not in communities
-- source with an unknown value becomes 'other'; status with an unknown value
-- is NULL (closed_at decides), never a reject. due_at, when empty, is
-- reported_at plus the SLA of the category (sla_category, else the default):
-- hours, or working days on the calendar table. A valid row whose case_id is
-- already loaded replaces that row unless the loaded one is newer by
-- (updated_at, closed_at); otherwise it is filed as stale_version.
--
-- Every expression is computed once per row; enum spellings, SLAs and
-- communities are hash joins against small tables. The flow: in-file
-- duplicates (dup), the view typed_cases over stage_part (a view on the
-- staged rows, redefined per step), the staged rows whose id is loaded
-- already (conflicts), then, inside the file's transaction, the clean rows
-- typed straight into cases, and the rows that did not go in typed again
-- for their reject details.

-- Ids that appear more than once in this file, with their last row: computed
-- once for the whole file, since the checks below run on parts of it.
CREATE OR REPLACE TEMP TABLE dup AS
SELECT cs_text(case_id) AS case_id, max(_row) AS last_row
FROM stage WHERE cs_text(case_id) IS NOT NULL GROUP BY 1 HAVING count(*) > 1;

-- The staged rows the view typed_cases types: all of them, or (redefined below)
-- only those a step needs.
CREATE OR REPLACE TEMP VIEW stage_part AS SELECT * FROM stage;

-- Every staged row of stage_part typed, with the first rule it breaks. A
-- view, not a table: the clean rows go from it straight into cases, and
-- only the few rejected rows are typed a second time (for their details).
CREATE OR REPLACE TEMP VIEW typed_cases AS
WITH s AS (
    SELECT _row, _error, _extra,
        cs_text(case_id) AS case_id, cs_text(community_id) AS community_id, cs_text(grid_id) AS grid_id,
        cs_text(source) AS source_in, cs_text(category) AS category, cs_text(subcategory) AS subcategory,
        cs_text(reported_at) AS reported_in, cs_text(first_response_at) AS first_response_in,
        cs_text(due_at) AS due_in, cs_text(closed_at) AS closed_in, cs_text(updated_at) AS updated_in,
        cs_text(resolution_level) AS level_in, cs_text(callback_satisfaction) AS cbs_in,
        cs_text(callback_contacted) AS contacted_in, cs_text(callback_resolved) AS resolved_in,
        cs_text(reopened) AS reopened_in, cs_text(status) AS status_in
    FROM stage_part
), typed AS (
    SELECT s.*,
        cs_in_range(cs_ts_raw(s.reported_in))       AS reported_at,
        cs_in_range(cs_ts_raw(s.first_response_in)) AS first_response_at,
        cs_in_range(cs_ts_raw(s.due_in))            AS due_given,
        cs_in_range(cs_ts_raw(s.closed_in))         AS closed_at,
        cs_in_range(cs_ts_raw(s.updated_in))        AS updated_at,
        e_src.canonical AS source_c, e_lvl.canonical AS level_c, e_cbs.canonical AS cbs_c,
        e_con.canonical AS contacted_c, e_res.canonical AS resolved_c, e_reo.canonical AS reopened_c,
        nullif(e_sta.canonical, '') AS status,
        coalesce(sla.amount, getvariable('ingest_default_sla')) AS sla_amount, getvariable('ingest_sla_unit') AS sla_unit,
        cm.community_id IS NOT NULL AS community_known,
        coalesce(dup.last_row, s._row) AS last_row
    FROM s
    LEFT JOIN dup ON dup.case_id = s.case_id
    LEFT JOIN enum_alias e_src ON e_src.field = 'source' AND e_src.alias = cs_key(s.source_in)
    LEFT JOIN enum_alias e_lvl ON e_lvl.field = 'resolution_level' AND e_lvl.alias = cs_key(s.level_in)
    LEFT JOIN enum_alias e_cbs ON e_cbs.field = 'callback_satisfaction' AND e_cbs.alias = cs_key(s.cbs_in)
    LEFT JOIN enum_alias e_con ON e_con.field = 'callback_contacted' AND e_con.alias = cs_key(s.contacted_in)
    LEFT JOIN enum_alias e_res ON e_res.field = 'callback_resolved' AND e_res.alias = cs_key(s.resolved_in)
    LEFT JOIN enum_alias e_reo ON e_reo.field = 'reopened' AND e_reo.alias = cs_key(s.reopened_in)
    LEFT JOIN enum_alias e_sta ON e_sta.field = 'status' AND e_sta.alias = cs_key(s.status_in)
    LEFT JOIN sla_category sla ON sla.category_key = lower(s.category)
    LEFT JOIN communities cm ON cm.community_id = s.community_id
), due AS (
    SELECT t.*,
        CASE WHEN t.due_given IS NOT NULL THEN t.due_given
             WHEN t.sla_unit = 'working_days' THEN d.day + (t.reported_at - date_trunc('day', t.reported_at))
             ELSE t.reported_at + to_microseconds(CAST(round(t.sla_amount * 3600e6) AS BIGINT)) END AS due_at,
        t.due_given IS NULL AS due_at_from_sla
    FROM typed t
    LEFT JOIN calendar c ON t.sla_unit = 'working_days' AND c.day = t.reported_at::DATE
    LEFT JOIN calendar d ON d.workday AND d.ordinal = c.ordinal + CAST(ceil(t.sla_amount) AS BIGINT)
), flagged AS (
    SELECT *,
        case_id IS NULL OR community_id IS NULL OR category IS NULL OR reported_in IS NULL OR level_in IS NULL AS missing,
        (reported_in IS NOT NULL AND reported_at IS NULL) AS bad_reported,
        (first_response_in IS NOT NULL AND first_response_at IS NULL) AS bad_first_response,
        (due_in IS NOT NULL AND due_given IS NULL) AS bad_due,
        (closed_in IS NOT NULL AND closed_at IS NULL) AS bad_closed,
        (updated_in IS NOT NULL AND updated_at IS NULL) AS bad_updated,
        (level_c IS NULL OR level_c = '') AS bad_level,
        (cbs_in IS NOT NULL AND cbs_c IS NULL) AS bad_cbs,
        (contacted_in IS NOT NULL AND contacted_c IS NULL) AS bad_contacted,
        (resolved_in IS NOT NULL AND resolved_c IS NULL) AS bad_resolved,
        (reopened_in IS NOT NULL AND reopened_c IS NULL) AS bad_reopened
    FROM due
)
SELECT
    _row, _extra, case_id, community_id, grid_id,
    coalesce(nullif(source_c, ''), CASE WHEN source_in IS NOT NULL THEN 'other' END) AS source,
    category, subcategory, reported_at, first_response_at, due_at, due_at_from_sla, closed_at,
    level_c AS resolution_level, nullif(cbs_c, '') AS callback_satisfaction,
    contacted_c::BOOLEAN AS callback_contacted, resolved_c::BOOLEAN AS callback_resolved,
    reopened_c::BOOLEAN AS reopened, updated_at, status,
    -- random() makes the reason volatile, which keeps DuckDB from inlining this
    -- expression (and all the typing under it) into a filter on reason: it is
    -- computed once per row, not again for WHERE reason IS NULL.
    CASE WHEN random() < 2 THEN CASE
        WHEN _error IS NOT NULL THEN 'malformed_row'
        WHEN missing THEN 'missing_required'
        WHEN _row < last_row THEN 'duplicate_in_file'
        WHEN bad_reported OR bad_first_response OR bad_due OR bad_closed OR bad_updated THEN 'bad_timestamp'
        WHEN bad_level OR bad_cbs OR bad_contacted OR bad_resolved OR bad_reopened THEN 'bad_enum'
        WHEN closed_at < reported_at THEN 'closed_before_reported'
        WHEN NOT community_known THEN 'unknown_community'
    END END AS reason,
    -- Every problem of the row, in rule order (reason is the first).
    CASE WHEN _error IS NOT NULL THEN _error ELSE nullif(concat_ws('; ',
        CASE WHEN case_id IS NULL THEN 'column case_id is empty' END,
        CASE WHEN community_id IS NULL THEN 'column community_id is empty' END,
        CASE WHEN category IS NULL THEN 'column category is empty' END,
        CASE WHEN reported_in IS NULL THEN 'column reported_at is empty' END,
        CASE WHEN level_in IS NULL THEN 'column resolution_level is empty' END,
        CASE WHEN _row < last_row THEN 'case_id ' || cs_q(case_id) || ' appears again later in this file (row ' || last_row || '); the last row wins' END,
        CASE WHEN bad_reported THEN 'column reported_at: ' || cs_q(reported_in) || ' is not a timestamp' END,
        CASE WHEN bad_first_response THEN 'column first_response_at: ' || cs_q(first_response_in) || ' is not a timestamp' END,
        CASE WHEN bad_due THEN 'column due_at: ' || cs_q(due_in) || ' is not a timestamp' END,
        CASE WHEN bad_closed THEN 'column closed_at: ' || cs_q(closed_in) || ' is not a timestamp' END,
        CASE WHEN bad_updated THEN 'column updated_at: ' || cs_q(updated_in) || ' is not a timestamp' END,
        CASE WHEN bad_level AND level_in IS NOT NULL THEN 'column resolution_level: ' || cs_q(level_in) || ' is not one of community, block, street, district, city' END,
        CASE WHEN bad_cbs THEN 'column callback_satisfaction: ' || cs_q(cbs_in) || ' is not one of satisfied, basically_satisfied, dissatisfied' END,
        CASE WHEN bad_contacted THEN 'column callback_contacted: ' || cs_q(contacted_in) || ' is not a boolean' END,
        CASE WHEN bad_resolved THEN 'column callback_resolved: ' || cs_q(resolved_in) || ' is not a boolean' END,
        CASE WHEN bad_reopened THEN 'column reopened: ' || cs_q(reopened_in) || ' is not a boolean' END,
        CASE WHEN closed_at < reported_at THEN 'column closed_at: ' || cs_q(closed_in) || ' is before reported_at ' || cs_q(reported_in) END,
        CASE WHEN community_id IS NOT NULL AND NOT community_known THEN 'column community_id: ' || cs_q(community_id) || ' is not in communities' END
    ), '') END AS detail
FROM flagged;

-- Valid rows whose case_id is already loaded, and whether the loaded version
-- is newer by (updated_at, closed_at) — empty is oldest; on a tie the later
-- file wins. Only the staged rows whose id is loaded are typed for this
-- (none on a first load).
CREATE OR REPLACE TEMP VIEW stage_part AS
SELECT * FROM stage WHERE _row IN (SELECT s._row FROM stage s JOIN cases o ON o.case_id = cs_text(s.case_id));

CREATE OR REPLACE TEMP TABLE conflicts AS
SELECT n._row, n.case_id,
       coalesce(o.updated_at, TIMESTAMP '-infinity') > coalesce(n.updated_at, TIMESTAMP '-infinity')
       OR (coalesce(o.updated_at, TIMESTAMP '-infinity') = coalesce(n.updated_at, TIMESTAMP '-infinity')
           AND coalesce(o.closed_at, TIMESTAMP '-infinity') > coalesce(n.closed_at, TIMESTAMP '-infinity')) AS loaded_is_newer
FROM typed_cases n
JOIN cases o ON o.case_id = n.case_id
WHERE n.reason IS NULL;

-- The clean rows, typed once on their way into cases.
CREATE OR REPLACE TEMP VIEW stage_part AS SELECT * FROM stage;

-- @transaction
DELETE FROM cases WHERE case_id IN (SELECT case_id FROM conflicts WHERE NOT loaded_is_newer);

INSERT INTO cases
SELECT w.case_id, w.community_id, w.grid_id, w.source, w.category, w.subcategory,
       w.reported_at, w.first_response_at, w.due_at, w.due_at_from_sla, w.closed_at,
       w.resolution_level, w.callback_satisfaction, w.callback_contacted, w.callback_resolved,
       w.reopened, w.updated_at, cs_scrub(w._extra), p.file, w._row, p.load_seq, w.status
FROM typed_cases w, ingest_params p
WHERE w.reason IS NULL AND w._row NOT IN (SELECT _row FROM conflicts WHERE loaded_is_newer);

-- The staged rows that did not go in: the rejected ones and the stale
-- versions. Only these are typed again, for their reasons and details.
CREATE OR REPLACE TEMP VIEW stage_part AS
SELECT * FROM stage s
WHERE NOT EXISTS (SELECT 1 FROM cases c, ingest_params p WHERE c.load_seq = p.load_seq AND c.source_row = s._row);

-- stage_rawjson builds the row as read for these only.
DELETE FROM rejected;
INSERT INTO rejected
SELECT _row, reason, detail FROM typed_cases WHERE reason IS NOT NULL
UNION ALL
SELECT _row, 'stale_version', 'case_id ' || cs_q(case_id) || ': the version already loaded is newer (updated_at, closed_at)'
FROM conflicts WHERE loaded_is_newer;

INSERT INTO rejects (kind, source_file, source_row, reason, detail, raw)
SELECT 'cases', p.file, c._row, c.reason, cs_scrub(c.detail), cs_scrub(r._raw)
FROM rejected c JOIN stage_rawjson r ON r._row = c._row CROSS JOIN ingest_params p;

DROP VIEW typed_cases;
DROP VIEW stage_part;
DROP TABLE dup;
