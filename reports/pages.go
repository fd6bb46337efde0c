package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/civicscore/civicscore"
)

// pageType is one kind of page of the report. To add one (street pages,
// methodology, data quality, posters), write its template in templates/ —
// defining the blocks "content" and optionally "scripts" that layout.html
// places — and append a pageType to pageTypes.
type pageType struct {
	// name identifies the page type in errors.
	name string
	// template is the file in templates/ holding the page's blocks.
	template string
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
}

// pageTypes is the registry of page types Render writes.
var pageTypes = []pageType{
	{name: "index", template: "index.html", pages: indexPages},
	{name: "scorecard", template: "scorecard.html", pages: scorecardPages},
}

// ---- index.html: the district report ----

// Indicators of the district KPI tiles and the community table, in order.
var (
	tileIndicators  = []string{indResidentScore, indSatisfaction, indCallbackSat, indOnTime, indEscalation, indClosureGap, indThreeRates, indCaseVolume, indMedianResolution}
	tableIndicators = []string{indResidentScore, indSatisfaction, indCallbackSat, indOnTime, indEscalation, indClosureGap, indThreeRates, indCaseVolume, indMedianResolution}
)

type indexView struct {
	pageCommon
	LatestMonth string
	Overview    []districtView
	TrendCharts []chartRef
	BandNote    string
	Escalation  *chartRef
	EscNote     string
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

func indexPages(rc *renderCtx) []page {
	return []page{{path: "index.html", build: rc.buildIndex}}
}

func (rc *renderCtx) buildIndex() (any, error) {
	v := &indexView{}
	cs := chartSet{}
	if rc.latest.Label != "" {
		v.LatestMonth = periodName(rc.latest, rc.lang)
	}

	// KPI tiles per district, latest month and latest full period.
	periods := []civicscore.Period{rc.latest, rc.full}
	kinds := []string{"latest_month", rc.fullKind}
	for _, dist := range rc.districts {
		dv := districtView{Name: dist.Name}
		for k, p := range periods {
			if p.Label == "" {
				continue
			}
			g := tileGroup{Period: tr(rc.lang, kinds[k]) + tr(rc.lang, "colon") + periodName(p, rc.lang)}
			for _, ind := range tileIndicators {
				if !rc.presentAgg[ind] {
					continue
				}
				inf := info(rc.d.Registry, ind, rc.lang)
				g.Tiles = append(g.Tiles, tile{Name: inf.Name, Dir: rc.dirNote(inf), Cell: rc.valueIn(dist, ind, p, modeReport)})
			}
			if len(g.Tiles) > 0 {
				dv.Groups = append(dv.Groups, g)
			}
		}
		v.Overview = append(v.Overview, dv)
	}

	// Monthly trends per district, with the Wilson interval as a band.
	for i, ind := range []string{indOnTime, indSatisfaction} {
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
		v.TrendCharts = append(v.TrendCharts, chartRef{ID: id, Title: inf.Name, Height: 300})
	}
	v.BandNote = tr(rc.lang, "band_note")

	// The escalation split by resolution level, districts then streets.
	escPeriod := rc.full
	if escPeriod.Label == "" {
		escPeriod = rc.latest
	}
	if opt, n := rc.escalationChart(escPeriod); opt != nil {
		cs.add("chart-escalation", opt)
		v.Escalation = &chartRef{ID: "chart-escalation", Height: 90 + 34*n}
		v.EscNote = tr(rc.lang, "escalation_note", periodName(escPeriod, rc.lang))
	}

	// All communities, latest month.
	var inds []string
	for _, ind := range tableIndicators {
		if rc.present[ind] {
			inds = append(inds, ind)
		}
	}
	for _, ind := range inds {
		inf := info(rc.d.Registry, ind, rc.lang)
		name := inf.Short
		if inf.Unit == unitHours {
			name += tr(rc.lang, "in_hours")
		}
		v.Columns = append(v.Columns, column{Name: name, Title: inf.Name, Numeric: true})
	}
	v.Rows = make([]rowView, 0, len(rc.communities))
	for _, c := range rc.communities {
		row := rowView{Name: c.Name, Street: c.StreetName, District: c.DistrictName,
			Href: "scorecards/" + rc.files[c], Cells: make([]cell, len(inds))}
		for i, ind := range inds {
			row.Cells[i] = rc.valueIn(c, ind, rc.latest, modeTable)
		}
		v.Rows = append(v.Rows, row)
	}
	v.TableNote = tr(rc.lang, "communities_note", v.LatestMonth, rc.opts.MinN)

	common, err := rc.common(rc.opts.Title, 0, cs)
	if err != nil {
		return nil, err
	}
	v.pageCommon = common
	return v, nil
}

// escalationChart builds the stacked bar of level_share.* for the districts
// and their streets in period p. It returns nil when no unit has a split.
func (rc *renderCtx) escalationChart(p civicscore.Period) (*chartOption, int) {
	levels := civicscore.ResolutionLevels
	if p.Label == "" {
		return nil, 0
	}
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = info(rc.d.Registry, indLevelSharePrefix+string(l), rc.lang).Short
	}
	var rows []shareRow
	addRow := func(u *Unit, name string) {
		r := shareRow{name: name, shares: make([]point, len(levels))}
		has := false
		for i, l := range levels {
			r.shares[i] = rc.point(u, indLevelSharePrefix+string(l), p)
			has = has || r.shares[i].ok
		}
		if has {
			rows = append(rows, r)
		}
	}
	for _, dist := range rc.districts {
		addRow(dist, dist.Name)
		for _, st := range rc.streets {
			if st.DistrictID == dist.ID {
				addRow(st, st.Name)
			}
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

// ---- scorecards/<community>.html: the residents' scorecard ----

type scorecardView struct {
	pageCommon
	Name        string
	Street      string
	District    string
	Period      string
	Intro       string
	Headline    *metric
	Rank        string
	Groups      []metricGroup
	Items       []metric
	ChartRefs   []chartRef
	TrendNote   string
	TooFewNote  string
	HaveYourSay string
	SurveyURL   string
}

type metricGroup struct {
	Title   string
	Metrics []metric
}

type metric struct {
	Name  string
	Plain string
	Dir   string
	Cell  cell
}

// Indicators of the scorecard sections, in order.
var (
	verdictIndicators  = []string{indSatisfaction, indCallbackSat, indClosureGap}
	handlingIndicators = []string{indOnTime, indEscalation, indMedianResolution, indCaseVolume}
	trendIndicators    = []string{indSatisfaction, indOnTime}
)

func scorecardPages(rc *renderCtx) []page {
	pages := make([]page, 0, len(rc.communities))
	for _, c := range rc.communities {
		c := c
		pages = append(pages, page{path: "scorecards/" + rc.files[c], build: func() (any, error) { return rc.buildScorecard(c) }})
	}
	return pages
}

func (rc *renderCtx) metric(u *Unit, ind string, p civicscore.Period) metric {
	inf := info(rc.d.Registry, ind, rc.lang)
	return metric{Name: inf.Name, Plain: inf.Plain, Dir: rc.dirNote(inf), Cell: rc.value(u, ind, p)}
}

func (rc *renderCtx) buildScorecard(c *Unit) (any, error) {
	v := &scorecardView{Name: c.Name, Street: c.StreetName, District: c.DistrictName,
		Intro: tr(rc.lang, "scorecard_intro"), HaveYourSay: rc.opts.HaveYourSay, SurveyURL: rc.opts.SurveyURL,
		TooFewNote: tr(rc.lang, "too_few_long", rc.opts.MinN)}
	p := rc.latest
	if p.Label != "" {
		v.Period = periodName(p, rc.lang)
	}
	if rc.present[indResidentScore] {
		m := rc.metric(c, indResidentScore, p)
		v.Headline = &m
		if val, ok := c.Values.Get(indResidentScore, p); ok && val.Rank > 0 && m.Cell.OK() {
			total := rc.ranked[c.DistrictID]
			if rc.lang == LangEN {
				v.Rank = tr(rc.lang, "rank", val.Rank, total)
			} else {
				v.Rank = tr(rc.lang, "rank", total, val.Rank)
			}
		}
	}
	groups := []struct {
		key  string
		inds []string
	}{{"verdict", verdictIndicators}, {"handling", handlingIndicators}}
	for _, g := range groups {
		mg := metricGroup{Title: tr(rc.lang, g.key)}
		for _, ind := range g.inds {
			if rc.present[ind] {
				mg.Metrics = append(mg.Metrics, rc.metric(c, ind, p))
			}
		}
		if len(mg.Metrics) > 0 {
			v.Groups = append(v.Groups, mg)
		}
	}
	for _, ind := range rc.satisfactionItems() {
		m := rc.metric(c, ind, p)
		m.Name = info(rc.d.Registry, ind, rc.lang).Short
		v.Items = append(v.Items, m)
	}

	cs := chartSet{}
	dist := rc.districtBy[c.DistrictID]
	distName := c.DistrictName
	if dist != nil && dist.Name != "" {
		distName = dist.Name
	}
	for i, ind := range trendIndicators {
		if !c.Values.Has(ind) || len(rc.trend) == 0 {
			continue
		}
		inf := info(rc.d.Registry, ind, rc.lang)
		ss := []lineSeries{{name: c.Name, color: palette[0], band: true, points: rc.series(c, ind)}}
		if dist != nil && dist.Values.Has(ind) {
			ss = append(ss, lineSeries{name: tr(rc.lang, "district_suffix", distName), color: palette[1], dashed: true,
				points: rc.series(dist, ind)})
		}
		id := fmt.Sprintf("chart-trend-%d", i)
		cs.add(id, lineChart(rc.trend, inf.Unit, ss))
		v.ChartRefs = append(v.ChartRefs, chartRef{ID: id, Title: inf.Name, Height: 220})
	}
	v.TrendNote = tr(rc.lang, "trend_note")

	title := c.Name + " · " + tr(rc.lang, "scorecard_heading")
	common, err := rc.common(title, 1, cs)
	if err != nil {
		return nil, fmt.Errorf("scorecard of %q: %w", c.ID, err)
	}
	v.pageCommon = common
	return v, nil
}

// satisfactionItems lists the per-item satisfaction indicators
// (satisfaction_rate.q_*) present at community level, in catalogue order
// then by id.
func (rc *renderCtx) satisfactionItems() []string {
	order := []string{"q_environment", "q_safety", "q_services", "q_responsiveness", "q_facilities", "q_participation", "q_fairness"}
	rankOf := map[string]int{}
	for i, q := range order {
		rankOf[indSatItemPrefix+strings.TrimPrefix(q, "q_")] = i
	}
	var items []string
	for ind := range rc.present {
		if strings.HasPrefix(ind, indSatItemPrefix) && !strings.HasSuffix(ind, weightedSuffix) {
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
