-- Strata: the population of a community or a district by age group (and
-- gender), the targets of survey weighting. Rules in order:
--   malformed_row      the row could not be read as a record
--   missing_required   age_group or population empty, or neither community_id nor district_id given
--   both_areas         both community_id and district_id given (a row describes one area)
--   duplicate_in_file  the same area, age_group and gender again later in this file (the last wins)
--   bad_number         population not a whole number >= 0
--   unknown_community  community_id not in communities
--   unknown_district   district_id not a district of communities
-- A stratum (area, age_group, gender) loaded again replaces the earlier row.
CREATE OR REPLACE TEMP TABLE checked AS
WITH s AS NOT MATERIALIZED (
    SELECT _row, _error, _extra,
        cs_text(community_id) AS community_id, cs_text(district_id) AS district_id,
        cs_text(age_group) AS age_group, cs_text(gender) AS gender,
        cs_text(population) AS population_in
    FROM stage
), dup AS (
    -- strata that appear more than once in this file, with their last row
    SELECT community_id, district_id, age_group, gender, max(_row) AS last_row
    FROM s WHERE age_group IS NOT NULL
    GROUP BY ALL HAVING count(*) > 1
), typed AS (
    SELECT s.*,
        cs_num(population_in) AS population,
        cm.community_id IS NOT NULL AS community_known,
        dt.district_id IS NOT NULL AS district_known,
        coalesce(dup.last_row, s._row) AS last_row
    FROM s
    LEFT JOIN dup ON dup.community_id IS NOT DISTINCT FROM s.community_id AND dup.district_id IS NOT DISTINCT FROM s.district_id
        AND dup.age_group = s.age_group AND dup.gender IS NOT DISTINCT FROM s.gender
    LEFT JOIN communities cm ON cm.community_id = s.community_id
    LEFT JOIN (SELECT DISTINCT district_id FROM communities) dt ON dt.district_id = s.district_id
), flagged AS (
    SELECT *,
        age_group IS NULL OR population_in IS NULL OR (community_id IS NULL AND district_id IS NULL) AS missing,
        community_id IS NOT NULL AND district_id IS NOT NULL AS both_areas,
        population IS NULL OR population < 0 OR population <> floor(population) AS bad_population
    FROM typed
)
SELECT _row, _extra, community_id, district_id, age_group, gender, population,
    CASE
        WHEN _error IS NOT NULL THEN 'malformed_row'
        WHEN missing THEN 'missing_required'
        WHEN both_areas THEN 'both_areas'
        WHEN _row < last_row THEN 'duplicate_in_file'
        WHEN bad_population THEN 'bad_number'
        WHEN community_id IS NOT NULL AND NOT community_known THEN 'unknown_community'
        WHEN district_id IS NOT NULL AND NOT district_known THEN 'unknown_district'
    END AS reason,
    -- Every problem of the row, in rule order (reason is the first).
    CASE WHEN _error IS NOT NULL THEN _error ELSE nullif(concat_ws('; ',
        CASE WHEN age_group IS NULL THEN 'column age_group is empty' END,
        CASE WHEN population_in IS NULL THEN 'column population is empty' END,
        CASE WHEN community_id IS NULL AND district_id IS NULL THEN 'neither community_id nor district_id is given' END,
        CASE WHEN both_areas THEN 'both community_id ' || cs_q(community_id) || ' and district_id ' || cs_q(district_id) || ' are given; a row describes one area' END,
        CASE WHEN _row < last_row THEN 'the stratum ' || cs_q(age_group) || ' ' || cs_q(gender) || ' of this area appears again later in this file (row ' || last_row || '); the last row wins' END,
        CASE WHEN population_in IS NOT NULL AND bad_population THEN 'column population: ' || cs_q(population_in) || ' is not a whole number >= 0' END,
        CASE WHEN community_id IS NOT NULL AND NOT community_known THEN 'column community_id: ' || cs_q(community_id) || ' is not in communities' END,
        CASE WHEN district_id IS NOT NULL AND NOT district_known THEN 'column district_id: ' || cs_q(district_id) || ' is not a district of communities' END
    ), '') END AS detail
FROM flagged;

-- @transaction
-- The rejected rows; stage_rawjson builds the row as read for these only.
DELETE FROM rejected;
INSERT INTO rejected SELECT _row, reason, detail FROM checked WHERE reason IS NOT NULL;

INSERT INTO rejects (kind, source_file, source_row, reason, detail, raw)
SELECT 'strata', p.file, c._row, c.reason, cs_scrub(c.detail), cs_scrub(r._raw)
FROM rejected c JOIN stage_rawjson r ON r._row = c._row CROSS JOIN ingest_params p;

DELETE FROM strata t USING (SELECT * FROM checked WHERE reason IS NULL) w
WHERE t.community_id IS NOT DISTINCT FROM w.community_id AND t.district_id IS NOT DISTINCT FROM w.district_id
  AND t.age_group = w.age_group AND t.gender IS NOT DISTINCT FROM w.gender;

INSERT INTO strata
SELECT w.community_id, w.district_id, w.age_group, w.gender, w.population::BIGINT,
       cs_scrub(w._extra), p.file, w._row
FROM checked w, ingest_params p
WHERE w.reason IS NULL;
