-- 014: survey weighting. The population by stratum (input kind strata),
-- and, replaced by each metrics run like the companion tables of 002,
-- each community's respondents against that population (survey_strata).

CREATE TABLE strata (
    community_id VARCHAR,
    district_id  VARCHAR,
    age_group    VARCHAR NOT NULL,
    gender       VARCHAR,
    population   BIGINT NOT NULL,
    extra        JSON,
    source_file  VARCHAR,
    source_row   BIGINT
);
COMMENT ON TABLE strata IS 'The resident population by stratum (age group, optionally gender) of a community or of a district, one row per area × stratum: the targets of the .weighted survey rates (survey.post_strata). A community''s own rows take precedence over its district''s. Source: the strata input (columns and spellings: docs/inputs.md).';
COMMENT ON COLUMN strata.community_id IS 'The community the row describes (communities.community_id); NULL when the row is a district''s. Exactly one of community_id and district_id is set. Source: strata input.';
COMMENT ON COLUMN strata.district_id IS 'The district the row describes (communities.district_id), for its communities without rows of their own; NULL when the row is a community''s. Source: strata input.';
COMMENT ON COLUMN strata.age_group IS 'The age group, spelled as the surveys'' age_group column spells it; age groups are ordered by the first number in the label (18-34 before 35-59 before 60+). Source: strata input.';
COMMENT ON COLUMN strata.gender IS 'The gender, spelled as the surveys'' gender column spells it; NULL = the row counts the age group''s people of every gender (such a row enters the age margin only). Source: strata input.';
COMMENT ON COLUMN strata.population IS 'Residents of the area in the stratum. Unit: persons. Source: strata input.';
COMMENT ON COLUMN strata.extra IS 'Input columns outside the canonical form, as a JSON object {header: value}; kept, never published. Source: the input file.';
COMMENT ON COLUMN strata.source_file IS 'Input file the row was loaded from, as the config resolved it. Source: ingest.';
COMMENT ON COLUMN strata.source_row IS 'Row of source_file as a spreadsheet numbers it (header = 1). Source: ingest.';

CREATE TABLE survey_strata (
    run_id           VARCHAR NOT NULL,
    period_type      VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,
    community_id     VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    age_group        VARCHAR,
    gender           VARCHAR,
    respondents      BIGINT  NOT NULL,
    sample_share     DOUBLE,
    population       BIGINT,
    population_share DOUBLE,
    weight           DOUBLE,
    merged_age_group VARCHAR,
    merged_gender    VARCHAR,
    left_out         VARCHAR,
    rake_rounds      INTEGER
);
COMMENT ON TABLE survey_strata IS 'Survey representativeness, per community × period (every period type) in which the community has valid responses and population strata: its respondents against its population by stratum, the weight each stratum''s respondents got, and the responses left out of the weighted rates. Only when survey.post_strata.variables is set. Source: metrics (sql/weights.sql, weights.go); docs/decisions.md "Survey weights" explains the rules.';
COMMENT ON COLUMN survey_strata.run_id IS 'The metrics run that wrote the row (runs.run_id).';
COMMENT ON COLUMN survey_strata.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN survey_strata.period IS 'The period label (2025-03, 2025-Q1, 2025).';
COMMENT ON COLUMN survey_strata.community_id IS 'The community whose responses are weighted.';
COMMENT ON COLUMN survey_strata.source IS 'Whose population the targets are: community (the community''s own strata rows) or district (its district''s rows).';
COMMENT ON COLUMN survey_strata.age_group IS 'The stratum''s age group; NULL on the row of responses without one (left_out = missing).';
COMMENT ON COLUMN survey_strata.gender IS 'The stratum''s gender when weighting on [age_group, gender], else NULL; NULL also on the row of responses without one under [age_group, gender] (left_out = missing).';
COMMENT ON COLUMN survey_strata.respondents IS 'Valid responses of the period in the stratum (before any merging).';
COMMENT ON COLUMN survey_strata.sample_share IS 'respondents / the responses weighted (those in a stratum). NULL on left-out rows. Unit: proportion.';
COMMENT ON COLUMN survey_strata.population IS 'The stratum''s population (strata.population; for [age_group], summed over gender). NULL on left-out rows.';
COMMENT ON COLUMN survey_strata.population_share IS 'population / the area''s total population over the strata. NULL on left-out rows. Unit: proportion.';
COMMENT ON COLUMN survey_strata.weight IS 'The weight each response of the stratum carries in the .weighted rates, after merging small cells, raking, the cap survey.max_weight and renormalising to mean 1 over the weighted responses; for an empty stratum, the weight of the stratum it was merged into. NULL on left-out rows.';
COMMENT ON COLUMN survey_strata.merged_age_group IS 'The age group the stratum was merged into because it (or its age margin) had fewer than survey.min_cell respondents; NULL when not merged.';
COMMENT ON COLUMN survey_strata.merged_gender IS 'The gender the stratum was merged into because its gender margin had fewer than survey.min_cell respondents; NULL when not merged.';
COMMENT ON COLUMN survey_strata.left_out IS 'NULL on a stratum''s row. On the rows of responses left out of the weighted rates: missing (no value for a weighting variable) or not_in_strata (a value the area''s strata do not list).';
COMMENT ON COLUMN survey_strata.rake_rounds IS 'The rounds of iterative proportional fitting the weights took (at most 100; 100 may mean the margins did not converge to 1e-9), under [age_group, gender]; NULL under [age_group] (post-stratification in one step).';

COMMENT ON COLUMN rejects.kind IS 'Input kind: communities, strata, cases, services or surveys.';
COMMENT ON COLUMN ingest_files.kind IS 'Input kind: communities, strata, cases, services or surveys.';
COMMENT ON COLUMN run_inputs.kind IS 'Input kind: communities, strata, cases, services or surveys.';
