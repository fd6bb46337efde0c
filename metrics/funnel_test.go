package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// binomialLimitsRat is the reference for the exact funnel limits: the
// definition of Spiegelhalter (2005), appendix A.1.1, evaluated directly in
// 512-bit floating point (math/big) — every pmf C(n, k)θ^k(1 − θ)^(n−k)
// with θ the exact value of the float64 target, F summed from k = 0 —
// not by the recurrence from the mode and the tail sums of binomialLimits.
func binomialLimitsRat(n int, theta float64) [4]float64 {
	const prec = 512
	nf := func() *big.Float { return new(big.Float).SetPrec(prec) }
	th := nf().SetFloat64(theta)
	q := nf().Sub(nf().SetInt64(1), th)
	pmf := make([]*big.Float, n+1)
	for k := 0; k <= n; k++ {
		v := nf().SetInt(new(big.Int).Binomial(int64(n), int64(k)))
		for range k {
			v.Mul(v, th)
		}
		for range n - k {
			v.Mul(v, q)
		}
		pmf[k] = v
	}
	var out [4]float64
	for j, P := range []float64{0.001, 0.025, 0.975, 0.999} {
		// P as the decimal it stands for, not its float64 neighbour.
		pb, _ := nf().SetString(strconv.FormatFloat(P, 'f', -1, 64))
		cum := nf()
		for r := 0; r <= n; r++ {
			cum.Add(cum, pmf[r])
			if cum.Cmp(pb) >= 0 {
				alpha := nf().Sub(cum, pb)
				alpha.Quo(alpha, pmf[r])
				lim := nf().Sub(nf().SetInt64(int64(r)), alpha)
				lim.Quo(lim, nf().SetInt64(int64(n)))
				f, _ := lim.Float64()
				out[j] = min(1, max(0, f))
				break
			}
		}
	}
	return out
}

// TestBinomialLimits checks the exact limits against hand values and
// against direct summation in 512-bit arithmetic (binomialLimitsRat).
func TestBinomialLimits(t *testing.T) {
	// By hand (fractions), n = 10, θ = 3/10: F(0) = 0.7^10 = 0.0282475249 >=
	// 0.025 and >= 0.001, so both lower limits are r = 0 minus α > 0: below
	// 0, clamped to 0. Upper 95%: F(5) = 0.95265, F(6) = 0.98941 >= 0.975,
	// r = 6, α = (F(6) − 0.975)/pmf(6) = 0.0144079/0.0367569 = 0.39198,
	// limit (6 − α)/10 = 515333831/918922725. Upper 99.8%: F(7) = 0.99841,
	// F(8) = 0.99986 >= 0.999, r = 8, α = 0.59191, limit 107172899/144670050.
	got, err := binomialLimits(10, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	hand := [4]float64{0, 0, 515333831.0 / 918922725, 107172899.0 / 144670050}
	for i := range hand {
		if math.Abs(got[i]-hand[i]) > 1e-12 {
			t.Errorf("n=10 θ=0.3 limit %d = %.15g, want %.15g", i, got[i], hand[i])
		}
	}
	for _, tc := range []struct {
		n     int
		theta float64
	}{
		{1, 0.5}, {1, 0.99}, {2, 0.01}, {10, 0.3}, {20, 0.625}, {50, 0.6}, {73, 0.2222},
		{400, 0.9876}, {1000, 0.003}, {2500, 0.4711},
	} {
		got, err := binomialLimits(float64(tc.n), tc.theta)
		if err != nil {
			t.Fatal(err)
		}
		want := binomialLimitsRat(tc.n, tc.theta)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Errorf("n=%d θ=%v limit %d = %.15g, want %.15g", tc.n, tc.theta, i, got[i], want[i])
			}
		}
		if !(got[0] <= got[1] && got[1] <= got[2] && got[2] <= got[3]) {
			t.Errorf("n=%d θ=%v limits out of order: %v", tc.n, tc.theta, got)
		}
	}
	for _, bad := range [][2]float64{{0, 0.5}, {2.5, 0.5}, {10, 0}, {10, 1}, {10, math.NaN()}} {
		if _, err := binomialLimits(bad[0], bad[1]); err == nil {
			t.Errorf("binomialLimits(%v, %v): no error", bad[0], bad[1])
		}
	}
}

