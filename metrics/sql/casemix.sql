-- casemix.sql: case-mix adjustment by indirect standardisation, as
-- hospital standardised mortality ratios are made (and as Public Health
-- England's calculate_ISRatio, R package PHEindicatormethods, computes
-- them). A community whose cases are mostly hard repairs may close fewer on
-- time than its neighbours and still do better than they do at every kind
-- of case; the standardised rate asks how the community does given the
-- kinds of cases it receives.
--
-- For on_time_rate, escalation_share and callback_satisfaction_rate, per
-- community × period (month, quarter, year), with the community's district
-- in the same period as the reference:
--
--   x_ic, n_ic  the indicator's numerator and denominator over the
--               community's cases of category c: the counts of cases.sql
--               (metrics_case_cells_by_category: n_on_time /
--               n_on_time_assessed, n_escalated / n_cases,
--               n_callback_satisfied / n_callback)
--   pooling     a category with fewer than min_n cases in the district's
--               denominator (Σ_i n_ic < min_n, per district × period ×
--               indicator) joins one "other" category; "other" is used
--               as it comes, however small
--   p_c         the district's pooled rate in category c: Σ_i x_ic / Σ_i n_ic
--   p_district  the district's crude rate: Σ x / Σ n
--   E_i         expected count: Σ_c n_ic · p_c
--   O_i         observed count: Σ_c x_ic, the crude numerator
--   value       (O_i / E_i) · p_district
--   interval    95% bounds of O on the Poisson scale, / E_i × p_district:
--                 O < 10  exact: lower qchisq(0.025, 2O)/2 (0 when O = 0),
--                         upper qchisq(0.975, 2(O + 1))/2
--                 O >= 10 Byar: lower O (1 − 1/(9O) − z/(3√O))³,
--                         upper (O + 1)(1 − 1/(9(O + 1)) + z/(3√(O + 1)))³
--
-- The rows are estimates (kind in the registry) with numerator O,
-- denominator E and support n_i (the crude denominator): rules.sql
-- suppresses them as it suppresses the crude rate, when n_i < min_n.
-- Decision: when E_i = 0 (every category of the community has a district
-- rate of 0, so O_i = 0 as well) there is no ratio to take: support is 0
-- and the row is suppressed, as a crude 0 / 0 is.
--
-- Community level only: a district standardised against itself is its
-- crude rate, and a street has no reference of its own. Streets and
-- districts get no .standardised rows.
--
-- The value is not bounded by 1: a community that does better than its
-- district at cases the district mostly closes on time can exceed it.
-- It is stored as computed.
--
-- For the shrinkage (shrink.sql) the standardised rate of a community with
-- n_i >= 1 and E_i > 0 is taken as a rate of n_i cases, capped at 1:
-- metrics_casemix_rates (period_type, period, unit_id, indicator, x, n)
-- with x = min(value, 1) · n_i. The resident score uses the shrunk value
-- when score.case_mix is true (score.sql).

------------------------------------------------------------------------------
-- The exact Poisson bounds for O = 0..9: lower = qchisq(0.025, 2O)/2 and
-- upper = qchisq(0.975, 2(O + 1))/2, that is the gamma quantiles
-- P(O, lower) = 0.025 and P(O + 1, upper) = 0.975 (P the regularised lower
-- incomplete gamma function). DuckDB has no χ² quantile; these ten pairs
-- were computed with 40-digit arithmetic (mpmath: bisection on
-- gammainc(·, regularized=True)) and TestCaseMixPoissonBounds checks them
-- against a bisection on the Poisson distribution function in Go.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_poisson_exact AS
SELECT o::BIGINT AS o, lower::DOUBLE AS lower, upper::DOUBLE AS upper
FROM (VALUES
    (0, 0,                   3.6888794541139363),
    (1, 0.025317807984289875, 5.5716433909388986),
    (2, 0.2422092785439649,  7.2246876677239608),
    (3, 0.61867212289560129, 8.767273069742326),
    (4, 1.0898653736263249,  10.241588675403698),
    (5, 1.6234863901184205,  11.66833207932267),
    (6, 2.2018942534908508,  13.059474022518685),
    (7, 2.8143630515198661,  14.422675361702379),
    (8, 3.4538321767485013,  15.763189220193315),
    (9, 4.1153730973783324,  17.08480345141917)
) t(o, lower, upper);

-- Byar's approximation of the same bounds for O >= 10.
CREATE OR REPLACE TEMP MACRO metrics_byar_low(o) AS
    o * pow(1 - 1 / (9 * o) - metrics_z() / (3 * sqrt(o)), 3);
CREATE OR REPLACE TEMP MACRO metrics_byar_high(o) AS
    (o + 1) * pow(1 - 1 / (9 * (o + 1)) + metrics_z() / (3 * sqrt(o + 1)), 3);

