-- 009: fair comparison (docs/methods.md explains each method in plain
-- words). Like the companion tables of 002, every table here is replaced
-- as a whole by each metrics run, in the transaction of indicator_values,
-- and holds that run's rows only. Proportions are fractions 0..1.

------------------------------------------------------------------------------
-- Funnel plots with overdispersion (metrics/sql/funnel.sql)
------------------------------------------------------------------------------
CREATE TABLE funnel_params (
    run_id      VARCHAR NOT NULL,
    period_type VARCHAR NOT NULL,
    period      VARCHAR NOT NULL,
    district_id VARCHAR NOT NULL,
    indicator   VARCHAR NOT NULL,
    target      DOUBLE,
    units       INTEGER NOT NULL,
    phi         DOUBLE,
    chi2_p      DOUBLE,
    od_applied  BOOLEAN NOT NULL,
    tau2        DOUBLE
);
COMMENT ON TABLE funnel_params IS 'One funnel plot per district × period × proportion indicator (on_time_rate, escalation_share, callback_satisfaction_rate, satisfaction_rate, closure_gap) over the district''s communities with a denominator >= 1: the target, the overdispersion found and whether the limits were widened for it (Spiegelhalter 2005; FunnelPlotR''s defaults). Source: metrics (sql/funnel.sql).';
COMMENT ON COLUMN funnel_params.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN funnel_params.period IS 'The period label (2025-03, 2025-Q1, 2025).';
COMMENT ON COLUMN funnel_params.district_id IS 'The district whose communities form the funnel.';
COMMENT ON COLUMN funnel_params.indicator IS 'The proportion indicator (indicators.indicator).';
COMMENT ON COLUMN funnel_params.target IS 'θ₀ = Σ numerators / Σ denominators over the units: the pooled district rate, the funnel''s centre line. Unit: proportion.';
COMMENT ON COLUMN funnel_params.units IS 'I: the number of communities in the funnel (denominator >= 1).';
COMMENT ON COLUMN funnel_params.phi IS 'φ: the mean of the squared z-scores after winsorising them at their 10th and 90th percentiles. Above 1: more spread than chance alone gives. NULL when θ₀ is 0 or 1 or I < 2.';
COMMENT ON COLUMN funnel_params.chi2_p IS 'P(χ²_{I−1} >= I·φ): the test of overdispersion. NULL with phi.';
COMMENT ON COLUMN funnel_params.od_applied IS 'True when chi2_p < 0.05: the limits were widened by tau2 and z_adjusted is used.';
COMMENT ON COLUMN funnel_params.tau2 IS 'τ², the DerSimonian–Laird additive between-community variance: max(0, (I·φ − (I−1)) / (Σw − Σw²/Σw)), w = 1/s². Always stored, also when not applied. NULL with phi. Unit: proportion².';

CREATE TABLE funnel_points (
    run_id      VARCHAR NOT NULL,
    period_type VARCHAR NOT NULL,
    period      VARCHAR NOT NULL,
    district_id VARCHAR NOT NULL,
    unit_id     VARCHAR NOT NULL,
    indicator   VARCHAR NOT NULL,
    value       DOUBLE,
    numerator   DOUBLE,
    denominator DOUBLE  NOT NULL,
    z           DOUBLE,
    z_adjusted  DOUBLE,
    p_value     DOUBLE,
    q_value     DOUBLE,
    flag        VARCHAR NOT NULL,
    lower_95    DOUBLE,
    upper_95    DOUBLE,
    lower_998   DOUBLE,
    upper_998   DOUBLE
);
COMMENT ON TABLE funnel_points IS 'Each community of a funnel plot (funnel_params): its z-score, p- and q-value, the limits at its own denominator and where it falls. Source: metrics (sql/funnel.sql).';
COMMENT ON COLUMN funnel_points.district_id IS 'The district of the funnel.';
COMMENT ON COLUMN funnel_points.unit_id IS 'The community (communities.community_id).';
COMMENT ON COLUMN funnel_points.value IS 'p = numerator / denominator, the raw rate, also when indicator_values suppresses it (the funnel shows small units inside wide limits; pages show only values with denominator >= thresholds.min_n). Unit: proportion.';
COMMENT ON COLUMN funnel_points.numerator IS 'x, as in indicator_values.';
COMMENT ON COLUMN funnel_points.denominator IS 'n (>= 1), as in indicator_values.';
COMMENT ON COLUMN funnel_points.z IS '(p − θ₀) / s, s = sqrt(θ₀(1−θ₀)/n). NULL when θ₀ is 0 or 1 or the funnel has fewer than 2 units.';
COMMENT ON COLUMN funnel_points.z_adjusted IS 'z·s / sqrt(s² + τ²) when od_applied; = z otherwise.';
COMMENT ON COLUMN funnel_points.p_value IS '2Φ(−|z used|), z used = z_adjusted when od_applied, else z. NULL with z.';
COMMENT ON COLUMN funnel_points.q_value IS 'Benjamini–Hochberg q-value of p_value over the district''s communities for this indicator and period. NULL with p_value.';
COMMENT ON COLUMN funnel_points.flag IS 'above_998, above_95, within, below_95 or below_998: where value lies against the limits used (a value exactly on a limit is within). within when there are no limits.';
COMMENT ON COLUMN funnel_points.lower_95 IS 'Lower 95% limit at this n: exact binomial with interpolation (Spiegelhalter 2005, A.1.1), or θ₀ − 1.96·sqrt(s² + τ²) clamped to 0..1 when od_applied. NULL without limits.';
COMMENT ON COLUMN funnel_points.upper_95 IS 'Upper 95% limit at this n (as lower_95).';
COMMENT ON COLUMN funnel_points.lower_998 IS 'Lower 99.8% limit at this n (z 3.090232306167813; as lower_95).';
COMMENT ON COLUMN funnel_points.upper_998 IS 'Upper 99.8% limit at this n (as lower_998).';

