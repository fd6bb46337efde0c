-- 003: the database as a research artefact.
--   * provenance: more columns on runs, and run_inputs (the files behind a run);
--   * views researchers reach for: latest_run, cases_enriched,
--     survey_items_long and scorecard_wide (the last is rebuilt with one
--     column per indicator by store.RefreshScorecard after every compute);
--   * COMMENT ON every table, view and column: meaning, unit, source.
--     `civicscore schema --markdown` turns them into docs/schema.md, and a
--     test fails when any table, view or column is left without one.
-- Conventions of the comments: "Unit:" says how a number is measured,
-- "Source:" where a value comes from (an input column with its Chinese
-- header, a config key, or the stage of civicscore that derives it).
-- Timestamps are local TIMESTAMP values in the configured timezone.

------------------------------------------------------------------------------
-- Provenance
------------------------------------------------------------------------------
ALTER TABLE runs ADD COLUMN config_sha256 VARCHAR;
ALTER TABLE runs ADD COLUMN config_file VARCHAR;
ALTER TABLE runs ADD COLUMN schema_version INTEGER;
ALTER TABLE runs ADD COLUMN definitions_version VARCHAR;

CREATE TABLE run_inputs (
    run_id        VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    path          VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    rows_read     BIGINT  NOT NULL,
    rows_clean    BIGINT  NOT NULL,
    rows_rejected BIGINT  NOT NULL,
    loaded_at     TIMESTAMP NOT NULL,
    status        VARCHAR NOT NULL
);

------------------------------------------------------------------------------
-- Views
------------------------------------------------------------------------------

-- The run whose rows indicator_values holds (the newest by started_at when
-- there are several). No row before the first compute.
CREATE VIEW latest_run AS
SELECT v.run_id, r.started_at, r.finished_at, r.version, r.duckdb_version, r.as_of,
       r.config_sha256, r.definitions_version
FROM (SELECT DISTINCT run_id FROM indicator_values) AS v
LEFT JOIN runs AS r ON r.run_id = v.run_id
ORDER BY r.started_at DESC NULLS LAST, v.run_id DESC
LIMIT 1;

-- One row per case with the fields the case indicators derive, computed as
-- metrics/sql computes them, so that aggregating this view reproduces
-- indicator_values (on_time_rate = count_if(on_time) / count(on_time)).
CREATE VIEW cases_enriched AS
WITH cut AS (
    SELECT coalesce(
        (SELECT as_of FROM latest_run),
        (SELECT max(greatest(reported_at, first_response_at, closed_at, updated_at)) FROM cases)
    ) AS as_of
),
c AS (
    SELECT c.*, cut.as_of,
        CASE WHEN c.reported_at > cut.as_of                         THEN 'after_as_of'
             WHEN c.closed_at IS NOT NULL AND c.closed_at <= cut.as_of THEN 'closed'
             WHEN c.due_at <= cut.as_of                             THEN 'overdue'
             ELSE 'pending' END AS status
    FROM cases AS c, cut
)
SELECT
    c.case_id,
    c.community_id, k.community_name, k.street_id, k.street_name,
    k.district_id, k.district_name, k.area_type,
    c.grid_id, c.source, c.category, c.subcategory,
    c.reported_at, c.first_response_at, c.due_at, c.due_at_from_sla, c.closed_at,
    c.resolution_level, c.callback_satisfaction, c.callback_contacted,
    c.callback_resolved, c.reopened, c.updated_at,
    strftime(c.reported_at, '%Y-%m')                            AS month,
    strftime(c.reported_at, '%Y') || '-Q' || quarter(c.reported_at) AS quarter,
    strftime(c.reported_at, '%Y')                               AS year,
    c.as_of,
    c.status,
    CASE WHEN c.status = 'closed'
         THEN epoch(c.closed_at - c.reported_at) / 3600.0 END   AS resolution_hours,
    CASE WHEN c.first_response_at >= c.reported_at
         THEN epoch(c.first_response_at - c.reported_at) / 3600.0 END AS first_response_hours,
    CASE c.status WHEN 'closed'  THEN coalesce(c.closed_at <= c.due_at, false)
                  WHEN 'overdue' THEN false END                 AS on_time,
    c.resolution_level <> 'community'                           AS escalated,
    c.callback_satisfaction IS NOT NULL                         AS callback_answered,
    c.callback_satisfaction IN ('satisfied', 'basically_satisfied') AS callback_satisfied,
    c.source_file, c.source_row
FROM c
LEFT JOIN communities AS k ON k.community_id = c.community_id;

-- Valid survey responses (view surveys) in long form: one row per response
-- and answered item.
CREATE VIEW survey_items_long AS
SELECT s.response_id, s.community_id, strftime(s.submitted_at, '%Y-%m') AS month, a.item, a.answer
FROM surveys AS s,
LATERAL (VALUES ('q_overall',        s.q_overall),
                ('q_environment',    s.q_environment),
                ('q_safety',         s.q_safety),
                ('q_services',       s.q_services),
                ('q_responsiveness', s.q_responsiveness),
                ('q_facilities',     s.q_facilities),
                ('q_participation',  s.q_participation),
                ('q_fairness',       s.q_fairness)) AS a(item, answer)
