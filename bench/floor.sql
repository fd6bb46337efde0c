-- The floor: what DuckDB alone needs to load the canonical CSVs into a file
-- database and compute the core month aggregates, written by hand with no
-- validation (bad rows are skipped by ignore_errors), no rejects, no shrinkage and no report. civicscore's run is
-- measured against this.
CREATE TABLE communities AS SELECT * FROM read_csv('{{DIR}}/communities.csv');
CREATE TABLE cases AS SELECT * FROM read_csv('{{DIR}}/cases.csv', ignore_errors = true, types = {'reported_at': 'TIMESTAMP', 'due_at': 'TIMESTAMP', 'closed_at': 'TIMESTAMP', 'first_response_at': 'TIMESTAMP', 'updated_at': 'TIMESTAMP'});
CREATE TABLE services AS SELECT * FROM read_csv('{{DIR}}/services.csv', ignore_errors = true, types = {'service_date': 'DATE', 'recipients': 'BIGINT'});
CREATE TABLE surveys AS SELECT * FROM read_csv('{{DIR}}/surveys.csv', ignore_errors = true, types = {'submitted_at': 'TIMESTAMP', 'q_overall': 'INTEGER'});
CREATE TABLE month_aggregates AS
WITH cutoff AS (SELECT max(reported_at) AS t FROM cases),
c AS (
    SELECT community_id, strftime(reported_at, '%Y-%m') AS month,
           count(*) AS cases,
           count(*) FILTER (WHERE closed_at <= coalesce(due_at, reported_at + INTERVAL 72 HOUR)) AS on_time,
           count(*) FILTER (WHERE closed_at IS NOT NULL OR coalesce(due_at, reported_at + INTERVAL 72 HOUR) <= (SELECT t FROM cutoff)) AS on_time_n,
           count(*) FILTER (WHERE resolution_level <> 'community') AS escalated,
           count(*) FILTER (WHERE callback_satisfaction IN ('satisfied', 'basically_satisfied')) AS cb_sat,
           count(callback_satisfaction) AS cb_n,
           median(epoch(closed_at - reported_at) / 3600) AS median_hours
    FROM cases GROUP BY ALL
), s AS (
    SELECT community_id, strftime(submitted_at, '%Y-%m') AS month,
           count(*) FILTER (WHERE q_overall >= 4) AS sat, count(q_overall) AS sat_n
    FROM surveys GROUP BY ALL
), v AS (
    SELECT community_id, strftime(service_date, '%Y-%m') AS month, sum(recipients) AS recipients
    FROM services GROUP BY ALL
)
SELECT * FROM c FULL JOIN s USING (community_id, month) FULL JOIN v USING (community_id, month);
