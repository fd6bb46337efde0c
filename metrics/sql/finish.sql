-- finish.sql: the rules every family shares, then the write.
--
-- Each row's kind comes from the registry (table `indicators`, written by
-- Compute just before); a row whose indicator is missing from the registry
-- is an error, never silently dropped.
--
--   proportion  value = numerator / denominator, Wilson 95% interval with
--               n = denominator (common.sql).
--   estimate    value and interval as the family computed them.
--   fact        value as computed; no interval; never suppressed.
--
-- Suppression (proportions and estimates): when the rows behind the value —
-- the denominator of a proportion, the count behind a mean, quantile or
-- score — are fewer than min_n, or none at all, the value and its interval
-- are NULL and suppressed is true. Numerator and denominator stay, for
-- researchers. Facts have suppressed = false.
--
-- shrunk_value and rank are left NULL here (empirical-Bayes shrinkage and
-- the resident score come later).
--
-- indicator_values is replaced as a whole: this is the only statement that
-- writes it, inside the transaction of the whole run.

DELETE FROM indicator_values;

INSERT INTO indicator_values
    (run_id, period_type, period, level, unit_id, indicator, value, numerator,
     denominator, ci_low, ci_high, shrunk_value, suppressed, rank)
WITH k AS (
    SELECT
        m.*,
        coalesce(i.kind, error('indicator ' || m.indicator || ' is not in the registry')) AS kind,
        m.numerator / nullif(m.denominator, 0) AS share
    FROM metrics_rows m
    LEFT JOIN indicators i USING (indicator)
),
s AS (
    SELECT
        k.*,
        k.kind <> 'fact' AND coalesce(k.denominator, 0) < greatest(par.min_n, 1) AS suppressed
    FROM k, metrics_params par
)
SELECT
    par.run_id, s.period_type, s.period, s.level, s.unit_id, s.indicator,
    CASE WHEN s.suppressed            THEN NULL
         WHEN s.kind = 'proportion'   THEN s.share
         ELSE s.value END,
    s.numerator,
    s.denominator,
    CASE WHEN s.suppressed            THEN NULL
         WHEN s.kind = 'proportion'   THEN metrics_wilson_low(s.share, s.denominator)
         ELSE s.ci_low END,
    CASE WHEN s.suppressed            THEN NULL
         WHEN s.kind = 'proportion'   THEN metrics_wilson_high(s.share, s.denominator)
         ELSE s.ci_high END,
    NULL,
    s.suppressed,
    NULL
FROM s, metrics_params par;

-- Clean up this connection's temporary objects.
DROP VIEW  metrics_grid;
DROP VIEW  metrics_survey_rows;
DROP VIEW  metrics_service_rows;
DROP TABLE metrics_case_rows;
DROP TABLE metrics_rows;
DROP TABLE metrics_service_agg;
DROP TABLE metrics_service_cells;
DROP TABLE metrics_survey_agg;
DROP TABLE metrics_survey_cells;
DROP TABLE metrics_case_agg;
DROP TABLE metrics_case_cells;
DROP TABLE metrics_periods;
DROP TABLE metrics_units;
DROP TABLE metrics_params;
DROP MACRO metrics_wilson_high;
DROP MACRO metrics_wilson_low;
DROP MACRO metrics_wilson_half;
DROP MACRO metrics_wilson_centre;
DROP MACRO metrics_z;
DROP MACRO metrics_period;
