package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/metrics"
)

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
	{name: "quality", template: "quality.html", pages: qualityPages},
	{name: "ranking", template: "ranking.html", public: true, pages: rankingPages},
	{name: "methodology", template: "methodology.html", public: true, pages: methodologyPages},
	{name: "scorecard", template: "scorecard.html", public: true, pages: scorecardPages},
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

// ---- index.html: the district report ----

// Indicators of the district KPI tiles and the community table, in order.
var (
	tileIndicators  = []string{indResidentScore, indSatisfaction, indCallbackSat, indOnTime, indEscalation, indClosureGap, indThreeRates, indCaseVolume, indMedianResolution}
	tableIndicators = []string{indResidentScore, indSatisfaction, indCallbackSat, indOnTime, indEscalation, indClosureGap, indThreeRates, indCaseVolume, indMedianResolution}
	// areaTrendIndicators are the monthly trends of the district and street
	// reports.
	areaTrendIndicators = []string{indSatisfaction, indCallbackSat, indOnTime, indEscalation}
	// threeRatesIndicators are the columns of the 12345 三率 table.
	threeRatesIndicators = []string{indResponse12345, indResolution12345, indSatisfaction12345, indThreeRates}
)

type indexView struct {
	pageCommon
	LatestMonth string
	Overview    []districtView
	TrendCharts []chartRef
	BandNote    string
	Map         *chartRef
	MapNote     string
	Escalation  *chartRef
	EscNote     string
	Areas       []areaView
	ThreeRates  *rateTable
	Streets     []linkItem
	Columns     []column
	Rows        []rowView
	TableNote   string
}

type districtView struct {
	Name   string
	Groups []tileGroup
}

type tileGroup struct {
	Period string
	Tiles  []tile
}