WHERE a.answer IS NOT NULL;

-- Placeholder with the key columns only; store.RefreshScorecard replaces it
-- after every compute with one column per indicator of the registry (a
-- PIVOT with the indicator ids listed, since DuckDB views cannot pivot on
-- values read from the data). Keep the key columns in step with
-- store/scorecard.go.
CREATE VIEW scorecard_wide AS
SELECT k.community_id, k.community_name, k.street_id, k.street_name,
       k.district_id, k.district_name, k.area_type, v.month
FROM (SELECT DISTINCT unit_id AS community_id, period AS month
      FROM indicator_values
      WHERE level = 'community' AND period_type = 'month'
        AND run_id = (SELECT run_id FROM latest_run)) AS v
JOIN communities AS k USING (community_id);

------------------------------------------------------------------------------
-- Comments: 001's tables
------------------------------------------------------------------------------
COMMENT ON TABLE schema_migrations IS 'The schema migrations applied to this database (store/migrations/NNN_name.sql), one row each. Source: civicscore when it opens the database for writing.';
COMMENT ON COLUMN schema_migrations.version IS 'Migration number (the NNN of its file name); the highest is the schema version.';
COMMENT ON COLUMN schema_migrations.name IS 'File name of the migration.';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When the migration was applied. Unit: local time.';

COMMENT ON TABLE communities IS 'The communities (社区, the area of one residents'' committee, 居委会) with their street and district: the units every indicator is computed for. One row per community. Source: the communities input (columns and spellings: docs/inputs.md).';
COMMENT ON COLUMN communities.community_id IS 'Community code, unique (社区编码). Source: communities input.';
COMMENT ON COLUMN communities.community_name IS 'Community name (社区名称). Source: communities input.';
COMMENT ON COLUMN communities.street_id IS 'Code of the street (街道, sub-district) the community belongs to (街道编码). Source: communities input.';
COMMENT ON COLUMN communities.street_name IS 'Street name (街道名称). Source: communities input.';
COMMENT ON COLUMN communities.district_id IS 'Code of the district (区) the street belongs to (区编码). Source: communities input.';
COMMENT ON COLUMN communities.district_name IS 'District name (区县). Source: communities input.';
COMMENT ON COLUMN communities.households IS 'Resident households (常住户数); denominator of per-household indicators and of survey_response_rate. Unit: households. Source: communities input.';
COMMENT ON COLUMN communities.population IS 'Resident population (常住人口); denominator of per-resident service indicators. Unit: persons. Source: communities input.';
COMMENT ON COLUMN communities.elderly_population IS 'Residents aged 60 and over (60岁以上人口); NULL = not reported. Unit: persons. Source: communities input.';
COMMENT ON COLUMN communities.area_type IS 'Kind of neighbourhood: old_town (老城区), new_build (新建), mixed (混合) or other; NULL = not reported. Source: communities input (社区类型).';
COMMENT ON COLUMN communities.service_space_m2 IS 'Office and activity space of the committee (办公和活动用房面积); NULL = not reported. Unit: m². Source: communities input.';
COMMENT ON COLUMN communities.grid_count IS 'Number of grids (网格) of grid management in the community; NULL = not reported. Unit: count. Source: communities input.';
COMMENT ON COLUMN communities.block_id IS 'Block (块区/片区) the community belongs to; NULL = not reported. Source: communities input.';
COMMENT ON COLUMN communities.extra IS 'Input columns outside the canonical form, as a JSON object {header: value}; kept, never published. Source: the input file.';
COMMENT ON COLUMN communities.source_file IS 'Input file the row was loaded from, as the config resolved it (absolute when the config file was named by an absolute path, else relative to the working directory of the run). Source: ingest.';
COMMENT ON COLUMN communities.source_row IS 'Row of source_file as a spreadsheet numbers it (header = 1, first data row = 2). Source: ingest.';

