package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/civicscore/civicscore/store"
)

// seedOnTime inserts nine cases of c1, all reported 2025-01-01 00:00:
//
//	case due        closed            first response
//	A    01-03      01-02 (24 h)      01-01 02:00 (2 h)
//	B    01-03      01-05 (96 h)      01-01 04:00 (4 h)
//	C    01-10      01-04 (72 h)      2024-12-31 23:00 (before reported: ignored)
//	D    01-06      01-06 (120 h)     01-01 10:00 (10 h)
//	E    01-20      open
//	F    02-06      open
//	G    01-25      02-05 (840 h)
//	H    NULL       open, updated_at 02-07 12:00 (the latest timestamp)
//	I    NULL       01-07 (144 h)
func seedOnTime(t *testing.T) *store.DB {
	db := openDB(t)
	seedCommunities(t, db)
	mustExec(t, db, `INSERT INTO cases (case_id, community_id, category, reported_at, first_response_at,
		due_at, closed_at, resolution_level, updated_at) VALUES
		('A', 'c1', 'x', '2025-01-01', '2025-01-01 02:00', '2025-01-03', '2025-01-02', 'community', NULL),
		('B', 'c1', 'x', '2025-01-01', '2025-01-01 04:00', '2025-01-03', '2025-01-05', 'community', NULL),
		('C', 'c1', 'x', '2025-01-01', '2024-12-31 23:00', '2025-01-10', '2025-01-04', 'community', NULL),
		('D', 'c1', 'x', '2025-01-01', '2025-01-01 10:00', '2025-01-06', '2025-01-06', 'community', NULL),
		('E', 'c1', 'x', '2025-01-01', NULL, '2025-01-20', NULL, 'community', NULL),
		('F', 'c1', 'x', '2025-01-01', NULL, '2025-02-06', NULL, 'community', NULL),
		('G', 'c1', 'x', '2025-01-01', NULL, '2025-01-25', '2025-02-05', 'community', NULL),
		('H', 'c1', 'x', '2025-01-01', NULL, NULL, NULL, 'community', '2025-02-07 12:00'),
		('I', 'c1', 'x', '2025-01-01', NULL, NULL, '2025-01-07', 'community', NULL)`)
	return db
}

func TestOnTimeExplicitAsOf(t *testing.T) {
	db := seedOnTime(t)
	asOf := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	s := compute(t, db, Options{AsOf: asOf, MinN: 1})
	if !s.AsOf.Equal(asOf) {
		t.Errorf("AsOf = %v, want %v", s.AsOf, asOf)
	}
	m := func(level, unit, ind string) key { return month("2025-01", level, unit, ind) }
	checkWants(t, db, []want{
		// as_of 02-01: closed = A, B, C, D, I (G closes after as_of, so it is
		// open). On time: A, C, D (D closes exactly at due). Assessed: the 5
		// closed + E and G (open, due <= as_of, counted late); F (due 02-06)
		// and H (no due) are pending. 3 / 7.
		{m("community", "c1", "on_time_rate"), 3.0 / 7, 3, 7, false},
		// Pooled up: c2 has no case, so the street and district are 3/7 too.
		{m("street", "s1", "on_time_rate"), 3.0 / 7, 3, 7, false},
		{m("district", "d1", "on_time_rate"), 3.0 / 7, 3, 7, false},
		// Resolution hours of the 5 closed: 24, 72, 96, 120, 144.
		// median = 96; p90 at position 0.9·4 = 3.6: 120 + 0.6·(144 − 120) = 134.4.
		{m("community", "c1", "median_resolution_hours"), 96, null, 5, false},
		{m("community", "c1", "p90_resolution_hours"), 134.4, null, 5, false},
		// First response 2, 4, 10 h (C's is before reported_at): median 4.
		{m("community", "c1", "median_first_response_hours"), 4, null, 3, false},
		{m("community", "c1", "case_volume"), 9, 9, null, false},
		// Overdue at as_of: E and G, under the month, quarter and year of
		// as_of (2025-02 holds no row of its own but is still reported).
		{month("2025-02", "community", "c1", "overdue_open"), 2, 2, null, false},
		{quarter("2025-Q1", "community", "c1", "overdue_open"), 2, 2, null, false},
		{year("2025", "district", "d1", "overdue_open"), 2, 2, null, false},
		{year("2025", "community", "c2", "overdue_open"), 0, 0, null, false},
		{year("2025", "district", "d2", "overdue_open"), 0, 0, null, false},
	})
	if _, ok := get(t, db, m("community", "c1", "overdue_open")); ok {
		t.Error("overdue_open reported under 2025-01, which does not contain as_of")
	}
	// 2025-02 carries overdue_open only: it is not a period of the data.
	if _, ok := get(t, db, month("2025-02", "community", "c1", "case_volume")); ok {
		t.Error("case_volume reported for 2025-02, a month without rows")
	}
}

