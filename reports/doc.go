// Package reports turns the indicator table of a civicscore run into the
// offline HTML report, for three audiences: the civil-affairs analyst (the
// district report index.html, a page per street under streets/, the table
// of every indicator communities.html with its CSV download, and the
// internal data-quality page), the resident (one scorecard per community
// under scorecards/, readable on a phone, which prints as an A4
// notice-board poster with a QR code of the survey link), and anyone who
// asks how a figure was made (methodology.html, generated from the same
// indicator registry the SQL was made from, with the score weights the run
// used and the suppression and shrinkage rules in plain words). The public
// ranking (ranking.html), the methodology and the scorecards are the only
// pages Publish copies for a static web host.
//
// The package has two halves. [Load] checks that the database holds the
// schema of this civicscore's migrations (refusing another version with
// [ErrSchemaVersion]) and reads what the pages need with a small, fixed
// number of set-based queries over the migrations' columns — one per data
// block, whatever the number of communities: the run, the units, the
// indicator registry (the indicators table, completed from
// metrics.Registry: short names, plain words, score components), the
// street and district values, the community values, the companion tables
// of the score (indicator_changes, follow_up, score_components with the
// weights the run used), the case categories and the data-quality record —
// into plain Go values ([Data]). [Render] writes the pages from a [Data],
// concurrently, with html/template; it never touches the database, so
// tests and other tools can build a Data in Go. [RenderStats] also reports
// each page type's pages, size and render time.
//
// Every page works opened from disk (file://) and offline: the chart library
// (ECharts, embedded in the binary) and the style sheet are written once to
// assets/ and referenced by relative paths; no page names a remote URL, the
// QR code is an inline SVG made by a Go library, and the optional map's
// boundaries are embedded as JSON. Chart options are plain Go values
// serialised by encoding/json (which escapes <, > and &) and handed to a
// small local script, so names from the data can never break out of a
// <script> element; every other data string goes through html/template.
//
// The pages compute no statistics: every value, interval, rank, change and
// Gini coefficient they show is the one metrics stored.
//
// The fair comparison (store/migrations/009_comparison.sql) is drawn as
// stored, and each display is left out when its table holds nothing for
// the run: the district report draws a funnel plot per resident-score
// component for the latest month (value against denominator; the 95% and
// 99.8% limits as lines through the communities' own stored limits in
// order of n, so the pages need no limits at n no community has; the
// target θ₀; communities below Options.MinN are not drawn, their limits
// are), and says in words, per measure, whether its rankability tells the
// district's communities apart (below 0.5 it does not). The monthly trends
// of the district, street and scorecard pages become control charts where
// spc_points holds the unit's series (special causes coloured blue for
// improvement and reddish purple for concern, never red, amber and green,
// the rule in the tooltip, "trial limits" in the title), else stay plain
// trends. Follow-up lists are shown in q-value order with the wording
// "worth a closer look" and the run's false-discovery rate (runs.config_json,
// else Options.FDR) once the run made them by q-value. The scorecard shows
// the rank as a range from rank_intervals, where each component lies
// against the district's normal range (funnel_points.flag in words, by the
// indicator's direction), and beside the crude rates the case-mix
// standardised rate and the weighted satisfaction when stored and not
// suppressed.
//
// The bureau's workbook (workbook.go, [WriteWorkbook], written by Render as
// civicscore.xlsx beside the pages and by `civicscore export`) is the same
// data for Excel, in a long layout — one row per unit × period × indicator on
// a sheet per level (communities, streets), for the latest month, quarter and
// year, with the value, its interval, the sample size, the rank and rank
// range, the change and its significance, the funnel flag and the follow-up
// lists — because an autofilter and a pivot table serve an Excel user better
// than some 200 columns of a wide sheet. Numbers are numbers with display
// formats (shares 0.0%, others 0.0), too few responses the text "样本不足",
// every data string a plain string cell (never a formula), the header row
// frozen with an autofilter, headers in Options.Lang, and a sheet of the
// registry's definitions. It is the bureau's and Publish does not copy it.
//
// Small samples are never dressed up as findings: a value marked suppressed,
// or resting on fewer than Options.MinN rows, is shown as "样本不足" (too few
// responses) with neither its value nor its count, and a change is drawn as
// an arrow only when metrics found it significant.
//
// Files: load*.go read the database, page_*.go build one page type each
// (page_types.go registers them), charts*.go make the chart options,
// indicators.go and score_weights.go describe indicators and the score, and
// render.go and publish.go write the folders. New page types are added by
// registering a pageType in page_types.go with its template in templates/.
package reports