COMMENT ON TABLE cases IS 'Cases: grid events, 12345 hotline work orders and residents'' reports, one row per case_id (a case loaded again replaces the older version). Cohort of the case indicators: cases reported in the period up to as_of. Source: the cases inputs (columns and spellings: docs/inputs.md); see view cases_enriched for derived fields.';
COMMENT ON COLUMN cases.case_id IS 'Case number, unique (工单编号, 事件编号). Source: cases input.';
COMMENT ON COLUMN cases.community_id IS 'Community the case belongs to (communities.community_id). Source: cases input.';
COMMENT ON COLUMN cases.grid_id IS 'Grid (网格编号) of the case; NULL = not given. Source: cases input.';
COMMENT ON COLUMN cases.source IS 'Channel the case came in by: grid_patrol (网格巡查), hotline (12345热线), app (随手拍/小程序), walk_in (来访) or other; NULL = not given. Source: cases input (来源).';
COMMENT ON COLUMN cases.category IS 'Category (大类, 诉求类型) as exported; the SLA of sla.by_category is matched on it. Source: cases input.';
COMMENT ON COLUMN cases.subcategory IS 'Subcategory (小类); NULL = not given. Source: cases input.';
COMMENT ON COLUMN cases.reported_at IS 'When the case was reported or registered (受理时间, 上报时间); decides its period. Unit: local time. Source: cases input.';
COMMENT ON COLUMN cases.first_response_at IS 'First response: dispatch or acknowledgement (响应时间, 签收时间); NULL = none recorded. Unit: local time. Source: cases input.';
COMMENT ON COLUMN cases.due_at IS 'Deadline (办理时限); when the input has none, reported_at + the SLA of the category (see due_at_from_sla). Unit: local time. Source: cases input or config sla.*.';
COMMENT ON COLUMN cases.due_at_from_sla IS 'true when due_at was empty in the input and was filled from config sla.* (hours or working days with the holiday calendar).';
COMMENT ON COLUMN cases.closed_at IS 'When the case was closed (办结时间); NULL = still open. Unit: local time. Source: cases input.';
COMMENT ON COLUMN cases.resolution_level IS 'Level that handled the case (办理层级): community, block, street, district or city; for an open case the level handling it now. Above community = escalated. Source: cases input.';
COMMENT ON COLUMN cases.callback_satisfaction IS 'The resident''s answer at the callback (回访满意度): satisfied, basically_satisfied or dissatisfied; NULL = no callback answer. Source: cases input.';
COMMENT ON COLUMN cases.callback_contacted IS 'The handling office contacted the resident (是否联系, 12345 响应); NULL = not recorded. Source: cases input.';
COMMENT ON COLUMN cases.callback_resolved IS 'At the callback the resident says the problem is solved (是否解决): the resident''s own verdict on closure; NULL = not recorded. Source: cases input.';
COMMENT ON COLUMN cases.reopened IS 'The case was reopened or handled again (重办); NULL = not recorded. Source: cases input.';
COMMENT ON COLUMN cases.updated_at IS 'Last update in the source system (更新时间); decides which version wins when a case is loaded again. Unit: local time. Source: cases input.';
COMMENT ON COLUMN cases.extra IS 'Input columns outside the canonical form, as a JSON object {header: value}; kept, never published. Source: the input file.';
COMMENT ON COLUMN cases.source_file IS 'Input file the row was loaded from, as the config resolved it (absolute when the config file was named by an absolute path, else relative to the working directory of the run). Source: ingest.';
COMMENT ON COLUMN cases.source_row IS 'Row of source_file as a spreadsheet numbers it (header = 1; for Open311 JSON the position in the array). Source: ingest.';
COMMENT ON COLUMN cases.load_seq IS 'Sequence number of the load that wrote the row (1 = the first cases file ever loaded); breaks ties between versions of a case. Source: ingest.';

COMMENT ON TABLE services IS 'Community service delivery records, one row per service_id. Source: the services input (columns and spellings: docs/inputs.md).';
COMMENT ON COLUMN services.service_id IS 'Service record number, unique (服务编号). Source: services input.';
COMMENT ON COLUMN services.community_id IS 'Community that delivered the service (communities.community_id). Source: services input.';
COMMENT ON COLUMN services.service_date IS 'Day of the service (服务日期); decides its period. Unit: local date. Source: services input.';
COMMENT ON COLUMN services.service_type IS 'elderly_care (养老), disability (助残), social_assistance (社会救助), employment (就业), health (卫生健康), culture_sports (文体), youth (青少年), legal_aid (法律援助) or other. Source: services input (服务类型).';
COMMENT ON COLUMN services.target_group IS 'Who the service is for (服务对象): elderly, disabled, low_income, youth, general or other; NULL = not given. Source: services input.';
COMMENT ON COLUMN services.provider_type IS 'Who delivered it (服务主体): residents_committee, social_org, volunteer, government or enterprise. Source: services input.';
COMMENT ON COLUMN services.recipients IS 'People served (服务人次); 1 when not given. Unit: person-times. Source: services input.';
COMMENT ON COLUMN services.hours IS 'Duration of the service (服务时长); NULL = not given. Unit: hours. Source: services input.';
COMMENT ON COLUMN services.recipient_hash IS 'Recipient identifier as hex SHA-256 of CIVICSCORE_SALT + the value given; never the identifier itself. Source: services input, hashed at ingest.';
COMMENT ON COLUMN services.extra IS 'Input columns outside the canonical form, as a JSON object {header: value}; kept, never published. Source: the input file.';
COMMENT ON COLUMN services.source_file IS 'Input file the row was loaded from, as the config resolved it (absolute when the config file was named by an absolute path, else relative to the working directory of the run). Source: ingest.';
COMMENT ON COLUMN services.source_row IS 'Row of source_file as a spreadsheet numbers it (header = 1). Source: ingest.';

