-- spc.sql: statistical process control over months (NHS England "Making
-- Data Count"), written to spc_points (store/migrations/009_comparison.sql
-- documents every column). Runs in the transaction, after rules.sql.
--
-- The series: every proportion (kind 'proportion') of every community,
-- street and district, over its months with a value — not suppressed and
-- denominator >= 1. Suppressed and empty months have no row: they are left
-- out of the series (never zeros) and the points either side of them are
-- consecutive for every rule. t numbers the unit's points 1, 2, … in time.
--
-- Laney p′ chart:
--   baseline  the points t <= spc_baseline_months (all of them when fewer)
--   p̄         Σx / Σn over the baseline (the centre line)
--   σ_t       sqrt(p̄(1 − p̄) / n_t)
--   z_t       (p_t − p̄) / σ_t
--   σ_z       mean over t = 2 … baseline of |z_t − z_{t−1}|, / 1.128, and
--             at least 1 (a baseline of one point has no moving range: 1)
--   limits    p̄ ± 3σ_t·σ_z; 2σ band p̄ ± 2σ_t·σ_z; stored clamped to 0..1
--   trial     the unit has fewer than 12 points (a fixed number, a year of
--             months, whatever spc_baseline_months is)
--
-- Decisions:
--   * p̄ of 0 or 1 (the baseline never varied): σ_t = 0, so no limit can be
--     drawn. centre is p̄, lower, upper, lower_2s and upper_2s are NULL,
--     and outside and two-of-three never fire; trend and shift, which need
--     only the values and the centre, are judged as usual.
--   * Rules are judged on the stored, clamped limits with strict
--     comparisons ("beyond" = strictly beyond, a value exactly on a limit
--     is inside it). Because every value lies in 0..1 this gives the same
--     answer as the unclamped limits: a limit clamped to 1 (or 0) cannot be
--     passed by a proportion, and neither can the limit beyond it.
--   * A point at the peak (or trough) of two trends, one up and one down,
--     is labelled with the trend it ends: the direction of its step from
--     the point before.
--
-- Rules, each point labelled with the first that it is part of:
--   outside_upper / outside_lower   p_t > upper / p_t < lower
--   trend_up / trend_down           spc_trend_points points with that many
--                                   − 1 strict steps one way; every point
--                                   of the run (an equal value breaks it)
--   two_of_three_high / _low        three consecutive points all strictly
--                                   above (below) the centre, at least two
--                                   of them in the band upper_2s < p <= upper
--                                   (lower <= p < lower_2s); only the banded
--                                   points are labelled; a point beyond the
--                                   limit does not count (it is outside_*)
--   shift_high / shift_low          spc_shift_points or more consecutive
--                                   points strictly above (below) the
--                                   centre; a point on the centre breaks it
-- Runs are found as gaps and islands, with one window pass: a point's
-- rising run reaches back to the last point at or before it that did not
-- rise (its step is not +1: the run's first point) and on to the point
-- before the next one that does not rise; a point above the centre lies
-- between the last point before it and the first after it that are not
-- above. Two of three looks at the point's two neighbours either side.
--
-- signal: a rule on the upper side (outside_upper, trend_up,
-- two_of_three_high, shift_high) is an improvement for a higher_better
-- indicator and a concern for a lower_better one, and the other way round
-- for the lower side; none for rule none and for neutral indicators.
--
-- Sums add their terms in a fixed order (list_sum over the sorted list of
-- terms: the same terms always sum to the same double, whatever order the
-- rows arrive in), so two runs give byte-identical tables.

------------------------------------------------------------------------------
-- The limits at a point: p̄ + k·w clamped to 0..1, w = σ_t·σ_z (k = ±3 the
-- control limits, ±2 the band); NULL without spread (w NULL: p̄ is 0 or 1).
-- metrics_spc_zone says where p lies: 3 beyond the upper limit, 2 in the
-- upper band (upper_2s < p <= upper), −3 and −2 likewise below, 0
-- otherwise (and always when there are no limits). The stored limits and
-- the rules read the same expression, so a point drawn beyond a limit is
-- the point labelled outside.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP MACRO metrics_spc_limit(centre, w, k) AS
    CASE WHEN w IS NOT NULL THEN least(1e0, greatest(0e0, centre + k * w)) END;
CREATE OR REPLACE TEMP MACRO metrics_spc_zone(p, centre, w) AS
    CASE WHEN p > metrics_spc_limit(centre, w, 3)  THEN 3
         WHEN p > metrics_spc_limit(centre, w, 2)  THEN 2
         WHEN p < metrics_spc_limit(centre, w, -3) THEN -3
         WHEN p < metrics_spc_limit(centre, w, -2) THEN -2
         ELSE 0 END;
-- Three consecutive points (sides sa, sb, sc: sign(p − p̄); zones za, zb,
-- zc) are a two of three on side (1 above, −1 below): all three on that
-- side, at least two in its band. NULL (not) when a point is missing.
CREATE OR REPLACE TEMP MACRO metrics_spc_two_of_three(sa, sb, sc, za, zb, zc, side) AS
    sa = side AND sb = side AND sc = side
    AND (za = 2 * side)::INTEGER + (zb = 2 * side)::INTEGER + (zc = 2 * side)::INTEGER >= 2;

INSERT INTO spc_points
    (run_id, level, unit_id, indicator, period, value, denominator, centre, lower, upper,
     lower_2s, upper_2s, rule, signal, baseline, trial)
WITH months AS MATERIALIZED (
    -- months: one row per month with a value, t its number, step the sign
    -- of its change from the point before (NULL at t = 1), p_prev and n_prev
    -- that point's value and n. series packs unit_no and ind_no (ind_no < 1000,
    -- checked by rules.sql). The windows below read only the numeric columns;
    -- the names are joined back at the end. A CTE, materialised once, rather
    -- than a temp table: a temp table made inside the transaction lives in its
    -- local storage, which DuckDB scans on one thread.
    SELECT
        v.row_key,
        v.unit_no * 1000 + v.ind_no                 AS series,
        row_number() OVER w                         AS t,
        t <= par.spc_baseline_months                AS baseline,
        v.value                                     AS p,
        v.numerator                                 AS x,
        v.denominator                               AS n,
        lag(v.value) OVER w                         AS p_prev,
        lag(v.denominator) OVER w                   AS n_prev,
        sign(p - p_prev)                            AS step,
        v.level, v.unit_id, v.indicator, v.period, i.direction
    FROM metrics_values v
    JOIN metrics_indicators i USING (ind_no)
    CROSS JOIN metrics_params par
    WHERE v.period_type = 'month' AND v.kind = 'proportion' AND NOT v.suppressed AND v.denominator >= 1
    WINDOW w AS (PARTITION BY v.unit_no * 1000 + v.ind_no ORDER BY v.period_key)
),
centre AS (
    SELECT
        series,
        count(*) AS points,
        list_sum(list_sort(list(x) FILTER (WHERE baseline)))
            / list_sum(list_sort(list(n) FILTER (WHERE baseline))) AS centre
    FROM months
    GROUP BY series
),
sigma AS (
    -- σ_z from the moving ranges of the baseline: |z_t − z_{t−1}| =
    -- |(p_t − p̄)·sqrt(n_t) − (p_{t−1} − p̄)·sqrt(n_{t−1})| / sqrt(p̄(1 − p̄)).
    -- (greatest(0, …) only keeps sqrt defined where the CASE discards the
    -- result: p̄ outside 0 < p̄ < 1.)
    SELECT
        c.series, c.points, c.centre,
        CASE WHEN c.centre > 0 AND c.centre < 1 THEN greatest(1e0, coalesce(
            list_sum(list_sort(list(abs((s.p - c.centre) * sqrt(s.n) - (s.p_prev - c.centre) * sqrt(s.n_prev))
                                    / sqrt(greatest(0e0, c.centre * (1 - c.centre)))) FILTER (WHERE s.t >= 2)))
            / (count(*) - 1) / 1.128e0, 1e0)) END AS sigma_z
    FROM centre c
    JOIN months s ON s.series = c.series AND s.baseline
    GROUP BY c.series, c.points, c.centre
),
points AS (
    SELECT
        s.row_key, s.series, s.t, s.baseline, s.p, s.step, g.points, g.centre,
        sqrt(greatest(0e0, g.centre * (1 - g.centre)) / s.n) * g.sigma_z AS w,  -- σ_t·σ_z; NULL with σ_z
        sign(s.p - g.centre)                               AS side,
        metrics_spc_zone(s.p, g.centre, w)                 AS zone
    FROM months s
    JOIN sigma g USING (series)
),
runs AS (
    SELECT
        *,
        -- the rising (falling) run of points through t: from its first
        -- point to its last
        max(CASE WHEN step IS DISTINCT FROM 1 THEN t END)  OVER upto AS rise_from,
        coalesce(min(CASE WHEN step IS DISTINCT FROM 1 THEN t END)  OVER after, points + 1) - 1 AS rise_to,
        max(CASE WHEN step IS DISTINCT FROM -1 THEN t END) OVER upto AS fall_from,
        coalesce(min(CASE WHEN step IS DISTINCT FROM -1 THEN t END) OVER after, points + 1) - 1 AS fall_to,
        -- the nearest points either side that are not above (below) the centre
        coalesce(max(CASE WHEN side <> 1 THEN t END)  OVER upto, 0)           AS high_from,
        coalesce(min(CASE WHEN side <> 1 THEN t END)  OVER here_on, points + 1) AS high_to,
        coalesce(max(CASE WHEN side <> -1 THEN t END) OVER upto, 0)           AS low_from,
        coalesce(min(CASE WHEN side <> -1 THEN t END) OVER here_on, points + 1) AS low_to,
        -- the two neighbours either side
        lag(side, 2) OVER w AS side_m2, lag(side) OVER w AS side_m1,
        lead(side) OVER w AS side_p1, lead(side, 2) OVER w AS side_p2,
        lag(zone, 2) OVER w AS zone_m2, lag(zone) OVER w AS zone_m1,
        lead(zone) OVER w AS zone_p1, lead(zone, 2) OVER w AS zone_p2
    FROM points
    WINDOW w       AS (PARTITION BY series ORDER BY t),
           upto    AS (PARTITION BY series ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
           after   AS (PARTITION BY series ORDER BY t ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING),
           here_on AS (PARTITION BY series ORDER BY t ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
),
flags AS (
    SELECT
        r.*,
        rise_to - rise_from + 1 >= par.spc_trend_points                    AS trend_up,
        fall_to - fall_from + 1 >= par.spc_trend_points                    AS trend_down,
        side = 1  AND high_to - high_from - 1 >= par.spc_shift_points      AS shift_high,
        side = -1 AND low_to - low_from - 1 >= par.spc_shift_points        AS shift_low,
        -- a banded point of a two of three starting two points back, one
        -- back or here
        zone = 2 AND coalesce(
               metrics_spc_two_of_three(side_m2, side_m1, side, zone_m2, zone_m1, zone, 1)
            OR metrics_spc_two_of_three(side_m1, side, side_p1, zone_m1, zone, zone_p1, 1)
            OR metrics_spc_two_of_three(side, side_p1, side_p2, zone, zone_p1, zone_p2, 1), false) AS high3,
        zone = -2 AND coalesce(
               metrics_spc_two_of_three(side_m2, side_m1, side, zone_m2, zone_m1, zone, -1)
            OR metrics_spc_two_of_three(side_m1, side, side_p1, zone_m1, zone, zone_p1, -1)
            OR metrics_spc_two_of_three(side, side_p1, side_p2, zone, zone_p1, zone_p2, -1), false) AS low3
    FROM runs r, metrics_params par
),
labelled AS (
    SELECT
        *,
        CASE
            WHEN zone = 3                                   THEN 'outside_upper'
            WHEN zone = -3                                  THEN 'outside_lower'
            WHEN trend_up AND (NOT trend_down OR step = 1)  THEN 'trend_up'
            WHEN trend_down                                 THEN 'trend_down'
            WHEN high3                                      THEN 'two_of_three_high'
            WHEN low3                                       THEN 'two_of_three_low'
            WHEN shift_high                                 THEN 'shift_high'
            WHEN shift_low                                  THEN 'shift_low'
            ELSE 'none'
        END AS rule
    FROM flags
)
SELECT
    par.run_id, s.level, s.unit_id, s.indicator, s.period, l.p, s.n, l.centre,
    metrics_spc_limit(l.centre, l.w, -3),
    metrics_spc_limit(l.centre, l.w, 3),
    metrics_spc_limit(l.centre, l.w, -2),
    metrics_spc_limit(l.centre, l.w, 2),
    l.rule,
    CASE WHEN l.rule = 'none' OR s.direction NOT IN ('higher_better', 'lower_better') THEN 'none'
         WHEN (l.rule IN ('outside_upper', 'trend_up', 'two_of_three_high', 'shift_high'))
              = (s.direction = 'higher_better') THEN 'improvement'
         ELSE 'concern' END,
    l.baseline,
    l.points < 12
FROM labelled l
JOIN months s USING (row_key)
CROSS JOIN metrics_params par;
