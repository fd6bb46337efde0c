package reports

import (
	"github.com/civicscore/civicscore"
)

// methodology.html: how every number is made, public.

type methodologyView struct {
	pageCommon
	Intro         string
	Families      []methFamily
	Weights       []howRow
	ResidentShare string
	WeightsNote   string
	Rules         []methRule
	Methods       []methMethod
	Version       string
}

// methMethod is one method of civicscore.Methods as the page explains it.
type methMethod struct {
	ID         string
	Name       string
	Answers    string
	Read       string
	Limits     string
	References []string
	Stored     []string // tables, indicators and settings it uses
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
	for _, m := range civicscore.Methods {
		mm := methMethod{ID: m.ID, Name: m.NameZH, Answers: m.AnswersZH, Read: m.ReadZH, Limits: m.LimitsZH, References: m.References}
		if rc.lang == LangEN {
			mm.Name, mm.Answers, mm.Read, mm.Limits = m.NameEN, m.AnswersEN, m.ReadEN, m.LimitsEN
		}
		mm.Stored = append(append(append(mm.Stored, m.Tables...), m.Indicators...), m.Config...)
		v.Methods = append(v.Methods, mm)
	}
	common, err := rc.common(tr(rc.lang, "method_title"), 0, chartSet{})
	if err != nil {
		return nil, err
	}
	common.Nav = rc.nav(0, fileMethodology, true)
	v.pageCommon = common
	return v, nil
}
