-- surveys.sql: the residents' own evaluation. Rows: the valid responses
-- (metrics_survey_rows over the view `surveys`), by month of submitted_at.
--
-- An item is answered when its value is not NULL (ingest already turned
-- empty, 0 and 不了解 into NULL and rejected values outside 1..5).
--   satisfaction_rate         q_overall in (4, 5) / q_overall answered
--   satisfaction_rate.<item>  the same for each configured dimension item
--   satisfaction_mean         mean of q_overall (estimate): numerator = sum,
--                             denominator = n answered; interval
--                             mean ± z·sd/sqrt(n) with the sample sd
--                             (n − 1 divisor), NULL when n < 2
--   net_satisfaction          share of q_overall in {4,5} − share in {1,2}
--                             (estimate): numerator NULL, denominator = n
--                             answered; interval value ± z·sqrt((p+ + p− −
--                             (p+ − p−)²) / n), the multinomial variance of
--                             the difference of two shares
--   survey_response_rate      valid responses, answered or not / households
--                             (fact, a per-household rate: a household may
--                             answer twice, so it may exceed 1; no
--                             interval, never suppressed, not shrunk)

------------------------------------------------------------------------------
-- Cells: one per community × month × item (q_overall and the configured
-- items; n_responses counts every valid response, answered or not). The
-- item columns are the fixed q_* columns of the schema; which of them are
-- reported comes from metrics_params.items. One pass over the responses
-- with each item's counts as a struct, unnested to a row per item (an
-- unpivot to a row per response × item first cost three times as much).
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP MACRO metrics_item_cell(name, x) AS
    {item: name,
     n_answered:     count(x),
     n_satisfied:    count(*) FILTER (WHERE x IN (4, 5)),
     n_dissatisfied: count(*) FILTER (WHERE x IN (1, 2)),
     n_sum:          coalesce(sum(x), 0),                 -- Σx
     n_sum_squares:  coalesce(sum(x::INTEGER * x), 0)};   -- Σx², for the sd

CREATE OR REPLACE TEMP TABLE metrics_survey_cells AS
SELECT month_start, quarter_start, year_start, community_id, street_id, district_id,
    c.item, n_responses, c.n_answered, c.n_satisfied, c.n_dissatisfied, c.n_sum, c.n_sum_squares
FROM (
    SELECT month_start, quarter_start, year_start, community_id, street_id, district_id,
        count(*) AS n_responses,
        unnest([metrics_item_cell('q_overall',        q_overall),
                metrics_item_cell('q_environment',    q_environment),
                metrics_item_cell('q_safety',         q_safety),
                metrics_item_cell('q_services',       q_services),
                metrics_item_cell('q_responsiveness', q_responsiveness),
                metrics_item_cell('q_facilities',     q_facilities),
                metrics_item_cell('q_participation',  q_participation),
                metrics_item_cell('q_fairness',       q_fairness)]) AS c
    FROM metrics_survey_rows
    GROUP BY month_start, quarter_start, year_start, community_id, street_id, district_id
)
WHERE c.item = 'q_overall' OR list_contains(getvariable('metrics_items'), c.item);

------------------------------------------------------------------------------
-- Every unit × period × item, the cells added up to the 9 period × level
-- combinations (0 where nothing was answered).
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_survey_agg AS
WITH sums AS (
    SELECT
        item,
        metrics_period_type(GROUPING(month_start), GROUPING(quarter_start)) AS period_type,
        metrics_period(period_type, coalesce(month_start, quarter_start, year_start)) AS period,
        metrics_level(GROUPING(community_id), GROUPING(street_id)) AS level,
        coalesce(community_id, street_id, district_id)         AS unit_id,
        sum(COLUMNS('^n_'))
    FROM metrics_survey_cells
    GROUP BY item,
             GROUPING SETS ((month_start), (quarter_start), (year_start)),
             GROUPING SETS ((community_id), (street_id), (district_id))
),
items AS (
    SELECT 'q_overall' AS item
    UNION ALL
    SELECT unnest(items) FROM metrics_params
)
SELECT
    g.period_type, g.period, g.level, g.unit_id, g.households, i.item,
    coalesce(COLUMNS('^n_'), 0)
FROM metrics_grid g
CROSS JOIN items i
LEFT JOIN sums s USING (period_type, period, level, unit_id, item);

------------------------------------------------------------------------------
-- The survey indicators, one line each: (indicator, applies to item,
-- numerator, denominator, value, ci_low, ci_high).
------------------------------------------------------------------------------
INSERT INTO metrics_rows (period_type, period, level, unit_id, indicator, numerator, denominator, value, ci_low, ci_high)
SELECT s.period_type, s.period, s.level, s.unit_id, r.indicator,
       r.numerator, r.denominator, r.value, r.ci_low, r.ci_high
FROM (
    SELECT *,
           n_sum / nullif(n_answered, 0)                      AS mean,
           -- sample sd (n − 1 divisor) from the exact integer sums:
           -- (n·Σx² − (Σx)²) / (n (n − 1)); NULL when n < 2, and so is
           -- the mean's interval
           sqrt((n_answered * n_sum_squares - n_sum * n_sum)
                / nullif(n_answered * (n_answered - 1), 0))   AS sd,
           metrics_z() * sd / sqrt(n_answered)                AS mean_half,
           n_satisfied / nullif(n_answered, 0)                AS p_pos,
           n_dissatisfied / nullif(n_answered, 0)             AS p_neg,
           p_pos - p_neg                                      AS net,
           -- greatest(0, …) only guards against rounding below 0
           metrics_z() * sqrt(greatest(0, p_pos + p_neg - net * net) / n_answered) AS net_half
    FROM metrics_survey_agg
) s,
LATERAL (VALUES
    -- proportions: satisfaction_rate for q_overall, satisfaction_rate.<item>
    -- for a dimension item.
    (CASE WHEN s.item = 'q_overall' THEN 'satisfaction_rate'
          ELSE 'satisfaction_rate.' || s.item END,
                             true,                 s.n_satisfied, s.n_answered, NULL,   NULL,                     NULL),
    -- estimates, q_overall only.
    ('satisfaction_mean',    s.item = 'q_overall', s.n_sum,       s.n_answered, s.mean, s.mean - s.mean_half,     s.mean + s.mean_half),
    ('net_satisfaction',     s.item = 'q_overall', NULL,          s.n_answered, s.net,  s.net - s.net_half,       s.net + s.net_half),
    -- fact, q_overall only (one row per response there); NULL without
    -- households.
    ('survey_response_rate', s.item = 'q_overall', s.n_responses, s.households,
                             s.n_responses / nullif(s.households, 0),                  NULL,                     NULL)
) r(indicator, applies, numerator, denominator, value, ci_low, ci_high)
WHERE r.applies;
