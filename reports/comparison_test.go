package reports

import (
	"context"
	"database/sql"
	"encoding/json"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
)

// The fair-comparison pages are tested against a computed database (the
// fixture of stored_test.go: four communities C1–C4 in streets S0/S1 of
// district D1, months 2025-03 and 2025-04, run "stored") whose comparison
// tables are emptied and filled by hand below. Every expected value in
// these tests is one of the inserted ones (times 100 for percentages):
// the point is that the pages show what the database holds.

// Inserted funnel points: denominator, value, flag and limits per
// community and indicator (month 2025-04). C4 has n = 4 < min_n (10): its
// point must never be drawn, its limits are.
type fpRow struct {
	unit, ind                string
	n, value                 float64
	flag                     string
	lo95, hi95, lo998, hi998 float64
	q                        float64
}

var insertedPoints = []fpRow{
	{"C1", indSatisfaction, 40, 0.80, FlagAbove95, 0.45, 0.75, 0.38, 0.82, 0.03},
	{"C2", indSatisfaction, 45, 0.40, FlagBelow998, 0.46, 0.74, 0.39, 0.81, 0.001},
	{"C3", indSatisfaction, 50, 0.60, FlagWithin, 0.47, 0.73, 0.40, 0.80, 0.9},
	{"C4", indSatisfaction, 4, 0.25, FlagWithin, 0.10, 1.00, 0.00, 1.00, 0.9},
	{"C1", indEscalation, 40, 0.35, FlagAbove95, 0.08, 0.33, 0.04, 0.40, 0.04},
	{"C2", indEscalation, 45, 0.20, FlagWithin, 0.09, 0.32, 0.05, 0.39, 0.8},
	{"C3", indEscalation, 50, 0.05, FlagBelow95, 0.09, 0.31, 0.05, 0.38, 0.04},
	{"C1", indOnTime, 40, 0.70, FlagWithin, 0.55, 0.85, 0.48, 0.90, 0.9},
	{"C2", indOnTime, 45, 0.72, FlagWithin, 0.56, 0.84, 0.49, 0.89, 0.9},
}

// insertedTargets are the funnels' θ₀, and od their od_applied.
var insertedTargets = map[string]float64{indSatisfaction: 0.6, indEscalation: 0.2, indOnTime: 0.7}