COMMENT ON TABLE survey_responses IS 'Every resident survey response that passed ingest validation, one row per response_id, including those the quality filter excluded (excluded_reason). Survey indicators read the view surveys (the valid ones). Answers: 1 = very dissatisfied ... 5 = very satisfied. Source: the surveys input (columns and spellings: docs/inputs.md).';
COMMENT ON COLUMN survey_responses.response_id IS 'Response number, unique (答卷编号, 序号). Source: surveys input.';
COMMENT ON COLUMN survey_responses.community_id IS 'Community the respondent evaluates (communities.community_id). Source: surveys input.';
COMMENT ON COLUMN survey_responses.submitted_at IS 'When the response was submitted (提交答卷时间); decides its period. Unit: local time. Source: surveys input.';
COMMENT ON COLUMN survey_responses.respondent_hash IS 'Respondent (phone, household number) as hex SHA-256 of CIVICSCORE_SALT + the value given; NULL = not given. Used to find duplicate respondents. Source: surveys input, hashed at ingest.';
COMMENT ON COLUMN survey_responses.channel IS 'How the response was collected (来源渠道): online, paper, door_to_door, phone or other; NULL = not given. Source: surveys input.';
COMMENT ON COLUMN survey_responses.duration_seconds IS 'Time taken to answer (所用时间); below survey.min_duration_seconds the response is a speeder. Unit: seconds. Source: surveys input.';
COMMENT ON COLUMN survey_responses.ip_hash IS 'Submitting IP address (来自IP) as hex SHA-256 of CIVICSCORE_SALT + the address; used only for the burst flag. Source: surveys input, hashed at ingest.';
COMMENT ON COLUMN survey_responses.q_overall IS 'Overall satisfaction with the community''s work, 1..5 (5 = very satisfied); NULL = no answer (empty, 0, 不了解). Feeds satisfaction_rate, satisfaction_mean, net_satisfaction. Source: surveys input.';
COMMENT ON COLUMN survey_responses.q_environment IS 'Satisfaction with environment and sanitation (环境卫生), 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN survey_responses.q_safety IS 'Satisfaction with public safety (治安安全), 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN survey_responses.q_services IS 'Satisfaction with public services (公共服务), 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN survey_responses.q_responsiveness IS 'Satisfaction with how requests are answered (诉求响应), 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN survey_responses.q_facilities IS 'Satisfaction with facilities (设施), 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN survey_responses.q_participation IS 'Satisfaction with residents'' participation (居民参与), 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN survey_responses.q_fairness IS 'Satisfaction with fairness (公平公正), 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN survey_responses.age_group IS 'Respondent''s age group, for post-stratification; NULL = not given. Source: surveys input.';
COMMENT ON COLUMN survey_responses.gender IS 'Respondent''s gender, for post-stratification; NULL = not given. Source: surveys input.';
COMMENT ON COLUMN survey_responses.extra IS 'Input columns outside the canonical form, as a JSON object {header: value}; kept, never published. Source: the input file.';
COMMENT ON COLUMN survey_responses.source_file IS 'Input file the row was loaded from, as the config resolved it (absolute when the config file was named by an absolute path, else relative to the working directory of the run). Source: ingest.';
COMMENT ON COLUMN survey_responses.source_row IS 'Row of source_file as a spreadsheet numbers it (header = 1). Source: ingest.';
COMMENT ON COLUMN survey_responses.excluded_reason IS 'Why the quality filter left the response out: speeder or duplicate_respondent (also filed in rejects); NULL = valid. Source: ingest survey quality filter.';
COMMENT ON COLUMN survey_responses.straightlining IS 'Five or more items answered, all with the same value; flagged and kept. Source: ingest survey quality filter.';
COMMENT ON COLUMN survey_responses.burst IS 'More than survey.max_per_ip_per_day valid responses from one ip_hash in one community on one day; flagged and kept. Source: ingest survey quality filter.';

COMMENT ON VIEW surveys IS 'The valid survey responses: survey_responses without the ones the quality filter excluded (excluded_reason IS NULL). What every survey indicator reads.';
COMMENT ON COLUMN surveys.response_id IS 'Response number, unique (答卷编号). Source: surveys input.';
COMMENT ON COLUMN surveys.community_id IS 'Community the respondent evaluates. Source: surveys input.';
COMMENT ON COLUMN surveys.submitted_at IS 'When the response was submitted; decides its period. Unit: local time. Source: surveys input.';
COMMENT ON COLUMN surveys.respondent_hash IS 'Respondent as hex SHA-256 of CIVICSCORE_SALT + the value given. Source: surveys input, hashed at ingest.';
COMMENT ON COLUMN surveys.channel IS 'online, paper, door_to_door, phone or other. Source: surveys input.';
COMMENT ON COLUMN surveys.duration_seconds IS 'Time taken to answer. Unit: seconds. Source: surveys input.';
COMMENT ON COLUMN surveys.ip_hash IS 'Submitting IP as hex SHA-256 of CIVICSCORE_SALT + the address. Source: surveys input, hashed at ingest.';
COMMENT ON COLUMN surveys.q_overall IS 'Overall satisfaction, 1..5 (5 = very satisfied); NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN surveys.q_environment IS 'Environment and sanitation, 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN surveys.q_safety IS 'Public safety, 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN surveys.q_services IS 'Public services, 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN surveys.q_responsiveness IS 'Responsiveness to requests, 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN surveys.q_facilities IS 'Facilities, 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN surveys.q_participation IS 'Residents'' participation, 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN surveys.q_fairness IS 'Fairness, 1..5; NULL = no answer. Source: surveys input.';
COMMENT ON COLUMN surveys.age_group IS 'Respondent''s age group; NULL = not given. Source: surveys input.';
COMMENT ON COLUMN surveys.gender IS 'Respondent''s gender; NULL = not given. Source: surveys input.';
COMMENT ON COLUMN surveys.extra IS 'Input columns outside the canonical form, as JSON; never published. Source: the input file.';
COMMENT ON COLUMN surveys.source_file IS 'Input file the row was loaded from. Source: ingest.';
COMMENT ON COLUMN surveys.source_row IS 'Row of source_file (header = 1). Source: ingest.';
COMMENT ON COLUMN surveys.straightlining IS 'Five or more items answered, all the same value (flag only). Source: ingest survey quality filter.';
COMMENT ON COLUMN surveys.burst IS 'Part of a burst of responses from one ip_hash (flag only). Source: ingest survey quality filter.';

