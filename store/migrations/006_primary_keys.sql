-- 006: primary keys. The clean tables hold one row per id and the manifest
-- one row per kind and content, as ingest writes them (a row loaded again
-- replaces the earlier one: delete, then insert, in one transaction); the
-- database now enforces it, so that a fault in ingest fails the load
-- instead of doubling a case in every indicator. DuckDB adds a primary key
-- to a table that has rows, checking them, and keeps its comments.
ALTER TABLE communities ADD PRIMARY KEY (community_id);
ALTER TABLE cases ADD PRIMARY KEY (case_id);
ALTER TABLE services ADD PRIMARY KEY (service_id);
ALTER TABLE survey_responses ADD PRIMARY KEY (response_id);
ALTER TABLE ingest_files ADD PRIMARY KEY (kind, sha256);

COMMENT ON TABLE communities IS 'The communities (社区, the area of one residents'' committee, 居委会) with their street and district: the units every indicator is computed for. One row per community (primary key community_id). Source: the communities input (docs/inputs.md).';
COMMENT ON COLUMN communities.community_id IS 'Community code, the primary key (社区编码). Source: communities input.';
COMMENT ON TABLE cases IS 'Cases: grid events, 12345 hotline work orders and residents'' reports, one row per case_id (the primary key; a case loaded again replaces the older version). Cohort of the case indicators: cases reported in the period up to as_of. Source: the cases inputs (docs/inputs.md); see view cases_enriched for derived fields.';
COMMENT ON COLUMN cases.case_id IS 'Case number, the primary key (工单编号, 事件编号). Source: cases input.';
COMMENT ON TABLE services IS 'Community service delivery records, one row per service_id (the primary key). Source: the services input (docs/inputs.md).';
COMMENT ON COLUMN services.service_id IS 'Service record number, the primary key (服务编号). Source: services input.';
COMMENT ON TABLE survey_responses IS 'Every resident survey response that passed ingest validation, one row per response_id (the primary key), including those the quality filter excluded (excluded_reason). Survey indicators read the view surveys (the valid ones). Answers: 1 = very dissatisfied ... 5 = very satisfied. Source: the surveys input (docs/inputs.md).';
COMMENT ON COLUMN survey_responses.response_id IS 'Response number, the primary key (答卷编号, 序号). Source: surveys input.';
COMMENT ON TABLE ingest_files IS 'Every input file loaded, one row per kind and content (primary key kind, sha256); loading an unchanged file again adds nothing. Source: ingest.';
