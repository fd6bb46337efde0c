package reports

import (
	"sort"
	"strings"

	"github.com/civicscore/civicscore"
)

// The analysis of one district or street, on the district report and the
// street pages: ranking, escalation, heat map, categories, survey
// dimensions, equity of services, follow-up lists and closure gap.

// areaView is the analysis of one district or street: its ranking, funnel,
// heat map, case categories, satisfaction by dimension, equity, follow-up
// lists and closure gap. Charts are nil when their data is absent.
type areaView struct {
	Name       string
	Ranking    *chartRef
	RankNote   string
	Unranked   []string
	Funnel     *chartRef
	FunnelNote string
	Heat       *chartRef
	HeatNote   string
	Categories *chartRef
	CatNote    string
	Dimensions *chartRef
	DimNote    string
	Equity     *chartRef
	Gini       string
	EquityNote string
	// NoSurveys and NoServices say so where a chart would be drawn empty.
	NoSurveys   string
	NoServices  string
	FollowUp    []followList
	FollowNote  string
	FollowTitle string
	// CmpFunnels are the funnel plots of the resident score's components
	// (district report only), CmpNote their key and CmpOD the funnels whose
	// limits were widened for overdispersion.
	CmpFunnels []chartRef
	CmpNote    string
	CmpOD      []string
	// Rankab says for each ranked measure whether it tells the district's
	// communities apart (district report only).
	Rankab       []rankabRow
	RankabNote   string
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
	Q      string // the q-value that admitted the entry, in words; "" when none
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
	anyDim := false
	for _, d := range dims {
		anyDim = anyDim || d.p.ok
	}
	if len(dims) > 0 && !anyDim {
		// Items without a single value (no survey this period): no empty chart.
		av.NoSurveys = tr(rc.lang, "no_survey_data", rpName)
	}
	if anyDim {
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
		total := 0.0
		for _, x := range xs {
			total += x
		}
		switch {
		case total <= 0:
			// No service delivered anywhere (no service data): a Gini of
			// 0 and a chart of zeros would say "perfectly even".
			av.NoServices = tr(rc.lang, "no_service_data", rpName)
		default:
			sort.Sort(byValue{names, xs})
			id := "chart-" + prefix + "-equity"
			cs.add(id, barChart(names, xs, palette[2]))
			av.Equity = &chartRef{ID: id, Title: tr(rc.lang, "equity_title"), Height: 40 + 22*len(names)}
			av.Gini = formatNumber(gv.Value.Float64, 3)
			av.EquityNote = tr(rc.lang, "equity_note", rpName, len(xs))
		}
	}

	// Funnel plots and rankability: a district's communities compared.
	if u.Level == civicscore.LevelDistrict {
		av.CmpFunnels, av.CmpOD = rc.funnels(u, prefix, cs)
		if len(av.CmpFunnels) > 0 {
			av.CmpNote = tr(rc.lang, "funnel_cmp_note", latestName, rc.opts.MinN)
		}
		av.Rankab = rc.rankability(u)
		if len(av.Rankab) > 0 {
			av.RankabNote = tr(rc.lang, "rankab_note", latestName)
		}
	}

	// Follow-up lists.
	av.FollowUp, av.FollowNote, av.FollowTitle = rc.followLists(comms, root)
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

func (b byValue) Len() int { return len(b.values) }

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

// qLists reports whether the run made its follow-up lists by q-value
// (false-discovery control): an entry carries a q-value, or the run stored
// the funnel plots that "confidently low" rests on.
func (rc *renderCtx) qLists() bool {
	if len(rc.d.Funnels) > 0 {
		return true
	}
	for _, f := range rc.d.FollowUp {
		if f.QValue.Valid {
			return true
		}
	}
	return false
}

// formatQ writes a q-value: three decimals, "< 0.001" below that.
func formatQ(q float64, lang string) string {
	if q < 0.001 {
		return tr(lang, "q_value", "< 0.001")
	}
	return tr(lang, "q_value", formatNumber(q, 3))
}

// followLists builds the three follow-up lists for comms, each in q-value
// order as loaded, with the note and the heading: "worth a closer look"
// and the false-discovery rule when the run made its lists by q-value.
func (rc *renderCtx) followLists(comms []*Unit, root string) ([]followList, string, string) {
	qMode := rc.qLists()
	title := tr(rc.lang, "follow_title")
	note := ""
	if qMode {
		title = tr(rc.lang, "follow_title_q")
		note = tr(rc.lang, "follow_q_note_nofdr")
		if rc.fdr > 0 {
			note = tr(rc.lang, "follow_q_note", formatNumber(rc.fdr, 2))
		}
	}
	if rc.d.FollowUp == nil {
		return nil, tr(rc.lang, "follow_none_computed"), title
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
		if qMode {
			l.title, l.note = l.title+"_q", l.note[:len(l.note)-len("_note")]+"_q_note"
		}
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
			if f.QValue.Valid {
				row.Q = formatQ(f.QValue.Float64, rc.lang)
			}
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
	return out, note, title
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
			if isSatItem(ind) {
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
		if isSatItem(ind) {
			items = append(items, ind)
		}
	}
	sortByOrder(items, rankOf)
	return items
}