COMMENT ON TABLE rejects IS 'Every input row that did not become a clean row, and every survey response the quality filter excluded, with the reason: nothing is lost without a trace. The reasons and their order: docs/inputs.md. Source: ingest.';
COMMENT ON COLUMN rejects.kind IS 'Input kind: communities, cases, services or surveys.';
COMMENT ON COLUMN rejects.source_file IS 'Input file the row was read from, as the config resolved it.';
COMMENT ON COLUMN rejects.source_row IS 'Row of source_file as a spreadsheet numbers it (header = 1); NULL when the row has no position.';
COMMENT ON COLUMN rejects.reason IS 'Reason code: missing_required, bad_timestamp, bad_enum, bad_number, closed_before_reported, unknown_community, duplicate_in_file, malformed_row, stale_version, speeder or duplicate_respondent (docs/decisions.md).';
COMMENT ON COLUMN rejects.detail IS 'The column and value at fault, in words.';
COMMENT ON COLUMN rejects.raw IS 'The row as read, as a JSON object, personal columns already hashed or dropped.';

COMMENT ON TABLE ingest_files IS 'Every input file loaded, one row per kind and content (sha256); loading an unchanged file again adds nothing. Source: ingest.';
COMMENT ON COLUMN ingest_files.path IS 'Path of the file when it was loaded, as the config resolved it.';
COMMENT ON COLUMN ingest_files.kind IS 'Input kind: communities, cases, services or surveys.';
COMMENT ON COLUMN ingest_files.sha256 IS 'Hex SHA-256 of the file''s bytes.';
COMMENT ON COLUMN ingest_files.rows_read IS 'Data rows read from the file. Unit: rows.';
COMMENT ON COLUMN ingest_files.rows_clean IS 'Rows that became clean rows (for surveys: valid after the quality filter). Unit: rows.';
COMMENT ON COLUMN ingest_files.rows_rejected IS 'Rows filed in rejects. Unit: rows.';
COMMENT ON COLUMN ingest_files.loaded_at IS 'When the file was loaded. Unit: local time.';

COMMENT ON TABLE indicators IS 'The indicator registry of the latest compute: what each indicator id in indicator_values means. Source: metrics/registry.go (every definition: docs/indicators.md).';
COMMENT ON COLUMN indicators.indicator IS 'Indicator id, as in indicator_values.indicator (e.g. on_time_rate, satisfaction_rate.q_safety).';
COMMENT ON COLUMN indicators.family IS 'Family: cases, three_rates (12345 三率), surveys or services.';
COMMENT ON COLUMN indicators.name_zh IS 'Chinese name, as the report shows it.';
COMMENT ON COLUMN indicators.name_en IS 'English name.';
COMMENT ON COLUMN indicators.unit IS 'Unit of value: fraction (0..1), hours, count, per_1000, per_100, score (0..100; satisfaction_mean 1..5) or ratio.';
COMMENT ON COLUMN indicators.direction IS 'Which way is better: higher_better, lower_better or neutral.';
COMMENT ON COLUMN indicators.kind IS 'proportion (numerator / denominator with a Wilson interval, suppressed below thresholds.min_n), estimate (a mean, quantile or score; suppressed below min_n) or fact (a count or per-capita rate; never suppressed).';
COMMENT ON COLUMN indicators.definition IS 'The definition in words.';

