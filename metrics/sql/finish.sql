-- finish.sql: the write of indicator_values, then the clean-up.
--
-- Every row of metrics_values (rules.sql, plus resident_score from
-- score.sql) with its empirical-Bayes shrunk value (shrink.sql: community
-- rows of proportions with a denominator >= 1; NULL elsewhere).
--
-- indicator_values is replaced as a whole: this is the only statement that
-- writes it, inside the transaction of the whole run.

DELETE FROM indicator_values;

INSERT INTO indicator_values
    (run_id, period_type, period, level, unit_id, indicator, value, numerator,
     denominator, ci_low, ci_high, shrunk_value, suppressed, rank)
SELECT
    par.run_id, v.period_type, v.period, v.level, v.unit_id, v.indicator, v.value, v.numerator,
    v.denominator, v.ci_low, v.ci_high, s.shrunk_value, v.suppressed, v.rank
FROM metrics_values v
LEFT JOIN metrics_shrunk s USING (row_key)
CROSS JOIN metrics_params par;

-- Clean up this connection's temporary objects.
DROP TABLE metrics_funnel_exact;
DROP TABLE metrics_funnel_chi2;
DROP TABLE metrics_funnel_od;
DROP TABLE metrics_funnel_z;
DROP TABLE metrics_funnel_groups;
DROP TABLE metrics_funnel_base;
DROP TABLE metrics_funnel_indicators;
DROP TABLE metrics_score_parts;
DROP TABLE metrics_scores;
DROP TABLE metrics_score_carriers;
DROP TABLE metrics_score_weights;
DROP VIEW  metrics_rank_input;
DROP TABLE metrics_rank_units;
DROP TABLE metrics_rank_score_parts;
DROP TABLE metrics_rank_components;
DROP TABLE metrics_shrunk;
DROP TABLE metrics_shrink_prior;
DROP TABLE metrics_shrink_base;
DROP TABLE metrics_values;
DROP TABLE metrics_indicators;
DROP VIEW  metrics_grid;
DROP VIEW  metrics_survey_rows;
DROP VIEW  metrics_service_rows;
DROP TABLE metrics_casemix_rates;
DROP TABLE metrics_casemix;
DROP TABLE metrics_casemix_ref;
DROP TABLE metrics_casemix_cells;
DROP TABLE metrics_casemix_groups;
DROP TABLE metrics_casemix_counts;
DROP TABLE metrics_poisson_exact;
DROP TABLE metrics_case_rows;
DROP TABLE metrics_categories;
DROP TABLE metrics_community_nos;
DROP TABLE metrics_rows;
DROP TABLE metrics_service_agg;
DROP TABLE metrics_service_cells;
DROP TABLE metrics_strata_weights;
DROP TABLE metrics_strata_items;
DROP TABLE metrics_strata_pop;
DROP MACRO metrics_strata_item;
DROP TABLE metrics_survey_agg;
DROP TABLE metrics_survey_cells;
DROP TABLE metrics_case_agg;
DROP TABLE metrics_case_quantiles;
DROP MACRO TABLE IF EXISTS metrics_case_quantiles_of;
DROP TABLE metrics_case_cells;
DROP TABLE metrics_case_cells_by_category;
DROP TABLE metrics_periods;
DROP TABLE metrics_units;
DROP TABLE metrics_params;
RESET VARIABLE metrics_as_of;
RESET VARIABLE metrics_items;
DROP MACRO metrics_byar_high;
DROP MACRO metrics_byar_low;
DROP MACRO metrics_spc_two_of_three;
DROP MACRO metrics_spc_zone;
DROP MACRO metrics_spc_limit;
DROP MACRO metrics_phi_upper;
DROP MACRO metrics_item_cell;
DROP MACRO metrics_wilson_high;
DROP MACRO metrics_wilson_low;
DROP MACRO metrics_wilson_half;
DROP MACRO metrics_wilson_centre;
DROP MACRO metrics_z;
DROP MACRO metrics_row_key;
DROP MACRO metrics_period_key;
DROP MACRO metrics_level;
DROP MACRO metrics_period_type;
DROP MACRO metrics_period;
