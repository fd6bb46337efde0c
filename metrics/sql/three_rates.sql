-- three_rates.sql: the 12345 hotline "three rates" (三率: 响应率, 解决率,
-- 满意率) and their weighted score, as Beijing's 接诉即办 assessment and many
-- cities' hotlines rank units. Same cohort as cases.sql; the counts come
-- from metrics_case_agg.
--
-- Valid callbacks (有效回访): cases with a non-NULL callback_satisfaction.
--   response_rate_12345      callback_contacted true / valid callbacks
--   resolution_rate_12345    callback_resolved true / valid callbacks
--   satisfaction_rate_12345  (satisfied + w × basically_satisfied) / valid
--                            callbacks, w = three_rates.basically_satisfied_weight
--                            (default 0.9); the numerator may be fractional
--                            and the Wilson interval is taken on p = num / den
--   three_rates_score        100 × (w_response × response + w_resolution ×
--                            resolution + w_satisfaction × satisfaction),
--                            default weights 0.1 / 0.5 / 0.4; an estimate:
--                            numerator NULL, denominator = valid callbacks,
--                            no interval, suppressed when valid callbacks < min_n
--
-- A rate is emitted only when its input column holds any non-NULL value in
-- the cases table (callback_contacted, callback_resolved,
-- callback_satisfaction respectively); the score needs all three. An export
-- without the 12345 columns therefore gets no 12345 rows at all, rather than
-- rows of zeros.

INSERT INTO metrics_rows (period_type, period, level, unit_id, indicator, numerator, denominator, value)
WITH present AS (
    SELECT
        coalesce(bool_or(callback_contacted IS NOT NULL), false)    AS contacted,
        coalesce(bool_or(callback_resolved IS NOT NULL), false)     AS resolved,
        coalesce(bool_or(callback_satisfaction IS NOT NULL), false) AS satisfaction
    FROM cases
    WHERE status IS DISTINCT FROM 'cancelled'
),
rates AS (
    SELECT
        a.*,
        a.n_12345_satisfied + p.w_basically * a.n_12345_basically AS satisfied_weighted,
        100 * (  p.w_response     * a.n_12345_contacted
               + p.w_resolution   * a.n_12345_resolved
               + p.w_satisfaction * (a.n_12345_satisfied + p.w_basically * a.n_12345_basically)
              ) / nullif(a.n_callback, 0)                        AS score
    FROM metrics_case_agg a, metrics_params p
)
SELECT a.period_type, a.period, a.level, a.unit_id, r.indicator, r.numerator, r.denominator, r.value
FROM rates a, present,
LATERAL (VALUES
    ('response_rate_12345',     present.contacted,    a.n_12345_contacted,  a.n_callback, NULL),
    ('resolution_rate_12345',   present.resolved,     a.n_12345_resolved,   a.n_callback, NULL),
    ('satisfaction_rate_12345', present.satisfaction, a.satisfied_weighted, a.n_callback, NULL),
    ('three_rates_score',
        present.contacted AND present.resolved AND present.satisfaction,
                                                      NULL,                 a.n_callback, a.score)
) r(indicator, emitted, numerator, denominator, value)
WHERE r.emitted;
