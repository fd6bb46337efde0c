-- The duration quantiles of the case family, continuous (linear
-- interpolation, as quantile_cont), from the case rows themselves: over
-- closed cases for resolution (resolution_hours is NULL for open ones),
-- over cases with a first response for first response; one row per unit ×
-- period that has such a case (cases.sql joins them to the grid).
--
-- A quantile holds every value of its group until it is computed, in
-- memory DuckDB's memory_limit does not govern. This file computes the
-- nine period × level groupings in one pass (nine copies of every
-- duration at once); case_quantiles_serial.sql computes the same rows one
-- grouping at a time (one copy), and Compute runs it instead when nine
-- copies would not fit in half of memory_limit (at the province scale
-- under memory_limit 4GB they took 12.7 GB).

CREATE OR REPLACE TEMP TABLE metrics_case_quantiles (
    period_type VARCHAR, period VARCHAR, level VARCHAR, unit_id VARCHAR,
    median_resolution_hours DOUBLE, p90_resolution_hours DOUBLE, median_first_response_hours DOUBLE
);

INSERT INTO metrics_case_quantiles
SELECT
    metrics_period_type(g_month, g_quarter) AS period_type,
    metrics_period(period_type, coalesce(month_start, quarter_start, year_start)) AS period,
    metrics_level(g_community, g_street) AS level,
    u.unit_id,
    q[1], q[2], median_first_response_hours
FROM (
    SELECT month_start, quarter_start, year_start, community_no, street_no, district_no,
        GROUPING(month_start) AS g_month, GROUPING(quarter_start) AS g_quarter,
        GROUPING(community_no) AS g_community, GROUPING(street_no) AS g_street,
        quantile_cont(resolution_hours, [0.5, 0.9]) AS q,
        quantile_cont(first_response_hours, 0.5)    AS median_first_response_hours
    FROM metrics_case_rows
    WHERE resolution_hours IS NOT NULL OR first_response_hours IS NOT NULL
    GROUP BY GROUPING SETS ((month_start), (quarter_start), (year_start)),
             GROUPING SETS ((community_no), (street_no), (district_no))
) q
JOIN metrics_units u ON u.unit_no = coalesce(q.community_no, q.street_no, q.district_no);
