package metrics

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

func TestRegistry(t *testing.T) {
	reg := Registry(nil)
	units := []string{UnitFraction, UnitHours, UnitCount, UnitPer1000, UnitPer100, UnitScore, UnitRatio}
	families := []string{FamilyCases, FamilyThreeRates, FamilySurveys, FamilyServices, FamilyScore}
	seen := map[string]bool{}
	for _, ind := range reg {
		if seen[ind.ID] {
			t.Errorf("%s listed twice", ind.ID)
		}
		seen[ind.ID] = true
		if !slices.Contains(units, ind.Unit) || !slices.Contains(families, ind.Family) {
			t.Errorf("%s: unit %q family %q", ind.ID, ind.Unit, ind.Family)
		}
		switch ind.Kind {
		case civicscore.Proportion, civicscore.Estimate, civicscore.Fact:
		default:
			t.Errorf("%s: kind %q", ind.ID, ind.Kind)
		}
		switch ind.Direction {
		case civicscore.HigherIsBetter, civicscore.LowerIsBetter, civicscore.Neutral:
		default:
			t.Errorf("%s: direction %q", ind.ID, ind.Direction)
		}
		if ind.NameZH == "" || ind.NameEN == "" || ind.Definition == "" {
			t.Errorf("%s: missing a name or definition", ind.ID)
		}
	}
	// 17 case + 3 standardised case + 4 three-rates + 4 survey + 7 items
	// + 1 + 7 weighted + 6 service indicators + resident_score.
	if len(reg) != 50 {
		t.Errorf("%d indicators, want 50", len(reg))
	}
	for _, it := range SurveyItemColumns {
		if !seen["satisfaction_rate."+it] {
			t.Errorf("no satisfaction_rate.%s", it)
		}
	}
	if got := len(Registry([]string{"q_safety"})); got != len(reg)-12 {
		t.Errorf("Registry(q_safety) has %d indicators, want %d", got, len(reg)-12)
	}
}

// seedAll inserts some data of every kind, with all three 12345 columns.
func seedAll(t testing.TB) *store.DB {
	db := openDB(t)
	seedCommunities(t, db)
	mustExec(t, db,
		`INSERT INTO cases (case_id, community_id, category, reported_at, due_at, closed_at, resolution_level,
			callback_satisfaction, callback_contacted, callback_resolved, reopened) VALUES
		('1', 'c1', 'x', '2025-01-02', '2025-01-05', '2025-01-03', 'community', 'satisfied', true, true, false),
		('2', 'c2', 'x', '2025-02-02', '2025-02-05', NULL,         'street',    NULL,        NULL, NULL, NULL),
		('3', 'c3', 'x', '2025-04-02', '2025-04-05', '2025-04-09', 'city',      'dissatisfied', true, false, true)`,
		`INSERT INTO services (service_id, community_id, service_date, service_type, provider_type, recipients)
		 VALUES ('s', 'c1', '2025-03-15', 'health', 'government', 4)`,
		`INSERT INTO survey_responses (response_id, community_id, submitted_at, q_overall)
		 VALUES ('r', 'c4', '2025-05-01', 4)`)
	return db
}

