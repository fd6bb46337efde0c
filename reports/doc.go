// Package reports turns the indicator table of a civicscore run into the
// offline HTML report: the district report (index.html) for the people who
// run the district, and one residents' scorecard per community
// (scorecards/<community>.html) for the people who live there.
//
// The package has two halves. [Load] reads what the pages need from the
// DuckDB database with a small, fixed number of set-based queries (one per
// data block: run, units, indicator registry, aggregate values, community
// values) into plain Go values ([Data]). [Render] writes the pages from a
// [Data], concurrently, with html/template; it never touches the database, so
// tests and other tools can build a Data in Go.
//
// Every page works opened from disk (file://) and offline: the chart library
// (ECharts, embedded in the binary) and the style sheet are written once to
// assets/ and referenced by relative paths; no page names a remote URL.
// Chart options are built with go-echarts but serialised by encoding/json
// (which escapes <, > and &) and handed to a small local script, so names
// from the data can never break out of a <script> element.
//
// Small samples are never dressed up as findings: a value marked suppressed,
// or resting on fewer than Options.MinN rows, is shown as "样本不足" (too few
// responses) with neither its value nor its count.
//
// New page types (street pages, methodology, data quality, posters) are added
// by registering a pageType in pages.go with its template in templates/.
package reports
