package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/config"
)

// testMinN is the suppression threshold of the tests: the configuration's
// default, as the command would pass it.
var testMinN = config.Default().Thresholds.MinN

// testOpts returns o with MinN set to testMinN when zero: Render and Load
// have no default of their own.
func testOpts(o Options) Options {
	if o.MinN == 0 {
		o.MinN = testMinN
	}
	return o
}

// render writes d into a fresh folder and returns it.
func render(t *testing.T, d *Data, o Options) string {
	t.Helper()
	o = testOpts(o)
	dir := filepath.Join(t.TempDir(), "report")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Render(dir, d, o); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return dir
}

// outputs reads every file under dir, by slash-separated relative path.
func outputs(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func latestMonth(d *Data) civicscore.Period {
	return civicscore.Period{Type: civicscore.Month, Label: d.Months[len(d.Months)-1]}
}

func smallData(seed uint64) *Data {
	return synthData(synthSpec{districts: 2, streets: 2, communities: 3, months: 14, residentScore: true, threeRates: true, seed: seed})
}

// remoteRef finds a reference that would make the browser fetch from the
// network: src/href/action with a scheme or protocol-relative URL, CSS
// url() and @import of one.
var remoteRef = regexp.MustCompile(`(?i)(\b(src|href|action|srcset|poster|data)\s*=\s*["']?\s*([a-z][a-z0-9+.-]*:)?//)|(url\(\s*["']?\s*([a-z][a-z0-9+.-]*:)?//)|(@import)`)

func TestRenderIndexAndScorecard(t *testing.T) {
	d := smallData(3)
	p := latestMonth(d)
	sup := d.Communities[0]
	sup.Set(indSatisfaction, p, Value{Suppressed: true, Denominator: Num(4)})
	o := Options{Title: "测试区社区治理绩效报告", DefinitionsVersion: "defs-v9", MinN: 10, SurveyURL: "https://wj.example.cn/s/abc", Workers: 3}
	dir := render(t, d, o)
	files := outputs(t, dir)

	index := string(files["index.html"])
	for _, want := range []string{htmlOpen(LangZH), "<title>测试区社区治理绩效报告</title>", "样本不足", "defs-v9",
		`id="chart-trend-0"`, `id="chart-trend-1"`, `id="chart-escalation"`, `src="assets/echarts.min.js"`, `href="assets/style.css"`,
		"2025年8月", "2025年第2季度", "居民满意率"} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if got := strings.Count(langPart(t, index, LangZH), `<tr><th scope="row"><a href="scorecards/`); got != len(d.Communities) {
		t.Errorf("index.html has %d community rows, want %d", got, len(d.Communities))
	}
	for _, dist := range d.Districts {
		if !strings.Contains(index, "<h3>"+dist.Name+"</h3>") {
			t.Errorf("index.html lacks district %q", dist.Name)
		}
	}
	for _, c := range d.Communities {
		href := "scorecards/" + scorecardFileName(c.ID)
		row := `<a href="` + href + `">` + template.HTMLEscapeString(c.Name) + `</a>`
		if !strings.Contains(index, row) {
			t.Errorf("index.html lacks the row link %s", row)
		}
		sc, ok := files[href]
		if !ok {
			t.Errorf("no scorecard %s", href)
			continue
		}
		page := string(sc)
		for _, want := range []string{template.HTMLEscapeString(c.Name), "defs-v9", `<meta name="viewport" content="width=device-width, initial-scale=1">`,
			`src="../assets/echarts.min.js"`, `href="../assets/style.css"`, "wj.example.cn/s/abc", "居民成绩单"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q", href, want)
			}
		}
	}
	supPage := string(files["scorecards/"+scorecardFileName(sup.ID)])
	if !strings.Contains(supPage, `<h3 class="m-name">居民满意率</h3><span class="m-value">样本不足</span>`) {
		t.Errorf("scorecard of %s does not show 样本不足 for its suppressed satisfaction rate", sup.ID)
	}
	if strings.Contains(supPage, "样本量 4") {
		t.Errorf("scorecard shows the count behind a suppressed value")
	}

	// One shared copy of the chart library, identical to the embedded one.
	want, err := assetFS.ReadFile("assets/vendor/echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	copies := 0
	for name, b := range files {
		if filepath.Base(name) == "echarts.min.js" {
			copies++
			if name != "assets/echarts.min.js" || !bytes.Equal(b, want) {
				t.Errorf("unexpected chart library copy %s", name)
			}
		}
		if strings.HasSuffix(name, ".html") && len(b) > 256<<10 {
			t.Errorf("%s is %d bytes: the chart library must not be inlined", name, len(b))
		}
	}
	if copies != 1 {
		t.Errorf("%d copies of echarts.min.js, want 1", copies)
	}
	for _, a := range []string{"assets/style.css", "assets/civicscore.js", "assets/ECHARTS_LICENSE.txt"} {
		if _, ok := files[a]; !ok {
			t.Errorf("asset %s not written", a)
		}
	}

	// Nothing points at the network. The survey address is text, never a
	// link, so once it is taken out no URL scheme is left in our files.
	for name, b := range files {
		if strings.HasPrefix(name, "assets/echarts") || strings.HasPrefix(name, "assets/ECHARTS") {
			continue // the vendored library, checked in the browser test
		}
		s := string(b)
		if m := remoteRef.FindString(s); m != "" {
			t.Errorf("%s has a remote reference %q", name, m)
		}
		s = strings.ReplaceAll(s, o.SurveyURL, "")
		if strings.Contains(s, "http://") || strings.Contains(s, "https://") {
			t.Errorf("%s contains a URL", name)
		}
	}
}

// TestBothLanguages: every page carries both languages, each in its own
// part with its own chart options and element ids; the bureau pages open in
// report.lang, the scorecards (and whatever Publish copies) in Chinese. The
// expected words are the message texts of i18n.go and the period names
// worked out by hand for the synthetic data's last month (2025-08).
func TestBothLanguages(t *testing.T) {
	d := smallData(4)
	d.Communities[0].Set(indOnTime, latestMonth(d), Value{Suppressed: true})
	for _, tc := range []struct {
		lang, opens string
	}{{"", LangZH}, {"en", LangEN}, {"zh-CN", LangZH}} {
		dir := render(t, d, Options{Lang: tc.lang, DefinitionsVersion: "v2"})
		files := outputs(t, dir)
		index := string(files["index.html"])
		if !strings.Contains(index, htmlOpen(tc.opens)) {
			t.Errorf("lang %q: index.html does not open in %s", tc.lang, tc.opens)
		}
		zh, en := langPart(t, index, LangZH), langPart(t, index, LangEN)
		for _, want := range []string{"样本不足", "2025年8月", "2025年第2季度", "全部社区一览", "指标口径版本", `data-set-lang="en"`, ">English</a>", `id="chart-trend-0"`} {
			if !strings.Contains(zh, want) {
				t.Errorf("lang %q: the Chinese part of index.html lacks %q", tc.lang, want)
			}
		}
		for _, want := range []string{"too few responses", "Aug 2025", "Q2 2025", "All communities", "Definitions version", `data-set-lang="zh-CN"`, ">中文</a>", `id="en-chart-trend-0"`} {
			if !strings.Contains(en, want) {
				t.Errorf("lang %q: the English part of index.html lacks %q", tc.lang, want)
			}
		}
		for _, zhOnly := range []string{"样本不足", "全部社区一览", "2025年8月"} {
			if strings.Contains(en, zhOnly) {
				t.Errorf("lang %q: the English part of index.html has the Chinese %q", tc.lang, zhOnly)
			}
		}
		if strings.Contains(zh, `id="en-`) || strings.Contains(en, `id="chart-`) {
			t.Errorf("lang %q: element ids are not kept apart by language", tc.lang)
		}
		c := d.Communities[0]
		sc := string(files["scorecards/"+scorecardFileName(c.ID)])
		if !strings.Contains(sc, htmlOpen(LangZH)) {
			t.Errorf("lang %q: the scorecard does not open in Chinese", tc.lang)
		}
		if !strings.Contains(langPart(t, sc, LangEN), "Residents&#39; scorecard") || !strings.Contains(langPart(t, sc, LangZH), "居民成绩单") {
			t.Errorf("lang %q: the scorecard lacks its heading in one of the languages", tc.lang)
		}
		// The chart options in each language: the district's line is named
		// by the district_suffix message of that language.
		for _, x := range []struct{ lang, id, want string }{
			{LangZH, "chart-trend-1", c.DistrictName + "（全区）"},
			{LangEN, "en-chart-trend-1", c.DistrictName + " (district)"},
		} {
			opt, ok := scriptArg(t, sc, x.lang)[x.id]
			if !ok {
				t.Errorf("lang %q: no %s chart %s", tc.lang, x.lang, x.id)
				continue
			}
			if b, _ := json.Marshal(opt["legend"]); !strings.Contains(string(b), x.want) {
				t.Errorf("lang %q: %s legend %s lacks %q", tc.lang, x.lang, b, x.want)
			}
		}
		// Published pages open in Chinese, whichever language the report's
		// bureau pages open in.
		pub := filepath.Join(t.TempDir(), "pub")
		if _, err := Publish(dir, pub); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		for _, f := range []string{fileIndex, fileRanking, fileMethodology} {
			b, err := os.ReadFile(filepath.Join(pub, f))
			if err != nil || !strings.Contains(string(b), htmlOpen(LangZH)) {
				t.Errorf("lang %q: published %s does not open in Chinese (%v)", tc.lang, f, err)
			}
		}
	}
}

func TestRenderToleratesMissingIndicators(t *testing.T) {
	// A run without resident_score, three rates, street or district values
	// and without an indicator registry.
	d := smallData(5)
	for _, c := range d.Communities {
		delete(c.Values, indResidentScore)
		delete(c.Values, indThreeRates)
	}
	d.Districts, d.Streets, d.Registry, d.Weights = nil, nil, nil, nil
	dir := render(t, d, Options{})
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"综合分", "三率", `id="chart-trend-0"`, `id="chart-escalation"`} {
		if strings.Contains(string(index), absent) {
			t.Errorf("index.html shows %q although it was not computed", absent)
		}
	}
	sc, err := os.ReadFile(filepath.Join(dir, "scorecards", scorecardFileName(d.Communities[0].ID)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sc), `class="headline`) {
		t.Errorf("scorecard has a headline score although resident_score is absent")
	}

	// No data at all still makes a report.
	empty := render(t, &Data{}, Options{})
	b, err := os.ReadFile(filepath.Join(empty, "index.html"))
	if err != nil || !strings.Contains(string(b), "没有社区数据") {
		t.Errorf("empty report: %v %q", err, b)
	}
}

