package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, which the Makefile installs for CI.
const chromiumPath = "/usr/bin/chromium"

// browserOrSkip returns the browser to drive. A missing browser fails the
// test with a clear message; only CIVICSCORE_SKIP_BROWSER=1 skips it.
func browserOrSkip(t *testing.T) string {
	t.Helper()
	if os.Getenv("CIVICSCORE_SKIP_BROWSER") == "1" {
		t.Skip("CIVICSCORE_SKIP_BROWSER=1: browser test skipped")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("browser test needs Debian's chromium at %s (%v): run `make browser` or "+
			"`apt-get update && apt-get install -y chromium`, or set CIVICSCORE_SKIP_BROWSER=1 to skip", chromiumPath, err)
	}
	return chromiumPath
}

// pageWatch records what a page did that it must not: console errors,
// exceptions, browser log errors, requests to anything but file://, and
// JavaScript dialogs (an alert means injected script ran).
type pageWatch struct {
	mu       sync.Mutex
	tab      context.Context // set once the tab exists; dialogs are dismissed through it
	problems []string
	dialogs  []string
	requests []string
}

func (w *pageWatch) add(list *[]string, s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	*list = append(*list, s)
}

func (w *pageWatch) snapshot() (problems, dialogs, requests []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.problems...), append([]string(nil), w.dialogs...), append([]string(nil), w.requests...)
}

func (w *pageWatch) setTab(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tab = ctx
}

