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
//     12345 weights), bound from Go into a one-row temporary table; as_of is
//     derived from the cases when not given.
//   - common.sql: period labels, the Wilson interval, the units, the dense
//     set of periods, the unit × period grid and the in-scope rows of each
//     input.
//   - cases.sql, three_rates.sql, surveys.sql, services.sql: one family each;
//     every indicator is one line of a VALUES list naming its numerator,
//     denominator and (for estimates and facts) its value.
//   - finish.sql: the rules every family shares — proportions get their value
//     and Wilson 95% interval, estimates and proportions below min_n are
//     suppressed, facts never are — and the write into indicator_values.
//
// All work is set-based: each file is a fixed handful of INSERT ... SELECT
// and CREATE TABLE ... AS statements over GROUPING SETS, never a loop over
// rows. Parameters are bound, never spliced into SQL text.
//
// The contract is /work/shared/spec/indicators.md; the decisions it leaves
// open are recorded as comments in the SQL files, next to the indicator they
// concern.
package metrics
