-- 006: one row per id. The clean tables hold one row per id and the
-- manifest one row per kind and content, as ingest writes them (a row loaded
-- again replaces the earlier one: delete, then insert, in one transaction).
-- The small tables (communities, ingest_files) get a primary key. The large
-- ones (cases, services, survey_responses) do not: DuckDB's index makes
-- deleting rows about a hundred times slower (a reload after a settings
-- change deletes every row: 0.05 s became 29 s for a district), so ingest
-- checks after every load that no id repeats in a table it loaded, and a
-- repeat fails the load (docs/decisions.md). DuckDB adds a primary key to a
-- table that has rows, checking them, and keeps its comments.
ALTER TABLE communities ADD PRIMARY KEY (community_id);
ALTER TABLE ingest_files ADD PRIMARY KEY (kind, sha256);

COMMENT ON TABLE communities IS 'The communities (社区, the area of one residents'' committee, 居委会) with their street and district: the units every indicator is computed for. One row per community (primary key community_id). Source: the communities input (docs/inputs.md).';
COMMENT ON COLUMN communities.community_id IS 'Community code, the primary key (社区编码). Source: communities input.';
COMMENT ON TABLE cases IS 'Cases: grid events, 12345 hotline work orders and residents'' reports, one row per case_id (a case loaded again replaces the older version; ingest checks after every load that no case_id repeats). Cohort of the case indicators: cases reported in the period up to as_of. Source: the cases inputs (docs/inputs.md); see view cases_enriched for derived fields.';
COMMENT ON COLUMN cases.case_id IS 'Case number, unique (工单编号, 事件编号). Source: cases input.';
COMMENT ON TABLE services IS 'Community service delivery records, one row per service_id (ingest checks after every load that none repeats). Source: the services input (docs/inputs.md).';
COMMENT ON COLUMN services.service_id IS 'Service record number, unique (服务编号). Source: services input.';
COMMENT ON TABLE survey_responses IS 'Every resident survey response that passed ingest validation, one row per response_id (ingest checks after every load that none repeats), including those the quality filter excluded (excluded_reason). Survey indicators read the view surveys (the valid ones). Answers: 1 = very dissatisfied ... 5 = very satisfied. Source: the surveys input (docs/inputs.md).';
COMMENT ON COLUMN survey_responses.response_id IS 'Response number, unique (答卷编号, 序号). Source: surveys input.';
COMMENT ON TABLE ingest_files IS 'Every input file loaded, one row per kind and content (primary key kind, sha256); loading an unchanged file again adds nothing. Source: ingest.';