type tile struct {
	Name string
	Dir  string
	Cell cell
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

// areaView is the analysis of one district or street: its ranking, funnel,
// heat map, case categories, satisfaction by dimension, equity, follow-up
// lists and closure gap. Charts are nil when their data is absent.
type areaView struct {
	Name         string
	Ranking      *chartRef
	RankNote     string
	Unranked     []string
	Funnel       *chartRef
	FunnelNote   string
	Heat         *chartRef
	HeatNote     string
	Categories   *chartRef
	CatNote      string
	Dimensions   *chartRef
	DimNote      string
	Equity       *chartRef
	Gini         string
	EquityNote   string
	FollowUp     []followList
	FollowNote   string
	ClosureGap   *chartRef
	GapNote      string
	ShowFollowUp bool
}

type followList struct {
	Title string
	Note  string
	Rows  []followRow
}

type followRow struct {
	Name   string
	Href   string
	Street string
	What   string
	Change string
}

// rateTable is the 12345 三率 table.
type rateTable struct {
	Period  string
	Columns []column
	Rows    []rowView
	Note    string
}

func indexPages(rc *renderCtx) []page {
	return []page{{path: fileIndex, build: rc.buildIndex}}
}

func (rc *renderCtx) buildIndex() (any, error) {
	v := &indexView{}
	cs := chartSet{}
	if rc.latest.Label != "" {
		v.LatestMonth = periodName(rc.latest, rc.lang)
	}
	for _, dist := range rc.districts {
		v.Overview = append(v.Overview, districtView{Name: dist.Name, Groups: rc.tileGroups(dist)})
	}

	// Monthly trends per district, with the Wilson interval as a band.
	for i, ind := range areaTrendIndicators {
		if !rc.presentAgg[ind] || len(rc.trend) == 0 {
			continue
		}
		inf := info(rc.d.Registry, ind, rc.lang)
		var ss []lineSeries
		for k, dist := range rc.districts {
			ss = append(ss, lineSeries{name: dist.Name, color: palette[k%len(palette)], band: len(rc.districts) <= 4,
				points: rc.series(dist, ind)})
		}
		id := fmt.Sprintf("chart-trend-%d", i)
		cs.add(id, lineChart(rc.trend, inf.Unit, ss))
		v.TrendCharts = append(v.TrendCharts, chartRef{ID: id, Title: inf.Name, Height: 280})
	}
	v.BandNote = tr(rc.lang, "band_note")

	if rc.geo != nil && rc.latest.Label != "" {
		inf := info(rc.d.Registry, rc.scoreInd, rc.lang)
		items := make([]mapItem, 0, len(rc.communities))
		for _, c := range rc.communities {
			items = append(items, mapItem{ID: c.ID, Name: c.Name, Value: rc.point(c, rc.scoreInd, rc.latest)})
		}
		cs.add("chart-map", choropleth(rc.geo, items, inf.Unit, inf.Name, tr(rc.lang, "low"), tr(rc.lang, "high")))
		v.Map = &chartRef{ID: "chart-map", Height: 520}
		v.MapNote = tr(rc.lang, "map_note", inf.Name, v.LatestMonth)
	}

	// The escalation split by resolution level, districts then streets.
	escPeriod := rc.reportPeriod()
	var escUnits []*Unit
	for _, dist := range rc.districts {
		escUnits = append(escUnits, dist)
		escUnits = append(escUnits, rc.streetsOf[dist.ID]...)
	}
	if opt, n := rc.escalationChart(escUnits, escPeriod); opt != nil {
		cs.add("chart-escalation", opt)
		v.Escalation = &chartRef{ID: "chart-escalation", Height: 90 + 34*n}
		v.EscNote = tr(rc.lang, "escalation_note", periodName(escPeriod, rc.lang))
	}

	for k, dist := range rc.districts {
		v.Areas = append(v.Areas, rc.area(dist, fmt.Sprintf("d%d", k), 0, cs))
	}

	var rateUnits []*Unit
	for _, dist := range rc.districts {
		rateUnits = append(rateUnits, dist)
		rateUnits = append(rateUnits, rc.streetsOf[dist.ID]...)
	}
	v.ThreeRates = rc.threeRates(rateUnits, func(u *Unit) string {
		if u.Level == civicscore.LevelStreet {
			return dirStreets + "/" + rc.streetFiles[u]
		}
		return ""
	})
	for _, st := range rc.streets {
		v.Streets = append(v.Streets, linkItem{Name: st.Name, Href: dirStreets + "/" + rc.streetFiles[st],
			Note: tr(rc.lang, "n_communities", len(rc.communitiesOf(st)))})
	}

	v.Columns, v.Rows = rc.communityTable(rc.communities, tableIndicators, 0)
	v.TableNote = tr(rc.lang, "communities_note", v.LatestMonth, rc.opts.MinN)

	common, err := rc.common(rc.opts.Title, 0, cs)
	if err != nil {
		return nil, err
	}
	common.Nav = rc.nav(0, fileIndex, false)
	v.pageCommon = common
	return v, nil
}

// tileGroups returns u's KPI tiles for the latest month and the latest
// full period.
func (rc *renderCtx) tileGroups(u *Unit) []tileGroup {
	var out []tileGroup
	periods := []civicscore.Period{rc.latest, rc.full}
	kinds := []string{"latest_month", rc.fullKind}
	for k, p := range periods {
		if p.Label == "" {
			continue
		}
		g := tileGroup{Period: tr(rc.lang, kinds[k]) + tr(rc.lang, "colon") + periodName(p, rc.lang)}
		for _, ind := range tileIndicators {
			if !u.Values.Has(ind) {
				continue
			}
			inf := info(rc.d.Registry, ind, rc.lang)
			g.Tiles = append(g.Tiles, tile{Name: inf.Name, Dir: rc.dirNote(inf), Cell: rc.valueIn(u, ind, p, modeReport)})
		}
		if len(g.Tiles) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// communityTable builds the columns and rows of a table of communities
// showing inds in the latest month; depth is the page's folder depth.
func (rc *renderCtx) communityTable(comms []*Unit, inds []string, depth int) ([]column, []rowView) {
	var present []string
	for _, ind := range inds {
		if rc.present[ind] {
			present = append(present, ind)
		}
	}
	var cols []column
	for _, ind := range present {
		inf := info(rc.d.Registry, ind, rc.lang)
		name := inf.Short
		if inf.Unit == unitHours {
			name += tr(rc.lang, "in_hours")
		}
		cols = append(cols, column{Name: name, Title: inf.Name, Numeric: true})
	}
	root := strings.Repeat("../", depth)
	rows := make([]rowView, 0, len(comms))
	for _, c := range comms {
		row := rowView{Name: c.Name, Street: c.StreetName, District: c.DistrictName,
			Href: root + dirScorecards + "/" + rc.files[c], Cells: make([]cell, len(present))}
		for i, ind := range present {
			row.Cells[i] = rc.valueIn(c, ind, rc.latest, modeTable)
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// escalationChart builds the stacked bar of level_share.* for units in
// period p. It returns nil when no unit has a split.
func (rc *renderCtx) escalationChart(units []*Unit, p civicscore.Period) (*chartOption, int) {
	levels := civicscore.ResolutionLevels
	if p.Label == "" {
		return nil, 0
	}
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = info(rc.d.Registry, indLevelSharePrefix+string(l), rc.lang).Short
	}
	var rows []shareRow
	for _, u := range units {
		r := shareRow{name: u.Name, shares: make([]point, len(levels))}
		has := false
		for i, l := range levels {
			r.shares[i] = rc.point(u, indLevelSharePrefix+string(l), p)
			has = has || r.shares[i].ok
		}
		if has {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil, 0
	}
	return stackedShareChart(rows, parts), len(rows)
}

// dirNote says which way is better, for indicators where that is not
// obvious.
func (rc *renderCtx) dirNote(inf indicatorInfo) string {
	if inf.Direction == civicscore.LowerIsBetter {
		return tr(rc.lang, "lower_better")
	}
	return ""
}

// ranked returns comms ordered for a ranking in p by the rank the run
// stored (ties share a rank and keep their order); those without a stored
// rank last, in their order.
func (rc *renderCtx) ranked(comms []*Unit, p civicscore.Period) (ordered []*Unit, unranked []*Unit) {
	type entry struct {
		c    *Unit
		rank int
	}
	var es []entry
	for _, c := range comms {
		val, _ := c.Values.Get(rc.scoreInd, p)
		if !rc.point(c, rc.scoreInd, p).ok || val.Rank <= 0 {
			unranked = append(unranked, c)
			continue
		}
		es = append(es, entry{c: c, rank: val.Rank})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].rank < es[j].rank })
	for _, e := range es {
		ordered = append(ordered, e.c)
	}
	return ordered, unranked
}

// area builds the analysis sections of district or street u. prefix makes
// chart ids unique on the page; depth is the page's folder depth.
func (rc *renderCtx) area(u *Unit, prefix string, depth int, cs chartSet) areaView {
	av := areaView{Name: u.Name}
	comms := rc.communitiesOf(u)
	root := strings.Repeat("../", depth)
	rp := rc.reportPeriod()
	rpName := periodName(rp, rc.lang)
	latestName := periodName(rc.latest, rc.lang)

	// Ranking by resident score with whiskers.
	if rc.latest.Label != "" && rc.present[rc.scoreInd] {
		ordered, unranked := rc.ranked(comms, rc.latest)
		rows := make([]whiskerRow, 0, len(ordered))
		for _, c := range ordered {
			rows = append(rows, whiskerRow{name: c.Name, p: rc.point(c, rc.scoreInd, rc.latest)})
		}
		for _, c := range unranked {
			av.Unranked = append(av.Unranked, c.Name)
		}
		if len(rows) > 0 {
			inf := info(rc.d.Registry, rc.scoreInd, rc.lang)
			var ref *float64
			refLabel := ""
			if pt := rc.point(u, rc.scoreInd, rc.latest); pt.ok {
				ref = &pt.y
				refLabel = tr(rc.lang, "ref_label", u.Name, formatValue(inf.Unit, pt.y, rc.lang))
			}
			id := "chart-" + prefix + "-rank"
			cs.add(id, whiskerChart(rows, inf.Unit, palette[0], inf.Name, ref))
			av.Ranking = &chartRef{ID: id, Title: tr(rc.lang, "ranking_title", inf.Name) + refCaption(refLabel, rc.lang), Height: whiskerHeight(len(rows))}
			av.RankNote = tr(rc.lang, "ranking_note", latestName)
		}
	}

	// Escalation: the share of cases handled at each resolution level.
	if shares, ok := rc.levelShares(u, rp); ok {
		stages := make([]string, len(civicscore.ResolutionLevels))
		for i, l := range civicscore.ResolutionLevels {
			stages[i] = info(rc.d.Registry, indLevelSharePrefix+string(l), rc.lang).Short
		}
		id := "chart-" + prefix + "-funnel"
		cs.add(id, levelChart(stages, shares, tr(rc.lang, "funnel_series")))
		av.Funnel = &chartRef{ID: id, Title: tr(rc.lang, "funnel_title"), Height: 260}
		av.FunnelNote = tr(rc.lang, "funnel_note", rpName)
	}

	// Heat map: communities × months of the ranking indicator.
	if len(rc.trend) > 0 && len(comms) > 0 && rc.present[rc.scoreInd] {
		months := rc.scoreTrend
		rows := make([]heatRow, 0, len(comms))
		for _, c := range comms {
			pts := make([]point, len(months))
			for i, m := range months {
				pts[i] = rc.point(c, rc.scoreInd, civicscore.Period{Type: civicscore.Month, Label: m})
			}
			rows = append(rows, heatRow{name: c.Name, points: pts})
		}
		inf := info(rc.d.Registry, rc.scoreInd, rc.lang)
		id := "chart-" + prefix + "-heat"
		cs.add(id, heatmapChart(months, rows, inf.Unit, tr(rc.lang, "low"), tr(rc.lang, "high")))
		av.Heat = &chartRef{ID: id, Title: tr(rc.lang, "heat_title", inf.Name), Height: heatHeight(len(rows))}
		av.HeatNote = tr(rc.lang, "heat_note")
	}

	// Category breakdown of cases in the report period.
	if byMonth := rc.categoriesOf(u); len(byMonth) > 0 && rp.Label != "" {
		totals := map[string]int64{}
		for m, cats := range byMonth {
			if !periodContains(rp, m) {
				continue
			}
			for cat, n := range cats {
				totals[cat] += n
			}
		}
		names, values := topCategories(totals, 10, tr(rc.lang, "other"))
		if len(names) > 0 {
			id := "chart-" + prefix + "-cat"
			cs.add(id, barChart(names, values, palette[5]))
			av.Categories = &chartRef{ID: id, Title: tr(rc.lang, "cat_title"), Height: 40 + 28*len(names)}
			av.CatNote = tr(rc.lang, "cat_note", rpName)
		}
	}

	// Satisfaction by survey dimension.
	var dims []whiskerRow
	for _, ind := range rc.satisfactionItemsOf(u) {
		dims = append(dims, whiskerRow{name: info(rc.d.Registry, ind, rc.lang).Short, p: rc.point(u, ind, rp)})
	}
	if len(dims) > 0 {
		sort.SliceStable(dims, func(i, j int) bool { return dims[i].p.ok && (!dims[j].p.ok || dims[i].p.y > dims[j].p.y) })
		var ref *float64
		refLabel := ""
		if pt := rc.point(u, indSatisfaction, rp); pt.ok {
			ref = &pt.y
			refLabel = tr(rc.lang, "overall_label", formatValue(unitFraction, pt.y, rc.lang))
		}
		id := "chart-" + prefix + "-dim"
		cs.add(id, whiskerChart(dims, unitFraction, palette[2], tr(rc.lang, "dim_series"), ref))
		av.Dimensions = &chartRef{ID: id, Title: tr(rc.lang, "dim_title") + refCaption(refLabel, rc.lang), Height: whiskerHeight(len(dims))}
		av.DimNote = tr(rc.lang, "dim_note", rpName)
	}

	// Equity of services per 1,000 residents across communities: the Gini
	// coefficient the run stored, beside the communities' values.
	if gv, ok := u.Values.Get(indGiniServices, rp); ok && gv.Value.Valid && u.Level == civicscore.LevelDistrict && rp.Label != "" {
		var names []string
		var xs []float64
		for _, c := range comms {
			if v, ok := c.Values.Get(indServicesPer1000, rp); ok && v.Value.Valid {
				names = append(names, c.Name)
				xs = append(xs, v.Value.Float64)
			}
		}
		if len(xs) > 0 {
			sort.Sort(byValue{names, xs})
			id := "chart-" + prefix + "-equity"
			cs.add(id, barChart(names, xs, palette[2]))
			av.Equity = &chartRef{ID: id, Title: tr(rc.lang, "equity_title"), Height: 40 + 22*len(names)}
		}
		av.Gini = formatNumber(gv.Value.Float64, 3)
		av.EquityNote = tr(rc.lang, "equity_note", rpName, len(xs))
	}

	// Follow-up lists.
	av.FollowUp, av.FollowNote = rc.followLists(comms, root)
	av.ShowFollowUp = true

	// Closure gap by community, highest first.
	if rc.present[indClosureGap] && rp.Label != "" {
		var rows []whiskerRow
		var none []string
		for _, c := range comms {
			pt := rc.point(c, indClosureGap, rp)
			if !pt.ok {
				none = append(none, c.Name)
				continue
			}
			rows = append(rows, whiskerRow{name: c.Name, p: pt})
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].p.y > rows[j].p.y })
		if len(rows) > 0 {
			var ref *float64
			refLabel := ""
			if pt := rc.point(u, indClosureGap, rp); pt.ok {
				ref = &pt.y
				refLabel = tr(rc.lang, "ref_label", u.Name, formatValue(unitFraction, pt.y, rc.lang))
			}
			id := "chart-" + prefix + "-gap"
			cs.add(id, whiskerChart(rows, unitFraction, palette[4], info(rc.d.Registry, indClosureGap, rc.lang).Name, ref))
			av.ClosureGap = &chartRef{ID: id, Title: info(rc.d.Registry, indClosureGap, rc.lang).Name + refCaption(refLabel, rc.lang), Height: whiskerHeight(len(rows))}
			av.GapNote = tr(rc.lang, "gap_note", rpName, len(none))
		}
	}
	return av
}

// refCaption names a chart's dashed reference line in its caption.
func refCaption(label, lang string) string {
	if label == "" {
		return ""
	}
	return tr(lang, "ref_caption", label)
}

// levelShares returns u's stored level_share.<level> values in p, in the
// order of civicscore.ResolutionLevels (0 where a level has none), and
// whether any is stored.
func (rc *renderCtx) levelShares(u *Unit, p civicscore.Period) ([]float64, bool) {
	levels := civicscore.ResolutionLevels
	shares := make([]float64, len(levels))
	any := false
	for i, l := range levels {
		if pt := rc.point(u, indLevelSharePrefix+string(l), p); pt.ok {
			shares[i] = pt.y
			any = true
		}
	}
	return shares, any
}

// byValue sorts names by their values, smallest first.
type byValue struct {
	names  []string
	values []float64
}

func (b byValue) Len() int           { return len(b.values) }
func (b byValue) Less(i, j int) bool { return b.values[i] < b.values[j] }
func (b byValue) Swap(i, j int) {
	b.names[i], b.names[j] = b.names[j], b.names[i]
	b.values[i], b.values[j] = b.values[j], b.values[i]
}

// periodContains reports whether month label m lies in period p.
func periodContains(p civicscore.Period, m string) bool {
	switch p.Type {
	case civicscore.Month:
		return p.Label == m
	case civicscore.Quarter:
		q, _, ok := quarterOfMonth(m)
		return ok && q == p.Label
	case civicscore.Year:
		return strings.HasPrefix(m, p.Label+"-")
	}
	return false
}

// topCategories returns the k largest categories, the rest summed under
// other, largest first.
func topCategories(totals map[string]int64, k int, other string) ([]string, []float64) {
	type kv struct {
		name string
		n    int64
	}
	var all []kv
	for name, n := range totals {
		all = append(all, kv{name, n})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].name < all[j].name
	})
	var names []string
	var values []float64
	var rest int64
	for i, e := range all {
		if i < k {
			names = append(names, e.name)
			values = append(values, float64(e.n))
		} else {
			rest += e.n
		}
	}
	if rest > 0 {
		names = append(names, other)
		values = append(values, float64(rest))
	}
	return names, values
}

