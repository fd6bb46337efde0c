package reports

import (
	"strings"

	"github.com/civicscore/civicscore"
)

// The page types of the report, the files they write, and the view pieces
// several pages share.

// pageType is one kind of page of the report. To add one, write its
// template in templates/ — defining the blocks "content" and optionally
// "scripts" that layout.html places — and append a pageType to pageTypes.
// A page type without a template writes raw files (page.raw).
type pageType struct {
	// name identifies the page type in errors and in RenderStats.
	name string
	// template is the file in templates/ holding the page's blocks; "" for
	// raw files.
	template string
	// public says whether `civicscore publish` copies these pages: only
	// what the public may see (scorecards, ranking, methodology) is.
	public bool
	// resident says whether the pages are the residents' own (scorecards
	// and their posters): they open in Chinese whatever report.lang says;
	// the other pages open in Options.Lang.
	resident bool
	// pages lists the pages of this type to write.
	pages func(rc *renderCtx) []page
}

// page is one file to write: its path and how to build its view.
type page struct {
	// path is slash-separated and relative to the report folder; it must
	// be local (no "..", not absolute).
	path string
	// build returns the template's data. It runs in a worker goroutine and
	// must only read the renderCtx.
	build func() (any, error)
	// raw, when set instead of build, returns the file's bytes as they are
	// (the CSV download).
	raw func() ([]byte, error)
}

// pageTypes is the registry of page types Render writes.
var pageTypes = []pageType{
	{name: "index", template: "index.html", pages: indexPages},
	{name: "street", template: "street.html", pages: streetPages},
	{name: "table", template: "table.html", pages: tablePages},
	{name: "csv", pages: csvPages},
	{name: "workbook", pages: workbookPages},
	{name: "quality", template: "quality.html", pages: qualityPages},
	{name: "ranking", template: "ranking.html", public: true, pages: rankingPages},
	{name: "methodology", template: "methodology.html", public: true, pages: methodologyPages},
	{name: "scorecard", template: "scorecard.html", public: true, resident: true, pages: scorecardPages},
}

// Files of the report besides the per-unit pages.
const (
	fileIndex       = "index.html"
	fileTable       = "communities.html"
	fileCSV         = "communities.csv"
	fileQuality     = "data-quality.html"
	fileRanking     = "ranking.html"
	fileMethodology = "methodology.html"
	dirScorecards   = "scorecards"
	dirStreets      = "streets"
)

// nav returns the navigation bar of a page at depth, marking current. The
// public pages (public = true) link only to public pages, so a published
// folder has no dead link.
func (rc *renderCtx) nav(depth int, current string, public bool) []navLink {
	root := strings.Repeat("../", depth)
	items := []struct{ file, key string }{
		{fileIndex, "nav_report"}, {fileTable, "nav_table"}, {fileRanking, "nav_ranking"},
		{fileMethodology, "nav_methodology"}, {fileQuality, "nav_quality"},
	}
	var out []navLink
	for _, it := range items {
		if public && it.file != fileRanking && it.file != fileMethodology {
			continue
		}
		out = append(out, navLink{Href: root + it.file, Text: tr(rc.lang, it.key), Current: it.file == current})
	}
	return out
}

// reportPeriod is the period of the distribution charts: the latest full
// quarter (else year), else the latest month.
func (rc *renderCtx) reportPeriod() civicscore.Period {
	if rc.full.Label != "" {
		return rc.full
	}
	return rc.latest
}

type chartRef struct {
	ID     string
	Title  string
	Height int
}

type column struct {
	Name    string
	Title   string
	Numeric bool
}

type rowView struct {
	Name     string
	Street   string
	District string
	Href     string
	Cells    []cell
}

type linkItem struct {
	Name string
	Href string
	Note string
}
