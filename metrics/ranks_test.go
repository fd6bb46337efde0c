package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// samplerDraws is the sample size of the sampler tests: the standard errors below
// shrink as 1/sqrt(draws).
const samplerDraws = 400000

// TestGammaSampler checks the mean and variance of Marsaglia–Tsang gamma
// draws against Gamma(a, 1)'s mean a and variance a, for shapes below 1
// (the boost) and above. Tolerance: 5 standard errors, so a correct
// sampler fails about once in 1.7 million runs (and the seed is fixed):
// SE(mean) = sqrt(a/N); SE(sample variance) ≈ sqrt((μ₄ − σ⁴)/N) with the
// gamma's excess kurtosis 6/a, i.e. σ²·sqrt((6/a + 2)/N).
func TestGammaSampler(t *testing.T) {
	for _, a := range []float64{0.05, 0.3, 0.9, 1, 3.5, 50} {
		t.Run(fmt.Sprint(a), func(t *testing.T) {
			r := newPCG(1, uint64(a*1000))
			g := newGammaShape(a)
			var sum, sum2 float64
			for range samplerDraws {
				x := g.draw(r)
				if !(x >= 0) || math.IsInf(x, 0) {
					t.Fatalf("draw %v", x)
				}
				sum += x
				sum2 += x * x
			}
			n := float64(samplerDraws)
			mean := sum / n
			vr := (sum2 - n*mean*mean) / (n - 1)
			if se := math.Sqrt(a / n); math.Abs(mean-a) > 5*se {
				t.Errorf("mean %v, want %v ± %v", mean, a, 5*se)
			}
			if se := a * math.Sqrt((6/a+2)/n); math.Abs(vr-a) > 5*se {
				t.Errorf("variance %v, want %v ± %v", vr, a, 5*se)
			}
		})
	}
	if g := newGammaShape(0); g.draw(newPCG(1, 1)) != 0 {
		t.Error("Gamma(0) is the point mass at 0")
	}
}

// TestBetaSampler checks Beta draws (G_a / (G_a + G_b)) against the Beta
// formulas: mean a/(a+b), variance ab/((a+b)²(a+b+1)), excess kurtosis
// 6[(a−b)²(a+b+1) − ab(a+b+2)] / [ab(a+b+2)(a+b+3)]. Tolerance 5 standard
// errors, as in TestGammaSampler.
func TestBetaSampler(t *testing.T) {
	for _, c := range []struct{ a, b float64 }{
		{0.5, 0.5}, {1, 1}, {2, 5}, {0.3, 4}, {80.5, 20.25}, {3, 0.7},
	} {
		t.Run(fmt.Sprintf("Beta(%v,%v)", c.a, c.b), func(t *testing.T) {
			r := newPCG(7, uint64(c.a*100+c.b))
			s := newBetaShape(c.a, c.b)
			var sum, sum2 float64
			for range samplerDraws {
				x := s.draw(r)
				if !(x >= 0 && x <= 1) {
					t.Fatalf("draw %v outside 0..1", x)
				}
				sum += x
				sum2 += x * x
			}
			a, b, n := c.a, c.b, float64(samplerDraws)
			wantMean := a / (a + b)
			wantVar := a * b / ((a + b) * (a + b) * (a + b + 1))
			kurt := 6 * ((a-b)*(a-b)*(a+b+1) - a*b*(a+b+2)) / (a * b * (a + b + 2) * (a + b + 3))
			mean := sum / n
			vr := (sum2 - n*mean*mean) / (n - 1)
			if se := math.Sqrt(wantVar / n); math.Abs(mean-wantMean) > 5*se {
				t.Errorf("mean %v, want %v ± %v", mean, wantMean, 5*se)
			}
			if se := wantVar * math.Sqrt((kurt+2)/n); math.Abs(vr-wantVar) > 5*se {
				t.Errorf("variance %v, want %v ± %v", vr, wantVar, 5*se)
			}
		})
	}
	r := newPCG(1, 1)
	if s := newBetaShape(0, 5); s.draw(r) != 0 {
		t.Error("Beta(0, b) is the point mass at 0")
	}
	if s := newBetaShape(5, 0); s.draw(r) != 1 {
		t.Error("Beta(a, 0) is the point mass at 1")
	}
}

