package reports

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicscore/civicscore/config"
	"github.com/civicscore/civicscore/store"
)

// The fair comparison in a real browser: the district report and a
// scorecard at 1280 and 390 px draw the funnel plots, the control charts
// and the rank range, with no console error and, on the phone, no
// sideways scroll.

// comparisonExpect says what a report must show: each display is required
// when the database holds rows for it.
type comparisonExpect struct {
	scorecard string // the scorecard to open, relative to the report
	funnels   bool   // funnel plots on the district report
	control   bool   // control charts on the district report
	cardCtl   bool   // control charts on the scorecard
	rankRange string // text of the rank range the scorecard must show; "" none
}

// startBrowser starts headless chromium for a test and returns its
// context.
func startBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
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
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return browser
}

// drawnChart is what ECharts holds for one chart of a page.
type drawnChart struct {
	ID     string        `json:"id"`
	Series []drawnSeries `json:"series"`
}

type drawnSeries struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	N    int    `json:"n"`
}

// jsDrawn lists the charts ECharts drew, with their series.
const jsDrawn = `(window.civicscoreCharts || []).map(function (c) {
  return {id: c.getDom().id, series: (c.getOption().series || []).map(function (s) {
    return {id: String(s.id || ''), type: s.type, n: (s.data || []).filter(function (d) { return d !== '-'; }).length};
  })};
})`

func (c drawnChart) series(id string) (drawnSeries, bool) {
	for _, s := range c.Series {
		if s.ID == id {
			return s, true
		}
	}
	return drawnSeries{}, false
}