// followLists builds the three follow-up lists for comms.
func (rc *renderCtx) followLists(comms []*Unit, root string) ([]followList, string) {
	if rc.d.FollowUp == nil {
		return nil, tr(rc.lang, "follow_none_computed")
	}
	in := map[string]*Unit{}
	for _, c := range comms {
		in[c.ID] = c
	}
	lists := []struct{ key, title, note string }{
		{FollowImprover, "follow_improvers", "follow_improvers_note"},
		{FollowDecliner, "follow_decliners", "follow_decliners_note"},
		{FollowLow, "follow_low", "follow_low_note"},
	}
	var out []followList
	for _, l := range lists {
		fl := followList{Title: tr(rc.lang, l.title), Note: tr(rc.lang, l.note)}
		seen := map[string]bool{}
		for _, f := range rc.d.FollowUp {
			c := in[f.UnitID]
			if c == nil || f.List != l.key {
				continue
			}
			if f.Period.Label != "" && f.Period != rc.latest && f.Period != rc.full {
				continue
			}
			key := f.UnitID + "\x00" + f.Indicator
			if seen[key] {
				continue
			}
			seen[key] = true
			row := followRow{Name: c.Name, Href: root + dirScorecards + "/" + rc.files[c], Street: c.StreetName}
			if f.Indicator != "" {
				inf := info(rc.d.Registry, f.Indicator, rc.lang)
				row.What = inf.Name
				ch, val := f.Change, f.Value
				switch {
				case ch.Valid && f.List != FollowLow:
					row.Change = formatChange(inf.Unit, ch.Float64, rc.lang)
				case val.Valid:
					row.Change = formatValue(inf.Unit, val.Float64, rc.lang)
				}
			}
			if f.Period.Label != "" {
				row.What = strings.TrimSpace(row.What + " · " + periodName(f.Period, rc.lang))
				row.What = strings.TrimPrefix(row.What, "· ")
			}
			fl.Rows = append(fl.Rows, row)
		}
		out = append(out, fl)
	}
	return out, ""
}