COMMENT ON TABLE indicator_values IS 'The indicators, long form: one row per indicator, unit and period, for the run in run_id (each compute replaces the table). The stable contract for researchers (definitions: docs/indicators.md). NULL where a column does not apply. Source: civicscore compute (metrics/sql).';
COMMENT ON COLUMN indicator_values.run_id IS 'The compute run that wrote the row (runs.run_id).';
COMMENT ON COLUMN indicator_values.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN indicator_values.period IS 'Period label: 2025-03 (month), 2025-Q1 (quarter) or 2025 (year), of reported_at, service_date or submitted_at in local time.';
COMMENT ON COLUMN indicator_values.level IS 'community, street or district. A street or district pools its communities'' rows (sum of numerators / sum of denominators), never a mean of rates.';
COMMENT ON COLUMN indicator_values.unit_id IS 'community_id, street_id or district_id, by level.';
COMMENT ON COLUMN indicator_values.indicator IS 'Indicator id (indicators.indicator).';
COMMENT ON COLUMN indicator_values.value IS 'The value in the unit of indicators.unit: fractions 0..1, durations in hours, scores 0..100; NULL when suppressed or undefined (a zero denominator).';
COMMENT ON COLUMN indicator_values.numerator IS 'Numerator of a proportion, the count of a count, the sum behind a mean; NULL when not applicable. Kept when suppressed.';
COMMENT ON COLUMN indicator_values.denominator IS 'Denominator of a proportion, or the rows behind an estimate (the n that suppression tests); for per-capita facts the population or households. Kept when suppressed.';
COMMENT ON COLUMN indicator_values.ci_low IS 'Lower bound of the 95% interval (Wilson for proportions, as R prop.test(x, n, correct = FALSE)); NULL for facts and when suppressed.';
COMMENT ON COLUMN indicator_values.ci_high IS 'Upper bound of the 95% interval; NULL for facts and when suppressed.';
COMMENT ON COLUMN indicator_values.shrunk_value IS 'Empirical-Bayes (beta-binomial, method of moments) shrunk value of a community proportion, for ranking, within district and period; NULL where not computed.';
COMMENT ON COLUMN indicator_values.suppressed IS 'true when the estimate rests on fewer than thresholds.min_n rows (value and interval NULL; published pages say 样本不足).';
COMMENT ON COLUMN indicator_values.rank IS 'Rank within district and period, 1 = best, ties share the better rank; NULL where not ranked.';

COMMENT ON TABLE runs IS 'Provenance: one row per compute run (civicscore run, compute or demo). With run_inputs, says exactly what produced indicator_values. The same inputs (run_inputs.sha256) and config (config_sha256) give identical indicator values. Source: civicscore.';
COMMENT ON COLUMN runs.run_id IS 'Run id: UTC start time and a random suffix, e.g. 20250701T020304Z-a1b2c3.';
COMMENT ON COLUMN runs.started_at IS 'When the run started. Unit: local time in the configured timezone.';
COMMENT ON COLUMN runs.finished_at IS 'When the compute stage finished and this row was written (Parquet export and report follow). Unit: local time in the configured timezone.';
COMMENT ON COLUMN runs.version IS 'civicscore version (git describe of the build; dev for an unreleased build).';
COMMENT ON COLUMN runs.duckdb_version IS 'DuckDB library version, e.g. v1.5.6.';
COMMENT ON COLUMN runs.as_of IS 'The data cut-off used: config as_of, else the latest timestamp in cases. Unit: local time.';
COMMENT ON COLUMN runs.config_json IS 'The effective config (file, environment and flags, with defaults) as canonical JSON with the config file''s keys; paths relative to the config file''s folder; secrets left out (the hashing salt is never part of it).';
COMMENT ON COLUMN runs.config_sha256 IS 'Hex SHA-256 of config_json as stored: sha256(config_json::VARCHAR) = config_sha256.';
COMMENT ON COLUMN runs.config_file IS 'The config file of the run (absolute path); NULL when none. Not part of config_json, so moving a project does not change config_sha256.';
COMMENT ON COLUMN runs.schema_version IS 'Schema version of the database when the run wrote it (highest schema_migrations.version).';
COMMENT ON COLUMN runs.definitions_version IS 'Version of the indicator definitions the run computed (metrics.DefinitionsVersion, shown in report footers).';

------------------------------------------------------------------------------
-- Comments: 002's tables (the resident score's companions), for the columns 002 leaves bare
------------------------------------------------------------------------------
COMMENT ON COLUMN indicator_changes.run_id IS 'The compute run that wrote the row (runs.run_id).';
COMMENT ON COLUMN indicator_changes.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN indicator_changes.period IS 'The later period of the comparison (label as in indicator_values.period).';
COMMENT ON COLUMN indicator_changes.level IS 'community, street or district.';
COMMENT ON COLUMN indicator_changes.unit_id IS 'community_id, street_id or district_id, by level.';
COMMENT ON COLUMN indicator_changes.indicator IS 'Indicator id of a proportion (indicators.indicator).';

COMMENT ON COLUMN indicator_targets.run_id IS 'The compute run that wrote the row (runs.run_id).';
COMMENT ON COLUMN indicator_targets.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN indicator_targets.period IS 'Period label as in indicator_values.period.';
COMMENT ON COLUMN indicator_targets.level IS 'community, street or district.';
COMMENT ON COLUMN indicator_targets.unit_id IS 'community_id, street_id or district_id, by level.';
COMMENT ON COLUMN indicator_targets.indicator IS 'Indicator id with a goal in config targets (indicators.indicator).';

COMMENT ON COLUMN score_components.run_id IS 'The compute run that wrote the row (runs.run_id).';
COMMENT ON COLUMN score_components.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN score_components.period IS 'Period label as in indicator_values.period.';
COMMENT ON COLUMN score_components.level IS 'community, street or district.';
COMMENT ON COLUMN score_components.unit_id IS 'community_id, street_id or district_id, by level.';
COMMENT ON COLUMN score_components.component IS 'Score component, a key of config score.weights: satisfaction_rate, callback_satisfaction_rate, on_time_rate or escalation_share.';

