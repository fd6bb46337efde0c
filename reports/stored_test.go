package reports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/config"
	"github.com/civicscore/civicscore/metrics"
	"github.com/civicscore/civicscore/store"
)

// computedDB returns a database with four communities in two streets of one
// district, two months of surveys, cases and services made in SQL from
// range() and hash(), and one metrics run over them with the
// configuration's defaults: what `civicscore run` leaves behind.
func computedDB(t *testing.T) *sql.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`INSERT INTO communities (community_id, community_name, street_id, street_name, district_id, district_name,
			households, population, elderly_population, area_type, service_space_m2)
		 SELECT 'C' || i, '社区' || i, 'S' || (i % 2), '街道' || (i % 2), 'D1', '测试区', 400 + 100 * i, 1000 + 250 * i, 200, 'old', 300
		 FROM range(1, 5) t(i)`,
		`INSERT INTO survey_responses (response_id, community_id, submitted_at, respondent_hash, duration_seconds,
			q_overall, q_environment, q_safety, q_services, q_responsiveness, q_facilities, q_participation, q_fairness)
		 SELECT 'r' || c || '-' || m || '-' || k, 'C' || c, TIMESTAMP '2025-03-01 08:00:00' + INTERVAL (m) MONTH + INTERVAL (k) HOUR,
			'h' || c || '-' || m || '-' || k, 300,
			1 + hash(c, m, k, 0) % 5, 1 + hash(c, m, k, 1) % 5, 1 + hash(c, m, k, 2) % 5, 1 + hash(c, m, k, 3) % 5,
			1 + hash(c, m, k, 4) % 5, 1 + hash(c, m, k, 5) % 5, 1 + hash(c, m, k, 6) % 5, 1 + hash(c, m, k, 7) % 5
		 FROM range(1, 5) a(c), range(0, 2) b(m), range(0, 30 + 5 * c) d(k)`,
		`INSERT INTO cases (case_id, community_id, category, reported_at, first_response_at, due_at, closed_at, resolution_level,
			callback_satisfaction, callback_contacted, callback_resolved, reopened)
		 SELECT 'k' || c || '-' || m || '-' || k, 'C' || c, 'env', ts, ts + INTERVAL 2 HOUR, ts + INTERVAL 72 HOUR,
			ts + INTERVAL ((hash(c, m, k) % 120)::BIGINT) HOUR,
			['community', 'community', 'community', 'block', 'street', 'district', 'city'][1 + (hash(c, m, k, 9) % 7)::BIGINT],
			['satisfied', 'basically_satisfied', 'dissatisfied'][1 + (hash(c, m, k, 8) % 3)::BIGINT], true, hash(c, m, k, 7) % 3 > 0, false
		 FROM range(1, 5) a(c), range(0, 2) b(m), range(0, 25 + 3 * c) d(k),
		      LATERAL (SELECT TIMESTAMP '2025-03-01 09:00:00' + INTERVAL (m) MONTH + INTERVAL (k * 7) HOUR AS ts)`,
		`INSERT INTO services (service_id, community_id, service_date, service_type, target_group, provider_type, recipients, hours)
		 SELECT 's' || c || '-' || m || '-' || k, 'C' || c, DATE '2025-03-02' + INTERVAL (m) MONTH + INTERVAL (k) DAY, 'health',
			['elderly', 'general'][1 + k % 2], ['government', 'social_org', 'volunteer'][1 + k % 3], 5 + (c * c * (k + 1)) % 37, 2
		 FROM range(1, 5) a(c), range(0, 2) b(m), range(0, 6) d(k)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	d := config.Default()
	w := d.ThreeRates.Weights
	if _, err := metrics.Compute(ctx, db.DB, metrics.Options{
		RunID: "stored", MinN: d.Thresholds.MinN, ScoreWeights: d.Score.Weights,
		ThreeRatesWeights:        metrics.ThreeRatesWeights{Response: w.Response, Resolution: w.Resolution, Satisfaction: w.Satisfaction},
		BasicallySatisfiedWeight: d.ThreeRates.BasicallySatisfiedWeight,
		FDR:                      d.FollowUp.FDR,
		SPC: metrics.SPCOptions{BaselineMonths: d.SPC.BaselineMonths,
			TrendPoints: d.SPC.TrendPoints, ShiftPoints: d.SPC.ShiftPoints},
		SurveyMinCell: d.Survey.MinCell, SurveyMaxWeight: d.Survey.MaxWeight, RankDraws: d.Ranks.Draws,
	}); err != nil {
		t.Fatal(err)
	}
	return db.DB
}

// TestPagesShowWhatTheRunStored renders a computed database and checks that
// the numbers the pages show are the database's: every indicator named as
// the registry names it, the resident score's interval as score.sql stored
// it, the Gini coefficient of indicator_values, the escalation split and
// the services behind the equity chart as stored (not accumulated or
// sorted into a Lorenz curve), and the ranking in the stored rank order.
// Expected values are read from the database with SQL, independently of
// Load.
func TestPagesShowWhatTheRunStored(t *testing.T) {
	db := computedDB(t)
	ctx := context.Background()
	d, err := Load(ctx, db, testOpts(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	dir := render(t, d, Options{})
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	// Names: the indicators table, metrics.Registry and the methodology
	// page agree on every indicator.
	reg := RegistryMap(nil)
	method := read(fileMethodology)
	rows, err := db.QueryContext(ctx, `SELECT indicator, name_zh FROM indicators ORDER BY indicator`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		n++
		if reg[id].NameZH != name {
			t.Errorf("%s: indicators.name_zh %q, metrics.Registry %q", id, name, reg[id].NameZH)
		}
		if want := "<h3>" + template.HTMLEscapeString(name) + " <code>" + id + "</code></h3>"; !strings.Contains(method, want) {
			t.Errorf("methodology lacks %s", want)
		}
	}
	rows.Close()
	if n != len(reg) {
		t.Errorf("indicators holds %d rows, the registry %d", n, len(reg))
	}

	// The resident score's interval on the scorecards: score.sql's bounds.
	const latest = "2025-04"
	q, err := db.QueryContext(ctx, `SELECT unit_id, value, ci_low, ci_high, rank FROM indicator_values
		WHERE level = 'community' AND indicator = 'resident_score' AND period = ? AND NOT suppressed ORDER BY rank, unit_id`, latest)
	if err != nil {
		t.Fatal(err)
	}
	var byRank []string
	for q.Next() {
		var id string
		var v, lo, hi float64
		var rank int
		if err := q.Scan(&id, &v, &lo, &hi, &rank); err != nil {
			t.Fatal(err)
		}
		byRank = append(byRank, id)
		sc := read(filepath.Join(dirScorecards, scorecardFileName(id)))
		if want := formatRange(unitScore, lo, hi, LangZH); !strings.Contains(sc, want) {
			t.Errorf("%s's scorecard lacks the stored interval %s", id, want)
		}
	}
	q.Close()
	if len(byRank) < 2 {
		t.Fatalf("only %d scored communities; the fixture should score all four", len(byRank))
	}

	// The ranking lists the communities in the stored rank order.
	ranking := read(fileRanking)
	var pos []int
	for _, id := range byRank {
		i := strings.Index(ranking, `href="`+dirScorecards+"/"+scorecardFileName(id)+`"`)
		if i < 0 {
			t.Fatalf("ranking lacks %s", id)
		}
		pos = append(pos, i)
	}
	if !slices.IsSorted(pos) {
		t.Errorf("ranking order %v is not the stored rank order %v", pos, byRank)
	}

	// The district's analysis: the Gini, the level shares and the services
	// values as stored in the report period (the latest full quarter).
	o, err := testOpts(Options{}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	rc, err := newRenderCtx(d, o)
	if err != nil {
		t.Fatal(err)
	}
	rp := rc.reportPeriod()
	var gini float64
	if err := db.QueryRowContext(ctx, `SELECT value FROM indicator_values WHERE level = 'district' AND indicator = 'gini_services'
		AND period_type = ? AND period = ?`, string(rp.Type), rp.Label).Scan(&gini); err != nil {
		t.Fatalf("gini_services in %v: %v", rp, err)
	}
	if want := fmt.Sprintf("%.3f", gini); !strings.Contains(read(fileIndex), want) {
		t.Errorf("index.html lacks the stored Gini %s", want)
	}
	cs := chartSet{}
	av := rc.area(rc.districts[0], "t", 0, cs)
	if av.Gini != fmt.Sprintf("%.3f", gini) {
		t.Errorf("area Gini %q, stored %.3f", av.Gini, gini)
	}
	var shares []float64
	for _, l := range civicscore.ResolutionLevels {
		var v float64
		if err := db.QueryRowContext(ctx, `SELECT value FROM indicator_values WHERE level = 'district' AND indicator = ?
			AND period_type = ? AND period = ?`, indLevelSharePrefix+string(l), string(rp.Type), rp.Label).Scan(&v); err != nil {
			t.Fatal(err)
		}
		shares = append(shares, round(v*100, 1))
	}
	if got := seriesValues(t, cs["chart-t-funnel"]); !slices.Equal(got, shares) {
		t.Errorf("escalation chart %v, stored level shares %v", got, shares)
	}
	var services []float64
	sr, err := db.QueryContext(ctx, `SELECT round(value, 1) FROM indicator_values WHERE level = 'community'
		AND indicator = 'services_per_1000_residents' AND period_type = ? AND period = ? ORDER BY value`, string(rp.Type), rp.Label)
	if err != nil {
		t.Fatal(err)
	}
	for sr.Next() {
		var v float64
		if err := sr.Scan(&v); err != nil {
			t.Fatal(err)
		}
		services = append(services, v)
	}
	sr.Close()
	if got := seriesValues(t, cs["chart-t-equity"]); !slices.Equal(got, services) {
		t.Errorf("equity chart %v, stored services per 1,000 %v", got, services)
	}
}

// seriesValues returns the values of the first series of a chart.
func seriesValues(t *testing.T, o *chartOption) []float64 {
	t.Helper()
	if o == nil || len(o.Series) == 0 {
		t.Fatal("no such chart")
	}
	var out []float64
	for _, v := range o.Series[0].(map[string]any)["data"].([]any) {
		switch x := v.(type) {
		case float64:
			out = append(out, x)
		case map[string]any:
			out = append(out, x["value"].(float64))
		default:
			t.Fatalf("chart datum %T", v)
		}
	}
	return out
}

// TestLoadRefusesOtherSchemaVersions checks that a database whose schema is
// not the one of this civicscore's migrations is refused with an error
// naming the version found and the version expected, and that one without
// schema_migrations is refused too.
func TestLoadRefusesOtherSchemaVersions(t *testing.T) {
	ctx := context.Background()
	want := store.SchemaVersion()
	for _, tc := range []struct {
		name  string
		setup string
		msg   string
	}{
		{"newer", `INSERT INTO schema_migrations (version, name) VALUES (99, '099_future.sql')`,
			fmt.Sprintf("found schema version 99, expected %d", want)},
		// The version before the latest (migration numbers may skip).
		{"older", fmt.Sprintf(`DELETE FROM schema_migrations WHERE version = %d`, want), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			mustExec(t, db, tc.setup)
			if tc.msg == "" {
				var prev int
				if err := db.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&prev); err != nil {
					t.Fatal(err)
				}
				tc.msg = fmt.Sprintf("found schema version %d, expected %d", prev, want)
			}
			_, err := Load(ctx, db, testOpts(Options{}))
			if !errors.Is(err, ErrSchemaVersion) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want ErrSchemaVersion saying %q", err, tc.msg)
			}
		})
	}
	// A DuckDB file civicscore did not make.
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	mustExec(t, db, `CREATE TABLE indicator_values (run_id VARCHAR, indicator VARCHAR, value DOUBLE)`)
	if _, err := Load(ctx, db, testOpts(Options{})); !errors.Is(err, ErrSchemaVersion) ||
		!strings.Contains(err.Error(), "schema_migrations") || !strings.Contains(err.Error(), fmt.Sprintf("expected schema version %d", want)) {
		t.Errorf("err = %v, want ErrSchemaVersion naming schema_migrations and version %d", err, want)
	}
}