// chi2TailClosed is the reference χ² upper tail for whole degrees of
// freedom, by the closed forms (Abramowitz & Stegun 26.4.4, 26.4.5): even
// ν: e^{−x/2} Σ_{k<ν/2} (x/2)^k/k!; odd ν: erfc(√(x/2)) + √(2x/π)e^{−x/2}
// Σ_{r=1}^{(ν−1)/2} x^{r−1}/(1·3·…·(2r−1)).
func chi2TailClosed(nu int, x float64) float64 {
	if nu%2 == 0 {
		sum, term := 0.0, 1.0
		for k := 0; k < nu/2; k++ {
			if k > 0 {
				term *= x / 2 / float64(k)
			}
			sum += term
		}
		return math.Exp(-x/2) * sum
	}
	sum, term := 0.0, 1.0
	for r := 1; r <= (nu-1)/2; r++ {
		if r > 1 {
			term *= x / float64(2*r-1)
		}
		sum += term
	}
	return math.Erfc(math.Sqrt(x/2)) + math.Sqrt(2*x/math.Pi)*math.Exp(-x/2)*sum
}

// TestChi2Upper checks chi2Upper against the closed forms, on both sides
// of its switch between series and continued fraction.
func TestChi2Upper(t *testing.T) {
	for nu := 1; nu <= 40; nu++ {
		for _, x := range []float64{1e-6, 0.01, 0.5, 1, 2.5, float64(nu), float64(nu) + 1.9, float64(nu) + 2.1, 3 * float64(nu), 57.4, 120} {
			got, want := chi2Upper(float64(nu), x), chi2TailClosed(nu, x)
			if math.Abs(got-want) > 1e-12*max(1, want) && math.Abs(got-want) > 1e-14 {
				t.Errorf("P(χ²_%d >= %v) = %.16g, want %.16g", nu, x, got, want)
			}
		}
	}
	if chi2Upper(3, 0) != 1 || chi2Upper(3, -1) != 1 {
		t.Error("P(χ² >= x <= 0) is not 1")
	}
}

// bhR is R's p.adjust(p, method = "BH"), written as R writes it:
// i <- n:1; o <- order(p, decreasing = TRUE); pmin(1, cummin(n/i * p[o]))[order(o)].
func bhR(p []float64) []float64 {
	n := len(p)
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	sort.SliceStable(o, func(a, b int) bool { return p[o[a]] > p[o[b]] })
	q := make([]float64, n)
	run := math.Inf(1)
	for j, idx := range o {
		i := n - j // R's i = n:1
		run = math.Min(run, float64(n)/float64(i)*p[idx])
		q[idx] = math.Min(1, run)
	}
	return q
}

