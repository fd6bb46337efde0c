package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/metrics"
)

func TestEveryPageType(t *testing.T) {
	d := withExtras(smallData(21))
	dir := render(t, d, Options{SurveyURL: "https://wj.example.cn/s/abc", DefinitionsVersion: "v1"})
	files := outputs(t, dir)
	for _, want := range []string{"index.html", "communities.html", "communities.csv", "ranking.html", "methodology.html", "data-quality.html"} {
		if _, ok := files[want]; !ok {
			t.Errorf("no %s", want)
		}
	}
	for _, st := range d.Streets {
		p := "streets/" + scorecardFileName(st.ID)
		page, ok := files[p]
		if !ok {
			t.Errorf("no street page %s", p)
			continue
		}
		if !bytes.Contains(page, []byte(st.Name)) || !bytes.Contains(page, []byte("本街道各社区")) {
			t.Errorf("street page %s lacks its name or community table", p)
		}
	}
	index := string(files["index.html"])
	for _, want := range []string{`id="chart-d0-rank"`, `id="chart-d0-funnel"`, `id="chart-d0-heat"`, `id="chart-d0-cat"`, `id="chart-d0-dim"`,
		`id="chart-d0-equity"`, `id="chart-d0-gap"`, "基尼系数", "显著进步", "显著退步", "确定偏低", "12345 三率", "有效回访", `href="streets/`,
		"▲", "▼", "综合分权重：居民满意 45% · 回访满意 20% · 按时办结 25% · 1 − 上交比例 10%"} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	// Only significant changes get an arrow: the synthetic data marks one
	// unit in three as not significant, and those carry no arrow.
	if n := strings.Count(index, `class="tile-change"`); n == 0 {
		t.Error("no change arrows on the tiles")
	}

	// The scorecard: rank, best and worst, how the score is made, the QR
	// code, the poster, public links only.
	c := d.Communities[0]
	sc := string(files["scorecards/"+scorecardFileName(c.ID)])
	v, _ := c.Values.Get(indResidentScore, latestMonth(d))
	if v.Rank > 0 && !regexp.MustCompile(`全区第 \d+ / \d+ 名`).MatchString(sc) {
		t.Error("scorecard lacks its rank 第 N / M 名")
	}
	for _, want := range []string{"最满意", "最需改进", "综合分是怎么算出来的", `<svg class="qr"`, `class="poster"`, "扫码参加居民评价",
		`href="../ranking.html"`, `href="../methodology.html"`, `class="track"`} {
		if !strings.Contains(sc, want) {
			t.Errorf("scorecard lacks %q", want)
		}
	}
	for _, internal := range []string{"index.html", "data-quality.html", "communities.html", "streets/"} {
		if strings.Contains(sc, `href="../`+internal) {
			t.Errorf("scorecard links the internal %s", internal)
		}
	}
}

func TestCSV(t *testing.T) {
	d := smallData(22)
	p := latestMonth(d)
	d.Communities[0].Name = "=HYPERLINK(\"http://x\",\"y\")"
	d.Communities[1].Name = "+cmd|' /C calc'!A0"
	d.Communities[2].Name = "@SUM(1)"
	d.Communities[0].Set(indNetSatisfaction, p, Value{Value: Num(-0.25), Denominator: Num(40)})
	d.Communities[1].Set(indSatisfaction, p, Value{Suppressed: true, Denominator: Num(3)})
	dir := render(t, d, Options{})
	b, err := os.ReadFile(filepath.Join(dir, "communities.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Error("CSV lacks the UTF-8 byte order mark spreadsheets need for Chinese")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(d.Communities)+1 {
		t.Fatalf("%d rows, want a header and %d communities", len(rows), len(d.Communities))
	}
	head := rows[0]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, want := range []string{"community_id", "community_name", indSatisfaction, indResidentScore, indOnTime, indSatisfaction + ".q_safety"} {
		if _, ok := col[want]; !ok {
			t.Errorf("CSV header lacks %s", want)
		}
	}
	for _, r := range rows {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q starts with a formula character", cell)
			}
		}
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	if got := byID[d.Communities[0].ID][col["community_name"]]; got != "'"+d.Communities[0].Name {
		t.Errorf("formula name written as %q", got)
	}
	if got := byID[d.Communities[0].ID][col[indNetSatisfaction]]; got != "'-0.25" {
		t.Errorf("negative number written as %q, want it neutralised", got)
	}
	if got := byID[d.Communities[1].ID][col[indSatisfaction]]; got != "" {
		t.Errorf("suppressed value written as %q", got)
	}
	fractions := 0
	for _, r := range rows[1:] {
		if got := r[col[indOnTime]]; got != "" {
			fractions++
			if !regexp.MustCompile(`^(0(\.\d+)?|1)$`).MatchString(got) {
				t.Errorf("on-time rate written as %q, want a fraction", got)
			}
		}
	}
	if fractions == 0 {
		t.Error("no on-time rate in the CSV")
	}
	table, _ := os.ReadFile(filepath.Join(dir, "communities.html"))
	if !bytes.Contains(table, []byte(`href="communities.csv" download`)) {
		t.Error("the table page does not offer the CSV")
	}
	if got := strings.Count(langPart(t, string(table), LangEN), `<tr><th scope="row"><a href="scorecards/`); got != len(d.Communities) {
		t.Errorf("table page has %d rows, want %d", got, len(d.Communities))
	}
}

