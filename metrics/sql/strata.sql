-- strata.sql: the inputs of survey weighting (survey.post_strata), for the
-- .weighted survey rates. Empty when no variables are configured.
--
--   metrics_strata_pop     per community: the population targets, from the
--                          community's own strata rows when it has any,
--                          else from its district's (source says which).
--                          Weighting on [age_group] alone sums the
--                          population over gender (gender NULL).
--   metrics_strata_items   per community with targets × period (every
--                          period type) × age_group × gender as the
--                          responses give them (gender NULL under
--                          [age_group]) × item (q_overall and the
--                          configured items): the valid responses, those
--                          that answered the item and those satisfied with
--                          it (4 or 5, as satisfaction_rate counts them).
--   metrics_strata_weights the weights, filled by Compute in Go
--                          (weights.go) from the two tables above; its
--                          columns are those of survey_strata but run_id.
CREATE OR REPLACE TEMP TABLE metrics_strata_pop AS
WITH par AS (
    SELECT len(post_strata) > 0 AS weighting, len(post_strata) = 2 AS raking FROM metrics_params
),
own AS (
    SELECT DISTINCT community_id FROM strata WHERE community_id IS NOT NULL
),
targets AS (
    SELECT s.community_id, 'community' AS source, s.age_group, s.gender, s.population
    FROM strata s JOIN communities c USING (community_id)
    UNION ALL
    SELECT c.community_id, 'district' AS source, s.age_group, s.gender, s.population
    FROM strata s JOIN communities c USING (district_id)
    WHERE s.community_id IS NULL AND c.community_id NOT IN (SELECT community_id FROM own)
)
SELECT t.community_id, t.source, t.age_group,
       CASE WHEN par.raking THEN t.gender END AS gender,
       sum(t.population)::BIGINT              AS population
FROM targets t, par
WHERE par.weighting
GROUP BY ALL;

CREATE OR REPLACE TEMP MACRO metrics_strata_item(name, x) AS
    {item: name,
     n_answered:  count(x),
     n_satisfied: count(*) FILTER (WHERE x IN (4, 5))};

CREATE OR REPLACE TEMP TABLE metrics_strata_items AS
WITH cells AS (
    SELECT month_start, quarter_start, year_start, community_id, age_group, gender, c.item,
        n_responses, c.n_answered, c.n_satisfied
    FROM (
        SELECT month_start, quarter_start, year_start, community_id, age_group, gender,
            count(*) AS n_responses,
            unnest([metrics_strata_item('q_overall',        q_overall),
                    metrics_strata_item('q_environment',    q_environment),
                    metrics_strata_item('q_safety',         q_safety),
                    metrics_strata_item('q_services',       q_services),
                    metrics_strata_item('q_responsiveness', q_responsiveness),
                    metrics_strata_item('q_facilities',     q_facilities),
                    metrics_strata_item('q_participation',  q_participation),
                    metrics_strata_item('q_fairness',       q_fairness)]) AS c
        FROM (
            SELECT s.community_id,
                date_trunc('month',   s.submitted_at)::DATE AS month_start,
                date_trunc('quarter', s.submitted_at)::DATE AS quarter_start,
                date_trunc('year',    s.submitted_at)::DATE AS year_start,
                s.age_group,
                CASE WHEN len(par.post_strata) = 2 THEN s.gender END AS gender,
                s.q_overall, s.q_environment, s.q_safety, s.q_services, s.q_responsiveness,
                s.q_facilities, s.q_participation, s.q_fairness
            FROM surveys s, metrics_params par
            WHERE s.community_id IN (SELECT community_id FROM metrics_strata_pop)
        )
        GROUP BY ALL
    )
    WHERE c.item = 'q_overall' OR list_contains(getvariable('metrics_items'), c.item)
)
SELECT
    metrics_period_type(GROUPING(month_start), GROUPING(quarter_start))         AS period_type,
    metrics_period(period_type, coalesce(month_start, quarter_start, year_start)) AS period,
    community_id, age_group, gender, item,
    sum(n_responses)::BIGINT AS n_responses,
    sum(n_answered)::BIGINT  AS n_answered,
    sum(n_satisfied)::BIGINT AS n_satisfied
FROM cells
GROUP BY GROUPING SETS ((month_start), (quarter_start), (year_start)), community_id, age_group, gender, item;

-- The columns of survey_strata (store/migrations/014_strata.sql, which
-- documents them) but run_id.
CREATE OR REPLACE TEMP TABLE metrics_strata_weights AS
SELECT * EXCLUDE (run_id) FROM survey_strata LIMIT 0;
