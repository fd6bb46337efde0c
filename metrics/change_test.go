package metrics

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestChangesAndFollowUp checks indicator_changes against a hand-computed
// two-proportion z-test, and the follow-up lists. District dz, five
// communities, January and February 2025 (min_n 10); every community has
// the same 20 cases each month (15 on time, 4 escalated, 10 callbacks of
// which 8 satisfied), so only satisfaction_rate moves:
//
//	     January  February
//	z1   20/40    30/40    up, significant
//	z2   28/40    30/40    up, not significant
//	z3   36/40    24/40    down, significant
//	z4   5/8      28/40    January suppressed (8 < 10): no change row
//	z5   40/200   40/200   unchanged, far below the others
func TestChangesAndFollowUp(t *testing.T) {
	db := openDB(t)
	seedGeography(t, db, community{"z1", "sz", "dz", ""}, community{"z2", "sz", "dz", ""},
		community{"z3", "sz", "dz", ""}, community{"z4", "sz", "dz", ""}, community{"z5", "sz", "dz", ""})
	const jan, feb = "2025-01-10", "2025-02-10"
	addSurveys(t, db,
		surveyCell{"z1", jan, 20, 40}, surveyCell{"z2", jan, 28, 40}, surveyCell{"z3", jan, 36, 40},
		surveyCell{"z4", jan, 5, 8}, surveyCell{"z5", jan, 40, 200},
		surveyCell{"z1", feb, 30, 40}, surveyCell{"z2", feb, 30, 40}, surveyCell{"z3", feb, 24, 40},
		surveyCell{"z4", feb, 28, 40}, surveyCell{"z5", feb, 40, 200})
	var cells []caseCell
	for _, c := range []string{"z1", "z2", "z3", "z4", "z5"} {
		cells = append(cells, caseCell{c, jan, 20, 15, 4, 10, 8}, caseCell{c, feb, 20, 15, 4, 10, 8})
	}
	addCases(t, db, cells...)
	s := compute(t, db, Options{})

	type change struct {
		prev                         string
		value, previous, delta, z, p nullFloat
		significant                  bool
	}
	get := func(level, unit, ind string) (change, bool) {
		var c change
		err := db.QueryRowContext(context.Background(), `SELECT previous_period, value, previous_value, change, z, p_value,
			change_significant FROM indicator_changes WHERE period_type = 'month' AND period = '2025-02'
			AND level = ? AND unit_id = ? AND indicator = ?`, level, unit, ind).
			Scan(&c.prev, &c.value, &c.previous, &c.delta, &c.z, &c.p, &c.significant)
		return c, err == nil
	}
	// pValue is the two-sided p-value of z by Go's erfc: 2(1 − Φ(|z|)) =
	// erfc(|z|/√2).
	pValue := func(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }
	for _, tc := range []struct {
		unit        string
		x1, n1      float64
		x0, n0      float64
		z           float64
		significant bool
	}{
		// z1: p = (30+20)/(40+40) = 0.625; se = sqrt(0.625·0.375·(1/40 +
		// 1/40)) = sqrt(0.01171875) = sqrt(3/256) = √3/16; z = 0.25/(√3/16)
		// = 4/√3 ≈ 2.3094, p-value = erfc(2.3094/√2) ≈ 0.0209 < 0.05.
		{"z1", 30, 40, 20, 40, 4 / math.Sqrt(3), true},
		// z2: p = 58/80 = 0.725; z = 0.05/sqrt(0.725·0.275·0.05) ≈ 0.5008.
		{"z2", 30, 40, 28, 40, 0.05 / math.Sqrt(0.725*0.275*0.05), false},
		// z3: p = 60/80 = 0.75; z = −0.3/sqrt(0.75·0.25·0.05) ≈ −3.0984.
		{"z3", 24, 40, 36, 40, -0.3 / math.Sqrt(0.75*0.25*0.05), true},
		// z5: no change, z = 0, p-value 1.
		{"z5", 40, 200, 40, 200, 0, false},
	} {
		c, ok := get("community", tc.unit, "satisfaction_rate")
		if !ok {
			t.Errorf("%s: no change row", tc.unit)
			continue
		}
		if c.prev != "2025-01" || c.significant != tc.significant {
			t.Errorf("%s: previous %s significant %v, want 2025-01 %v", tc.unit, c.prev, c.significant, tc.significant)
		}
		checkFloat(t, tc.unit+" value", c.value, tc.x1/tc.n1)
		checkFloat(t, tc.unit+" previous_value", c.previous, tc.x0/tc.n0)
		checkFloat(t, tc.unit+" change", c.delta, tc.x1/tc.n1-tc.x0/tc.n0)
		checkFloat(t, tc.unit+" z", c.z, tc.z)
		checkFloat(t, tc.unit+" p_value", c.p, pValue(tc.z))
	}
	if p := pValue(4 / math.Sqrt(3)); math.Abs(p-0.020921335337794) > 1e-12 {
		t.Errorf("hand p-value of z1 = %.15f", p)
	}
	// z4's January is suppressed: no change, however large the jump looks.
	if _, ok := get("community", "z4", "satisfaction_rate"); ok {
		t.Error("z4 has a change row although January is suppressed")
	}
	// Unchanged case components: z = 0, p-value 1, not significant.
	if c, ok := get("community", "z1", "on_time_rate"); !ok || c.z.Float64 != 0 || c.p.Float64 != 1 || c.significant {
		t.Errorf("z1 on_time_rate change = %+v", c)
	}
	// Streets and districts pool: sz 152/360 now, 129/328 before.
	if c, ok := get("street", "sz", "satisfaction_rate"); !ok {
		t.Error("no street change row")
	} else {
		checkFloat(t, "sz change", c.delta, 152.0/360-129.0/328)
	}
	// Quarters and years have no previous period in the data; January none.
	if n := count(t, db, `SELECT count(*) FROM indicator_changes WHERE period_type <> 'month' OR period <> '2025-02'`); n != 0 {
		t.Errorf("%d change rows without a previous period", n)
	}
	// Only proportions, only where neither side is suppressed.
	if n := count(t, db, `SELECT count(*) FROM indicator_changes c JOIN indicators i USING (indicator)
		WHERE i.kind <> 'proportion'`); n != 0 {
		t.Errorf("%d change rows of indicators that are not proportions", n)
	}
	if s.CompanionRows["indicator_changes"] == 0 {
		t.Error("Summary counts no change rows")
	}

	// q-values: the family is dz's communities × satisfaction_rate ×
	// 2025-02, p-values (ascending) z3 0.00195, z1 0.0209, z2 0.617, z5 1
	// (m = 4; z4 has no change row). By hand: z5 q = 1; z2 min(1, 4·0.617/3)
	// = 0.822; z1 min(0.822, 4·0.0209/2) = 0.0418; z3 min(0.0418,
	// 4·0.00195) = 0.0078. Checked against bhR (R's p.adjust "BH") of the
	// hand p-values above.
	units := []string{"z1", "z2", "z3", "z5"}
	zs := []float64{4 / math.Sqrt(3), 0.05 / math.Sqrt(0.725*0.275*0.05), -0.3 / math.Sqrt(0.75*0.25*0.05), 0}
	ps := make([]float64, len(zs))
	for i, z := range zs {
		ps[i] = pValue(z)
	}
	for i, q := range bhR(ps) {
		var got nullFloat
		if err := db.QueryRowContext(context.Background(), `SELECT q_value FROM indicator_changes WHERE period = '2025-02'
			AND level = 'community' AND unit_id = ? AND indicator = 'satisfaction_rate'`, units[i]).Scan(&got); err != nil {
			t.Fatal(err)
		}
		checkFloat(t, units[i]+" q_value", got, q)
	}
	if q := bhR(ps); math.Abs(q[0]-0.0418426706755879) > 1e-12 || math.Abs(q[2]-0.0078) > 1e-4 {
		t.Errorf("bhR of the hand p-values: %v", q)
	}
	// A district's own row is a family of one: q = p.
	if n := count(t, db, `SELECT count(*) FROM indicator_changes WHERE level = 'district' AND q_value IS DISTINCT FROM p_value`); n != 0 {
		t.Errorf("%d district rows with q <> p", n)
	}

	// Follow-up lists of February (follow_up.fdr 0.10): z1 and z3 for their
	// satisfaction (q 0.0418 and 0.0078) and their score (the score moved
	// the same way and no component moved the other way); z2's q is 0.822;
	// z4 has no previous value. z5 (40/200 against about 0.7 elsewhere) is
	// not confidently low: with five communities so spread out the funnel
	// is overdispersed (φ ≈ 12.3, τ² ≈ 0.061 by the formulas of refFunnel),
	// and z5's adjusted z is only −0.89 — within the district's normal
	// range.
	got := rowStrings(t, db, `SELECT community_id, list, indicator, round(q_value, 12) FROM follow_up
		WHERE district_id = 'dz' AND period_type = 'month' AND period = '2025-02' ORDER BY ALL`)
	q := bhR(ps)
	q1, q3 := strconv.FormatFloat(math.Round(q[0]*1e12)/1e12, 'g', -1, 64), strconv.FormatFloat(math.Round(q[2]*1e12)/1e12, 'g', -1, 64)
	wantList := []string{
		"z1|improved|resident_score|" + q1, "z1|improved|satisfaction_rate|" + q1,
		"z3|declined|resident_score|" + q3, "z3|declined|satisfaction_rate|" + q3,
	}
	if !slices.Equal(got, wantList) {
		t.Errorf("follow_up 2025-02:\n got %v\nwant %v", got, wantList)
	}
	var zAdj float64
	if err := db.QueryRowContext(context.Background(), `SELECT z_adjusted FROM funnel_points WHERE period_type = 'month'
		AND period = '2025-02' AND unit_id = 'z5' AND indicator = 'satisfaction_rate'`).Scan(&zAdj); err != nil {
		t.Fatal(err)
	}
	if math.Abs(zAdj+0.893) > 0.001 {
		t.Errorf("z5 z_adjusted = %v, want about −0.893", zAdj)
	}
	// No improved or declined entry in a period without a previous one.
	if n := count(t, db, `SELECT count(*) FROM follow_up WHERE list <> 'confidently_low' AND period <> '2025-02'`); n != 0 {
		t.Errorf("%d improved/declined entries without a previous period", n)
	}
	var detail string
	if err := db.QueryRowContext(context.Background(), `SELECT detail FROM follow_up WHERE period = '2025-02'
		AND community_id = 'z1' AND indicator = 'satisfaction_rate'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if want := "satisfaction_rate 0.500 → 0.750 (+0.250; z = 2.31, p = 0.0209, q = 0.0418), 2025-01 → 2025-02"; detail != want {
		t.Errorf("detail = %q, want %q", detail, want)
	}
	if err := db.QueryRowContext(context.Background(), `SELECT detail FROM follow_up WHERE period = '2025-02'
		AND community_id = 'z3' AND indicator = 'satisfaction_rate'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(detail, ": worth a closer look") {
		t.Errorf("declined detail = %q", detail)
	}

	// Admitted by q, not p: at follow_up.fdr 0.04, z1 (p 0.0209 < 0.05 but
	// q 0.0418) leaves the lists; z3 (q 0.0078) stays.
	compute(t, db, Options{FDR: 0.04})
	got = rowStrings(t, db, `SELECT community_id, list, indicator FROM follow_up
		WHERE district_id = 'dz' AND period_type = 'month' AND period = '2025-02' ORDER BY ALL`)
	if want := []string{"z3|declined|resident_score", "z3|declined|satisfaction_rate"}; !slices.Equal(got, want) {
		t.Errorf("follow_up at fdr 0.04:\n got %v\nwant %v", got, want)
	}
}

// TestPreviousPeriod checks the previous-period labels across year ends.
func TestPreviousPeriod(t *testing.T) {
	db := openDB(t)
	seedGeography(t, db, community{"p1", "sp", "dp", ""})
	// Months December 2024 and January 2025 (adjacent across the year
	// end), and April 2025 (its previous month, March, holds no row).
	addSurveys(t, db, surveyCell{"p1", "2024-12-05", 10, 20}, surveyCell{"p1", "2025-01-05", 10, 20},
		surveyCell{"p1", "2025-04-05", 10, 20})
	compute(t, db, Options{})
	got := rowStrings(t, db, `SELECT DISTINCT period_type, period, previous_period FROM indicator_changes ORDER BY ALL`)
	want := []string{"month|2025-01|2024-12", "quarter|2025-Q1|2024-Q4", "quarter|2025-Q2|2025-Q1", "year|2025|2024"}
	if !slices.Equal(got, want) {
		t.Errorf("periods:\n got %v\nwant %v", got, want)
	}
}
