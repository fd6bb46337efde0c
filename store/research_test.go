package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/civicscore/civicscore/store"
)

// uncommented returns every table, view and column of db's main schema
// without a comment, as "name" or "name.column".
func uncommented(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `
		SELECT table_name FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
		  AND coalesce(trim(comment), '') = ''
		UNION ALL
		SELECT view_name FROM duckdb_views()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
		  AND coalesce(trim(comment), '') = ''
		UNION ALL
		SELECT table_name || '.' || column_name FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
		  AND coalesce(trim(comment), '') = ''
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEverythingCommented: every table, view and column a migration creates
// carries a comment (meaning, unit, source). A migration that adds a table
// or column must comment it; 003_research.sql shows how.
func TestEverythingCommented(t *testing.T) {
	db := openFile(t, "", store.Options{})
	if missing := uncommented(t, db); len(missing) > 0 {
		t.Errorf("%d objects without a COMMENT (add COMMENT ON ... in a migration):\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	// The check itself sees a bare column.
	mustExec(t, db, "ALTER TABLE runs ADD COLUMN scratch INTEGER")
	if missing := uncommented(t, db); !slices.Equal(missing, []string{"runs.scratch"}) {
		t.Errorf("after adding runs.scratch: uncommented = %v", missing)
	}
}

func mustExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// columns returns the column names of a table or view, in order.
func columns(t *testing.T, db *store.DB, name string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// researchFixture: two communities, a run with as_of, and a registry of two
// indicators with community-month values.
func researchFixture(t *testing.T) *store.DB {
	t.Helper()
	db := openFile(t, "", store.Options{})
	mustExec(t, db, `INSERT INTO communities (community_id, community_name, street_id, street_name, district_id, district_name, households, population, area_type) VALUES
		('c1', '东社区', 's1', '东街道', 'd1', '某区', 100, 250, 'old_town'),
		('c2', '西社区', 's1', '东街道', 'd1', '某区', 200, 500, 'new_build')`)
	mustExec(t, db, `INSERT INTO runs (run_id, started_at, version, duckdb_version, as_of) VALUES
		('old', '2025-01-01 00:00:00', 'dev', 'v', '2025-01-31 00:00:00'),
		('new', '2025-07-01 00:00:00', 'dev', 'v', '2025-03-10 12:00:00')`)
	mustExec(t, db, `INSERT INTO indicators (indicator, family, name_zh, name_en, unit, direction, kind, definition) VALUES
		('case_volume', 'cases', '案件量', 'Case volume', 'count', 'neutral', 'fact', 'Number of cases.'),
		('satisfaction_rate.q_safety', 'surveys', '治安安全满意率', 'Satisfaction rate: safety', 'fraction', 'higher_better', 'proportion', 'Share 4 or 5.')`)
	mustExec(t, db, `INSERT INTO indicator_values (run_id, period_type, period, level, unit_id, indicator, value, suppressed) VALUES
		('new', 'month', '2025-01', 'community', 'c1', 'case_volume', 3, false),
		('new', 'month', '2025-01', 'community', 'c1', 'satisfaction_rate.q_safety', NULL, true),
		('new', 'month', '2025-02', 'community', 'c1', 'case_volume', 5, false),
		('new', 'month', '2025-01', 'community', 'c2', 'case_volume', 7, false),
		('new', 'month', '2025-01', 'community', 'c2', 'satisfaction_rate.q_safety', 0.75, false),
		('new', 'quarter', '2025-Q1', 'community', 'c2', 'case_volume', 7, false),
		('new', 'month', '2025-01', 'street', 's1', 'case_volume', 10, false)`)
	return db
}

func TestLatestRun(t *testing.T) {
	db := researchFixture(t)
	var id, asOf string
	if err := db.QueryRowContext(context.Background(), "SELECT run_id, strftime(as_of, '%Y-%m-%d %H:%M') FROM latest_run").Scan(&id, &asOf); err != nil {
		t.Fatal(err)
	}
	// The run of indicator_values, not merely the newest run.
	if id != "new" || asOf != "2025-03-10 12:00" {
		t.Errorf("latest_run = %s %s, want new 2025-03-10 12:00", id, asOf)
	}
	mustExec(t, db, "DELETE FROM indicator_values")
	if n := count(t, db, "SELECT count(*) FROM latest_run"); n != 0 {
		t.Errorf("latest_run has %d rows with no indicator values, want 0", n)
	}
}

func TestScorecardWide(t *testing.T) {
	ctx := context.Background()
	db := researchFixture(t)
	keys := []string{"community_id", "community_name", "street_id", "street_name", "district_id", "district_name", "area_type", "month"}

	// Before any refresh: the key columns of the migration.
	if got := columns(t, db, "scorecard_wide"); !slices.Equal(got, keys) {
		t.Errorf("scorecard_wide columns before refresh = %v, want %v", got, keys)
	}
	if n := count(t, db, "SELECT count(*) FROM scorecard_wide"); n != 3 {
		t.Errorf("scorecard_wide before refresh has %d rows, want 3 (community × month)", n)
	}

	if err := store.RefreshScorecard(ctx, db); err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(keys), "case_volume", "satisfaction_rate.q_safety")
	if got := columns(t, db, "scorecard_wide"); !slices.Equal(got, want) {
		t.Errorf("scorecard_wide columns = %v, want %v", got, want)
	}
	type row struct {
		id, month string
		volume    sql.NullFloat64
		safety    sql.NullFloat64
	}
	rows, err := db.QueryContext(ctx, `SELECT community_id, month, case_volume, "satisfaction_rate.q_safety" FROM scorecard_wide ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.month, &r.volume, &r.safety); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	rows.Close()
	wantRows := []row{
		{"c1", "2025-01", sql.NullFloat64{Float64: 3, Valid: true}, sql.NullFloat64{}},
		{"c1", "2025-02", sql.NullFloat64{Float64: 5, Valid: true}, sql.NullFloat64{}},
		{"c2", "2025-01", sql.NullFloat64{Float64: 7, Valid: true}, sql.NullFloat64{Float64: 0.75, Valid: true}},
	}
	if !slices.Equal(got, wantRows) {
		t.Errorf("scorecard_wide = %v, want %v", got, wantRows)
	}
	if missing := uncommented(t, db); len(missing) > 0 {
		t.Errorf("after refresh, without a comment: %v", missing)
	}
	var c string
	db.QueryRowContext(ctx, `SELECT comment FROM duckdb_columns() WHERE table_name = 'scorecard_wide' AND column_name = 'satisfaction_rate.q_safety'`).Scan(&c)
	if !strings.Contains(c, "Satisfaction rate: safety") || !strings.Contains(c, "fraction") {
		t.Errorf("indicator column comment = %q, want the registry's name and unit", c)
	}

	// A new indicator in the registry gets its column at the next refresh;
	// nothing breaks before that.
	mustExec(t, db, `INSERT INTO indicators VALUES ('resident_score', 'score', '居民评价得分', 'Resident score', 'score', 'higher_better', 'estimate', 'Weighted.')`)
	mustExec(t, db, `INSERT INTO indicator_values (run_id, period_type, period, level, unit_id, indicator, value, suppressed) VALUES
		('new', 'month', '2025-01', 'community', 'c1', 'resident_score', 81.5, false)`)
	if n := count(t, db, "SELECT count(*) FROM scorecard_wide"); n != 3 {
		t.Errorf("before the next refresh scorecard_wide has %d rows, want 3", n)
	}
	// With resident_score come its rank columns (rank_intervals), and each
	// indicator with funnel points in the latest run gets a flag column;
	// rows of another run, of a quarter or of another indicator stay out.
	mustExec(t, db, `INSERT INTO rank_intervals (run_id, period_type, period, level, district_id, unit_id, indicator,
		units, rank, expected_rank, rank_low, rank_high, p_bottom_fifth) VALUES
		('new', 'month', '2025-01', 'community', 'd1', 'c1', 'resident_score', 2, 1, 1.2, 1, 2, 0.2),
		('new', 'month', '2025-01', 'community', 'd1', 'c1', 'satisfaction_rate.q_safety', 2, 2, 1.8, 1, 2, 0.8),
		('new', 'quarter', '2025-Q1', 'community', 'd1', 'c1', 'resident_score', 2, 2, 1.9, 2, 2, 0.9),
		('old', 'month', '2025-02', 'community', 'd1', 'c1', 'resident_score', 2, 2, 1.9, 2, 2, 0.9)`)
	mustExec(t, db, `INSERT INTO funnel_points (run_id, period_type, period, district_id, unit_id, indicator,
		value, numerator, denominator, flag) VALUES
		('new', 'month', '2025-01', 'd1', 'c2', 'satisfaction_rate.q_safety', 0.75, 3, 4, 'below_95'),
		('new', 'quarter', '2025-Q1', 'd1', 'c2', 'satisfaction_rate.q_safety', 0.75, 3, 4, 'above_998'),
		('old', 'month', '2025-02', 'd1', 'c1', 'case_volume', 0.5, 1, 2, 'above_95')`)
	if err := store.RefreshScorecard(ctx, db); err != nil {
		t.Fatal(err)
	}
	want = append(slices.Clone(want), "resident_score", "resident_score_rank", "resident_score_rank_low",
		"resident_score_rank_high", "satisfaction_rate.q_safety_funnel_flag")
	if got := columns(t, db, "scorecard_wide"); !slices.Equal(got, want) {
		t.Errorf("columns after a new indicator = %v, want %v", got, want)
	}
	var score float64
	if err := db.QueryRowContext(ctx, "SELECT resident_score FROM scorecard_wide WHERE community_id = 'c1' AND month = '2025-01'").Scan(&score); err != nil || score != 81.5 {
		t.Errorf("resident_score = %v, %v", score, err)
	}
	ranks := rowStrings(t, db, `SELECT community_id, month, resident_score_rank, resident_score_rank_low,
		resident_score_rank_high, "satisfaction_rate.q_safety_funnel_flag" FROM scorecard_wide ORDER BY ALL`)
	wantRanks := []string{"c1|2025-01|1|1|2|NULL", "c1|2025-02|NULL|NULL|NULL|NULL", "c2|2025-01|NULL|NULL|NULL|below_95"}
	if !slices.Equal(ranks, wantRanks) {
		t.Errorf("rank and funnel columns = %v, want %v", ranks, wantRanks)
	}
	if missing := uncommented(t, db); len(missing) > 0 {
		t.Errorf("after the second refresh, without a comment: %v", missing)
	}

	// An empty registry leaves the key columns.
	mustExec(t, db, "DELETE FROM indicators")
	if err := store.RefreshScorecard(ctx, db); err != nil {
		t.Fatal(err)
	}
	if got := columns(t, db, "scorecard_wide"); !slices.Equal(got, keys) {
		t.Errorf("columns with no registry = %v, want %v", got, keys)
	}
}