// TestExpectedRankByHand checks the normal approximation for three units,
// higher is better, posterior means 0.8, 0.7, 0.6 and variances 0.01:
// every difference has sd sqrt(0.02), so the z's are 0.1/sqrt(0.02) =
// 0.70711 and 0.2/sqrt(0.02) = 1.41421, Φ(0.70711) = 0.76025 and
// Φ(1.41421) = 0.92135 (normal table):
//
//	E[1] = 1 + Φ(−0.70711) + Φ(−1.41421) = 1 + 0.23975 + 0.07865 = 1.31840
//	E[2] = 1 + Φ(0.70711) + Φ(−0.70711)  = 2
//	E[3] = 1 + Φ(1.41421) + Φ(0.70711)   = 1 + 0.92135 + 0.76025 = 2.68160
//
// Lower is better reverses them; equal means with variance 0 count ½.
func TestExpectedRankByHand(t *testing.T) {
	cases := []struct {
		name        string
		lowerBetter bool
		mean, vars  []float64
		want        []float64
	}{
		{"higher better", false, []float64{0.8, 0.7, 0.6}, []float64{0.01, 0.01, 0.01}, []float64{1.31840, 2, 2.68160}},
		{"lower better", true, []float64{0.8, 0.7, 0.6}, []float64{0.01, 0.01, 0.01}, []float64{2.68160, 2, 1.31840}},
		{"fixed, all equal", false, []float64{0.5, 0.5, 0.5}, []float64{0, 0, 0}, []float64{2, 2, 2}},
		{"fixed, distinct", false, []float64{0.5, 0.7, 0.5}, []float64{0, 0, 0}, []float64{2.5, 1, 2.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := &rankGroup{lowerBetter: c.lowerBetter, mean: c.mean, vars: c.vars}
			for i, w := range c.want {
				if got := g.expectedRank(i); math.Abs(got-w) > 1e-5 {
					t.Errorf("unit %d: expected rank %v, want %v", i, got, w)
				}
			}
		})
	}
}

// rankRow is one rank_intervals row.
type rankRow struct {
	units, rank, low, high int
	expected, pBottom      float64
}

