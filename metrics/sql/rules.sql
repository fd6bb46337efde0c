-- rules.sql: the rules every family shares, applied to the family rows of
-- metrics_rows. The result, metrics_values, is what shrink.sql, score.sql
-- and the companion tables read, and what finish.sql writes out as
-- indicator_values.
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
-- are NULL and suppressed is true. The rows behind the value are the
-- denominator, or metrics_rows.support where a family gives it (the
-- standardised rates: their denominator is the expected count E, their
-- support the crude n). Numerator and denominator stay, for
-- researchers. Facts have suppressed = false.
--
-- resident_score is added to metrics_values by score.sql with rules of its
-- own; rank is NULL on every other row.
--
-- Keys for the steps that follow (shrinkage, score, change): the unit's
-- unit_no and district_no (metrics_units), the indicator's ind_no
-- (metrics_indicators), the period_key and the row_key packing the three
-- (common.sql), so that they join and group on integers.

-- The companion tables (store/migrations/002_score.sql) are replaced as a
-- whole, like indicator_values: emptied here, filled by score.sql,
-- change.sql, spc.sql, ranks.sql (with ranks.go), funnel_limits.sql, peers.sql,
-- targets.sql (run only when targets are configured) and follow_up.sql, all
-- in the transaction of the run.
DELETE FROM score_components;
DELETE FROM indicator_changes;
DELETE FROM score_peers;
DELETE FROM indicator_targets;
DELETE FROM follow_up;
DELETE FROM rank_intervals;
DELETE FROM rankability;
DELETE FROM funnel_params;
DELETE FROM funnel_points;
DELETE FROM survey_strata;   -- filled by survey_strata.sql (migration 014)
DELETE FROM spc_points;

-- The registry with a number per indicator.
CREATE OR REPLACE TEMP TABLE metrics_indicators AS
SELECT indicator, kind, direction, row_number() OVER (ORDER BY indicator) AS ind_no
FROM indicators;

CREATE OR REPLACE TEMP TABLE metrics_values AS
WITH k AS (
    SELECT
        m.*,
        coalesce(i.kind, error('indicator ' || m.indicator || ' is not in the registry')) AS kind,
        i.ind_no,
        coalesce(u.unit_no, error('unit ' || m.level || ' ' || m.unit_id || ' is not in communities')) AS unit_no,
        u.district_no,
        m.numerator / nullif(m.denominator, 0) AS share
    FROM metrics_rows m
    LEFT JOIN metrics_indicators i USING (indicator)
    LEFT JOIN metrics_units u USING (level, unit_id)
),
s AS (
    SELECT
        k.*,
        k.kind <> 'fact' AND coalesce(k.support, k.denominator, 0) < greatest(par.min_n, 1) AS suppressed,
        metrics_period_key(k.period_type, k.period)                           AS period_key
    FROM k, metrics_params par
)
SELECT
    s.period_type, s.period, s.level, s.unit_id, s.indicator, s.kind,
    CASE WHEN s.suppressed            THEN NULL
         WHEN s.kind = 'proportion'   THEN s.share
         ELSE s.value END                                           AS value,
    s.numerator,
    s.denominator,
    CASE WHEN s.suppressed            THEN NULL
         WHEN s.kind = 'proportion'   THEN metrics_wilson_low(s.share, s.denominator)
         ELSE s.ci_low END                                          AS ci_low,
    CASE WHEN s.suppressed            THEN NULL
         WHEN s.kind = 'proportion'   THEN metrics_wilson_high(s.share, s.denominator)
         ELSE s.ci_high END                                         AS ci_high,
    s.suppressed,
    NULL::INTEGER                                                   AS rank,
    s.period_key,
    s.unit_no,
    s.district_no,
    s.ind_no,
    CASE WHEN s.unit_no < 10000000 AND s.ind_no < 1000
         THEN metrics_row_key(s.period_key, s.unit_no, s.ind_no)
         ELSE error('too many units or indicators for metrics_row_key') END AS row_key
FROM s;