------------------------------------------------------------------------------
-- Multiple comparisons (metrics/sql/change.sql, follow_up.sql)
------------------------------------------------------------------------------
ALTER TABLE indicator_changes ADD COLUMN q_value DOUBLE;
COMMENT ON COLUMN indicator_changes.q_value IS 'Benjamini–Hochberg q-value of p_value over the district''s units of the same level for this indicator and period (community rows: over the district''s communities). The follow-up lists admit a change only at q_value <= follow_up.fdr. NULL with p_value.';
ALTER TABLE follow_up ADD COLUMN q_value DOUBLE;
COMMENT ON COLUMN follow_up.q_value IS 'The q-value that admitted the entry (<= follow_up.fdr): of the change (improved / declined; for resident_score the smallest of its supporting components) or of the funnel point (confidently_low). Lists are shown in q_value order.';

------------------------------------------------------------------------------
-- Control charts over months (metrics/sql/spc.sql)
------------------------------------------------------------------------------
CREATE TABLE spc_points (
    run_id      VARCHAR NOT NULL,
    level       VARCHAR NOT NULL,
    unit_id     VARCHAR NOT NULL,
    indicator   VARCHAR NOT NULL,
    period      VARCHAR NOT NULL,
    value       DOUBLE  NOT NULL,
    denominator DOUBLE  NOT NULL,
    centre      DOUBLE,
    lower       DOUBLE,
    upper       DOUBLE,
    lower_2s    DOUBLE,
    upper_2s    DOUBLE,
    rule        VARCHAR NOT NULL,
    signal      VARCHAR NOT NULL,
    baseline    BOOLEAN NOT NULL,
    trial       BOOLEAN NOT NULL
);
COMMENT ON TABLE spc_points IS 'Laney p′ control chart of every proportion indicator per community, street and district over its months (NHS England "Making Data Count"): one row per month with a value (suppressed months are left out, not zeros). Source: metrics (sql/spc.sql).';
COMMENT ON COLUMN spc_points.level IS 'community, street or district.';
COMMENT ON COLUMN spc_points.period IS 'The month (2025-03).';
COMMENT ON COLUMN spc_points.value IS 'p_t, as indicator_values.value. Unit: proportion.';
COMMENT ON COLUMN spc_points.denominator IS 'n_t, as indicator_values.denominator.';
COMMENT ON COLUMN spc_points.centre IS 'p̄ = Σx/Σn over the baseline (the unit''s first spc.baseline_months months with a value).';
COMMENT ON COLUMN spc_points.lower IS 'p̄ − 3σ_t·σ_z, σ_t = sqrt(p̄(1−p̄)/n_t), σ_z = mean |z_t − z_{t−1}| / 1.128 over the baseline, floored at 1; clamped to 0..1.';
COMMENT ON COLUMN spc_points.upper IS 'p̄ + 3σ_t·σ_z, clamped to 0..1.';
COMMENT ON COLUMN spc_points.lower_2s IS 'p̄ − 2σ_t·σ_z (the band of the two-of-three rule), clamped to 0..1.';
COMMENT ON COLUMN spc_points.upper_2s IS 'p̄ + 2σ_t·σ_z, clamped to 0..1.';
COMMENT ON COLUMN spc_points.rule IS 'The special-cause rule this point is part of, in precedence: outside_upper, outside_lower, trend_up, trend_down, two_of_three_high, two_of_three_low, shift_high, shift_low; none otherwise.';
COMMENT ON COLUMN spc_points.signal IS 'improvement or concern (from rule and the indicator''s direction), none when rule is none (or the indicator is neutral).';
COMMENT ON COLUMN spc_points.baseline IS 'True for the months that fixed centre and limits.';
COMMENT ON COLUMN spc_points.trial IS 'True when the unit has fewer than 12 months with a value: the limits are trial limits.';

