-- 001: the clean tables, rejects, the ingest manifest and the indicator output.
-- Timestamps are local TIMESTAMP values in the configured timezone.

CREATE TABLE communities (
    community_id       VARCHAR NOT NULL,
    community_name     VARCHAR NOT NULL,
    street_id          VARCHAR NOT NULL,
    street_name        VARCHAR NOT NULL,
    district_id        VARCHAR NOT NULL,
    district_name      VARCHAR NOT NULL,
    households         BIGINT  NOT NULL,
    population         BIGINT  NOT NULL,
    elderly_population BIGINT,
    area_type          VARCHAR,
    service_space_m2   DOUBLE,
    grid_count         BIGINT,
    block_id           VARCHAR,
    extra              JSON,
    source_file        VARCHAR,
    source_row         BIGINT
);

CREATE TABLE cases (
    case_id               VARCHAR NOT NULL,
    community_id          VARCHAR NOT NULL,
    grid_id               VARCHAR,
    source                VARCHAR,
    category              VARCHAR NOT NULL,
    subcategory           VARCHAR,
    reported_at           TIMESTAMP NOT NULL,
    first_response_at     TIMESTAMP,
    due_at                TIMESTAMP,
    due_at_from_sla       BOOLEAN,
    closed_at             TIMESTAMP,
    resolution_level      VARCHAR NOT NULL,
    callback_satisfaction VARCHAR,
    callback_contacted    BOOLEAN,
    callback_resolved     BOOLEAN,
    reopened              BOOLEAN,
    updated_at            TIMESTAMP,
    extra                 JSON,
    source_file           VARCHAR,
    source_row            BIGINT,
    load_seq              BIGINT
);

CREATE TABLE services (
    service_id     VARCHAR NOT NULL,
    community_id   VARCHAR NOT NULL,
    service_date   DATE NOT NULL,
    service_type   VARCHAR NOT NULL,
    target_group   VARCHAR,
    provider_type  VARCHAR NOT NULL,
    recipients     BIGINT NOT NULL,
    hours          DOUBLE,
    recipient_hash VARCHAR,
    extra          JSON,
    source_file    VARCHAR,
    source_row     BIGINT
);

-- Every response that passed ingest validation; the quality filter sets
-- excluded_reason (speeder, duplicate_respondent) and the kept flags.
CREATE TABLE survey_responses (
    response_id      VARCHAR NOT NULL,
    community_id     VARCHAR NOT NULL,
    submitted_at     TIMESTAMP NOT NULL,
    respondent_hash  VARCHAR,
    channel          VARCHAR,
    duration_seconds DOUBLE,
    ip_hash          VARCHAR,
    q_overall        TINYINT,
    q_environment    TINYINT,
    q_safety         TINYINT,
    q_services       TINYINT,
    q_responsiveness TINYINT,
    q_facilities     TINYINT,
    q_participation  TINYINT,
    q_fairness       TINYINT,
    age_group        VARCHAR,
    gender           VARCHAR,
    extra            JSON,
    source_file      VARCHAR,
    source_row       BIGINT,
    excluded_reason  VARCHAR,
    straightlining   BOOLEAN,
    burst            BOOLEAN
);

-- The valid responses: what every survey indicator reads.
CREATE VIEW surveys AS
SELECT * EXCLUDE (excluded_reason) FROM survey_responses WHERE excluded_reason IS NULL;

CREATE TABLE rejects (
    kind        VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row  BIGINT,
    reason      VARCHAR NOT NULL,
    detail      VARCHAR,
    raw         JSON
);

CREATE TABLE ingest_files (
    path          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    rows_read     BIGINT NOT NULL,
    rows_clean    BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    loaded_at     TIMESTAMP NOT NULL
);

CREATE TABLE indicators (
    indicator VARCHAR NOT NULL,
    family    VARCHAR NOT NULL,
    name_zh   VARCHAR NOT NULL,
    name_en   VARCHAR NOT NULL,
    unit      VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL,
    definition VARCHAR
);

CREATE TABLE indicator_values (
    run_id       VARCHAR NOT NULL,
    period_type  VARCHAR NOT NULL,
    period       VARCHAR NOT NULL,
    level        VARCHAR NOT NULL,
    unit_id      VARCHAR NOT NULL,
    indicator    VARCHAR NOT NULL,
    value        DOUBLE,
    numerator    DOUBLE,
    denominator  DOUBLE,
    ci_low       DOUBLE,
    ci_high      DOUBLE,
    shrunk_value DOUBLE,
    suppressed   BOOLEAN NOT NULL,
    rank         INTEGER
);

CREATE TABLE runs (
    run_id         VARCHAR NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP,
    version        VARCHAR NOT NULL,
    duckdb_version VARCHAR NOT NULL,
    as_of          TIMESTAMP,
    config_json    JSON
);
