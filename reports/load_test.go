package reports

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// countingConnector counts the queries run through its connections, to
// check that Load's query count does not grow with the data.
type countingConnector struct {
	driver.Connector
	queries atomic.Int64
}

func (c *countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, n: &c.queries}, nil
}

type countingConn struct {
	driver.Conn
	n *atomic.Int64
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.Add(1)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// openTestDB opens a DuckDB file with the project's schema, made by
// store.Open's migrations, through a connector that counts queries.
func openTestDB(t *testing.T) (*sql.DB, *countingConnector) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "civicscore.duckdb")
	sdb, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	if err := sdb.Close(); err != nil {
		t.Fatalf("store: %v", err)
	}
	conn, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatalf("duckdb: %v", err)
	}
	cc := &countingConnector{Connector: conn}
	db := sql.OpenDB(cc)
	t.Cleanup(func() { db.Close(); conn.Close() })
	return db, cc
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// seed fills the database with n communities in one district and two runs:
// an old one and a newer one without resident_score or the three rates.
func seed(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		st := i % 2
		mustExec(t, db, `INSERT INTO communities (community_id, community_name, street_id, street_name, district_id, district_name, households, population, area_type)
			VALUES (?, ?, ?, ?, 'D1', '东城区', ?, ?, 'mixed')`,
			fmt.Sprintf("C%03d", i), fmt.Sprintf("社区%d", i), fmt.Sprintf("S%d", st), fmt.Sprintf("第%d街道", st+1), 1000+i, 2500+i)
	}
	mustExec(t, db, `INSERT INTO indicators VALUES
		('satisfaction_rate', 'surveys', '居民满意率（库）', 'Resident satisfaction (db)', 'fraction', 'higher_better', 'proportion', 'q_overall in {4,5}'),
		('on_time_rate', 'cases', '按时办结率', 'On-time rate', 'fraction', 'higher_better', 'proportion', NULL)`)
	mustExec(t, db, `INSERT INTO runs (run_id, started_at, version, duckdb_version, as_of) VALUES
		('run-old', TIMESTAMP '2025-08-01 00:00:00', 'v', 'd', TIMESTAMP '2025-07-31 23:00:00'),
		('run-new', TIMESTAMP '2025-09-01 00:00:00', 'v', 'd', TIMESTAMP '2025-08-31 18:30:00')`)
	// Old run: a resident_score that the new run no longer has.
	mustExec(t, db, `INSERT INTO indicator_values (run_id, period_type, period, level, unit_id, indicator, value, suppressed, rank)
		SELECT 'run-old', 'month', '2025-07', 'community', community_id, 'resident_score', 80, false, 1 FROM communities`)
	// New run, set-based: three months for every community, street and district.
	mustExec(t, db, `
		INSERT INTO indicator_values (run_id, period_type, period, level, unit_id, indicator, value, numerator, denominator, ci_low, ci_high, shrunk_value, suppressed, rank)
		WITH units AS (
			SELECT 'community' AS level, community_id AS unit_id, row_number() OVER (ORDER BY community_id) AS k FROM communities
			UNION ALL SELECT DISTINCT 'street', street_id, 0 FROM communities
			UNION ALL SELECT DISTINCT 'district', district_id, 0 FROM communities),
		months AS (SELECT unnest(['2025-06', '2025-07', '2025-08']) AS period),
		inds AS (SELECT unnest(['satisfaction_rate', 'on_time_rate', 'escalation_share', 'reopen_rate', 'satisfaction_rate.q_safety']) AS indicator)
		SELECT 'run-new', 'month', period, level, unit_id, indicator,
		       0.8, 40, 50, 0.67, 0.89, 0.79, false, NULL
		FROM units, months, inds`)
	// A suppressed row with its value and interval left in by mistake.
	mustExec(t, db, `UPDATE indicator_values SET suppressed = true, denominator = 4, value = 0.25
		WHERE run_id = 'run-new' AND unit_id = 'C000' AND indicator = 'satisfaction_rate' AND period = '2025-08'`)
	mustExec(t, db, `INSERT INTO indicator_values (run_id, period_type, period, level, unit_id, indicator, value, suppressed)
		SELECT 'run-new', 'quarter', '2025-Q2', 'district', 'D1', 'level_share.' || l, 0.2, false
		FROM (SELECT unnest(['community', 'block', 'street', 'district', 'city']) AS l)`)
}

