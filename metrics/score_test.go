package metrics

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

// TestShrinkageByHand checks the empirical-Bayes shrinkage of
// satisfaction_rate against values computed by hand, in three districts
// surveyed in March 2025 (min_n 10):
//
//	district dA: a1 5/10, a2 6/10, a3 5/10       τ² <= 0: all shrunk = m
//	district dB: b1 8/20, b2 12/20, b3 2/2, b4 —  τ² > 0; b3 is tiny
//	district dC: c1 3/12                         one community: shrunk = raw
func TestShrinkageByHand(t *testing.T) {
	db := openDB(t)
	seedGeography(t, db,
		community{"a1", "sA", "dA", ""}, community{"a2", "sA", "dA", ""}, community{"a3", "sA", "dA", ""},
		community{"b1", "sB", "dB", ""}, community{"b2", "sB", "dB", ""}, community{"b3", "sB", "dB", ""},
		community{"b4", "sB", "dB", ""}, community{"c1", "sC", "dC", ""})
	addSurveys(t, db,
		surveyCell{"a1", "2025-03-05", 5, 10}, surveyCell{"a2", "2025-03-05", 6, 10}, surveyCell{"a3", "2025-03-05", 5, 10},
		surveyCell{"b1", "2025-03-05", 8, 20}, surveyCell{"b2", "2025-03-05", 12, 20}, surveyCell{"b3", "2025-03-05", 2, 2},
		surveyCell{"c1", "2025-03-05", 3, 12})
	compute(t, db, Options{})

	// dA: m = (5+6+5)/(10+10+10) = 16/30. Raw rates 0.5, 0.6, 0.5, mean
	// 16/30; s² = ((1/30)² + (2/30)² + (1/30)²) / 2 = (6/900)/2 = 1/300.
	// v = m(1−m)/10 = (16/30)(14/30)/10 = 224/9000. τ² = 30/9000 − 224/9000
	// < 0, so every shrunk value is m.
	mA := 16.0 / 30
	// dB: b4 has no response (n = 0) and is left out. m = (8+12+2)/(20+20+2)
	// = 22/42 = 11/21, m(1−m) = 110/441. Raw rates 2/5, 3/5, 1, mean 2/3;
	// s² = ((4/15)² + (1/15)² + (5/15)²) / 2 = (42/225)/2 = 7/75.
	// mean(1/n) = (1/20 + 1/20 + 1/2)/3 = 1/5, v = 110/441 · 1/5 = 22/441.
	// τ² = 7/75 − 22/441 = (3087 − 1650)/33075 = 1437/33075.
	// M = (110/441)/(1437/33075) − 1 = 110·75/1437 − 1 = 6813/1437 ≈ 4.7411.
	mB := 11.0 / 21
	bigM := 6813.0 / 1437
	shrunkB := func(x, n float64) float64 { return (x + bigM*mB) / (n + bigM) }
	// Sanity of the hand arithmetic: τ² from its definition.
	if tau2 := 7.0/75 - mB*(1-mB)*(1.0/20+1.0/20+1.0/2)/3; math.Abs(tau2-1437.0/33075) > 1e-15 {
		t.Fatalf("hand τ² = %v", tau2)
	}
	for _, pt := range []key{month("2025-03", "", "", ""), quarter("2025-Q1", "", "", ""), year("2025", "", "", "")} {
		k := func(unit string) key { return key{pt.periodType, pt.period, "community", unit, "satisfaction_rate"} }
		for unit, want := range map[string]float64{
			"a1": mA, "a2": mA, "a3": mA,
			"b1": shrunkB(8, 20),  // ≈ 0.4237, raw 0.40
			"b2": shrunkB(12, 20), // ≈ 0.5854, raw 0.60
			"b3": shrunkB(2, 2),   // ≈ 0.6651, raw 1.00
			"c1": 3.0 / 12,        // alone in dC: raw
		} {
			checkFloat(t, pt.period+" "+unit+" shrunk", mustGet(t, db, k(unit)).shrunk, want)
		}
		// b4 (no response) has no shrunk value; b3 is suppressed (2 < 10)
		// but keeps its shrunk value.
		checkFloat(t, "b4 shrunk", mustGet(t, db, k("b4")).shrunk, null)
		b3 := mustGet(t, db, k("b3"))
		if !b3.suppressed || b3.value.Valid {
			t.Errorf("b3 = %+v, want suppressed", b3)
		}
	}
	// The tiny community is pulled most of the way to the mean (its own 2
	// answers weigh 2/(2 + M) ≈ 0.30), the larger ones barely (20/(20 + M)
	// ≈ 0.81).
	pull := func(raw, x, n float64) float64 { return (raw - shrunkB(x, n)) / (raw - mB) }
	if p := pull(1, 2, 2); math.Abs(p-bigM/(2+bigM)) > tol || p < 0.65 {
		t.Errorf("b3 pulled %.3f of the way to the mean, want M/(n+M) = %.3f", p, bigM/(2+bigM))
	}
	if p := pull(0.4, 8, 20); p > 0.2 {
		t.Errorf("b1 pulled %.3f of the way, want < 0.2", p)
	}
	// Streets and districts are not shrunk.
	if n := count(t, db, `SELECT count(*) FROM indicator_values WHERE level <> 'community' AND shrunk_value IS NOT NULL`); n != 0 {
		t.Errorf("%d street or district rows with a shrunk value", n)
	}
	// Every proportion of a community with a denominator is shrunk, and
	// nothing else: not survey_response_rate, a per-household rate (fact).
	if n := count(t, db, `SELECT count(*) FROM indicator_values v JOIN indicators i USING (indicator)
		WHERE (shrunk_value IS NOT NULL) <> (level = 'community' AND i.kind = 'proportion' AND denominator >= 1)`); n != 0 {
		t.Errorf("%d rows shrunk when they should not be, or not when they should", n)
	}
	checkFloat(t, "a1 survey_response_rate shrunk",
		mustGet(t, db, month("2025-03", "community", "a1", "survey_response_rate")).shrunk, null)
}