// listener returns the event func of a tab. A dialog is recorded and
// dismissed from another goroutine (the func must not run commands).
func (w *pageWatch) listener() func(ev any) {
	return func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				w.add(&w.problems, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			w.add(&w.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				w.add(&w.problems, "log error: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			u := ev.Request.URL
			w.add(&w.requests, u)
			if !strings.HasPrefix(u, "file://") {
				w.add(&w.problems, "request to a non-file URL: "+u)
			}
		case *cdppage.EventJavascriptDialogOpening:
			w.add(&w.dialogs, string(ev.Type)+": "+ev.Message)
			w.mu.Lock()
			ctx := w.tab
			w.mu.Unlock()
			if ctx != nil {
				go func() {
					_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
				}()
			}
		}
	}
}

func fileURL(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = p
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// chartState is what the page reports about its chart containers.
type chartState struct {
	ID      string `json:"id"`
	Canvas  bool   `json:"canvas"`
	Width   int    `json:"w"`
	Height  int    `json:"h"`
	Painted int    `json:"painted"`
}

// jsCharts lists every chart container of the language shown (the other
// language's part is hidden, its charts undrawn) with whether it holds a
// canvas with painted pixels.
const jsCharts = `Array.from(document.querySelectorAll('[data-chart]')).filter(function (el) {
  return el.getClientRects().length > 0;
}).map(function (el) {
  var c = el.querySelector('canvas');
  if (!c) return {id: el.id, canvas: false, w: 0, h: 0, painted: 0};
  var n = 0;
  try {
    var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (var i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
  } catch (e) { n = -1; }
  return {id: el.id, canvas: true, w: c.width, h: c.height, painted: n};
})`

// jsAllPainted is true once every chart container shown has a painted
// canvas.
const jsAllPainted = `(function () {
  var els = Array.from(document.querySelectorAll('[data-chart]')).filter(function (el) { return el.getClientRects().length > 0; });
  if (!els.length) return true;
  return els.every(function (el) {
    var c = el.querySelector('canvas');
    if (!c || !c.width) return false;
    var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (var i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  });
})()`

// jsWide names the elements that reach past the right edge of the viewport.
const jsWide = `Array.from(document.querySelectorAll('body *')).filter(function (el) {
  return el.getBoundingClientRect().right > 390.5;
}).slice(0, 5).map(function (el) {
  var r = el.getBoundingClientRect();
  return el.tagName + '.' + el.className + ' [' + Math.round(r.left) + '..' + Math.round(r.right) + '] ' + (el.getAttribute('style') || '').slice(0, 200);
}).join(' | ')`

type browserCheck struct {
	name       string
	dir        string // report folder; "" = the Chinese one
	file       string
	query      string // appended to the file URL, e.g. "?lang=en"
	lang       string // the language the page must show; "" = not checked
	width      int64
	height     int64
	mobile     bool
	wantText   []string // must appear in document.body.innerText
	minCharts  int
	maxScrollW int64 // 0: not checked
	tooltipHas string
	poster     bool // print to PDF: one A4 page with the QR code
	// switchText, when set, is text the page must show after its language
	// switch is clicked (see checkSwitch).
	switchText []string
}

// pdfPages counts the pages of a PDF by its page objects.
var pdfPages = regexp.MustCompile(`/Type\s*/Page[^s]`)

// jsPoster reports, in print media, whether the poster alone shows and
// fits its page without clipping, and whether it carries the QR code.
const jsPoster = `(function () {
  var part = '[data-lang-body="' + document.documentElement.getAttribute('data-lang') + '"] ';
  var p = document.querySelector(part + '.poster'), s = document.querySelector(part + '.screen');
  if (!p) return 'no poster';
  if (getComputedStyle(p).display === 'none') return 'poster hidden in print';
  if (s && getComputedStyle(s).display !== 'none') return 'screen content printed';
  if (p.scrollHeight > p.clientHeight + 1) return 'poster overflows: ' + p.scrollHeight + ' > ' + p.clientHeight;
  var q = p.querySelector('svg.qr path');
  if (!q || (q.getAttribute('d') || '').length < 100) return 'no QR code';
  return 'ok';
})()`

func TestBrowser(t *testing.T) {
	exe := browserOrSkip(t)

	d := withExtras(synthData(synthSpec{districts: 2, streets: 3, communities: 4, months: 18, residentScore: true, threeRates: true, seed: 7}))
	hostileScriptComm := d.Communities[1]
	hostileScriptComm.Name = hostileScript
	d.Communities[2].Name = hostileImg
	d.Streets[0].Name = hostileImg
	for _, c := range d.Communities {
		if c.StreetID == d.Streets[0].ID {
			c.StreetName = hostileImg
		}
	}
	d.Communities[3].ID = "../../etc/passwd"
	d.Quality.Rejects[0].File = hostileImg
	// A suppressed value on the hostile community's page and in the table.
	hostileScriptComm.Set(indCallbackSat, latestMonth(d), Value{Suppressed: true, Denominator: Num(3)})
	root := t.TempDir()
	o := Options{DefinitionsVersion: "defs-2025.1", SurveyURL: "https://wj.example.cn/s/abc?from=poster", MinN: 10,
		GeoJSON: geoJSONGrid(root, d.Communities)}
	dir := filepath.Join(root, "report")
	dirEN := filepath.Join(root, "report-en")
	for _, x := range []struct {
		dir  string
		lang string
	}{{dir, LangZH}, {dirEN, LangEN}} {
		if err := os.Mkdir(x.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		oo := o
		oo.Lang = x.lang
		if err := Render(x.dir, d, oo); err != nil {
			t.Fatalf("Render %s: %v", x.lang, err)
		}
	}
	shots := t.TempDir()
	if s := os.Getenv("CIVICSCORE_SCREENSHOT_DIR"); s != "" {
		shots = s
	}
	t.Logf("screenshots in %s", shots)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}

	streetFile := "streets/" + scorecardFileName(d.Streets[0].ID)
	hostileCard := "scorecards/" + scorecardFileName(hostileScriptComm.ID)
	checks := []browserCheck{
		{name: "index", file: "index.html", width: 1280, height: 900, lang: LangZH,
			wantText: []string{hostileScript, hostileImg, "样本不足", "defs-2025.1", "基尼系数", "显著进步", "确定偏低", "12345 三率", "▲", "English"}, minCharts: 12,
			switchText: []string{hostileScript, "too few responses", "All communities", "Definitions version", "中文"}},
		{name: "index-en", dir: dirEN, file: "index.html", width: 1280, height: 900, lang: LangEN,
			wantText: []string{hostileScript, "too few responses", "All communities", "中文"}, minCharts: 12},
		{name: "street", file: streetFile, width: 1280, height: 900,
			wantText: []string{hostileImg, "样本不足", "本街道各社区"}, minCharts: 8},
		{name: "table", file: "communities.html", width: 1280, height: 900,
			wantText: []string{hostileScript, "下载 CSV", RegistryMap(nil)[indSatisfaction].ShortZH}},
		{name: "ranking", file: "ranking.html", width: 1280, height: 900,
			wantText: []string{hostileScript, "名次", "综合分"}, minCharts: 2},
		{name: "ranking-mobile", file: "ranking.html", width: 390, height: 844, mobile: true, minCharts: 2, maxScrollW: 390},
		{name: "methodology", file: "methodology.html", width: 1280, height: 900,
			wantText: []string{"样本不足不公布", "on_time_rate", "45%", "越低越好"}},
		{name: "data-quality", file: "data-quality.html", width: 1280, height: 900,
			wantText: []string{hostileImg, "答题过快", "/data/in/cases.csv", "首次响应时间"}},
		{name: "scorecard", file: hostileCard, width: 390, height: 844, mobile: true, lang: LangZH,
			wantText:  []string{hostileScript, "样本不足", "defs-2025.1", "全区第", "最满意", "综合分是怎么算出来的", "说说您的看法"},
			minCharts: 3, maxScrollW: 390, tooltipHas: hostileScript, poster: true,
			switchText: []string{hostileScript, "too few responses", "Ranked", "Have your say", "How the score is made"}},
		{name: "scorecard-hostile-id", file: "scorecards/" + scorecardFileName("../../etc/passwd"), width: 390, height: 844, mobile: true,
			minCharts: 1, maxScrollW: 390, poster: true},
		// A scorecard opens in Chinese whatever report.lang says; ?lang=en
		// opens it in English.
		{name: "scorecard-default", dir: dirEN, file: hostileCard, width: 390, height: 844, mobile: true, lang: LangZH,
			wantText: []string{hostileScript, "样本不足", "说说您的看法"}, minCharts: 3, maxScrollW: 390},
		{name: "scorecard-en", dir: dirEN, file: hostileCard, query: "?lang=en", width: 390, height: 844, mobile: true, lang: LangEN,
			wantText: []string{hostileScript, "too few responses", "Ranked", "Have your say"}, minCharts: 3, maxScrollW: 390, poster: true},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			w := &pageWatch{}
			tab, cancelTab := chromedp.NewContext(browser, chromedp.WithListener(w.listener()))
			defer cancelTab()
			w.setTab(tab)
			vp := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
			if c.mobile {
				vp = append(vp, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			base := dir
			if c.dir != "" {
				base = c.dir
			}
			if err := chromedp.Do(tab,
				chromedp.EmulateViewport(c.width, c.height, vp...),
				chromedp.Navigate(fileURL(filepath.Join(base, c.file))+c.query),
			); err != nil {
				t.Fatalf("open %s: %v", c.file, err)
			}
			states := paintedCharts(t, tab)
			if len(states) < c.minCharts {
				t.Errorf("%d chart containers, want at least %d", len(states), c.minCharts)
			}
			for _, s := range states {
				if !s.Canvas || s.Width == 0 || s.Height == 0 || s.Painted <= 0 {
					t.Errorf("chart %s not drawn: %+v", s.ID, s)
				}
			}
			drawn, err := chromedp.Run(tab, chromedp.Evaluate[int](`(window.civicscoreCharts || []).length`))
			if err != nil || drawn != len(states) {
				t.Errorf("civicscore drew %d charts (err %v), page has %d containers", drawn, err, len(states))
			}

			if c.lang != "" {
				got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang + ' ' + document.documentElement.getAttribute('data-lang')`))
				if err != nil || got != c.lang+" "+c.lang {
					t.Errorf("page shows language %q (err %v), want %s", got, err, c.lang)
				}
			}
			body, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
			if err != nil {
				t.Fatalf("read text: %v", err)
			}
			for _, want := range c.wantText {
				if !strings.Contains(body, want) {
					t.Errorf("page text lacks %q", want)
				}
			}
			injected, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('img, iframe, object, embed').length + document.querySelectorAll('script:not([src])').length - 1`))
			if err != nil || injected != 0 {
				t.Errorf("page has %d unexpected elements (img/iframe/extra inline script), err %v", injected, err)
			}

			if c.maxScrollW > 0 {
				sw, err := chromedp.Run(tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
				if err != nil {
					t.Fatalf("read scrollWidth: %v", err)
				}
				if sw > c.maxScrollW {
					wide, _ := chromedp.Run(tab, chromedp.Evaluate[string](jsWide))
					t.Errorf("scrollWidth %d > %d: the page scrolls sideways on a phone; too wide: %s", sw, c.maxScrollW, wide)
				}
			}

			if c.tooltipHas != "" {
				// Hover the last month of the first chart: the tooltip must
				// show the name as text, not run it.
				tip, err := chromedp.Run(tab, chromedp.Evaluate[string](`(function () {
  var c = window.civicscoreCharts[0];
  var n = c.getOption().xAxis[0].data.length;
  c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: n - 1});
  return c.getDom().innerText;
})()`))
				if err != nil {
					t.Errorf("show tooltip: %v", err)
				} else if !strings.Contains(tip, c.tooltipHas) {
					t.Errorf("tooltip text %q lacks %q", tip, c.tooltipHas)
				}
			}

			if c.maxScrollW > 0 {
				sw, err := chromedp.Run(tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
				if err != nil {
					t.Fatalf("read scrollWidth: %v", err)
				}
				if sw > c.maxScrollW {
					wide, _ := chromedp.Run(tab, chromedp.Evaluate[string](jsWide))
					t.Errorf("scrollWidth %d > %d: with a tooltip shown, the page scrolls sideways on a phone; too wide: %s", sw, c.maxScrollW, wide)
				}
			}

			if len(c.switchText) > 0 {
				checkSwitch(t, tab, c)
			}

			shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err != nil {
				t.Errorf("screenshot: %v", err)
			} else {
				p := filepath.Join(shots, c.name+".png") // quality 100: PNG
				if err := os.WriteFile(p, shot, 0o644); err != nil {
					t.Errorf("save screenshot: %v", err)
				}
				t.Logf("screenshot %s", p)
			}

			if c.poster {
				// The notice-board poster: in print, the poster alone, one
				// A4 page, with the QR code of the survey link.
				// The printable area of an A4 page with 12 mm margins at 96 dpi
				// (186 × 273 mm), as the print layout sees it.
				if err := chromedp.Do(tab, chromedp.EmulateViewport(703, 1031, chromedp.EmulateScale(1))); err != nil {
					t.Fatalf("A4 viewport: %v", err)
				}
				if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
					t.Fatalf("emulate print: %v", err)
				}
				state, err := chromedp.Run(tab, chromedp.Evaluate[string](jsPoster))
				if err != nil || state != "ok" {
					t.Errorf("poster in print media: %q, %v", state, err)
				}
				prefer := true
				res, err := chromedp.Call(tab, cdppage.PrintToPDF, cdppage.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69, PreferCSSPageSize: &prefer})
				pdf := res.Data
				if err != nil {
					t.Errorf("print to PDF: %v", err)
				} else {
					if n := len(pdfPages.FindAll(pdf, -1)); n != 1 {
						t.Errorf("the poster prints on %d pages, want one A4 page", n)
					}
					p := filepath.Join(shots, c.name+"-poster.pdf")
					if err := os.WriteFile(p, pdf, 0o644); err != nil {
						t.Errorf("save poster: %v", err)
					}
					t.Logf("poster %s", p)
				}
			}

			// Let late events (a dialog from a deferred script) arrive.
			time.Sleep(200 * time.Millisecond)
			problems, dialogs, requests := w.snapshot()
			for _, p := range problems {
				t.Errorf("%s", p)
			}
			if len(dialogs) > 0 {
				t.Errorf("dialogs opened (injected script ran): %v", dialogs)
			}
			if len(requests) == 0 {
				t.Errorf("no requests seen: the network listener did not work")
			}
		})
	}
}

// jsChartText collects the text of the charts drawn: every chart's
// caption, and its series, legend and axis names from the options ECharts
// holds.
const jsChartText = `JSON.stringify({
  captions: Array.from(document.querySelectorAll('figure.chart-card')).filter(function (f) { return f.getClientRects().length > 0; })
    .map(function (f) { var c = f.querySelector('figcaption'); return c ? c.innerText : ''; }),
  options: (window.civicscoreCharts || []).map(function (c) {
    var o = c.getOption();
    return JSON.stringify([(o.series || []).map(function (s) { return s.name; }), o.legend, (o.xAxis || []).map(function (a) { return [a.name, a.data]; }),
      (o.yAxis || []).map(function (a) { return [a.name, a.data]; })]);
  }),
  title: document.title
})`

// checkSwitch clicks the page's language switch and checks that the page
// now shows the other language: <html lang>, the visible text, the chart
// captions and the charts' own text, drawn again; that a reload keeps the
// choice; and that without it the page opens in its default again. It
// leaves the stored choice cleared for the next page.
func checkSwitch(t *testing.T, tab context.Context, c browserCheck) {
	t.Helper()
	type chartText struct {
		Captions []string `json:"captions"`
		Options  []string `json:"options"`
		Title    string   `json:"title"`
	}
	read := func() chartText {
		var ct chartText
		s, err := chromedp.Run(tab, chromedp.Evaluate[string](jsChartText))
		if err != nil {
			t.Fatalf("read chart text: %v", err)
		}
		if err := json.Unmarshal([]byte(s), &ct); err != nil {
			t.Fatalf("decode chart text %s: %v", s, err)
		}
		return ct
	}
	before := read()
	other := LangEN
	if c.lang == LangEN {
		other = LangZH
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`[data-lang-body="`+c.lang+`"] a[data-set-lang]`))); err != nil {
		t.Fatalf("click the language switch: %v", err)
	}
	got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang + ' ' + document.documentElement.getAttribute('data-lang') + ' ' + location.search`))
	if err != nil || got != other+" "+other+" " {
		t.Errorf("after the switch the page shows %q (err %v), want %s without reloading", got, err, other)
	}
	waitPainted(t, tab, "again after the switch")
	body, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatalf("read text: %v", err)
	}
	for _, want := range c.switchText {
		if !strings.Contains(body, want) {
			t.Errorf("after the switch the page text lacks %q", want)
		}
	}
	// The page's Chinese messages are gone once it shows English (the
	// data's own names stay as they are).
	for _, gone := range c.wantText {
		if other == LangEN && strings.IndexFunc(gone, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 && strings.Contains(body, gone) {
			t.Errorf("after the switch the page still shows %q", gone)
		}
	}
	after := read()
	if len(after.Captions) == 0 || len(after.Captions) != len(before.Captions) || after.Captions[0] == before.Captions[0] {
		t.Errorf("chart captions before %q, after the switch %q: want the first changed", before.Captions, after.Captions)
	}
	if len(after.Options) != len(before.Options) || strings.Join(after.Options, "") == strings.Join(before.Options, "") {
		t.Errorf("the charts' own text did not change with the language (%d charts before, %d after)", len(before.Options), len(after.Options))
	}
	if after.Title == before.Title {
		t.Errorf("document title %q did not change with the language", after.Title)
	}
	raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](jsCharts))
	if err != nil {
		t.Fatalf("inspect charts: %v", err)
	}
	var states []chartState
	if err := json.Unmarshal(raw, &states); err != nil {
		t.Fatalf("decode chart states: %v", err)
	}
	for _, s := range states {
		if !strings.HasPrefix(s.ID, other+"-") && other != pageLangs[0] {
			t.Errorf("chart %s shown after switching to %s", s.ID, other)
		}
		if !s.Canvas || s.Painted <= 0 {
			t.Errorf("chart %s not drawn after the switch: %+v", s.ID, s)
		}
	}
	if drawn, err := chromedp.Run(tab, chromedp.Evaluate[int](`(window.civicscoreCharts || []).length`)); err != nil || drawn != len(states) {
		t.Errorf("after the switch civicscore holds %d charts (err %v), the page shows %d", drawn, err, len(states))
	}
	if c.maxScrollW > 0 {
		if sw, err := chromedp.Run(tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); err != nil || sw > c.maxScrollW {
			wide, _ := chromedp.Run(tab, chromedp.Evaluate[string](jsWide))
			t.Errorf("after the switch scrollWidth %d > %d (err %v): %s", sw, c.maxScrollW, err, wide)
		}
	}
	// The choice is remembered: a reload shows the same language.
	if err := chromedp.Do(tab, chromedp.Reload()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang`)); err != nil || got != other {
		t.Errorf("after a reload the page shows %q (err %v), want the chosen %s", got, err, other)
	}
	// Forget it: the page opens in its default again.
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`localStorage.removeItem('civicscore.lang')`), chromedp.Reload()); err != nil {
		t.Fatalf("clear the stored choice: %v", err)
	}
	if got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang`)); err != nil || got != c.lang {
		t.Errorf("without a stored choice the page shows %q (err %v), want its default %s", got, err, c.lang)
	}
	waitPainted(t, tab, "after the reload")
}

// waitPainted waits up to 20 s until every chart of the page in tab has
// painted (jsAllPainted); when names the moment in the error.
func waitPainted(t *testing.T, tab context.Context, when string) {
	t.Helper()
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](jsAllPainted, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Errorf("charts not drawn %s within 20s: %v", when, err)
	}
}

// paintedCharts waits until the charts of the page in tab have painted
// and returns the state of each (jsCharts).
func paintedCharts(t *testing.T, tab context.Context) []chartState {
	t.Helper()
	waitPainted(t, tab, "on opening")
	raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](jsCharts))
	if err != nil {
		t.Fatalf("inspect charts: %v", err)
	}
	var states []chartState
	if err := json.Unmarshal(raw, &states); err != nil {
		t.Fatalf("decode chart states %s: %v", raw, err)
	}
	return states
}
