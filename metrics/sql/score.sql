-- score.sql: the resident score (居民评价综合分), the heart of the mission:
-- residents, not higher government, are the evaluators.
--
-- resident_score (0..100) per unit and period: the weighted mean × 100 of
-- the components' values over the components that are not suppressed,
-- the weights (score.weights, default satisfaction_rate 0.45,
-- callback_satisfaction_rate 0.20, on_time_rate 0.25, escalation_share 0.10)
-- renormalised over those present. escalation_share enters as 1 − share.
--
-- Which value of a component enters:
--   community          its empirical-Bayes shrunk value (shrink.sql); with
--                      score.case_mix true, for on_time_rate,
--                      escalation_share and callback_satisfaction_rate the
--                      shrunk value of its .standardised rate (casemix.sql,
--                      shrunk by shrink.sql like the crude rates; present
--                      when the standardised row is not suppressed, which
--                      follows the crude n). Decision: see docs/decisions.md,
--                      "Case-mix standardisation".
--   street, district   its pooled raw rate. Decision: streets and districts
--                      have no shrunk values in the spec; their rates pool
--                      all their communities' rows, so they are large
--                      samples already. (Districts get a score too, from
--                      pooled rates, so the grid stays one row per
--                      indicator, unit and period; they are not ranked.)
--
-- A component is present when its indicator_values row is not suppressed
-- (denominator >= min_n) and its weight is > 0.
--
-- No score (value NULL, suppressed true, no interval, no rank) when
--   * no resident component (satisfaction_rate, callback_satisfaction_rate)
--     is present. Decision: with both resident weights > 0 this is the
--     spec's "both resident components are suppressed"; when score.weights
--     leaves one out (or sets it to 0) it also refuses a score that would
--     be made of records alone;
--   * the weights present sum to less than half of the total configured
--     weight (compared with a relative tolerance of 1e-12, so that a sum
--     such as 0.2 + 0.3 counts as the half it is).
--
-- Row of resident_score in indicator_values:
--   value        the score; NULL when suppressed
--   numerator    NULL
--   denominator  the number of components present (and so used, when there
--                is a score). Decision: a suppressed score keeps the count,
--                as a suppressed proportion keeps its denominator.
--   ci_low, ci_high
--                Decision: the weighted combination (same renormalised
--                weights) of the components' Wilson 95% bounds, each
--                bound moved with its component from the raw to the value
--                used (lower bound: value − (raw − Wilson low), upper:
--                value + (Wilson high − raw), clamped to 0..1), × 100. It is
--                the interval of the score if every component sat at its
--                bound at once — conservative (no independence assumed),
--                asymmetric like Wilson, and it always contains the score.
--                For a street or district it is the weighted combination
--                of the Wilson bounds themselves.
--   shrunk_value NULL (the score is made of shrunk values; it is not
--                shrunk again)
--   rank         communities: rank() within district × period type ×
--                period by score, highest first, ties sharing the better
--                rank; streets the same among the district's streets;
--                NULL for districts and for suppressed scores.
--
-- Determinism: the weighted sums are taken over the unit's components
-- sorted by name, so two units with the same component values get
-- bit-identical scores (and so share a rank), whatever order the rows
-- arrive in.

------------------------------------------------------------------------------
-- The configured weights, one row per component (follow_up.sql reads it
-- too).
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_score_weights AS
SELECT w.component, w.weight, list_contains(p.resident_components, w.component) AS resident, i.ind_no
FROM (SELECT unnest(score_components) AS component, unnest(score_weights) AS weight
      FROM metrics_params) w
CROSS JOIN metrics_params p
JOIN metrics_indicators i ON i.indicator = w.component;

-- The indicator that carries each component at the levels listed: the
-- component itself at every level, or, with score.case_mix and a
-- <component>.standardised indicator, that one at community level and the
-- component at street and district level.
CREATE OR REPLACE TEMP TABLE metrics_score_carriers AS
WITH w AS (
    SELECT w.*,
           p.case_mix AND EXISTS (SELECT 1 FROM metrics_indicators s
                                  WHERE s.indicator = w.component || '.standardised') AS standardised
    FROM metrics_score_weights w, metrics_params p
)
SELECT w.component, w.weight, w.resident, c.carrier, c.levels, i.ind_no
FROM w,
LATERAL (SELECT w.component AS carrier,
                CASE WHEN w.standardised THEN ['street', 'district']
                     ELSE ['community', 'street', 'district'] END AS levels
         UNION ALL
         SELECT w.component || '.standardised', ['community']
         WHERE w.standardised) c
JOIN metrics_indicators i ON i.indicator = c.carrier;

