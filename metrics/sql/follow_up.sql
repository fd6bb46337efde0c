-- follow_up.sql: follow-up lists per district and period, as many cities'
-- 红黑榜 do but honestly — never from raw small-sample rates. Written to
-- follow_up (store/migrations/002_score.sql).
--
-- list 'improved' / 'declined', for a community:
--   * indicator = a score component with weight > 0: its change over the
--     previous period is significant (indicator_changes, p < 0.05; both
--     periods have n >= min_n), in the better direction of the indicator
--     (improved) or the worse (declined). escalation_share is better lower.
--   * indicator = resident_score. Decision (the spec defines no test for a
--     score change, and a score mixes shrunk components whose weights can
--     be renormalised differently in the two periods): the score counts as
--     changed for the better when it has a score in both periods, it went
--     up, at least one of its components improved significantly (as
--     above) and none declined significantly; for the worse likewise.
-- list 'confidently_low', indicator = resident_score: among the district's
--   communities with a score in the period, the score (made of shrunk
--   components) is in the bottom fifth — cume_dist() by score ascending
--   <= 0.2, so a district needs at least five scored communities — and
--   the upper bound of its interval (score.sql) is below the district's
--   median score: its interval excludes the median.
-- The changes behind improved / declined compare raw rates, but never
-- small samples (n >= min_n in both periods) and only when significant;
-- confidently_low reads the shrunk score.
-- detail: the numbers behind the entry, in words.

INSERT INTO follow_up (run_id, district_id, period_type, period, community_id, list, indicator, detail)
WITH comp AS (
    SELECT
        u.district_id, c.period_type, c.period, c.unit_id AS community_id, c.indicator,
        CASE WHEN (c.change > 0) = (i.direction = 'higher_better') THEN 'improved' ELSE 'declined' END AS list,
        printf('%s %.3f → %.3f (%+.3f; z = %.2f, p = %.4f), %s → %s',
               c.indicator, c.previous_value, c.value, c.change, c.z, c.p_value,
               c.previous_period, c.period) AS detail
    FROM indicator_changes c
    JOIN metrics_score_weights w ON w.component = c.indicator AND w.weight > 0
    JOIN indicators i USING (indicator)
    JOIN metrics_units u USING (level, unit_id)
    WHERE c.level = 'community' AND c.change_significant
),
support AS (
    SELECT
        period_type, period, community_id,
        list(indicator ORDER BY indicator) FILTER (WHERE list = 'improved') AS up,
        list(indicator ORDER BY indicator) FILTER (WHERE list = 'declined') AS down
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
        sp.up, sp.down
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
        printf('resident_score %.1f → %.1f (%+.1f), %s → %s; significant component changes: %s',
               previous_score, score, delta, previous_period, period,
               array_to_string(CASE WHEN delta > 0 THEN up ELSE down END, ', ')) AS detail
    FROM moves
),
ranked AS (
    SELECT
        u.district_id, s.period_type, s.period, s.unit_id AS community_id,
        s.score, s.score_low, s.score_high, s.score_rank,
        cume_dist() OVER (PARTITION BY s.district_no, s.period_key ORDER BY s.score) AS bottom_share,
        median(s.score) OVER district AS district_median,
        count(*) OVER district        AS n_scored
    FROM metrics_scores s
    JOIN metrics_units u USING (unit_no)
    WHERE s.level = 'community' AND NOT s.suppressed
    WINDOW district AS (PARTITION BY s.district_no, s.period_key)
),
low AS (
    SELECT
        district_id, period_type, period, community_id,
        'confidently_low' AS list,
        'resident_score'  AS indicator,
        printf('resident_score %.1f (interval %.1f–%.1f) below the district median %.1f; rank %d of %d, bottom fifth',
               score, score_low, score_high, district_median, score_rank, n_scored) AS detail
    FROM ranked
    WHERE bottom_share <= 0.2 AND score_high < district_median
)
SELECT par.run_id, f.district_id, f.period_type, f.period, f.community_id, f.list, f.indicator, f.detail
FROM (
    SELECT district_id, period_type, period, community_id, list, indicator, detail FROM comp
    UNION ALL
    SELECT district_id, period_type, period, community_id, list, indicator, detail FROM score_lists
    WHERE list IS NOT NULL
    UNION ALL
    SELECT district_id, period_type, period, community_id, list, indicator, detail FROM low
) f
CROSS JOIN metrics_params par;
