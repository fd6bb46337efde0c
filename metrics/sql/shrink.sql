-- shrink.sql: empirical-Bayes shrinkage for ranking (beta-binomial, method
-- of moments), exactly as docs/indicators.md defines it.
--
-- For every proportion indicator (kind 'proportion' in the registry), per
-- district × period type × period × indicator, over the district's
-- communities whose denominator n_i >= 1, with x_i the numerator and
-- r_i = x_i / n_i the raw rate:
--
--   m   = Σx_i / Σn_i                  pooled rate
--   s²  = var_samp(r_i)                sample variance, n − 1 divisor
--   v   = mean of m(1 − m) / n_i       = m(1 − m) · mean(1 / n_i)
--   τ²  = s² − v                       between-community variance
--
--   fewer than two communities   shrunk_i = r_i (nothing to pool with)
--   τ² <= 0                      shrunk_i = m for every community
--   otherwise                    M = max(m(1 − m) / τ² − 1, 0)
--                                shrunk_i = (x_i + M·m) / (n_i + M)
--
-- satisfaction_rate_12345 has a fractional numerator (satisfied + 0.9 ×
-- basically satisfied); x_i is that numerator as is.
--
-- The .standardised rates of casemix.sql are shrunk with the same
-- formulas, each taken as a rate of its crude n cases (see casemix.sql).
--
-- Decision: a shrunk value is stored for every community row with n_i >= 1,
-- also when the raw value is suppressed (n_i < min_n). Shrinkage exists to
-- handle small samples — a tiny community is pulled towards its district's
-- rate in proportion to how little it tells — and the definition pools over all
-- communities with n >= 1. The raw value stays NULL; the resident score
-- uses a component's shrunk value only when the component is not
-- suppressed. Community rows with n_i = 0, and every street and district
-- row, have no shrunk value (NULL).

-- metrics_shrink_prior: the prior of each district × period × indicator,
-- one row per pool (k communities with n_i >= 1): m, s², mean 1/n_i, τ²
-- and M (big_m: NULL when τ² <= 0 or k < 2). metrics_shrunk is computed
-- from it, and ranks.sql reads m and M from it for the posteriors of the
-- rank intervals.
-- metrics_shrink_base: the rates that are shrunk, one row per community
-- row: every proportion with n_i >= 1, and the standardised rates
-- (casemix.sql), each as a rate of its crude n cases (x = the rate capped
-- at 1, × n), shrunk the same way over the district's communities.
CREATE OR REPLACE TEMP TABLE metrics_shrink_base AS
SELECT row_key, district_no, period_key, ind_no, numerator AS x, denominator AS n,
       numerator / denominator AS r
FROM metrics_values
WHERE level = 'community' AND kind = 'proportion' AND denominator >= 1
UNION ALL
SELECT v.row_key, v.district_no, v.period_key, v.ind_no, c.x, c.n, c.x / c.n
FROM metrics_casemix_rates c
JOIN metrics_values v
  ON v.level = 'community' AND v.period_type = c.period_type AND v.period = c.period
 AND v.unit_id = c.unit_id AND v.indicator = c.indicator;

CREATE OR REPLACE TEMP TABLE metrics_shrink_prior AS
WITH pooled AS (
    SELECT
        district_no, period_key, ind_no,
        count(*)         AS k,
        -- Floating-point aggregates are added in a fixed order (lists
        -- sorted by value): DuckDB's parallel hash aggregation adds in
        -- whatever order its threads meet the rows, and the last bits of
        -- one run would differ from the next.
        list_sum(list(x ORDER BY x)) / list_sum(list(n ORDER BY n))  AS m,
        list_aggregate(list(r ORDER BY r), 'var_samp')                      AS s2,
        list_avg(list(1 / n ORDER BY n))                                    AS mean_inv_n
    FROM metrics_shrink_base
    GROUP BY district_no, period_key, ind_no
)
SELECT
    *,
    s2 - m * (1 - m) * mean_inv_n                                   AS tau2,
    CASE WHEN tau2 > 0 THEN greatest(m * (1 - m) / tau2 - 1, 0) END AS big_m
FROM pooled;

-- metrics_shrunk: (row_key, shrunk_value), one row per shrunk value;
-- finish.sql and score.sql join it on row_key.
CREATE OR REPLACE TEMP TABLE metrics_shrunk AS
SELECT
    b.row_key,
    CASE WHEN p.k < 2      THEN b.r
         WHEN p.tau2 <= 0  THEN p.m
         ELSE (b.x + p.big_m * p.m) / (b.n + p.big_m) END AS shrunk_value
FROM metrics_shrink_base b
JOIN metrics_shrink_prior p USING (district_no, period_key, ind_no);