// seedScoreFixture builds the district of the resident score tests, March
// 2025, min_n 10:
//
//	district d1: street st1 = {k1, k2}, street st2 = {k3, k4, k5}
//	district d2: street st3 = {m1}
//
//	     area_type  survey  cases  on time  escalated  callbacks (satisfied)
//	k1   old_town   16/20   20     15       4          10 (8)
//	k2   old_town   16/20   20     15       4          10 (8)   (= k1: a tie)
//	k3   old_town   12/20   20     15       4           5 (4)   callbacks < min_n
//	k4   new_build  —       20     15       4          10 (8)   no survey
//	k5   new_build  —       20     15       4           5 (4)   no survey, few callbacks
//	m1   (unknown)  15/20   —                                   survey only
func seedScoreFixture(t *testing.T) (*store.DB, Options) {
	db := openDB(t)
	seedGeography(t, db,
		community{"k1", "st1", "d1", "old_town"}, community{"k2", "st1", "d1", "old_town"},
		community{"k3", "st2", "d1", "old_town"}, community{"k4", "st2", "d1", "new_build"},
		community{"k5", "st2", "d1", "new_build"}, community{"m1", "st3", "d2", ""})
	const day = "2025-03-05"
	addSurveys(t, db, surveyCell{"k1", day, 16, 20}, surveyCell{"k2", day, 16, 20}, surveyCell{"k3", day, 12, 20},
		surveyCell{"m1", day, 15, 20})
	addCases(t, db, caseCell{"k1", day, 20, 15, 4, 10, 8}, caseCell{"k2", day, 20, 15, 4, 10, 8},
		caseCell{"k3", day, 20, 15, 4, 5, 4}, caseCell{"k4", day, 20, 15, 4, 10, 8},
		caseCell{"k5", day, 20, 15, 4, 5, 4})
	return db, Options{Targets: map[string]float64{"on_time_rate": 0.8, "escalation_share": 0.1, "resident_score": 80}}
}

