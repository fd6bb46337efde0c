package metrics

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// poissonCDF is P(X <= k) for X ~ Poisson(mu), summed term by term.
func poissonCDF(k int, mu float64) float64 {
	term, sum := math.Exp(-mu), 0.0
	for i := 0; i <= k; i++ {
		if i > 0 {
			term *= mu / float64(i)
		}
		sum += term
	}
	return sum
}

// bisect finds the root of the decreasing-or-increasing f on [lo, hi] by
// 200 halvings.
func bisect(f func(float64) float64, lo, hi float64) float64 {
	flo := f(lo)
	for range 200 {
		mid := (lo + hi) / 2
		if fm := f(mid); (fm > 0) == (flo > 0) {
			lo, flo = mid, fm
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// exactPoisson is the exact 95% interval of a Poisson count o by its
// definition, not by χ² quantiles: the lower bound is the mean at which
// P(X >= o) = 0.025 (0 when o = 0), the upper the mean at which
// P(X <= o) = 0.025 (Garwood 1936; R's poisson.test gives the same).
func exactPoisson(o int) (float64, float64) {
	lower := 0.0
	if o > 0 {
		lower = bisect(func(mu float64) float64 { return 1 - poissonCDF(o-1, mu) - 0.025 }, 0, 100)
	}
	upper := bisect(func(mu float64) float64 { return poissonCDF(o, mu) - 0.025 }, 0, 100)
	return lower, upper
}

// byar is Byar's approximation of the same interval (Breslow & Day 1987;
// PHEindicatormethods byars_lower / byars_upper), written out here.
func byar(o float64) (float64, float64) {
	lo := o * math.Pow(1-1/(9*o)-zR/(3*math.Sqrt(o)), 3)
	hi := (o + 1) * math.Pow(1-1/(9*(o+1))+zR/(3*math.Sqrt(o+1)), 3)
	return lo, hi
}

// TestCaseMixPoissonBounds checks the interval of the standardised rates
// for O = 0 … 14 against bounds computed independently: the exact Poisson
// bounds by a bisection on the Poisson distribution function (O < 10) and
// Byar's formula (O >= 10). One district, one category: then every p_c is
// the district's rate, E_i = n_i · p_district and the interval on the rate
// scale is bound(O) / E · p_district = bound(O) / n, so bound(O) = ci × n,
// whatever the district's rate. Also: O equals the crude numerator, the
// value equals the crude rate (one category: nothing to adjust for), and a
// community with n < min_n is suppressed while one with E < min_n is not.
func TestCaseMixPoissonBounds(t *testing.T) {
	db := openDB(t)
	const n = 20 // cases per community
	var comms, cases []string
	for o := 0; o <= 14; o++ {
		comms = append(comms, fmt.Sprintf("('k%02d', 'k%02d', 's1', 's1', 'd1', 'd1', 100, 1000)", o, o))
		for i := range n {
			closed := "'2025-01-13'" // late
			if i < o {
				closed = "'2025-01-11'" // on time
			}
			cases = append(cases, fmt.Sprintf("('k%02d-%02d', 'k%02d', 'x', '2025-01-10', '2025-01-12', %s, 'community')", o, i, o, closed))
		}
	}
	// A community with 4 cases (n < min_n 5): suppressed.
	comms = append(comms, "('small', 'small', 's1', 's1', 'd1', 'd1', 100, 1000)")
	for i := range 4 {
		cases = append(cases, fmt.Sprintf("('small-%d', 'small', 'x', '2025-01-10', '2025-01-12', '2025-01-11', 'community')", i))
	}
	mustExec(t, db,
		`INSERT INTO communities (community_id, community_name, street_id, street_name, district_id, district_name, households, population) VALUES `+strings.Join(comms, ", "),
		`INSERT INTO cases (case_id, community_id, category, reported_at, due_at, closed_at, resolution_level) VALUES `+strings.Join(cases, ", "))
	compute(t, db, Options{MinN: 5})

	for o := 0; o <= 14; o++ {
		t.Run(fmt.Sprintf("O=%d", o), func(t *testing.T) {
			unit := fmt.Sprintf("k%02d", o)
			std := mustGet(t, db, key{"month", "2025-01", "community", unit, "on_time_rate.standardised"})
			crude := mustGet(t, db, key{"month", "2025-01", "community", unit, "on_time_rate"})
			var lo, hi float64
			if o < 10 {
				lo, hi = exactPoisson(o)
			} else {
				lo, hi = byar(float64(o))
			}
			if std.suppressed || !std.lo.Valid || !std.hi.Valid {
				t.Fatalf("suppressed or no interval: %+v", std)
			}
			if got := std.lo.Float64 * n; math.Abs(got-lo) > 1e-9 {
				t.Errorf("lower bound × n = %.12f, want %.12f", got, lo)
			}
			if got := std.hi.Float64 * n; math.Abs(got-hi) > 1e-9 {
				t.Errorf("upper bound × n = %.12f, want %.12f", got, hi)
			}
			if std.num.Float64 != crude.num.Float64 || math.Abs(std.value.Float64-crude.value.Float64) > 1e-12 {
				t.Errorf("O %v, value %v; crude numerator %v, rate %v", std.num, std.value, crude.num, crude.value)
			}
			// The district: (0 + 1 + … + 14) + 4 on time of 15 × 20 + 4.
			pd := (105.0 + 4) / (15*n + 4)
			if math.Abs(std.den.Float64-n*pd) > 1e-9 {
				t.Errorf("E = %v, want n × p_district = %v", std.den.Float64, n*pd)
			}
		})
	}
	// p_district = 109/304 = 0.359: E is 7.2 for every k community and
	// 1.4 for the small one. The small one is suppressed for its 4 cases;
	// the k communities are not (20 cases), whatever their O.
	small := mustGet(t, db, key{"month", "2025-01", "community", "small", "on_time_rate.standardised"})
	if !small.suppressed || small.value.Valid || small.num.Float64 != 4 {
		t.Errorf("small community: %+v, want suppressed with O = 4", small)
	}
}

// TestCaseMixScore checks score.case_mix on the Simpson's-paradox fixture
// (testdata/indicators/casemix_simpson.yaml, where the scores themselves
// are computed by hand): with case_mix false c1 and c2 tie (rank 1 both)
// and score_components names the crude indicators; with case_mix true c1
// ranks first, c2 second, and score_components names the standardised
// rates for the communities' record components and the crude ones for the
// street and for satisfaction_rate.
func TestCaseMixScore(t *testing.T) {
	const file = "casemix_simpson.yaml"
	src, err := os.ReadFile("testdata/indicators/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var fx fixture
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&fx); err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	loadFixture(t, file, db, fx)

	ranks := func() map[string]int64 {
		t.Helper()
		got := map[string]int64{}
		for _, c := range []string{"c1", "c2"} {
			r := mustGet(t, db, key{"month", "2025-01", "community", c, "resident_score"})
			got[c] = r.rank.Int64
		}
		return got
	}
	carriers := func() map[string]string {
		t.Helper()
		rows, err := db.QueryContext(context.Background(), `SELECT level || ' ' || unit_id || ' ' || component, indicator
			FROM score_components WHERE period_type = 'month' AND period = '2025-01' AND unit_id IN ('c1', 's1')`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]string{}
		for rows.Next() {
			var k string
			var v sql.NullString
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			got[k] = v.String
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	asOf, err := parseFixtureTime("2025-02-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		caseMix bool
		ranks   map[string]int64
		std     bool
	}{
		{false, map[string]int64{"c1": 1, "c2": 1}, false},
		{true, map[string]int64{"c1": 1, "c2": 2}, true},
	} {
		t.Run(fmt.Sprintf("case_mix=%v", tc.caseMix), func(t *testing.T) {
			compute(t, db, Options{MinN: 5, AsOf: asOf, CaseMix: tc.caseMix})
			if got := ranks(); got["c1"] != tc.ranks["c1"] || got["c2"] != tc.ranks["c2"] {
				t.Errorf("ranks %v, want %v", got, tc.ranks)
			}
			got := carriers()
			for _, comp := range []string{"on_time_rate", "escalation_share", "callback_satisfaction_rate", "satisfaction_rate"} {
				want := comp
				if tc.std && comp != "satisfaction_rate" {
					want = comp + ".standardised"
				}
				if got["community c1 "+comp] != want {
					t.Errorf("c1 %s: indicator %q, want %q", comp, got["community c1 "+comp], want)
				}
				if got["street s1 "+comp] != comp {
					t.Errorf("s1 %s: indicator %q, want %q", comp, got["street s1 "+comp], comp)
				}
			}
			if len(got) != 8 {
				t.Errorf("%d score_components rows for c1 and s1, want 8 (one per component): %v", len(got), got)
			}
		})
	}
}
