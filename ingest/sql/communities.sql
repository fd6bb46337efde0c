-- Communities: the dimension every other input refers to. Rules in order:
--   malformed_row      the row could not be read as a record
--   missing_required   an id or name column, households or population empty
--   duplicate_in_file  the same community_id again later in this file (the last wins)
--   bad_number         households, population, elderly_population, grid_count not a whole
--                      number >= 0, or service_space_m2 not a number >= 0
-- area_type with an unknown value becomes 'other' (counted on the data-quality page).
-- A community loaded again replaces the earlier row.
CREATE OR REPLACE TEMP TABLE checked AS
WITH s AS NOT MATERIALIZED (
    SELECT _row, _error, _extra,
        cs_text(community_id) AS community_id, cs_text(community_name) AS community_name,
        cs_text(street_id) AS street_id, cs_text(street_name) AS street_name,
        cs_text(district_id) AS district_id, cs_text(district_name) AS district_name,
        cs_text(households) AS households_in, cs_text(population) AS population_in,
        cs_text(elderly_population) AS elderly_in, cs_text(service_space_m2) AS space_in,
        cs_text(grid_count) AS grid_in, cs_text(area_type) AS area_in, cs_text(block_id) AS block_id
    FROM stage
), dup AS (
    -- ids that appear more than once in this file, with their last row
    SELECT community_id, max(_row) AS last_row FROM s WHERE community_id IS NOT NULL GROUP BY community_id HAVING count(*) > 1
), typed AS (
    SELECT s.*,
        cs_num(households_in) AS households, cs_num(population_in) AS population,
        cs_num(elderly_in) AS elderly_population, cs_num(space_in) AS service_space_m2,
        cs_num(grid_in) AS grid_count,
        coalesce(nullif(e.canonical, ''), CASE WHEN area_in IS NOT NULL THEN 'other' END) AS area_type,
        coalesce(dup.last_row, s._row) AS last_row
    FROM s
    LEFT JOIN dup ON dup.community_id = s.community_id
    LEFT JOIN enum_alias e ON e.field = 'area_type' AND e.alias = cs_key(s.area_in)
), flagged AS (
    SELECT *,
        community_id IS NULL OR community_name IS NULL OR street_id IS NULL OR street_name IS NULL
            OR district_id IS NULL OR district_name IS NULL OR households_in IS NULL OR population_in IS NULL AS missing,
        households IS NULL OR households < 0 OR households <> floor(households) AS bad_households,
        population IS NULL OR population < 0 OR population <> floor(population) AS bad_population,
        elderly_in IS NOT NULL AND (elderly_population IS NULL OR elderly_population < 0 OR elderly_population <> floor(elderly_population)) AS bad_elderly,
        grid_in IS NOT NULL AND (grid_count IS NULL OR grid_count < 0 OR grid_count <> floor(grid_count)) AS bad_grid,
        space_in IS NOT NULL AND (service_space_m2 IS NULL OR service_space_m2 < 0) AS bad_space
    FROM typed
)
SELECT _row, _extra, community_id, community_name, street_id, street_name, district_id, district_name,
    households, population, elderly_population, area_type, service_space_m2, grid_count, block_id,
    CASE
        WHEN _error IS NOT NULL THEN 'malformed_row'
        WHEN missing THEN 'missing_required'
        WHEN _row < last_row THEN 'duplicate_in_file'
        WHEN bad_households OR bad_population OR bad_elderly OR bad_grid OR bad_space THEN 'bad_number'
    END AS reason,
    -- Every problem of the row, in rule order (reason is the first).
    CASE WHEN _error IS NOT NULL THEN _error ELSE nullif(concat_ws('; ',
        CASE WHEN community_id IS NULL THEN 'column community_id is empty' END,
        CASE WHEN community_name IS NULL THEN 'column community_name is empty' END,
        CASE WHEN street_id IS NULL THEN 'column street_id is empty' END,
        CASE WHEN street_name IS NULL THEN 'column street_name is empty' END,
        CASE WHEN district_id IS NULL THEN 'column district_id is empty' END,
        CASE WHEN district_name IS NULL THEN 'column district_name is empty' END,
        CASE WHEN households_in IS NULL THEN 'column households is empty' END,
        CASE WHEN population_in IS NULL THEN 'column population is empty' END,
        CASE WHEN _row < last_row THEN 'community_id ' || cs_q(community_id) || ' appears again later in this file (row ' || last_row || '); the last row wins' END,
        CASE WHEN households_in IS NOT NULL AND bad_households THEN 'column households: ' || cs_q(households_in) || ' is not a whole number >= 0' END,
        CASE WHEN population_in IS NOT NULL AND bad_population THEN 'column population: ' || cs_q(population_in) || ' is not a whole number >= 0' END,
        CASE WHEN bad_elderly THEN 'column elderly_population: ' || cs_q(elderly_in) || ' is not a whole number >= 0' END,
        CASE WHEN bad_grid THEN 'column grid_count: ' || cs_q(grid_in) || ' is not a whole number >= 0' END,
        CASE WHEN bad_space THEN 'column service_space_m2: ' || cs_q(space_in) || ' is not a number >= 0' END
    ), '') END AS detail
FROM flagged;

-- (checked is made before the file's transaction opens, so that the
-- statements below scan it in parallel.)
-- @transaction
-- The rejected rows; stage_rawjson builds the row as read for these only.
DELETE FROM rejected;
INSERT INTO rejected SELECT _row, reason, detail FROM checked WHERE reason IS NOT NULL;

INSERT INTO rejects (kind, source_file, source_row, reason, detail, raw)
SELECT 'communities', p.file, c._row, c.reason, cs_scrub(c.detail), cs_scrub(r._raw)
FROM rejected c JOIN stage_rawjson r ON r._row = c._row CROSS JOIN ingest_params p;

DELETE FROM communities WHERE community_id IN (SELECT community_id FROM checked WHERE reason IS NULL);

INSERT INTO communities
SELECT w.community_id, w.community_name, w.street_id, w.street_name, w.district_id, w.district_name,
       w.households::BIGINT, w.population::BIGINT, w.elderly_population::BIGINT, w.area_type,
       w.service_space_m2, w.grid_count::BIGINT, w.block_id, cs_scrub(w._extra), p.file, w._row
FROM checked w, ingest_params p
WHERE w.reason IS NULL;
