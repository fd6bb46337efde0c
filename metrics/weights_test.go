package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/civicscore/civicscore/store"
)

// stratum is a group of hand-made responses: n responses of one community
// in January 2025 with the given age group and gender ("" = NULL), the
// first sat of them satisfied (q_overall 5), the others not (2). q_safety
// repeats q_overall.
type stratum struct {
	community, age, gender string
	n, sat                 int
}

var responseNo int

func addResponses(t *testing.T, db *store.DB, ss ...stratum) {
	t.Helper()
	for _, s := range ss {
		for i := range s.n {
			responseNo++
			q := 2
			if i < s.sat {
				q = 5
			}
			var age, gender any
			if s.age != "" {
				age = s.age
			}
			if s.gender != "" {
				gender = s.gender
			}
			if _, err := db.ExecContext(context.Background(), `INSERT INTO survey_responses
				(response_id, community_id, submitted_at, q_overall, q_safety, age_group, gender)
				VALUES (?, ?, TIMESTAMP '2025-01-10 10:00', ?, ?, ?, ?)`,
				fmt.Sprint("R", responseNo), s.community, q, q, age, gender); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// kish returns p_w = Σw·s/Σw and n_eff = (Σw)²/Σw² over cells of (weight,
// respondents, satisfied), as the survey package's svymean and Kish's
// formula give them for a design with those weights.
func kish(cells [][3]float64) (p, neff float64) {
	var sw, sw2, sws float64
	for _, c := range cells {
		sw += c[0] * c[1]
		sw2 += c[0] * c[0] * c[1]
		sws += c[0] * c[2]
	}
	return sws / sw, sw * sw / sw2
}

// strataWeights reads survey_strata's weight per community, age group and
// gender (left-out rows: "left:<why>" → respondents).
func strataWeights(t *testing.T, db *store.DB, period string) map[string]float64 {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT community_id, coalesce(age_group, '-'), coalesce(gender, '-'),
		left_out, weight, respondents FROM survey_strata WHERE period = ?`, period)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var c, a, g string
		var left sql.NullString
		var w sql.NullFloat64
		var n int64
		if err := rows.Scan(&c, &a, &g, &left, &w, &n); err != nil {
			t.Fatal(err)
		}
		k := c + "/" + a + "/" + g
		switch {
		case left.Valid:
			out[k+"/left:"+left.String] = float64(n)
		case w.Valid:
			out[k] = w.Float64
		}
	}
	return out
}

// TestPostStratification weights on [age_group] (min_cell 3, max_weight
// 5). Every expected weight is W_h / (n_h/n) worked out by hand from the
// strata and counts below, as the survey package's postStratify gives it;
// p_w and n_eff come from kish.
//
//	c1  own strata (gender summed): 18-34 140+160, 35-59 500, 60+ 200 of
//	    1000; responses 3 (1 satisfied), 4 (2), 5 (5), and one without an
//	    age group (left out). Its district's rows are not used.
//	c2  no rows of its own: district d1's rows 18-34 400, 35-59 400, 60+
//	    200; responses 18-34 5 (5), 35-59 5 (0), 60+ 10 (5).
//	c3  own rows 18-29 100, 30-44 300, 45-59 300, 60+ 300; responses 0,
//	    4 (4), 10 (5), 1 (0): 18-29 is empty and merges with 30-44 into
//	    30-44 (the next older), 60+ (1 < 3, the last) into 45-59.
//	c4  district d2's rows 18-34 800, 35-59 100, 60+ 100; responses 3 (3),
//	    10 (2), 17 (10): 18-34's weight 0.8/(3/30) = 8 is capped at 5.
func TestPostStratification(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	mustExec(t, db, `INSERT INTO strata (community_id, district_id, age_group, gender, population) VALUES
		('c1', NULL, '18-34', 'male', 140), ('c1', NULL, '18-34', 'female', 160),
		('c1', NULL, '35-59', NULL, 500), ('c1', NULL, '60+', NULL, 200),
		(NULL, 'd1', '18-34', NULL, 400), (NULL, 'd1', '35-59', NULL, 400), (NULL, 'd1', '60+', NULL, 200),
		('c3', NULL, '18-29', NULL, 100), ('c3', NULL, '30-44', NULL, 300),
		('c3', NULL, '45-59', NULL, 300), ('c3', NULL, '60+', NULL, 300),
		(NULL, 'd2', '18-34', NULL, 800), (NULL, 'd2', '35-59', NULL, 100), (NULL, 'd2', '60+', NULL, 100)`)
	addResponses(t, db,
		stratum{"c1", "18-34", "male", 3, 1}, stratum{"c1", "35-59", "female", 4, 2}, stratum{"c1", "60+", "", 5, 5},
		stratum{"c1", "", "male", 1, 0},
		stratum{"c2", "18-34", "", 5, 5}, stratum{"c2", "35-59", "", 5, 0}, stratum{"c2", "60+", "", 10, 5},
		stratum{"c3", "30-44", "", 4, 4}, stratum{"c3", "45-59", "", 10, 5}, stratum{"c3", "60+", "", 1, 0},
		stratum{"c4", "18-34", "", 3, 3}, stratum{"c4", "35-59", "", 10, 2}, stratum{"c4", "60+", "", 17, 10})
	// min_n 5: c1's n_eff (9.95) is not suppressed.
	compute(t, db, Options{PostStrata: []string{"age_group"}, SurveyItems: []string{"q_safety"}, MinN: 5})

	// c4 after the cap: 18-34 stays at 5; the others (0.3 and 0.1/(17/30))
	// scale by k with (3·5 + k·(10·0.3 + 17·0.1·30/17))/30 = 1, k = 2.5 —
	// the fixed point of cap-and-renormalise (trimWeights with strict).
	c4w := map[string]float64{"18-34": 5, "35-59": 2.5 * 0.1 / (10.0 / 30), "60+": 2.5 * 0.1 / (17.0 / 30)}
	wantW := map[string]float64{
		"c1/18-34/-": 0.3 / (3.0 / 12), "c1/35-59/-": 0.5 / (4.0 / 12), "c1/60+/-": 0.2 / (5.0 / 12),
		"c1/-/-/left:missing": 1,
		"c2/18-34/-":          0.4 / (5.0 / 20), "c2/35-59/-": 0.4 / (5.0 / 20), "c2/60+/-": 0.2 / (10.0 / 20),
		// merged groups {18-29, 30-44}: W .4, n 4; {45-59, 60+}: W .6, n 11; n = 15
		"c3/18-29/-": 0.4 / (4.0 / 15), "c3/30-44/-": 0.4 / (4.0 / 15),
		"c3/45-59/-": 0.6 / (11.0 / 15), "c3/60+/-": 0.6 / (11.0 / 15),
		"c4/18-34/-": c4w["18-34"], "c4/35-59/-": c4w["35-59"], "c4/60+/-": c4w["60+"],
	}
	for _, period := range []string{"2025-01", "2025-Q1", "2025"} {
		got := strataWeights(t, db, period)
		if len(got) != len(wantW) {
			t.Errorf("%s: weights %v, want %v", period, got, wantW)
		}
		for k, w := range wantW {
			if math.Abs(got[k]-w) > tol {
				t.Errorf("%s %s: weight %.12g, want %.12g", period, k, got[k], w)
			}
		}
	}
	// Sources, populations and merges as stored for the quality page.
	var pages []string
	rows, err := db.QueryContext(context.Background(), `SELECT community_id || ' ' || source || ' ' || age_group || ' ' ||
		respondents || ' ' || population || ' ' || coalesce(merged_age_group, '-')
		FROM survey_strata WHERE period = '2025-01' AND left_out IS NULL AND community_id IN ('c1', 'c3') ORDER BY community_id, age_group`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, s)
	}
	rows.Close()
	wantPages := []string{
		"c1 community 18-34 3 300 -", "c1 community 35-59 4 500 -", "c1 community 60+ 5 200 -",
		"c3 community 18-29 0 100 30-44", "c3 community 30-44 4 300 -", "c3 community 45-59 10 300 -", "c3 community 60+ 1 300 45-59",
	}
	if !reflect.DeepEqual(pages, wantPages) {
		t.Errorf("survey_strata:\n got %v\nwant %v", pages, wantPages)
	}
	if n := count(t, db, `SELECT count(*) FROM survey_strata WHERE community_id = 'c2' AND source = 'district'`); n != 3*3 {
		t.Errorf("c2: %d district rows over three periods, want 9", n)
	}

	// The rates: p_w and n_eff from the weights and the satisfied counts.
	cells := map[string][][3]float64{
		"c1": {{wantW["c1/18-34/-"], 3, 1}, {wantW["c1/35-59/-"], 4, 2}, {wantW["c1/60+/-"], 5, 5}},
		"c2": {{wantW["c2/18-34/-"], 5, 5}, {wantW["c2/35-59/-"], 5, 0}, {wantW["c2/60+/-"], 10, 5}},
		"c3": {{wantW["c3/30-44/-"], 4, 4}, {wantW["c3/45-59/-"], 10, 5}, {wantW["c3/60+/-"], 1, 0}},
		"c4": {{c4w["18-34"], 3, 3}, {c4w["35-59"], 10, 2}, {c4w["60+"], 17, 10}},
	}
	// c1 by hand: p_w = (1.2·1 + 1.5·2 + 0.48·5)/12 = 0.55,
	// n_eff = 12² / (3·1.44 + 4·2.25 + 5·0.2304) = 144/14.472.
	if p, neff := kish(cells["c1"]); math.Abs(p-0.55) > tol || math.Abs(neff-144/14.472) > tol {
		t.Fatalf("kish(c1) = %v, %v: the hand numbers disagree", p, neff)
	}
	for c, cs := range cells {
		p, neff := kish(cs)
		for _, ind := range []string{"satisfaction_rate.weighted", "satisfaction_rate.q_safety.weighted"} {
			for _, k := range []key{month("2025-01", "community", c, ind), quarter("2025-Q1", "community", c, ind), year("2025", "community", c, ind)} {
				r := mustGet(t, db, k)
				checkFloat(t, c+" "+ind+" value", r.value, p)
				checkFloat(t, c+" "+ind+" numerator", r.num, p*neff)
				checkFloat(t, c+" "+ind+" denominator", r.den, neff)
				lo, hi := wilsonQuadratic(p*neff, neff)
				checkFloat(t, c+" "+ind+" ci_low", r.lo, lo)
				checkFloat(t, c+" "+ind+" ci_high", r.hi, hi)
			}
		}
	}
	// Community level only, and only the items reported.
	if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator LIKE '%.weighted' AND level <> 'community'`); n != 0 {
		t.Errorf("%d .weighted rows above the community", n)
	}
	if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator LIKE '%.weighted'`); n != 4*2*3 {
		t.Errorf("%d .weighted rows, want 4 communities × 2 indicators × 3 periods", n)
	}
	// Suppression rests on n_eff: with min_n 10, c1 (n_eff 9.95 from 12
	// responses) is suppressed, c3 (n_eff 15²/16.36 = 13.75) is not.
	compute(t, db, Options{PostStrata: []string{"age_group"}, SurveyItems: []string{"q_safety"}, MinN: 10})
	if r := mustGet(t, db, month("2025-01", "community", "c1", "satisfaction_rate.weighted")); !r.suppressed {
		t.Errorf("c1 with n_eff 9.95 < 10 is not suppressed")
	}
	if r := mustGet(t, db, month("2025-01", "community", "c3", "satisfaction_rate.weighted")); r.suppressed {
		t.Errorf("c3 with n_eff 13.75 is suppressed")
	}
}

// TestRaking weights on [age_group, gender]: a 2×2 table raked by hand.
//
//	c1 strata: 18-59 male 300, 18-59 female 300, 60+ male 100, 60+ female
//	300 (margins: age .6/.4, gender: female .6, male .4). Responses
//	(satisfied): 18-59 male 10 (2), 18-59 female 5 (3), 60+ male 3 (3), 60+
//	female 12 (6), and 2 of 18-59 with no gender, left out and counted.
//	c2 has no strata of its own and its district none: no .weighted row.
//
// The expected weights come from fitting the table of weighted counts m
// (start: the counts) to the margins N·share, rows then columns, until it
// no longer changes — IPF written as the survey package's rake describes
// it, on counts rather than on weights; w = m/n.
func TestRaking(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	mustExec(t, db, `INSERT INTO strata (community_id, district_id, age_group, gender, population) VALUES
		('c1', NULL, '18-59', 'male', 300), ('c1', NULL, '18-59', 'female', 300),
		('c1', NULL, '60+', 'male', 100), ('c1', NULL, '60+', 'female', 300)`)
	addResponses(t, db,
		stratum{"c1", "18-59", "male", 10, 2}, stratum{"c1", "18-59", "female", 5, 3},
		stratum{"c1", "60+", "male", 3, 3}, stratum{"c1", "60+", "female", 12, 6},
		stratum{"c1", "18-59", "", 2, 2},
		stratum{"c2", "18-59", "male", 10, 2})
	compute(t, db, Options{PostStrata: []string{"age_group", "gender"}})

	// rows: 18-59, 60+; columns: female, male
	n := [2][2]float64{{5, 10}, {12, 3}}
	sat := [2][2]float64{{3, 2}, {6, 3}}
	const N = 30
	rowT, colT := [2]float64{0.6 * N, 0.4 * N}, [2]float64{0.6 * N, 0.4 * N}
	m := n
	for range 500 {
		for i := range 2 {
			s := m[i][0] + m[i][1]
			m[i][0], m[i][1] = m[i][0]*rowT[i]/s, m[i][1]*rowT[i]/s
		}
		for j := range 2 {
			s := m[0][j] + m[1][j]
			m[0][j], m[1][j] = m[0][j]*colT[j]/s, m[1][j]*colT[j]/s
		}
	}
	got := strataWeights(t, db, "2025-01")
	names := [2]string{"18-59", "60+"}
	genders := [2]string{"female", "male"}
	var cells [][3]float64
	for i := range 2 {
		for j := range 2 {
			w := m[i][j] / n[i][j]
			k := "c1/" + names[i] + "/" + genders[j]
			if math.Abs(got[k]-w) > 1e-8 {
				t.Errorf("%s: weight %.12g, want %.12g", k, got[k], w)
			}
			cells = append(cells, [3]float64{w, n[i][j], sat[i][j]})
		}
	}
	if got["c1/18-59/-/left:missing"] != 2 {
		t.Errorf("left out for a missing gender: %v, want 2 (%v)", got["c1/18-59/-/left:missing"], got)
	}
	var rounds int
	if err := db.QueryRowContext(context.Background(), `SELECT max(rake_rounds) FROM survey_strata WHERE period = '2025-01'`).Scan(&rounds); err != nil {
		t.Fatal(err)
	}
	if rounds < 2 || rounds >= 100 {
		t.Errorf("rake_rounds = %d, want a few (converged)", rounds)
	}
	p, neff := kish(cells)
	r := mustGet(t, db, month("2025-01", "community", "c1", "satisfaction_rate.weighted"))
	// Raking stops at margins within 1e-9 of their targets, so the
	// weights, p_w and n_eff agree with the fully converged table to about
	// 1e-9 relative, not to the last bit.
	if !r.value.Valid || !r.den.Valid || math.Abs(r.value.Float64-p) > 1e-8 || math.Abs(r.den.Float64-neff) > 1e-8*neff {
		t.Errorf("raked rate %v / %v, want %v / %v", r.value.Float64, r.den.Float64, p, neff)
	}
	if _, ok := get(t, db, month("2025-01", "community", "c2", "satisfaction_rate.weighted")); ok {
		t.Errorf("c2 has no strata but a .weighted row")
	}
}

// TestMergeSmall: the merging rule on its own, expected groups by hand.
func TestMergeSmall(t *testing.T) {
	tests := []struct {
		n    []int64
		want []int
	}{
		{[]int64{5, 5, 5}, []int{0, 1, 2}},
		{[]int64{0, 4, 10, 1}, []int{1, 1, 2, 2}}, // empty → next; last → the one before
		{[]int64{1, 1, 5}, []int{2, 2, 2}},        // 1, then 1+1 < 3, into the third
		{[]int64{5, 1, 1}, []int{0, 0, 0}},        // 1+1 < 3 at the end: into the first
		{[]int64{1, 1}, []int{1, 1}},              // too few in all: one group
		{[]int64{2}, []int{0}},
	}
	for _, tt := range tests {
		if got := mergeSmall(tt.n, 3); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("mergeSmall(%v, 3) = %v, want %v", tt.n, got, tt.want)
		}
	}
	// Age groups in the order of their first number.
	ages := []string{"60+", "18-34", "35-59", "未知", "5-17"}
	want := []string{"5-17", "18-34", "35-59", "60+", "未知"}
	slices.SortFunc(ages, ageKey)
	if !reflect.DeepEqual(ages, want) {
		t.Errorf("age order %v, want %v", ages, want)
	}
}