// threeRates builds the 12345 三率 table of units in the report period, or
// nil when no unit has the three rates. href links a unit's row.
func (rc *renderCtx) threeRates(units []*Unit, href func(*Unit) string) *rateTable {
	rp := rc.reportPeriod()
	if rp.Label == "" {
		return nil
	}
	t := &rateTable{Period: periodName(rp, rc.lang)}
	for _, ind := range threeRatesIndicators {
		inf := info(rc.d.Registry, ind, rc.lang)
		t.Columns = append(t.Columns, column{Name: inf.Short, Title: inf.Name, Numeric: true})
	}
	t.Columns = append(t.Columns, column{Name: tr(rc.lang, "valid_callbacks"), Numeric: true})
	for _, u := range units {
		has := false
		row := rowView{Name: u.Name, Href: href(u)}
		for _, ind := range threeRatesIndicators {
			c := rc.valueIn(u, ind, rp, modeTable)
			has = has || c.State != "missing"
			row.Cells = append(row.Cells, c)
		}
		if !has {
			continue
		}
		n := cell{State: "missing", Text: "—"}
		if v, ok := u.Values.Get(indThreeRates, rp); ok && !v.Suppressed && v.Denominator.Valid && v.Denominator.Float64 >= float64(rc.opts.MinN) {
			n = cell{State: "ok", Text: formatNumber(v.Denominator.Float64, 0), Sort: formatNumber(v.Denominator.Float64, 0)}
		} else if ok {
			n = cell{State: "suppressed", Text: tr(rc.lang, "too_few")}
		}
		row.Cells = append(row.Cells, n)
		t.Rows = append(t.Rows, row)
	}
	if len(t.Rows) == 0 {
		return nil
	}
	t.Note = tr(rc.lang, "three_rates_note", t.Period, rc.opts.MinN)
	return t
}

