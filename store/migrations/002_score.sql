-- 002: the resident score's companion tables. indicator_values
-- keeps exactly its contract columns; what a reader needs to trust a score
-- or a rate beyond them lives here. Every table is replaced as a whole by
-- each metrics run, in the same transaction as indicator_values, and holds
-- that run's rows only. Proportions are fractions 0..1, scores 0..100.

------------------------------------------------------------------------------
CREATE TABLE indicator_changes (
    run_id             VARCHAR NOT NULL,
    period_type        VARCHAR NOT NULL,
    period             VARCHAR NOT NULL,
    level              VARCHAR NOT NULL,
    unit_id            VARCHAR NOT NULL,
    indicator          VARCHAR NOT NULL,
    previous_period    VARCHAR NOT NULL,
    value              DOUBLE  NOT NULL,
    previous_value     DOUBLE  NOT NULL,
    change             DOUBLE  NOT NULL,
    z                  DOUBLE,
    p_value            DOUBLE,
    change_significant BOOLEAN NOT NULL
);
COMMENT ON TABLE indicator_changes IS 'Change of every proportion over the previous period of the same type (month vs previous month, quarter vs previous quarter, year vs previous year), per unit at every level. A row only where both periods have a value: denominators >= 1 and neither suppressed (so n >= thresholds.min_n in both). Two-proportion z-test with pooled p, two-sided.';
COMMENT ON COLUMN indicator_changes.previous_period IS 'The period before period, of the same period_type (2025-03 -> 2025-02, 2025-Q1 -> 2024-Q4, 2025 -> 2024).';
COMMENT ON COLUMN indicator_changes.value IS 'numerator / denominator in period (as indicator_values.value).';
COMMENT ON COLUMN indicator_changes.previous_value IS 'numerator / denominator in previous_period.';
COMMENT ON COLUMN indicator_changes.change IS 'value - previous_value, in proportion points (0.05 = 5 percentage points). Positive is better only for higher_better indicators (see indicators.direction).';
COMMENT ON COLUMN indicator_changes.z IS 'Two-proportion z statistic: change / sqrt(p(1-p)(1/n1 + 1/n0)), p = (x1 + x0) / (n1 + n0) pooled over both periods. 0 when p is 0 or 1 (both values equal). NULL when a value lies outside 0..1 (survey_response_rate above 1).';
COMMENT ON COLUMN indicator_changes.p_value IS 'Two-sided p-value of z: 2 (1 - Phi(|z|)). NULL with z.';
COMMENT ON COLUMN indicator_changes.change_significant IS 'p_value < 0.05. False when p_value is NULL.';

------------------------------------------------------------------------------
CREATE TABLE indicator_targets (
    run_id       VARCHAR NOT NULL,
    period_type  VARCHAR NOT NULL,
    period       VARCHAR NOT NULL,
    level        VARCHAR NOT NULL,
    unit_id      VARCHAR NOT NULL,
    indicator    VARCHAR NOT NULL,
    target       DOUBLE  NOT NULL,
    target_ratio DOUBLE
);
COMMENT ON TABLE indicator_targets IS 'Distance to the goals of config targets.<indicator>, one row per indicator_values row of a targeted indicator (every unit, level and period), in the manner of Boston''s CityScore.';
COMMENT ON COLUMN indicator_targets.target IS 'The configured goal, in the unit of the indicator.';
COMMENT ON COLUMN indicator_targets.target_ratio IS 'value / target for higher_better indicators, target / value for lower_better ones: 1 = on target, above 1 = better than the target. NULL when the value is NULL (suppressed) or, for lower_better, 0.';

