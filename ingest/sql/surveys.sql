-- Surveys: one row per response. Rules in order (the quality filter runs
-- after all files are loaded, in survey_filter.sql):
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
WITH typed AS (
    SELECT s._row, s._raw, s._extra, s._error,
        cs_text(s.response_id) AS response_id, cs_text(s.community_id) AS community_id,
        s.submitted_at AS submitted_in, cs_ts(s.submitted_at) AS submitted_at,
        cs_text(s.respondent_hash) AS respondent_hash,
        coalesce(nullif(cs_enum('channel', s.channel), ''), CASE WHEN cs_text(s.channel) IS NOT NULL THEN 'other' END) AS channel,
        s.duration_seconds AS duration_in, cs_duration(s.duration_seconds) AS duration_seconds,
        cs_text(s.ip_hash) AS ip_hash,
        s.q_overall AS q_overall_in, nullif(cs_enum('likert', s.q_overall), '')::TINYINT AS q_overall,
        s.q_environment AS q_environment_in, nullif(cs_enum('likert', s.q_environment), '')::TINYINT AS q_environment,
        s.q_safety AS q_safety_in, nullif(cs_enum('likert', s.q_safety), '')::TINYINT AS q_safety,
        s.q_services AS q_services_in, nullif(cs_enum('likert', s.q_services), '')::TINYINT AS q_services,
        s.q_responsiveness AS q_responsiveness_in, nullif(cs_enum('likert', s.q_responsiveness), '')::TINYINT AS q_responsiveness,
        s.q_facilities AS q_facilities_in, nullif(cs_enum('likert', s.q_facilities), '')::TINYINT AS q_facilities,
        s.q_participation AS q_participation_in, nullif(cs_enum('likert', s.q_participation), '')::TINYINT AS q_participation,
        s.q_fairness AS q_fairness_in, nullif(cs_enum('likert', s.q_fairness), '')::TINYINT AS q_fairness,
        cs_text(s.age_group) AS age_group, cs_text(s.gender) AS gender,
        row_number() OVER (PARTITION BY cs_text(s.response_id) ORDER BY s._row DESC) AS occurrence_from_end
    FROM stage s
)
SELECT t.*,
    CASE
        WHEN t._error IS NOT NULL THEN 'malformed_row'
        WHEN t.response_id IS NULL OR t.community_id IS NULL OR cs_text(t.submitted_in) IS NULL THEN 'missing_required'
        WHEN t.occurrence_from_end > 1 THEN 'duplicate_in_file'
        WHEN t.submitted_at IS NULL THEN 'bad_timestamp'
        WHEN cs_bad_enum('likert', t.q_overall_in) OR cs_bad_enum('likert', t.q_environment_in) OR cs_bad_enum('likert', t.q_safety_in) OR cs_bad_enum('likert', t.q_services_in) OR cs_bad_enum('likert', t.q_responsiveness_in) OR cs_bad_enum('likert', t.q_facilities_in) OR cs_bad_enum('likert', t.q_participation_in) OR cs_bad_enum('likert', t.q_fairness_in) THEN 'bad_enum'
        WHEN cs_text(t.duration_in) IS NOT NULL AND (t.duration_seconds IS NULL OR t.duration_seconds < 0) THEN 'bad_number'
        WHEN NOT EXISTS (SELECT 1 FROM communities c WHERE c.community_id = t.community_id) THEN 'unknown_community'
    END AS reason,
    CASE
        WHEN t._error IS NOT NULL THEN t._error
        WHEN t.response_id IS NULL THEN 'column response_id is empty'
        WHEN t.community_id IS NULL THEN 'column community_id is empty'
        WHEN cs_text(t.submitted_in) IS NULL THEN 'column submitted_at is empty'
        WHEN t.occurrence_from_end > 1 THEN 'response_id ' || cs_q(t.response_id) || ' appears again later in this file; the last row wins'
        WHEN t.submitted_at IS NULL THEN 'column submitted_at: ' || cs_q(t.submitted_in) || ' is not a timestamp'
        WHEN cs_bad_enum('likert', t.q_overall_in) THEN 'column q_overall: ' || cs_q(t.q_overall_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)'
        WHEN cs_bad_enum('likert', t.q_environment_in) THEN 'column q_environment: ' || cs_q(t.q_environment_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)'
        WHEN cs_bad_enum('likert', t.q_safety_in) THEN 'column q_safety: ' || cs_q(t.q_safety_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)'
        WHEN cs_bad_enum('likert', t.q_services_in) THEN 'column q_services: ' || cs_q(t.q_services_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)'
        WHEN cs_bad_enum('likert', t.q_responsiveness_in) THEN 'column q_responsiveness: ' || cs_q(t.q_responsiveness_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)'
        WHEN cs_bad_enum('likert', t.q_facilities_in) THEN 'column q_facilities: ' || cs_q(t.q_facilities_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)'
        WHEN cs_bad_enum('likert', t.q_participation_in) THEN 'column q_participation: ' || cs_q(t.q_participation_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)'
        WHEN cs_bad_enum('likert', t.q_fairness_in) THEN 'column q_fairness: ' || cs_q(t.q_fairness_in) || ' is not an answer 1..5 (or 非常满意..非常不满意)'
        WHEN cs_text(t.duration_in) IS NOT NULL AND (t.duration_seconds IS NULL OR t.duration_seconds < 0) THEN 'column duration_seconds: ' || cs_q(t.duration_in) || ' is not a duration'
        ELSE 'column community_id: ' || cs_q(t.community_id) || ' is not in communities'
    END AS detail
FROM typed t;

CREATE OR REPLACE TEMP TABLE winners AS SELECT * FROM checked WHERE reason IS NULL;

INSERT INTO rejects (kind, source_file, source_row, reason, detail, raw)
SELECT 'surveys', p.file, c._row, c.reason, c.detail, c._raw
FROM checked c, ingest_params p WHERE c.reason IS NOT NULL;

DELETE FROM survey_responses WHERE response_id IN (SELECT response_id FROM winners);

INSERT INTO survey_responses
SELECT w.response_id, w.community_id, w.submitted_at, w.respondent_hash, w.channel, w.duration_seconds,
       w.ip_hash, w.q_overall, w.q_environment, w.q_safety, w.q_services, w.q_responsiveness, w.q_facilities, w.q_participation, w.q_fairness, w.age_group, w.gender, w._extra, p.file, w._row,
       NULL, NULL, NULL
FROM winners w, ingest_params p;
