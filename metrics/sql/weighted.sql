-- weighted.sql: the .weighted survey rates, community level, every period
-- type, from the weights Compute put into metrics_strata_weights (see
-- strata.sql and weights.go; docs/decisions.md "Survey weights").
--
-- Per community × period × item, over the weighted responses that answered
-- the item (every response of a stratum carries its stratum's weight w;
-- satisfied = 4 or 5, as for satisfaction_rate):
--   p_w    = Σ w·satisfied / Σ w
--   n_eff  = (Σ w)² / Σ w²                       (Kish's effective n)
--   satisfaction_rate.weighted         (q_overall) and
--   satisfaction_rate.<item>.weighted  (each configured item):
--          numerator p_w·n_eff, denominator n_eff, so that rules.sql's
--          Wilson interval and suppression below min_n apply to n_eff.
-- A community with no weights in the period (no strata, or no response in
-- a stratum) has no .weighted row. Sums run over the strata in a fixed
-- order (age_group, gender), so that two runs give the same bits.
INSERT INTO metrics_rows (period_type, period, level, unit_id, indicator, numerator, denominator, value, ci_low, ci_high)
SELECT period_type, period, 'community' AS level, community_id AS unit_id,
       CASE WHEN item = 'q_overall' THEN 'satisfaction_rate.weighted'
            ELSE 'satisfaction_rate.' || item || '.weighted' END AS indicator,
       p_w * n_eff            AS numerator,
       coalesce(n_eff, 0)     AS denominator,
       NULL::DOUBLE           AS value,
       NULL::DOUBLE           AS ci_low,
       NULL::DOUBLE           AS ci_high
FROM (
    SELECT i.period_type, i.period, i.community_id, i.item,
        list_sum(list(w.weight * i.n_answered            ORDER BY i.age_group, i.gender)) AS sw,
        list_sum(list(w.weight * w.weight * i.n_answered ORDER BY i.age_group, i.gender)) AS sw2,
        list_sum(list(w.weight * i.n_satisfied           ORDER BY i.age_group, i.gender)) AS sws,
        sws / nullif(sw, 0)      AS p_w,
        sw * sw / nullif(sw2, 0) AS n_eff
    FROM metrics_strata_items i
    JOIN metrics_strata_weights w
      ON w.period_type = i.period_type AND w.period = i.period AND w.community_id = i.community_id
     -- gender is NULL on both sides under [age_group]; '' is never a value
     AND w.age_group = i.age_group AND coalesce(w.gender, '') = coalesce(i.gender, '')
    WHERE w.left_out IS NULL AND w.weight IS NOT NULL
    GROUP BY i.period_type, i.period, i.community_id, i.item
);