------------------------------------------------------------------------------
-- Uncertainty of ranks (metrics/sql/ranks.sql, metrics/ranks.go)
------------------------------------------------------------------------------
CREATE TABLE rank_intervals (
    run_id         VARCHAR NOT NULL,
    period_type    VARCHAR NOT NULL,
    period         VARCHAR NOT NULL,
    level          VARCHAR NOT NULL,
    district_id    VARCHAR NOT NULL,
    unit_id        VARCHAR NOT NULL,
    indicator      VARCHAR NOT NULL,
    units          INTEGER NOT NULL,
    rank           INTEGER,
    expected_rank  DOUBLE  NOT NULL,
    rank_low       INTEGER NOT NULL,
    rank_high      INTEGER NOT NULL,
    p_bottom_fifth DOUBLE  NOT NULL
);
COMMENT ON TABLE rank_intervals IS 'How sure a community''s rank in its district is (Goldstein & Spiegelhalter 1996; Marshall & Spiegelhalter 1998), per district × period for resident_score and each of its components, over the district''s ranked communities. Rank 1 is the best given the indicator''s direction. Source: metrics (sql/ranks.sql, ranks.go).';
COMMENT ON COLUMN rank_intervals.level IS 'community.';
COMMENT ON COLUMN rank_intervals.district_id IS 'The district the community is ranked in.';
COMMENT ON COLUMN rank_intervals.units IS 'K: the number of communities ranked.';
COMMENT ON COLUMN rank_intervals.rank IS 'The point rank: indicator_values.rank for resident_score; for a component, by its shrunk value (ties share the better rank).';
COMMENT ON COLUMN rank_intervals.expected_rank IS 'E[rank] = 1 + Σ_{j≠i} P(θ_j better than θ_i), normal approximation of the posteriors (Beta(x + M·m, n − x + M(1−m)) of the shrinkage step).';
COMMENT ON COLUMN rank_intervals.rank_low IS 'The 2.5% quantile (type 1) of the rank over ranks.draws seeded simulated draws from the posteriors: the best rank the community could plausibly have.';
COMMENT ON COLUMN rank_intervals.rank_high IS 'The 97.5% quantile (type 1) of the simulated ranks: the worst plausible rank.';
COMMENT ON COLUMN rank_intervals.p_bottom_fifth IS 'The share of draws in which the community ranks among the worst floor(K/5) (at least 1).';

CREATE TABLE rankability (
    run_id                    VARCHAR NOT NULL,
    period_type               VARCHAR NOT NULL,
    period                    VARCHAR NOT NULL,
    district_id               VARCHAR NOT NULL,
    indicator                 VARCHAR NOT NULL,
    units                     INTEGER NOT NULL,
    tau2                      DOUBLE,
    median_sampling_variance  DOUBLE,
    rankability               DOUBLE
);
COMMENT ON TABLE rankability IS 'Whether a measure can tell the district''s communities apart at all: ρ = τ² / (τ² + median sampling variance), per district × period × ranked indicator. Below 0.5 the scorecard says the communities cannot be told apart reliably on this measure. Source: metrics (sql/ranks.sql).';
COMMENT ON COLUMN rankability.units IS 'K: the communities ranked.';
COMMENT ON COLUMN rankability.tau2 IS 'The between-community variance: the shrinkage step''s method-of-moments τ² for a proportion; for resident_score see docs/methods.md. Unit: proportion² (score: points²).';
COMMENT ON COLUMN rankability.median_sampling_variance IS 'The median over the communities of their sampling variance, m(1−m)/n_i for a proportion.';
COMMENT ON COLUMN rankability.rankability IS 'ρ in 0..1; NULL when τ² <= 0 (the communities cannot be told apart).';

------------------------------------------------------------------------------
-- The key columns, as in the companion tables of 002.
------------------------------------------------------------------------------
COMMENT ON COLUMN funnel_params.run_id IS 'The metrics run (runs.run_id).';
COMMENT ON COLUMN funnel_points.run_id IS 'The metrics run (runs.run_id).';
COMMENT ON COLUMN funnel_points.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN funnel_points.period IS 'The period label.';
COMMENT ON COLUMN funnel_points.indicator IS 'The proportion indicator (as funnel_params.indicator).';
COMMENT ON COLUMN spc_points.run_id IS 'The metrics run (runs.run_id).';
COMMENT ON COLUMN spc_points.unit_id IS 'The community, street or district id.';
COMMENT ON COLUMN spc_points.indicator IS 'The proportion indicator (indicators.indicator).';
COMMENT ON COLUMN rank_intervals.run_id IS 'The metrics run (runs.run_id).';
COMMENT ON COLUMN rank_intervals.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN rank_intervals.period IS 'The period label.';
COMMENT ON COLUMN rank_intervals.unit_id IS 'The community (communities.community_id).';
COMMENT ON COLUMN rank_intervals.indicator IS 'resident_score or one of its components.';
COMMENT ON COLUMN rankability.run_id IS 'The metrics run (runs.run_id).';
COMMENT ON COLUMN rankability.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN rankability.period IS 'The period label.';
COMMENT ON COLUMN rankability.district_id IS 'The district.';
COMMENT ON COLUMN rankability.indicator IS 'resident_score or one of its components.';
