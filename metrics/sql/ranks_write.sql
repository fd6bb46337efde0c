-- ranks_write.sql: rank_intervals, from the ranked units of ranks.sql, their
-- and what ranks.go worked out for each, bound as five parallel lists
-- (row_key, expected_rank, rank_low, rank_high, p_bottom_fifth). Every
-- ranked unit has one row.

INSERT INTO rank_intervals
    (run_id, period_type, period, level, district_id, unit_id, indicator, units, rank,
     expected_rank, rank_low, rank_high, p_bottom_fifth)
SELECT par.run_id, u.period_type, u.period, 'community', u.district_id, u.unit_id, u.indicator,
       u.units, u.rank, s.expected_rank, s.rank_low, s.rank_high, s.p_bottom_fifth
FROM (SELECT unnest(?::BIGINT[])  AS row_key,
             unnest(?::DOUBLE[])  AS expected_rank,
             unnest(?::INTEGER[]) AS rank_low,
             unnest(?::INTEGER[]) AS rank_high,
             unnest(?::DOUBLE[])  AS p_bottom_fifth) s
JOIN metrics_rank_units u USING (row_key)
CROSS JOIN metrics_params par;
