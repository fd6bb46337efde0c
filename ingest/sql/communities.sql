-- Communities: the dimension every other input refers to. Rules in order:
--   missing_required   an id or name column, households or population empty
--   duplicate_in_file  the same community_id again later in this file (the last wins)
--   bad_number         households, population, elderly_population, grid_count not a whole
--                      number >= 0, or service_space_m2 not a number >= 0
-- area_type with an unknown value becomes 'other' (counted on the data-quality page).
-- A community loaded again replaces the earlier row.
CREATE OR REPLACE TEMP TABLE checked AS
WITH typed AS (
    SELECT s._row, s._raw, s._extra, s._error,
        cs_text(s.community_id) AS community_id, cs_text(s.community_name) AS community_name,
        cs_text(s.street_id) AS street_id, cs_text(s.street_name) AS street_name,
        cs_text(s.district_id) AS district_id, cs_text(s.district_name) AS district_name,
        s.households AS households_in, s.population AS population_in, s.elderly_population AS elderly_in,
        s.service_space_m2 AS space_in, s.grid_count AS grid_in,
        cs_num(s.households) AS households, cs_num(s.population) AS population,
        cs_num(s.elderly_population) AS elderly_population, cs_num(s.service_space_m2) AS service_space_m2,
        cs_num(s.grid_count) AS grid_count,
        coalesce(nullif(cs_enum('area_type', s.area_type), ''), CASE WHEN cs_text(s.area_type) IS NOT NULL THEN 'other' END) AS area_type,
        cs_text(s.block_id) AS block_id,
        row_number() OVER (PARTITION BY cs_text(s.community_id) ORDER BY s._row DESC) AS occurrence_from_end
    FROM stage s
)
SELECT t.*,
    CASE
        WHEN t._error IS NOT NULL THEN 'malformed_row'
        WHEN t.community_id IS NULL OR t.community_name IS NULL OR t.street_id IS NULL OR t.street_name IS NULL
          OR t.district_id IS NULL OR t.district_name IS NULL
          OR cs_text(t.households_in) IS NULL OR cs_text(t.population_in) IS NULL THEN 'missing_required'
        WHEN t.occurrence_from_end > 1 THEN 'duplicate_in_file'
        WHEN t.households IS NULL OR t.households < 0 OR t.households <> floor(t.households)
          OR t.population IS NULL OR t.population < 0 OR t.population <> floor(t.population)
          OR (cs_text(t.elderly_in) IS NOT NULL AND (t.elderly_population IS NULL OR t.elderly_population < 0 OR t.elderly_population <> floor(t.elderly_population)))
          OR (cs_text(t.grid_in) IS NOT NULL AND (t.grid_count IS NULL OR t.grid_count < 0 OR t.grid_count <> floor(t.grid_count)))
          OR (cs_text(t.space_in) IS NOT NULL AND (t.service_space_m2 IS NULL OR t.service_space_m2 < 0)) THEN 'bad_number'
    END AS reason,
    CASE
        WHEN t._error IS NOT NULL THEN t._error
        WHEN t.community_id IS NULL THEN 'column community_id is empty'
        WHEN t.community_name IS NULL THEN 'column community_name is empty'
        WHEN t.street_id IS NULL THEN 'column street_id is empty'
        WHEN t.street_name IS NULL THEN 'column street_name is empty'
        WHEN t.district_id IS NULL THEN 'column district_id is empty'
        WHEN t.district_name IS NULL THEN 'column district_name is empty'
        WHEN cs_text(t.households_in) IS NULL THEN 'column households is empty'
        WHEN cs_text(t.population_in) IS NULL THEN 'column population is empty'
        WHEN t.occurrence_from_end > 1 THEN 'community_id ' || cs_q(t.community_id) || ' appears again later in this file; the last row wins'
        WHEN t.households IS NULL OR t.households < 0 OR t.households <> floor(t.households) THEN 'column households: ' || cs_q(t.households_in) || ' is not a whole number >= 0'
        WHEN t.population IS NULL OR t.population < 0 OR t.population <> floor(t.population) THEN 'column population: ' || cs_q(t.population_in) || ' is not a whole number >= 0'
        WHEN cs_text(t.elderly_in) IS NOT NULL AND (t.elderly_population IS NULL OR t.elderly_population < 0 OR t.elderly_population <> floor(t.elderly_population)) THEN 'column elderly_population: ' || cs_q(t.elderly_in) || ' is not a whole number >= 0'
        WHEN cs_text(t.grid_in) IS NOT NULL AND (t.grid_count IS NULL OR t.grid_count < 0 OR t.grid_count <> floor(t.grid_count)) THEN 'column grid_count: ' || cs_q(t.grid_in) || ' is not a whole number >= 0'
        ELSE 'column service_space_m2: ' || cs_q(t.space_in) || ' is not a number >= 0'
    END AS detail
FROM typed t;

CREATE OR REPLACE TEMP TABLE winners AS SELECT * FROM checked WHERE reason IS NULL;

INSERT INTO rejects (kind, source_file, source_row, reason, detail, raw)
SELECT 'communities', p.file, c._row, c.reason, c.detail, c._raw
FROM checked c, ingest_params p WHERE c.reason IS NOT NULL;

DELETE FROM communities WHERE community_id IN (SELECT community_id FROM winners);

INSERT INTO communities
SELECT w.community_id, w.community_name, w.street_id, w.street_name, w.district_id, w.district_name,
       w.households::BIGINT, w.population::BIGINT, w.elderly_population::BIGINT, w.area_type,
       w.service_space_m2, w.grid_count::BIGINT, w.block_id, w._extra, p.file, w._row
FROM winners w, ingest_params p;
