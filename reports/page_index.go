package reports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/civicscore/civicscore"
)

// index.html: the district report.

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
	// WorkbookHref links the bureau's workbook (workbook.go).
	WorkbookHref string
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

	// Monthly trends per district: a control chart of each district where
	// the run stored one, else the values with the Wilson interval as a
	// band.
	control, trial := false, false
	for i, ind := range areaTrendIndicators {
		if !rc.presentAgg[ind] || len(rc.trend) == 0 {
			continue
		}
		inf := info(rc.d.Registry, ind, rc.lang)
		drawn := false
		for k, dist := range rc.districts {
			title := inf.Name
			if len(rc.districts) > 1 {
				title = tr(rc.lang, "spc_title", dist.Name, inf.Name)
			}
			ref, tri, ok := rc.controlRef(dist, ind, rc.trend, fmt.Sprintf("chart-trend-%d-%d", i, k), title, 280, cs)
			if ok {
				v.TrendCharts = append(v.TrendCharts, ref)
				drawn, control, trial = true, true, trial || tri
			}
		}
		if drawn {
			continue
		}
		var ss []lineSeries
		for k, dist := range rc.districts {
			ss = append(ss, lineSeries{name: dist.Name, color: palette[k%len(palette)], band: len(rc.districts) <= 4,
				points: rc.series(dist, ind)})
		}
		id := fmt.Sprintf("chart-trend-%d", i)
		cs.add(id, lineChart(rc.trend, inf.Unit, ss))
		v.TrendCharts = append(v.TrendCharts, chartRef{ID: id, Title: inf.Name, Height: 280})
	}
	v.BandNote = rc.trendNote(control, trial, tr(rc.lang, "band_note"))

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
	v.WorkbookHref = WorkbookFile

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
	// The peer median (score_peers) gets a column beside the score when
	// any community has one.
	peers := false
	for _, c := range comms {
		if v, ok := c.Values.Get(indResidentScore, rc.latest); ok && v.PeerMedian.Valid {
			peers = true
			break
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
		if ind == indResidentScore && peers {
			cols = append(cols, column{Name: tr(rc.lang, "col_peer"), Title: tr(rc.lang, "col_peer_title"), Numeric: true})
		}
	}
	root := strings.Repeat("../", depth)
	rows := make([]rowView, 0, len(comms))
	for _, c := range comms {
		row := rowView{Name: c.Name, Street: c.StreetName, District: c.DistrictName,
			Href: root + dirScorecards + "/" + rc.files[c], Cells: make([]cell, 0, len(cols))}
		for _, ind := range present {
			row.Cells = append(row.Cells, rc.valueIn(c, ind, rc.latest, modeTable))
			if ind == indResidentScore && peers {
				row.Cells = append(row.Cells, rc.peerCell(c, rc.latest))
			}
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// peerCell is a table cell of c's peer median in p: the median score of
// the district's communities of its area type (score_peers), with the
// type and the number of scores in its title; "—" when fewer than two
// scores make it (the community alone).
func (rc *renderCtx) peerCell(c *Unit, p civicscore.Period) cell {
	v, ok := c.Values.Get(indResidentScore, p)
	if !ok || !v.PeerMedian.Valid || v.PeerN < 2 {
		return cell{State: "missing", Text: "—"} // no peers, or the community alone
	}
	return cell{State: "ok", Text: formatValue(unitScore, v.PeerMedian.Float64, rc.lang),
		Sort:     strconv.FormatFloat(v.PeerMedian.Float64, 'g', 8, 64),
		Interval: tr(rc.lang, "peer_line", tr(rc.lang, "area_"+v.AreaType), formatValue(unitScore, v.PeerMedian.Float64, rc.lang), v.PeerN)}
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
