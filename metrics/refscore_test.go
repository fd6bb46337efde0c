package metrics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/civicscore/civicscore/config"
)

// TestScoreAgainstReference generates random surveys and cases over four
// districts — one homogeneous (τ² mostly <= 0), one very heterogeneous,
// one of a single community — with small and empty cells, and checks the
// shrinkage of the score components, resident_score (value, suppression,
// denominator, interval, rank) at every level, the peer medians and the
// component changes against a plain Go implementation of docs/indicators.md,
// written without SQL, for several weights and min_n.
func TestScoreAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(2025, 4))
	type comm struct{ id, street, district, area string }
	var comms []comm
	// district: number of streets, communities, spread of the true rates.
	type districtSpec struct {
		streets, communities int
		spread               float64
	}
	specs := []districtSpec{{2, 6, 0.0}, {2, 5, 0.3}, {1, 1, 0.1}, {3, 9, 0.12}}
	areas := []string{"old_town", "new_build", ""}
	spread := map[string]float64{}
	for d, sp := range specs {
		did := fmt.Sprintf("d%d", d)
		spread[did] = sp.spread
		for i := range sp.communities {
			comms = append(comms, comm{fmt.Sprintf("%s-c%d", did, i), fmt.Sprintf("%s-s%d", did, i%sp.streets), did, areas[rng.IntN(3)]})
		}
	}
	db := openDB(t)
	var geo []community
	for _, c := range comms {
		geo = append(geo, community{c.id, c.street, c.district, c.area})
	}
	seedGeography(t, db, geo...)

	// The four components' counts per community and month.
	const (
		sat = iota
		cb
		ot
		esc
	)
	names := []string{"satisfaction_rate", "callback_satisfaction_rate", "on_time_rate", "escalation_share"}
	type counts [4][2]float64 // component → {x, n}
	months := []string{"2025-01", "2025-02", "2025-03", "2025-04"}
	data := map[string]map[string]*counts{} // community → month → counts
	binom := func(n int, p float64) int {
		k := 0
		for range n {
			if rng.Float64() < p {
				k++
			}
		}
		return k
	}
	clamp := func(p float64) float64 { return math.Min(0.98, math.Max(0.02, p)) }
	size := func() int {
		switch rng.IntN(6) {
		case 0:
			return 0
		case 1:
			return 1 + rng.IntN(6) // tiny
		default:
			return 8 + rng.IntN(50)
		}
	}
	var surveys []surveyCell
	var cases []caseCell
	for _, c := range comms {
		data[c.id] = map[string]*counts{}
		s := spread[c.district]
		pSat := clamp(0.7 + s*(rng.Float64()*2-1))
		pCb := clamp(0.8 + s*(rng.Float64()*2-1))
		pOt := clamp(0.75 + s*(rng.Float64()*2-1))
		pEsc := clamp(0.2 + s/2*(rng.Float64()*2-1))
		for _, m := range months {
			k := &counts{}
			day := m + "-15"
			if n := size(); n > 0 {
				x := binom(n, pSat)
				surveys = append(surveys, surveyCell{c.id, day, x, n})
				k[sat] = [2]float64{float64(x), float64(n)}
			}
			if n := size(); n > 0 {
				onTime, escalated, callbacks := binom(n, pOt), binom(n, pEsc), binom(n, 0.7)
				satisfied := binom(callbacks, pCb)
				cases = append(cases, caseCell{c.id, day, n, onTime, escalated, callbacks, satisfied})
				k[ot] = [2]float64{float64(onTime), float64(n)}
				k[esc] = [2]float64{float64(escalated), float64(n)}
				k[cb] = [2]float64{float64(satisfied), float64(callbacks)}
			}
			data[c.id][m] = k
		}
	}
	addSurveys(t, db, surveys...)
	addCases(t, db, cases...)

	// Periods: every month with a row, their quarters and the year.
	type period struct{ typ, label string }
	periodsOf := func(month string) []period {
		var y, mo int
		fmt.Sscanf(month, "%d-%d", &y, &mo)
		return []period{{"month", month}, {"quarter", fmt.Sprintf("%d-Q%d", y, (mo-1)/3+1)}, {"year", fmt.Sprint(y)}}
	}
	previous := map[period]period{
		{"month", "2025-02"}: {"month", "2025-01"}, {"month", "2025-03"}: {"month", "2025-02"},
		{"month", "2025-04"}: {"month", "2025-03"}, {"quarter", "2025-Q2"}: {"quarter", "2025-Q1"},
	}
	// Pooled counts per period, at every level.
	type unitKey struct {
		p           period
		level, unit string
	}
	pooled := map[unitKey]*counts{}
	add := func(k unitKey, c *counts) {
		if pooled[k] == nil {
			pooled[k] = &counts{}
		}
		for i := range c {
			pooled[k][i][0] += c[i][0]
			pooled[k][i][1] += c[i][1]
		}
	}
	for _, c := range comms {
		for _, m := range months {
			for _, p := range periodsOf(m) {
				add(unitKey{p, "community", c.id}, data[c.id][m])
				add(unitKey{p, "street", c.street}, data[c.id][m])
				add(unitKey{p, "district", c.district}, data[c.id][m])
			}
		}
	}

	// Shrinkage per district × period × component, over communities with n >= 1.
	shrunk := map[unitKey]*[4]float64{} // community → shrunk (NaN: none)
	branches := map[string]int{}        // how often each rule of the spec applied
	allPeriods := map[period]bool{}
	for _, m := range months {
		for _, p := range periodsOf(m) {
			allPeriods[p] = true
		}
	}
	for p := range allPeriods {
		for d := range specs {
			did := fmt.Sprintf("d%d", d)
			var members []string
			for _, c := range comms {
				if c.district == did {
					members = append(members, c.id)
				}
			}
			for comp := range 4 {
				var xs, ns, rs []float64
				var ids []string
				for _, id := range members {
					c := pooled[unitKey{p, "community", id}]
					if c[comp][1] >= 1 {
						xs, ns = append(xs, c[comp][0]), append(ns, c[comp][1])
						rs = append(rs, c[comp][0]/c[comp][1])
						ids = append(ids, id)
					}
				}
				var sx, sn, mean float64
				for i := range xs {
					sx += xs[i]
					sn += ns[i]
					mean += rs[i]
				}
				k := float64(len(xs))
				mean /= k
				m := sx / sn
				var s2, v float64
				for i := range rs {
					s2 += (rs[i] - mean) * (rs[i] - mean)
					v += m * (1 - m) / ns[i] / k
				}
				s2 /= k - 1
				tau2 := s2 - v
				switch {
				case len(xs) < 2:
					branches["fewer than two"]++
				case tau2 <= 0:
					branches["τ² <= 0"]++
				case m*(1-m)/tau2-1 <= 0:
					branches["M floored at 0"]++
				default:
					branches["M > 0"]++
				}
				for _, id := range members {
					uk := unitKey{p, "community", id}
					s := shrunk[uk]
					if s == nil {
						s = &[4]float64{null, null, null, null}
						shrunk[uk] = s
					}
					if i := slices.Index(ids, id); i >= 0 {
						switch {
						case len(xs) < 2:
							s[comp] = rs[i]
						case tau2 <= 0:
							s[comp] = m
						default:
							bigM := math.Max(m*(1-m)/tau2-1, 0)
							s[comp] = (xs[i] + bigM*m) / (ns[i] + bigM)
						}
					}
				}
			}
		}
	}

	t.Logf("shrinkage groups: %v", branches)
	for _, b := range []string{"fewer than two", "τ² <= 0", "M > 0"} {
		if branches[b] < 3 {
			t.Errorf("the random data exercise %q only %d times", b, branches[b])
		}
	}

	type scoreRow struct {
		value, lo, hi float64 // NaN when suppressed
		den           float64
		suppressed    bool
		rank          int64 // 0: none
	}
	for _, run := range []struct {
		weights map[string]float64
		minN    int
	}{
		{nil, 10},
		{map[string]float64{"satisfaction_rate": 0.3, "callback_satisfaction_rate": 0.3, "on_time_rate": 0.25, "escalation_share": 0.15}, 5},
		{map[string]float64{"satisfaction_rate": 0.5, "on_time_rate": 0.5}, 3},
	} {
		t.Run(fmt.Sprintf("minN=%d weights=%v", run.minN, run.weights), func(t *testing.T) {
			compute(t, db, Options{ScoreWeights: run.weights, MinN: run.minN})
			weights := run.weights
			if weights == nil {
				weights = config.Default().Score.Weights
			}
			minN := float64(run.minN)
			scores := map[unitKey]scoreRow{}
			for uk, c := range pooled {
				var wTotal, wPresent, wScore, wLo, wHi, n float64
				resident := false
				for comp, name := range names { // any order: compared with a tolerance
					w, ok := weights[name]
					if !ok {
						continue
					}
					wTotal += w
					x, den := c[comp][0], c[comp][1]
					if den < minN || w <= 0 {
						continue
					}
					raw := x / den
					lo, hi := wilsonQuadratic(x, den)
					value := raw
					if uk.level == "community" {
						value = shrunk[uk][comp]
					}
					if comp == esc {
						raw, value, lo, hi = 1-raw, 1-value, 1-hi, 1-lo
					}
					wPresent += w
					n++
					resident = resident || comp == sat || comp == cb
					wScore += w * value
					wLo += w * math.Max(0, value-(raw-lo))
					wHi += w * math.Min(1, value+(hi-raw))
				}
				r := scoreRow{value: null, lo: null, hi: null, den: n, suppressed: true}
				if resident && wPresent >= 0.5*wTotal*(1-1e-12) {
					r = scoreRow{value: 100 * wScore / wPresent, lo: 100 * wLo / wPresent, hi: 100 * wHi / wPresent, den: n}
				}
				scores[uk] = r
			}
			// Ranks within district and period, communities and streets apart.
			district := map[string]string{}
			for _, c := range comms {
				district[c.id], district[c.street] = c.district, c.district
			}
			for uk, r := range scores {
				if r.suppressed || uk.level == "district" {
					continue
				}
				r.rank = 1
				for ok, o := range scores {
					if ok.p == uk.p && ok.level == uk.level && district[ok.unit] == district[uk.unit] && !o.suppressed && o.value > r.value {
						r.rank++
					}
				}
				scores[uk] = r
			}
			// Compare every resident_score row.
			var wants []want
			for uk, r := range scores {
				wants = append(wants, want{key{uk.p.typ, uk.p.label, uk.level, uk.unit, "resident_score"}, r.value, null, r.den, r.suppressed})
			}
			checkWants(t, db, wants)
			ranked := 0
			for uk, r := range scores {
				got := mustGet(t, db, key{uk.p.typ, uk.p.label, uk.level, uk.unit, "resident_score"})
				name := fmt.Sprint(uk)
				checkFloat(t, name+" ci_low", got.lo, r.lo)
				checkFloat(t, name+" ci_high", got.hi, r.hi)
				if got.rank.Valid != (r.rank > 0) || got.rank.Int64 != r.rank {
					t.Errorf("%s rank = %v, want %d", name, got.rank, r.rank)
				}
				if r.rank > 0 {
					ranked++
				}
			}
			if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator = 'resident_score'`); n != int64(len(scores)) {
				t.Errorf("%d resident_score rows, want %d", n, len(scores))
			}
			// Shrunk values of the components.
			for uk, s := range shrunk {
				for comp, name := range names {
					got := mustGet(t, db, key{uk.p.typ, uk.p.label, "community", uk.unit, name})
					checkFloat(t, fmt.Sprint(uk, name, " shrunk"), got.shrunk, s[comp])
				}
			}
			// Peers: median of the scores of the same area_type in the district.
			for _, c := range comms {
				for uk, r := range scores {
					if uk.level != "community" || uk.unit != c.id {
						continue
					}
					var peers []float64
					for _, o := range comms {
						if o.district == c.district && o.area == c.area && c.area != "" {
							if s := scores[unitKey{uk.p, "community", o.id}]; !s.suppressed {
								peers = append(peers, s.value)
							}
						}
					}
					median := null
					if len(peers) > 0 {
						slices.Sort(peers)
						median = (peers[(len(peers)-1)/2] + peers[len(peers)/2]) / 2
					}
					var gm, gd nullFloat
					var gn int64
					if err := db.QueryRowContext(context.Background(), `SELECT peer_median, peer_n, peer_diff FROM score_peers
						WHERE period_type = ? AND period = ? AND community_id = ?`, uk.p.typ, uk.p.label, c.id).Scan(&gm, &gn, &gd); err != nil {
						t.Fatal(err)
					}
					checkFloat(t, fmt.Sprint(uk, " peer_median"), gm, median)
					checkFloat(t, fmt.Sprint(uk, " peer_diff"), gd, r.value-median)
					if gn != int64(len(peers)) {
						t.Errorf("%v peer_n = %d, want %d", uk, gn, len(peers))
					}
				}
			}
			// Component changes at community level: z-test by hand, p by erfc.
			nChanges := 0
			for uk, c := range pooled {
				prev, ok := previous[uk.p]
				if !ok || uk.level != "community" {
					continue
				}
				b := pooled[unitKey{prev, uk.level, uk.unit}]
				for comp, name := range names {
					x1, n1, x0, n0 := c[comp][0], c[comp][1], b[comp][0], b[comp][1]
					var ch struct {
						z, p nullFloat
						sig  bool
					}
					err := db.QueryRowContext(context.Background(), `SELECT z, p_value, change_significant FROM indicator_changes
						WHERE period_type = ? AND period = ? AND level = 'community' AND unit_id = ? AND indicator = ?`,
						uk.p.typ, uk.p.label, uk.unit, name).Scan(&ch.z, &ch.p, &ch.sig)
					if n1 < minN || n0 < minN {
						if err == nil {
							t.Errorf("%v %s: change row with a suppressed side", uk, name)
						}
						continue
					}
					if err != nil {
						t.Errorf("%v %s: no change row: %v", uk, name, err)
						continue
					}
					nChanges++
					pool := (x1 + x0) / (n1 + n0)
					z := 0.0
					if pool > 0 && pool < 1 {
						z = (x1/n1 - x0/n0) / math.Sqrt(pool*(1-pool)*(1/n1+1/n0))
					}
					p := math.Erfc(math.Abs(z) / math.Sqrt2)
					checkFloat(t, fmt.Sprint(uk, name, " z"), ch.z, z)
					checkFloat(t, fmt.Sprint(uk, name, " p"), ch.p, p)
					if ch.sig != (p < 0.05) {
						t.Errorf("%v %s: significant %v, p %v", uk, name, ch.sig, p)
					}
				}
			}
			t.Logf("%d scores (%d ranked), %d community component changes checked", len(scores), ranked, nChanges)
			if ranked < 20 || nChanges < 20 {
				t.Errorf("too little checked: %d ranked, %d changes", ranked, nChanges)
			}
		})
	}
}