// TestResidentScoreByHand checks resident_score, its interval and rank,
// the explanation record, peers and targets against hand computation.
func TestResidentScoreByHand(t *testing.T) {
	db, opts := seedScoreFixture(t)
	s := compute(t, db, opts)

	// Shrinkage in d1 (k4, k5 have no survey: n = 0, left out).
	// satisfaction_rate: m = 44/60 = 11/15; raw 0.8, 0.8, 0.6, mean 11/15,
	// s² = ((1/15)² + (1/15)² + (2/15)²)/2 = 1/75; v = m(1−m)/20 =
	// (44/225)/20 = 11/1125; τ² = 15/1125 − 11/1125 = 4/1125;
	// M = (44/225)/(4/1125) − 1 = 55 − 1 = 54; m·M = 39.6.
	satK1 := (16 + 39.6) / (20 + 54) // 55.6/74 ≈ 0.7514
	satK3 := (12 + 39.6) / (20 + 54) // 51.6/74 ≈ 0.6973
	// on_time_rate 15/20, escalation_share 4/20 and callback satisfaction
	// 8/10 or 4/5 are the same in every community: s² = 0 < v, τ² < 0, so
	// every shrunk value is m = 0.75, 0.2 and 32/40 = 0.8.
	const onTime, esc, cb = 0.75, 0.2, 0.8
	for unit, want := range map[string]float64{"k1": satK1, "k2": satK1, "k3": satK3} {
		checkFloat(t, unit+" satisfaction shrunk", mustGet(t, db, month("2025-03", "community", unit, "satisfaction_rate")).shrunk, want)
	}
	for _, unit := range []string{"k1", "k2", "k3", "k4", "k5"} {
		checkFloat(t, unit+" on_time shrunk", mustGet(t, db, month("2025-03", "community", unit, "on_time_rate")).shrunk, onTime)
		checkFloat(t, unit+" escalation shrunk", mustGet(t, db, month("2025-03", "community", unit, "escalation_share")).shrunk, esc)
		checkFloat(t, unit+" callback shrunk", mustGet(t, db, month("2025-03", "community", unit, "callback_satisfaction_rate")).shrunk, cb)
	}

	// Scores, default weights 0.45 / 0.20 / 0.25 / 0.10:
	//   k1 = k2 = 100 (0.45·0.7514 + 0.20·0.8 + 0.25·0.75 + 0.10·(1 − 0.2)) ≈ 76.56
	//   k3: callbacks suppressed, weights renormalised over 0.80:
	//        100 (0.45·0.6973 + 0.25·0.75 + 0.10·0.8) / 0.80 ≈ 72.66
	//   k4: no survey, but callbacks: present 0.55 >= 0.5 and a resident
	//        component present, so a score from callbacks and records:
	//        100 (0.20·0.8 + 0.25·0.75 + 0.10·0.8) / 0.55 ≈ 77.73
	//   k5: no survey and callbacks suppressed: no resident component, no
	//        score (also 0.35 < 0.5); denominator 2 components available.
	//   m1: survey only: 0.45 < 0.5 of the weight, no score.
	scoreK1 := 100 * (0.45*satK1 + 0.20*cb + 0.25*onTime + 0.10*(1-esc))
	scoreK3 := 100 * (0.45*satK3 + 0.25*onTime + 0.10*(1-esc)) / 0.80
	scoreK4 := 100 * (0.20*cb + 0.25*onTime + 0.10*(1-esc)) / 0.55
	m := func(level, unit string) key { return month("2025-03", level, unit, "resident_score") }
	checkWants(t, db, []want{
		{m("community", "k1"), scoreK1, null, 4, false},
		{m("community", "k2"), scoreK1, null, 4, false},
		{m("community", "k3"), scoreK3, null, 3, false},
		{m("community", "k4"), scoreK4, null, 3, false},
		{m("community", "k5"), null, null, 2, true},
		{m("community", "m1"), null, null, 1, true},
		// Streets from pooled raw rates: st1 = 32/40, 16/20, 30/40, 8/40:
		// 100 (0.45·0.8 + 0.2·0.8 + 0.25·0.75 + 0.1·0.8) = 78.75. st2 =
		// 12/20, (4+8+4)/(5+10+5), 45/60, 12/60: 100 (0.45·0.6 + 0.16 +
		// 0.1875 + 0.08) = 69.75. District d1 = 44/60, 32/40, 75/100,
		// 20/100: 100 (0.33 + 0.16 + 0.1875 + 0.08) = 75.75.
		{m("street", "st1"), 78.75, null, 4, false},
		{m("street", "st2"), 69.75, null, 4, false},
		{m("street", "st3"), null, null, 1, true},
		{m("district", "d1"), 75.75, null, 4, false},
		{m("district", "d2"), null, null, 1, true},
	})
	// Ranks: k4 77.73 first, k1 = k2 76.56 share 2nd, k3 4th (rank()).
	for unit, want := range map[string]int64{"k4": 1, "k1": 2, "k2": 2, "k3": 4, "st1": 1, "st2": 2} {
		level := "community"
		if strings.HasPrefix(unit, "st") {
			level = "street"
		}
		if r := mustGet(t, db, m(level, unit)).rank; !r.Valid || r.Int64 != want {
			t.Errorf("%s rank = %v, want %d", unit, r, want)
		}
	}
	for _, k := range []key{m("community", "k5"), m("community", "m1"), m("district", "d1"), m("street", "st3")} {
		if r := mustGet(t, db, k); r.rank.Valid || r.shrunk.Valid || (r.suppressed && (r.lo.Valid || r.hi.Valid)) {
			t.Errorf("%s %s: rank %v, shrunk %v, interval %v %v", k.level, k.unit, r.rank, r.shrunk, r.lo, r.hi)
		}
	}

	// Interval of k1: each component's Wilson bounds moved with it from the
	// raw to the shrunk value, combined with the weights, × 100.
	type part struct{ w, value, raw, lo, hi float64 }
	wil := func(x, n float64) (float64, float64) { return wilsonQuadratic(x, n) }
	sLo, sHi := wil(16, 20)
	cLo, cHi := wil(8, 10)
	oLo, oHi := wil(15, 20)
	eLo, eHi := wil(4, 20)
	interval := func(parts []part) (float64, float64) {
		var w, lo, hi float64
		for _, p := range parts {
			w += p.w
			lo += p.w * math.Max(0, p.value-(p.raw-p.lo))
			hi += p.w * math.Min(1, p.value+(p.hi-p.raw))
		}
		return 100 * lo / w, 100 * hi / w
	}
	lo, hi := interval([]part{{0.45, satK1, 0.8, sLo, sHi}, {0.20, cb, 0.8, cLo, cHi},
		{0.25, onTime, 0.75, oLo, oHi}, {0.10, 1 - esc, 0.8, 1 - eHi, 1 - eLo}})
	k1 := mustGet(t, db, m("community", "k1"))
	checkFloat(t, "k1 ci_low", k1.lo, lo)
	checkFloat(t, "k1 ci_high", k1.hi, hi)
	if !(k1.lo.Float64 < k1.value.Float64 && k1.value.Float64 < k1.hi.Float64) {
		t.Errorf("k1 interval %v..%v does not contain %v", k1.lo, k1.hi, k1.value)
	}
	// A street's interval combines the Wilson bounds themselves.
	s1Lo, s1Hi := wil(32, 40)
	c1Lo, c1Hi := wil(16, 20)
	o1Lo, o1Hi := wil(30, 40)
	e1Lo, e1Hi := wil(8, 40)
	lo, hi = interval([]part{{0.45, 0.8, 0.8, s1Lo, s1Hi}, {0.20, 0.8, 0.8, c1Lo, c1Hi},
		{0.25, 0.75, 0.75, o1Lo, o1Hi}, {0.10, 0.8, 0.8, 1 - e1Hi, 1 - e1Lo}})
	st1 := mustGet(t, db, m("street", "st1"))
	checkFloat(t, "st1 ci_low", st1.lo, lo)
	checkFloat(t, "st1 ci_high", st1.hi, hi)

	// The explanation record of k3: callbacks suppressed, not used; the
	// others renormalised over 0.80; escalation oriented as 1 − share.
	k3 := month("2025-03", "community", "k3", "")
	for comp, want := range map[string]component{
		"satisfaction_rate":          {raw: nf(0.6), shrunk: nf(satK3), configured: 0.45, effective: 0.45 / 0.80, used: true},
		"callback_satisfaction_rate": {raw: nf(null), shrunk: nf(cb), configured: 0.20, effective: 0, used: false},
		"on_time_rate":               {raw: nf(0.75), shrunk: nf(onTime), configured: 0.25, effective: 0.25 / 0.80, used: true},
		"escalation_share":           {raw: nf(0.8), shrunk: nf(0.8), configured: 0.10, effective: 0.10 / 0.80, used: true},
	} {
		got := getComponent(t, db, k3, comp)
		checkFloat(t, "k3 "+comp+" raw", got.raw, valueOf(want.raw))
		checkFloat(t, "k3 "+comp+" shrunk", got.shrunk, valueOf(want.shrunk))
		if math.Abs(got.configured-want.configured) > tol || math.Abs(got.effective-want.effective) > tol || got.used != want.used {
			t.Errorf("k3 %s: weights %v %v used %v, want %v %v %v", comp, got.configured, got.effective, got.used,
				want.configured, want.effective, want.used)
		}
	}
	e := getComponent(t, db, k3, "escalation_share")
	checkFloat(t, "k3 escalation ci_low (1 − Wilson high)", e.lo, 1-eHi)
	checkFloat(t, "k3 escalation ci_high (1 − Wilson low)", e.hi, 1-eLo)
	// A suppressed score uses nothing.
	if n := count(t, db, `SELECT count(*) FROM score_components WHERE unit_id IN ('k5', 'm1') AND (used OR weight_effective <> 0)`); n != 0 {
		t.Errorf("%d components used by a suppressed score", n)
	}
	// Effective weights of every score sum to 1.
	if n := count(t, db, `SELECT count(*) FROM (SELECT sum(weight_effective) s FROM score_components
		GROUP BY period_type, period, level, unit_id HAVING bool_or(used) AND abs(s - 1) > 1e-12)`); n != 0 {
		t.Errorf("%d scores whose effective weights do not sum to 1", n)
	}
	// One score_components row per score row and configured component.
	if n, want := count(t, db, `SELECT count(*) FROM score_components`),
		4*count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator = 'resident_score'`); n != want {
		t.Errorf("score_components has %d rows, want %d", n, want)
	}

	// Peers: old_town {k1, k2, k3} median = scoreK1; new_build {k4} (k5 has
	// no score) median = scoreK4; m1's area_type is unknown.
	type peer struct {
		median nullFloat
		n      int64
		diff   nullFloat
	}
	for unit, want := range map[string]peer{
		"k1": {nf(scoreK1), 3, nf(0)},
		"k2": {nf(scoreK1), 3, nf(0)},
		"k3": {nf(scoreK1), 3, nf(scoreK3 - scoreK1)},
		"k4": {nf(scoreK4), 1, nf(0)},
		"k5": {nf(scoreK4), 1, nf(null)},
		"m1": {nf(null), 0, nf(null)},
	} {
		var got peer
		if err := db.QueryRowContext(context.Background(), `SELECT peer_median, peer_n, peer_diff FROM score_peers
			WHERE period_type = 'month' AND period = '2025-03' AND community_id = ?`, unit).Scan(&got.median, &got.n, &got.diff); err != nil {
			t.Fatalf("score_peers %s: %v", unit, err)
		}
		checkFloat(t, unit+" peer_median", got.median, valueOf(want.median))
		checkFloat(t, unit+" peer_diff", got.diff, valueOf(want.diff))
		if got.n != want.n {
			t.Errorf("%s peer_n = %d, want %d", unit, got.n, want.n)
		}
	}

	// Targets: on_time 0.75 vs 0.8 (higher better) = 0.9375; escalation
	// 0.2 vs 0.1 (lower better) = 0.1/0.2 = 0.5; score vs 80.
	for _, tc := range []struct {
		unit, ind string
		want      float64
	}{
		{"k1", "on_time_rate", 0.75 / 0.8},
		{"k1", "escalation_share", 0.1 / 0.2},
		{"k1", "resident_score", scoreK1 / 80},
		{"k5", "resident_score", null},
	} {
		var ratio nullFloat
		if err := db.QueryRowContext(context.Background(), `SELECT target_ratio FROM indicator_targets
			WHERE period = '2025-03' AND level = 'community' AND unit_id = ? AND indicator = ?`, tc.unit, tc.ind).Scan(&ratio); err != nil {
			t.Fatal(err)
		}
		checkFloat(t, tc.unit+" "+tc.ind+" target_ratio", ratio, tc.want)
	}
	if n, want := count(t, db, `SELECT count(*) FROM indicator_targets`),
		count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator IN ('on_time_rate', 'escalation_share', 'resident_score')`); n != want {
		t.Errorf("indicator_targets has %d rows, want %d (one per value)", n, want)
	}
	if s.CompanionRows["indicator_targets"] != count(t, db, `SELECT count(*) FROM indicator_targets`) ||
		s.RowsByFamily[FamilyScore] != count(t, db, `SELECT count(*) FROM indicator_values WHERE indicator = 'resident_score'`) {
		t.Errorf("Summary companion rows %v, by family %v", s.CompanionRows, s.RowsByFamily)
	}
}

