-- params.sql: the parameters of one metrics run, as a one-row temporary
-- table that every other file joins. The values are bound from Go (the ?
-- placeholders of the INSERT, in this order), never spliced into SQL text.
--
--   run_id          written on every indicator_values row
--   as_of           the data cut-off, a local TIMESTAMP. When none is given
--                   (NULL) it is the latest timestamp seen in cases:
--                   max over cases of greatest(reported_at, first_response_at,
--                   closed_at, updated_at) (greatest skips NULLs). With no
--                   case at all it stays NULL: no case indicator has data
--                   and overdue_open is not emitted.
--   min_n           rows below which proportions and estimates are suppressed
--   items           survey dimension items to report (from Go's allow-list),
--                   as a comma-separated list
--   w_response, w_resolution, w_satisfaction
--                   the weights of three_rates_score
--   w_basically     the weight of 'basically_satisfied' in satisfaction_rate_12345
--   score_components, score_weights
--                   score.weights as two parallel lists (component i has
--                   weight i), components sorted by name, checked in Go
--                   against the allow-list ScoreComponents
--   resident_components
--                   the components that are residents' own judgement
--   target_indicators, target_values
--                   targets.<indicator> as two parallel lists (may be empty)
--   fdr             follow_up.fdr: the largest q-value a follow-up list admits
--   spc_baseline_months, spc_trend_points, spc_shift_points
--                   the control-chart rules (spc.*)
--   case_mix        score.case_mix: the score's record components enter
--                   as their .standardised rates
--   post_strata     survey.post_strata.variables ([] = no weighting)
--   min_cell        survey.min_cell
--   max_weight      survey.max_weight
--   rank_draws      ranks.draws: simulated draws per rank interval

CREATE OR REPLACE TEMP TABLE metrics_params (
    run_id         VARCHAR   NOT NULL,
    as_of          TIMESTAMP,
    min_n          BIGINT    NOT NULL,
    items          VARCHAR[] NOT NULL,
    w_response     DOUBLE    NOT NULL,
    w_resolution   DOUBLE    NOT NULL,
    w_satisfaction DOUBLE    NOT NULL,
    w_basically    DOUBLE    NOT NULL,
    score_components    VARCHAR[] NOT NULL,
    score_weights       DOUBLE[]  NOT NULL,
    resident_components VARCHAR[] NOT NULL,
    target_indicators   VARCHAR[] NOT NULL,
    target_values       DOUBLE[]  NOT NULL,
    fdr                 DOUBLE    NOT NULL,
    spc_baseline_months INTEGER   NOT NULL,
    spc_trend_points    INTEGER   NOT NULL,
    spc_shift_points    INTEGER   NOT NULL,
    case_mix            BOOLEAN   NOT NULL,
    post_strata         VARCHAR[] NOT NULL,
    min_cell            INTEGER   NOT NULL,
    max_weight          DOUBLE    NOT NULL,
    rank_draws          INTEGER   NOT NULL
);

INSERT INTO metrics_params
SELECT
    ?::VARCHAR,
    coalesce(
        ?::TIMESTAMP,
        (SELECT max(greatest(reported_at, first_response_at, closed_at, updated_at)) FROM cases)),
    ?::BIGINT,
    string_split(?::VARCHAR, ','),
    ?::DOUBLE,
    ?::DOUBLE,
    ?::DOUBLE,
    ?::DOUBLE,
    ?::VARCHAR[],
    ?::DOUBLE[],
    ?::VARCHAR[],
    ?::VARCHAR[],
    ?::DOUBLE[],
    ?::DOUBLE,
    ?::INTEGER,
    ?::INTEGER,
    ?::INTEGER,
    ?::BOOLEAN,
    ?::VARCHAR[],
    ?::INTEGER,
    ?::DOUBLE,
    ?::INTEGER;
