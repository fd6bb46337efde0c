package reports

import (
	"fmt"
	"strconv"

	"github.com/civicscore/civicscore"
)

// ---- ranking.html: the district ranking, public ----

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

// ---- methodology.html: how every number is made, public ----

type methodologyView struct {
	pageCommon
	Intro         string
	Families      []methFamily
	Weights       []howRow
	ResidentShare string
	WeightsNote   string
	Rules         []methRule
	Version       string
}

type methFamily struct {
	Title  string
	Source string
	Rows   []methRow
}

type methRow struct {
	ID        string
	Name      string
	Plain     string
	Formula   string
	Direction string
	Kind      string
	Unit      string
}

type methRule struct {
	Title string
	Text  string
}

func methodologyPages(rc *renderCtx) []page {
	return []page{{path: fileMethodology, build: rc.buildMethodology}}
}

func (rc *renderCtx) buildMethodology() (any, error) {
	v := &methodologyView{Intro: tr(rc.lang, "method_intro"), Version: rc.opts.DefinitionsVersion}
	// The registry the SQL was made from (the database's indicators
	// table, completed from metrics.Registry).
	var ids []string
	for id := range rc.d.Registry {
		ids = append(ids, id)
	}
	sortIndicators(ids, rc.d.Registry)
	byFamily := map[string]*methFamily{}
	var order []string
	for _, id := range ids {
		inf := info(rc.d.Registry, id, rc.lang)
		fam := inf.Family
		f := byFamily[fam]
		if f == nil {
			f = &methFamily{Title: tr(rc.lang, "family_"+fam), Source: tr(rc.lang, "family_source_"+fam)}
			byFamily[fam] = f
			order = append(order, fam)
		}
		row := methRow{ID: id, Name: inf.Name, Plain: inf.Plain, Formula: inf.Definition,
			Direction: tr(rc.lang, "dir_"+string(inf.Direction)), Kind: tr(rc.lang, "kind_"+string(inf.Kind)),
			Unit: tr(rc.lang, "unit_"+inf.Unit)}
		if row.Formula == "" {
			row.Formula = tr(rc.lang, "formula_"+id)
			if row.Formula == "formula_"+id {
				row.Formula = ""
			}
		}
		f.Rows = append(f.Rows, row)
	}
	for _, fam := range order {
		v.Families = append(v.Families, *byFamily[fam])
	}

	if ids, total := scoreWeightIDs(rc.d.Weights); total > 0 {
		residents := 0.0
		for _, id := range ids {
			if civicscore.ScoreComponentOf(id).Residents {
				residents += rc.d.Weights[id]
			}
			v.Weights = append(v.Weights, howRow{Name: componentName(rc.d.Registry, id, rc.lang), Source: componentSource(id, rc.lang),
				Weight: formatNumber(rc.d.Weights[id]/total*100, 0) + "%", Used: true})
		}
		v.ResidentShare = tr(rc.lang, "resident_share", formatNumber(residents/total*100, 0)+"%")
		v.WeightsNote = tr(rc.lang, "weights_note")
	}
	for _, k := range []string{"suppression", "interval", "shrinkage", "score", "rank", "change", "followup", "periods"} {
		text := tr(rc.lang, "rule_"+k)
		if k == "suppression" {
			text = tr(rc.lang, "rule_"+k, rc.opts.MinN)
		}
		v.Rules = append(v.Rules, methRule{Title: tr(rc.lang, "rule_title_"+k), Text: text})
	}
	common, err := rc.common(tr(rc.lang, "method_title"), 0, chartSet{})
	if err != nil {
		return nil, err
	}
	common.Nav = rc.nav(0, fileMethodology, true)
	v.pageCommon = common
	return v, nil
}

// ---- data-quality.html: what was loaded and what was not, internal ----

type qualityView struct {
	pageCommon
	Has        bool
	Files      []qRow
	Rejects    []qRow
	Exclusions []qRow
	Flagged    []qRow
	Missing    []qRow
	Cases      string
	Responses  string
	Note       string
}

type qRow struct {
	Cells []string
	Share string  // a percentage, or ""
	Bar   float64 // 0..100
}

func qualityPages(rc *renderCtx) []page {
	return []page{{path: fileQuality, build: rc.buildQuality}}
}

func (rc *renderCtx) buildQuality() (any, error) {
	v := &qualityView{Note: tr(rc.lang, "quality_note")}
	if q := rc.d.Quality; q != nil {
		v.Has = true
		n := func(x int64) string { return formatNumber(float64(x), 0) }
		share := func(x, of int64) (string, float64) {
			if of <= 0 {
				return "", 0
			}
			f := float64(x) / float64(of) * 100
			return formatNumber(f, 1) + "%", round(f, 1)
		}
		for _, f := range q.Files {
			s, b := share(f.Rejected, f.Read)
			v.Files = append(v.Files, qRow{Cells: []string{f.Path, tr(rc.lang, "kind_input_"+f.Kind), n(f.Read), n(f.Clean), n(f.Rejected), f.LoadedAt}, Share: s, Bar: b})
		}
		for _, r := range q.Rejects {
			v.Rejects = append(v.Rejects, qRow{Cells: []string{r.File, tr(rc.lang, "kind_input_"+r.Kind), reasonName(r.Reason, rc.lang), r.Reason, n(r.N)}})
		}
		for _, e := range q.Exclusions {
			name := tr(rc.lang, "kept")
			if e.Name != "" {
				name = reasonName(e.Name, rc.lang)
			}
			s, b := share(e.N, q.Responses)
			v.Exclusions = append(v.Exclusions, qRow{Cells: []string{name, e.Name, n(e.N)}, Share: s, Bar: b})
		}
		kept := int64(0)
		for _, e := range q.Exclusions {
			if e.Name == "" {
				kept = e.N
			}
		}
		for _, f := range q.Flagged {
			s, b := share(f.N, kept)
			v.Flagged = append(v.Flagged, qRow{Cells: []string{reasonName(f.Name, rc.lang), f.Name, n(f.N)}, Share: s, Bar: b})
		}
		for _, m := range q.Missing {
			s, b := share(m.N, q.Cases)
			v.Missing = append(v.Missing, qRow{Cells: []string{fieldName(m.Name, rc.lang), m.Name, n(m.N)}, Share: s, Bar: b})
		}
		v.Cases, v.Responses = n(q.Cases), n(q.Responses)
	}
	common, err := rc.common(tr(rc.lang, "quality_title"), 0, chartSet{})
	if err != nil {
		return nil, err
	}
	common.Nav = rc.nav(0, fileQuality, false)
	v.pageCommon = common
	return v, nil
}

// reasonName names a reject or exclusion reason in words; an unknown code
// is shown as it is.
func reasonName(code, lang string) string {
	if s := tr(lang, "reason_"+code); s != "reason_"+code {
		return s
	}
	return code
}

// fieldName names a case field in words.
func fieldName(code, lang string) string {
	if s := tr(lang, "field_"+code); s != "field_"+code {
		return s
	}
	return code
}