// TestScoreOptionsRefused checks that Compute refuses score weights that
// sideline residents, unknown components, and targets it cannot apply —
// with an error wrapping civicscore.ErrConfig that says why — and writes
// nothing.
func TestScoreOptionsRefused(t *testing.T) {
	db, _ := seedScoreFixture(t)
	for name, tc := range map[string]struct {
		o    Options
		want string
	}{
		"records outweigh residents": {Options{ScoreWeights: map[string]float64{"on_time_rate": 0.9, "satisfaction_rate": 0.1}},
			"they must carry at least half: the score exists to make residents the evaluators"},
		"unknown component": {Options{ScoreWeights: map[string]float64{"satisfaction_rate": 1, "grid_patrols": 1}},
			"score.weights.grid_patrols: unknown component"},
		"negative weight": {Options{ScoreWeights: map[string]float64{"satisfaction_rate": 1, "on_time_rate": -0.1}},
			"score.weights.on_time_rate = -0.1"},
		"NaN weight":   {Options{ScoreWeights: map[string]float64{"satisfaction_rate": math.NaN()}}, "score.weights.satisfaction_rate"},
		"zero total":   {Options{ScoreWeights: map[string]float64{"satisfaction_rate": 0}}, "positive total"},
		"unknown":      {Options{Targets: map[string]float64{"happiness": 1}}, "targets.happiness: no such indicator"},
		"neutral":      {Options{Targets: map[string]float64{"case_volume": 100}}, "targets.case_volume: the indicator is neutral"},
		"zero target":  {Options{Targets: map[string]float64{"on_time_rate": 0}}, "targets.on_time_rate = 0"},
		"item not run": {Options{SurveyItems: []string{"q_safety"}, Targets: map[string]float64{"satisfaction_rate.q_fairness": 0.9}}, "no such indicator"},
	} {
		tc.o.RunID = "refused"
		_, err := Compute(context.Background(), db.DB, defaulted(tc.o))
		if !errors.Is(err, civicscore.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrConfig and %q", name, err, tc.want)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM indicator_values`); n != 0 {
		t.Errorf("a refused run wrote %d rows", n)
	}
	// Exactly half is enough; a component may be left out (here
	// escalation_share) or weighted 0 (callbacks). With callbacks at 0, k4
	// (no survey) has no resident component and so no score, although its
	// callbacks are there: a score is never made of records alone.
	compute(t, db, Options{ScoreWeights: map[string]float64{"satisfaction_rate": 0.5, "callback_satisfaction_rate": 0, "on_time_rate": 0.5}})
	satK1 := (16 + 39.6) / (20 + 54)
	checkWants(t, db, []want{
		{month("2025-03", "community", "k1", "resident_score"), 100 * (0.5*satK1 + 0.5*0.75), null, 2, false},
		{month("2025-03", "community", "k4", "resident_score"), null, null, 1, true},
	})
	if n := count(t, db, `SELECT count(*) FROM score_components WHERE component = 'escalation_share'`); n != 0 {
		t.Errorf("%d rows of a component left out of score.weights", n)
	}
}

// TestShrinkageFractionalNumerator checks that satisfaction_rate_12345,
// whose numerator counts a basically satisfied callback as 0.9, is shrunk
// with x = that numerator as is. District df, March 2025:
//
//	f1: 10 callbacks, 5 satisfied + 5 basically:           x = 5 + 4.5 = 9.5, n = 10
//	f2: 20 callbacks, 4 satisfied + 6 basically + 10 not:  x = 4 + 5.4 = 9.4, n = 20
func TestShrinkageFractionalNumerator(t *testing.T) {
	db := openDB(t)
	seedGeography(t, db, community{"f1", "sf", "df", ""}, community{"f2", "sf", "df", ""})
	mustExec(t, db, `INSERT INTO cases (case_id, community_id, category, reported_at, closed_at, resolution_level, callback_satisfaction)
		SELECT c || i, c, 'x', TIMESTAMP '2025-03-05', TIMESTAMP '2025-03-06', 'community',
		       CASE WHEN i < s THEN 'satisfied' WHEN i < s + b THEN 'basically_satisfied' ELSE 'dissatisfied' END
		FROM (SELECT *, unnest(range(n)) AS i FROM (VALUES ('f1', 10, 5, 5), ('f2', 20, 4, 6)) v(c, n, s, b))`)
	compute(t, db, Options{})
	// m = 18.9/30 = 0.63; raw 0.95 and 0.47, mean 0.71, s² = 2·0.24²/1 =
	// 0.1152; v = 0.63·0.37·(1/10 + 1/20)/2 = 0.2331·0.075 = 0.0174825;
	// τ² = 0.0977175; M = 0.2331/0.0977175 − 1 ≈ 1.3855.
	m := 18.9 / 30
	bigM := 0.2331/(0.1152-0.0174825) - 1
	for unit, xn := range map[string][2]float64{"f1": {9.5, 10}, "f2": {9.4, 20}} {
		r := mustGet(t, db, month("2025-03", "community", unit, "satisfaction_rate_12345"))
		checkFloat(t, unit+" numerator", r.num, xn[0])
		checkFloat(t, unit+" shrunk", r.shrunk, (xn[0]+bigM*m)/(xn[1]+bigM))
	}
}

// TestCompanionTablesReplaced checks that each run replaces the companion
// tables whole, like indicator_values — also indicator_targets when the new
// run has no targets — and that a failed run leaves them as they were.
func TestCompanionTablesReplaced(t *testing.T) {
	db, opts := seedScoreFixture(t)
	opts.RunID = "with-targets"
	first := compute(t, db, opts)
	// (One month: no change and so no follow-up of a change.)
	for _, table := range []string{"score_components", "score_peers", "indicator_targets"} {
		if first.CompanionRows[table] == 0 {
			t.Errorf("%s: no rows", table)
		}
	}
	second := compute(t, db, Options{RunID: "no-targets"})
	for _, table := range CompanionTables {
		n := count(t, db, `SELECT count(*) FROM `+table)
		if other := count(t, db, `SELECT count(*) FROM `+table+` WHERE run_id <> 'no-targets'`); other != 0 || n != second.CompanionRows[table] {
			t.Errorf("%s: %d rows, %d of another run, Summary says %d", table, n, other, second.CompanionRows[table])
		}
	}
	if second.CompanionRows["indicator_targets"] != 0 {
		t.Errorf("a run without targets kept %d target rows", second.CompanionRows["indicator_targets"])
	}
	mustExec(t, db, `ALTER TABLE cases RENAME TO cases_gone`)
	if _, err := Compute(context.Background(), db.DB, defaulted(Options{RunID: "failed"})); err == nil {
		t.Fatal("a run without the cases table succeeded")
	}
	for _, table := range CompanionTables {
		if n := count(t, db, `SELECT count(*) FROM `+table+` WHERE run_id = 'no-targets'`); n != second.CompanionRows[table] {
			t.Errorf("%s after a failed run: %d rows, want %d", table, n, second.CompanionRows[table])
		}
	}
}