func TestLoad(t *testing.T) {
	db, cc := openTestDB(t)
	seed(t, db, 5)
	ctx := context.Background()
	before := cc.queries.Load()
	d, err := Load(ctx, db, testOpts(Options{}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	queries := cc.queries.Load() - before
	if d.RunID != "run-new" {
		t.Errorf("RunID %q, want the latest run", d.RunID)
	}
	if want := time.Date(2025, 8, 31, 18, 30, 0, 0, time.UTC); !d.AsOf.Equal(want) {
		t.Errorf("AsOf %v, want %v", d.AsOf, want)
	}
	if len(d.Districts) != 1 || len(d.Streets) != 2 || len(d.Communities) != 5 {
		t.Fatalf("units: %d districts, %d streets, %d communities", len(d.Districts), len(d.Streets), len(d.Communities))
	}
	if d.Districts[0].Name != "东城区" || d.Districts[0].Households != 1000+1001+1002+1003+1004 {
		t.Errorf("district %+v", d.Districts[0])
	}
	if got := strings.Join(d.Months, ","); got != "2025-06,2025-07,2025-08" {
		t.Errorf("months %s", got)
	}
	if got := strings.Join(d.Quarters, ","); got != "2025-Q2" {
		t.Errorf("quarters %s", got)
	}
	if d.Registry[indSatisfaction].NameZH != "居民满意率（库）" {
		t.Errorf("registry not loaded: %+v", d.Registry[indSatisfaction])
	}
	aug := civicscore.Period{Type: civicscore.Month, Label: "2025-08"}
	c1 := d.Communities[1]
	v, ok := c1.Values.Get(indSatisfaction, aug)
	if !ok || v.Value.Float64 != 0.8 || v.Denominator.Float64 != 50 || v.CILow.Float64 != 0.67 || v.CIHigh.Float64 != 0.89 || v.Shrunk.Float64 != 0.79 || v.Suppressed {
		t.Errorf("C001 satisfaction 2025-08 = %+v", v)
	}
	if _, ok := c1.Values.Get(indSatisfaction+".q_safety", aug); !ok {
		t.Error("per-item satisfaction not loaded")
	}
	if got := len(c1.Values["reopen_rate"]); got != 1 {
		t.Errorf("reopen_rate loaded for %d periods, want only the latest (for the table of every indicator)", got)
	}
	if !d.Districts[0].Values.Has("reopen_rate") || !d.Districts[0].Values.Has("level_share.city") {
		t.Error("district values not all loaded")
	}
	if c1.Values.Has(indResidentScore) {
		t.Error("resident_score of an older run leaked into the latest run")
	}
	s, _ := d.Communities[0].Values.Get(indSatisfaction, aug)
	if !s.Suppressed || s.Value.Valid || s.CILow.Valid {
		t.Errorf("suppressed row kept its value: %+v", s)
	}

	// The query count is fixed: it does not grow with the communities
	// (one query per block: run, units, registry, values, companion tables
	// with indicator_targets and score_peers, categories, quality).
	db2, cc2 := openTestDB(t)
	seed(t, db2, 60)
	before = cc2.queries.Load()
	if _, err := Load(ctx, db2, testOpts(Options{})); err != nil {
		t.Fatal(err)
	}
	// (17 today: schema, run, units, registry, two of values, changes,
	// follow-up, components, targets, peers, categories, quality and the
	// four tables of the fair comparison.)
	if q2 := cc2.queries.Load() - before; q2 != queries || queries < 4 || queries > 18 {
		t.Errorf("Load ran %d queries for 5 communities and %d for 60; want the same small number", queries, q2)
	}

	// An older run by id.
	old, err := LoadRun(ctx, db, "run-old", testOpts(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := old.Communities[0].Values.Get(indResidentScore, civicscore.Period{Type: civicscore.Month, Label: "2025-07"}); !ok || v.Rank != 1 {
		t.Errorf("run-old resident_score = %+v, %v", v, ok)
	}
	if _, err := LoadRun(ctx, db, "no-such-run", testOpts(Options{})); err == nil {
		t.Error("LoadRun of an unknown run succeeded")
	}

	// What Load returns renders.
	dir := t.TempDir()
	if err := Render(dir, d, testOpts(Options{DefinitionsVersion: "t"})); err != nil {
		t.Fatalf("Render of loaded data: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "scorecards", "C000.html"))
	if err != nil || !strings.Contains(string(b), "样本不足") || !strings.Contains(string(b), "2025-08-31 18:30") {
		t.Errorf("scorecard of loaded data: %v", err)
	}
}

func TestLoadEmptyDatabase(t *testing.T) {
	db, _ := openTestDB(t)
	d, err := Load(context.Background(), db, testOpts(Options{}))
	if err != nil {
		t.Fatalf("Load of an empty database: %v", err)
	}
	if d.RunID != "" || len(d.Communities) != 0 {
		t.Errorf("empty database gave %+v", d)
	}
	if err := Render(t.TempDir(), d, testOpts(Options{})); err != nil {
		t.Errorf("Render of empty data: %v", err)
	}
}

// TestQualityValuesAndStatus: the data-quality page shows, from the
// database, the values normalisation changed (ingest_value_counts, summed
// per file, column and how) and the cases by status, cancelled ones among
// them. Expected figures are the inserted rows added by hand.
func TestQualityValuesAndStatus(t *testing.T) {
	db, _ := openTestDB(t)
	seed(t, db, 2)
	mustExec(t, db, `INSERT INTO ingest_value_counts (kind, source_file, column_name, how, n) VALUES
		('cases', '/in/311.csv', 'source', 'values', 40), ('cases', '/in/311.csv', 'source', 'values', 2),
		('cases', '/in/311.csv', 'resolution_level', 'derive', 7), ('cases', '/in/311.csv', 'status', 'unknown_status', 3)`)
	mustExec(t, db, `INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level, status) VALUES
		('k1', 'C000', 'x', TIMESTAMP '2025-08-01 08:00:00', 'community', 'cancelled'),
		('k2', 'C000', 'x', TIMESTAMP '2025-08-01 08:00:00', 'community', 'closed'),
		('k3', 'C001', 'x', TIMESTAMP '2025-08-01 08:00:00', 'community', 'closed'),
		('k4', 'C001', 'x', TIMESTAMP '2025-08-01 08:00:00', 'community', NULL)`)
	d, err := Load(context.Background(), db, testOpts(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	// 40 + 2 values aliases of source; 7 derived levels; 3 unknown statuses.
	wantMapped := []QualityMapped{{"/in/311.csv", "cases", "resolution_level", "derive", 7}, {"/in/311.csv", "cases", "source", "values", 42},
		{"/in/311.csv", "cases", "status", "unknown_status", 3}}
	if !slices.Equal(d.Quality.Mapped, wantMapped) {
		t.Errorf("mapped = %+v, want %+v", d.Quality.Mapped, wantMapped)
	}
	wantStatus := []QualityCount{{Name: "", N: 1}, {Name: "cancelled", N: 1}, {Name: "closed", N: 2}}
	if !slices.Equal(d.Quality.Statuses, wantStatus) {
		t.Errorf("statuses = %+v, want %+v", d.Quality.Statuses, wantStatus)
	}
	dir := t.TempDir()
	if err := Render(dir, d, testOpts(Options{DefinitionsVersion: "t"})); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "data-quality.html"))
	if err != nil {
		t.Fatal(err)
	}
	// 1 of 4 cases cancelled: 25.0%.
	for _, want := range []string{"载入时转换的取值", "values 别名", "derive 规则", "<td class=\"num\">42</td>", "已作废", "<code>cancelled</code>", "25.0%"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("data-quality page lacks %q", want)
		}
	}
}

// TestQualityStrata: the data-quality page shows survey_strata of the
// latest year it holds — a community's strata, a merged one, and the
// responses left out — escaped. Rows are inserted by hand; the shares are
// theirs written as percentages.
func TestQualityStrata(t *testing.T) {
	db, _ := openTestDB(t)
	seed(t, db, 2)
	mustExec(t, db, `INSERT INTO survey_strata (run_id, period_type, period, community_id, source, age_group, gender,
		respondents, sample_share, population, population_share, weight, merged_age_group, merged_gender, left_out, rake_rounds) VALUES
		('r', 'year', '2024', 'C000', 'community', '18-34', NULL, 9, 0.9, 100, 0.1, 0.111, NULL, NULL, NULL, NULL),
		('r', 'year', '2025', 'C000', 'district', '18-34', 'male', 0, 0, 300, 0.3, 1.5, '35-59', NULL, NULL, 4),
		('r', 'year', '2025', 'C000', 'district', '35-59', 'male', 12, 0.25, 200, 0.2, 1.5, NULL, NULL, NULL, 4),
		('r', 'year', '2025', 'C000', 'district', '<b>', NULL, 3, NULL, NULL, NULL, NULL, NULL, NULL, 'missing', NULL),
		('r', 'month', '2025-12', 'C001', 'community', '60+', NULL, 1, 1, 1, 1, 1, NULL, NULL, NULL, NULL)`)
	d, err := Load(context.Background(), db, testOpts(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if d.Quality.StrataPeriod != "2025" || len(d.Quality.Strata) != 3 {
		t.Fatalf("strata of %q: %+v, want the three rows of 2025", d.Quality.StrataPeriod, d.Quality.Strata)
	}
	dir := t.TempDir()
	if err := Render(dir, d, testOpts(Options{DefinitionsVersion: "t"})); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "data-quality.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"问卷代表性", "18-34 · male", "→ 35-59", "所在区", "25.0%", "30.0%", "1.50",
		"未参与加权（缺少分层信息） · &lt;b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("data-quality page lacks %q", want)
		}
	}
	if strings.Contains(page, "0.111") || strings.Contains(page, "<b>") {
		t.Errorf("data-quality page shows another period's row or unescaped text")
	}
}
