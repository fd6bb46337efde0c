-- peers.sql: each community's resident_score against its peers — the
-- communities of the same area_type in the same district and period (an
-- old town and a new build differ in what they can do). Written to
-- score_peers, one row per community and period of resident_score.
--
--   peer_median  median (quantile_cont 0.5: the mean of the two middle
--                scores for an even count) of the non-suppressed scores of
--                the group. Decision: the community itself is one of its
--                peers (it belongs to the group whose median it is compared
--                with), so a group of one has peer_diff 0.
--   peer_n       number of scores behind peer_median
--   peer_diff    score − peer_median (NULL when the score is suppressed)
-- Decision: a community whose area_type is unknown (NULL) has no peer group:
-- peer_median and peer_diff NULL, peer_n 0 — unknowns are not peers of one
-- another.

INSERT INTO score_peers
    (run_id, period_type, period, district_id, community_id, area_type, score, peer_median, peer_n, peer_diff)
WITH s AS (
    SELECT v.period_type, v.period, v.period_key, v.district_no, u.district_id, v.unit_id AS community_id,
           u.area_type, v.value AS score
    FROM metrics_values v
    JOIN metrics_units u USING (unit_no)
    WHERE v.level = 'community' AND v.indicator = 'resident_score'
),
p AS (
    SELECT
        *,
        CASE WHEN area_type IS NOT NULL
             THEN median(score) OVER peers END         AS peer_median,
        CASE WHEN area_type IS NOT NULL
             THEN count(score) OVER peers ELSE 0 END   AS peer_n
    FROM s
    WINDOW peers AS (PARTITION BY district_no, period_key, area_type)
)
SELECT par.run_id, period_type, period, district_id, community_id, area_type, score,
       peer_median, peer_n, score - peer_median
FROM p
CROSS JOIN metrics_params par;
