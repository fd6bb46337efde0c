-- change.sql: change over the previous period, so that a report says
-- "improved" only when the data support it. Written to indicator_changes
-- (store/migrations/002_score.sql documents every column).
--
-- For every proportion (kind 'proportion'), unit (all levels) and period
-- whose previous period of the same type (month → previous month, quarter
-- → previous quarter, year → previous year: period_key − 1, common.sql) is
-- in the data: a row only when both values exist — both
-- denominators >= 1 and neither value suppressed (n >= min_n in both).
--
-- Two-proportion z-test, pooled, two-sided (x1/n1 now, x0/n0 before):
--   p  = (x1 + x0) / (n1 + n0)
--   z  = (x1/n1 − x0/n0) / sqrt(p(1 − p)(1/n1 + 1/n0))
--   p_value = 2 (1 − Φ(|z|)); change_significant = p_value < 0.05
--   q_value = Benjamini–Hochberg over one family: the district's units of
--             the same level for the indicator and period (a district's own
--             row is a family of one, q = p). With the family's m p-values
--             sorted ascending, q_(i) = min over k >= i of min(1, m·p_(k)/k)
--             — R's p.adjust(p, "BH"); tied p-values get the same q. The
--             follow-up lists (follow_up.sql) admit a change at q <= fdr.
-- Decisions: when p is 0 or 1 both values are equal (0 or 1) and z = 0,
-- p_value = 1. When a value lies outside 0..1 the test does not apply: z
-- and p_value are NULL and the change is not significant (a guard: every
-- proportion is a share 0..1).

------------------------------------------------------------------------------
-- Φ(−a), the upper tail of the standard normal for a >= 0, to double
-- precision: Hart's algorithm 5666 as given by G. West, "Better
-- approximations to cumulative normal functions" (Wilmott, 2009) — a
-- rational function times exp(−a²/2) below a = 7.07, a continued fraction
-- above. DuckDB has no erf. The literals are written in E notation so they
-- are DOUBLE, not DECIMAL.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP MACRO metrics_phi_upper(a) AS
    CASE
        WHEN a > 37e0 THEN 0e0
        WHEN a < 7.07106781186547e0 THEN
            exp(-a * a / 2e0)
            * ((((((3.52624965998911e-2 * a + 7.00383064443688e-1) * a + 6.37396220353165e0) * a
                 + 3.3912866078383e1) * a + 1.12079291497871e2) * a + 2.21213596169931e2) * a
                 + 2.20206867912376e2)
            / (((((((8.83883476483184e-2 * a + 1.75566716318264e0) * a + 1.6064177579207e1) * a
                 + 8.67807322029461e1) * a + 2.96564248779674e2) * a + 6.37333633378831e2) * a
                 + 7.93826512519948e2) * a + 4.40413735824752e2)
        ELSE
            exp(-a * a / 2e0) / (a + 1e0 / (a + 2e0 / (a + 3e0 / (a + 4e0 / (a + 6.5e-1))))) / 2.506628274631e0
    END;

INSERT INTO indicator_changes
    (run_id, period_type, period, level, unit_id, indicator, previous_period, value,
     previous_value, change, z, p_value, change_significant, q_value)
WITH pairs AS (
    SELECT
        n.district_no, n.period_key, n.ind_no, n.unit_no,
        n.period_type, n.period, n.level, n.unit_id, n.indicator, b.period AS previous_period,
        n.value, b.value AS previous_value, n.value - b.value AS change,
        n.numerator AS x1, n.denominator AS n1, b.numerator AS x0, b.denominator AS n0,
        (x1 + x0) / (n1 + n0) AS pooled
    FROM metrics_values n
    JOIN metrics_values b
      ON b.row_key = metrics_row_key(n.period_key - 1, n.unit_no, n.ind_no)
    WHERE n.kind = 'proportion' AND NOT n.suppressed AND n.denominator >= 1
      AND NOT b.suppressed AND b.denominator >= 1
),
tested AS (
    SELECT
        *,
        CASE WHEN NOT (value BETWEEN 0 AND 1 AND previous_value BETWEEN 0 AND 1) THEN NULL
             WHEN pooled <= 0 OR pooled >= 1 THEN 0e0
             ELSE change / sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0)) END AS z,
        least(1e0, 2 * metrics_phi_upper(abs(z)))                          AS p_value
    FROM pairs
),
ranked AS (
    SELECT
        *,
        count(p_value) OVER family                                            AS m,
        row_number() OVER (family ORDER BY p_value NULLS LAST, unit_no)       AS k
    FROM tested
    WINDOW family AS (PARTITION BY district_no, period_key, ind_no, level)
),
adjusted AS (
    SELECT
        *,
        CASE WHEN p_value IS NOT NULL THEN
            min(least(1e0, m * p_value / k)) OVER (
                PARTITION BY district_no, period_key, ind_no, level
                ORDER BY p_value DESC NULLS LAST, unit_no DESC
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        END AS q_value
    FROM ranked
)
SELECT
    par.run_id, t.period_type, t.period, t.level, t.unit_id, t.indicator, t.previous_period,
    t.value, t.previous_value, t.change, t.z, t.p_value, coalesce(t.p_value < 0.05, false), t.q_value
FROM adjusted t
CROSS JOIN metrics_params par;
