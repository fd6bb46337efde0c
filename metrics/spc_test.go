package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// laneyPoint is one point of a control chart as the reference below
// computes it.
type laneyPoint struct {
	centre                       float64
	lower, upper, lower2, upper2 float64 // NaN: no limits
	rule                         string
	baseline, trial              bool
}

// laneyReference computes a Laney p′ chart and its special-cause rules
// plainly, point by point, after NHSRplotthedots' ptd_spc (chart "pp",
// Laney 2002) and NHS England's "Making Data Count" rules, with the
// definitions of the spc_points columns: p̄ = Σx/Σn over the first
// baseline points; σ_z = mean |z_t − z_{t−1}| over the baseline / 1.128,
// at least 1; limits p̄ ± 3σ_t·σ_z (2σ band ± 2σ_t·σ_z), clamped to 0..1.
// The rules are found by brute force over every window of points, not
// with runs as the SQL does. p̄ of 0 or 1: no limits, only trend and shift.
func laneyReference(x, n []float64, baseline, trendPoints, shiftPoints int) []laneyPoint {
	k := len(x)
	b := min(baseline, k)
	var sx, sn float64
	for i := range b {
		sx += x[i]
		sn += n[i]
	}
	pbar := sx / sn
	p := make([]float64, k)
	for i := range k {
		p[i] = x[i] / n[i]
	}
	spread := pbar > 0 && pbar < 1
	sigmaZ := math.NaN()
	if spread {
		z := make([]float64, b)
		for i := range b {
			z[i] = (p[i] - pbar) / math.Sqrt(pbar*(1-pbar)/n[i])
		}
		sigmaZ = 1
		if b >= 2 {
			var s float64
			for i := 1; i < b; i++ {
				s += math.Abs(z[i] - z[i-1])
			}
			sigmaZ = math.Max(1, s/float64(b-1)/1.128)
		}
	}
	pts := make([]laneyPoint, k)
	for i := range k {
		pt := laneyPoint{centre: pbar, lower: math.NaN(), upper: math.NaN(), lower2: math.NaN(), upper2: math.NaN(),
			baseline: i < b, trial: k < 12, rule: "none"}
		if spread {
			w := math.Sqrt(pbar*(1-pbar)/n[i]) * sigmaZ
			pt.lower, pt.upper = math.Max(0, pbar-3*w), math.Min(1, pbar+3*w)
			pt.lower2, pt.upper2 = math.Max(0, pbar-2*w), math.Min(1, pbar+2*w)
		}
		pts[i] = pt
	}
	// Each rule marks the points it covers; precedence decides below.
	outHigh, outLow := make([]bool, k), make([]bool, k)
	up, down := make([]bool, k), make([]bool, k)
	high3, low3 := make([]bool, k), make([]bool, k)
	shiftHigh, shiftLow := make([]bool, k), make([]bool, k)
	bandHigh := func(i int) bool { return spread && p[i] > pts[i].upper2 && p[i] <= pts[i].upper }
	bandLow := func(i int) bool { return spread && p[i] < pts[i].lower2 && p[i] >= pts[i].lower }
	for i := range k {
		outHigh[i] = spread && p[i] > pts[i].upper
		outLow[i] = spread && p[i] < pts[i].lower
	}
	for s := 0; s+trendPoints <= k; s++ {
		rising, falling := true, true
		for i := s + 1; i < s+trendPoints; i++ {
			rising = rising && p[i] > p[i-1]
			falling = falling && p[i] < p[i-1]
		}
		for i := s; i < s+trendPoints; i++ {
			up[i] = up[i] || rising
			down[i] = down[i] || falling
		}
	}
	for s := 0; s+3 <= k; s++ {
		above, below, nh, nl := true, true, 0, 0
		for i := s; i < s+3; i++ {
			above = above && p[i] > pbar
			below = below && p[i] < pbar
			if bandHigh(i) {
				nh++
			}
			if bandLow(i) {
				nl++
			}
		}
		for i := s; i < s+3; i++ {
			high3[i] = high3[i] || (above && nh >= 2 && bandHigh(i))
			low3[i] = low3[i] || (below && nl >= 2 && bandLow(i))
		}
	}
	for s := 0; s+shiftPoints <= k; s++ {
		above, below := true, true
		for i := s; i < s+shiftPoints; i++ {
			above = above && p[i] > pbar
			below = below && p[i] < pbar
		}
		for i := s; i < s+shiftPoints; i++ {
			shiftHigh[i] = shiftHigh[i] || above
			shiftLow[i] = shiftLow[i] || below
		}
	}
	for i := range k {
		switch {
		case outHigh[i]:
			pts[i].rule = "outside_upper"
		case outLow[i]:
			pts[i].rule = "outside_lower"
		case up[i] && down[i]: // a peak or trough: the trend it ends
			if p[i] > p[i-1] {
				pts[i].rule = "trend_up"
			} else {
				pts[i].rule = "trend_down"
			}
		case up[i]:
			pts[i].rule = "trend_up"
		case down[i]:
			pts[i].rule = "trend_down"
		case high3[i]:
			pts[i].rule = "two_of_three_high"
		case low3[i]:
			pts[i].rule = "two_of_three_low"
		case shiftHigh[i]:
			pts[i].rule = "shift_high"
		case shiftLow[i]:
			pts[i].rule = "shift_low"
		}
	}
	return pts
}