------------------------------------------------------------------------------
-- One row per unit × period × configured component, with its values
-- oriented as they enter the score (escalation_share: 1 − share, interval
-- flipped). score_components is written from it.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_score_parts AS
WITH c AS (
    SELECT
        v.period_type, v.period, v.level, v.unit_id, v.period_key, v.unit_no, v.district_no,
        w.component, w.carrier, w.weight, w.resident,
        w.component = 'escalation_share' AS flip,
        NOT v.suppressed AND w.weight > 0 AS present,
        v.value        AS v_value,
        v.ci_low       AS v_low,
        v.ci_high      AS v_high,
        s.shrunk_value AS v_shrunk
    FROM metrics_values v
    JOIN metrics_score_carriers w ON w.ind_no = v.ind_no AND list_contains(w.levels, v.level)
    LEFT JOIN metrics_shrunk s USING (row_key)
)
SELECT
    period_type, period, level, unit_id, period_key, unit_no, district_no,
    component, carrier, weight, resident, present,
    CASE WHEN flip THEN 1 - v_value  ELSE v_value  END AS raw_value,
    CASE WHEN flip THEN 1 - v_high   ELSE v_low    END AS ci_low,
    CASE WHEN flip THEN 1 - v_low    ELSE v_high   END AS ci_high,
    CASE WHEN flip THEN 1 - v_shrunk ELSE v_shrunk END AS shrunk_value,
    -- the value that enters the score
    CASE WHEN level = 'community' THEN shrunk_value ELSE raw_value END AS score_value,
    greatest(0, score_value - (raw_value - ci_low))  AS score_low,
    least(1, score_value + (ci_high - raw_value))    AS score_high
FROM c;

------------------------------------------------------------------------------
-- The scores, their intervals, suppression and ranks, one row per unit
-- and period.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_scores AS
WITH a AS (
    SELECT
        period_key, unit_no,
        any_value(period_type) AS period_type,
        any_value(period)      AS period,
        any_value(level)       AS level,
        any_value(unit_id)     AS unit_id,
        any_value(district_no) AS district_no,
        -- the unit's components, sorted by name (see Determinism above)
        list_sort(list({'component': component, 'weight': weight, 'present': present,
                        'resident': resident, 'value': weight * score_value,
                        'low': weight * score_low, 'high': weight * score_high})) AS parts
    FROM metrics_score_parts
    GROUP BY period_key, unit_no
),
b AS (
    SELECT
        * EXCLUDE (parts),
        list_filter(parts, p -> p.present)                                      AS used,
        list_sum(list_transform(parts, p -> p.weight))                          AS w_total,
        coalesce(list_sum(list_transform(used, p -> p.weight)), 0)              AS w_present,
        len(used)                                                               AS n_present,
        coalesce(list_bool_or(list_transform(used, p -> p.resident)), false)    AS resident_present,
        list_sum(list_transform(used, p -> p.value))                            AS w_score,
        list_sum(list_transform(used, p -> p.low))                              AS w_low,
        list_sum(list_transform(used, p -> p.high))                             AS w_high
    FROM a
),
s AS (
    SELECT
        * EXCLUDE (used),
        NOT resident_present OR w_present < 0.5 * w_total * (1 - 1e-12)        AS suppressed,
        CASE WHEN NOT suppressed THEN 100 * w_score / w_present END             AS score
    FROM b
)
SELECT
    *,
    CASE WHEN NOT suppressed THEN 100 * w_low  / w_present END                  AS score_low,
    CASE WHEN NOT suppressed THEN 100 * w_high / w_present END                  AS score_high,
    CASE WHEN NOT suppressed AND level <> 'district'
         THEN rank() OVER (PARTITION BY level, district_no, period_key, suppressed
                           ORDER BY score DESC) END                             AS score_rank
FROM s;

INSERT INTO metrics_values
    (period_type, period, level, unit_id, indicator, kind, value, numerator, denominator,
     ci_low, ci_high, suppressed, rank, period_key, unit_no, district_no, ind_no, row_key)
SELECT s.period_type, s.period, s.level, s.unit_id, i.indicator, i.kind, s.score, NULL, s.n_present,
       s.score_low, s.score_high, s.suppressed, s.score_rank, s.period_key, s.unit_no, s.district_no,
       i.ind_no, metrics_row_key(s.period_key, s.unit_no, i.ind_no)
FROM metrics_scores s
JOIN metrics_indicators i ON i.indicator = 'resident_score';

------------------------------------------------------------------------------
-- score_components: the explanation record of every score.
--   indicator         the indicator whose values entered: the component,
--                     or <component>.standardised (score.case_mix)
--   used              present and the score not suppressed
--   weight_effective  weight / (weights present) when used, else 0
------------------------------------------------------------------------------

INSERT INTO score_components
    (run_id, period_type, period, level, unit_id, component, indicator, raw_value, ci_low, ci_high,
     shrunk_value, weight_configured, weight_effective, used)
SELECT
    par.run_id, p.period_type, p.period, p.level, p.unit_id, p.component, p.carrier, p.raw_value,
    p.ci_low, p.ci_high, p.shrunk_value, p.weight,
    CASE WHEN p.present AND NOT s.suppressed THEN p.weight / s.w_present ELSE 0 END,
    p.present AND NOT s.suppressed
FROM metrics_score_parts p
JOIN metrics_scores s USING (period_key, unit_no)
CROSS JOIN metrics_params par;
