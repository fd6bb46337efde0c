-- follow_up.sql: follow-up lists per district and period, as many cities'
-- 红黑榜 do but honestly — never from raw small-sample rates, and never
-- more entries than chance alone would explain: every entry is admitted
-- by a Benjamini–Hochberg q-value at most follow_up.fdr (metrics_params.fdr,
-- default 0.10), so that of the entries listed about that share at most
-- are expected to be chance. Written to follow_up
-- (store/migrations/002_score.sql, 009_comparison.sql); q_value is the
-- q-value that admitted the entry.
--
-- list 'improved' / 'declined', for a community:
--   * indicator = a score component with weight > 0: its change over the
--     previous period (indicator_changes; both periods have n >= min_n) has
--     q_value <= fdr — the family is the district's communities for that
--     indicator and period (change.sql) — in the better direction of the
--     indicator (improved) or the worse (declined). escalation_share is
--     better lower.
--   * indicator = resident_score. Decision (the spec defines no test for a
--     score change, and a score mixes shrunk components whose weights can
--     be renormalised differently in the two periods): the score counts as
--     changed for the better when it has a score in both periods, it went
--     up, at least one of its components is on the improved list (as
--     above) and none on the declined list; for the worse likewise. Its
--     q_value is the smallest of the supporting components'.
-- list 'confidently_low':
--   * indicator = a score component with weight > 0: its funnel point
--     (funnel_points) lies beyond the 95% or 99.8% limit on the worse side
--     — below the lower limit for a higher_better indicator, above the
--     upper limit for a lower_better one (escalation_share) — with
--     q_value <= fdr (family: the district's communities for that
--     indicator and period, funnel_limits.sql). Decision: only where the
--     value is shown (n >= min_n); the funnel itself, and its q-values,
--     include the suppressed small communities.
--   * indicator = resident_score. Decision: when the community has a score
--     in the period, at least one of its components is confidently low (as
--     above) and none lies beyond a limit on the better side at
--     q <= fdr; q_value is the smallest of the supporting components'.
-- detail: the numbers behind the entry, in words; a decline or a low value
-- is "worth a closer look", never a failure.