// rankRows reads rank_intervals keyed by "period unit indicator".
func rankRows(t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) map[string]rankRow {
	t.Helper()
	rs, err := db.QueryContext(context.Background(), `SELECT period, unit_id, indicator, units, rank,
		expected_rank, rank_low, rank_high, p_bottom_fifth FROM rank_intervals WHERE period_type = 'month'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[string]rankRow{}
	for rs.Next() {
		var p, u, ind string
		var r rankRow
		if err := rs.Scan(&p, &u, &ind, &r.units, &r.rank, &r.expected, &r.low, &r.high, &r.pBottom); err != nil {
			t.Fatal(err)
		}
		out[p+" "+u+" "+ind] = r
	}
	return out
}

// phi is the standard normal distribution function.
func phi(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// TestRankIntervalsByHand runs Compute on the districts of
// TestShrinkageByHand (March 2025, satisfaction_rate, min_n 10) and a score
// made of satisfaction_rate alone, and checks rank_intervals and
// rankability:
//
//	dA: a1 5/10, a2 6/10, a3 5/10   τ² <= 0: K = 3, every interval 1–3,
//	                                expected rank 2, p_bottom_fifth 1/3
//	dB: b1 8/20, b2 12/20 ranked; b3 2/2 is suppressed (n < 10) and not
//	    ranked, but in the shrinkage pool: K = 2, the posteriors
//	    Beta(x + M·m, n − x + M(1 − m)) with m = 11/21, M = 6813/1437
//	    (hand values of TestShrinkageByHand)
//	dC: c1 alone: K = 1, 1–1, expected rank 1, p_bottom_fifth 1
func TestRankIntervalsByHand(t *testing.T) {
	db := openDB(t)
	seedGeography(t, db,
		community{"a1", "sA", "dA", ""}, community{"a2", "sA", "dA", ""}, community{"a3", "sA", "dA", ""},
		community{"b1", "sB", "dB", ""}, community{"b2", "sB", "dB", ""}, community{"b3", "sB", "dB", ""},
		community{"c1", "sC", "dC", ""})
	addSurveys(t, db,
		surveyCell{"a1", "2025-03-05", 5, 10}, surveyCell{"a2", "2025-03-05", 6, 10}, surveyCell{"a3", "2025-03-05", 5, 10},
		surveyCell{"b1", "2025-03-05", 8, 20}, surveyCell{"b2", "2025-03-05", 12, 20}, surveyCell{"b3", "2025-03-05", 2, 2},
		surveyCell{"c1", "2025-03-05", 3, 12})
	compute(t, db, Options{ScoreWeights: map[string]float64{"satisfaction_rate": 1}})
	got := rankRows(t, db)

	m, bigM := 11.0/21, 6813.0/1437
	post := func(x, n float64) (mean, vr float64) {
		a, b := x+bigM*m, n-x+bigM*(1-m)
		return a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1))
	}
	mu1, v1 := post(8, 20)
	mu2, v2 := post(12, 20)
	pB2better := phi((mu2 - mu1) / math.Sqrt(v1+v2)) // P(θ_b2 > θ_b1)

	for _, ind := range []string{"satisfaction_rate", "resident_score"} {
		k := func(u string) string { return "2025-03 " + u + " " + ind }
		for _, u := range []string{"a1", "a2", "a3"} {
			r, ok := got[k(u)]
			if ind == "resident_score" {
				// The score of dA is 100·m for all three: equal means with
				// variance 0 → expected rank 2, ranks shared (1).
				if !ok || r.units != 3 || r.rank != 1 || math.Abs(r.expected-2) > 1e-12 {
					t.Errorf("%s: %+v (ok %v), want K 3, rank 1, expected 2", k(u), r, ok)
				}
				continue
			}
			if want := (rankRow{units: 3, rank: 1, low: 1, high: 3, expected: 2, pBottom: 1.0 / 3}); !ok || r != want {
				t.Errorf("%s = %+v (ok %v), want %+v", k(u), r, ok, want)
			}
		}
		if _, ok := got[k("b3")]; ok {
			t.Errorf("%s: a suppressed community is ranked", k("b3"))
		}
		b1, b2 := got[k("b1")], got[k("b2")]
		if b1.units != 2 || b2.units != 2 || b1.rank != 2 || b2.rank != 1 {
			t.Errorf("%s: b1 %+v b2 %+v, want K 2, b2 first", ind, b1, b2)
		}
		if math.Abs(b1.expected-(1+pB2better)) > 1e-9 || math.Abs(b2.expected-(2-pB2better)) > 1e-9 {
			t.Errorf("%s: expected ranks b1 %v b2 %v, want %v and %v", ind, b1.expected, b2.expected, 1+pB2better, 2-pB2better)
		}
		// P(bottom fifth) = P(last of 2) by simulation: within 0.02 of the
		// normal approximation (Monte Carlo SE ≈ 0.005 at 10000 draws, plus
		// the approximation's error for Beta posteriors of n ≈ 25).
		if math.Abs(b1.pBottom-pB2better) > 0.02 || math.Abs(b1.pBottom+b2.pBottom-1) > 1e-12 {
			t.Errorf("%s: p_bottom_fifth b1 %v b2 %v, want ≈ %v and their sum 1", ind, b1.pBottom, b2.pBottom, pB2better)
		}
		// With P(b1 last) ≈ 0.7 both ranks are plausible for both.
		if b1.low != 1 || b1.high != 2 || b2.low != 1 || b2.high != 2 {
			t.Errorf("%s: intervals b1 %d–%d b2 %d–%d, want 1–2 both", ind, b1.low, b1.high, b2.low, b2.high)
		}
		if want := (rankRow{units: 1, rank: 1, low: 1, high: 1, expected: 1, pBottom: 1}); got[k("c1")] != want {
			t.Errorf("%s = %+v, want %+v", k("c1"), got[k("c1")], want)
		}
	}

	// Rankability, March: satisfaction_rate dB: τ² = 1437/33075, the median
	// of m(1−m)/n over b1, b2 (both n = 20) = (110/441)/20. dA: τ² =
	// 30/9000 − 224/9000 (TestShrinkageByHand), ρ NULL. dC: one
	// community, τ² NULL. resident_score (= 100 × shrunk satisfaction) dB:
	// τ² = var_samp(100μ1, 100μ2) + 100²(v1 + v2)/2, sampling variance
	// 100² m(1−m)/20.
	tau2 := 1437.0 / 33075
	msv := 110.0 / 441 / 20
	sd := 100 * (mu2 - mu1)
	tauS := sd*sd/2 + 1e4*(v1+v2)/2
	msvS := 1e4 * msv
	for _, c := range []struct {
		district, indicator string
		units               int
		tau2, msv, rho      float64
	}{
		{"dB", "satisfaction_rate", 2, tau2, msv, tau2 / (tau2 + msv)},
		{"dA", "satisfaction_rate", 3, -194.0 / 9000, (16.0 / 30) * (14.0 / 30) / 10, null},
		{"dC", "satisfaction_rate", 1, null, 0.25 * 0.75 / 12, null},
		{"dB", "resident_score", 2, tauS, msvS, tauS / (tauS + msvS)},
	} {
		var units int
		var gt, gm, gr sql.NullFloat64
		if err := db.QueryRowContext(context.Background(), `SELECT units, tau2, median_sampling_variance, rankability
			FROM rankability WHERE period = '2025-03' AND district_id = ? AND indicator = ?`, c.district, c.indicator).Scan(&units, &gt, &gm, &gr); err != nil {
			t.Fatalf("rankability %s %s: %v", c.district, c.indicator, err)
		}
		if units != c.units {
			t.Errorf("rankability %s %s: units %d, want %d", c.district, c.indicator, units, c.units)
		}
		checkFloat(t, "rankability tau2 "+c.district+" "+c.indicator, gt, c.tau2)
		checkFloat(t, "rankability msv "+c.district+" "+c.indicator, gm, c.msv)
		checkFloat(t, "rankability ρ "+c.district+" "+c.indicator, gr, c.rho)
	}
}

// TestRankIntervalsDeterministic runs Compute twice on the same inputs and
// wants identical rank_intervals (every column, doubles as their shortest
// round-trip text), in a district where the simulation does work: six
// communities with distinct on-time rates from cases.
func TestRankIntervalsDeterministic(t *testing.T) {
	db := openDB(t)
	var comms []community
	var surveys []surveyCell
	for i := range 6 {
		id := fmt.Sprintf("k%d", i)
		comms = append(comms, community{id, "s1", "d1", ""})
		surveys = append(surveys, surveyCell{id, "2025-03-05", 10 + 3*i, 30 + i})
	}
	seedGeography(t, db, comms...)
	addSurveys(t, db, surveys...)
	q := `SELECT * EXCLUDE (run_id) FROM rank_intervals ORDER BY ALL`
	compute(t, db, Options{ScoreWeights: map[string]float64{"satisfaction_rate": 1}})
	first := rowStrings(t, db, q)
	compute(t, db, Options{RunID: "another-run", ScoreWeights: map[string]float64{"satisfaction_rate": 1}})
	second := rowStrings(t, db, q)
	if len(first) == 0 || !slices.Equal(first, second) {
		t.Errorf("two computes differ:\n%v\n%v", first, second)
	}
	// The intervals are not all 1–K: the simulation ran.
	if n := count(t, db, `SELECT count(*) FROM rank_intervals WHERE rank_high - rank_low < units - 1`); n == 0 {
		t.Error("every interval spans 1–K; want the simulation to separate some communities")
	}
}

// TestPCGMatchesRand checks the simulation's generator against the one
// it copies: newPCG(s1, s2) must give the outputs of rand.NewPCG(s1, s2),
// and its normal and uniform what rand.Rand.NormFloat64 and Float64 give
// on that PCG, the very same numbers, over a mixed sequence of a million
// normals and a third as many uniforms and raw outputs (the ziggurat's
// wedges and tail, taken about 1.2% of the time, are reached thousands of
// times, so the tables are exercised too).
func TestPCGMatchesRand(t *testing.T) {
	for _, seed := range [][2]uint64{{3, 4}, {0, 0}, {math.MaxUint64, 12345}} {
		mine := newPCG(seed[0], seed[1])
		src := rand.NewPCG(seed[0], seed[1])
		ref := rand.New(src)
		tails := 0
		for i := range 1000000 {
			var x float64
			*mine, x = mine.normal()
			if want := ref.NormFloat64(); x != want {
				t.Fatalf("seed %v, normal %d: %v, rand.NormFloat64 %v", seed, i, x, want)
			}
			if math.Abs(x) > zigR {
				tails++
			}
			switch i % 3 {
			case 0:
				var u float64
				*mine, u = mine.uniform()
				if want := ref.Float64(); u != want {
					t.Fatalf("seed %v, uniform %d: %v, rand.Float64 %v", seed, i, u, want)
				}
			case 1:
				var n uint64
				*mine, n = mine.next()
				if want := src.Uint64(); n != want {
					t.Fatalf("seed %v, output %d: %v, rand.PCG.Uint64 %v", seed, i, n, want)
				}
			}
		}
		// P(|Z| > 3.4426) ≈ 5.8e-4: about 576 in a million.
		if tails < 400 {
			t.Errorf("seed %v: %d normals beyond the ziggurat's tail start, want about 576", seed, tails)
		}
	}
}

// TestRankDrawTiesByHand ranks one round of five units, higher is
// better, θ = (0.3, 0.7, 0.7, 0.1, 0.7), under each of the 8 tie masks
// (K = 5 takes 3 bits). Units 1, 2, 4 are tied; in the order of the means
// (ties by index) their places are 0, 1, 2, and the tied units go in the
// order of place XOR mask, worked out by hand:
//
//	mask 0, 4: u1 u2 u4   mask 1, 5: u2 u1 u4
//	mask 2, 6: u4 u1 u2   mask 3, 7: u4 u2 u1
//
// so u1 and u2 are 1st twice, 2nd four times and 3rd twice, and u4 1st
// four times and 3rd four times; every tied pair splits 4–4. Unit 0 is
// always 4th and unit 3 always 5th.
func TestRankDrawTiesByHand(t *testing.T) {
	theta := []float64{0.3, 0.7, 0.7, 0.1, 0.7}
	g := &rankGroup{rowKeys: make([]int64, 5), mean: theta}
	g.prepare()
	for m := range uint64(8) {
		g.rankDraw(theta, m<<3|m) // only the low 3 bits count
	}
	want := [][]int32{
		{0, 0, 0, 8, 0},
		{2, 4, 2, 0, 0},
		{2, 4, 2, 0, 0},
		{0, 0, 0, 0, 8},
		{4, 0, 4, 0, 0},
	}
	for i, w := range want {
		if got := g.hist[i*5 : (i+1)*5]; !slices.Equal(got, w) {
			t.Errorf("unit %d: rank counts %v, want %v", i, got, w)
		}
	}
}

// TestRankDrawMatchesCounting ranks random rounds of K = 2..70 units (both
// directions, values spread widely, bunched within 1e-9 and exactly tied)
// and checks each unit's rank against a plain count: 1 + the number of
// units with a better value, plus, among exact ties, the place the round
// gave it (the ranks of a tied block are a permutation of its places).
// Values closer than 1e-13 may tie or not (the key keeps about 1e-14),
// so they count as tied here.
func TestRankDrawMatchesCounting(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for k := 2; k <= 70; k++ {
		for _, lowerBetter := range []bool{false, true} {
			mean := make([]float64, k)
			for i := range mean {
				mean[i] = r.Float64()
			}
			g := &rankGroup{rowKeys: make([]int64, k), mean: mean, lowerBetter: lowerBetter}
			g.prepare()
			theta := make([]float64, k)
			for round := range 30 {
				for i := range theta {
					switch round % 3 {
					case 0:
						theta[i] = r.Float64()
					case 1:
						theta[i] = 0.5 + 1e-9*r.Float64()
					default:
						theta[i] = float64(r.IntN(4)) / 4
					}
				}
				clear(g.hist)
				g.rankDraw(theta, r.Uint64())
				rank := make([]int, k)
				for i := range k {
					for pos := range k {
						if g.hist[i*k+pos] == 1 {
							rank[i] = pos + 1
						}
					}
				}
				for i := range k {
					better, tied := 0, 0
					for j := range k {
						switch {
						case math.Abs(theta[j]-theta[i]) < 1e-13:
							tied++ // equal to within the key's tie bits (or not)
						case (theta[j] > theta[i]) != lowerBetter:
							better++
						}
					}
					if rank[i] < better+1 || rank[i] > better+tied {
						t.Fatalf("K %d lower %v round %d: unit %d (θ %v) has rank %d, want %d..%d",
							k, lowerBetter, round, i, theta[i], rank[i], better+1, better+tied)
					}
				}
				if seen := slices.Sorted(slices.Values(rank)); seen[0] != 1 || seen[k-1] != k || len(slices.Compact(seen)) != k {
					t.Fatalf("K %d round %d: ranks %v are not a permutation of 1..K", k, round, rank)
				}
			}
		}
	}
}
