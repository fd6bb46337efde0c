package metrics

import (
	"context"
	"database/sql"
	"math"
	"strings"
	"testing"

	"github.com/civicscore/civicscore/store"
)

// community is one row of the communities fixture of the score tests.
type community struct {
	id, street, district, areaType string
}

// seedGeography inserts communities (100 households, 1000 residents each);
// an empty areaType is stored as NULL.
func seedGeography(t testing.TB, db *store.DB, comms ...community) {
	t.Helper()
	var sb strings.Builder
	var args []any
	sb.WriteString(`INSERT INTO communities (community_id, community_name, street_id, street_name,
		district_id, district_name, households, population, area_type) VALUES `)
	for i, c := range comms {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, 100, 1000, nullif(?, ''))")
		args = append(args, c.id, c.id, c.street, c.street, c.district, c.district, c.areaType)
	}
	if _, err := db.ExecContext(context.Background(), sb.String(), args...); err != nil {
		t.Fatal(err)
	}
}

// surveyCell asks for n valid survey responses of community c on day (a
// date), the first x of them satisfied (q_overall 5), the rest not (2).
type surveyCell struct {
	c, day string
	x, n   int
}

// addSurveys inserts the responses of every cell in one statement.
func addSurveys(t testing.TB, db *store.DB, cells ...surveyCell) {
	t.Helper()
	if len(cells) == 0 {
		return
	}
	var vals []string
	var args []any
	for _, s := range cells {
		vals = append(vals, "(?, ?::DATE, ?::INTEGER, ?::INTEGER)")
		args = append(args, s.c, s.day, s.x, s.n)
	}
	q := `INSERT INTO survey_responses (response_id, community_id, submitted_at, q_overall)
		SELECT c || '-' || day || '-' || i, c, day::TIMESTAMP + INTERVAL 9 HOUR, CASE WHEN i < x THEN 5 ELSE 2 END
		FROM (SELECT *, unnest(range(n)) AS i FROM (VALUES ` + strings.Join(vals, ", ") + `) s(c, day, x, n))`
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatal(err)
	}
}

// caseCell asks for n cases of community c reported on day, all closed
// before as_of: the first onTime closed before their due time, the others
// after it; the first escalated handled at street level; the first
// callbacks with a callback answer, of which the first satisfied are
// 'satisfied' and the rest 'dissatisfied'.
type caseCell struct {
	c, day                                  string
	n, onTime, escalated, callbacks, satisf int
}

// addCases inserts the cases of every cell in one statement.
func addCases(t testing.TB, db *store.DB, cells ...caseCell) {
	t.Helper()
	if len(cells) == 0 {
		return
	}
	var vals []string
	var args []any
	for _, k := range cells {
		vals = append(vals, "(?, ?::DATE, ?::INTEGER, ?::INTEGER, ?::INTEGER, ?::INTEGER, ?::INTEGER)")
		args = append(args, k.c, k.day, k.n, k.onTime, k.escalated, k.callbacks, k.satisf)
	}
	q := `INSERT INTO cases (case_id, community_id, category, reported_at, due_at, closed_at, resolution_level, callback_satisfaction)
		SELECT c || '-' || day || '-' || i, c, 'x', day::TIMESTAMP, day::TIMESTAMP + INTERVAL 72 HOUR,
		       day::TIMESTAMP + CASE WHEN i < ot THEN INTERVAL 24 HOUR ELSE INTERVAL 96 HOUR END,
		       CASE WHEN i < esc THEN 'street' ELSE 'community' END,
		       CASE WHEN i < sat THEN 'satisfied' WHEN i < cb THEN 'dissatisfied' END
		FROM (SELECT *, unnest(range(n)) AS i FROM (VALUES ` + strings.Join(vals, ", ") + `) s(c, day, n, ot, esc, cb, sat))`
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatal(err)
	}
}

// component is one score_components row.
type component struct {
	raw, lo, hi, shrunk   sql.NullFloat64
	configured, effective float64
	used                  bool
}

// getComponent reads the score_components row of a unit, period and component.
func getComponent(t testing.TB, db *store.DB, k key, comp string) component {
	t.Helper()
	var c component
	err := db.QueryRowContext(context.Background(), `SELECT raw_value, ci_low, ci_high, shrunk_value,
		weight_configured, weight_effective, used FROM score_components
		WHERE period_type = ? AND period = ? AND level = ? AND unit_id = ? AND component = ?`,
		k.periodType, k.period, k.level, k.unit, comp).Scan(&c.raw, &c.lo, &c.hi, &c.shrunk, &c.configured, &c.effective, &c.used)
	if err != nil {
		t.Fatalf("score_components %v %s: %v", k, comp, err)
	}
	return c
}

// rowStrings returns the rows of a query as strings, columns joined by "|".
func rowStrings(t testing.TB, db *store.DB, q string, args ...any) []string {
	t.Helper()
	rs, err := db.QueryContext(context.Background(), q, args...)
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

// nullFloat is a nullable DOUBLE.
type nullFloat = sql.NullFloat64

// nf returns v as a nullFloat; null (NaN) is NULL.
func nf(v float64) nullFloat { return nullFloat{Float64: v, Valid: !math.IsNaN(v)} }

// valueOf returns v's value, or null when v is NULL.
func valueOf(v nullFloat) float64 {
	if !v.Valid {
		return null
	}
	return v.Float64
}