// satisfactionItemsOf lists the per-item satisfaction indicators u has.
func (rc *renderCtx) satisfactionItemsOf(u *Unit) []string {
	var out []string
	for _, ind := range rc.satisfactionItems() {
		if u.Values.Has(ind) {
			out = append(out, ind)
		}
	}
	if len(out) == 0 {
		// Streets and districts may carry items the communities lack.
		for ind := range u.Values {
			if strings.HasPrefix(ind, indSatItemPrefix) {
				out = append(out, ind)
			}
		}
		sort.Strings(out)
	}
	return out
}

// satisfactionItems lists the per-item satisfaction indicators
// (satisfaction_rate.q_*) present at community level, in the order of
// civicscore.SurveyItems then by id.
func (rc *renderCtx) satisfactionItems() []string {
	rankOf := map[string]int{}
	for i, it := range civicscore.SurveyItems {
		rankOf[indSatisfaction+"."+it.ID] = i
	}
	var items []string
	for ind := range rc.present {
		if strings.HasPrefix(ind, indSatItemPrefix) {
			items = append(items, ind)
		}
	}
	sort.Slice(items, func(i, j int) bool {
		ri, iok := rankOf[items[i]]
		rj, jok := rankOf[items[j]]
		if iok != jok {
			return iok
		}
		if ri != rj {
			return ri < rj
		}
		return items[i] < items[j]
	})
	return items
}

