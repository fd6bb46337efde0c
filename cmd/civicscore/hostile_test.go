package main

// Hostile text end to end: strings from the data and the config
// reach HTML pages, chart labels and tooltips, the CSV download, file
// names and SQL. Each must stay inert: shown as text, never run, never
// leaving the output folder, never spliced into SQL.

import (
	"context"
	"encoding/csv"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/civicscore/civicscore/store"
)

// Payloads set window.__xss if they ever run.
const (
	xssScript   = `</script><script>window.__xss='script'</script>`
	xssImg      = `"><img src=x onerror="window.__xss='img'">`
	xssSVG      = `<svg onload=window.__xss='svg'>`
	xssJSString = `';window.__xss='js';'`
	xssTemplate = `{{.}}${window.__xss='tpl'}`
	sqlDrop     = `'); DROP TABLE cases; --`
	formulaEq   = `=HYPERLINK("http://evil.example/","点我")`
)

// hostileData writes the corpus base data set into dir with hostile text
// in names, ids, categories, headers, file names and config, and returns
// the config path.
func hostileData(t *testing.T, dir string) string {
	t.Helper()
	copyTree(t, filepath.Join(badDir, "base"), dir)
	os.Remove(filepath.Join(dir, "config.yaml"))
	// Communities: hostile names, ids that try to leave the output folder.
	editLines(t, dir, "communities.csv", func(i int, l string) string {
		f := strings.Split(l, ",")
		switch i {
		case 1: // C1
			f[0] = "../../escape-c"
			f[1] = q(xssScript)
			f[3] = q(xssImg)
			f[5] = q(xssSVG)
		case 2: // C2
			f[0] = "/tmp/civicscore-abs-escape"
			f[1] = q(formulaEq)
			f[2] = "../../escape-s"
			f[3] = q(xssJSString)
		case 3: // C3
			f[0] = `..\..\escape-w`
			f[1] = q(xssTemplate)
			f[3] = "+1+1"
			f[5] = "@SUM(A1)"
		}
		return strings.Join(f, ",")
	})
	ids := map[string]string{"C1": "../../escape-c", "C2": "/tmp/civicscore-abs-escape", "C3": `..\..\escape-w`}
	for _, name := range []string{"cases.csv", "services.csv", "surveys.csv"} {
		editLines(t, dir, name, func(i int, l string) string {
			f := strings.Split(l, ",")
			if i > 0 && len(f) > 1 {
				f[1] = q(ids[f[1]])
			}
			return strings.Join(f, ",")
		})
	}
	// Cases: hostile categories (chart labels), a hostile extra header, a
	// header with quotes mapped in config, a personal column with a quote.
	editLines(t, dir, "cases.csv", func(i int, l string) string {
		f := strings.Split(l, ",")
		switch {
		case i == 0:
			f[4] = q(`事件'类别"`)
			return strings.Join(f, ",") + "," + q(`x'); DROP TABLE cases; --`) + "," + q(`备注'"`)
		case l == "":
			return l
		case i%3 == 0:
			f[4] = q(sqlDrop)
		case i%3 == 1:
			f[4] = q(xssSVG)
		}
		return strings.Join(f, ",") + "," + q(xssImg) + "," + q("私密'备注")
	})
	// The cases file's name and the data folder hold quotes.
	if err := os.Rename(filepath.Join(dir, "cases.csv"), filepath.Join(dir, `ca'ses "2025".csv`)); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	writeFile(t, dir, "config.yaml", []byte(`out: "out'put"
inputs:
  communities: communities.csv
  cases: "ca'ses \"2025\".csv"
  services: services.csv
  surveys: surveys.csv
mapping:
  cases:
    category: ["事件'类别\""]
personal:
  cases: ["备注'\""]
sla:
  default_hours: 72
  by_category:
    "'); DROP TABLE cases; --": 200
report:
  title: "</title><script>window.__xss='title'</script>"
thresholds:
  min_n: 5
`))
	return cfg
}