func TestSuppressionGuards(t *testing.T) {
	d := smallData(6)
	p := latestMonth(d)
	c := d.Communities[0]
	// Marked suppressed but a value left in: never shown.
	c.Set(indSatisfaction, p, Value{Suppressed: true, Value: Num(0.4321), Denominator: Num(50), CILow: Num(0.3), CIHigh: Num(0.5)})
	// Not marked, but resting on fewer than MinN rows: never shown.
	c.Set(indOnTime, p, Value{Value: Num(0.777), Denominator: Num(5), CILow: Num(0.4), CIHigh: Num(0.95)})
	// An estimate below a stricter MinN than compute used.
	c.Set(indCallbackSat, p, Value{Value: Num(0.6543), Denominator: Num(15), CILow: Num(0.4), CIHigh: Num(0.8)})
	// A count is a fact: shown whatever its size.
	c.Set(indCaseVolume, p, Value{Value: Num(3)})
	dir := render(t, d, Options{MinN: 20})
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`<tr><th scope="row"><a href="scorecards/` + regexp.QuoteMeta(scorecardFileName(c.ID)) + `">.*?</tr>`).FindString(string(index))
	sc, err := os.ReadFile(filepath.Join(dir, "scorecards", scorecardFileName(c.ID)))
	if err != nil {
		t.Fatal(err)
	}
	if row == "" {
		t.Fatal("no table row for the community")
	}
	for name, s := range map[string]string{"index row": row, "scorecard": string(sc)} {
		for _, leak := range []string{"43.2%", "77.7%", "65.4%", "样本量 50", "样本量 5<", "样本量 15", `"value":43.21`, `"value":77.7`, `"value":65.43`} {
			if strings.Contains(s, leak) {
				t.Errorf("%s leaks a suppressed value or count: %q", name, leak)
			}
		}
		if strings.Count(s, "样本不足") < 3 {
			t.Errorf("%s says 样本不足 %d times, want at least 3", name, strings.Count(s, "样本不足"))
		}
	}
	// Named as the registry names it.
	if !strings.Contains(string(sc), `<h3 class="m-name">`+RegistryMap(nil)[indCaseVolume].NameZH+`</h3><span class="m-value">3</span>`) {
		t.Errorf("a small case count (a fact) should still be shown")
	}
}