// ---- streets/<street>.html: one page per street ----

type streetView struct {
	pageCommon
	Name        string
	District    string
	Groups      []tileGroup
	TrendCharts []chartRef
	BandNote    string
	Escalation  *chartRef
	EscNote     string
	Area        areaView
	ThreeRates  *rateTable
	Columns     []column
	Rows        []rowView
	TableNote   string
}

func streetPages(rc *renderCtx) []page {
	pages := make([]page, 0, len(rc.streets))
	for _, st := range rc.streets {
		st := st
		pages = append(pages, page{path: dirStreets + "/" + rc.streetFiles[st], build: func() (any, error) { return rc.buildStreet(st) }})
	}
	return pages
}

func (rc *renderCtx) buildStreet(st *Unit) (any, error) {
	v := &streetView{Name: st.Name, District: st.DistrictName, Groups: rc.tileGroups(st), BandNote: tr(rc.lang, "trend_note_street")}
	cs := chartSet{}
	dist := rc.districtBy[st.DistrictID]
	if dist != nil && dist.Name != "" {
		v.District = dist.Name
	}
	for i, ind := range areaTrendIndicators {
		if !st.Values.Has(ind) || len(rc.trend) == 0 {
			continue
		}
		inf := info(rc.d.Registry, ind, rc.lang)
		ss := []lineSeries{{name: st.Name, color: palette[0], band: true, points: rc.series(st, ind)}}
		if dist != nil && dist.Values.Has(ind) {
			ss = append(ss, lineSeries{name: tr(rc.lang, "district_suffix", v.District), color: palette[1], dashed: true, points: rc.series(dist, ind)})
		}
		id := fmt.Sprintf("chart-trend-%d", i)
		cs.add(id, lineChart(rc.trend, inf.Unit, ss))
		v.TrendCharts = append(v.TrendCharts, chartRef{ID: id, Title: inf.Name, Height: 260})
	}
	comms := rc.communitiesOf(st)
	rp := rc.reportPeriod()
	if opt, n := rc.escalationChart(append([]*Unit{st}, comms...), rp); opt != nil {
		cs.add("chart-escalation", opt)
		v.Escalation = &chartRef{ID: "chart-escalation", Height: 90 + 34*n}
		v.EscNote = tr(rc.lang, "escalation_note", periodName(rp, rc.lang))
	}
	v.Area = rc.area(st, "s", 1, cs)
	v.ThreeRates = rc.threeRates(append([]*Unit{st}, comms...), func(u *Unit) string {
		if u.Level == civicscore.LevelCommunity {
			return "../" + dirScorecards + "/" + rc.files[u]
		}
		return ""
	})
	v.Columns, v.Rows = rc.communityTable(comms, tableIndicators, 1)
	v.TableNote = tr(rc.lang, "communities_note", periodName(rc.latest, rc.lang), rc.opts.MinN)
	common, err := rc.common(st.Name, 1, cs)
	if err != nil {
		return nil, fmt.Errorf("street page of %q: %w", st.ID, err)
	}
	common.Nav = rc.nav(1, "", false)
	v.pageCommon = common
	return v, nil
}

