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
// communities.html and communities.csv (every indicator), the bureau's
// workbook civicscore.xlsx (WriteWorkbook), ranking.html,
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
	// Type names the page type: index, street, table, csv, workbook, quality,
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
	var rcs [len(pageLangs)]*renderCtx
	var tmpls [len(pageLangs)]map[string]*template.Template
	for i, lang := range pageLangs {
		if rcs[i], err = newRenderCtx(d, o.inLang(lang)); err != nil {
			return nil, fmt.Errorf("reports: render: %w", err)
		}
		if tmpls[i], err = parseTemplates(lang); err != nil {
			return nil, fmt.Errorf("reports: render: %w", err)
		}
	}
	for _, sub := range []string{"assets", dirScorecards, dirStreets} {
		if err := mkdirLocal(dir, sub); err != nil {
			return nil, fmt.Errorf("reports: render: %w", err)
		}
	}
	if err := writeAssets(dir); err != nil {
		return nil, fmt.Errorf("reports: render: %w", err)
	}

	stats := make([]PageStats, len(pageTypes))
	var jobs []pageJob
	for k, pt := range pageTypes {
		stats[k] = PageStats{Type: pt.name, Public: pt.public}
		def := langIndex(o.Lang)
		if pt.resident {
			def = langIndex(LangZH)
		}
		var byLang [len(pageLangs)][]page
		for i := range pageLangs {
			if pt.template == "" && i != def {
				continue // raw files are written once, from the default language
			}
			byLang[i] = pt.pages(rcs[i])
		}
		for n, pg := range byLang[def] {
			j := pageJob{kind: k, def: def, path: pg.path}
			for i := range pageLangs {
				if pt.template == "" {
					j.pages[i] = pg
					continue
				}
				if n >= len(byLang[i]) || byLang[i][n].path != pg.path {
					return nil, fmt.Errorf("reports: render: %s pages differ between languages", pt.name)
				}
				j.pages[i] = byLang[i][n]
				j.tmpls[i] = tmpls[i][pt.name]
			}
			jobs = append(jobs, j)
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
	queue := make(chan pageJob)
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
				if err := renderPage(dir, j, &buf); err != nil {
					fail(fmt.Errorf("reports: render %s page %s: %w", pageTypes[j.kind].name, j.path, err))
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

// pageJob is one file to write: the page in every language (the same
// page for raw files), the templates of each language and which language
// the page opens in.
type pageJob struct {
	kind  int
	def   int // index in pageLangs of the language the page opens in
	path  string
	pages [len(pageLangs)]page
	tmpls [len(pageLangs)]*template.Template
}

// langIndex returns the index of lang in pageLangs (0 when absent).
func langIndex(lang string) int {
	for i, l := range pageLangs {
		if l == lang {
			return i
		}
	}
	return 0
}

// langID returns the element id an id written by a page in lang gets in
// the file: every language's body is in the same document, so the ids of
// all but the first language are prefixed with the language.
func langID(lang, id string) string {
	if lang == pageLangs[0] {
		return id
	}
	return lang + "-" + id
}

// htmlOpen is the opening <html> tag of a page that opens in lang. Publish
// rewrites it to open the copied pages in Chinese.
func htmlOpen(lang string) string {
	return `<html lang="` + lang + `" data-lang="` + lang + `" data-default-lang="` + lang + `">`
}

// langBody is one language's part of a page.
type langBody struct {
	Lang  string
	Title string // the document title in this language
	HTML  template.HTML
}

// shellView is what layout.html's frame reads: the parts of every
// language and the charts of each.
type shellView struct {
	Open      template.HTML // the <html> tag, see htmlOpen
	Title     string        // the title of the language the page opens in
	Root      string
	HasCharts bool
	Bodies    []langBody
	ChartJSON template.JS // chart options by language, then container id
	ChartText template.JS // text the chart script needs, by language
}

// basePage is implemented by every page view (through the embedded
// pageCommon): it hands the frame its shared part.
type basePage interface{ base() pageCommon }

// renderPage builds the page's view in every language, executes each
// language's template into its body, wraps the bodies in the frame of
// layout.html and writes the file.
func renderPage(dir string, j pageJob, buf *bytes.Buffer) error {
	if raw := j.pages[j.def].raw; raw != nil {
		b, err := raw()
		if err != nil {
			return err
		}
		buf.Write(b)
	} else {
		sh := shellView{Open: template.HTML(htmlOpen(pageLangs[j.def]))}
		charts := make(map[string]map[string]*chartOption, len(pageLangs))
		texts := make(map[string]map[string]string, len(pageLangs))
		var body bytes.Buffer
		for i, lang := range pageLangs {
			view, err := j.pages[i].build()
			if err != nil {
				return err
			}
			bp, ok := view.(basePage)
			if !ok {
				return fmt.Errorf("view %T lacks the page's common part", view)
			}
			pc := bp.base()
			body.Reset()
			if err := j.tmpls[i].ExecuteTemplate(&body, "body", view); err != nil {
				return fmt.Errorf("execute template (%s): %w", lang, err)
			}
			sh.Bodies = append(sh.Bodies, langBody{Lang: lang, Title: pc.DocTitle(), HTML: template.HTML(body.String())})
			cs := make(map[string]*chartOption, len(pc.charts))
			for id, opt := range pc.charts {
				cs[langID(lang, id)] = opt
			}
			charts[lang] = cs
			texts[lang] = pc.text
			if i == j.def {
				sh.Title, sh.Root = pc.DocTitle(), pc.Root
			}
			sh.HasCharts = sh.HasCharts || len(pc.charts) > 0
		}
		var err error
		if sh.ChartJSON, err = jsonJS(charts); err != nil {
			return err
		}
		if sh.ChartText, err = jsonJS(texts); err != nil {
			return err
		}
		if err := j.tmpls[j.def].ExecuteTemplate(buf, "layout.html", sh); err != nil {
			return fmt.Errorf("execute template: %w", err)
		}
	}
	p, err := localPath(dir, j.path)
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
// the page type's own template, with the functions bound to lang: t looks
// a message up in lang, id makes an element id unique among the languages
// of the page (write every id="…" of a template as id="{{id "…"}}").
func parseTemplates(lang string) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"t":  func(key string, args ...any) string { return tr(lang, key, args...) },
		"id": func(id string) string { return langID(lang, id) },
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