COMMENT ON COLUMN score_peers.run_id IS 'The compute run that wrote the row (runs.run_id).';
COMMENT ON COLUMN score_peers.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN score_peers.period IS 'Period label as in indicator_values.period.';
COMMENT ON COLUMN score_peers.district_id IS 'District of the community and of its peer group.';
COMMENT ON COLUMN score_peers.community_id IS 'The community (communities.community_id).';
COMMENT ON COLUMN score_peers.area_type IS 'The community''s area_type, which defines the peer group; NULL = unknown (no peer group).';

COMMENT ON COLUMN follow_up.run_id IS 'The compute run that wrote the row (runs.run_id).';
COMMENT ON COLUMN follow_up.district_id IS 'District whose list this is.';
COMMENT ON COLUMN follow_up.period_type IS 'month, quarter or year.';
COMMENT ON COLUMN follow_up.period IS 'Period label as in indicator_values.period.';
COMMENT ON COLUMN follow_up.community_id IS 'The community on the list (communities.community_id).';
COMMENT ON COLUMN follow_up.indicator IS 'The score component or resident_score the entry is about (indicators.indicator).';

------------------------------------------------------------------------------
-- Comments: 003's own objects
------------------------------------------------------------------------------
COMMENT ON TABLE run_inputs IS 'Provenance: the input files behind each run, one row per file in ingest_files when the run computed (the database''s whole content), with what this run did with it. Source: civicscore.';
COMMENT ON COLUMN run_inputs.run_id IS 'The run (runs.run_id).';
COMMENT ON COLUMN run_inputs.kind IS 'Input kind: communities, cases, services or surveys.';
COMMENT ON COLUMN run_inputs.path IS 'Path the file was loaded from (ingest_files.path).';
COMMENT ON COLUMN run_inputs.sha256 IS 'Hex SHA-256 of the file''s bytes (ingest_files.sha256).';
COMMENT ON COLUMN run_inputs.rows_read IS 'Data rows read when the file was loaded. Unit: rows.';
COMMENT ON COLUMN run_inputs.rows_clean IS 'Rows that became clean rows. Unit: rows.';
COMMENT ON COLUMN run_inputs.rows_rejected IS 'Rows filed in rejects. Unit: rows.';
COMMENT ON COLUMN run_inputs.loaded_at IS 'When the file was loaded (this run or an earlier one). Unit: local time.';
COMMENT ON COLUMN run_inputs.status IS 'loaded (this run loaded it), unchanged (configured for this run, skipped because the same content was loaded before) or earlier (loaded by an earlier run and not among this run''s inputs; its rows are still in the database).';

COMMENT ON VIEW latest_run IS 'The run whose rows indicator_values holds (newest by started_at): one row, none before the first compute.';
COMMENT ON COLUMN latest_run.run_id IS 'runs.run_id.';
COMMENT ON COLUMN latest_run.started_at IS 'runs.started_at. Unit: local time.';
COMMENT ON COLUMN latest_run.finished_at IS 'runs.finished_at. Unit: local time.';
COMMENT ON COLUMN latest_run.version IS 'runs.version (civicscore version).';
COMMENT ON COLUMN latest_run.duckdb_version IS 'runs.duckdb_version.';
COMMENT ON COLUMN latest_run.as_of IS 'runs.as_of, the data cut-off. Unit: local time.';
COMMENT ON COLUMN latest_run.config_sha256 IS 'runs.config_sha256.';
COMMENT ON COLUMN latest_run.definitions_version IS 'runs.definitions_version.';

