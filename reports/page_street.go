package reports

import (
	"fmt"

	"github.com/civicscore/civicscore"
)

// streets/<street>.html: one page per street.

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
	control, trial := false, false
	for i, ind := range areaTrendIndicators {
		if !st.Values.Has(ind) || len(rc.trend) == 0 {
			continue
		}
		inf := info(rc.d.Registry, ind, rc.lang)
		id := fmt.Sprintf("chart-trend-%d", i)
		if ref, tri, ok := rc.controlRef(st, ind, rc.trend, id, inf.Name, 260, cs); ok {
			v.TrendCharts = append(v.TrendCharts, ref)
			control, trial = true, trial || tri
			continue
		}
		ss := []lineSeries{{name: st.Name, color: palette[0], band: true, points: rc.series(st, ind)}}
		if dist != nil && dist.Values.Has(ind) {
			ss = append(ss, lineSeries{name: tr(rc.lang, "district_suffix", v.District), color: palette[1], dashed: true, points: rc.series(dist, ind)})
		}
		cs.add(id, lineChart(rc.trend, inf.Unit, ss))
		v.TrendCharts = append(v.TrendCharts, chartRef{ID: id, Title: inf.Name, Height: 260})
	}
	v.BandNote = rc.trendNote(control, trial, v.BandNote)
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
