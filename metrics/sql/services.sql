-- services.sql: community service delivery. Rows: every service record
-- (metrics_service_rows), by month of service_date. Per-capita values are
-- per period, not annualised.
--   services_per_1000_residents         sum(recipients) / population × 1000
--   elderly_services_per_1000_elderly   sum(recipients with target_group =
--                                       'elderly') / elderly_population × 1000;
--                                       the denominator sums the communities
--                                       that report elderly_population, and
--                                       the value is NULL when it is 0.
--                                       (The numerator counts every
--                                       community's elderly services.)
--   social_participation_share          recipients served by provider_type
--                                       social_org or volunteer / all
--                                       recipients (proportion, Wilson with
--                                       n = recipients)
--   volunteer_hours_per_1000_residents  sum(hours of provider_type
--                                       'volunteer') / population × 1000
--                                       (a record without hours adds 0)
--   service_space_per_100_households    sum(service_space_m2) / households of
--                                       the communities that report their
--                                       space × 100; static, so the same value
--                                       in every period (numerator NULL and
--                                       value NULL when no community of the
--                                       unit reports it)
--   gini_services                       district level only, see below
-- All are facts (never suppressed) except social_participation_share.
-- A per-capita value whose denominator is 0 is NULL.

------------------------------------------------------------------------------
-- Cells: one per community × month, with the sums the indicators need.
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_service_cells AS
SELECT
    month_start, quarter_start, year_start, community_id, street_id, district_id,
    sum(recipients)                                                      AS n_recipients,
    coalesce(sum(recipients) FILTER (WHERE target_group = 'elderly'), 0) AS n_elderly_recipients,
    coalesce(sum(recipients) FILTER (WHERE provider_type IN ('social_org', 'volunteer')), 0)
                                                                         AS n_social_recipients,
    -- hours are DOUBLE: summed as DECIMAL, exactly, so that the sum does
    -- not depend on the order the threads add the rows in.
    coalesce(sum(hours::DECIMAL(38, 6)) FILTER (WHERE provider_type = 'volunteer'), 0) AS n_volunteer_hours
FROM metrics_service_rows
GROUP BY month_start, quarter_start, year_start, community_id, street_id, district_id;

------------------------------------------------------------------------------
-- Every unit × period of the grid, the cells added up to the 9 period ×
-- level combinations (0 where the unit delivered nothing).
------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE metrics_service_agg AS
WITH sums AS (
    SELECT
        metrics_period_type(GROUPING(month_start), GROUPING(quarter_start)) AS period_type,
        metrics_period(period_type, coalesce(month_start, quarter_start, year_start)) AS period,
        metrics_level(GROUPING(community_id), GROUPING(street_id)) AS level,
        coalesce(community_id, street_id, district_id)         AS unit_id,
        sum(COLUMNS('^n_'))
    FROM metrics_service_cells
    GROUP BY GROUPING SETS ((month_start), (quarter_start), (year_start)),
             GROUPING SETS ((community_id), (street_id), (district_id))
)
SELECT g.*, coalesce(COLUMNS('^n_'), 0)
FROM metrics_grid g
LEFT JOIN sums s USING (period_type, period, level, unit_id);

------------------------------------------------------------------------------
-- The service indicators, one line each: (indicator, numerator,
-- denominator, value). social_participation_share is a proportion, so its
-- value comes from finish.sql.
------------------------------------------------------------------------------
INSERT INTO metrics_rows (period_type, period, level, unit_id, indicator, numerator, denominator, value)
SELECT s.period_type, s.period, s.level, s.unit_id, r.indicator, r.numerator, r.denominator, r.value
FROM metrics_service_agg s,
LATERAL (VALUES
    ('services_per_1000_residents',
        s.n_recipients,         s.population,         s.n_recipients / nullif(s.population, 0) * 1000),
    ('elderly_services_per_1000_elderly',
        s.n_elderly_recipients, s.elderly_population, s.n_elderly_recipients / nullif(s.elderly_population, 0) * 1000),
    ('social_participation_share',
        s.n_social_recipients,  s.n_recipients,       NULL),
    ('volunteer_hours_per_1000_residents',
        s.n_volunteer_hours,    s.population,         s.n_volunteer_hours / nullif(s.population, 0) * 1000),
    ('service_space_per_100_households',
        s.service_space_m2,     s.space_households,   s.service_space_m2 / nullif(s.space_households, 0) * 100)
) r(indicator, numerator, denominator, value);

------------------------------------------------------------------------------
-- gini_services (fact), district level, every period: the Gini coefficient
-- of services_per_1000_residents over ALL the district's communities, a
-- community with no service in the period counting 0:
--     G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean)
-- computed in O(n log n) from the values sorted ascending, x₍₁₎ <= ... <= x₍ₙ₎:
--     Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σᵢ (2i − n − 1) x₍ᵢ₎, and 2 n² mean = 2 n Σ x,
--     so G = Σᵢ (2i − n − 1) x₍ᵢ₎ / (n Σ x)        (ties may sort either way)
-- NULL when the mean is 0. Numerator NULL; denominator = n communities.
-- Decision: a community with population 0 has no per-1000 value and is left
-- out of the Gini and of n.
------------------------------------------------------------------------------
INSERT INTO metrics_rows (period_type, period, level, unit_id, indicator, numerator, denominator, value)
WITH x AS (
    SELECT period_type, period, district_id,
           n_recipients / population * 1000 AS x
    FROM metrics_service_agg
    WHERE level = 'community' AND population > 0
),
ranked AS (
    SELECT period_type, period, district_id, x,
           row_number() OVER w AS i,
           count(*)     OVER w AS n
    FROM x
    WINDOW w AS (PARTITION BY period_type, period, district_id ORDER BY x
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
gini AS (
    SELECT period_type, period, district_id AS unit_id,
           count(*) AS n,
           list_sum(list((2 * i - n - 1) * x ORDER BY i))
               / nullif(count(*) * list_sum(list(x ORDER BY i)), 0) AS gini
    FROM ranked
    GROUP BY period_type, period, district_id
)
SELECT g.period_type, g.period, g.level, g.unit_id, 'gini_services',
       NULL, coalesce(gi.n, 0), gi.gini
FROM metrics_grid g
LEFT JOIN gini gi USING (period_type, period, unit_id)
WHERE g.level = 'district';
