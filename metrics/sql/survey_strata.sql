-- survey_strata.sql: the weights of this run, stored for the data-quality
-- page (table survey_strata, migration 014; rules.sql emptied it). The
-- rows are those weights.go computed into metrics_strata_weights.
INSERT INTO survey_strata
SELECT p.run_id, w.*
FROM metrics_strata_weights w, metrics_params p
ORDER BY w.period_type, w.period, w.community_id, w.left_out NULLS FIRST, w.age_group, w.gender;
