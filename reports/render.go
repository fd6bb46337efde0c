package reports

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

// The chart library is fetched by `make assets` (never committed) and
// embedded here, so the binary carries everything a report needs.
//
//go:embed assets/style.css assets/civicscore.js assets/vendor/echarts.min.js assets/vendor/ECHARTS_LICENSE
var assetFS embed.FS

// assetFiles maps each file written to the report's assets/ folder to its
// embedded source. Pages refer to them by relative path only.
var assetFiles = []struct{ dst, src string }{
	{"assets/echarts.min.js", "assets/vendor/echarts.min.js"},
	{"assets/ECHARTS_LICENSE.txt", "assets/vendor/ECHARTS_LICENSE"},
	{"assets/style.css", "assets/style.css"},
	{"assets/civicscore.js", "assets/civicscore.js"},
}

// Render writes the report for d into dir, which must exist (the caller
// creates it fresh): index.html (the district report), streets/<street>.html,
// communities.html and communities.csv (every indicator), ranking.html,
// methodology.html, data-quality.html, scorecards/<community>.html (each
// printing as an A4 poster) and the shared assets/. Pages are rendered by
// opts.Workers goroutines. Render only reads d. On error some files may
// already be written; the caller discards dir.
func Render(dir string, d *Data, opts Options) error {
	_, err := RenderStats(dir, d, opts)
	return err
}

// PageStats describes the pages of one page type Render wrote.
type PageStats struct {
	// Type names the page type: index, street, table, csv, quality,
	// ranking, methodology or scorecard.
	Type string
	// Public says whether `civicscore publish` copies these pages.
	Public bool
	// Pages is the number of files written, Bytes their total size.
	Pages int
	Bytes int64
	// Time is the time spent building, executing and writing them, summed
	// over the pages (pages render concurrently, so the wall time of a
	// Render is less than the sum over page types).
	Time time.Duration
}

// RenderStats is Render that also reports, per page type in registry
// order, how many pages it wrote, their size and the time they took.
func RenderStats(dir string, d *Data, opts Options) ([]PageStats, error) {
	if d == nil {
		return nil, errors.New("reports: render: no data")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("reports: render: output folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("reports: render: output %s is not a folder", dir)
	}
	rc, err := newRenderCtx(d, o)
	if err != nil {
		return nil, fmt.Errorf("reports: render: %w", err)
	}
	tmpls, err := parseTemplates(o.Lang)
	if err != nil {
		return nil, fmt.Errorf("reports: render: %w", err)
	}
	for _, sub := range []string{"assets", dirScorecards, dirStreets} {
		if err := mkdirLocal(dir, sub); err != nil {
			return nil, fmt.Errorf("reports: render: %w", err)
		}
	}
	if err := writeAssets(dir); err != nil {
		return nil, fmt.Errorf("reports: render: %w", err)
	}

	type job struct {
		tmpl *template.Template
		kind int
		page page
	}
	stats := make([]PageStats, len(pageTypes))
	var jobs []job
	for k, pt := range pageTypes {
		stats[k] = PageStats{Type: pt.name, Public: pt.public}
		for _, pg := range pt.pages(rc) {
			jobs = append(jobs, job{tmpl: tmpls[pt.name], kind: k, page: pg})
		}
	}

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return firstErr != nil }
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	queue := make(chan job)
	workers := min(o.Workers, max(len(jobs), 1))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for j := range queue {
				if failed() {
					continue
				}
				buf.Reset()
				start := time.Now()
				if err := renderPage(dir, j.tmpl, j.page, &buf); err != nil {
					fail(fmt.Errorf("reports: render %s page %s: %w", pageTypes[j.kind].name, j.page.path, err))
					continue
				}
				took := time.Since(start)
				mu.Lock()
				stats[j.kind].Pages++
				stats[j.kind].Bytes += int64(buf.Len())
				stats[j.kind].Time += took
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return stats, nil
}

// renderPage builds one page's view, executes its template into buf and
// writes the file.
func renderPage(dir string, t *template.Template, pg page, buf *bytes.Buffer) error {
	if pg.raw != nil {
		b, err := pg.raw()
		if err != nil {
			return err
		}
		buf.Write(b)
	} else {
		view, err := pg.build()
		if err != nil {
			return err
		}
		if err := t.ExecuteTemplate(buf, "layout.html", view); err != nil {
			return fmt.Errorf("execute template: %w", err)
		}
	}
	p, err := localPath(dir, pg.path)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// localPath joins the slash-separated rel onto dir, refusing anything that
// could land outside dir: absolute paths, "..", empty names, and names
// Windows reserves.
func localPath(dir, rel string) (string, error) {
	if rel == "" || path.Clean(rel) != rel || !filepath.IsLocal(filepath.FromSlash(rel)) {
		return "", fmt.Errorf("unsafe output path %q", rel)
	}
	return filepath.Join(dir, filepath.FromSlash(rel)), nil
}

// mkdirLocal creates dir/sub, refusing an existing symlink there.
func mkdirLocal(dir, sub string) error {
	p, err := localPath(dir, sub)
	if err != nil {
		return err
	}
	if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", sub, err)
	}
	st, err := os.Lstat(p)
	if err != nil {
		return fmt.Errorf("create %s: %w", sub, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("create %s: exists and is not a folder", sub)
	}
	return nil
}

// writeAssets writes the shared scripts and style sheet, once per report.
func writeAssets(dir string) error {
	for _, a := range assetFiles {
		b, err := assetFS.ReadFile(a.src)
		if err != nil {
			return fmt.Errorf("embedded asset %s: %w", a.src, err)
		}
		p, err := localPath(dir, a.dst)
		if err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return fmt.Errorf("write asset %s: %w", a.dst, err)
		}
	}
	return nil
}

// parseTemplates parses, for each page type, layout.html, partials.html and
// the page type's own template, with the text functions bound to lang.
func parseTemplates(lang string) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"t": func(key string, args ...any) string { return tr(lang, key, args...) },
	}
	out := make(map[string]*template.Template, len(pageTypes))
	for _, pt := range pageTypes {
		if pt.template == "" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", "templates/"+pt.template)
		if err != nil {
			return nil, fmt.Errorf("parse templates of %s pages: %w", pt.name, err)
		}
		out[pt.name] = t
	}
	return out, nil
}
