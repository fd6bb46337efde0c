-- funnel.sql: funnel plots with overdispersion (Spiegelhalter 2005,
-- "Funnel plots for comparing institutional performance"; the defaults of
-- R's FunnelPlotR), first half: the z-scores and the overdispersion of
-- each funnel. funnel.go then computes what SQL cannot (the χ² tail
-- probability and the exact binomial limits) and funnel_limits.sql writes
-- funnel_params and funnel_points (store/migrations/009_comparison.sql
-- documents every column).
--
-- One funnel per district × period × indicator, for the proportions of
-- metrics_funnel_indicators, over the district's communities with a
-- denominator n_i >= 1 — suppressed values included: a small community sits
-- inside wide limits, and leaving it out would change the target. With x_i
-- the numerator and p_i = x_i / n_i:
--
--   θ₀   = Σx_i / Σn_i                        the target (pooled rate)
--   s_i  = sqrt(θ₀(1 − θ₀) / n_i)
--   z_i  = (p_i − θ₀) / s_i
--   z̃_i  = z_i winsorised at the 10th and 90th percentiles of the z_i
--          (quantile_cont: linear interpolation, R's quantile type 7)
--   φ    = mean of z̃_i²                       the overdispersion factor
--   I·φ  is tested against χ² with I − 1 degrees of freedom (funnel.go)
--   w_i  = 1 / s_i²
--   τ²   = max(0, (I·φ − (I − 1)) / (Σw − Σw²/Σw))   DerSimonian–Laird
--
-- A funnel whose θ₀ is 0 or 1, or that has fewer than two communities, is
-- not testable: it gets no z, φ, τ² or limits, and every point is 'within'.
--
-- Sums are taken in a fixed order (lists sorted by value) so that two runs
-- give the same bits.

-- The indicators that get a funnel: the proportions a district compares
-- its communities on (the resident score's components and the closure gap).
CREATE OR REPLACE TEMP TABLE metrics_funnel_indicators AS
SELECT * FROM (VALUES ('on_time_rate'), ('escalation_share'), ('callback_satisfaction_rate'),
                      ('satisfaction_rate'), ('closure_gap')) t(indicator);

-- The points: every community row of those indicators with n >= 1 (one
-- scan of metrics_values).
CREATE OR REPLACE TEMP TABLE metrics_funnel_base AS
SELECT
    v.district_no, v.period_key, v.ind_no, v.unit_no, v.unit_id,
    v.period_type, v.period, v.indicator,
    v.numerator   AS x,
    v.denominator AS n
FROM metrics_values v
JOIN metrics_funnel_indicators USING (indicator)
WHERE v.level = 'community' AND v.denominator >= 1 AND v.numerator IS NOT NULL;

-- One row per funnel: its target θ₀ and number of communities I, and a
-- number (group_no) the Go step and funnel_limits.sql key on.
CREATE OR REPLACE TEMP TABLE metrics_funnel_groups AS
WITH g AS (
    SELECT
        district_no, period_key, ind_no,
        any_value(period_type) AS period_type,
        any_value(period)      AS period,
        any_value(indicator)   AS indicator,
        count(*)               AS units,
        list_sum(list(x ORDER BY x)) / list_sum(list(n ORDER BY n)) AS target
    FROM metrics_funnel_base
    GROUP BY district_no, period_key, ind_no
)
SELECT
    g.*,
    u.unit_id                                       AS district_id,
    g.units >= 2 AND g.target > 0 AND g.target < 1 AS testable,
    row_number() OVER (ORDER BY g.district_no, g.period_key, g.ind_no) AS group_no
FROM g
JOIN metrics_units u ON u.unit_no = g.district_no;

-- One row per point: the community's rate, its sampling variance s² at θ₀
-- and its z-score (NULL in a funnel that is not testable).
CREATE OR REPLACE TEMP TABLE metrics_funnel_z AS
SELECT
    g.group_no, b.unit_no, b.unit_id, b.x, b.n,
    b.x / b.n AS p,
    g.target,
    CASE WHEN g.testable THEN g.target * (1 - g.target) / b.n END AS s2,
    (p - g.target) / sqrt(s2)                                    AS z
FROM metrics_funnel_base b
JOIN metrics_funnel_groups g USING (district_no, period_key, ind_no);

-- The overdispersion of each testable funnel: φ from the winsorised z, and
-- the DerSimonian–Laird τ² (always computed; funnel.go decides whether it
-- is applied). stat = I·φ and df = I − 1 are what the χ² test reads.
CREATE OR REPLACE TEMP TABLE metrics_funnel_od AS
WITH q AS (
    SELECT group_no, quantile_cont(z, 0.1) AS z10, quantile_cont(z, 0.9) AS z90
    FROM metrics_funnel_z
    WHERE z IS NOT NULL
    GROUP BY group_no
),
w AS (
    SELECT
        z.group_no,
        least(greatest(z.z, q.z10), q.z90) AS zw,
        1 / z.s2                            AS w
    FROM metrics_funnel_z z
    JOIN q USING (group_no)
),
sums AS (
    SELECT
        group_no,
        count(*)                                         AS units,
        list_sum(list(zw * zw ORDER BY zw * zw)) / count(*) AS phi,
        list_sum(list(w ORDER BY w))                     AS sw,
        list_sum(list(w * w ORDER BY w))                 AS sw2
    FROM w
    GROUP BY group_no
)
SELECT
    group_no,
    phi,
    units * phi   AS stat,
    units - 1     AS df,
    greatest(0e0, (units * phi - (units - 1)) / (sw - sw2 / sw)) AS tau2
FROM sums;

-- Filled by funnel.go: the χ² tail probability of each testable funnel and
-- whether the overdispersion is applied (chi2_p < 0.05) ...
CREATE OR REPLACE TEMP TABLE metrics_funnel_chi2 (
    group_no   BIGINT  NOT NULL,
    chi2_p     DOUBLE  NOT NULL,
    od_applied BOOLEAN NOT NULL
);
-- ... and the exact binomial limits at each n of the testable funnels whose
-- overdispersion is not applied.
CREATE OR REPLACE TEMP TABLE metrics_funnel_exact (
    group_no  BIGINT NOT NULL,
    n         DOUBLE NOT NULL,
    lower_998 DOUBLE NOT NULL,
    lower_95  DOUBLE NOT NULL,
    upper_95  DOUBLE NOT NULL,
    upper_998 DOUBLE NOT NULL
);
