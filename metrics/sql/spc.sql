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
--   trial     the unit has fewer than 12 points (a fixed number, as in
--             "Making Data Count": a year of months)
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
-- Runs are found as gaps and islands: within a series, rows with the same
-- step (or side) and consecutive t share t − row_number() over that step.
--
-- signal: a rule on the upper side (outside_upper, trend_up,
-- two_of_three_high, shift_high) is an improvement for a higher_better
-- indicator and a concern for a lower_better one, and the other way round
-- for the lower side; none for rule none and for neutral indicators.
--
-- Sums run in t order (list_sum over an ordered list), so two runs give
-- byte-identical tables.

CREATE OR REPLACE TEMP TABLE metrics_spc_series AS
SELECT
    v.unit_no, v.ind_no, v.level, v.unit_id, v.indicator, v.period,
    v.value AS p, v.numerator AS x, v.denominator AS n,
    row_number() OVER (PARTITION BY v.unit_no, v.ind_no ORDER BY v.period_key) AS t,
    count(*) OVER (PARTITION BY v.unit_no, v.ind_no)                        AS points,
    t <= par.spc_baseline_months                                            AS baseline
FROM metrics_values v, metrics_params par
WHERE v.period_type = 'month' AND v.kind = 'proportion' AND NOT v.suppressed AND v.denominator >= 1;

INSERT INTO spc_points
    (run_id, level, unit_id, indicator, period, value, denominator, centre, lower, upper,
     lower_2s, upper_2s, rule, signal, baseline, trial)