// checkComparisonInBrowser opens the district report and the scorecard of
// the report in dir at 1280 and 390 px and checks what want requires.
func checkComparisonInBrowser(t *testing.T, exe, dir string, want comparisonExpect) {
	browser := startBrowser(t, exe)
	type view struct {
		name, file string
		width      int64
		card       bool
	}
	var views []view
	for _, w := range []int64{1280, 390} {
		views = append(views, view{"index-" + itoa(w), fileIndex, w, false}, view{"scorecard-" + itoa(w), want.scorecard, w, true})
	}
	for _, v := range views {
		t.Run(v.name, func(t *testing.T) {
			w := &pageWatch{}
			tab, cancelTab := chromedp.NewContext(browser, chromedp.WithListener(w.listener()))
			defer cancelTab()
			w.setTab(tab)
			vp := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
			if v.width < 500 {
				vp = append(vp, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			if err := chromedp.Do(tab, chromedp.EmulateViewport(v.width, 900, vp...),
				chromedp.Navigate(fileURL(filepath.Join(dir, v.file)))); err != nil {
				t.Fatalf("open %s: %v", v.file, err)
			}
			states := paintedCharts(t, tab)
			for _, s := range states {
				if !s.Canvas || s.Width == 0 || s.Painted <= 0 {
					t.Errorf("chart %s not drawn: %+v", s.ID, s)
				}
			}
			raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](jsDrawn))
			if err != nil {
				t.Fatalf("inspect ECharts: %v", err)
			}
			var drawn []drawnChart
			if err := json.Unmarshal(raw, &drawn); err != nil {
				t.Fatalf("decode %s: %v", raw, err)
			}
			funnels, controls := 0, 0
			for _, c := range drawn {
				dots, okDots := c.series("s0")
				band, okBand := c.series("band-lo95")
				if strings.Contains(c.ID, "-funnel-") && okDots && dots.Type == "scatter" && dots.N > 0 && okBand && band.N > 0 {
					funnels++
				}
				centre, okC := c.series("centre")
				upper, okU := c.series("upper")
				if okC && okU && centre.N > 0 && upper.N > 0 {
					controls++
				}
			}
			if !v.card && want.funnels && funnels == 0 {
				t.Errorf("the database holds funnel points, the district report draws no funnel plot: %s", raw)
			}
			if !v.card && want.control && controls == 0 {
				t.Errorf("the database holds control-chart points, the district report draws no control chart: %s", raw)
			}
			if v.card && want.cardCtl && controls == 0 {
				t.Errorf("the database holds the community's control-chart points, its scorecard draws none: %s", raw)
			}
			body, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
			if err != nil {
				t.Fatal(err)
			}
			if v.card && want.rankRange != "" && !strings.Contains(body, want.rankRange) {
				t.Errorf("scorecard lacks the rank range %q", want.rankRange)
			}
			if !v.card && want.funnels {
				// Hover the first community of the first funnel: the
				// tooltip names it with its sample size.
				tip, err := chromedp.Run(tab, chromedp.Evaluate[string](`(function () {
  var c = (window.civicscoreCharts || []).filter(function (c) { return c.getDom().id.indexOf('-funnel-') >= 0; })[0];
  if (!c) return '';
  c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0});
  return c.getDom().innerText;
})()`))
				if err != nil || !strings.Contains(tip, tr(LangZH, "sample", "")) {
					t.Errorf("funnel tooltip %q (err %v) lacks the sample size", tip, err)
				}
			}
			if v.width < 500 {
				sw, err := chromedp.Run(tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
				if err != nil {
					t.Fatal(err)
				}
				if sw > v.width {
					wide, _ := chromedp.Run(tab, chromedp.Evaluate[string](jsWide))
					t.Errorf("scrollWidth %d > %d: the page scrolls sideways on a phone; too wide: %s", sw, v.width, wide)
				}
			}
			if s := os.Getenv("CIVICSCORE_SCREENSHOT_DIR"); s != "" {
				if shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err == nil {
					_ = os.WriteFile(filepath.Join(s, "comparison-"+v.name+".png"), shot, 0o644)
				}
			}
			time.Sleep(200 * time.Millisecond)
			problems, dialogs, _ := w.snapshot()
			for _, p := range problems {
				t.Errorf("%s", p)
			}
			if len(dialogs) > 0 {
				t.Errorf("dialogs opened: %v", dialogs)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestBrowserComparison renders the computed fixture with the inserted
// comparison rows (comparison_test.go) and finds every display drawn.
func TestBrowserComparison(t *testing.T) {
	exe := browserOrSkip(t)
	db := comparisonDB(t)
	d, err := Load(context.Background(), db, testOpts(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	dir := render(t, d, Options{})
	var rank int
	if err := db.QueryRow(`SELECT rank FROM indicator_values WHERE run_id = 'stored' AND unit_id = 'C1'
		AND indicator = 'resident_score' AND period = '2025-04'`).Scan(&rank); err != nil {
		t.Fatal(err)
	}
	checkComparisonInBrowser(t, exe, dir, comparisonExpect{scorecard: "scorecards/C1.html", funnels: true, control: true, cardCtl: true,
		rankRange: tr(LangZH, "rank_range", rank, 4, 1, 4, "", "", "")})
}

// TestBrowserDemo opens the report of the demo's database — `make demo`
// writes it to civicscore-demo/ (or set CIVICSCORE_DEMO_DIR) — rendered
// afresh by this package, and requires each comparison display for which
// the database holds rows (counted here in SQL, apart from Load). Without
// a demo database the test is skipped; a demo of another schema version
// fails it (run `make demo` again).
func TestBrowserDemo(t *testing.T) {
	exe := browserOrSkip(t)
	demoDir := os.Getenv("CIVICSCORE_DEMO_DIR")
	if demoDir == "" {
		demoDir = filepath.Join("..", "civicscore-demo")
	}
	src := filepath.Join(demoDir, store.DatabaseFile)
	if _, err := os.Stat(src); err != nil {
		t.Skipf("no demo database at %s (%v): run `make demo` or set CIVICSCORE_DEMO_DIR", src, err)
	}
	// A copy: the demo's own file is never opened for writing.
	path := filepath.Join(t.TempDir(), store.DatabaseFile)
	if err := copyFile(src, path); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sdb, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open the demo database: %v", err)
	}
	t.Cleanup(func() { sdb.Close() })
	db := sdb.DB
	minN := config.Default().Thresholds.MinN
	var cfgMinN sql.NullInt64
	_ = db.QueryRow(`SELECT TRY_CAST(json_extract_string(config_json, '$.thresholds.min_n') AS INTEGER) FROM runs
		ORDER BY started_at DESC LIMIT 1`).Scan(&cfgMinN)
	if cfgMinN.Valid && cfgMinN.Int64 > 0 {
		minN = int(cfgMinN.Int64)
	}
	d, err := Load(ctx, db, Options{MinN: minN})
	if errors.Is(err, ErrSchemaVersion) {
		t.Fatalf("the demo database is of another schema version: run `make demo` again: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if d.RunID == "" || len(d.Months) == 0 {
		t.Fatal("the demo database holds no computed run")
	}
	latest := d.Months[len(d.Months)-1]
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	var want comparisonExpect
	want.funnels = count(`SELECT count(*) FROM funnel_points WHERE run_id = ? AND period_type = 'month' AND period = ?
		AND indicator IN ('satisfaction_rate', 'callback_satisfaction_rate', 'on_time_rate', 'escalation_share')
		AND value IS NOT NULL AND denominator >= ?`, d.RunID, latest, minN) > 0
	want.control = count(`SELECT count(*) FROM spc_points WHERE run_id = ? AND level = 'district'
		AND indicator IN ('satisfaction_rate', 'callback_satisfaction_rate', 'on_time_rate', 'escalation_share')`, d.RunID) > 0
	// The scorecard: a community with a rank interval, else the first.
	var card string
	var rank, low, high, units sql.NullInt64
	err = db.QueryRow(`SELECT r.unit_id, r.rank, r.rank_low, r.rank_high, r.units FROM rank_intervals AS r
		JOIN indicator_values AS v ON v.run_id = r.run_id AND v.period_type = r.period_type AND v.period = r.period
		 AND v.level = 'community' AND v.unit_id = r.unit_id AND v.indicator = r.indicator AND NOT v.suppressed
		WHERE r.run_id = ? AND r.period_type = 'month' AND r.period = ? AND r.indicator = 'resident_score' AND r.rank IS NOT NULL
		  AND r.rank_low < r.rank_high
		ORDER BY r.unit_id LIMIT 1`, d.RunID, latest).Scan(&card, &rank, &low, &high, &units)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if len(d.Communities) == 0 {
			t.Fatal("the demo has no communities")
		}
		card = d.Communities[0].ID
	case err != nil:
		t.Fatal(err)
	default:
		want.rankRange = tr(LangZH, "rank_range", int(rank.Int64), int(units.Int64), int(low.Int64), int(high.Int64), "", "", "")
	}
	want.cardCtl = count(`SELECT count(*) FROM spc_points WHERE run_id = ? AND level = 'community' AND unit_id = ?
		AND indicator IN ('satisfaction_rate', 'on_time_rate')`, d.RunID, card) > 0
	want.scorecard = dirScorecards + "/" + scorecardFileName(card)
	t.Logf("demo run %s, %s: funnels %v, control charts %v, scorecard %s (control %v, rank range %q)",
		d.RunID, latest, want.funnels, want.control, card, want.cardCtl, want.rankRange)
	dir := render(t, d, Options{MinN: minN})
	checkComparisonInBrowser(t, exe, dir, want)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