// q quotes a CSV field.
func q(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func TestHostileTextEndToEnd(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, `da'ta "x"`)
	cfg := hostileData(t, dir)
	os.RemoveAll("/tmp/civicscore-abs-escape.html")
	code, stderr := runGuarded(t, 2*time.Minute, "run", "--config", cfg)
	if code != 0 {
		t.Fatalf("run: exit %d:\n%s", code, tail(stderr, 3000))
	}
	out := filepath.Join(dir, "out'put")

	t.Run("SQL: data and config are values, never SQL", func(t *testing.T) {
		db, err := store.Open(context.Background(), filepath.Join(out, store.DatabaseFile), store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n, drop, slaOK, extras int
		var file string
		if err := db.QueryRowContext(context.Background(), `SELECT count(*),
			count(*) FILTER (WHERE category = $1),
			count(*) FILTER (WHERE category = $1 AND due_at = reported_at + INTERVAL 200 HOUR),
			count(*) FILTER (WHERE extra->>$2 = $3),
			any_value(source_file)
			FROM cases`, sqlDrop, `x'); DROP TABLE cases; --`, xssImg).Scan(&n, &drop, &slaOK, &extras, &file); err != nil {
			t.Fatal(err)
		}
		if n != 30 || drop != 10 || slaOK != 10 || extras != 30 {
			t.Errorf("cases %d (want 30), category %q %d (want 10), with its 200 h SLA %d (want 10), hostile extra column kept %d (want 30)", n, sqlDrop, drop, slaOK, extras)
		}
		if !strings.HasSuffix(file, `ca'ses "2025".csv`) || !strings.Contains(file, `da'ta "x"`) {
			t.Errorf("source_file = %q", file)
		}
		var personal int
		db.QueryRowContext(context.Background(), `SELECT count(*) FROM cases WHERE extra::VARCHAR LIKE '%私密%'`).Scan(&personal)
		if personal != 0 {
			t.Errorf("the column named in personal (with quotes in its name) was kept in %d rows", personal)
		}
		var ids string
		db.QueryRowContext(context.Background(), `SELECT string_agg(community_id, ' ' ORDER BY community_id) FROM communities`).Scan(&ids)
		if ids != `../../escape-c ..\..\escape-w /tmp/civicscore-abs-escape` {
			t.Errorf("community ids = %q, want them as given", ids)
		}
	})

	// Every file written is inside the output folder.
	t.Run("file names: ids never leave the output folder", func(t *testing.T) {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			if !strings.HasPrefix(rel, "out'put"+string(filepath.Separator)) && filepath.Dir(rel) != "." {
				t.Errorf("file outside the output folder: %s", p)
			}
			if strings.Contains(d.Name(), "escape") && !strings.HasPrefix(rel, filepath.Join("out'put", "report")+string(filepath.Separator)) {
				t.Errorf("an id made the file %s", p)
			}
			return nil
		})
		for _, p := range []string{"/tmp/civicscore-abs-escape.html", filepath.Join(root, "escape-c.html"), filepath.Join(root, "escape-s.html")} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("%s was written", p)
			}
		}
		cards, _ := filepath.Glob(filepath.Join(out, "report", "scorecards", "*.html"))
		streets, _ := filepath.Glob(filepath.Join(out, "report", "streets", "*.html"))
		if len(cards) != 3 || len(streets) < 2 {
			t.Errorf("scorecards %v, street pages %v: want one per community and street", cards, streets)
		}
	})

	t.Run("HTML and scripts: every payload is text", func(t *testing.T) {
		var pages int
		filepath.WalkDir(filepath.Join(out, "report"), func(p string, d fs.DirEntry, err error) error {
			// Pages and what they load; the CSV download is data, checked below.
			if err != nil || d.IsDir() || strings.HasSuffix(p, "echarts.min.js") || strings.HasSuffix(p, ".csv") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			if strings.HasSuffix(p, ".html") {
				pages++
			}
			for _, bad := range []string{"<script>window.__xss", "<img src=x", "<svg onload", "</title><script>", `="window.__xss`} {
				if strings.Contains(s, bad) {
					i := strings.Index(s, bad)
					t.Errorf("%s holds %q unescaped: ...%s...", p, bad, s[max(0, i-80):min(len(s), i+80)])
				}
			}
			return nil
		})
		if pages < 8 {
			t.Errorf("only %d pages", pages)
		}
	})

	t.Run("CSV download: no cell is a formula", func(t *testing.T) {
		found := 0
		filepath.WalkDir(filepath.Join(out, "report"), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".csv") {
				return err
			}
			found++
			b, _ := os.ReadFile(p)
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			seen := false
			for _, r := range recs {
				for _, c := range r {
					if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
						t.Errorf("%s: cell %q would run as a formula", p, c)
					}
					seen = seen || c == "'"+formulaEq
				}
			}
			if !seen {
				t.Errorf("%s: the community named %q is not there, neutralised", p, formulaEq)
			}
			return nil
		})
		if found == 0 {
			t.Log("no CSV download in the report: nothing to check")
		}
	})

	t.Run("in a browser: nothing runs, in pages, charts or tooltips", func(t *testing.T) {
		browserPagesInert(t, filepath.Join(out, "report"))
	})
}

