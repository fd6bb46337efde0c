-- The survey quality filter, in the order docs/inputs.md gives, over the
-- responses of the months this load changed (survey_months, filled by
-- surveys.sql): a later file can make an earlier response a duplicate, or no
-- longer one, but only within a month, since every group below (respondent
-- × community × month, address × community × day) lies inside one; a
-- response's own flags (speeder, straightlining) depend on the settings, and
-- a change of those reads every input again (ingest_settings).
-- The rules:
--   1. speeder: duration_seconds given and below survey.min_duration_seconds.
--   2. duplicate_respondent: among the rest, the same respondent_hash in the
--      same community and month: the latest submitted_at is kept (ties: the
--      greater response_id). No respondent_hash: never a duplicate.
--   3. flags kept on valid responses: straightlining (five or more items
--      answered, all the same value) and burst (more than
--      survey.max_per_ip_per_day valid responses from one ip_hash in one
--      community on one day).
-- Excluded responses are filed in rejects (their earlier filter rejects are
-- replaced), kept in survey_responses with excluded_reason, and left out of
-- the surveys view.
CREATE OR REPLACE TEMP TABLE survey_quality AS
WITH s1 AS (
    SELECT response_id, community_id, submitted_at, respondent_hash, ip_hash,
        duration_seconds IS NOT NULL AND duration_seconds < (SELECT min_duration FROM ingest_params) AS speeder,
        list_filter([q_overall, q_environment, q_safety, q_services, q_responsiveness,
                     q_facilities, q_participation, q_fairness], x -> x IS NOT NULL) AS answers
    FROM survey_responses
    WHERE date_trunc('month', submitted_at)::DATE IN (SELECT month FROM survey_months)
), s2 AS (
    SELECT *,
        CASE WHEN NOT speeder AND respondent_hash IS NOT NULL THEN
            row_number() OVER (PARTITION BY (NOT speeder AND respondent_hash IS NOT NULL), respondent_hash, community_id,
                                            date_trunc('month', submitted_at)
                               ORDER BY submitted_at DESC, response_id DESC)
        END AS respondent_rank
    FROM s1
), s3 AS (
    SELECT *,
        CASE WHEN speeder THEN 'speeder' WHEN respondent_rank > 1 THEN 'duplicate_respondent' END AS excluded_reason
    FROM s2
)
SELECT response_id, excluded_reason,
    len(answers) >= 5 AND list_unique(answers) = 1 AS straightlining,
    CASE WHEN excluded_reason IS NULL AND ip_hash IS NOT NULL THEN
        count(*) OVER (PARTITION BY excluded_reason IS NULL AND ip_hash IS NOT NULL, ip_hash, community_id, submitted_at::DATE)
            > (SELECT max_per_ip FROM ingest_params)
        ELSE false END AS burst
FROM s3;

-- @transaction
-- Only the rows whose flags change are written (most keep theirs).
UPDATE survey_responses r
SET excluded_reason = q.excluded_reason, straightlining = q.straightlining, burst = q.burst
FROM survey_quality q
WHERE q.response_id = r.response_id
  AND (r.excluded_reason IS DISTINCT FROM q.excluded_reason OR r.straightlining IS DISTINCT FROM q.straightlining
       OR r.burst IS DISTINCT FROM q.burst);

-- The filter rejects of those months go, and those of responses no longer
-- loaded (replaced by a later file); the new ones come in.
DELETE FROM rejects j
WHERE j.kind = 'surveys' AND j.reason IN ('speeder', 'duplicate_respondent')
  AND NOT EXISTS (SELECT 1 FROM survey_responses r
                  WHERE r.source_file = j.source_file AND r.source_row = j.source_row
                    AND date_trunc('month', r.submitted_at)::DATE NOT IN (SELECT month FROM survey_months));

INSERT INTO rejects (kind, source_file, source_row, reason, detail, raw)
SELECT 'surveys', r.source_file, r.source_row, r.excluded_reason,
    CASE r.excluded_reason
        WHEN 'speeder' THEN 'column duration_seconds: ' || r.duration_seconds || ' s is below survey.min_duration_seconds ' || (SELECT min_duration FROM ingest_params)
        ELSE 'respondent already answered later in the same community and month'
    END,
    to_json(r)::VARCHAR
FROM (SELECT * EXCLUDE (extra, excluded_reason, straightlining, burst, source_file, source_row),
             source_file, source_row, excluded_reason
      FROM survey_responses
      WHERE excluded_reason IS NOT NULL
        AND date_trunc('month', submitted_at)::DATE IN (SELECT month FROM survey_months)) r;

DELETE FROM survey_months;
