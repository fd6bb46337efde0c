-- funnel_limits.sql: funnel plots, second half (funnel.sql the first):
-- the limits, flags, p- and q-values, written to funnel_params and
-- funnel_points (store/migrations/009_comparison.sql).
--
-- When the χ² test rejects at 5% (od_applied, from funnel.go), the
-- overdispersion is applied as an additive random effect:
--   z_adjusted = z·s / sqrt(s² + τ²)
--   limits     = θ₀ ± z_P·sqrt(s² + τ²), clamped to 0..1,
--                z_P = 1.959963984540054 (95%), 3.090232306167813 (99.8%)
-- otherwise z_adjusted = z and the limits are the exact binomial ones at
-- the community's n (funnel.go: Spiegelhalter 2005, appendix A.1.1).
--
--   p_value = 2Φ(−|z used|), z used = z_adjusted (= z without overdispersion)
--   q_value = Benjamini–Hochberg over the funnel's communities (one district
--             × period × indicator): with the m p-values sorted ascending,
--             q_(i) = min over k >= i of min(1, m·p_(k)/k) — R's
--             p.adjust(p, "BH"); tied p-values get the same q.
--   flag    = above_998 / above_95 when the value is above the upper 99.8% /
--             95% limit, below_998 / below_95 likewise under the lower
--             limits, within otherwise; a value exactly on a limit is within,
--             and so is every point of a funnel without limits.

INSERT INTO funnel_params
    (run_id, period_type, period, district_id, indicator, target, units, phi, chi2_p, od_applied, tau2)
SELECT
    par.run_id, g.period_type, g.period, g.district_id, g.indicator, g.target, g.units,
    o.phi, c.chi2_p, coalesce(c.od_applied, false), o.tau2
FROM metrics_funnel_groups g
LEFT JOIN metrics_funnel_od o USING (group_no)
LEFT JOIN metrics_funnel_chi2 c USING (group_no)
CROSS JOIN metrics_params par;

INSERT INTO funnel_points
    (run_id, period_type, period, district_id, unit_id, indicator, value, numerator, denominator,
     z, z_adjusted, p_value, q_value, flag, lower_95, upper_95, lower_998, upper_998)
WITH used AS (
    SELECT
        g.period_type, g.period, g.district_id, g.indicator,
        z.group_no, z.unit_no, z.unit_id, z.p, z.x, z.n, z.z,
        coalesce(c.od_applied, false) AS od,
        CASE WHEN od THEN z.z * sqrt(z.s2) / sqrt(z.s2 + o.tau2) ELSE z.z END AS z_used,
        CASE WHEN od THEN sqrt(z.s2 + o.tau2) END                             AS sd_od,
        CASE WHEN od THEN greatest(0e0, z.target - 3.090232306167813e0 * sd_od) ELSE e.lower_998 END AS lower_998,
        CASE WHEN od THEN greatest(0e0, z.target - 1.959963984540054e0 * sd_od) ELSE e.lower_95  END AS lower_95,
        CASE WHEN od THEN least(1e0,    z.target + 1.959963984540054e0 * sd_od) ELSE e.upper_95  END AS upper_95,
        CASE WHEN od THEN least(1e0,    z.target + 3.090232306167813e0 * sd_od) ELSE e.upper_998 END AS upper_998,
        CASE WHEN z.z IS NOT NULL THEN least(1e0, 2 * metrics_phi_upper(abs(z_used))) END AS p_value
    FROM metrics_funnel_z z
    JOIN metrics_funnel_groups g USING (group_no)
    LEFT JOIN metrics_funnel_od o USING (group_no)
    LEFT JOIN metrics_funnel_chi2 c USING (group_no)
    LEFT JOIN metrics_funnel_exact e ON e.group_no = z.group_no AND e.n = z.n
),
ranked AS (
    SELECT
        *,
        count(p_value) OVER (PARTITION BY group_no)                                 AS m,
        row_number() OVER (PARTITION BY group_no ORDER BY p_value, unit_no)         AS k
    FROM used
),
adjusted AS (
    SELECT
        *,
        CASE WHEN p_value IS NOT NULL THEN
            min(least(1e0, m * p_value / k)) OVER (
                PARTITION BY group_no ORDER BY p_value DESC NULLS LAST, unit_no DESC
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        END AS q_value
    FROM ranked
)
SELECT
    par.run_id, a.period_type, a.period, a.district_id, a.unit_id, a.indicator, a.p, a.x, a.n,
    a.z, a.z_used, a.p_value, a.q_value,
    CASE WHEN a.p > a.upper_998 THEN 'above_998'
         WHEN a.p > a.upper_95  THEN 'above_95'
         WHEN a.p < a.lower_998 THEN 'below_998'
         WHEN a.p < a.lower_95  THEN 'below_95'
         ELSE 'within' END,
    a.lower_95, a.upper_95, a.lower_998, a.upper_998
FROM adjusted a
CROSS JOIN metrics_params par;