INSERT INTO follow_up (run_id, district_id, period_type, period, community_id, list, indicator, detail, q_value)
WITH comp AS (
    SELECT
        u.district_id, c.period_type, c.period, c.unit_id AS community_id, c.indicator, c.q_value,
        CASE WHEN (c.change > 0) = (i.direction = 'higher_better') THEN 'improved' ELSE 'declined' END AS list,
        printf('%s %.3f → %.3f (%+.3f; z = %.2f, p = %.4f, q = %.4f), %s → %s%s',
               c.indicator, c.previous_value, c.value, c.change, c.z, c.p_value, c.q_value,
               c.previous_period, c.period,
               CASE WHEN list = 'declined' THEN ': worth a closer look' ELSE '' END) AS detail
    FROM indicator_changes c
    JOIN metrics_score_weights w ON w.component = c.indicator AND w.weight > 0
    JOIN indicators i USING (indicator)
    JOIN metrics_units u USING (level, unit_id)
    CROSS JOIN metrics_params par
    WHERE c.level = 'community' AND c.q_value <= par.fdr
),
support AS (
    SELECT
        period_type, period, community_id,
        list(indicator ORDER BY indicator) FILTER (WHERE list = 'improved') AS up,
        list(indicator ORDER BY indicator) FILTER (WHERE list = 'declined') AS down,
        min(q_value) FILTER (WHERE list = 'improved')                       AS q_up,
        min(q_value) FILTER (WHERE list = 'declined')                       AS q_down
    FROM comp
    GROUP BY period_type, period, community_id
),
moves AS (
    SELECT
        u.district_id, s.period_type, s.period, s.unit_id AS community_id,
        b.period AS previous_period, b.score AS previous_score, s.score,
        s.score - b.score AS delta,
        coalesce(len(sp.up), 0)   AS n_up,
        coalesce(len(sp.down), 0) AS n_down,
        sp.up, sp.down, sp.q_up, sp.q_down
    FROM metrics_scores s
    JOIN metrics_scores b ON b.unit_no = s.unit_no AND b.period_key = s.period_key - 1
    JOIN support sp ON sp.period_type = s.period_type AND sp.period = s.period AND sp.community_id = s.unit_id
    JOIN metrics_units u ON u.unit_no = s.unit_no
    WHERE s.level = 'community' AND NOT s.suppressed AND NOT b.suppressed
),
score_lists AS (
    SELECT
        district_id, period_type, period, community_id,
        CASE WHEN delta > 0 AND n_up > 0 AND n_down = 0 THEN 'improved'
             WHEN delta < 0 AND n_down > 0 AND n_up = 0 THEN 'declined' END AS list,
        'resident_score' AS indicator,
        CASE WHEN delta > 0 THEN q_up ELSE q_down END AS q_value,
        printf('resident_score %.1f → %.1f (%+.1f), %s → %s; component changes behind it: %s%s',
               previous_score, score, delta, previous_period, period,
               array_to_string(CASE WHEN delta > 0 THEN up ELSE down END, ', '),
               CASE WHEN delta < 0 THEN ': worth a closer look' ELSE '' END) AS detail
    FROM moves
),
-- Funnel points of the score's components beyond a limit at q <= fdr,
-- where the value is shown, with the side they lie on.
beyond AS (
    SELECT
        f.district_id, f.period_type, f.period, f.unit_id AS community_id, f.indicator, f.q_value,
        f.value, f.denominator, p.target, f.flag,
        CASE WHEN (f.flag LIKE 'below%') = (i.direction = 'higher_better') THEN 'worse' ELSE 'better' END AS side,
        CASE f.flag WHEN 'below_998' THEN f.lower_998 WHEN 'below_95' THEN f.lower_95
                    WHEN 'above_95' THEN f.upper_95 ELSE f.upper_998 END AS limit_value,
        CASE WHEN f.flag LIKE '%998' THEN '99.8%' ELSE '95%' END AS limit_name
    FROM funnel_points f
    JOIN funnel_params p USING (period_type, period, district_id, indicator)
    JOIN metrics_score_weights w ON w.component = f.indicator AND w.weight > 0
    JOIN indicators i USING (indicator)
    CROSS JOIN metrics_params par
    WHERE f.flag <> 'within' AND f.q_value <= par.fdr AND f.denominator >= par.min_n
      AND i.direction IN ('higher_better', 'lower_better')
),
low AS (
    SELECT
        district_id, period_type, period, community_id,
        'confidently_low' AS list, indicator, q_value,
        printf('%s %.3f against the district''s %.3f (n = %d): %s its %s limit %.3f (q = %.4f), outside the district''s normal range: worth a closer look',
               indicator, value, target, denominator::BIGINT,
               CASE WHEN flag LIKE 'below%' THEN 'below' ELSE 'above' END, limit_name, limit_value, q_value) AS detail
    FROM beyond
    WHERE side = 'worse'
),
score_low AS (
    SELECT
        u.district_id, s.period_type, s.period, s.unit_id AS community_id,
        'confidently_low' AS list, 'resident_score' AS indicator,
        min(b.q_value) FILTER (WHERE b.side = 'worse') AS q_value,
        printf('resident_score %.1f; components outside the district''s normal range on the worse side: %s: worth a closer look',
               any_value(s.score),
               array_to_string(list(b.indicator ORDER BY b.indicator) FILTER (WHERE b.side = 'worse'), ', ')) AS detail
    FROM metrics_scores s
    JOIN metrics_units u ON u.unit_no = s.unit_no
    JOIN beyond b ON b.period_type = s.period_type AND b.period = s.period AND b.community_id = s.unit_id
    WHERE s.level = 'community' AND NOT s.suppressed
    GROUP BY u.district_id, s.period_type, s.period, s.unit_id
    HAVING count(*) FILTER (WHERE b.side = 'worse') > 0 AND count(*) FILTER (WHERE b.side = 'better') = 0
)
SELECT par.run_id, f.district_id, f.period_type, f.period, f.community_id, f.list, f.indicator, f.detail, f.q_value
FROM (
    SELECT district_id, period_type, period, community_id, list, indicator, detail, q_value FROM comp
    UNION ALL
    SELECT district_id, period_type, period, community_id, list, indicator, detail, q_value FROM score_lists
    WHERE list IS NOT NULL
    UNION ALL
    SELECT district_id, period_type, period, community_id, list, indicator, detail, q_value FROM low
    UNION ALL
    SELECT district_id, period_type, period, community_id, list, indicator, detail, q_value FROM score_low
) f
CROSS JOIN metrics_params par;
