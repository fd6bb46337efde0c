// Package metrics computes civicscore's indicators inside DuckDB.
//
// Compute reads the clean tables (communities, cases, services and the view
// surveys of valid survey responses) and replaces every row of
// indicator_values, in one transaction, with one row per indicator, unit
// (community, street, district) and period (month, quarter, year). It also
// replaces the table indicators with the registry of Registry, so a
// researcher can read every indicator's family, names, unit, direction and
// kind beside its values.
//
// The formulas live in SQL, one readable file per family, embedded from
// sql/*.sql and run in this order:
//
//   - params.sql: the run parameters (run id, as_of, min_n, survey items,
//     12345 weights, score weights, targets), bound from Go into a one-row
//     temporary table; as_of is derived from the cases when not given.
//   - common.sql: period labels, the Wilson interval, the units with their
//     pooled denominators, the in-scope rows of each input, the dense set of
//     periods and the unit × period grid.
//   - cases.sql, three_rates.sql, surveys.sql, services.sql: one family
//     each. Rows are counted into community × month cells, the cells are
//     added up with GROUP BY GROUPING SETS to the 9 period × level
//     combinations (so higher levels and longer periods pool rows, never
//     average rates), and every indicator is then one line of a VALUES list
//     naming its numerator, denominator and, for estimates and facts, its
//     value. Quantiles, which do not add up, are taken from the rows.
//   - rules.sql: the rules every family shares — a proportion's value and
//     Wilson 95% interval, suppression of proportions and estimates below
//     min_n, facts never suppressed — into a temporary table with integer
//     keys for the steps below; it also empties the companion tables.
//   - shrink.sql: empirical-Bayes shrinkage (beta-binomial, method of
//     moments) of every community proportion towards its district's rate.
//   - score.sql: resident_score from the shrunk components and score.weights,
//     its interval, suppression and rank within the district; the
//     explanation record score_components.
//   - change.sql: change over the previous period with a two-proportion
//     z-test and its Benjamini–Hochberg q-value within the district
//     (indicator_changes).
//   - funnel.sql, funnel.go, funnel_limits.sql: funnel plots with
//     overdispersion (Spiegelhalter 2005) per district × period for the
//     rate indicators: target, z-scores, φ and τ² in SQL; the χ² test and
//     the exact binomial limits in Go (DuckDB has neither); limits, flags,
//     p- and q-values in SQL (funnel_params, funnel_points).
//   - spc.sql: Laney p′ control charts of every proportion per unit over
//     its months, with the special-cause rules (spc_points).
//   - peers.sql: each community's score against the median of its district's
//     communities of the same area_type (score_peers).
//   - targets.sql: target_ratio for the configured targets (indicator_targets).
//   - follow_up.sql: the follow-up lists (improved, declined,
//     confidently_low) per district and period, each entry admitted at a
//     q-value <= follow_up.fdr (follow_up).
//   - finish.sql: the write of indicator_values, with the shrunk values.
//
// indicator_values keeps the columns docs/schema.md lists; the companion
// tables are documented in store/migrations/002_score.sql and
// 009_comparison.sql. Everything is
// replaced in one transaction per run.
//
// All work is set-based: each file is a fixed handful of CREATE TABLE ... AS
// and INSERT ... SELECT statements, never a loop over rows; the one Go step
// (funnel.go) reads and writes its few thousand rows in two bound list
// INSERTs. Parameters are
// bound, never spliced into SQL text; the survey item names, the only
// configurable identifiers, are checked against SurveyItemColumns, and the
// score components and targeted indicators (bound as values) against
// ScoreComponents and the registry.
//
// docs/indicators.md, generated from the registry by WriteReference, lists
// every indicator with its definition, unit, direction, suppression and the
// SQL files, fixtures (testdata/indicators) and report pages where it is;
// the finer decisions are recorded as comments in the SQL files, next to the
// indicator they concern.
package metrics
