-- ranks.sql: how sure a community's rank in its district is (Goldstein &
-- Spiegelhalter 1996; Marshall & Spiegelhalter 1998). Written to
-- rank_intervals and rankability (store/migrations/009_comparison.sql
-- documents every column); docs/decisions.md ("Rank intervals") gives the
-- choices made here.
--
-- Ranked indicators: resident_score and each of its components with a
-- weight > 0 (metrics_score_weights), community level, per district ×
-- period, every period type. Rank 1 is the best given the indicator's
-- direction (escalation_share: the lowest share first).
--
-- Which communities are ranked (K of them):
--   a component      the district's communities whose value is shown (not
--                    suppressed: denominator >= min_n), as the pages show
--                    them;
--   resident_score   those with a score (not suppressed, so with a rank in
--                    indicator_values).
--
-- Posterior of a component (the beta-binomial model of shrink.sql, with its
-- own m and M from metrics_shrink_prior):
--   θ_i ~ Beta(a_i, b_i), a_i = x_i + M·m, b_i = n_i − x_i + M(1 − m)
--   mean a/(a+b) = the shrunk value; variance ab / ((a+b)²(a+b+1)).
--   τ² <= 0 (with two or more communities in the pool): every posterior is
--   the common m ("fixed": variance 0).
--   Fewer than two communities in the pool (no prior): M = 0, Beta(x, n − x),
--   whose mean is the raw rate the shrinkage step keeps.
-- Posterior of the score, for the expected rank: mean = the stored score,
-- variance = 100² Σ w̃_k² var_k over the components used, w̃ the weights
-- renormalised over them (score.sql), the components independent.
--
-- Expected rank (normal approximation of the posteriors):
--   E[rank_i] = 1 + Σ_{j≠i} P(θ_j better than θ_i),
--   P(θ_j > θ_i) = Φ((μ_j − μ_i) / sqrt(v_i + v_j)); with v_i + v_j = 0 it
--   is 1, ½ or 0 as μ_j is above, equal to or below μ_i. So with τ² <= 0
--   every expected rank is (K + 1)/2.
-- The sum runs over the units in unit order, in Go (ranks.go, with the
-- simulation: K² normal probabilities per ranking cost nothing there, and
-- 1.2 million pairs through a self-join cost seconds at city scale).
-- The rank interval and p_bottom_fifth are simulated in Go (ranks.go) from
-- the rows of metrics_rank_input; ranks_write.sql writes rank_intervals.
--
-- Rankability ρ = τ² / (τ² + median sampling variance), over the ranked
-- communities:
--   a component      τ² = the shrinkage step's method-of-moments τ² (stored
--                    as computed, also when <= 0), sampling variance
--                    m(1 − m)/n_i;
--   resident_score   τ² = var_samp(stored scores) + mean posterior
--                    variance of the scores (the law of total variance: the
--                    spread of the true scores the posteriors imply — the
--                    stored scores are shrunk already, so their own spread
--                    understates it), sampling variance
--                    100² Σ w̃_k² m_k(1 − m_k)/n_ik. Unit: points².
--   ρ is NULL when τ² <= 0 or NULL (fewer than two communities).

------------------------------------------------------------------------------
-- The components' posteriors, one row per ranked community × period ×
-- component.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_rank_components AS
WITH c AS (
    SELECT
        v.period_type, v.period, v.period_key, v.district_no, v.unit_no, v.unit_id, v.ind_no,
        v.indicator, v.row_key,
        i.direction = 'lower_better'                     AS lower_better,
        v.numerator AS x, v.denominator AS n,
        s.shrunk_value, p.m, p.tau2,
        p.k >= 2 AND p.tau2 <= 0                         AS fixed,
        coalesce(p.big_m, 0e0)                           AS big_m
    FROM metrics_values v
    JOIN metrics_score_weights w ON w.ind_no = v.ind_no AND w.weight > 0
    JOIN metrics_indicators i ON i.ind_no = v.ind_no
    JOIN metrics_shrunk s ON s.row_key = v.row_key
    JOIN metrics_shrink_prior p
      ON p.district_no = v.district_no AND p.period_key = v.period_key AND p.ind_no = v.ind_no
    WHERE v.level = 'community' AND NOT v.suppressed AND v.denominator >= 1
)
SELECT
    *,
    CASE WHEN NOT fixed THEN x + big_m * m END           AS a,
    CASE WHEN NOT fixed THEN n - x + big_m * (1 - m) END AS b,
    shrunk_value                                         AS mean,
    CASE WHEN fixed THEN 0e0
         ELSE a * b / ((a + b) * (a + b) * (a + b + 1)) END AS var,
    m * (1 - m) / n                                      AS sampling_var
FROM c;

