-- case_quantiles_serial.sql: the rows of case_quantiles.sql (see there),
-- one period × level grouping at a time, so that only one copy of the
-- durations is held at once. Slower (nine passes over the case rows).

CREATE OR REPLACE TEMP TABLE metrics_case_quantiles (
    period_type VARCHAR, period VARCHAR, level VARCHAR, unit_id VARCHAR,
    median_resolution_hours DOUBLE, p90_resolution_hours DOUBLE, median_first_response_hours DOUBLE
);

CREATE OR REPLACE TEMP MACRO metrics_case_quantiles_of(ptype, lvl) AS TABLE
SELECT ptype AS period_type, metrics_period(ptype, d) AS period, lvl AS level, u.unit_id,
       q[1] AS median_resolution_hours, q[2] AS p90_resolution_hours, median_first_response_hours
FROM (
    SELECT CASE ptype WHEN 'month' THEN month_start WHEN 'quarter' THEN quarter_start ELSE year_start END AS d,
           CASE lvl WHEN 'community' THEN community_no WHEN 'street' THEN street_no ELSE district_no END AS unit_no,
           quantile_cont(resolution_hours, [0.5, 0.9]) AS q,
           quantile_cont(first_response_hours, 0.5)    AS median_first_response_hours
    FROM metrics_case_rows
    WHERE resolution_hours IS NOT NULL OR first_response_hours IS NOT NULL
    GROUP BY d, unit_no
) q
JOIN metrics_units u USING (unit_no);

INSERT INTO metrics_case_quantiles SELECT * FROM metrics_case_quantiles_of('month', 'community');
INSERT INTO metrics_case_quantiles SELECT * FROM metrics_case_quantiles_of('month', 'street');
INSERT INTO metrics_case_quantiles SELECT * FROM metrics_case_quantiles_of('month', 'district');
INSERT INTO metrics_case_quantiles SELECT * FROM metrics_case_quantiles_of('quarter', 'community');
INSERT INTO metrics_case_quantiles SELECT * FROM metrics_case_quantiles_of('quarter', 'street');
INSERT INTO metrics_case_quantiles SELECT * FROM metrics_case_quantiles_of('quarter', 'district');
INSERT INTO metrics_case_quantiles SELECT * FROM metrics_case_quantiles_of('year', 'community');
INSERT INTO metrics_case_quantiles SELECT * FROM metrics_case_quantiles_of('year', 'street');
INSERT INTO metrics_case_quantiles SELECT * FROM metrics_case_quantiles_of('year', 'district');