WITH centre AS (
    SELECT
        unit_no, ind_no,
        list_sum(list(x ORDER BY t) FILTER (WHERE baseline))
            / list_sum(list(n ORDER BY t) FILTER (WHERE baseline)) AS centre
    FROM metrics_spc_series
    GROUP BY unit_no, ind_no
),
z AS (
    -- z_t of the baseline points (NULL when p̄ is 0 or 1) ...
    SELECT
        s.unit_no, s.ind_no, s.t,
        CASE WHEN c.centre > 0 AND c.centre < 1
             THEN (s.p - c.centre) / sqrt(c.centre * (1 - c.centre) / s.n) END AS z
    FROM metrics_spc_series s
    JOIN centre c USING (unit_no, ind_no)
    WHERE s.baseline
),
mr AS (
    -- ... and their moving range |z_t − z_{t−1}| (NULL for t = 1).
    SELECT *, abs(z - lag(z) OVER (PARTITION BY unit_no, ind_no ORDER BY t)) AS mr
    FROM z
),
sigma AS (
    SELECT
        c.unit_no, c.ind_no, c.centre,
        CASE WHEN c.centre > 0 AND c.centre < 1
             THEN greatest(1e0, coalesce(list_sum(list(z.mr ORDER BY z.t) FILTER (WHERE z.mr IS NOT NULL)) / count(z.mr) / 1.128e0, 1e0))
        END AS sigma_z
    FROM centre c
    JOIN mr z USING (unit_no, ind_no)
    GROUP BY c.unit_no, c.ind_no, c.centre
),
limits AS (
    SELECT
        s.*, g.centre,
        CASE WHEN g.sigma_z IS NOT NULL THEN sqrt(g.centre * (1 - g.centre) / s.n) * g.sigma_z END AS w,
        -- no limits without spread (w NULL: p̄ is 0 or 1)
        CASE WHEN w IS NOT NULL THEN greatest(0e0, g.centre - 3 * w) END AS lower,
        CASE WHEN w IS NOT NULL THEN least(1e0, g.centre + 3 * w) END    AS upper,
        CASE WHEN w IS NOT NULL THEN greatest(0e0, g.centre - 2 * w) END AS lower_2s,
        CASE WHEN w IS NOT NULL THEN least(1e0, g.centre + 2 * w) END    AS upper_2s,
        sign(s.p - g.centre)            AS side,
        sign(s.p - lag(s.p) OVER (PARTITION BY s.unit_no, s.ind_no ORDER BY s.t)) AS step,
        coalesce(s.p > upper, false)    AS above,
        coalesce(s.p < lower, false)    AS below,
        coalesce(s.p > upper_2s AND s.p <= upper, false) AS band_high,
        coalesce(s.p < lower_2s AND s.p >= lower, false) AS band_low
    FROM metrics_spc_series s
    JOIN sigma g USING (unit_no, ind_no)
),
islands AS (
    -- t − row_number() is constant along a run of equal steps (sides).
    SELECT
        *,
        t - row_number() OVER (PARTITION BY unit_no, ind_no, step ORDER BY t) AS step_run,
        t - row_number() OVER (PARTITION BY unit_no, ind_no, side ORDER BY t) AS side_run
    FROM limits
),
runs AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY unit_no, ind_no, step, step_run) AS step_len,
        count(*) OVER (PARTITION BY unit_no, ind_no, side, side_run) AS side_len,
        -- the window of three points starting here
        count(*)                OVER w3 = 3 AS full3,
        min(side)               OVER w3     AS min_side3,
        max(side)               OVER w3     AS max_side3,
        sum(band_high::INTEGER) OVER w3     AS band_high3,
        sum(band_low::INTEGER)  OVER w3     AS band_low3
    FROM islands
    WINDOW w3 AS (PARTITION BY unit_no, ind_no ORDER BY t ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING)
),
trends AS (
    SELECT
        r.*,
        -- a run of trend_points − 1 strict steps ends here or further on
        coalesce(step = 1 AND step_len >= par.spc_trend_points - 1, false)  AS up_step,
        coalesce(step = -1 AND step_len >= par.spc_trend_points - 1, false) AS down_step,
        full3 AND min_side3 = 1 AND band_high3 >= 2   AS start_high3,
        full3 AND max_side3 = -1 AND band_low3 >= 2   AS start_low3,
        side = 1 AND side_len >= par.spc_shift_points  AS shift_high,
        side = -1 AND side_len >= par.spc_shift_points AS shift_low
    FROM runs r, metrics_params par
),
flags AS (
    SELECT
        *,
        -- a point is in a trend when the step into it, or the step out of
        -- it (it is the run's first point), belongs to a long enough run
        up_step   OR coalesce(lead(up_step)   OVER w, false) AS trend_up,
        down_step OR coalesce(lead(down_step) OVER w, false) AS trend_down,
        -- a banded point of a qualifying window starting here or at
        -- either of the two points before
        band_high AND bool_or(start_high3) OVER w_back AS high3,
        band_low  AND bool_or(start_low3)  OVER w_back AS low3
    FROM trends
    WINDOW w AS (PARTITION BY unit_no, ind_no ORDER BY t),
           w_back AS (PARTITION BY unit_no, ind_no ORDER BY t ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
),
labelled AS (
    SELECT
        *,
        CASE
            WHEN above                                  THEN 'outside_upper'
            WHEN below                                  THEN 'outside_lower'
            WHEN trend_up AND (NOT trend_down OR step = 1) THEN 'trend_up'
            WHEN trend_down                             THEN 'trend_down'
            WHEN high3                                  THEN 'two_of_three_high'
            WHEN low3                                   THEN 'two_of_three_low'
            WHEN shift_high                             THEN 'shift_high'
            WHEN shift_low                              THEN 'shift_low'
            ELSE 'none'
        END AS rule
    FROM flags
)
SELECT
    par.run_id, l.level, l.unit_id, l.indicator, l.period, l.p, l.n, l.centre,
    l.lower, l.upper, l.lower_2s, l.upper_2s,
    l.rule,
    CASE WHEN l.rule = 'none' OR i.direction NOT IN ('higher_better', 'lower_better') THEN 'none'
         WHEN (l.rule IN ('outside_upper', 'trend_up', 'two_of_three_high', 'shift_high'))
              = (i.direction = 'higher_better') THEN 'improvement'
         ELSE 'concern' END,
    l.baseline,
    l.points < 12
FROM labelled l
JOIN metrics_indicators i USING (ind_no)
CROSS JOIN metrics_params par
ORDER BY l.level, l.unit_id, l.indicator, l.t;
