-- ranks_write.sql: rank_intervals, from the ranked units of ranks.sql, their
-- expected ranks, and the simulated intervals of ranks.go, bound as four
-- parallel lists (row_key, rank_low, rank_high, p_bottom_fifth) in the order
-- of metrics_rank_units' keys. Every ranked unit has one simulated row.

INSERT INTO rank_intervals
    (run_id, period_type, period, level, district_id, unit_id, indicator, units, rank,
     expected_rank, rank_low, rank_high, p_bottom_fifth)
SELECT par.run_id, u.period_type, u.period, 'community', u.district_id, u.unit_id, u.indicator,
       u.units, u.rank, e.expected_rank, s.rank_low, s.rank_high, s.p_bottom_fifth
FROM (SELECT unnest(?::BIGINT[])  AS row_key,
             unnest(?::INTEGER[]) AS rank_low,
             unnest(?::INTEGER[]) AS rank_high,
             unnest(?::DOUBLE[])  AS p_bottom_fifth) s
JOIN metrics_rank_units u USING (row_key)
JOIN metrics_rank_expected e USING (row_key)
CROSS JOIN metrics_params par;
