-- common.sql: what every family shares. Runs after params.sql.
--
-- Everything here is TEMP (this connection; made before the transaction of
-- the output tables opens: see tempSteps in compute.go) and dropped again by
-- finish.sql.

-- as_of (and the survey items) as session variables too: constants when a
-- query is planned, so
-- that the filter on the case rows reaches the table scan (a cross join with
-- metrics_params planned the 5 M-row cut as a join: 1.7 s against 0.24 s).
SET VARIABLE metrics_as_of = (SELECT as_of FROM metrics_params);
SET VARIABLE metrics_items = (SELECT items FROM metrics_params);

------------------------------------------------------------------------------
-- Periods. Every timestamp is a local TIMESTAMP (the configured timezone was
-- applied at ingest), so the period is read off the wall clock. Rows are
-- grouped on the first day of their month, quarter and year (DATE keys,
-- cheap to group on); metrics_period turns such a day into the label of
-- indicator_values: month '2025-03', quarter '2025-Q1', year '2025'.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP MACRO metrics_period(period_type, d) AS
    CASE period_type
        WHEN 'month'   THEN strftime(d, '%Y-%m')
        WHEN 'quarter' THEN strftime(d, '%Y') || '-Q' || quarter(d)
        ELSE                strftime(d, '%Y')
    END;

-- The labels of a row of GROUP BY GROUPING SETS ((month_start),
-- (quarter_start), (year_start)) and GROUPING SETS ((community_id),
-- (street_id), (district_id)), from the GROUPING() of its columns (0 when
-- the column is grouped on): metrics_period_type(GROUPING(month_start),
-- GROUPING(quarter_start)) is 'month', 'quarter' or 'year';
-- metrics_level(GROUPING(community_id), GROUPING(street_id)) is
-- 'community', 'street' or 'district'. The unit is then
-- coalesce(community_id, street_id, district_id).
CREATE OR REPLACE TEMP MACRO metrics_period_type(g_month, g_quarter) AS
    CASE WHEN g_month = 0   THEN 'month'
         WHEN g_quarter = 0 THEN 'quarter'
         ELSE 'year' END;
CREATE OR REPLACE TEMP MACRO metrics_level(g_community, g_street) AS
    CASE WHEN g_community = 0 THEN 'community'
         WHEN g_street = 0    THEN 'street'
         ELSE 'district' END;

-- The key of a period: its type (1 month, 2 quarter, 3 year) × 1 000 000
-- plus its ordinal within the type (months and quarters counted from year
-- 0), so that the period before a period of the same type has key − 1:
-- '2025-01' − 1 = '2024-12', '2025-Q1' − 1 = '2024-Q4', '2025' − 1 = '2024'.
CREATE OR REPLACE TEMP MACRO metrics_period_key(period_type, label) AS
    CASE period_type
        WHEN 'month'   THEN 1000000 + left(label, 4)::BIGINT * 12 + right(label, 2)::BIGINT - 1
        WHEN 'quarter' THEN 2000000 + left(label, 4)::BIGINT * 4 + right(label, 1)::BIGINT - 1
        ELSE                3000000 + label::BIGINT
    END;

-- The key of one row of indicator values: period key, unit number and
-- indicator number packed into one BIGINT (unit_no < 10 000 000, ind_no <
-- 1000; rules.sql checks), so that the companion steps join on one integer
-- rather than on five strings. The row of the previous period is
-- metrics_row_key(period_key − 1, unit_no, ind_no).
CREATE OR REPLACE TEMP MACRO metrics_row_key(period_key, unit_no, ind_no) AS
    (period_key * 10000000 + unit_no) * 1000 + ind_no;

------------------------------------------------------------------------------
-- Wilson 95% score interval for a proportion p = x / n (R's
-- prop.test(x, n, correct = FALSE)):
--   z      = 1.959963984540054 (the 0.975 normal quantile)
--   centre = (p + z²/2n) / (1 + z²/n)
--   half   = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n)
-- Defined only for n >= 1 and 0 <= p <= 1; otherwise NULL (a guard: every
-- proportion is a share 0..1).
-- The bounds are clamped to [0, 1], where the exact interval always lies,
-- so that rounding never puts a bound a hair outside it.
-- z is cast to DOUBLE: a bare literal would be a DECIMAL.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP MACRO metrics_z() AS 1.959963984540054::DOUBLE;
CREATE OR REPLACE TEMP MACRO metrics_wilson_centre(p, n) AS
    (p + metrics_z() * metrics_z() / (2 * n)) / (1 + metrics_z() * metrics_z() / n);
CREATE OR REPLACE TEMP MACRO metrics_wilson_half(p, n) AS
    metrics_z() * sqrt(p * (1 - p) / n + metrics_z() * metrics_z() / (4 * n * n))
        / (1 + metrics_z() * metrics_z() / n);
CREATE OR REPLACE TEMP MACRO metrics_wilson_low(p, n) AS
    CASE WHEN n >= 1 AND p BETWEEN 0 AND 1
         THEN greatest(0, metrics_wilson_centre(p, n::DOUBLE) - metrics_wilson_half(p, n::DOUBLE)) END;