// comparisonDB is computedDB with the comparison tables holding the rows
// above, and the run's config_json naming follow_up.fdr 0.05.
func comparisonDB(t *testing.T) *sql.DB {
	t.Helper()
	db := computedDB(t)
	clearComparison(t, db)
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO runs (run_id, started_at, version, duckdb_version, config_json)
		VALUES ('stored', TIMESTAMP '2025-05-01 00:00:00', 'v', 'd', '{"follow_up": {"fdr": 0.05}}')`)
	for ind, target := range insertedTargets {
		exec(`INSERT INTO funnel_params VALUES ('stored', 'month', '2025-04', 'D1', ?, ?, 4, 1.8, 0.01, ?, 0.002)`,
			ind, target, ind == indOnTime)
	}
	for _, p := range insertedPoints {
		exec(`INSERT INTO funnel_points VALUES ('stored', 'month', '2025-04', 'D1', ?, ?, ?, ?, ?, 1.0, 1.0, 0.05, ?, ?, ?, ?, ?, ?)`,
			p.unit, p.ind, p.value, p.value*p.n, p.n, p.q, p.flag, p.lo95, p.hi95, p.lo998, p.hi998)
	}
	// Control charts, trial limits (two months): the district's and C1's
	// on-time rate and satisfaction, street S1's on-time rate.
	for _, s := range []struct {
		level, unit, ind, month string
		value, centre, lo, hi   float64
		rule, signal            string
	}{
		{"district", "D1", indOnTime, "2025-03", 0.70, 0.71, 0.60, 0.82, "none", "none"},
		{"district", "D1", indOnTime, "2025-04", 0.72, 0.71, 0.61, 0.81, "none", "none"},
		{"district", "D1", indSatisfaction, "2025-03", 0.62, 0.60, 0.50, 0.70, "none", "none"},
		{"district", "D1", indSatisfaction, "2025-04", 0.45, 0.60, 0.51, 0.69, "outside_lower", "concern"},
		{"street", "S1", indOnTime, "2025-03", 0.66, 0.68, 0.52, 0.84, "none", "none"},
		{"street", "S1", indOnTime, "2025-04", 0.70, 0.68, 0.53, 0.83, "none", "none"},
		{"community", "C1", indOnTime, "2025-03", 0.60, 0.65, 0.40, 0.90, "none", "none"},
		{"community", "C1", indOnTime, "2025-04", 0.95, 0.65, 0.41, 0.89, "outside_upper", "improvement"},
		{"community", "C1", indSatisfaction, "2025-03", 0.55, 0.56, 0.30, 0.82, "none", "none"},
		{"community", "C1", indSatisfaction, "2025-04", 0.57, 0.56, 0.31, 0.81, "none", "none"},
	} {
		exec(`INSERT INTO spc_points VALUES ('stored', ?, ?, ?, ?, ?, 50, ?, ?, ?, ?, ?, ?, ?, true, true)`,
			s.level, s.unit, s.ind, s.month, s.value, s.centre, s.lo, s.hi,
			s.centre-2*(s.centre-s.lo)/3, s.centre+2*(s.hi-s.centre)/3, s.rule, s.signal)
	}
	// Rank intervals around each community's stored rank: 1 to 4 for
	// every community (K = 4), and the rankability of the measures.
	exec(`INSERT INTO rank_intervals
		SELECT 'stored', 'month', '2025-04', 'community', 'D1', unit_id, 'resident_score', 4, rank, rank, 1, 4, 0.25
		FROM indicator_values WHERE run_id = 'stored' AND level = 'community' AND indicator = 'resident_score'
		  AND period = '2025-04' AND rank IS NOT NULL`)
	exec(`INSERT INTO rankability VALUES
		('stored', 'month', '2025-04', 'D1', 'resident_score', 4, 1.5, 3.5, 0.3),
		('stored', 'month', '2025-04', 'D1', 'satisfaction_rate', 4, 0.004, 0.0016, 0.72),
		('stored', 'month', '2025-04', 'D1', 'on_time_rate', 4, 0, 0.004, NULL)`)
	// Follow-up lists by q: C3's smaller q lists it before C1.
	exec(`INSERT INTO follow_up VALUES
		('stored', 'D1', 'month', '2025-04', 'C1', 'improved', 'on_time_rate', 'x', 0.04),
		('stored', 'D1', 'month', '2025-04', 'C3', 'improved', 'satisfaction_rate', 'y', 0.01)`)
	// The case-mix standardised on-time rate (C2's suppressed, with a
	// value left in) and the weighted satisfaction of C1.
	exec(`INSERT INTO indicator_values (run_id, period_type, period, level, unit_id, indicator, value, numerator, denominator, ci_low, ci_high, suppressed)
		VALUES ('stored', 'month', '2025-04', 'community', 'C1', 'on_time_rate.standardised', 0.75, 20, 22, 0.6, 0.9, false),
		       ('stored', 'month', '2025-04', 'community', 'C2', 'on_time_rate.standardised', 0.5, 9, 12, 0.3, 0.7, true),
		       ('stored', 'month', '2025-04', 'community', 'C1', 'satisfaction_rate.weighted', 0.7, 21.35, 30.5, 0.52, 0.83, false)`)
	return db
}

// clearComparison empties what metrics may have stored in the comparison
// tables (and the companion indicators and lists the tests insert), so
// that only the tests' rows are there.
func clearComparison(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range []string{
		`DELETE FROM funnel_params`, `DELETE FROM funnel_points`, `DELETE FROM spc_points`,
		`DELETE FROM rank_intervals`, `DELETE FROM rankability`, `DELETE FROM follow_up`, `DELETE FROM runs`,
		`DELETE FROM indicator_values WHERE ends_with(indicator, '.standardised') OR ends_with(indicator, '.weighted')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestLoadComparison: Load reads the comparison tables as inserted.
func TestLoadComparison(t *testing.T) {
	db := comparisonDB(t)
	d, err := Load(context.Background(), db, testOpts(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if d.FDR != 0.05 {
		t.Errorf("FDR %v, want runs.config_json's 0.05", d.FDR)
	}
	if len(d.Funnels) != len(insertedTargets) {
		t.Fatalf("%d funnels, inserted %d", len(d.Funnels), len(insertedTargets))
	}
	apr := civicscore.Period{Type: civicscore.Month, Label: "2025-04"}
	for _, f := range d.Funnels {
		if f.Period != apr || f.DistrictID != "D1" || f.Units != 4 || !f.Target.Valid || f.Target.Float64 != insertedTargets[f.Indicator] ||
			f.Phi.Float64 != 1.8 || f.Chi2P.Float64 != 0.01 || f.Tau2.Float64 != 0.002 || f.ODApplied != (f.Indicator == indOnTime) {
			t.Errorf("funnel %+v", f)
		}
		var want []fpRow
		for _, p := range insertedPoints {
			if p.ind == f.Indicator {
				want = append(want, p)
			}
		}
		slices.SortStableFunc(want, func(a, b fpRow) int { return int(a.n - b.n) })
		if len(f.Points) != len(want) {
			t.Fatalf("%s: %d points, inserted %d", f.Indicator, len(f.Points), len(want))
		}
		for i, p := range f.Points {
			w := want[i]
			if p.UnitID != w.unit || p.Denominator != w.n || p.Value.Float64 != w.value || p.Flag != w.flag || p.QValue.Float64 != w.q ||
				p.Lower95.Float64 != w.lo95 || p.Upper95.Float64 != w.hi95 || p.Lower998.Float64 != w.lo998 || p.Upper998.Float64 != w.hi998 {
				t.Errorf("%s point %d = %+v, inserted %+v", f.Indicator, i, p, w)
			}
		}
	}
	if len(d.Control) != 5 {
		t.Fatalf("%d control series, inserted 5", len(d.Control))
	}
	for _, s := range d.Control {
		if len(s.Points) != 2 || s.Points[0].Month != "2025-03" || s.Points[1].Month != "2025-04" || !s.Points[0].Trial {
			t.Errorf("control series %+v", s)
		}
		if s.UnitID == "C1" && s.Indicator == indOnTime {
			p := s.Points[1]
			if p.Value != 0.95 || p.Centre.Float64 != 0.65 || p.Lower.Float64 != 0.41 || p.Upper.Float64 != 0.89 ||
				p.Rule != "outside_upper" || p.Signal != SignalImprovement || p.Denominator != 50 {
				t.Errorf("C1 on-time 2025-04 = %+v", p)
			}
		}
	}
	if len(d.Ranks) != 4 {
		t.Errorf("%d rank intervals, want the four communities'", len(d.Ranks))
	}
	for _, r := range d.Ranks {
		if r.Low != 1 || r.High != 4 || r.Units != 4 || r.PBottomFifth != 0.25 || !r.Rank.Valid || float64(r.Rank.Int64) != r.ExpectedRank {
			t.Errorf("rank interval %+v", r)
		}
	}
	rho := map[string]sql.NullFloat64{}
	for _, r := range d.Rankability {
		rho[r.Indicator] = r.Rho
	}
	if len(rho) != 3 || rho[indResidentScore].Float64 != 0.3 || rho[indSatisfaction].Float64 != 0.72 || rho[indOnTime].Valid {
		t.Errorf("rankability %+v", d.Rankability)
	}
	var order []string
	for _, f := range d.FollowUp {
		order = append(order, f.UnitID+":"+formatNumber(f.QValue.Float64, 2))
	}
	if got := strings.Join(order, " "); got != "C3:0.01 C1:0.04" {
		t.Errorf("follow-up order %q, want by q: C3:0.01 C1:0.04", got)
	}
}

// TestLoadComparisonEmpty: a run with empty comparison tables loads empty
// lists and its pages draw the plain trends, no funnel, no rank range, and
// the follow-up lists in their old wording.
func TestLoadComparisonEmpty(t *testing.T) {
	db := computedDB(t)
	clearComparison(t, db)
	d, err := Load(context.Background(), db, testOpts(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Funnels)+len(d.Control)+len(d.Ranks)+len(d.Rankability) != 0 || d.FDR != 0 {
		t.Fatalf("empty tables loaded %d funnels, %d control series, %d ranks, %d rankability, FDR %v",
			len(d.Funnels), len(d.Control), len(d.Ranks), len(d.Rankability), d.FDR)
	}
	dir := render(t, d, Options{})
	index := readFile(t, dir, fileIndex)
	for _, absent := range []string{tr(LangZH, "funnel_cmp_heading"), tr(LangZH, "rankab_title"), tr(LangZH, "follow_title_q"), `"id":"centre"`} {
		if strings.Contains(index, absent) {
			t.Errorf("index.html shows %q without comparison rows", absent)
		}
	}
	if !strings.Contains(index, tr(LangZH, "follow_title")) || !strings.Contains(index, tr(LangZH, "band_note")) {
		t.Error("index.html lacks the plain follow-up heading or trend note")
	}
	card := readFile(t, dir, filepath.Join(dirScorecards, "C1.html"))
	if strings.Contains(card, "可能在第") || strings.Contains(card, tr(LangZH, "normal_range_title")) {
		t.Error("scorecard shows a rank range or normal range without rows")
	}
	if !strings.Contains(card, "全区第") {
		t.Error("scorecard lost its plain rank")
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pageCharts returns the chart options a page embeds for its Chinese body
// (the options are by language, then container id).
func pageCharts(t *testing.T, page string) map[string]map[string]any {
	t.Helper()
	const start = `civicscore.init(`
	i := strings.Index(page, start)
	if i < 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(page[i+len(start):]))
	var out map[string]map[string]map[string]any
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("chart options: %v", err)
	}
	return out[LangZH]
}

// seriesByID returns the series of a chart option with id.
func seriesByID(o map[string]any, id string) map[string]any {
	ss, _ := o["series"].([]any)
	for _, s := range ss {
		if m, ok := s.(map[string]any); ok && m["id"] == id {
			return m
		}
	}
	return nil
}

// TestComparisonPages: the district report draws a funnel plot of each
// component with inserted rows, from the inserted values and limits; the
// trends are control charts with the inserted centre, limits and signals;
// rankability and the q-ordered follow-up lists are in words; the
// scorecard shows the rank range, the normal range and the adjusted rates
// as inserted.
func TestComparisonPages(t *testing.T) {
	db := comparisonDB(t)
	d, err := Load(context.Background(), db, testOpts(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	dir := render(t, d, Options{})
	if s := os.Getenv("CIVICSCORE_COMPARISON_DIR"); s != "" {
		_ = os.RemoveAll(s)
		_ = os.CopyFS(s, os.DirFS(dir))
	}
	index := readFile(t, dir, fileIndex)
	charts := pageCharts(t, index)
	name := func(id string) string { return "社区" + strings.TrimPrefix(id, "C") }

	// Funnel plots: chart ids follow funnelIndicators (0 satisfaction, 2
	// on-time, 3 escalation); callback satisfaction has no rows, no chart.
	if _, ok := charts["chart-d0-funnel-1"]; ok {
		t.Error("a funnel plot of callback satisfaction, which has no rows")
	}
	wantColor := map[string]string{
		indSatisfaction + "C1": colorImprovement, indSatisfaction + "C2": colorConcern, indSatisfaction + "C3": colorCommon,
		indEscalation + "C1": colorConcern, indEscalation + "C2": colorCommon, indEscalation + "C3": colorImprovement,
		indOnTime + "C1": colorCommon, indOnTime + "C2": colorCommon,
	}
	for k, ind := range map[int]string{0: indSatisfaction, 2: indOnTime, 3: indEscalation} {
		o := charts["chart-d0-funnel-"+strconv.Itoa(k)]
		if o == nil {
			t.Fatalf("no funnel plot of %s", ind)
		}
		var wantDots, wantLo95, wantHi998 []string
		for _, p := range insertedPoints {
			if p.ind != ind {
				continue
			}
			// Limits at every n, points only at n >= min_n (10).
			wantLo95 = append(wantLo95, fmtPair(p.n, p.lo95*100))
			wantHi998 = append(wantHi998, fmtPair(p.n, p.hi998*100))
			if p.n >= 10 {
				wantDots = append(wantDots, name(p.unit)+"@"+fmtPair(p.n, p.value*100)+"@"+wantColor[ind+p.unit])
			}
		}
		slices.Sort(wantLo95)
		slices.Sort(wantHi998)
		var dots []string
		for _, x := range seriesByID(o, "s0")["data"].([]any) {
			m := x.(map[string]any)
			v := m["value"].([]any)
			dots = append(dots, m["csName"].(string)+"@"+fmtPair(v[0].(float64), v[1].(float64))+"@"+m["itemStyle"].(map[string]any)["color"].(string))
		}
		slices.Sort(dots)
		slices.Sort(wantDots)
		if !slices.Equal(dots, wantDots) {
			t.Errorf("%s funnel dots %v, want %v", ind, dots, wantDots)
		}
		for id, want := range map[string][]string{"band-lo95": wantLo95, "band-hi998": wantHi998} {
			var got []string
			for _, x := range seriesByID(o, id)["data"].([]any) {
				v := x.([]any)
				got = append(got, fmtPair(v[0].(float64), v[1].(float64)))
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s %v, inserted %v", ind, id, got, want)
			}
		}
		target := seriesByID(o, "band-target")["data"].([]any)
		if y := target[0].([]any)[1].(float64); y != round(insertedTargets[ind]*100, 2) {
			t.Errorf("%s target line at %v, inserted θ₀ %v", ind, y, insertedTargets[ind])
		}
	}
	onTime := info(d.Registry, indOnTime, LangZH).Name
	for _, want := range []string{
		tr(LangZH, "funnel_cmp_heading"), tr(LangZH, "funnel_cmp_od", onTime),
		// Rankability in words, as inserted.
		tr(LangZH, "rankab_good", "0.72"), tr(LangZH, "rankab_poor", "0.30"), tr(LangZH, "rankab_none"),
		// The follow-up lists by q with the run's fdr.
		tr(LangZH, "follow_title_q"), tr(LangZH, "follow_q_note", "0.05"), tr(LangZH, "q_value", "0.010"), tr(LangZH, "q_value", "0.040"),
		// Control charts with trial limits.
		tr(LangZH, "spc_trial_title", info(d.Registry, indSatisfaction, LangZH).Name), tr(LangZH, "spc_trial_note"),
	} {
		if !strings.Contains(index, template.HTMLEscapeString(want)) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if i3, i1 := strings.Index(index, tr(LangZH, "q_value", "0.010")), strings.Index(index, tr(LangZH, "q_value", "0.040")); i3 > i1 {
		t.Error("follow-up list not in q order: C3 (q 0.01) after C1 (q 0.04)")
	}
	if strings.Contains(index, tr(LangZH, "follow_improvers_note")) {
		t.Error("index.html still says the follow-up lists use p < 0.05")
	}

	// The district's satisfaction control chart (trend 0 of district 0).
	ctl := charts["chart-trend-0-0"]
	if ctl == nil {
		t.Fatal("no control chart of the district's satisfaction")
	}
	for id, want := range map[string][]float64{"centre": {60, 60}, "upper": {70, 69}, "lower": {50, 51}} {
		if got := plainValues(seriesByID(ctl, id)); !slices.Equal(got, want) {
			t.Errorf("control chart %s %v, inserted %v", id, got, want)
		}
	}
	pts := seriesByID(ctl, "s0")["data"].([]any)
	if c := pts[1].(map[string]any)["itemStyle"].(map[string]any)["color"]; c != colorConcern {
		t.Errorf("outside_lower concern point coloured %v, want %s", c, colorConcern)
	}
	if c := pts[0].(map[string]any)["itemStyle"].(map[string]any)["color"]; c != colorCommon {
		t.Errorf("common-cause point coloured %v, want %s", c, colorCommon)
	}
	note := ctl["csMeta"].(map[string]any)["s0"].(map[string]any)["note"].([]any)
	if want := tr(LangZH, "spc_rule_note", tr(LangZH, "rule_outside_lower"), tr(LangZH, "signal_concern")); note[1] != want || note[0] != "" {
		t.Errorf("tooltip notes %v, want [\"\" %q]", note, want)
	}
	street := pageCharts(t, readFile(t, dir, filepath.Join(dirStreets, "S1.html")))
	if got := plainValues(seriesByID(street["chart-trend-2"], "centre")); !slices.Equal(got, []float64{68, 68}) {
		t.Errorf("street S1 on-time control chart centre %v, inserted 68, 68", got)
	}

	// Scorecards.
	ranks := map[string]int{}
	rows, err := db.Query(`SELECT unit_id, rank FROM indicator_values WHERE run_id = 'stored' AND indicator = 'resident_score'
		AND level = 'community' AND period = '2025-04' AND rank IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var r int
		if err := rows.Scan(&id, &r); err != nil {
			t.Fatal(err)
		}
		ranks[id] = r
	}
	rows.Close()
	if ranks["C1"] == 0 {
		t.Fatal("C1 has no stored rank")
	}
	c1 := readFile(t, dir, filepath.Join(dirScorecards, "C1.html"))
	for _, want := range []string{
		tr(LangZH, "rank_range", ranks["C1"], 4, 1, 4, "", "", ""), tr(LangZH, "rank_unreliable"),
		tr(LangZH, "normal_range_title"), tr(LangZH, "flag_above_better"), tr(LangZH, "flag_above_worse"), tr(LangZH, "flag_within"),
		tr(LangZH, "casemix_label", "75.0%"), tr(LangZH, "weighted_label", "70.0%"),
	} {
		if !strings.Contains(c1, template.HTMLEscapeString(want)) {
			t.Errorf("C1's scorecard lacks %q", want)
		}
	}
	c1Charts := pageCharts(t, c1)
	if c := seriesByID(c1Charts["chart-trend-2"], "s0")["data"].([]any)[1].(map[string]any)["itemStyle"].(map[string]any)["color"]; c != colorImprovement {
		t.Errorf("C1's outside_upper improvement point coloured %v, want %s", c, colorImprovement)
	}
	c2 := readFile(t, dir, filepath.Join(dirScorecards, "C2.html"))
	if strings.Contains(c2, "考虑到所接事项类型") {
		t.Error("C2's suppressed standardised rate is shown")
	}
	if !strings.Contains(c2, tr(LangZH, "flag_far_below_worse")) {
		t.Error("C2's scorecard lacks its below_998 satisfaction in words")
	}
	if c4 := readFile(t, dir, filepath.Join(dirScorecards, "C4.html")); strings.Contains(c4, tr(LangZH, "normal_range_title")) {
		t.Error("C4's normal range shown from a funnel point with n = 4 < min_n")
	}

	// English: the rank as an ordinal range.
	en := render(t, d, Options{Lang: LangEN})
	if want := ordinal(ranks["C1"]) + " of 4 (could be 1st to 4th)"; !strings.Contains(readFile(t, en, filepath.Join(dirScorecards, "C1.html")), want) {
		t.Errorf("English scorecard lacks %q", want)
	}
}

func fmtPair(x, y float64) string {
	return strconv.FormatFloat(x, 'f', 2, 64) + "," + strconv.FormatFloat(y, 'f', 2, 64)
}

// plainValues returns a series' data as numbers ("-" left out).
func plainValues(s map[string]any) []float64 {
	var out []float64
	if s == nil {
		return nil
	}
	for _, x := range s["data"].([]any) {
		if f, ok := x.(float64); ok {
			out = append(out, f)
		}
	}
	return out
}

func TestOrdinal(t *testing.T) {
	// English ordinals by hand.
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 101: "101st", 111: "111th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}