------------------------------------------------------------------------------
-- Counts per community × period × category, for the three indicators, in
-- long form (one row per indicator). The month cells are added up to
-- quarters and years (counts add up exactly).
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_casemix_counts AS
WITH cells AS (
    SELECT
        month_start, quarter_start, year_start, community_no, district_no, category_no,
        n_on_time          AS x_on_time,
        n_on_time_assessed AS n_on_time,
        n_escalated        AS x_escalation,
        n_cases            AS n_escalation,
        n_callback_satisfied AS x_callback,
        n_callback         AS n_callback
    FROM metrics_case_cells_by_category
),
periods AS (
    SELECT
        metrics_period_type(GROUPING(month_start), GROUPING(quarter_start)) AS period_type,
        metrics_period(period_type, coalesce(month_start, quarter_start, year_start)) AS period,
        community_no, district_no, category_no,
        sum(x_on_time) AS x_on_time, sum(n_on_time) AS n_on_time,
        sum(x_escalation) AS x_escalation, sum(n_escalation) AS n_escalation,
        sum(x_callback) AS x_callback, sum(n_callback) AS n_callback
    FROM cells
    GROUP BY GROUPING SETS ((month_start, community_no, district_no, category_no),
                            (quarter_start, community_no, district_no, category_no),
                            (year_start, community_no, district_no, category_no))
)
SELECT p.period_type, p.period, p.community_no, p.district_no, p.category_no,
       r.indicator, r.x::BIGINT AS x, r.n::BIGINT AS n
FROM periods p,
LATERAL (VALUES
    ('on_time_rate.standardised',               p.x_on_time,    p.n_on_time),
    ('escalation_share.standardised',           p.x_escalation, p.n_escalation),
    ('callback_satisfaction_rate.standardised', p.x_callback,   p.n_callback)
) r(indicator, x, n)
WHERE r.n > 0;

------------------------------------------------------------------------------
-- The district's reference rates: categories under min_n pooled into
-- "other" (category 0), then p_c and p_district.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_casemix_groups AS
WITH district_cat AS (
    SELECT period_type, period, district_no, indicator, category_no, sum(n) AS n_district
    FROM metrics_casemix_counts
    GROUP BY ALL
)
SELECT d.period_type, d.period, d.district_no, d.indicator, d.category_no,
       CASE WHEN d.n_district < greatest(par.min_n, 1) THEN 0 ELSE d.category_no END AS group_no
FROM district_cat d, metrics_params par;

CREATE OR REPLACE TEMP TABLE metrics_casemix_cells AS
SELECT c.period_type, c.period, c.community_no, c.district_no, c.indicator, g.group_no,
       sum(c.x)::BIGINT AS x, sum(c.n)::BIGINT AS n
FROM metrics_casemix_counts c
JOIN metrics_casemix_groups g USING (period_type, period, district_no, indicator, category_no)
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE metrics_casemix_ref AS
SELECT period_type, period, district_no, indicator, group_no,
       sum(x)::BIGINT AS x_district, sum(n)::BIGINT AS n_district,
       sum(x) / sum(n) AS p_group
FROM metrics_casemix_cells
GROUP BY ALL;

------------------------------------------------------------------------------
-- Per community × period × indicator: n, O, E (added in group order, so
-- that two runs give the same bits), the district's crude rate.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_casemix AS
WITH per_community AS (
    SELECT c.period_type, c.period, c.community_no, c.district_no, c.indicator,
           sum(c.n)::BIGINT AS n,
           sum(c.x)::BIGINT AS o,
           list_sum(list(c.n * r.p_group ORDER BY c.group_no)) AS e
    FROM metrics_casemix_cells c
    JOIN metrics_casemix_ref r USING (period_type, period, district_no, indicator, group_no)
    GROUP BY ALL
),
district AS (
    SELECT period_type, period, district_no, indicator,
           sum(x_district) / sum(n_district) AS p_district
    FROM metrics_casemix_ref
    GROUP BY ALL
)
SELECT c.*, d.p_district,
       CASE WHEN c.e > 0 THEN c.o / c.e * d.p_district END AS value,
       CASE WHEN c.e > 0 THEN coalesce(x.lower, metrics_byar_low(c.o::DOUBLE)) / c.e * d.p_district END AS ci_low,
       CASE WHEN c.e > 0 THEN coalesce(x.upper, metrics_byar_high(c.o::DOUBLE)) / c.e * d.p_district END AS ci_high
FROM per_community c
JOIN district d USING (period_type, period, district_no, indicator)
LEFT JOIN metrics_poisson_exact x ON x.o = c.o;

------------------------------------------------------------------------------
-- The rows: every community of the grid × period × indicator; a community
-- with no case in the denominator gets O = E = 0, support 0 (suppressed).
------------------------------------------------------------------------------
INSERT INTO metrics_rows (period_type, period, level, unit_id, indicator, numerator, denominator, value, ci_low, ci_high, support)
SELECT g.period_type, g.period, g.level, g.unit_id, i.indicator,
       coalesce(c.o, 0), coalesce(c.e, 0), c.value, c.ci_low, c.ci_high,
       CASE WHEN c.e > 0 THEN c.n ELSE 0 END
FROM metrics_grid g
CROSS JOIN (VALUES ('on_time_rate.standardised'), ('escalation_share.standardised'),
                   ('callback_satisfaction_rate.standardised')) i(indicator)
LEFT JOIN metrics_casemix c
       ON c.community_no = g.unit_no AND c.period_type = g.period_type
      AND c.period = g.period AND c.indicator = i.indicator
WHERE g.level = 'community';

-- The standardised rates as rates of n cases, for shrink.sql.
CREATE OR REPLACE TEMP TABLE metrics_casemix_rates AS
SELECT c.period_type, c.period, u.unit_id, c.indicator,
       least(c.value, 1) * c.n AS x, c.n::DOUBLE AS n
FROM metrics_casemix c
JOIN metrics_units u ON u.unit_no = c.community_no
WHERE c.e > 0;