// TestDenseGrid checks that every unit × period has exactly one row of
// every indicator, with the documented exceptions.
func TestDenseGrid(t *testing.T) {
	db := seedAll(t)
	s := compute(t, db, Options{})
	// Months 2025-01, -02, -03, -04, -05; quarters Q1, Q2; year 2025: 8
	// periods. Units: 4 communities, 3 streets, 2 districts = 9.
	const periods, units, districts = 8, 9, 2
	for _, ind := range Registry(nil) {
		want := int64(periods * units)
		switch ind.ID {
		case "gini_services":
			want = periods * districts
		case "overdue_open":
			want = 3 * units // the month, quarter and year of as_of
		case "on_time_rate.standardised", "escalation_share.standardised", "callback_satisfaction_rate.standardised":
			want = periods * 4 // community level only
		}
		if strings.HasSuffix(ind.ID, ".weighted") {
			want = 0 // no survey.post_strata
		}
		if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator = ?`, ind.ID); n != want {
			t.Errorf("%s: %d rows, want %d", ind.ID, n, want)
		}
	}
	if n := count(t, db, `SELECT count(*) - count(DISTINCT (period_type, period, level, unit_id, indicator))
		FROM indicator_values`); n != 0 {
		t.Errorf("%d duplicate rows", n)
	}
	total := count(t, db, `SELECT count(*) FROM indicator_values`)
	if s.Rows != total {
		t.Errorf("Summary.Rows = %d, table has %d", s.Rows, total)
	}
	var byFamily int64
	for _, n := range s.RowsByFamily {
		byFamily += n
	}
	if byFamily != total || s.RowsByFamily[FamilyThreeRates] != 4*periods*units {
		t.Errorf("RowsByFamily = %v", s.RowsByFamily)
	}
	if got := count(t, db, `SELECT count(*) FROM indicator_values WHERE suppressed`); s.Suppressed != got {
		t.Errorf("Summary.Suppressed = %d, table has %d", s.Suppressed, got)
	}
	// as_of is the latest timestamp, case 3's closure on 2025-04-09.
	if want := time.Date(2025, 4, 9, 0, 0, 0, 0, time.UTC); !s.AsOf.Equal(want) {
		t.Errorf("AsOf = %v, want %v", s.AsOf, want)
	}
	// Facts are never suppressed; only community proportions with a
	// denominator, and standardised rates with an expected count E > 0,
	// are shrunk; only resident scores are ranked (here none: every
	// component has fewer than min_n rows).
	if n := count(t, db, `SELECT count(*) FROM indicator_values v JOIN indicators i USING (indicator)
		WHERE (i.kind = 'fact' AND suppressed)
		   OR (shrunk_value IS NOT NULL) <> (level = 'community' AND
		          ((i.kind = 'proportion' AND denominator >= 1) OR (indicator LIKE '%.standardised' AND denominator > 0)))
		   OR rank IS NOT NULL`); n != 0 {
		t.Errorf("%d rows with a suppressed fact, a wrong shrunk value or a rank", n)
	}
}

func TestComputeReplacesEverything(t *testing.T) {
	db := seedAll(t)
	mustExec(t, db,
		`INSERT INTO indicator_values (run_id, period_type, period, level, unit_id, indicator, suppressed)
		 VALUES ('old', 'month', '1999-01', 'community', 'c1', 'gone', false)`,
		`INSERT INTO indicators VALUES ('gone', 'x', 'x', 'x', 'x', 'x', 'x', 'x')`)
	s1 := compute(t, db, Options{RunID: "run-1"})
	if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE run_id <> 'run-1'`); n != 0 {
		t.Errorf("%d rows not of run-1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM indicators`); n != int64(len(Registry(nil))) || s1.Indicators != int(n) {
		t.Errorf("indicators holds %d rows, Summary says %d, registry has %d", n, s1.Indicators, len(Registry(nil)))
	}
	s2 := compute(t, db, Options{RunID: "run-2"})
	if s2.Rows != s1.Rows || count(t, db, `SELECT count(*) FROM indicator_values WHERE run_id = 'run-2'`) != s1.Rows {
		t.Errorf("second run: %d rows, first %d", s2.Rows, s1.Rows)
	}
}

// TestComputeIsAtomic makes a run fail half way and checks that the
// previous results survive and the error names the SQL file.
// A failed Compute changes no output table and leaves no temp table on its
// connection, whether it fails in a step before the transaction opens
// (common.sql, services renamed) or inside it (rules.sql, follow_up renamed).
func TestComputeIsAtomic(t *testing.T) {
	for _, tc := range []struct{ table, step string }{
		{"services", "sql/common.sql"},
		{"follow_up", "sql/rules.sql"},
	} {
		t.Run(tc.table, func(t *testing.T) {
			db := seedAll(t)
			db.SetMaxOpenConns(1) // so that the checks below see Compute's connection
			before := compute(t, db, Options{RunID: "good"})
			mustExec(t, db, `ALTER TABLE `+tc.table+` RENAME TO gone`)
			_, err := Compute(context.Background(), db.DB, defaulted(Options{RunID: "bad"}))
			if err == nil || !strings.Contains(err.Error(), tc.step) {
				t.Fatalf("err = %v, want an error naming %s", err, tc.step)
			}
			if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE run_id = 'good'`); n != before.Rows {
				t.Errorf("after a failed run %d rows of the good run remain, want %d", n, before.Rows)
			}
			if n := count(t, db, `SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE 'metrics%'`); n != 0 {
				t.Errorf("a failed run left %d metrics temp tables", n)
			}
			mustExec(t, db, `ALTER TABLE gone RENAME TO `+tc.table)
			if after := compute(t, db, Options{RunID: "again"}); after.Rows != before.Rows {
				t.Errorf("rerun wrote %d rows, want %d", after.Rows, before.Rows)
			}
		})
	}
}

func TestNoData(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	s := compute(t, db, Options{})
	if s.Rows != 0 || !s.AsOf.IsZero() {
		t.Errorf("no data: %d rows, as_of %v", s.Rows, s.AsOf)
	}
	// Services but no case: no as_of, so no overdue_open and no 12345
	// rows, but the case indicators are there, at 0, for the service months.
	mustExec(t, db, `INSERT INTO services (service_id, community_id, service_date, service_type, provider_type, recipients)
		VALUES ('s', 'c1', '2025-03-15', 'health', 'government', 4)`)
	s = compute(t, db, Options{})
	if !s.AsOf.IsZero() || s.RowsByFamily[FamilyThreeRates] != 0 {
		t.Errorf("services only: as_of %v, %d 12345 rows", s.AsOf, s.RowsByFamily[FamilyThreeRates])
	}
	if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator = 'overdue_open'`); n != 0 {
		t.Errorf("%d overdue_open rows without an as_of", n)
	}
	checkWants(t, db, []want{
		{month("2025-03", "community", "c1", "case_volume"), 0, 0, null, false},
		{month("2025-03", "community", "c1", "services_per_1000_residents"), 4, 4, 1000, false},
	})
}

func TestOptionsValidation(t *testing.T) {
	db := openDB(t)
	for name, o := range map[string]Options{
		"no run id":           {},
		"negative min_n":      {RunID: "r", MinN: -1},
		"unknown item":        {RunID: "r", SurveyItems: []string{"q_safety; DROP TABLE cases"}},
		"q_overall as item":   {RunID: "r", SurveyItems: []string{"q_overall"}},
		"item twice":          {RunID: "r", SurveyItems: []string{"q_safety", "q_safety"}},
		"negative weight":     {RunID: "r", ThreeRatesWeights: ThreeRatesWeights{Response: -0.1, Resolution: 0.6, Satisfaction: 0.5}},
		"NaN weight":          {RunID: "r", ThreeRatesWeights: ThreeRatesWeights{Response: math.NaN()}},
		"basically above one": {RunID: "r", BasicallySatisfiedWeight: 1.5},
	} {
		if _, err := Compute(context.Background(), db.DB, defaulted(o)); !errors.Is(err, civicscore.ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	// Compute has no defaults of its own: a value left at zero is refused,
	// naming its key.
	for name, tc := range map[string]struct {
		clear func(*Options)
		want  string
	}{
		"no min_n":              {func(o *Options) { o.MinN = 0 }, "thresholds.min_n"},
		"no three-rates weight": {func(o *Options) { o.ThreeRatesWeights = ThreeRatesWeights{} }, "three_rates.weights"},
		"no score weights":      {func(o *Options) { o.ScoreWeights = nil }, "score.weights"},
	} {
		o := defaulted(Options{RunID: "r"})
		tc.clear(&o)
		if _, err := Compute(context.Background(), db.DB, o); !errors.Is(err, civicscore.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrConfig naming %s", name, err, tc.want)
		}
	}
}

// BenchmarkCompute runs Compute over ~1M generated cases (300 communities,
// 30 streets, 6 districts, two years), 200k service records and 100k
// survey responses, made in SQL from range() and hash().
func BenchmarkCompute(b *testing.B) {
	const nCases = 1_000_000
	db := openDB(b)
	seedBench(b, db, nCases)
	b.ResetTimer()
	var s Summary
	var err error
	for b.Loop() {
		s, err = Compute(context.Background(), db.DB, defaulted(Options{RunID: "bench"}))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(nCases/perOp, "cases/s")
	b.ReportMetric(float64(s.Rows)/perOp, "rows/s")
	b.ReportMetric(float64(s.Rows), "rows")
}

// seedBench generates the benchmark's data set with nCases cases.
func seedBench(b testing.TB, db *store.DB, nCases int) {
	b.Helper()
	mustExec(b, db,
		`INSERT INTO communities (community_id, community_name, street_id, street_name, district_id,
			district_name, households, population, elderly_population, service_space_m2)
		 SELECT 'c' || i, 'c', 's' || i // 10, 's', 'd' || i // 50, 'd',
		        500 + hash(i) % 3000, 1500 + hash(i + 1) % 9000,
		        CASE WHEN i % 7 > 0 THEN 300 + hash(i + 2) % 2000 END,
		        CASE WHEN i % 5 > 0 THEN 100 + hash(i + 3) % 900 END
		 FROM range(300) t(i)`,
		`INSERT INTO cases (case_id, community_id, category, reported_at, first_response_at, due_at, closed_at,
			resolution_level, callback_satisfaction, callback_contacted, callback_resolved, reopened)
		 SELECT 'k' || i, 'c' || hash(i) % 300, 'cat', r,
		        r + to_minutes((hash(i + 1) % 600)::BIGINT),
		        r + INTERVAL 72 HOUR,
		        CASE WHEN hash(i + 2) % 10 < 9 THEN r + to_minutes((hash(i + 3) % 10000)::BIGINT) END,
		        ['community', 'community', 'community', 'block', 'street', 'district', 'city'][1 + (hash(i + 4) % 7)::BIGINT],
		        [NULL, 'satisfied', 'basically_satisfied', 'dissatisfied'][1 + (hash(i + 5) % 4)::BIGINT],
		        hash(i + 6) % 10 < 8, hash(i + 7) % 10 < 7, hash(i + 8) % 20 = 0
		 FROM (SELECT i, TIMESTAMP '2024-01-01' + to_seconds((hash(i * 31) % (730 * 86400))::BIGINT) AS r
		       FROM range(`+strconv.Itoa(nCases)+`) t(i))`,
		`INSERT INTO services (service_id, community_id, service_date, service_type, target_group, provider_type,
			recipients, hours)
		 SELECT 'v' || i, 'c' || hash(i) % 300, DATE '2024-01-01' + (hash(i + 1) % 730)::INTEGER, 'health',
		        ['elderly', 'general', 'youth'][1 + (hash(i + 2) % 3)::BIGINT],
		        ['residents_committee', 'social_org', 'volunteer', 'government'][1 + (hash(i + 3) % 4)::BIGINT],
		        1 + hash(i + 4) % 20, (hash(i + 5) % 40) / 4
		 FROM range(200000) t(i)`,
		`INSERT INTO survey_responses (response_id, community_id, submitted_at, q_overall, q_environment,
			q_safety, q_services, q_responsiveness, q_facilities, q_participation, q_fairness)
		 SELECT 'r' || i, 'c' || hash(i) % 300,
		        TIMESTAMP '2024-01-01' + to_seconds((hash(i + 1) % (730 * 86400))::BIGINT),
		        1 + hash(i + 2) % 5, 1 + hash(i + 3) % 5, 1 + hash(i + 4) % 5, 1 + hash(i + 5) % 5,
		        1 + hash(i + 6) % 5, 1 + hash(i + 7) % 5, 1 + hash(i + 8) % 5, 1 + hash(i + 9) % 5
		 FROM range(100000) t(i)`)
}

// The serial quantiles (one grouping at a time, for a tight memory_limit)
// give exactly the rows of the one-pass quantiles.
func TestSerialQuantilesAgree(t *testing.T) {
	export := func(serial bool) string {
		forceSerialQuantiles = serial
		defer func() { forceSerialQuantiles = false }()
		db := seedAll(t)
		compute(t, db, Options{RunID: "r"})
		var got string
		if err := db.QueryRow(`SELECT string_agg(concat_ws('|', period_type, period, level, unit_id, indicator, value, numerator, denominator),
			E'\n' ORDER BY period_type, period, level, unit_id, indicator) FROM indicator_values
			WHERE indicator IN ('median_resolution_hours', 'p90_resolution_hours', 'median_first_response_hours')`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	grouped, serial := export(false), export(true)
	if grouped == "" || !strings.Contains(grouped, "median_resolution_hours") {
		t.Fatalf("no quantile rows:\n%s", grouped)
	}
	if grouped != serial {
		t.Errorf("serial quantiles differ from one-pass ones:\none pass:\n%s\nserial:\n%s", grouped, serial)
	}
}

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"3.5 GiB", 7 << 29, true},
		{"200.0 MiB", 200 << 20, true},
		{"4 GB", 4e9, true},
		{"4GB", 4e9, true},
		{"512 bytes", 512, true},
		{"", 0, false},
		{"lots", 0, false},
		{"-1 GB", 0, false},
	} {
		got, ok := parseBytes(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