// ---- communities.html and communities.csv: every indicator ----

type tableView struct {
	pageCommon
	Period    string
	Columns   []column
	Rows      []rowView
	Note      string
	CSVHref   string
	CSVNote   string
	HasStreet bool
}

func tablePages(rc *renderCtx) []page {
	return []page{{path: fileTable, build: rc.buildTable}}
}

// allIndicators lists every community-level indicator with a value in the
// latest month, in the registry's order.
func (rc *renderCtx) allIndicators() []string {
	var ids []string
	seen := map[string]bool{}
	for _, c := range rc.communities {
		for ind, byPeriod := range c.Values {
			if seen[ind] {
				continue
			}
			if _, ok := byPeriod[rc.latest]; ok {
				seen[ind] = true
				ids = append(ids, ind)
			}
		}
	}
	sortIndicators(ids, rc.d.Registry)
	return ids
}

// familyRank orders indicator families on the pages.
var familyRank = map[string]int{metrics.FamilyScore: 0, metrics.FamilySurveys: 1, metrics.FamilyCases: 2, metrics.FamilyThreeRates: 3, metrics.FamilyServices: 4}

// sortIndicators orders ids by family, then registry order, then id.
func sortIndicators(ids []string, reg map[string]civicscore.Indicator) {
	fam := func(id string) int {
		f := info(reg, id, LangZH).Family
		if r, ok := familyRank[f]; ok {
			return r
		}
		return len(familyRank)
	}
	sort.SliceStable(ids, func(i, j int) bool {
		fi, fj := fam(ids[i]), fam(ids[j])
		if fi != fj {
			return fi < fj
		}
		ci, cj := registryRank(ids[i]), registryRank(ids[j])
		if ci != cj {
			return ci < cj
		}
		return ids[i] < ids[j]
	})
}

func (rc *renderCtx) buildTable() (any, error) {
	v := &tableView{CSVHref: fileCSV, HasStreet: true}
	if rc.latest.Label != "" {
		v.Period = periodName(rc.latest, rc.lang)
	}
	v.Columns, v.Rows = rc.communityTable(rc.communities, rc.allIndicators(), 0)
	v.Note = tr(rc.lang, "communities_note", v.Period, rc.opts.MinN)
	v.CSVNote = tr(rc.lang, "csv_note")
	common, err := rc.common(tr(rc.lang, "table_title"), 0, chartSet{})
	if err != nil {
		return nil, err
	}
	common.Nav = rc.nav(0, fileTable, false)
	v.pageCommon = common
	return v, nil
}

func csvPages(rc *renderCtx) []page {
	return []page{{path: fileCSV, raw: rc.buildCSV}}
}