func TestCasesEnriched(t *testing.T) {
	ctx := context.Background()
	db := researchFixture(t) // latest run as_of 2025-03-10 12:00
	mustExec(t, db, `INSERT INTO cases (case_id, community_id, category, reported_at, first_response_at, due_at, closed_at, resolution_level, callback_satisfaction) VALUES
		('on_time',  'c1', 'x', '2025-01-05 10:00', '2025-01-05 11:30', '2025-01-08 10:00', '2025-01-06 10:00', 'community', 'satisfied'),
		('late',     'c1', 'x', '2025-01-05 10:00', NULL,               '2025-01-06 10:00', '2025-01-07 10:00', 'street',    'dissatisfied'),
		('no_due',   'c1', 'x', '2025-02-05 10:00', NULL,               NULL,               '2025-02-06 10:00', 'community', NULL),
		('overdue',  'c2', 'x', '2025-03-01 10:00', NULL,               '2025-03-04 10:00', NULL,               'district',  NULL),
		('pending',  'c2', 'x', '2025-03-09 10:00', NULL,               '2025-03-12 10:00', NULL,               'community', NULL),
		('later',    'c2', 'x', '2025-03-09 10:00', NULL,               '2025-03-12 10:00', '2025-03-11 10:00', 'community', NULL),
		('after',    'c2', 'x', '2025-03-11 10:00', NULL,               '2025-03-14 10:00', NULL,               'community', NULL)`)
	type want struct {
		status  string
		onTime  string
		hours   string
		month   string
		quarter string
	}
	wants := map[string]want{
		"on_time": {"closed", "true", "24.0", "2025-01", "2025-Q1"},
		"late":    {"closed", "false", "48.0", "2025-01", "2025-Q1"},
		"no_due":  {"closed", "false", "24.0", "2025-02", "2025-Q1"},
		"overdue": {"overdue", "false", "NULL", "2025-03", "2025-Q1"},
		"pending": {"pending", "NULL", "NULL", "2025-03", "2025-Q1"},
		// Closed after as_of: still open at the cut-off, not yet due.
		"later": {"pending", "NULL", "NULL", "2025-03", "2025-Q1"},
		"after": {"after_as_of", "NULL", "NULL", "2025-03", "2025-Q1"},
	}
	rows, err := db.QueryContext(ctx, `SELECT case_id, status, coalesce(on_time::VARCHAR, 'NULL'),
		coalesce(resolution_hours::VARCHAR, 'NULL'), month, quarter, year, community_name, street_name, district_name,
		strftime(as_of, '%Y-%m-%d %H:%M') FROM cases_enriched`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id, year, cn, sn, dn, asOf string
		var g want
		if err := rows.Scan(&id, &g.status, &g.onTime, &g.hours, &g.month, &g.quarter, &year, &cn, &sn, &dn, &asOf); err != nil {
			t.Fatal(err)
		}
		n++
		if g != wants[id] {
			t.Errorf("%s: got %+v, want %+v", id, g, wants[id])
		}
		if year != "2025" || sn != "东街道" || dn != "某区" || cn == "" || asOf != "2025-03-10 12:00" {
			t.Errorf("%s: year %s, names %s/%s/%s, as_of %s", id, year, cn, sn, dn, asOf)
		}
	}
	rows.Close()
	if n != len(wants) {
		t.Errorf("cases_enriched has %d rows, want %d", n, len(wants))
	}
	var fr float64
	if err := db.QueryRowContext(ctx, "SELECT first_response_hours FROM cases_enriched WHERE case_id = 'on_time'").Scan(&fr); err != nil || fr != 1.5 {
		t.Errorf("first_response_hours = %v, %v; want 1.5", fr, err)
	}
	if got := count(t, db, "SELECT count(*) FILTER (WHERE escalated) FROM cases_enriched"); got != 2 {
		t.Errorf("escalated cases = %d, want 2", got)
	}

	// Before any run, as_of is the latest timestamp in cases (reported_at,
	// first_response_at, closed_at, updated_at; not due_at).
	mustExec(t, db, "DELETE FROM indicator_values")
	var asOf string
	if err := db.QueryRowContext(ctx, "SELECT DISTINCT strftime(as_of, '%Y-%m-%d %H:%M') FROM cases_enriched").Scan(&asOf); err != nil || asOf != "2025-03-11 10:00" {
		t.Errorf("as_of without a run = %q, %v; want the latest timestamp 2025-03-11 10:00", asOf, err)
	}
	if got := count(t, db, "SELECT count(*) FROM cases_enriched WHERE status = 'after_as_of'"); got != 0 {
		t.Errorf("%d cases after as_of when as_of is the latest timestamp", got)
	}
}