COMMENT ON VIEW cases_enriched IS 'One row per case with the fields the case indicators derive, computed as civicscore computes them, at as_of of the latest run (else the latest timestamp in cases): aggregating it reproduces indicator_values. Community, street and district names joined in.';
COMMENT ON COLUMN cases_enriched.case_id IS 'cases.case_id.';
COMMENT ON COLUMN cases_enriched.community_id IS 'cases.community_id.';
COMMENT ON COLUMN cases_enriched.community_name IS 'communities.community_name.';
COMMENT ON COLUMN cases_enriched.street_id IS 'communities.street_id.';
COMMENT ON COLUMN cases_enriched.street_name IS 'communities.street_name.';
COMMENT ON COLUMN cases_enriched.district_id IS 'communities.district_id.';
COMMENT ON COLUMN cases_enriched.district_name IS 'communities.district_name.';
COMMENT ON COLUMN cases_enriched.area_type IS 'communities.area_type: old_town, new_build, mixed, other or NULL.';
COMMENT ON COLUMN cases_enriched.grid_id IS 'cases.grid_id.';
COMMENT ON COLUMN cases_enriched.source IS 'cases.source: grid_patrol, hotline, app, walk_in or other.';
COMMENT ON COLUMN cases_enriched.category IS 'cases.category.';
COMMENT ON COLUMN cases_enriched.subcategory IS 'cases.subcategory.';
COMMENT ON COLUMN cases_enriched.reported_at IS 'cases.reported_at. Unit: local time.';
COMMENT ON COLUMN cases_enriched.first_response_at IS 'cases.first_response_at. Unit: local time.';
COMMENT ON COLUMN cases_enriched.due_at IS 'cases.due_at. Unit: local time.';
COMMENT ON COLUMN cases_enriched.due_at_from_sla IS 'cases.due_at_from_sla.';
COMMENT ON COLUMN cases_enriched.closed_at IS 'cases.closed_at (NULL = open). Unit: local time.';
COMMENT ON COLUMN cases_enriched.resolution_level IS 'cases.resolution_level: community, block, street, district or city.';
COMMENT ON COLUMN cases_enriched.callback_satisfaction IS 'cases.callback_satisfaction.';
COMMENT ON COLUMN cases_enriched.callback_contacted IS 'cases.callback_contacted.';
COMMENT ON COLUMN cases_enriched.callback_resolved IS 'cases.callback_resolved.';
COMMENT ON COLUMN cases_enriched.reopened IS 'cases.reopened.';
COMMENT ON COLUMN cases_enriched.updated_at IS 'cases.updated_at. Unit: local time.';
COMMENT ON COLUMN cases_enriched.month IS 'Period of the case: month of reported_at, e.g. 2025-03 (as indicator_values.period).';
COMMENT ON COLUMN cases_enriched.quarter IS 'Quarter of reported_at, e.g. 2025-Q1.';
COMMENT ON COLUMN cases_enriched.year IS 'Year of reported_at, e.g. 2025.';
COMMENT ON COLUMN cases_enriched.as_of IS 'The cut-off the derived fields use: latest_run.as_of, else the latest timestamp in cases. Unit: local time.';
COMMENT ON COLUMN cases_enriched.status IS 'At as_of: closed (closed_at <= as_of), overdue (open, due_at <= as_of: counted late), pending (open and not yet due, or no due_at: left out of on_time_rate) or after_as_of (reported after the cut-off: outside every indicator).';
COMMENT ON COLUMN cases_enriched.resolution_hours IS 'closed_at - reported_at for a closed case, else NULL; median_resolution_hours is its quantile_cont(0.5). Unit: hours.';
COMMENT ON COLUMN cases_enriched.first_response_hours IS 'first_response_at - reported_at when first_response_at >= reported_at, else NULL. Unit: hours.';
COMMENT ON COLUMN cases_enriched.on_time IS 'On-time flag (docs/indicators.md, on_time_rate): true = closed with closed_at <= due_at; false = closed late or without due_at, or overdue; NULL = pending or after_as_of (outside the denominator). on_time_rate = count_if(on_time) / count(on_time).';
COMMENT ON COLUMN cases_enriched.escalated IS 'resolution_level above community (block, street, district, city): the numerator of escalation_share.';
COMMENT ON COLUMN cases_enriched.callback_answered IS 'The case has a callback answer (a valid callback, 有效回访): callback_satisfaction IS NOT NULL.';
COMMENT ON COLUMN cases_enriched.callback_satisfied IS 'callback_satisfaction is satisfied or basically_satisfied (NULL when there is no answer): the numerator of callback_satisfaction_rate.';
COMMENT ON COLUMN cases_enriched.source_file IS 'cases.source_file.';
COMMENT ON COLUMN cases_enriched.source_row IS 'cases.source_row.';

COMMENT ON VIEW survey_items_long IS 'The valid survey responses (view surveys) in long form: one row per response and answered item (unanswered items are left out).';
COMMENT ON COLUMN survey_items_long.response_id IS 'surveys.response_id.';
COMMENT ON COLUMN survey_items_long.community_id IS 'surveys.community_id.';
COMMENT ON COLUMN survey_items_long.month IS 'Month of submitted_at, e.g. 2025-03 (as indicator_values.period).';
COMMENT ON COLUMN survey_items_long.item IS 'The question: q_overall, q_environment, q_safety, q_services, q_responsiveness, q_facilities, q_participation or q_fairness.';
COMMENT ON COLUMN survey_items_long.answer IS 'The answer, 1 = very dissatisfied ... 5 = very satisfied.';

COMMENT ON VIEW scorecard_wide IS 'One row per community and month with one column per indicator (its value in indicator_values for the latest run: NULL when suppressed). Rebuilt after every compute from the registry (indicators), so new indicators get a column; indicator columns have dotted names, quote them: "satisfaction_rate.q_safety".';
COMMENT ON COLUMN scorecard_wide.community_id IS 'communities.community_id.';
COMMENT ON COLUMN scorecard_wide.community_name IS 'communities.community_name.';
COMMENT ON COLUMN scorecard_wide.street_id IS 'communities.street_id.';
COMMENT ON COLUMN scorecard_wide.street_name IS 'communities.street_name.';
COMMENT ON COLUMN scorecard_wide.district_id IS 'communities.district_id.';
COMMENT ON COLUMN scorecard_wide.district_name IS 'communities.district_name.';
COMMENT ON COLUMN scorecard_wide.area_type IS 'communities.area_type.';
COMMENT ON COLUMN scorecard_wide.month IS 'The month, e.g. 2025-03 (indicator_values.period with period_type = month).';