// TestBHReference checks bhR itself on a vector worked by hand, with a tie:
// p sorted 0.01 0.02 0.02 0.04 0.5 (m = 5) give m·p/k = 0.05, 0.05, 1/30,
// 0.05, 0.5; the running minimum from the largest down: 0.5, 0.05, 1/30,
// 1/30, 1/30.
func TestBHReference(t *testing.T) {
	got := bhR([]float64{0.04, 0.02, 0.5, 0.01, 0.02})
	want := []float64{0.05, 1.0 / 30, 0.5, 1.0 / 30, 1.0 / 30}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("q[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// refFunnel is FunnelPlotR's proportion funnel as the spec words it,
// re-implemented plainly: θ₀ pooled, z at θ₀, z winsorised at R's type-7
// 10th and 90th percentiles, φ the mean winsorised z², the χ² test by the
// closed forms, DerSimonian–Laird τ², and for each point the z used, its
// two-sided p-value (erfc) and its limits.
type refFunnel struct {
	theta, phi, chi2p, tau2 float64
	od                      bool
	z, zUsed, p             []float64
	lim                     [][4]float64 // lower 99.8, lower 95, upper 95, upper 99.8
}

func quantile7(v []float64, prob float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	h := float64(len(s)-1) * prob
	lo := math.Floor(h)
	hi := math.Min(lo+1, float64(len(s)-1))
	return s[int(lo)] + (h-lo)*(s[int(hi)]-s[int(lo)])
}

func newRefFunnel(x, n []float64) refFunnel {
	var sx, sn float64
	for i := range x {
		sx += x[i]
		sn += n[i]
	}
	r := refFunnel{theta: sx / sn}
	I := float64(len(x))
	s2 := make([]float64, len(x))
	for i := range x {
		s2[i] = r.theta * (1 - r.theta) / n[i]
		r.z = append(r.z, (x[i]/n[i]-r.theta)/math.Sqrt(s2[i]))
	}
	q10, q90 := quantile7(r.z, 0.1), quantile7(r.z, 0.9)
	var sw, sw2 float64
	for i, z := range r.z {
		zw := math.Min(math.Max(z, q10), q90)
		r.phi += zw * zw / I
		sw += 1 / s2[i]
		sw2 += 1 / s2[i] / s2[i]
	}
	r.chi2p = chi2TailClosed(len(x)-1, I*r.phi)
	r.tau2 = math.Max(0, (I*r.phi-(I-1))/(sw-sw2/sw))
	r.od = r.chi2p < 0.05
	for i, z := range r.z {
		zu := z
		var l [4]float64
		if r.od {
			sd := math.Sqrt(s2[i] + r.tau2)
			zu = z * math.Sqrt(s2[i]) / sd
			l = [4]float64{math.Max(0, r.theta-3.090232306167813*sd), math.Max(0, r.theta-1.959963984540054*sd),
				math.Min(1, r.theta+1.959963984540054*sd), math.Min(1, r.theta+3.090232306167813*sd)}
		} else {
			l = binomialLimitsRat(int(n[i]), r.theta)
		}
		r.zUsed = append(r.zUsed, zu)
		r.p = append(r.p, math.Erfc(math.Abs(zu)/math.Sqrt2))
		r.lim = append(r.lim, l)
	}
	return r
}

// flagOf is the flag of a value against limits (lower 99.8, lower 95, upper
// 95, upper 99.8); on a limit is within.
func flagOf(v float64, l [4]float64) string {
	switch {
	case v > l[3]:
		return "above_998"
	case v > l[2]:
		return "above_95"
	case v < l[0]:
		return "below_998"
	case v < l[1]:
		return "below_95"
	}
	return "within"
}

// funnelPoint is one funnel_points row.
type funnelPoint struct {
	unit                           string
	value, num, den                float64
	z, zAdj, p, q                  nullFloat
	flag                           string
	lower95, upper95, lo998, up998 nullFloat
}

func funnelPoints(t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, periodType, district, indicator string) []funnelPoint {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT unit_id, value, numerator, denominator, z, z_adjusted,
		p_value, q_value, flag, lower_95, upper_95, lower_998, upper_998 FROM funnel_points
		WHERE period_type = ? AND district_id = ? AND indicator = ? ORDER BY unit_id`, periodType, district, indicator)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []funnelPoint
	for rows.Next() {
		var f funnelPoint
		if err := rows.Scan(&f.unit, &f.value, &f.num, &f.den, &f.z, &f.zAdj, &f.p, &f.q, &f.flag,
			&f.lower95, &f.upper95, &f.lo998, &f.up998); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFunnel checks funnel_params and funnel_points for satisfaction_rate
// (survey answers in March 2025; every period type holds the same rows)
// against refFunnel, binomialLimitsRat and bhR, computed in this test:
//
//	da  12 communities: x/100 = 60 65 70 70 75 78 80 85 90 20 (two tied at
//	    70), 0/1 and 1/1: overdispersed (φ ≈ 3.6 on 11 df, χ² P ≈ 8e-6,
//	    τ² ≈ 0.0077), 20/100 beyond the lower 99.8% limit even so;
//	    0/1 exactly on its lower limits (clamped to 0) and 1/1 on its upper
//	    limits (clamped to 1): within
//	db  4 communities at 30/50: identical, φ = 0, no adjustment, exact limits
//	dc  one community: no test
//	dd  two communities 10/20 and 15/20: z = ∓1.1547, winsorised to ∓0.9238,
//	    φ = 0.8533, I·φ = 1.707 on 1 df: P = 0.19, not applied, τ² > 0 stored
//	de  θ₀ = 1 (20/20, 5/5); dg  θ₀ = 0 (0/20, 0/5)
//
// and escalation_share (lower is better) in district dh: ten communities of
// 20 cases, nine with 4 escalated, one (h10) with 14: θ₀ = 0.25, z = −0.516
// and 4.648; the 90th percentile of the z (type 7) is −0.516 + 0.1·5.164 =
// 0.0006, so h10's z is winsorised away, φ = 9·0.266/10 = 0.24 and the
// exact limits stand; h10 lies above the upper 99.8% limit, the worse side.
//
// The communities of da also have identical cases (on-time, escalation,
// callback rates the same everywhere: φ = 0) so that they get a resident
// score.
func TestFunnel(t *testing.T) {
	db := openDB(t)
	type comm struct {
		id, district string
		x, n         int
	}
	var comms []comm
	daX := []int{60, 65, 70, 70, 75, 78, 80, 85, 90, 20, 0, 1}
	daN := []int{100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 1, 1}
	for i := range daX {
		comms = append(comms, comm{fmt.Sprintf("a%02d", i+1), "da", daX[i], daN[i]})
	}
	for i := range 4 {
		comms = append(comms, comm{fmt.Sprintf("b%d", i+1), "db", 30, 50})
	}
	comms = append(comms, comm{"c1", "dc", 7, 10},
		comm{"d1", "dd", 10, 20}, comm{"d2", "dd", 15, 20},
		comm{"e1", "de", 20, 20}, comm{"e2", "de", 5, 5},
		comm{"g1", "dg", 0, 20}, comm{"g2", "dg", 0, 5})
	var geo []community
	var surveys []surveyCell
	var cases []caseCell
	for _, c := range comms {
		geo = append(geo, community{c.id, "s" + c.district, c.district, ""})
		surveys = append(surveys, surveyCell{c.id, "2025-03-10", c.x, c.n})
		if c.district == "da" {
			cases = append(cases, caseCell{c.id, "2025-03-10", 20, 15, 4, 10, 8})
		}
	}
	for i := range 10 {
		id, esc := fmt.Sprintf("h%02d", i+1), 4
		if i == 9 {
			esc = 14
		}
		geo = append(geo, community{id, "sdh", "dh", ""})
		cases = append(cases, caseCell{id, "2025-03-10", 20, 15, esc, 10, 8})
	}
	seedGeography(t, db, geo...)
	addSurveys(t, db, surveys...)
	addCases(t, db, cases...)
	s := compute(t, db, Options{})

	byDistrict := map[string][]comm{}
	for _, c := range comms {
		byDistrict[c.district] = append(byDistrict[c.district], c)
	}
	type params struct {
		target, phi, chi2p, tau2 nullFloat
		units                    int
		od                       bool
	}
	getParams := func(periodType, district, ind string) params {
		var p params
		if err := db.QueryRowContext(context.Background(), `SELECT target, units, phi, chi2_p, od_applied, tau2
			FROM funnel_params WHERE period_type = ? AND district_id = ? AND indicator = ?`, periodType, district, ind).
			Scan(&p.target, &p.units, &p.phi, &p.chi2p, &p.od, &p.tau2); err != nil {
			t.Fatalf("funnel_params %s %s %s: %v", periodType, district, ind, err)
		}
		return p
	}
	for _, pt := range []string{"month", "quarter", "year"} {
		for _, d := range []string{"da", "db", "dc", "dd", "de", "dg"} {
			cs := byDistrict[d]
			var x, n []float64
			for _, c := range cs {
				x, n = append(x, float64(c.x)), append(n, float64(c.n))
			}
			name := pt + " " + d
			got := getParams(pt, d, "satisfaction_rate")
			pts := funnelPoints(t, db, pt, d, "satisfaction_rate")
			if got.units != len(cs) || len(pts) != len(cs) {
				t.Fatalf("%s: units %d, %d points, want %d", name, got.units, len(pts), len(cs))
			}
			var sx, sn float64
			for i := range x {
				sx += x[i]
				sn += n[i]
			}
			checkFloat(t, name+" target", got.target, sx/sn)
			testable := len(cs) >= 2 && sx > 0 && sx < sn
			if !testable {
				// θ₀ of 0 or 1, or one community: no test, no limits.
				if got.phi.Valid || got.chi2p.Valid || got.tau2.Valid || got.od {
					t.Errorf("%s: untestable funnel has %+v", name, got)
				}
				for _, p := range pts {
					if p.z.Valid || p.zAdj.Valid || p.p.Valid || p.q.Valid || p.lower95.Valid || p.up998.Valid || p.flag != "within" {
						t.Errorf("%s %s: untestable point %+v", name, p.unit, p)
					}
				}
				continue
			}
			ref := newRefFunnel(x, n)
			checkFloat(t, name+" phi", got.phi, ref.phi)
			checkFloat(t, name+" chi2_p", got.chi2p, ref.chi2p)
			checkFloat(t, name+" tau2", got.tau2, ref.tau2)
			if got.od != ref.od {
				t.Errorf("%s: od_applied %v, want %v", name, got.od, ref.od)
			}
			q := bhR(ref.p)
			for i, p := range pts {
				pn := name + " " + p.unit
				if p.unit != cs[i].id {
					t.Fatalf("%s: point %s, want %s", name, p.unit, cs[i].id)
				}
				if p.value != x[i]/n[i] || p.num != x[i] || p.den != n[i] {
					t.Errorf("%s: value %v %v/%v", pn, p.value, p.num, p.den)
				}
				checkFloat(t, pn+" z", p.z, ref.z[i])
				checkFloat(t, pn+" z_adjusted", p.zAdj, ref.zUsed[i])
				checkFloat(t, pn+" p_value", p.p, ref.p[i])
				checkFloat(t, pn+" q_value", p.q, q[i])
				checkFloat(t, pn+" lower_998", p.lo998, ref.lim[i][0])
				checkFloat(t, pn+" lower_95", p.lower95, ref.lim[i][1])
				checkFloat(t, pn+" upper_95", p.upper95, ref.lim[i][2])
				checkFloat(t, pn+" upper_998", p.up998, ref.lim[i][3])
				if want := flagOf(x[i]/n[i], ref.lim[i]); p.flag != want {
					t.Errorf("%s: flag %s, want %s", pn, p.flag, want)
				}
			}
		}
	}

	// dh's escalation shares, against the reference too.
	{
		var x, n []float64
		for i := range 10 {
			x, n = append(x, 4), append(n, 20)
			if i == 9 {
				x[i] = 14
			}
		}
		ref := newRefFunnel(x, n)
		got := getParams("month", "dh", "escalation_share")
		checkFloat(t, "dh phi", got.phi, ref.phi)
		checkFloat(t, "dh chi2_p", got.chi2p, ref.chi2p)
		checkFloat(t, "dh tau2", got.tau2, ref.tau2)
		if got.od || ref.od || math.Abs(ref.phi-0.24) > 0.01 {
			t.Errorf("dh: od %v, reference φ %v", got.od, ref.phi)
		}
		q := bhR(ref.p)
		for i, p := range funnelPoints(t, db, "month", "dh", "escalation_share") {
			pn := "dh " + p.unit
			checkFloat(t, pn+" z", p.z, ref.z[i])
			checkFloat(t, pn+" p_value", p.p, ref.p[i])
			checkFloat(t, pn+" q_value", p.q, q[i])
			checkFloat(t, pn+" lower_998", p.lo998, ref.lim[i][0])
			checkFloat(t, pn+" upper_998", p.up998, ref.lim[i][3])
			if want := flagOf(x[i]/n[i], ref.lim[i]); p.flag != want || (i == 9) != (want == "above_998") {
				t.Errorf("%s: flag %s, want %s", pn, p.flag, want)
			}
		}
	}

	// The cases named in the comment, so that the data above stay what the
	// test is about.
	da := getParams("month", "da", "satisfaction_rate")
	if !da.od || !(da.tau2.Float64 > 0.005) {
		t.Errorf("da: want overdispersion applied, got %+v", da)
	}
	daPts := funnelPoints(t, db, "month", "da", "satisfaction_rate")
	flags := map[string]string{}
	for _, p := range daPts {
		flags[p.unit] = p.flag
	}
	if flags["a10"] != "below_998" || flags["a11"] != "within" || flags["a12"] != "within" {
		t.Errorf("da flags: %v", flags)
	}
	if a11, a12 := daPts[10], daPts[11]; a11.lower95.Float64 != 0 || a11.lo998.Float64 != 0 || a12.upper95.Float64 != 1 || a12.up998.Float64 != 1 {
		t.Errorf("a11 limits %v %v, a12 %v %v: want clamped to 0 and 1 (the values lie on them)",
			a11.lo998, a11.lower95, a12.upper95, a12.up998)
	}
	if daPts[2].p != daPts[3].p || daPts[2].q != daPts[3].q {
		t.Errorf("tied a03/a04: p %v %v, q %v %v", daPts[2].p, daPts[3].p, daPts[2].q, daPts[3].q)
	}
	if db := getParams("month", "db", "satisfaction_rate"); db.od || db.phi.Float64 != 0 || db.tau2.Float64 != 0 || db.chi2p.Float64 != 1 {
		t.Errorf("db (identical): %+v", db)
	}
	if dd := getParams("month", "dd", "satisfaction_rate"); dd.od || !(dd.tau2.Float64 > 0) {
		t.Errorf("dd: τ² must be stored but not applied: %+v", dd)
	}
	// Identical case rates in da: φ = 0, no adjustment, z = 0 everywhere.
	for _, ind := range []string{"on_time_rate", "escalation_share", "callback_satisfaction_rate"} {
		p := getParams("month", "da", ind)
		if p.od || p.phi.Float64 != 0 || p.tau2.Float64 != 0 || p.units != 12 {
			t.Errorf("da %s: %+v", ind, p)
		}
	}
	// The funnel indicators with a denominator, and no other (closure_gap
	// has none here: no callback says whether the issue was solved).
	if got := rowStrings(t, db, `SELECT DISTINCT indicator FROM funnel_params ORDER BY 1`); !slices.Equal(got,
		[]string{"callback_satisfaction_rate", "escalation_share", "on_time_rate", "satisfaction_rate"}) {
		t.Errorf("funnel indicators %v", got)
	}
	if s.CompanionRows["funnel_points"] != count(t, db, "SELECT count(*) FROM funnel_points") || s.CompanionRows["funnel_params"] == 0 {
		t.Errorf("Summary: %v", s.CompanionRows)
	}

	// Follow-up: a10 is confidently low on satisfaction_rate at q <= 0.10
	// (and so its score); a11 (0/1) is neither flagged nor shown; h10 is
	// confidently low on escalation_share by lying above its limit (and so
	// its score: callbacks, on-time and escalation carry 0.55 of the
	// weights).
	got := rowStrings(t, db, `SELECT community_id, list, indicator FROM follow_up
		WHERE period_type = 'month' ORDER BY ALL`)
	want := []string{"a10|confidently_low|resident_score", "a10|confidently_low|satisfaction_rate",
		"h10|confidently_low|escalation_share", "h10|confidently_low|resident_score"}
	if !slices.Equal(got, want) {
		t.Errorf("follow_up:\n got %v\nwant %v", got, want)
	}
	var detail string
	var fq float64
	if err := db.QueryRowContext(context.Background(), `SELECT detail, q_value FROM follow_up WHERE period_type = 'month'
		AND indicator = 'resident_score' AND community_id = 'a10'`).Scan(&detail, &fq); err != nil {
		t.Fatal(err)
	}
	if math.Abs(fq-daPts[9].q.Float64) > 0 || !strings.Contains(detail, "worth a closer look") || strings.Contains(detail, "fail") {
		t.Errorf("score entry: q %v (want a10's %v), detail %q", fq, daPts[9].q.Float64, detail)
	}

	// Deterministic: a second run writes the same bits.
	before := rowStrings(t, db, `SELECT * EXCLUDE (run_id) FROM funnel_points ORDER BY ALL`)
	compute(t, db, Options{})
	if after := rowStrings(t, db, `SELECT * EXCLUDE (run_id) FROM funnel_points ORDER BY ALL`); !slices.Equal(before, after) {
		t.Error("funnel_points differ between two runs")
	}
}