------------------------------------------------------------------------------
-- The score's parts: one row per ranked community × period × component
-- used, with its renormalised weight; flip: it enters the score as 1 − θ
-- (escalation_share, as in score.sql).
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_rank_score_parts AS
SELECT
    v.row_key, v.period_key, v.district_no, v.unit_no, v.ind_no,
    c.ind_no AS part_ind, p.weight / s.w_present AS w, w.component = 'escalation_share' AS flip,
    c.var, c.sampling_var
FROM metrics_values v
JOIN metrics_scores s USING (period_key, unit_no)
JOIN metrics_score_parts p USING (period_key, unit_no)
JOIN metrics_score_weights w USING (component)
JOIN metrics_rank_components c ON c.period_key = v.period_key AND c.unit_no = v.unit_no AND c.ind_no = w.ind_no
WHERE v.indicator = 'resident_score' AND v.level = 'community' AND v.rank IS NOT NULL AND p.present;

------------------------------------------------------------------------------
-- Every ranked community × period × indicator: K, the point rank, the
-- posterior mean and variance (normal approximation) and the sampling
-- variance of rankability.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_rank_units AS
WITH score AS (
    SELECT
        row_key,
        list_sum(list(w * w * var ORDER BY part_ind)) * 1e4          AS var,
        list_sum(list(w * w * sampling_var ORDER BY part_ind)) * 1e4 AS sampling_var
    FROM metrics_rank_score_parts
    GROUP BY row_key
),
u AS (
    SELECT period_type, period, period_key, district_no, unit_no, unit_id, ind_no, indicator, row_key,
           lower_better, fixed, mean, var, sampling_var, tau2 AS pool_tau2
    FROM metrics_rank_components
    UNION ALL
    SELECT v.period_type, v.period, v.period_key, v.district_no, v.unit_no, v.unit_id, v.ind_no,
           v.indicator, v.row_key, false, false, v.value, s.var, s.sampling_var, NULL
    FROM metrics_values v
    JOIN score s USING (row_key)
)
SELECT
    u.*,
    d.unit_id                                                          AS district_id,
    count(*) OVER g                                                    AS units,
    CASE WHEN u.indicator = 'resident_score' THEN v.rank
         ELSE rank() OVER (PARTITION BY u.period_key, u.district_no, u.ind_no
                           ORDER BY CASE WHEN u.lower_better THEN -u.mean ELSE u.mean END DESC) END AS rank
FROM u
JOIN metrics_units d ON d.unit_no = u.district_no
JOIN metrics_values v USING (row_key)
WINDOW g AS (PARTITION BY u.period_key, u.district_no, u.ind_no);

------------------------------------------------------------------------------
-- The simulation's input, read by ranks.go: a component row per ranked
-- community (a and b; NULL when fixed, the value then being mean), and for
-- resident_score a row per component used (part_ind, w, flip); every row
-- with its unit's posterior mean and variance (for the expected rank).
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP VIEW metrics_rank_input AS
SELECT c.period_key, c.district_no, c.ind_no, c.unit_no, c.row_key, c.lower_better, c.fixed, c.a, c.b,
       u.mean, u.var, NULL::BIGINT AS part_ind, NULL::DOUBLE AS w, false AS flip
FROM metrics_rank_components c
JOIN metrics_rank_units u USING (row_key)
UNION ALL
SELECT p.period_key, p.district_no, p.ind_no, p.unit_no, p.row_key, false, false, NULL, NULL,
       u.mean, u.var, p.part_ind, p.w, p.flip
FROM metrics_rank_score_parts p
JOIN metrics_rank_units u USING (row_key);

------------------------------------------------------------------------------
-- Rankability per district × period × ranked indicator.
------------------------------------------------------------------------------
INSERT INTO rankability
    (run_id, period_type, period, district_id, indicator, units, tau2, median_sampling_variance, rankability)
WITH g AS (
    SELECT
        any_value(period_type) AS period_type, any_value(period) AS period,
        any_value(district_id) AS district_id, any_value(indicator) AS indicator,
        count(*)::INTEGER      AS units,
        CASE WHEN any_value(indicator) = 'resident_score'
             THEN list_aggregate(list(mean ORDER BY mean), 'var_samp') + list_avg(list(var ORDER BY var))
             ELSE any_value(pool_tau2) END                              AS tau2,
        median(sampling_var)                                            AS msv
    FROM metrics_rank_units
    GROUP BY period_key, district_no, ind_no
)
SELECT par.run_id, g.period_type, g.period, g.district_id, g.indicator, g.units, g.tau2, g.msv,
       CASE WHEN g.tau2 > 0 THEN g.tau2 / (g.tau2 + g.msv) END
FROM g
CROSS JOIN metrics_params par;
