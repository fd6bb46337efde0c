package metrics

import (
	"context"
	"database/sql"
	"math"
	"testing"

	"github.com/civicscore/civicscore/config"
	"github.com/civicscore/civicscore/store"
)

// defaulted returns opts with its zero fields set from config.Default(),
// as the command copies the configuration into Options: Compute has no
// defaults of its own.
func defaulted(opts Options) Options {
	d := config.Default()
	if opts.MinN == 0 {
		opts.MinN = d.Thresholds.MinN
	}
	if opts.ThreeRatesWeights == (ThreeRatesWeights{}) {
		w := d.ThreeRates.Weights
		opts.ThreeRatesWeights = ThreeRatesWeights{Response: w.Response, Resolution: w.Resolution, Satisfaction: w.Satisfaction}
	}
	if opts.BasicallySatisfiedWeight == 0 {
		opts.BasicallySatisfiedWeight = d.ThreeRates.BasicallySatisfiedWeight
	}
	if len(opts.ScoreWeights) == 0 {
		opts.ScoreWeights = d.Score.Weights
	}
	if opts.FDR == 0 {
		opts.FDR = d.FollowUp.FDR
	}
	if opts.SPC == (SPCOptions{}) {
		opts.SPC = SPCOptions{BaselineMonths: d.SPC.BaselineMonths, TrendPoints: d.SPC.TrendPoints, ShiftPoints: d.SPC.ShiftPoints}
	}
	if opts.SurveyMinCell == 0 {
		opts.SurveyMinCell = d.Survey.MinCell
	}
	if opts.SurveyMaxWeight == 0 {
		opts.SurveyMaxWeight = d.Survey.MaxWeight
	}
	if opts.RankDraws == 0 {
		opts.RankDraws = d.Ranks.Draws
	}
	return opts
}

// tol is the tolerance of every numeric assertion.
const tol = 1e-9

// null marks an expected SQL NULL in a want.
var null = math.NaN()

// zR is the 0.975 normal quantile, written out independently of the SQL.
const zR = 1.959963984540054

// openDB opens an in-memory database with the schema applied.
func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mustExec runs fixture statements.
func mustExec(t testing.TB, db *store.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
}

// seedCommunities inserts the geography every test uses:
//
//	district d1: street s1 = {c1, c2}, street s2 = {c3}
//	district d2: street s3 = {c4}
//
//	     households population elderly space_m2
//	c1   100        1000       200     40
//	c2   900        2000       NULL    NULL
//	c3   500        1000       100     150
//	c4   50         500        50      NULL
func seedCommunities(t testing.TB, db *store.DB) {
	t.Helper()
	mustExec(t, db, `INSERT INTO communities (community_id, community_name, street_id, street_name,
		district_id, district_name, households, population, elderly_population, service_space_m2) VALUES
		('c1', '一社区', 's1', '一街道', 'd1', '一区', 100, 1000, 200, 40),
		('c2', '二社区', 's1', '一街道', 'd1', '一区', 900, 2000, NULL, NULL),
		('c3', '三社区', 's2', '二街道', 'd1', '一区', 500, 1000, 100, 150),
		('c4', '四社区', 's3', '三街道', 'd2', '二区', 50, 500, 50, NULL)`)
}

// compute runs Compute and fails the test on error.
func compute(t testing.TB, db *store.DB, opts Options) Summary {
	t.Helper()
	if opts.RunID == "" {
		opts.RunID = "test-run"
	}
	s, err := Compute(context.Background(), db.DB, defaulted(opts))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// row is one indicator_values row.
type row struct {
	value, num, den, lo, hi sql.NullFloat64
	shrunk                  sql.NullFloat64
	rank                    sql.NullInt64
	suppressed              bool
	runID                   string
}

// key names one indicator_values row.
type key struct {
	periodType, period, level, unit, indicator string
}

// get reads the row of k; ok is false when there is none. More than one
// row for a key fails the test.
func get(t testing.TB, db *store.DB, k key) (row, bool) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT value, numerator, denominator, ci_low, ci_high,
		shrunk_value, rank, suppressed, run_id FROM indicator_values
		WHERE period_type = ? AND period = ? AND level = ? AND unit_id = ? AND indicator = ?`,
		k.periodType, k.period, k.level, k.unit, k.indicator)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var r row
	n := 0
	for rows.Next() {
		n++
		if err := rows.Scan(&r.value, &r.num, &r.den, &r.lo, &r.hi, &r.shrunk, &r.rank, &r.suppressed, &r.runID); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n > 1 {
		t.Fatalf("%v: %d rows", k, n)
	}
	return r, n == 1
}

// mustGet is get for a row that must exist.
func mustGet(t testing.TB, db *store.DB, k key) row {
	t.Helper()
	r, ok := get(t, db, k)
	if !ok {
		t.Fatalf("%v: no row", k)
	}
	return r
}

// want is an expected row: NaN (null) means NULL.
type want struct {
	k               key
	value, num, den float64
	suppressed      bool
}

// checkFloat compares a nullable column with an expected value (null = NULL).
func checkFloat(t testing.TB, what string, got sql.NullFloat64, exp float64) {
	t.Helper()
	switch {
	case math.IsNaN(exp) && got.Valid:
		t.Errorf("%s = %.12g, want NULL", what, got.Float64)
	case !math.IsNaN(exp) && !got.Valid:
		t.Errorf("%s = NULL, want %.12g", what, exp)
	case !math.IsNaN(exp) && math.Abs(got.Float64-exp) > tol:
		t.Errorf("%s = %.12g, want %.12g", what, got.Float64, exp)
	}
}

// checkWants checks value, numerator, denominator and suppressed of each want.
func checkWants(t *testing.T, db *store.DB, wants []want) {
	t.Helper()
	for _, w := range wants {
		r := mustGet(t, db, w.k)
		name := w.k.periodType + " " + w.k.period + " " + w.k.level + " " + w.k.unit + " " + w.k.indicator
		checkFloat(t, name+" value", r.value, w.value)
		checkFloat(t, name+" numerator", r.num, w.num)
		checkFloat(t, name+" denominator", r.den, w.den)
		if r.suppressed != w.suppressed {
			t.Errorf("%s suppressed = %v, want %v", name, r.suppressed, w.suppressed)
		}
		if r.suppressed && (r.lo.Valid || r.hi.Valid) {
			t.Errorf("%s is suppressed but has an interval", name)
		}
	}
}

// wilsonQuadratic returns the Wilson interval as the two roots of
// (p̂ − p)² = z² p (1 − p) / n in p — a different route from the
// centre ± half-width form the SQL uses:
//
//	(1 + z²/n) p² − (2p̂ + z²/n) p + p̂² = 0.
func wilsonQuadratic(x, n float64) (lo, hi float64) {
	ph := x / n
	a := 1 + zR*zR/n
	b := -(2*ph + zR*zR/n)
	c := ph * ph
	d := math.Sqrt(b*b - 4*a*c)
	return (-b - d) / (2 * a), (-b + d) / (2 * a)
}

// month, quarter, year build keys.
func month(p, level, unit, ind string) key   { return key{"month", p, level, unit, ind} }
func quarter(p, level, unit, ind string) key { return key{"quarter", p, level, unit, ind} }
func year(p, level, unit, ind string) key    { return key{"year", p, level, unit, ind} }

// count runs a query returning one integer.
func count(t testing.TB, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	return n
}