CREATE OR REPLACE TEMP MACRO metrics_wilson_high(p, n) AS
    CASE WHEN n >= 1 AND p BETWEEN 0 AND 1
         THEN least(1, metrics_wilson_centre(p, n::DOUBLE) + metrics_wilson_half(p, n::DOUBLE)) END;

------------------------------------------------------------------------------
-- Units: every community, street and district in `communities`, with the
-- denominators they pool. A street or district sums over ALL its
-- communities (pooling, never a mean of community rates).
--   households, population   sums
--   elderly_population       sum over communities that report it (0 if none)
--   service_space_m2         sum over communities that report it (NULL if none)
--   space_households         households of the communities that report space
--   district_id              the district a community (or street) belongs to
--   area_type                a community's area_type (old town, new build,
--                            ...); NULL for streets and districts
--   unit_no, district_no     a number for the unit and for its district
--                            (integer keys for the score steps)
-- unit_id is the community_id, street_id or district_id.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_units AS
WITH u AS (
    SELECT
        metrics_level(GROUPING(community_id), GROUPING(street_id))     AS level,
        coalesce(community_id, street_id, district_id)                 AS unit_id,
        any_value(district_id)                                         AS district_id,
        sum(households)::BIGINT                                        AS households,
        sum(population)::BIGINT                                        AS population,
        coalesce(sum(elderly_population), 0)::BIGINT                   AS elderly_population,
        list_sum(list(service_space_m2 ORDER BY community_id))         AS service_space_m2,
        coalesce(sum(households) FILTER (WHERE service_space_m2 IS NOT NULL), 0)::BIGINT
                                                                       AS space_households,
        CASE WHEN GROUPING(community_id) = 0 THEN any_value(area_type) END AS area_type
    FROM communities
    GROUP BY GROUPING SETS ((community_id), (street_id), (district_id))
),
numbered AS (
    SELECT *, row_number() OVER (ORDER BY level, unit_id) AS unit_no FROM u
)
SELECT n.*, d.unit_no AS district_no
FROM numbered n
JOIN numbered d ON d.level = 'district' AND d.unit_id = n.district_id;

------------------------------------------------------------------------------
-- The rows each family reads, with their unit columns and the first day of
-- their month, quarter and year. Rows are tied to units through
-- communities(street_id, district_id).
------------------------------------------------------------------------------

-- Each community's unit number (metrics_units.unit_no) and those of its
-- street and district: the integer keys of metrics_case_rows.
CREATE OR REPLACE TEMP TABLE metrics_community_nos AS
SELECT k.community_id,
       c.unit_no::INTEGER AS community_no, s.unit_no::INTEGER AS street_no, d.unit_no::INTEGER AS district_no
FROM communities k
JOIN metrics_units c ON c.level = 'community' AND c.unit_id = k.community_id
JOIN metrics_units s ON s.level = 'street'    AND s.unit_id = k.street_id
JOIN metrics_units d ON d.level = 'district'  AND d.unit_id = k.district_id;

-- The case categories with a number each (category_no, 1, 2, ... in
-- category order): the case rows carry the number, not the text, so that
-- the case-mix step (casemix.sql) groups 5 M rows on an integer.
CREATE OR REPLACE TEMP TABLE metrics_categories AS
SELECT category, row_number() OVER (ORDER BY category)::INTEGER AS category_no
FROM (SELECT DISTINCT category FROM cases);

-- Cases: the cohort of cases reported up to as_of, by month of reported_at,
-- cancelled cases (status cancelled) left out.
-- A table rather than a view: it is read twice or more (cells, quantiles),
-- and a view costs more per read than the table costs to write.
-- A case is closed iff closed_at IS NOT NULL AND closed_at <= as_of;
-- otherwise it is open at as_of (a closure after the cut-off has not
-- happened yet).
--   overdue               open at as_of with due_at <= as_of
--   resolution_hours      closed_at − reported_at in hours, for closed cases
--                         only (NULL otherwise)
--   first_response_hours  first_response_at − reported_at in hours, only when
--                         first_response_at >= reported_at (NULL otherwise).
--                         Decision: a first response is taken as recorded; it
--                         is not cut at as_of (the definition names no cut-off for
--                         it, and with the derived as_of none lies beyond it).
-- The units are carried as their numbers (metrics_community_nos): grouping
-- 5 M rows on integers rather than on three strings made this table and the
-- steps that group it a quarter faster. category_no: the case's category
-- (metrics_categories), read by casemix.sql only.
CREATE OR REPLACE TEMP TABLE metrics_case_rows AS
SELECT
    k.community_no, k.street_no, k.district_no,
    g.category_no,
    date_trunc('month',   c.reported_at)::DATE AS month_start,
    date_trunc('quarter', c.reported_at)::DATE AS quarter_start,
    date_trunc('year',    c.reported_at)::DATE AS year_start,
    c.closed_at IS NOT NULL AND c.closed_at <= getvariable('metrics_as_of') AS closed,
    NOT closed AND c.due_at <= getvariable('metrics_as_of')                 AS overdue,
    c.due_at,
    c.closed_at,
    c.resolution_level,
    c.callback_satisfaction,
    c.callback_contacted,
    c.callback_resolved,
    c.reopened,
    CASE WHEN closed
         THEN epoch(c.closed_at - c.reported_at) / 3600.0 END        AS resolution_hours,
    CASE WHEN c.first_response_at >= c.reported_at
         THEN epoch(c.first_response_at - c.reported_at) / 3600.0 END AS first_response_hours
