-- targets.sql: distance to the goals of config targets.<indicator>, as
-- Boston's CityScore does it, written to indicator_targets: one row per
-- indicator_values row of a targeted indicator (every level, unit and
-- period).
--
--   target_ratio  value / target   for a higher_better indicator
--                 target / value   for a lower_better one
-- so 1 is on target and above 1 better than the target either way. NULL
-- when the value is NULL (suppressed) or, for lower_better, 0 (no ratio:
-- nothing left to reduce). The value is the published value (a
-- community's raw rate, not its shrunk value). Compute refuses targets on
-- unknown or neutral indicators, and targets <= 0, before this runs; the
-- indicator's direction comes from the registry. Compute runs this file
-- only when targets are configured (rules.sql empties the table).

INSERT INTO indicator_targets
    (run_id, period_type, period, level, unit_id, indicator, target, target_ratio)
WITH t AS (
    SELECT i.ind_no, i.direction, t.target
    FROM (SELECT unnest(target_indicators) AS indicator, unnest(target_values) AS target
          FROM metrics_params) t
    JOIN metrics_indicators i USING (indicator)
)
SELECT
    par.run_id, v.period_type, v.period, v.level, v.unit_id, v.indicator, t.target,
    CASE WHEN t.direction = 'lower_better' THEN t.target / nullif(v.value, 0)
         ELSE v.value / t.target END
FROM metrics_values v
JOIN t USING (ind_no)
CROSS JOIN metrics_params par;