func TestSurveyItemsLong(t *testing.T) {
	db := researchFixture(t)
	mustExec(t, db, `INSERT INTO survey_responses (response_id, community_id, submitted_at, q_overall, q_safety, q_fairness, excluded_reason) VALUES
		('r1', 'c1', '2025-01-03 09:00', 5, 4, NULL, NULL),
		('r2', 'c2', '2025-02-03 09:00', 2, NULL, NULL, NULL),
		('r3', 'c2', '2025-02-03 09:00', 1, 1, 1, 'speeder')`)
	got := map[string]int{}
	rows, err := db.QueryContext(context.Background(), "SELECT response_id || ' ' || month || ' ' || item, answer FROM survey_items_long")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var a int
		if err := rows.Scan(&k, &a); err != nil {
			t.Fatal(err)
		}
		got[k] = a
	}
	rows.Close()
	want := map[string]int{"r1 2025-01 q_overall": 5, "r1 2025-01 q_safety": 4, "r2 2025-02 q_overall": 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("survey_items_long = %v, want %v (valid responses, answered items)", got, want)
	}
}

// rowStrings returns the rows of a query as strings, columns joined by "|"
// (NULL for SQL NULL).
func rowStrings(t *testing.T, db *store.DB, q string) []string {
	t.Helper()
	rs, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = "NULL"
			if v.Valid {
				parts[i] = v.String
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