func TestMethodologyFromRegistry(t *testing.T) {
	d := smallData(23)
	reg := RegistryMap(nil)
	d.Registry = map[string]civicscore.Indicator{
		indSatisfaction: reg[indSatisfaction], indCallbackSat: reg[indCallbackSat], indEscalation: reg[indEscalation],
		indOnTime: {ID: indOnTime, Family: metrics.FamilyCases, NameZH: "按时办结率（库）", NameEN: "On time (db)", Unit: unitFraction,
			Direction: civicscore.HigherIsBetter, Kind: civicscore.Proportion, Definition: "closed by due / (closed + overdue open)"},
		"brand_new_indicator": {ID: "brand_new_indicator", Family: metrics.FamilyServices, NameZH: "新指标", NameEN: "New", Unit: unitCount,
			Direction: civicscore.Neutral, Kind: civicscore.Fact, Definition: "count of something new"},
	}
	dir := render(t, d, Options{MinN: 12})
	b, err := os.ReadFile(filepath.Join(dir, "methodology.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"按时办结率（库）", "closed by due / (closed ", "新指标", "count of something new",
		"brand_new_indicator", "越高越好", "无好坏之分", "比例（附 95% 区间", "事实（计数或人均量", "少于 12 条",
		"居民满意率", "45%", "居民自己的评价合计占 65%", "拉近", "Wilson"} {
		if !strings.Contains(page, want) {
			t.Errorf("methodology lacks %q", want)
		}
	}
	// Generated from the registry: an indicator the registry lacks is not
	// described.
	if strings.Contains(page, "reopen_rate") {
		t.Error("methodology describes an indicator the registry does not have")
	}
}

// TestMethodologyMethods: the methodology page explains every method of
// civicscore.Methods in both languages, each language's part with that
// language's texts, with its references and its tables.
func TestMethodologyMethods(t *testing.T) {
	dir := render(t, smallData(24), Options{})
	b, err := os.ReadFile(filepath.Join(dir, "methodology.html"))
	if err != nil {
		t.Fatal(err)
	}
	zh, en := langPart(t, string(b), LangZH), langPart(t, string(b), LangEN)
	// html/template's text escaping: HTMLEscapeString's, and + as &#43;.
	esc := func(s string) string { return strings.ReplaceAll(template.HTMLEscapeString(s), "+", "&#43;") }
	for _, m := range civicscore.Methods {
		for _, want := range []string{`id="method-` + m.ID + `"`, esc(m.NameZH), esc(m.AnswersZH), esc(m.ReadZH), esc(m.LimitsZH), "它的局限"} {
			if !strings.Contains(zh, want) {
				t.Errorf("%s: the Chinese methodology lacks %.40q", m.ID, want)
			}
		}
		for _, want := range []string{`id="en-method-` + m.ID + `"`, esc(m.NameEN), esc(m.AnswersEN), esc(m.ReadEN), esc(m.LimitsEN), "Its limits"} {
			if !strings.Contains(en, want) {
				t.Errorf("%s: the English methodology lacks %.40q", m.ID, want)
			}
		}
		for _, part := range []string{zh, en} {
			for _, r := range m.References {
				if !strings.Contains(part, esc(r)) {
					t.Errorf("%s: methodology lacks the reference %.40q", m.ID, r)
				}
			}
			for _, tab := range m.Tables {
				if !strings.Contains(part, "<code>"+tab+"</code>") {
					t.Errorf("%s: methodology lacks the table %s", m.ID, tab)
				}
			}
		}
		if strings.Contains(en, esc(m.AnswersZH)) || strings.Contains(zh, esc(m.AnswersEN)) {
			t.Errorf("%s: a language's part holds the other language's text", m.ID)
		}
	}
}

func TestQualityPage(t *testing.T) {
	d := withExtras(smallData(24))
	dir := render(t, d, Options{})
	b, err := os.ReadFile(filepath.Join(dir, "data-quality.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/data/in/cases.csv", "时间无法识别", "答题过快", "同一居民同月重复作答", "所有题目同一答案", "首次响应时间", "8.1%", "3,000",
		// Dropped columns and values that became other; 37 / 2,994 = 1.2%.
		"Incident Address", "事发地点", "含地址", "<code>address</code>", "来源渠道", "37", "2,994", "1.2%"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("data-quality page lacks %q", want)
		}
	}
	empty := render(t, smallData(24), Options{})
	b, _ = os.ReadFile(filepath.Join(empty, "data-quality.html"))
	if !strings.Contains(string(b), "没有数据质量记录") {
		t.Error("data-quality page without records should say so")
	}
}

func TestPublishPublicOnly(t *testing.T) {
	d := withExtras(smallData(25))
	dir := render(t, d, Options{})
	files, err := PublicFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !(f == fileRanking || f == fileMethodology || strings.HasPrefix(f, "assets/") || strings.HasPrefix(f, "scorecards/")) {
			t.Errorf("public file %s", f)
		}
	}
	to := filepath.Join(t.TempDir(), "pub")
	n, err := Publish(dir, to)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if n != len(files)+1 {
		t.Errorf("Publish wrote %d files, want %d and index.html", n, len(files))
	}
	// A public page linking an internal one is refused.
	sc := filepath.Join(dir, "scorecards", scorecardFileName(d.Communities[0].ID))
	b, _ := os.ReadFile(sc)
	if err := os.WriteFile(sc, append(b, []byte(`<a href="../data-quality.html">x</a>`)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(dir, to); err == nil || !strings.Contains(err.Error(), "not public") {
		t.Errorf("Publish with a link to an internal page: %v", err)
	}
	if _, err := os.Stat(filepath.Join(to, "ranking.html")); err != nil {
		t.Error("a failed publish removed the previous copy")
	}
	if _, err := Publish(dir, filepath.Join(dir, "x")); !errors.Is(err, civicscore.ErrConfig) {
		t.Errorf("Publish inside the report: %v", err)
	}
}

func TestQRAndGeoJSON(t *testing.T) {
	q, err := newQR("https://wj.example.cn/s/abc")
	if err != nil || q.Size < 21+8 || !regexp.MustCompile(`^(M\d+ \d+h\d+v1h-\d+z)+$`).MatchString(q.Path) {
		t.Errorf("QR code: %+v, %v", q, err)
	}
	for _, bad := range []string{"", "javascript:alert(1)", "wj.example.cn/s/abc", "ftp://x/y"} {
		if _, err := newQR(bad); err == nil {
			t.Errorf("QR code made for %q", bad)
		}
	}
	d := smallData(26)
	p := geoJSONGrid(t.TempDir(), d.Communities)
	geo, err := readGeoJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(geo, []byte("onerror")) || bytes.Contains(geo, []byte("note")) || !bytes.Contains(geo, []byte(d.Communities[0].ID)) {
		t.Errorf("GeoJSON not reduced to geometry and community_id: %.200s", geo)
	}
	dir := render(t, d, Options{GeoJSON: p})
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if !bytes.Contains(index, []byte(`id="chart-map"`)) || !bytes.Contains(index, []byte(`"csGeo"`)) {
		t.Error("index.html lacks the choropleth")
	}
	bad := filepath.Join(t.TempDir(), "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}`), 0o644)
	for _, path := range []string{bad, filepath.Join(t.TempDir(), "missing.geojson")} {
		if err := Render(t.TempDir(), d, testOpts(Options{GeoJSON: path})); !errors.Is(err, civicscore.ErrConfig) {
			t.Errorf("GeoJSON %s: got %v, want ErrConfig", path, err)
		}
	}
}

func TestLoadCompanionTables(t *testing.T) {
	db, _ := openTestDB(t)
	seed(t, db, 5)
	// The companion tables of migration 002, filled by hand.
	mustExec(t, db, `INSERT INTO indicator_changes VALUES
		('run-new', 'month', '2025-08', 'community', 'C001', 'satisfaction_rate', '2025-07', 0.8, 0.6, 0.2, 2.5, 0.01, true, 0.02),
		('run-new', 'month', '2025-08', 'community', 'C002', 'satisfaction_rate', '2025-07', 0.8, 0.75, 0.05, 0.5, 0.6, false, 0.6),
		('run-new', 'month', '2025-08', 'district', 'D1', 'on_time_rate', '2025-07', 0.8, 0.9, -0.1, -2.5, 0.01, true, NULL)`)
	mustExec(t, db, `INSERT INTO follow_up VALUES
		('run-new', 'D1', 'month', '2025-08', 'C001', 'improved', 'satisfaction_rate', 'x', 0.02),
		('run-new', 'D1', 'month', '2025-08', 'C003', 'confidently_low', 'resident_score', 'y', NULL),
		('run-old', 'D1', 'month', '2025-07', 'C004', 'declined', 'on_time_rate', 'z', 0.04)`)
	mustExec(t, db, `INSERT INTO score_components VALUES
		('run-new', 'month', '2025-08', 'community', 'C001', 'satisfaction_rate', 0.8, 0.7, 0.9, 0.78, 0.45, 0.6, true, 'satisfaction_rate'),
		('run-new', 'month', '2025-08', 'community', 'C001', 'callback_satisfaction_rate', NULL, NULL, NULL, 0.8, 0.2, 0, false, 'callback_satisfaction_rate')`)
	mustExec(t, db, `INSERT INTO indicator_values (run_id, period_type, period, level, unit_id, indicator, value, denominator, ci_low, ci_high, suppressed, rank)
		VALUES ('run-new', 'month', '2025-08', 'community', 'C001', 'resident_score', 70, 2, 60, 80, false, 1)`)
	d, err := Load(context.Background(), db, testOpts(Options{}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	aug := civicscore.Period{Type: civicscore.Month, Label: "2025-08"}
	byID := map[string]*Unit{}
	for _, c := range d.Communities {
		byID[c.ID] = c
	}
	if v, _ := byID["C001"].Values.Get(indSatisfaction, aug); !v.Significant || !v.Change.Valid || v.Change.Float64 != 0.2 {
		t.Errorf("C001 change: %+v", v)
	}
	if v, _ := byID["C002"].Values.Get(indSatisfaction, aug); v.Significant {
		t.Errorf("C002's non-significant change marked significant: %+v", v)
	}
	if v, _ := d.Districts[0].Values.Get(indOnTime, aug); !v.Significant || v.Change.Float64 != -0.1 {
		t.Errorf("district change: %+v", v)
	}
	if len(d.FollowUp) != 2 || d.FollowUp[0].List != FollowImprover && d.FollowUp[1].List != FollowImprover {
		t.Errorf("follow-up of the run: %+v", d.FollowUp)
	}
	comps := d.Components["C001"]
	if len(comps) != 2 {
		t.Fatalf("components of C001: %+v", comps)
	}
	for _, c := range comps {
		if c.Indicator == indCallbackSat && c.Weight.Valid {
			t.Errorf("an unused component kept its weight: %+v", c)
		}
		if c.Indicator == indSatisfaction && (!c.Weight.Valid || c.Weight.Float64 != 0.6 || c.Shrunk.Float64 != 0.78) {
			t.Errorf("satisfaction component: %+v", c)
		}
	}
	dir := t.TempDir()
	if err := Render(dir, d, testOpts(Options{})); err != nil {
		t.Fatal(err)
	}
	sc, _ := os.ReadFile(filepath.Join(dir, "scorecards", "C001.html"))
	for _, want := range []string{"较上期&#43;20.0 个百分点，变化显著", "<td class=\"num\">60%</td>", "本期不计入", "全区第 1 / 1 名", "70.0"} {
		if !bytes.Contains(sc, []byte(want)) {
			t.Errorf("C001's scorecard lacks %q", want)
		}
	}
	if bytes.Contains(sc, []byte("样本量 2")) {
		t.Error("the resident score's component count shown as a sample size")
	}
	sc2, _ := os.ReadFile(filepath.Join(dir, "scorecards", "C002.html"))
	if bytes.Contains(sc2, []byte("变化显著")) {
		t.Error("a non-significant change got an arrow")
	}
}

// TestTargetsAndPeers: the goals (indicator_targets) and the peer median of
// the same area type (score_peers) reach the scorecard and the district
// report's table from what the database holds. The expected texts are
// worked out by hand: the seeded on-time rate is 0.8, so against a goal of
// 0.9 the stored ratio 0.8/0.9 = 0.889 reads "88% of target" (rounded down,
// never up to 100%), against 0.75 (ratio 1.067) "on target".
func TestTargetsAndPeers(t *testing.T) {
	db, _ := openTestDB(t)
	seed(t, db, 5)
	mustExec(t, db, `INSERT INTO indicator_targets VALUES
		('run-new', 'month', '2025-08', 'community', 'C001', 'on_time_rate', 0.9, 0.8 / 0.9),
		('run-new', 'month', '2025-08', 'community', 'C002', 'on_time_rate', 0.75, 0.8 / 0.75),
		('run-old', 'month', '2025-08', 'community', 'C003', 'on_time_rate', 0.75, 0.8 / 0.75)`)
	mustExec(t, db, `INSERT INTO indicator_values (run_id, period_type, period, level, unit_id, indicator, value, denominator, ci_low, ci_high, suppressed, rank)
		VALUES ('run-new', 'month', '2025-08', 'community', 'C001', 'resident_score', 70, 2, 60, 80, false, 1),
		       ('run-new', 'month', '2025-08', 'community', 'C002', 'resident_score', 75, 2, 65, 85, false, 1)`)
	mustExec(t, db, `INSERT INTO score_peers VALUES
		('run-new', 'month', '2025-08', 'D1', 'C001', 'mixed', 70, 72.5, 3, -2.5),
		('run-new', 'month', '2025-08', 'D1', 'C002', 'mixed', 75, 72.5, 1, 2.5)`)
	d, err := Load(context.Background(), db, testOpts(Options{}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	dir := render(t, d, Options{})
	files := outputs(t, dir)
	for _, tc := range []struct {
		file, lang string
		want, not  []string
	}{
		{"scorecards/C001.html", LangZH, []string{"达到目标的 88%（目标 90.0%）", "同类社区（混合型）的中位数：72.5，共 3 个社区"}, []string{"达到目标（"}},
		{"scorecards/C001.html", LangEN, []string{"88% of target (target 90.0%)", "Median of the district&#39;s mixed communities: 72.5 (3 communities)"}, nil},
		// C002's median rests on its own score alone: not shown.
		{"scorecards/C002.html", LangZH, []string{"达到目标（目标 75.0%）"}, []string{"同类社区", "目标的"}},
		// C003's goal belongs to another run.
		{"scorecards/C003.html", LangZH, nil, []string{"目标"}},
		{"index.html", LangZH, []string{`<span class="tgt">目标的 88%</span>`, `<span class="tgt">达到目标</span>`, ">同类中位数</th>", ">72.5</td>"}, nil},
		{"index.html", LangZH, []string{`title="同类社区（混合型）的中位数：72.5，共 3 个社区">72.5</td>`}, []string{`共 1 个社区`}},
		{"index.html", LangEN, []string{`<span class="tgt">88% of target</span>`, `<span class="tgt">on target</span>`, ">Peer median</th>"}, nil},
	} {
		part := langPart(t, string(files[tc.file]), tc.lang)
		for _, w := range tc.want {
			if !strings.Contains(part, w) {
				t.Errorf("%s (%s) lacks %q", tc.file, tc.lang, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(part, n) {
				t.Errorf("%s (%s) has %q", tc.file, tc.lang, n)
			}
		}
	}
}