------------------------------------------------------------------------------
CREATE TABLE score_components (
    run_id            VARCHAR NOT NULL,
    period_type       VARCHAR NOT NULL,
    period            VARCHAR NOT NULL,
    level             VARCHAR NOT NULL,
    unit_id           VARCHAR NOT NULL,
    component         VARCHAR NOT NULL,
    raw_value         DOUBLE,
    ci_low            DOUBLE,
    ci_high           DOUBLE,
    shrunk_value      DOUBLE,
    weight_configured DOUBLE  NOT NULL,
    weight_effective  DOUBLE  NOT NULL,
    used              BOOLEAN NOT NULL
);
COMMENT ON TABLE score_components IS 'How each resident_score was made: one row per unit, period and configured component (score.weights). Values are oriented as they enter the score: for escalation_share that is 1 - share, with its interval flipped. The score uses shrunk_value for a community and the pooled raw_value for a street or district.';
COMMENT ON COLUMN score_components.raw_value IS 'The component''s value in indicator_values (1 - value for escalation_share); NULL when suppressed.';
COMMENT ON COLUMN score_components.ci_low IS 'Wilson 95% lower bound of raw_value; NULL when suppressed.';
COMMENT ON COLUMN score_components.ci_high IS 'Wilson 95% upper bound of raw_value; NULL when suppressed.';
COMMENT ON COLUMN score_components.shrunk_value IS 'Empirical-Bayes shrunk value (communities only; 1 - shrunk share for escalation_share). Kept for a suppressed component too, though it is then not used.';
COMMENT ON COLUMN score_components.weight_configured IS 'The weight of score.weights.';
COMMENT ON COLUMN score_components.weight_effective IS 'The weight after renormalising over the components used (they sum to 1); 0 when not used.';
COMMENT ON COLUMN score_components.used IS 'Whether the component entered the score: not suppressed, weight > 0, and the score itself not suppressed.';

------------------------------------------------------------------------------
CREATE TABLE score_peers (
    run_id      VARCHAR NOT NULL,
    period_type VARCHAR NOT NULL,
    period      VARCHAR NOT NULL,
    district_id VARCHAR NOT NULL,
    community_id VARCHAR NOT NULL,
    area_type   VARCHAR,
    score       DOUBLE,
    peer_median DOUBLE,
    peer_n      BIGINT  NOT NULL,
    peer_diff   DOUBLE
);
COMMENT ON TABLE score_peers IS 'Each community''s resident_score against its peers: the communities of the same area_type in the same district and period (old town and new build differ in what they can do). One row per community and period.';
COMMENT ON COLUMN score_peers.score IS 'The community''s resident_score; NULL when suppressed.';
COMMENT ON COLUMN score_peers.peer_median IS 'Median (interpolated for an even count) of the non-suppressed resident_scores of the peer group, the community itself included. NULL when area_type is unknown or no peer has a score.';
COMMENT ON COLUMN score_peers.peer_n IS 'Number of scores behind peer_median (0 when area_type is unknown).';
COMMENT ON COLUMN score_peers.peer_diff IS 'score - peer_median, in score points.';

------------------------------------------------------------------------------
CREATE TABLE follow_up (
    run_id       VARCHAR NOT NULL,
    district_id  VARCHAR NOT NULL,
    period_type  VARCHAR NOT NULL,
    period       VARCHAR NOT NULL,
    community_id VARCHAR NOT NULL,
    list         VARCHAR NOT NULL,
    indicator    VARCHAR NOT NULL,
    detail       VARCHAR NOT NULL
);
COMMENT ON TABLE follow_up IS 'Follow-up lists per district and period (an honest 红黑榜), never built from raw small-sample rates. improved / declined: a score component (indicator = the component) whose change over the previous period is significant (indicator_changes, p < 0.05) in the better or worse direction; or the score itself (indicator = resident_score) when it moved in a direction that at least one used component''s significant change supports and no component contradicts. confidently_low (indicator = resident_score): a shrunk score in the bottom fifth of the district (cume_dist <= 0.2 among scored communities) whose interval upper bound lies below the district median score.';
COMMENT ON COLUMN follow_up.list IS 'improved, declined or confidently_low.';
COMMENT ON COLUMN follow_up.detail IS 'The numbers behind the entry, in words, for a page or a researcher.';
