package metrics

import (
	"math"
	"testing"

	"github.com/civicscore/civicscore/store"
)

// seedSurveys inserts, in 2025-01:
//
//	c1  q_overall 5, 5, 4, 3, 2, 1, NULL; q_safety 4, 5, –, –, 2, –, 3
//	    plus a speeder (excluded_reason set, q_overall 5) that must not count
//	c2  q_overall 4
func seedSurveys(t *testing.T) *store.DB {
	db := openDB(t)
	seedCommunities(t, db)
	mustExec(t, db, `INSERT INTO survey_responses (response_id, community_id, submitted_at, q_overall, q_safety,
		excluded_reason) VALUES
		('r1', 'c1', '2025-01-03 09:00', 5,    4,    NULL),
		('r2', 'c1', '2025-01-03 09:05', 5,    5,    NULL),
		('r3', 'c1', '2025-01-04 10:00', 4,    NULL, NULL),
		('r4', 'c1', '2025-01-05 11:00', 3,    NULL, NULL),
		('r5', 'c1', '2025-01-06 12:00', 2,    2,    NULL),
		('r6', 'c1', '2025-01-07 13:00', 1,    NULL, NULL),
		('r7', 'c1', '2025-01-08 14:00', NULL, 3,    NULL),
		('r8', 'c1', '2025-01-08 14:01', 5,    5,    'speeder'),
		('r9', 'c2', '2025-01-09 15:00', 4,    NULL, NULL)`)
	return db
}

func TestSurveys(t *testing.T) {
	db := seedSurveys(t)
	compute(t, db, Options{MinN: 1})
	m := func(level, unit, ind string) key { return month("2025-01", level, unit, ind) }

	// c1: 6 answered q_overall: {4,5} 3, {1,2} 2, sum 20.
	// mean 20/6; sample variance Σ(x − 10/3)² / 5 = (120/9) / 5 = 8/3.
	mean := 20.0 / 6
	half := zR * math.Sqrt(8.0/3) / math.Sqrt(6)
	// net = 3/6 − 2/6 = 1/6; its variance (p+ + p− − net²)/n = (1/2 + 1/3 − 1/36)/6.
	net := 1.0 / 6
	netHalf := zR * math.Sqrt((0.5+1.0/3-1.0/36)/6)
	checkWants(t, db, []want{
		{m("community", "c1", "satisfaction_rate"), 0.5, 3, 6, false},
		// q_safety answered 4 times (4, 5, 2, 3), 2 of them 4 or 5.
		{m("community", "c1", "satisfaction_rate.q_safety"), 0.5, 2, 4, false},
		{m("community", "c1", "satisfaction_rate.q_environment"), null, 0, 0, true},
		{m("community", "c1", "satisfaction_mean"), mean, 20, 6, false},
		{m("community", "c1", "net_satisfaction"), net, null, 6, false},
		// 7 valid responses (r7 answered no q_overall but counts; r8 is
		// excluded) / 100 households.
		{m("community", "c1", "survey_response_rate"), 0.07, 7, 100, false},
		// c2: one answer 4.
		{m("community", "c2", "satisfaction_mean"), 4, 4, 1, false},
		{m("community", "c2", "net_satisfaction"), 1, null, 1, false},
		// Street s1 pools c1 and c2: 7 answered, 4 satisfied, sum 24, 8 responses / 1000 households.
		{m("street", "s1", "satisfaction_rate"), 4.0 / 7, 4, 7, false},
		{m("street", "s1", "satisfaction_mean"), 24.0 / 7, 24, 7, false},
		{m("street", "s1", "survey_response_rate"), 0.008, 8, 1000, false},
		// c3 has no response: a mean of nothing.
		{m("community", "c3", "satisfaction_mean"), null, 0, 0, true},
		{m("community", "c3", "survey_response_rate"), 0, 0, 500, false},
	})
	r := mustGet(t, db, m("community", "c1", "satisfaction_mean"))
	checkFloat(t, "c1 mean ci_low", r.lo, mean-half)
	checkFloat(t, "c1 mean ci_high", r.hi, mean+half)
	r = mustGet(t, db, m("community", "c1", "net_satisfaction"))
	checkFloat(t, "c1 net ci_low", r.lo, net-netHalf)
	checkFloat(t, "c1 net ci_high", r.hi, net+netHalf)
	// One answer: no sd, so no interval for the mean. The net's variance
	// is 1 + 0 − 1 = 0: the interval is the point.
	r = mustGet(t, db, m("community", "c2", "satisfaction_mean"))
	checkFloat(t, "c2 mean ci_low", r.lo, null)
	checkFloat(t, "c2 mean ci_high", r.hi, null)
	r = mustGet(t, db, m("community", "c2", "net_satisfaction"))
	checkFloat(t, "c2 net ci_low", r.lo, 1)
	checkFloat(t, "c2 net ci_high", r.hi, 1)
	// survey_response_rate is a per-household rate (a fact): no interval.
	r = mustGet(t, db, m("community", "c1", "survey_response_rate"))
	checkFloat(t, "c1 survey_response_rate ci_low", r.lo, null)
	checkFloat(t, "c1 survey_response_rate ci_high", r.hi, null)
	checkWilson(t, db, m("community", "c1", "satisfaction_rate"), 3, 6)

	// min_n 10: estimates from 6 answers are suppressed, counts kept.
	compute(t, db, Options{MinN: 10})
	checkWants(t, db, []want{
		{m("community", "c1", "satisfaction_mean"), null, 20, 6, true},
		{m("community", "c1", "net_satisfaction"), null, null, 6, true},
		{m("community", "c1", "satisfaction_rate"), null, 3, 6, true},
		{m("community", "c1", "survey_response_rate"), 0.07, 7, 100, false},
	})
}

