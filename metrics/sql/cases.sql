-- cases.sql: the case family (grid events, hotline work orders, resident
-- reports). Cohort: cases reported in the period, up to as_of (see
-- metrics_case_rows in common.sql for "closed", "overdue" and the hour
-- columns, and for how cells add up to streets, districts, quarters and
-- years).

------------------------------------------------------------------------------
-- Cells: one per community × month × case category, with every count a
-- case indicator (or the 12345 family, three_rates.sql) needs. The
-- category is for the case-mix step (casemix.sql): it reads these counts,
-- so its observed counts are the crude numerators by construction, and the
-- case rows are scanned once for both.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_case_cells_by_category AS
SELECT
    month_start, quarter_start, year_start, community_no, street_no, district_no, category_no,

    count(*)                                              AS n_cases,
    count(*) FILTER (WHERE closed)                        AS n_closed,

    -- on_time_rate. On time: closed AND closed_at <= due_at (a closed
    -- case without due_at is not on time: NULL <= is not true).
    -- Assessed: every closed case, plus every overdue open case
    -- (due_at <= as_of, counted late). Open cases with due_at > as_of,
    -- or with no due_at, are pending and left out of both.
    count(*) FILTER (WHERE closed AND closed_at <= due_at) AS n_on_time,
    count(*) FILTER (WHERE closed OR overdue)             AS n_on_time_assessed,
    count(*) FILTER (WHERE overdue)                       AS n_overdue,  -- for overdue_open

    -- escalation_share and the funnel level_share.<level>, over all cases.
    count(*) FILTER (WHERE resolution_level <> 'community') AS n_escalated,
    count(*) FILTER (WHERE resolution_level = 'community')  AS n_level_community,
    count(*) FILTER (WHERE resolution_level = 'block')      AS n_level_block,
    count(*) FILTER (WHERE resolution_level = 'street')     AS n_level_street,
    count(*) FILTER (WHERE resolution_level = 'district')   AS n_level_district,
    count(*) FILTER (WHERE resolution_level = 'city')       AS n_level_city,

    -- Callbacks. A callback answer (a valid callback, 有效回访) is a
    -- non-NULL callback_satisfaction.
    count(callback_satisfaction)                          AS n_callback,
    count(*) FILTER (WHERE callback_satisfaction IN ('satisfied', 'basically_satisfied'))
                                                          AS n_callback_satisfied,
    count(*) FILTER (WHERE closed AND callback_satisfaction IS NOT NULL)
                                                          AS n_closed_callback,
    -- closure_gap. Decision: the numerator is taken inside its
    -- denominator (closed, with a callback answer, with a verdict), so
    -- the gap is a proper share.
    count(*) FILTER (WHERE closed AND callback_satisfaction IS NOT NULL
                       AND callback_resolved IS NOT NULL) AS n_closed_verdict,
    count(*) FILTER (WHERE closed AND callback_satisfaction IS NOT NULL
                       AND NOT callback_resolved)         AS n_closed_unresolved,

    count(*) FILTER (WHERE reopened)                      AS n_reopened,

    -- The rows behind the duration quantiles below.
    count(resolution_hours)                               AS n_resolution,
    count(first_response_hours)                           AS n_first_response,

    -- 12345 three rates (three_rates.sql), over valid callbacks.
    count(*) FILTER (WHERE callback_satisfaction IS NOT NULL AND callback_contacted)
                                                          AS n_12345_contacted,
    count(*) FILTER (WHERE callback_satisfaction IS NOT NULL AND callback_resolved)
                                                          AS n_12345_resolved,
    count(*) FILTER (WHERE callback_satisfaction = 'satisfied')
                                                          AS n_12345_satisfied,
    count(*) FILTER (WHERE callback_satisfaction = 'basically_satisfied')
                                                          AS n_12345_basically
FROM metrics_case_rows
GROUP BY month_start, quarter_start, year_start, community_no, street_no, district_no, category_no;

-- One cell per community × month: the categories added up.
CREATE OR REPLACE TEMP TABLE metrics_case_cells AS
SELECT a.month_start, a.quarter_start, a.year_start,
       uc.unit_id AS community_id, us.unit_id AS street_id, ud.unit_id AS district_id,
       a.* EXCLUDE (month_start, quarter_start, year_start, community_no, street_no, district_no)
FROM (
    SELECT month_start, quarter_start, year_start, community_no, street_no, district_no,
           sum(COLUMNS('^n_'))::BIGINT
    FROM metrics_case_cells_by_category
    GROUP BY month_start, quarter_start, year_start, community_no, street_no, district_no
) a
JOIN metrics_units uc ON uc.unit_no = a.community_no
JOIN metrics_units us ON us.unit_no = a.street_no
JOIN metrics_units ud ON ud.unit_no = a.district_no;

