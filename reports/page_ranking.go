package reports

import (
	"fmt"
	"strconv"
)

// ranking.html: the district ranking, public.

type rankingView struct {
	pageCommon
	Period    string
	Intro     string
	Note      string
	Districts []rankDistrict
}

type rankDistrict struct {
	Name     string
	Chart    *chartRef
	Rows     []rankRow
	Unranked []rankRow
}

type rankRow struct {
	Rank   string
	Name   string
	Href   string
	Street string
	Cell   cell
	Range  string
}

func rankingPages(rc *renderCtx) []page {
	return []page{{path: fileRanking, build: rc.buildRanking}}
}

func (rc *renderCtx) buildRanking() (any, error) {
	v := &rankingView{}
	cs := chartSet{}
	p := rc.latest
	inf := info(rc.d.Registry, rc.scoreInd, rc.lang)
	if p.Label != "" {
		v.Period = periodName(p, rc.lang)
	}
	v.Intro = tr(rc.lang, "ranking_intro", v.Period)
	v.Note = tr(rc.lang, "ranking_public_note", rc.opts.MinN)
	if p.Label != "" && rc.present[rc.scoreInd] {
		for k, dist := range rc.districts {
			rd := rankDistrict{Name: dist.Name}
			ordered, unranked := rc.ranked(rc.communitiesOf(dist), p)
			rows := make([]whiskerRow, 0, len(ordered))
			for _, c := range ordered {
				pt := rc.point(c, rc.scoreInd, p)
				rows = append(rows, whiskerRow{name: c.Name, p: pt})
				r := rankRow{Name: c.Name, Href: dirScorecards + "/" + rc.files[c], Street: c.StreetName,
					Cell: rc.valueIn(c, rc.scoreInd, p, modeTable), Rank: "—"}
				if val, _ := c.Values.Get(rc.scoreInd, p); val.Rank > 0 {
					r.Rank = strconv.Itoa(val.Rank)
				}
				if pt.ciOK {
					r.Range = formatRange(inf.Unit, pt.lo, pt.hi, rc.lang)
				}
				rd.Rows = append(rd.Rows, r)
			}
			for _, c := range unranked {
				rd.Unranked = append(rd.Unranked, rankRow{Name: c.Name, Href: dirScorecards + "/" + rc.files[c], Street: c.StreetName,
					Cell: rc.valueIn(c, rc.scoreInd, p, modeTable)})
			}
			if len(rows) > 0 {
				id := fmt.Sprintf("chart-rank-%d", k)
				var ref *float64
				refLabel := ""
				if pt := rc.point(dist, rc.scoreInd, p); pt.ok {
					ref = &pt.y
					refLabel = tr(rc.lang, "ref_label", dist.Name, formatValue(inf.Unit, pt.y, rc.lang))
				}
				cs.add(id, whiskerChart(rows, inf.Unit, palette[0], inf.Name, ref))
				rd.Chart = &chartRef{ID: id, Title: tr(rc.lang, "ranking_title", inf.Name) + refCaption(refLabel, rc.lang), Height: whiskerHeight(len(rows))}
			}
			v.Districts = append(v.Districts, rd)
		}
	}
	common, err := rc.common(tr(rc.lang, "ranking_heading"), 0, cs)
	if err != nil {
		return nil, err
	}
	common.Nav = rc.nav(0, fileRanking, true)
	v.pageCommon = common
	return v, nil
}