func TestSurveyItemsOption(t *testing.T) {
	db := seedSurveys(t)
	compute(t, db, Options{MinN: 1, SurveyItems: []string{"q_safety"}})
	got := count(t, db, `SELECT count(DISTINCT indicator) FROM indicator_values WHERE indicator LIKE 'satisfaction_rate.%'`)
	if got != 1 {
		t.Errorf("%d item indicators, want only satisfaction_rate.q_safety", got)
	}
	if n := count(t, db, `SELECT count(*) FROM indicators WHERE indicator LIKE 'satisfaction_rate.%'`); n != 1 {
		t.Errorf("registry holds %d item indicators, want 1", n)
	}
	checkWants(t, db, []want{
		{month("2025-01", "community", "c1", "satisfaction_rate.q_safety"), 0.5, 2, 4, false},
	})
}

func TestServices(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	mustExec(t, db,
		`INSERT INTO services (service_id, community_id, service_date, service_type, target_group,
			provider_type, recipients, hours) VALUES
		('v1', 'c1', '2025-01-05', 'elderly_care',   'elderly', 'volunteer',  10, 5.0),
		('g1', 'c1', '2025-01-06', 'culture_sports', 'general', 'government', 10, 3.0),
		('o1', 'c2', '2025-01-07', 'elderly_care',   'elderly', 'social_org', 20, NULL)`,
		// A case in February adds a month without services.
		`INSERT INTO cases (case_id, community_id, category, reported_at, resolution_level)
		 VALUES ('x', 'c3', 'x', '2025-02-03', 'community')`)
	compute(t, db, Options{MinN: 1})
	m := func(level, unit, ind string) key { return month("2025-01", level, unit, ind) }
	checkWants(t, db, []want{
		// c1: 20 recipients / 1000 residents × 1000.
		{m("community", "c1", "services_per_1000_residents"), 20, 20, 1000, false},
		{m("community", "c2", "services_per_1000_residents"), 10, 20, 2000, false},
		{m("community", "c3", "services_per_1000_residents"), 0, 0, 1000, false},
		// c1: 10 elderly recipients / 200 elderly × 1000 = 50.
		{m("community", "c1", "elderly_services_per_1000_elderly"), 50, 10, 200, false},
		// c2 does not know its elderly population: no value.
		{m("community", "c2", "elderly_services_per_1000_elderly"), null, 20, 0, false},
		// Street s1: 30 / 200 (only c1 knows its elderly) × 1000 = 150.
		{m("street", "s1", "elderly_services_per_1000_elderly"), 150, 30, 200, false},
		// District d1: 30 / (200 + 100) × 1000 = 100.
		{m("district", "d1", "elderly_services_per_1000_elderly"), 100, 30, 300, false},
		// c1: volunteer 10 of 20 recipients; c2: social_org 20 of 20; s1 30 / 40.
		{m("community", "c1", "social_participation_share"), 0.5, 10, 20, false},
		{m("community", "c2", "social_participation_share"), 1, 20, 20, false},
		{m("street", "s1", "social_participation_share"), 0.75, 30, 40, false},
		{m("community", "c3", "social_participation_share"), null, 0, 0, true},
		// Volunteer hours: c1 5 / 1000 × 1000 = 5; s1 5 / 3000 × 1000; d1 5 / 4000 × 1000 = 1.25.
		{m("community", "c1", "volunteer_hours_per_1000_residents"), 5, 5, 1000, false},
		{m("street", "s1", "volunteer_hours_per_1000_residents"), 5.0 / 3, 5, 3000, false},
		{m("district", "d1", "volunteer_hours_per_1000_residents"), 1.25, 5, 4000, false},
		// Street and district pool: s1 40 / 3000 × 1000; d1 40 / 4000 × 1000.
		{m("street", "s1", "services_per_1000_residents"), 40.0 / 3, 40, 3000, false},
		{m("district", "d1", "services_per_1000_residents"), 10, 40, 4000, false},
		// Space: c1 40 m² / 100 households × 100 = 40; c2 unknown; c3 150 / 500 × 100 = 30;
		// s1 counts only c1's households (c2's space is unknown): 40;
		// d1 (40 + 150) / (100 + 500) × 100 = 31.666…
		{m("community", "c1", "service_space_per_100_households"), 40, 40, 100, false},
		{m("community", "c2", "service_space_per_100_households"), null, null, 0, false},
		{m("street", "s1", "service_space_per_100_households"), 40, 40, 100, false},
		{m("district", "d1", "service_space_per_100_households"), 190.0 / 6, 190, 600, false},
		// Static: the same value in a month without services, and in the quarter.
		{month("2025-02", "district", "d1", "service_space_per_100_households"), 190.0 / 6, 190, 600, false},
		{quarter("2025-Q1", "community", "c3", "service_space_per_100_households"), 30, 150, 500, false},
		{month("2025-02", "community", "c1", "services_per_1000_residents"), 0, 0, 1000, false},
		// The quarter pools January and February.
		{quarter("2025-Q1", "street", "s1", "services_per_1000_residents"), 40.0 / 3, 40, 3000, false},
	})

	// Gini of d1 in 2025-01 over x = (20, 10, 0), hand-computed:
	// Σᵢ Σⱼ |xᵢ − xⱼ| = 2 × (|20−10| + |20−0| + |10−0|) = 80; mean 10, n 3;
	// G = 80 / (2 · 3² · 10) = 80 / 180 = 4/9.
	checkWants(t, db, []want{
		{m("district", "d1", "gini_services"), 4.0 / 9, null, 3, false},
		{quarter("2025-Q1", "district", "d1", "gini_services"), 4.0 / 9, null, 3, false},
		// February: every community 0, mean 0: no Gini.
		{month("2025-02", "district", "d1", "gini_services"), null, null, 3, false},
		// d2: one community with no services.
		{m("district", "d2", "gini_services"), null, null, 1, false},
	})
	// The same, by the pairwise definition in Go.
	x := []float64{20, 10, 0}
	var s, tot float64
	for _, a := range x {
		tot += a
		for _, b := range x {
			s += math.Abs(a - b)
		}
	}
	n := float64(len(x))
	checkFloat(t, "pairwise gini", mustGet(t, db, m("district", "d1", "gini_services")).value, s/(2*n*n*(tot/n)))
	if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator = 'gini_services' AND level <> 'district'`); n != 0 {
		t.Errorf("%d gini_services rows below district level", n)
	}
	checkWilson(t, db, m("street", "s1", "social_participation_share"), 30, 40)
}

// TestGiniLarger checks the sorted-rank Gini of the SQL against the
// pairwise definition on uneven values with ties.
func TestGiniLarger(t *testing.T) {
	db := openDB(t)
	// One district of 6 communities, population 1000 each; recipients
	// 0, 3, 3, 7, 12, 40 → per-1000 values equal to the recipients.
	recips := []float64{0, 3, 3, 7, 12, 40}
	mustExec(t, db, `INSERT INTO communities (community_id, community_name, street_id, street_name,
		district_id, district_name, households, population)
		SELECT 'k' || i, 'k', 's', 's', 'd', 'd', 10, 1000 FROM range(6) t(i)`,
		`INSERT INTO services (service_id, community_id, service_date, service_type, provider_type, recipients)
		 SELECT 'v' || i, 'k' || i, DATE '2025-03-03', 'health', 'government', r
		 FROM (VALUES (1, 3), (2, 3), (3, 7), (4, 12), (5, 40)) v(i, r)`)
	compute(t, db, Options{MinN: 1})
	var s, tot float64
	for _, a := range recips {
		tot += a
		for _, b := range recips {
			s += math.Abs(a - b)
		}
	}
	n := float64(len(recips))
	g := s / (2 * n * n * (tot / n))
	checkWants(t, db, []want{
		{month("2025-03", "district", "d", "gini_services"), g, null, 6, false},
	})
}