------------------------------------------------------------------------------
-- Every unit × period of the grid, with the cells added up to the 9 period
-- × level combinations (0 where the unit had no case in the period), and
-- the quantiles of case_quantiles.sql (NULL where there is no such case).
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_case_agg AS
WITH sums AS (
    SELECT
        metrics_period_type(GROUPING(month_start), GROUPING(quarter_start)) AS period_type,
        metrics_period(period_type, coalesce(month_start, quarter_start, year_start)) AS period,
        metrics_level(GROUPING(community_id), GROUPING(street_id)) AS level,
        coalesce(community_id, street_id, district_id)         AS unit_id,
        sum(COLUMNS('^n_'))
    FROM metrics_case_cells
    GROUP BY GROUPING SETS ((month_start), (quarter_start), (year_start)),
             GROUPING SETS ((community_id), (street_id), (district_id))
)
SELECT
    g.period_type, g.period, g.level, g.unit_id, g.households,
    coalesce(COLUMNS('^n_'), 0),
    q.median_resolution_hours,
    q.p90_resolution_hours,
    q.median_first_response_hours
FROM metrics_grid g
LEFT JOIN sums s                   USING (period_type, period, level, unit_id)
LEFT JOIN metrics_case_quantiles q USING (period_type, period, level, unit_id);

------------------------------------------------------------------------------
-- The case indicators, one line each: (indicator, numerator, denominator,
-- value). Proportions give numerator and denominator only (finish.sql
-- divides, adds the Wilson interval and suppresses below min_n);
-- estimates give numerator NULL, denominator = the rows behind them, and
-- their value; facts give their value.
------------------------------------------------------------------------------
INSERT INTO metrics_rows (period_type, period, level, unit_id, indicator, numerator, denominator, value)
SELECT a.period_type, a.period, a.level, a.unit_id, r.indicator, r.numerator, r.denominator, r.value
FROM metrics_case_agg a,
LATERAL (VALUES
    -- fact: a count; numerator = the count, no denominator.
    ('case_volume',                 a.n_cases,              NULL,                 a.n_cases),
    -- fact: per period (not annualised); households of ALL the unit's
    -- communities; NULL when the unit has no households.
    ('cases_per_1000_households',   a.n_cases,              a.households,
                                    a.n_cases / nullif(a.households, 0) * 1000),
    ('on_time_rate',                a.n_on_time,            a.n_on_time_assessed, NULL),
    ('escalation_share',            a.n_escalated,          a.n_cases,            NULL),
    ('level_share.community',       a.n_level_community,    a.n_cases,            NULL),
    ('level_share.block',           a.n_level_block,        a.n_cases,            NULL),
    ('level_share.street',          a.n_level_street,       a.n_cases,            NULL),
    ('level_share.district',        a.n_level_district,     a.n_cases,            NULL),
    ('level_share.city',            a.n_level_city,         a.n_cases,            NULL),
    -- (satisfied + basically_satisfied) / cases with a callback answer.
    ('callback_satisfaction_rate',  a.n_callback_satisfied, a.n_callback,         NULL),
    -- estimates: suppressed when the count behind them is below min_n.
    ('median_resolution_hours',     NULL,                   a.n_resolution,       a.median_resolution_hours),
    ('p90_resolution_hours',        NULL,                   a.n_resolution,       a.p90_resolution_hours),
    ('median_first_response_hours', NULL,                   a.n_first_response,   a.median_first_response_hours),
    ('reopen_rate',                 a.n_reopened,           a.n_cases,            NULL),
    -- closed cases with a callback answer / closed cases.
    ('callback_coverage',           a.n_closed_callback,    a.n_closed,           NULL),
    -- closed, resident says not solved / closed with answer and verdict.
    ('closure_gap',                 a.n_closed_unresolved,  a.n_closed_verdict,   NULL)
) r(indicator, numerator, denominator, value);

------------------------------------------------------------------------------
-- overdue_open (fact): a snapshot at as_of of the open cases with
-- due_at <= as_of, counted per unit whatever month they were reported in,
-- and reported only under the month, quarter and year that contain as_of.
-- Decision: those three periods are emitted for every unit even when the
-- month of as_of holds no row (and so is not in the dense period set); no
-- other indicator is added for it. Nothing is emitted when as_of is NULL.
------------------------------------------------------------------------------
INSERT INTO metrics_rows (period_type, period, level, unit_id, indicator, numerator, denominator, value)
WITH overdue AS (
    SELECT
        metrics_level(GROUPING(community_id), GROUPING(street_id)) AS level,
        coalesce(community_id, street_id, district_id) AS unit_id,
        sum(n_overdue)                                 AS n
    FROM metrics_case_cells
    GROUP BY GROUPING SETS ((community_id), (street_id), (district_id))
)
SELECT ap.period_type, ap.period, u.level, u.unit_id, 'overdue_open',
       coalesce(o.n, 0), NULL, coalesce(o.n, 0)
FROM metrics_params p,
LATERAL (VALUES ('month',   metrics_period('month',   p.as_of)),
                ('quarter', metrics_period('quarter', p.as_of)),
                ('year',    metrics_period('year',    p.as_of))) ap(period_type, period)
CROSS JOIN metrics_units u
LEFT JOIN overdue o USING (level, unit_id)
WHERE p.as_of IS NOT NULL;