FROM cases c
JOIN metrics_community_nos k USING (community_id)
JOIN metrics_categories g USING (category)
WHERE c.reported_at <= getvariable('metrics_as_of')
  -- A cancelled case (作废, 撤销, 重复件) is in no case indicator.
  AND c.status IS DISTINCT FROM 'cancelled';

-- Services: every service record, by month of service_date. Decision: not
-- cut at as_of (as_of is a cut-off of the case records).
CREATE OR REPLACE TEMP VIEW metrics_service_rows AS
SELECT
    k.community_id, k.street_id, k.district_id,
    date_trunc('month',   s.service_date)::DATE AS month_start,
    date_trunc('quarter', s.service_date)::DATE AS quarter_start,
    date_trunc('year',    s.service_date)::DATE AS year_start,
    s.target_group, s.provider_type, s.recipients, s.hours
FROM services s
JOIN communities k USING (community_id);

-- Surveys: the valid responses (view `surveys`: the quality filter already
-- removed speeders and duplicate respondents), by month of submitted_at.
-- Decision: not cut at as_of either.
CREATE OR REPLACE TEMP VIEW metrics_survey_rows AS
SELECT
    k.community_id, k.street_id, k.district_id,
    date_trunc('month',   s.submitted_at)::DATE AS month_start,
    date_trunc('quarter', s.submitted_at)::DATE AS quarter_start,
    date_trunc('year',    s.submitted_at)::DATE AS year_start,
    s.q_overall, s.q_environment, s.q_safety, s.q_services, s.q_responsiveness,
    s.q_facilities, s.q_participation, s.q_fairness
FROM surveys s
JOIN communities k USING (community_id);

------------------------------------------------------------------------------
-- The dense set of periods: every month holding any case (reported up to
-- as_of), service or valid survey row, and the quarters and years that
-- contain those months. A month with no row at all is not reported.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_periods AS
WITH months AS (
    SELECT month_start FROM metrics_case_rows
    UNION SELECT month_start FROM metrics_service_rows
    UNION SELECT month_start FROM metrics_survey_rows
)
SELECT DISTINCT t.period_type, metrics_period(t.period_type, m.month_start) AS period
FROM months m
CROSS JOIN (VALUES ('month'), ('quarter'), ('year')) t(period_type);

------------------------------------------------------------------------------
-- How each family aggregates. First into cells, one per community × month
-- (metrics_case_cells, ...), holding counts and sums, in columns named n_*.
-- Then the cells are added up, with GROUP BY GROUPING SETS, to the 9
-- combinations of period type (month, quarter, year) × level (community,
-- street, district). Counts and sums add up exactly, so a street or district
-- pools the rows of all its communities (sum of numerators / sum of
-- denominators, never a mean of rates) and a quarter or year pools its
-- months. Quantiles do not add up: they are computed from the rows
-- themselves, over the same grouping sets.
--
-- The grid: every unit × every period. Each family LEFT JOINs its
-- aggregates onto it, so a unit with no data in a period still gets a row
-- for every indicator (counts 0; proportions 0/0, hence suppressed).
CREATE OR REPLACE TEMP VIEW metrics_grid AS
SELECT p.period_type, p.period, u.*
FROM metrics_periods p
CROSS JOIN metrics_units u;

------------------------------------------------------------------------------
-- The long rows the families produce, before finish.sql applies the shared
-- rules (proportion value and interval, suppression) and writes them out.
--   numerator, denominator  as stored in indicator_values
--   value                   facts and estimates: the value before
--                           suppression; proportions: unused (NULL), the
--                           value is numerator / denominator
--   ci_low, ci_high         estimates with their own interval; otherwise NULL
--   support                 the rows behind the value when they are not the
--                           denominator (the standardised rates of
--                           casemix.sql: denominator E, support the crude
--                           n); NULL means the denominator. Suppression
--                           (rules.sql) compares it with min_n.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_rows (
    period_type VARCHAR NOT NULL,
    period      VARCHAR NOT NULL,
    level       VARCHAR NOT NULL,
    unit_id     VARCHAR NOT NULL,
    indicator   VARCHAR NOT NULL,
    numerator   DOUBLE,
    denominator DOUBLE,
    value       DOUBLE,
    ci_low      DOUBLE,
    ci_high     DOUBLE,
    support     DOUBLE
);