func TestOnTimeDerivedAsOf(t *testing.T) {
	db := seedOnTime(t)
	s := compute(t, db, Options{MinN: 1})
	// The latest timestamp is H's updated_at.
	if want := time.Date(2025, 2, 7, 12, 0, 0, 0, time.UTC); !s.AsOf.Equal(want) {
		t.Errorf("AsOf = %v, want %v", s.AsOf, want)
	}
	m := func(ind string) key { return month("2025-01", "community", "c1", ind) }
	checkWants(t, db, []want{
		// as_of 02-07 12:00: G is now closed (late). Closed: A, B, C, D, G, I;
		// on time A, C, D; assessed 6 closed + E and F (both past due and
		// open); H pending. 3 / 8.
		{m("on_time_rate"), 3.0 / 8, 3, 8, false},
		// Hours of the 6 closed: 24, 72, 96, 120, 144, 840.
		// median (96 + 120) / 2 = 108; p90 at 0.9·5 = 4.5: 144 + 0.5·(840 − 144) = 492.
		{m("median_resolution_hours"), 108, null, 6, false},
		{m("p90_resolution_hours"), 492, null, 6, false},
		{month("2025-02", "community", "c1", "overdue_open"), 2, 2, null, false}, // E and F
	})
}

func TestSuppressionAtMinN(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	// c1: 9 cases, 2 reopened; c2: 10 cases, 3 reopened. All closed 24 h
	// after being reported, all at community level.
	mustExec(t, db,
		`INSERT INTO cases (case_id, community_id, category, reported_at, closed_at, due_at, resolution_level, reopened)
		 SELECT 'a' || i, 'c1', 'x', TIMESTAMP '2025-01-10', TIMESTAMP '2025-01-11', TIMESTAMP '2025-01-12',
		        'community', i < 2 FROM range(9) t(i)`,
		`INSERT INTO cases (case_id, community_id, category, reported_at, closed_at, due_at, resolution_level, reopened)
		 SELECT 'b' || i, 'c2', 'x', TIMESTAMP '2025-01-10', TIMESTAMP '2025-01-11', TIMESTAMP '2025-01-12',
		        'community', i < 3 FROM range(10) t(i)`)
	compute(t, db, Options{}) // MinN 0 = the default 10
	m := func(level, unit, ind string) key { return month("2025-01", level, unit, ind) }
	checkWants(t, db, []want{
		// 9 < 10: value and interval NULL, numerator and denominator kept.
		{m("community", "c1", "reopen_rate"), null, 2, 9, true},
		{m("community", "c1", "median_resolution_hours"), null, null, 9, true},
		// A fact is never suppressed.
		{m("community", "c1", "case_volume"), 9, 9, null, false},
		{m("community", "c1", "cases_per_1000_households"), 90, 9, 100, false}, // 9 / 100 × 1000
		// 10 rows: shown.
		{m("community", "c2", "reopen_rate"), 0.3, 3, 10, false},
		{m("community", "c2", "median_resolution_hours"), 24, null, 10, false},
		// Street s1 pools 19 cases, 5 reopened.
		{m("street", "s1", "reopen_rate"), 5.0 / 19, 5, 19, false},
		// c3 has no case: 0 / 0, suppressed.
		{m("community", "c3", "reopen_rate"), null, 0, 0, true},
	})
	checkWilson(t, db, m("community", "c2", "reopen_rate"), 3, 10)
}