// ruleCodes spells the rules of a chart one letter per point, as the
// cases of TestSPC write them by hand.
var ruleCodes = map[string]byte{
	"none": '.', "outside_upper": 'O', "outside_lower": 'o', "trend_up": 'U', "trend_down": 'D',
	"two_of_three_high": 'H', "two_of_three_low": 'L', "shift_high": 'S', "shift_low": 's',
}

// spcRow is one spc_points row.
type spcRow struct {
	period, rule, signal         string
	value, den, centre           float64
	lower, upper, lower2, upper2 sql.NullFloat64
	baseline, trial              bool
}

// spcRows reads the chart of one unit and indicator in period order.
func spcRows(t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, level, unit, indicator string) []spcRow {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT period, rule, signal, value, denominator, centre,
		lower, upper, lower_2s, upper_2s, baseline, trial FROM spc_points
		WHERE level = ? AND unit_id = ? AND indicator = ? ORDER BY period`, level, unit, indicator)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []spcRow
	for rows.Next() {
		var r spcRow
		if err := rows.Scan(&r.period, &r.rule, &r.signal, &r.value, &r.den, &r.centre,
			&r.lower, &r.upper, &r.lower2, &r.upper2, &r.baseline, &r.trial); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// spcMonth is the label and a day of the i-th month from January 2024.
func spcMonth(i int) (label, day string) {
	d := time.Date(2024, time.Month(1+i), 10, 0, 0, 0, 0, time.UTC)
	return d.Format("2006-01"), d.Format("2006-01-02")
}

// alternating is the baseline most cases share: twelve months of n = 100
// with x = 45, 55, 45, … Worked by hand: p̄ = 600/1200 = 0.5; σ_t =
// sqrt(0.25/100) = 0.05; z_t = ±1, every moving range 2, σ_z = 2/1.128 =
// 1.77305; limits 0.5 ± 3·0.05·1.77305 = 0.23404 … 0.76596; 2σ band
// 0.5 ± 0.17730 = 0.32270 … 0.67730.
var alternating = []int{45, 55, 45, 55, 45, 55, 45, 55, 45, 55, 45, 55}

// TestSPC checks spc_points against hand-made monthly series of
// satisfaction_rate (higher is better), one community per street and
// district, with the default rules (baseline 12, trend 7, shift 7,
// min_n 10). Each series' expected rules are written by hand, one letter
// per month with a value (ruleCodes), and also checked against
// laneyReference; centre and limits come from laneyReference, and for the
// alternating baseline also from the hand computation above.
func TestSPC(t *testing.T) {
	withBase := func(tail ...int) []int { return append(append([]int{}, alternating...), tail...) }
	hundreds := func(k int) []int {
		n := make([]int, k)
		for i := range n {
			n[i] = 100
		}
		return n
	}
	type series struct {
		name  string
		x, n  []int  // per month; n < 10 is suppressed
		rules string // expected, one letter per month with a value
	}
	cases := []series{
		// 55 → 44 falls, then six strict rises 44 … 56: seven points, a
		// trend; 44, 46, 48 are below the centre, 50 on it, so no shift.
		{"trend7", withBase(44, 46, 48, 50, 52, 54, 56, 45), hundreds(20),
			"............UUUUUUU."},
		// Five rises, six points: no trend.
		{"trend6", withBase(46, 48, 50, 52, 54, 56, 45), hundreds(19),
			"..................."},
		// After a point on the centre (50/100 = 0.5 exactly; the
		// baseline's last point, 55, is above it), six points above, one on
		// the centre: no shift; then seven above: a shift.
		{"shift", withBase(50, 52, 53, 52, 53, 52, 53, 50, 52, 53, 52, 53, 52, 53, 52, 45), hundreds(28),
			strings.Repeat(".", 20) + "SSSSSSS."},
		// 70 is in the 2σ band (0.677 < 0.70 <= 0.766), 80 beyond the
		// limit. 45 70 80 52: one banded point, the outside one does not
		// count. 45 70 80 70: two banded points with one outside. 30 50 30:
		// 50 is on the centre, not all on one side (nor is 30 55 30). 30 40
		// 30: two below.
		{"two_of_three", withBase(45, 70, 80, 52, 45, 70, 80, 70, 45, 30, 50, 30, 55, 30, 40, 30, 45), hundreds(29),
			"............" + "..O..HOH....." + "L.L."},
		// Rising 51 … 70 (six steps) and on to 80: 68 and 70 are a two of
		// three, and the eleven points from the baseline's last (55) to the
		// last 52 are above the centre (a shift, which runs on into the
		// baseline); outside beats trend beats two of three beats shift.
		{"precedence", withBase(51, 53, 55, 57, 68, 70, 80, 52, 53, 52, 45), hundreds(23),
			"..........." + "S" + "UUUUUUO" + "SSS."},
		// Up seven and down seven: the peak ends the rising trend.
		{"peak", withBase(44, 46, 48, 50, 52, 54, 56, 54, 52, 50, 48, 46, 44), hundreds(25),
			"............" + "UUUUUUU" + "DDDDDD"},
		// Eight months: trial limits from all eight (varying n); no rule.
		{"trial", []int{30, 50, 40, 60, 45, 55, 35, 65}, []int{80, 120, 100, 90, 110, 100, 95, 105},
			"........"},
		// After a point on the centre, a month of n = 5 (suppressed, 1/5
		// below the centre) between three and four months above: left out,
		// the seven shift.
		{"suppressed", withBase(50, 52, 53, 52, 1, 53, 52, 53, 52, 45), append(hundreds(16), 5, 100, 100, 100, 100, 100),
			"............." + "SSSSSSS."},
		// p̄ = 0: no limits; seven months above the centre still shift.
		{"zero", []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20},
			"............SSSSSSS"},
		// p̄ = 1: no limits, and 19/20 below it is no outside point.
		{"one", []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 19, 19, 20}, []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20},
			"..............."},
		// One month: no moving range, σ_z = 1; trial.
		{"single", []int{30}, []int{100}, "."},
		// 49, 51, …: z = ±0.2, moving range 0.4, σ_z = 0.355, floored at 1:
		// limits 0.5 ± 3·0.05 = 0.35 … 0.65. 0.64 is inside (it would be
		// far outside with σ_z = 0.355), 0.66 outside.
		{"floor", []int{49, 51, 49, 51, 49, 51, 49, 51, 49, 51, 49, 51, 64, 50, 66, 50}, hundreds(16),
			"..............O."},
	}
	db := openDB(t)
	var cells []surveyCell
	for _, c := range cases {
		if len(c.x) != len(c.n) {
			t.Fatalf("%s: %d numerators, %d denominators", c.name, len(c.x), len(c.n))
		}
		seedGeography(t, db, community{c.name, "s-" + c.name, "d-" + c.name, ""})
		for i := range c.x {
			_, day := spcMonth(i)
			cells = append(cells, surveyCell{c.name, day, c.x[i], c.n[i]})
		}
	}
	addSurveys(t, db, cells...)
	s := compute(t, db, Options{})
	if s.CompanionRows["spc_points"] == 0 {
		t.Error("Summary counts no spc_points rows")
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The months with a value, as the reference sees them.
			var x, n []float64
			var periods []string
			for i := range c.x {
				if c.n[i] >= 10 {
					label, _ := spcMonth(i)
					x, n, periods = append(x, float64(c.x[i])), append(n, float64(c.n[i])), append(periods, label)
				}
			}
			ref := laneyReference(x, n, 12, 7, 7)
			var refCodes strings.Builder
			for _, r := range ref {
				refCodes.WriteByte(ruleCodes[r.rule])
			}
			if refCodes.String() != c.rules {
				t.Errorf("reference rules %s, hand %s", refCodes.String(), c.rules)
			}
			for _, level := range []string{"community", "street", "district"} {
				unit := map[string]string{"community": c.name, "street": "s-" + c.name, "district": "d-" + c.name}[level]
				got := spcRows(t, db, level, unit, "satisfaction_rate")
				if len(got) != len(ref) {
					t.Fatalf("%s: %d points, want %d", level, len(got), len(ref))
				}
				var codes strings.Builder
				for i, g := range got {
					codes.WriteByte(ruleCodes[g.rule])
					r := ref[i]
					what := fmt.Sprintf("%s %s", level, g.period)
					if g.period != periods[i] {
						t.Errorf("%s: period, want %s", what, periods[i])
					}
					checkFloat(t, what+" value", sql.NullFloat64{Float64: g.value, Valid: true}, x[i]/n[i])
					checkFloat(t, what+" denominator", sql.NullFloat64{Float64: g.den, Valid: true}, n[i])
					checkFloat(t, what+" centre", sql.NullFloat64{Float64: g.centre, Valid: true}, r.centre)
					checkFloat(t, what+" lower", g.lower, r.lower)
					checkFloat(t, what+" upper", g.upper, r.upper)
					checkFloat(t, what+" lower_2s", g.lower2, r.lower2)
					checkFloat(t, what+" upper_2s", g.upper2, r.upper2)
					if g.baseline != r.baseline || g.trial != r.trial {
						t.Errorf("%s: baseline %v trial %v, want %v %v", what, g.baseline, g.trial, r.baseline, r.trial)
					}
					// satisfaction_rate is higher_better.
					wantSignal := map[byte]string{'.': "none", 'O': "improvement", 'U': "improvement", 'H': "improvement",
						'S': "improvement", 'o': "concern", 'D': "concern", 'L': "concern", 's': "concern"}[ruleCodes[g.rule]]
					if g.signal != wantSignal {
						t.Errorf("%s: rule %s signal %s, want %s", what, g.rule, g.signal, wantSignal)
					}
				}
				if codes.String() != c.rules {
					t.Errorf("%s rules\n got %s\nwant %s", level, codes.String(), c.rules)
				}
			}
		})
	}

	// The alternating baseline by hand (see alternating).
	sigmaZ := 2 / 1.128
	for _, r := range spcRows(t, db, "community", "trend7", "satisfaction_rate") {
		checkFloat(t, r.period+" centre", sql.NullFloat64{Float64: r.centre, Valid: true}, 0.5)
		checkFloat(t, r.period+" upper", r.upper, 0.5+3*0.05*sigmaZ)
		checkFloat(t, r.period+" lower", r.lower, 0.5-3*0.05*sigmaZ)
		checkFloat(t, r.period+" upper_2s", r.upper2, 0.5+2*0.05*sigmaZ)
	}
	// The floor by hand: limits 0.5 ± 0.15.
	for _, r := range spcRows(t, db, "community", "floor", "satisfaction_rate") {
		checkFloat(t, r.period+" upper (floor)", r.upper, 0.65)
		checkFloat(t, r.period+" lower (floor)", r.lower, 0.35)
	}
	// The trial series: p̄ = Σx/Σn = 380/800 = 0.475 over all eight months.
	for _, r := range spcRows(t, db, "community", "trial", "satisfaction_rate") {
		checkFloat(t, r.period+" centre (trial)", sql.NullFloat64{Float64: r.centre, Valid: true}, 380.0/800)
		if !r.trial || !r.baseline {
			t.Errorf("trial %s: trial %v baseline %v", r.period, r.trial, r.baseline)
		}
	}
	// One month by hand: p̄ = 0.3, limits 0.3 ± 3·sqrt(0.3·0.7/100).
	if r := spcRows(t, db, "community", "single", "satisfaction_rate"); len(r) == 1 {
		checkFloat(t, "single upper", r[0].upper, 0.3+3*math.Sqrt(0.21/100))
		checkFloat(t, "single lower", r[0].lower, 0.3-3*math.Sqrt(0.21/100))
		if !r[0].trial || !r[0].baseline {
			t.Errorf("single: trial %v baseline %v", r[0].trial, r[0].baseline)
		}
	}
	// Only months, only proportions, never a suppressed value.
	if n := count(t, db, `SELECT count(*) FROM spc_points p JOIN indicators i USING (indicator)
		WHERE i.kind <> 'proportion' OR p.period NOT LIKE '____-__'`); n != 0 {
		t.Errorf("%d spc_points rows of other indicators or periods", n)
	}
	if n := count(t, db, `SELECT count(*) FROM spc_points p JOIN indicator_values v
		ON v.period_type = 'month' AND v.period = p.period AND v.level = p.level AND v.unit_id = p.unit_id
		AND v.indicator = p.indicator WHERE v.suppressed OR v.value IS DISTINCT FROM p.value`); n != 0 {
		t.Errorf("%d spc_points rows disagree with indicator_values", n)
	}
	if n := count(t, db, `SELECT count(*) FROM indicator_values v JOIN indicators i USING (indicator)
		WHERE i.kind = 'proportion' AND v.period_type = 'month' AND NOT v.suppressed AND v.denominator >= 1
		AND NOT EXISTS (SELECT 1 FROM spc_points p WHERE p.period = v.period AND p.level = v.level
		  AND p.unit_id = v.unit_id AND p.indicator = v.indicator)`); n != 0 {
		t.Errorf("%d month values with no spc_points row", n)
	}
}

// TestSPCDirectionAndOptions checks the signal of a lower-is-better
// indicator and the spc options. Community e1, escalation_share (lower is
// better), n = 100 cases a month: twelve months of 45, 55, … escalated,
// then 80 (outside the upper limit 0.766 of the hand computation at
// alternating: a concern) and 20 (below 0.234: an improvement). With
// baseline 4, trend 3 and shift 3 every number is laneyReference's.
func TestSPCDirectionAndOptions(t *testing.T) {
	db := openDB(t)
	seedGeography(t, db, community{"e1", "se", "de", ""})
	esc := append(append([]int{}, alternating...), 80, 20, 50, 52, 54, 56, 40)
	var cells []caseCell
	for i, e := range esc {
		_, day := spcMonth(i)
		cells = append(cells, caseCell{"e1", day, 100, 50, e, 0, 0})
	}
	addCases(t, db, cells...)
	x, n := make([]float64, len(esc)), make([]float64, len(esc))
	for i, e := range esc {
		x[i], n[i] = float64(e), 100
	}
	for _, tc := range []struct {
		name string
		spc  SPCOptions
	}{
		{"default", SPCOptions{BaselineMonths: 12, TrendPoints: 7, ShiftPoints: 7}},
		{"short", SPCOptions{BaselineMonths: 4, TrendPoints: 3, ShiftPoints: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			compute(t, db, Options{SPC: tc.spc})
			ref := laneyReference(x, n, tc.spc.BaselineMonths, tc.spc.TrendPoints, tc.spc.ShiftPoints)
			got := spcRows(t, db, "community", "e1", "escalation_share")
			if len(got) != len(ref) {
				t.Fatalf("%d points, want %d", len(got), len(ref))
			}
			for i, g := range got {
				r := ref[i]
				checkFloat(t, g.period+" centre", sql.NullFloat64{Float64: g.centre, Valid: true}, r.centre)
				checkFloat(t, g.period+" upper", g.upper, r.upper)
				checkFloat(t, g.period+" lower", g.lower, r.lower)
				if g.rule != r.rule || g.baseline != r.baseline {
					t.Errorf("%s: rule %s baseline %v, want %s %v", g.period, g.rule, g.baseline, r.rule, r.baseline)
				}
				up := strings.HasSuffix(g.rule, "_upper") || strings.HasSuffix(g.rule, "_up") || strings.HasSuffix(g.rule, "_high")
				want := "none"
				switch {
				case g.rule == "none":
				case up:
					want = "concern"
				default:
					want = "improvement"
				}
				if g.signal != want {
					t.Errorf("%s: rule %s signal %s, want %s", g.period, g.rule, g.signal, want)
				}
			}
			if tc.name == "default" {
				if got[12].rule != "outside_upper" || got[12].signal != "concern" ||
					got[13].rule != "outside_lower" || got[13].signal != "improvement" {
					t.Errorf("months 13, 14: %+v %+v", got[12], got[13])
				}
			}
		})
	}
	// Neutral proportions never signal.
	if n := count(t, db, `SELECT count(*) FROM spc_points p JOIN indicators i USING (indicator)
		WHERE i.direction = 'neutral' AND p.signal <> 'none'`); n != 0 {
		t.Errorf("%d signals of neutral indicators", n)
	}
}