func TestRenderDeterministicAcrossWorkers(t *testing.T) {
	d := smallData(8)
	a := outputs(t, render(t, d, Options{Workers: 1}))
	b := outputs(t, render(t, d, Options{Workers: 8}))
	if len(a) != len(b) {
		t.Fatalf("%d files with 1 worker, %d with 8", len(a), len(b))
	}
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s differs between 1 and 8 workers", name)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	d := smallData(9)
	if err := Render(filepath.Join(t.TempDir(), "missing"), d, testOpts(Options{})); err == nil {
		t.Error("Render into a missing folder succeeded")
	}
	if err := Render(t.TempDir(), d, testOpts(Options{Lang: "fr"})); !errors.Is(err, civicscore.ErrConfig) {
		t.Errorf("Lang fr: got %v, want ErrConfig", err)
	}
	if err := Render(t.TempDir(), nil, testOpts(Options{})); err == nil {
		t.Error("Render of nil data succeeded")
	}
	dup := smallData(9)
	dup.Communities[1].ID = dup.Communities[0].ID
	if err := Render(t.TempDir(), dup, testOpts(Options{})); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("duplicate community ids: got %v", err)
	}
}

// scriptArg extracts the JSON chart options of a page.
func scriptArg(t *testing.T, page, lang string) map[string]map[string]any {
	t.Helper()
	const start = "civicscore.init("
	i := strings.Index(page, start)
	if i < 0 {
		t.Fatal("page has no civicscore.init call")
	}
	dec := json.NewDecoder(strings.NewReader(page[i+len(start):]))
	var charts map[string]map[string]map[string]any
	if err := dec.Decode(&charts); err != nil {
		t.Fatalf("chart JSON: %v", err)
	}
	if _, ok := charts[lang]; !ok {
		t.Fatalf("chart JSON has no %s part", lang)
	}
	return charts[lang]
}