func TestPooledRatesAndDenseRows(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	// Reopened: c1 1 of 10, c2 45 of 90, c3 4 of 20; c4 has no case.
	mustExec(t, db,
		`INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level, reopened)
		 SELECT 'a' || i, 'c1', 'x', TIMESTAMP '2025-01-15', 'community', i < 1 FROM range(10) t(i)`,
		`INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level, reopened)
		 SELECT 'b' || i, 'c2', 'x', TIMESTAMP '2025-01-15', 'community', i < 45 FROM range(90) t(i)`,
		`INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level, reopened)
		 SELECT 'c' || i, 'c3', 'x', TIMESTAMP '2025-01-15', 'community', i < 4 FROM range(20) t(i)`)
	compute(t, db, Options{MinN: 1})
	m := func(level, unit, ind string) key { return month("2025-01", level, unit, ind) }
	checkWants(t, db, []want{
		{m("community", "c1", "reopen_rate"), 0.1, 1, 10, false},
		{m("community", "c2", "reopen_rate"), 0.5, 45, 90, false},
		// Street s1 pools: (1 + 45) / (10 + 90) = 0.46, not the mean of
		// rates (0.1 + 0.5) / 2 = 0.3.
		{m("street", "s1", "reopen_rate"), 0.46, 46, 100, false},
		// District d1: (1 + 45 + 4) / 120 = 0.41666…, not the mean of its
		// streets (0.46 + 0.2) / 2 = 0.33.
		{m("district", "d1", "reopen_rate"), 50.0 / 120, 50, 120, false},
		// Households pool over all communities: s1 100 cases / 1000 households.
		{m("street", "s1", "cases_per_1000_households"), 100, 100, 1000, false},
		{m("district", "d1", "cases_per_1000_households"), 80, 120, 1500, false}, // 120 / 1500 × 1000
		// Dense: c4 and its street and district have no case but have rows.
		{m("community", "c4", "case_volume"), 0, 0, null, false},
		{m("community", "c4", "cases_per_1000_households"), 0, 0, 50, false},
		{m("community", "c4", "reopen_rate"), null, 0, 0, true},
		{m("community", "c4", "median_resolution_hours"), null, null, 0, true},
		{m("street", "s3", "case_volume"), 0, 0, null, false},
		{m("district", "d2", "on_time_rate"), null, 0, 0, true},
	})
	// 4 communities + 3 streets + 2 districts = 9 units; periods 2025-01,
	// 2025-Q1, 2025: 27 grid cells, each with one case_volume row.
	if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator = 'case_volume'`); n != 27 {
		t.Errorf("case_volume rows = %d, want 27", n)
	}
}

func TestQuarterAndYearPoolMonths(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	// c1: 2024-12 1 case (not reopened); 2025-01 2 (1 reopened);
	// 2025-02 3 (none); 2025-04 5 (all reopened); 2025-07 1, after as_of.
	// One service of c2 in 2025-06 adds that month.
	mustExec(t, db,
		`INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level, reopened) VALUES
		 ('d1', 'c1', 'x', '2024-12-20', 'community', false),
		 ('j1', 'c1', 'x', '2025-01-10', 'community', true),
		 ('j2', 'c1', 'x', '2025-01-11', 'community', false),
		 ('f1', 'c1', 'x', '2025-02-10', 'community', false),
		 ('f2', 'c1', 'x', '2025-02-11', 'community', false),
		 ('f3', 'c1', 'x', '2025-02-12', 'community', false),
		 ('late', 'c1', 'x', '2025-07-10', 'community', true)`,
		`INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level, reopened)
		 SELECT 'a' || i, 'c1', 'x', TIMESTAMP '2025-04-10 08:30', 'community', true FROM range(5) t(i)`,
		`INSERT INTO services (service_id, community_id, service_date, service_type, provider_type, recipients)
		 VALUES ('s1', 'c2', '2025-06-15', 'health', 'government', 1)`)
	compute(t, db, Options{MinN: 1, AsOf: time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC)})
	checkWants(t, db, []want{
		{quarter("2025-Q1", "community", "c1", "reopen_rate"), 0.2, 1, 5, false}, // Jan 1/2 + Feb 0/3
		{quarter("2025-Q2", "community", "c1", "reopen_rate"), 1, 5, 5, false},
		{year("2025", "community", "c1", "reopen_rate"), 0.6, 6, 10, false}, // the July case is after as_of
		{year("2024", "community", "c1", "reopen_rate"), 0, 0, 1, false},
		{year("2025", "community", "c1", "case_volume"), 10, 10, null, false},
		{quarter("2025-Q1", "street", "s1", "case_volume"), 5, 5, null, false},
		{month("2025-06", "community", "c1", "case_volume"), 0, 0, null, false}, // a month of services only
	})
	got := count(t, db, `SELECT count(DISTINCT period_type || ' ' || period) FROM indicator_values
		WHERE indicator = 'case_volume'`)
	// 2024-12, 2025-01, 2025-02, 2025-04, 2025-06; 2024-Q4, 2025-Q1, 2025-Q2; 2024, 2025.
	if got != 10 {
		t.Errorf("periods = %d, want 10", got)
	}
	for _, p := range []string{"2025-03", "2025-07"} {
		if _, ok := get(t, db, month(p, "community", "c1", "case_volume")); ok {
			t.Errorf("month %s has rows", p)
		}
	}
}

func TestEscalationAndLevelShares(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	// c1: 10 cases: community 4, block 1, street 2, district 2, city 1.
	mustExec(t, db, `INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level)
		SELECT 'e' || i, 'c1', 'x', TIMESTAMP '2025-03-01',
		       CASE WHEN i < 4 THEN 'community' WHEN i < 5 THEN 'block' WHEN i < 7 THEN 'street'
		            WHEN i < 9 THEN 'district' ELSE 'city' END
		FROM range(10) t(i)`)
	compute(t, db, Options{MinN: 1})
	m := func(ind string) key { return month("2025-03", "community", "c1", ind) }
	checkWants(t, db, []want{
		{m("escalation_share"), 0.6, 6, 10, false}, // 1 + 2 + 2 + 1 above community
		{m("level_share.community"), 0.4, 4, 10, false},
		{m("level_share.block"), 0.1, 1, 10, false},
		{m("level_share.street"), 0.2, 2, 10, false},
		{m("level_share.district"), 0.2, 2, 10, false},
		{m("level_share.city"), 0.1, 1, 10, false},
	})
}

// TestWilson checks intervals against R's prop.test(x, n, correct = FALSE)
// and against the quadratic form of the Wilson interval.
func TestWilson(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	// reopened x of n: c1 7/10, c2 0/12, c3 25/25, c4 1/3.
	mustExec(t, db, `INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level, reopened)
		SELECT c || i, c, 'x', TIMESTAMP '2025-05-05', 'community', i < x
		FROM (VALUES ('c1', 7, 10), ('c2', 0, 12), ('c3', 25, 25), ('c4', 1, 3)) v(c, x, n), range(n) t(i)`)
	compute(t, db, Options{MinN: 1})
	m := func(level, unit string) key { return month("2025-05", level, unit, "reopen_rate") }

	// R: prop.test(7, 10, correct = FALSE)$conf.int = 0.3967781 0.8922087
	// (printed to 7 digits; recomputed by hand from the score form:
	// centre 0.64449..., half-width 0.24772..., so the lower bound is
	// 0.39678, not 0.39677).
	r := mustGet(t, db, m("community", "c1"))
	if math.Abs(r.lo.Float64-0.3967781) > 5e-8 || math.Abs(r.hi.Float64-0.8922087) > 5e-8 {
		t.Errorf("7/10: interval %.9f .. %.9f, want R's 0.3967781 .. 0.8922087", r.lo.Float64, r.hi.Float64)
	}
	for _, c := range []struct {
		level, unit string
		x, n        float64
	}{
		{"community", "c1", 7, 10},
		{"community", "c2", 0, 12},
		{"community", "c3", 25, 25},
		{"community", "c4", 1, 3},
		{"street", "s1", 7, 22},
		{"district", "d1", 32, 47},
	} {
		checkWilson(t, db, m(c.level, c.unit), c.x, c.n)
	}
	// At x = 0 the interval is [0, z²/(n + z²)]: for n = 12, 0.24249400...
	r = mustGet(t, db, m("community", "c2"))
	checkFloat(t, "0/12 ci_low", r.lo, 0)
	checkFloat(t, "0/12 ci_high", r.hi, zR*zR/(12+zR*zR))
}

func TestCallbacksAndThreeRates(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	mustExec(t, db, `INSERT INTO cases (case_id, community_id, category, reported_at, closed_at, resolution_level,
		callback_satisfaction, callback_contacted, callback_resolved) VALUES
		('1',  'c1', 'x', '2025-01-02', '2025-01-03', 'community', 'satisfied',           true,  true),
		('2',  'c1', 'x', '2025-01-02', '2025-01-03', 'community', 'satisfied',           true,  true),
		('3',  'c1', 'x', '2025-01-02', '2025-01-03', 'community', 'basically_satisfied', true,  true),
		('4',  'c1', 'x', '2025-01-02', '2025-01-03', 'community', 'basically_satisfied', false, false),
		('5',  'c1', 'x', '2025-01-02', '2025-01-03', 'community', 'dissatisfied',        true,  false),
		('6',  'c1', 'x', '2025-01-02', '2025-01-03', 'community', 'dissatisfied',        NULL,  NULL),
		('7',  'c1', 'x', '2025-01-02', '2025-01-03', 'community', NULL,                  true,  false),
		('8',  'c1', 'x', '2025-01-02', '2025-01-03', 'community', NULL,                  NULL,  NULL),
		('9',  'c1', 'x', '2025-01-02', NULL,         'community', 'satisfied',           true,  true),
		('10', 'c1', 'x', '2025-01-02', NULL,         'community', NULL,                  NULL,  NULL)`)
	m := func(ind string) key { return month("2025-01", "community", "c1", ind) }

	compute(t, db, Options{MinN: 1})
	checkWants(t, db, []want{
		// Callback answers: 1-6 and 9 (7 cases); satisfied or basically: 1, 2, 3, 4, 9.
		{m("callback_satisfaction_rate"), 5.0 / 7, 5, 7, false},
		// Closed: 1-8; with an answer: 1-6. 6 / 8.
		{m("callback_coverage"), 0.75, 6, 8, false},
		// Closed with an answer and a verdict: 1-5; not solved: 4, 5. 2 / 5.
		// (7 says not solved but has no answer; 6 has no verdict.)
		{m("closure_gap"), 0.4, 2, 5, false},
		// Valid callbacks 7. Contacted: 1, 2, 3, 5, 9. Resolved: 1, 2, 3, 9.
		{m("response_rate_12345"), 5.0 / 7, 5, 7, false},
		{m("resolution_rate_12345"), 4.0 / 7, 4, 7, false},
		// Satisfied 1, 2, 9 + 0.9 × basically 3, 4 = 3 + 1.8 = 4.8.
		{m("satisfaction_rate_12345"), 4.8 / 7, 4.8, 7, false},
		// 100 × (0.1·5 + 0.5·4 + 0.4·4.8) / 7 = 100 × 4.42 / 7 = 63.142857…
		{m("three_rates_score"), 442.0 / 7, null, 7, false},
	})
	checkWilson(t, db, m("satisfaction_rate_12345"), 4.8, 7)
	checkWilson(t, db, m("callback_coverage"), 6, 8)
	if r := mustGet(t, db, m("three_rates_score")); r.lo.Valid || r.hi.Valid {
		t.Error("three_rates_score has an interval")
	}

	// Other weights: basically satisfied counts 0.5, weights 0.2/0.3/0.5.
	// satisfaction (3 + 0.5·2) / 7 = 4/7; score 100 × (0.2·5 + 0.3·4 + 0.5·4) / 7 = 60.
	compute(t, db, Options{MinN: 1, BasicallySatisfiedWeight: 0.5,
		ThreeRatesWeights: ThreeRatesWeights{Response: 0.2, Resolution: 0.3, Satisfaction: 0.5}})
	checkWants(t, db, []want{
		{m("satisfaction_rate_12345"), 4.0 / 7, 4, 7, false},
		{m("three_rates_score"), 60, null, 7, false},
	})

	// min_n 10 > 7 valid callbacks: the score is suppressed, its count kept.
	compute(t, db, Options{MinN: 10})
	checkWants(t, db, []want{
		{m("three_rates_score"), null, null, 7, true},
		{m("response_rate_12345"), null, 5, 7, true},
	})
}

func TestThreeRatesNeedTheirColumns(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	// callback_contacted is never filled: no response rate and no score.
	mustExec(t, db, `INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level,
		callback_satisfaction, callback_resolved) VALUES
		('1', 'c1', 'x', '2025-01-02', 'community', 'satisfied', true),
		('2', 'c1', 'x', '2025-01-02', 'community', 'dissatisfied', false)`)
	compute(t, db, Options{MinN: 1})
	for ind, wantRows := range map[string]int64{
		"response_rate_12345":     0,
		"three_rates_score":       0,
		"resolution_rate_12345":   27, // 9 units × 3 periods
		"satisfaction_rate_12345": 27,
	} {
		if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator = ?`, ind); n != wantRows {
			t.Errorf("%s: %d rows, want %d", ind, n, wantRows)
		}
	}
	checkWants(t, db, []want{
		{month("2025-01", "community", "c1", "resolution_rate_12345"), 0.5, 1, 2, false},
	})
}