// browserPagesInert opens every page of the report in headless Chromium,
// shows the tooltip of every data point of every chart, and fails if a
// payload ran (window.__xss set), a dialog opened, or a script error
// happened.
func browserPagesInert(t *testing.T, report string) {
	const exe = "/usr/bin/chromium"
	if os.Getenv("CIVICSCORE_SKIP_BROWSER") == "1" {
		t.Skip("CIVICSCORE_SKIP_BROWSER=1")
	}
	if _, err := exec.LookPath(exe); err != nil {
		t.Skipf("no %s (make browser installs it); the static checks above still ran", exe)
	}
	var files []string
	filepath.WalkDir(report, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			files = append(files, p)
		}
		return err
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(exe), chromedp.Flag("headless", true),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true))
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	hostileTips := 0
	for _, f := range files {
		rel, _ := filepath.Rel(report, f)
		var mu sync.Mutex
		var dialogs []string
		var tab context.Context
		tab, cancelTab := chromedp.NewContext(browser, chromedp.WithListener(func(ev any) {
			if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
				mu.Lock()
				dialogs = append(dialogs, e.Message)
				mu.Unlock()
				go chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}
		}))
		if err := chromedp.Do(tab, chromedp.Navigate("file://"+f)); err != nil {
			cancelTab()
			t.Errorf("%s: %v", rel, err)
			continue
		}
		time.Sleep(300 * time.Millisecond)
		tips, err := chromedp.Run(tab, chromedp.Evaluate[string](`(function () {
  var texts = [];
  (window.civicscoreCharts || []).forEach(function (c) {
    var o = c.getOption();
    (o.series || []).forEach(function (s, si) {
      var n = (s.data || []).length;
      for (var i = 0; i < n; i++) {
        c.dispatchAction({type: 'showTip', seriesIndex: si, dataIndex: i});
        texts.push(c.getDom().innerText);
      }
      c.dispatchAction({type: 'hideTip'});
    });
  });
  return texts.join('\n');
})()`))
		if err != nil {
			t.Errorf("%s: tooltips: %v", rel, err)
		}
		time.Sleep(100 * time.Millisecond)
		ran, err := chromedp.Run(tab, chromedp.Evaluate[string](`String(window.__xss === undefined ? '' : window.__xss)`))
		cancelTab()
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if ran != "" {
			t.Errorf("%s: a payload ran: window.__xss = %q", rel, ran)
		}
		mu.Lock()
		if len(dialogs) > 0 {
			t.Errorf("%s: dialogs opened: %v", rel, dialogs)
		}
		mu.Unlock()
		if strings.Contains(tips, "window.__xss") || strings.Contains(tips, "DROP TABLE") {
			hostileTips++
		}
	}
	// The hostile names and categories are chart labels: their tooltips
	// showed them, as text.
	t.Logf("%d pages, %d with a hostile label shown as text in a tooltip", len(files), hostileTips)
	if hostileTips == 0 {
		t.Errorf("no tooltip showed a hostile label: the check did not reach the charts")
	}
}
