-- Surveys: one row per response. Rules in order (the quality filter runs
-- after all files are loaded, in survey_filter.sql):
--   malformed_row      the row could not be read as a record
--   missing_required   response_id, community_id or submitted_at empty
--   duplicate_in_file  the same response_id again later in this file (the last wins)
--   bad_timestamp      submitted_at is not a timestamp
--   bad_enum           an item answer outside 1..5 and not a known word: the whole response
--   bad_number         duration_seconds is not a duration >= 0
--   unknown_community  community_id not in communities
-- Answers: 非常满意..非常不满意 → 5..1; empty, 0 and 不了解 → no answer.
-- channel with an unknown value becomes 'other'. A response_id loaded again
-- replaces the earlier row (the later file wins).
CREATE OR REPLACE TEMP TABLE checked AS
WITH s AS NOT MATERIALIZED (
    SELECT _row, _error, _extra,
        cs_text(response_id) AS response_id, cs_text(community_id) AS community_id,
        cs_text(submitted_at) AS submitted_in, cs_text(respondent_hash) AS respondent_hash,
        cs_text(channel) AS channel_in, cs_text(duration_seconds) AS duration_in, cs_text(ip_hash) AS ip_hash,
        cs_text(q_overall) AS q_overall_in,
        cs_text(q_environment) AS q_environment_in,
        cs_text(q_safety) AS q_safety_in,
        cs_text(q_services) AS q_services_in,
        cs_text(q_responsiveness) AS q_responsiveness_in,
        cs_text(q_facilities) AS q_facilities_in,
        cs_text(q_participation) AS q_participation_in,
        cs_text(q_fairness) AS q_fairness_in,
        cs_text(age_group) AS age_group, cs_text(gender) AS gender
    FROM stage
), dup AS (
    -- ids that appear more than once in this file, with their last row
    SELECT response_id, max(_row) AS last_row FROM s WHERE response_id IS NOT NULL GROUP BY response_id HAVING count(*) > 1
), typed AS (
    SELECT s.*,
        cs_in_range(cs_ts_raw(submitted_in)) AS submitted_at,
        coalesce(nullif(e_channel.canonical, ''), CASE WHEN channel_in IS NOT NULL THEN 'other' END) AS channel,
        cs_duration(duration_in) AS duration_seconds,
        nullif(e_q_overall.canonical, '')::TINYINT AS q_overall,
        nullif(e_q_environment.canonical, '')::TINYINT AS q_environment,
        nullif(e_q_safety.canonical, '')::TINYINT AS q_safety,
        nullif(e_q_services.canonical, '')::TINYINT AS q_services,
        nullif(e_q_responsiveness.canonical, '')::TINYINT AS q_responsiveness,
        nullif(e_q_facilities.canonical, '')::TINYINT AS q_facilities,
        nullif(e_q_participation.canonical, '')::TINYINT AS q_participation,
        nullif(e_q_fairness.canonical, '')::TINYINT AS q_fairness,
        e_q_overall.canonical AS e_q_overall_known,
        e_q_environment.canonical AS e_q_environment_known,
        e_q_safety.canonical AS e_q_safety_known,
        e_q_services.canonical AS e_q_services_known,
        e_q_responsiveness.canonical AS e_q_responsiveness_known,
        e_q_facilities.canonical AS e_q_facilities_known,
        e_q_participation.canonical AS e_q_participation_known,
        e_q_fairness.canonical AS e_q_fairness_known,
        cm.community_id IS NOT NULL AS community_known,
        coalesce(dup.last_row, s._row) AS last_row
    FROM s
    LEFT JOIN dup ON dup.response_id = s.response_id
    LEFT JOIN enum_alias e_channel ON e_channel.field = 'channel' AND e_channel.alias = cs_key(s.channel_in)
    LEFT JOIN enum_alias e_q_overall ON e_q_overall.field = 'q_overall' AND e_q_overall.alias = cs_key(s.q_overall_in)
    LEFT JOIN enum_alias e_q_environment ON e_q_environment.field = 'q_environment' AND e_q_environment.alias = cs_key(s.q_environment_in)
    LEFT JOIN enum_alias e_q_safety ON e_q_safety.field = 'q_safety' AND e_q_safety.alias = cs_key(s.q_safety_in)
    LEFT JOIN enum_alias e_q_services ON e_q_services.field = 'q_services' AND e_q_services.alias = cs_key(s.q_services_in)
    LEFT JOIN enum_alias e_q_responsiveness ON e_q_responsiveness.field = 'q_responsiveness' AND e_q_responsiveness.alias = cs_key(s.q_responsiveness_in)
    LEFT JOIN enum_alias e_q_facilities ON e_q_facilities.field = 'q_facilities' AND e_q_facilities.alias = cs_key(s.q_facilities_in)
    LEFT JOIN enum_alias e_q_participation ON e_q_participation.field = 'q_participation' AND e_q_participation.alias = cs_key(s.q_participation_in)
    LEFT JOIN enum_alias e_q_fairness ON e_q_fairness.field = 'q_fairness' AND e_q_fairness.alias = cs_key(s.q_fairness_in)
    LEFT JOIN communities cm ON cm.community_id = s.community_id
), flagged AS (
    SELECT *,
        response_id IS NULL OR community_id IS NULL OR submitted_in IS NULL AS missing,
        q_overall_in IS NOT NULL AND q_overall IS NULL AND e_q_overall_known IS NULL AS bad_q_overall,
        q_environment_in IS NOT NULL AND q_environment IS NULL AND e_q_environment_known IS NULL AS bad_q_environment,
        q_safety_in IS NOT NULL AND q_safety IS NULL AND e_q_safety_known IS NULL AS bad_q_safety,
        q_services_in IS NOT NULL AND q_services IS NULL AND e_q_services_known IS NULL AS bad_q_services,
        q_responsiveness_in IS NOT NULL AND q_responsiveness IS NULL AND e_q_responsiveness_known IS NULL AS bad_q_responsiveness,
        q_facilities_in IS NOT NULL AND q_facilities IS NULL AND e_q_facilities_known IS NULL AS bad_q_facilities,
        q_participation_in IS NOT NULL AND q_participation IS NULL AND e_q_participation_known IS NULL AS bad_q_participation,
        q_fairness_in IS NOT NULL AND q_fairness IS NULL AND e_q_fairness_known IS NULL AS bad_q_fairness,
        duration_in IS NOT NULL AND (duration_seconds IS NULL OR duration_seconds < 0) AS bad_duration
    FROM typed
)
SELECT _row, _extra, response_id, community_id, submitted_at, respondent_hash, channel, duration_seconds, ip_hash,
    q_overall, q_environment, q_safety, q_services, q_responsiveness, q_facilities, q_participation, q_fairness, age_group, gender,
    CASE
        WHEN _error IS NOT NULL THEN 'malformed_row'
        WHEN missing THEN 'missing_required'
        WHEN _row < last_row THEN 'duplicate_in_file'
        WHEN submitted_at IS NULL THEN 'bad_timestamp'
        WHEN bad_q_overall OR bad_q_environment OR bad_q_safety OR bad_q_services OR bad_q_responsiveness OR bad_q_facilities OR bad_q_participation OR bad_q_fairness THEN 'bad_enum'
        WHEN bad_duration THEN 'bad_number'
        WHEN NOT community_known THEN 'unknown_community'
    END AS reason,
    -- Every problem of the row, in rule order (reason is the first).
    CASE WHEN _error IS NOT NULL THEN _error ELSE nullif(concat_ws('; ',
        CASE WHEN response_id IS NULL THEN 'column response_id is empty' END,
        CASE WHEN community_id IS NULL THEN 'column community_id is empty' END,
        CASE WHEN submitted_in IS NULL THEN 'column submitted_at is empty' END,
        CASE WHEN _row < last_row THEN 'response_id ' || cs_q(response_id) || ' appears again later in this file (row ' || last_row || '); the last row wins' END,
        CASE WHEN submitted_in IS NOT NULL AND submitted_at IS NULL THEN 'column submitted_at: ' || cs_q(submitted_in) || ' is not a timestamp' END,
        CASE WHEN bad_q_overall THEN 'column q_overall: ' || cs_q(q_overall_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)' END,
        CASE WHEN bad_q_environment THEN 'column q_environment: ' || cs_q(q_environment_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)' END,
        CASE WHEN bad_q_safety THEN 'column q_safety: ' || cs_q(q_safety_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)' END,
        CASE WHEN bad_q_services THEN 'column q_services: ' || cs_q(q_services_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)' END,
        CASE WHEN bad_q_responsiveness THEN 'column q_responsiveness: ' || cs_q(q_responsiveness_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)' END,
        CASE WHEN bad_q_facilities THEN 'column q_facilities: ' || cs_q(q_facilities_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)' END,
        CASE WHEN bad_q_participation THEN 'column q_participation: ' || cs_q(q_participation_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)' END,
        CASE WHEN bad_q_fairness THEN 'column q_fairness: ' || cs_q(q_fairness_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)' END,
        CASE WHEN bad_duration THEN 'column duration_seconds: ' || cs_q(duration_in) || ' is not a duration' END,
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
SELECT 'surveys', p.file, c._row, c.reason, cs_scrub(c.detail), cs_scrub(r._raw)
FROM rejected c JOIN stage_rawjson r ON r._row = c._row CROSS JOIN ingest_params p;

-- The months whose responses change (survey_filter.sql re-filters only
-- these: its groups never span two months): of the rows replaced, of the
-- rows an earlier version of this file loaded (their filter rejects went
-- with the file's rejects above), and of the rows coming in.
INSERT INTO survey_months
SELECT DISTINCT date_trunc('month', r.submitted_at)::DATE
FROM survey_responses r, ingest_params p
WHERE r.source_file = p.file OR r.response_id IN (SELECT response_id FROM checked WHERE reason IS NULL)
UNION
SELECT DISTINCT date_trunc('month', submitted_at)::DATE FROM checked WHERE reason IS NULL;

DELETE FROM survey_responses WHERE response_id IN (SELECT response_id FROM checked WHERE reason IS NULL);

INSERT INTO survey_responses
SELECT w.response_id, w.community_id, w.submitted_at, w.respondent_hash, w.channel, w.duration_seconds,
       w.ip_hash, w.q_overall, w.q_environment, w.q_safety, w.q_services, w.q_responsiveness, w.q_facilities, w.q_participation, w.q_fairness, w.age_group, w.gender, cs_scrub(w._extra), p.file, w._row,
       NULL, NULL, NULL
FROM checked w, ingest_params p
WHERE w.reason IS NULL;