// langPart returns the part of page in lang: the element marked
// data-lang-body="lang", up to the next language's part or the scripts.
func langPart(t *testing.T, page, lang string) string {
	t.Helper()
	start := `<div class="lang-body" lang="` + lang + `" data-lang-body="` + lang + `"`
	i := strings.Index(page, start)
	if i < 0 {
		t.Fatalf("page has no %s part", lang)
	}
	rest := page[i+len(start):]
	if j := strings.Index(rest, `<div class="lang-body" `); j >= 0 {
		rest = rest[:j]
	}
	if j := strings.Index(rest, "<script"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func TestXSS(t *testing.T) {
	d := smallData(10)
	d.Communities[0].Name = hostileScript
	d.Communities[1].Name = hostileImg
	d.Communities[1].StreetName = hostileScript
	d.Streets[0].Name = hostileImg
	d.Districts[0].Name = hostileScript
	d.RunID = hostileImg
	for _, c := range d.Communities {
		if c.DistrictID == d.Districts[0].ID {
			c.DistrictName = hostileScript
		}
	}
	d.Registry = map[string]civicscore.Indicator{indSatisfaction: {ID: indSatisfaction, NameZH: hostileImg, NameEN: hostileImg, Unit: unitFraction, Kind: civicscore.Proportion}}
	o := Options{Title: hostileScript, DefinitionsVersion: hostileImg, HaveYourSay: hostileScript, SurveyURL: "javascript:alert(1)//" + hostileImg}
	dir := render(t, d, o)
	files := outputs(t, dir)
	for name, b := range files {
		s := string(b)
		if strings.HasSuffix(name, ".csv") {
			continue // data, not markup: checked by TestCSV
		}
		raws := []string{hostileScript, hostileImg, "<script>alert", "<img"}
		if strings.HasPrefix(name, "assets/echarts") {
			raws = raws[:2] // the library's own code mentions <img
		}
		for _, raw := range raws {
			if strings.Contains(s, raw) {
				t.Errorf("%s contains %q unescaped", name, raw)
			}
		}
		if strings.HasSuffix(name, ".html") {
			want := 2 // civicscore.js and its init call
			if strings.Contains(s, "data-chart") {
				want = 3 // and the chart library
			}
			if n := strings.Count(s, "<script"); n != want {
				t.Errorf("%s has %d <script> tags, want %d", name, n, want)
			}
			if strings.Contains(s, `href="javascript:`) {
				t.Errorf("%s links a javascript: URL", name)
			}
		}
	}
	// The names reach the charts intact, as JSON-escaped data.
	sc := string(files["scorecards/"+scorecardFileName(d.Communities[0].ID)])
	if !strings.Contains(sc, `\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e`) {
		t.Error("scorecard chart JSON lacks the escaped community name")
	}
	charts := scriptArg(t, sc, LangZH)
	opt := charts["chart-trend-0"]
	legend, _ := opt["legend"].(map[string]any)
	names, _ := legend["data"].([]any)
	if len(names) == 0 || names[0] != hostileScript {
		t.Errorf("legend names %v, want the community name first", names)
	}
	index := string(files["index.html"])
	if !strings.Contains(index, template.HTMLEscapeString(hostileScript)) || !strings.Contains(index, `\u003cimg src=x onerror=alert(1)\u003e`) {
		t.Error("index.html lacks the escaped hostile names in text or chart JSON")
	}
}

func TestHostileCommunityIDs(t *testing.T) {
	ids := []string{"../../etc/passwd", "..", ".", "/etc/passwd", `..\..\windows\win.ini`, "a/b", "CON", "con.html",
		"A1", "a1", "", "社区-001", strings.Repeat("x", 300), "a b?c#d%20", "-rf", "A1-" + scorecardFileName("a/b")}
	d := smallData(11)
	src := d.Communities[0]
	d.Communities = nil
	for i, id := range ids {
		c := *src
		c.ID, c.Name = id, "社区"+string(rune('甲'+i))
		d.Communities = append(d.Communities, &c)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Render(dir, d, testOpts(Options{})); err != nil {
		t.Fatalf("Render: %v", err)
	}
	// Nothing was written beside or above the output folder.
	top, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 1 || top[0].Name() != "out" {
		t.Errorf("files written outside the output folder: %v", top)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "scorecards"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(ids) {
		t.Errorf("%d scorecards for %d communities", len(entries), len(ids))
	}
	lower := map[string]bool{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.ContainsAny(n, `/\:`) || strings.Contains(n, "..") || !filepath.IsLocal(n) || !strings.HasSuffix(n, ".html") {
			t.Errorf("unsafe scorecard file name %q", n)
		}
		if lower[strings.ToLower(n)] {
			t.Errorf("file names differ only in case: %q", n)
		}
		lower[strings.ToLower(n)] = true
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	hrefs := regexp.MustCompile(`href="(scorecards/[^"]*)"`).FindAllStringSubmatch(langPart(t, string(index), LangZH), -1)
	if len(hrefs) != len(ids) {
		t.Errorf("%d scorecard links, want %d", len(hrefs), len(ids))
	}
	for _, h := range hrefs {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(h[1]))); err != nil {
			t.Errorf("link %s leads nowhere: %v", h[1], err)
		}
	}
	for i, id := range ids {
		b, err := os.ReadFile(filepath.Join(dir, "scorecards", scorecardFileName(id)))
		if id == "a1" || id == "A1" || strings.HasPrefix(id, "A1-") {
			continue // may have been renamed to avoid a clash
		}
		if err != nil || !strings.Contains(string(b), d.Communities[i].Name) {
			t.Errorf("scorecard of %q: %v", id, err)
		}
	}
}

func TestScorecardFileName(t *testing.T) {
	for id, want := range map[string]string{"110101001": "110101001.html", "C-01_a": "C-01_a.html"} {
		if got := scorecardFileName(id); got != want {
			t.Errorf("scorecardFileName(%q) = %q, want %q", id, got, want)
		}
	}
	for _, id := range []string{"../x", "..", "", "CON", "a/b", "社区", "-x", strings.Repeat("a", 65)} {
		got := scorecardFileName(id)
		if !regexp.MustCompile(`^[A-Za-z0-9_]*[A-Za-z0-9]-[0-9a-f]{12}\.html$|^c-[0-9a-f]{12}\.html$`).MatchString(got) {
			t.Errorf("scorecardFileName(%q) = %q: not a hashed safe name", id, got)
		}
		if scorecardFileName(id) != got {
			t.Errorf("scorecardFileName(%q) is not deterministic", id)
		}
	}
	if scorecardFileName("a/b") == scorecardFileName("a_b") || scorecardFileName("a/b") == scorecardFileName("a:b") {
		t.Error("different ids share a file name")
	}
}

func TestLocalPath(t *testing.T) {
	for _, rel := range []string{"", "../x", "/etc/passwd", "a/../../b", "scorecards/../../x", "./x", "a//b", `..\x`} {
		if _, err := localPath("/tmp/out", rel); err == nil && rel != `..\x` {
			t.Errorf("localPath accepted %q", rel)
		}
	}
	p, err := localPath("/tmp/out", "scorecards/x.html")
	if err != nil || p != filepath.Join("/tmp/out", "scorecards", "x.html") {
		t.Errorf("localPath(scorecards/x.html) = %q, %v", p, err)
	}
}
