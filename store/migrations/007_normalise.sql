-- 007: what normalisation records. cases.status (open / closed /
-- cancelled, from a status column of the input): a cancelled case stays in
-- cases and is left out of every case indicator. ingest_value_counts: per
-- file and column, how many values a config alias (values), a derive rule
-- or default (derive) mapped, how many became other, and how many status
-- values were unknown, for the data-quality page. The view cases_enriched
-- is made again, since it selected every column of cases.
DROP VIEW cases_enriched;

ALTER TABLE cases ADD COLUMN status VARCHAR;

CREATE TABLE ingest_value_counts (
    kind        VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    how         VARCHAR NOT NULL,
    n           BIGINT  NOT NULL
);

CREATE VIEW cases_enriched AS
WITH cut AS (
    SELECT coalesce(
        (SELECT as_of FROM latest_run),
        (SELECT max(greatest(reported_at, first_response_at, closed_at, updated_at)) FROM cases)
    ) AS as_of
),
c AS (
    SELECT c.* EXCLUDE (status), cut.as_of, c.status AS case_status,
        CASE WHEN c.status = 'cancelled'                            THEN 'cancelled'
             WHEN c.reported_at > cut.as_of                         THEN 'after_as_of'
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
    c.case_status,
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

COMMENT ON COLUMN cases.status IS 'Status the input gave (状态, 办理状态): open, closed or cancelled (作废, 撤销, 无效, 重复件); NULL = not given or not a known status (then closed_at decides). A cancelled case is left out of every case indicator. Source: cases input.';
COMMENT ON TABLE ingest_value_counts IS 'Per input file and column, how many values normalisation changed: mapped by a config alias (values), filled by a derive rule or default (derive), turned into other (other), or a status that is none of open, closed, cancelled (unknown_status). Shown on the data-quality page. Source: ingest.';
COMMENT ON COLUMN ingest_value_counts.kind IS 'Input kind: communities, cases, services or surveys.';
COMMENT ON COLUMN ingest_value_counts.source_file IS 'Input file, as in ingest_files.path.';
COMMENT ON COLUMN ingest_value_counts.column_name IS 'Canonical column the values are in (docs/inputs.md).';
COMMENT ON COLUMN ingest_value_counts.how IS 'values (a values alias of the config matched), derive (a derive rule or default of the config filled it), other (an unknown value of an optional enum column became other) or unknown_status (a status value that is none of open, closed, cancelled).';
COMMENT ON COLUMN ingest_value_counts.n IS 'Number of rows of the file (as staged, before validation) with such a value in the column. Unit: rows.';
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
COMMENT ON COLUMN cases_enriched.case_status IS 'cases.status: open, closed or cancelled as the input gave it; NULL = not given.';
COMMENT ON COLUMN cases_enriched.status IS 'At as_of: closed (closed_at <= as_of), overdue (open, due_at <= as_of: counted late), pending (open and not yet due, or no due_at: left out of on_time_rate) after_as_of (reported after the cut-off: outside every indicator) or cancelled (case_status cancelled: outside every indicator).';
COMMENT ON COLUMN cases_enriched.resolution_hours IS 'closed_at - reported_at for a closed case, else NULL; median_resolution_hours is its quantile_cont(0.5). Unit: hours.';
COMMENT ON COLUMN cases_enriched.first_response_hours IS 'first_response_at - reported_at when first_response_at >= reported_at, else NULL. Unit: hours.';
COMMENT ON COLUMN cases_enriched.on_time IS 'On-time flag (docs/indicators.md, on_time_rate): true = closed with closed_at <= due_at; false = closed late or without due_at, or overdue; NULL = pending, after_as_of or cancelled (outside the denominator). on_time_rate = count_if(on_time) / count(on_time).';
COMMENT ON COLUMN cases_enriched.escalated IS 'resolution_level above community (block, street, district, city): the numerator of escalation_share.';
COMMENT ON COLUMN cases_enriched.callback_answered IS 'The case has a callback answer (a valid callback, 有效回访): callback_satisfaction IS NOT NULL.';
COMMENT ON COLUMN cases_enriched.callback_satisfied IS 'callback_satisfaction is satisfied or basically_satisfied (NULL when there is no answer): the numerator of callback_satisfaction_rate.';
COMMENT ON COLUMN cases_enriched.source_file IS 'cases.source_file.';
COMMENT ON COLUMN cases_enriched.source_row IS 'cases.source_row.';
