package reports

import (
	"fmt"
	"sort"

	"github.com/civicscore/civicscore"
)

// scorecards/<community>.html: the residents' scorecard and its A4 poster.

type scorecardView struct {
	pageCommon
	Name        string
	Street      string
	District    string
	Period      string
	Intro       string
	Headline    *metric
	Rank        string
	Peer        string     // the peer median of the same area type, in words; "" when unknown
	RankNote    string     // the score cannot tell the district's communities apart; "" otherwise
	NormalRange []rangeRow // the components against the district's normal range
	NormalNote  string
	Groups      []metricGroup
	Items       []metric
	ItemsNote   string
	Best        *metric
	Worst       *metric
	BestNote    string
	ChartRefs   []chartRef
	TrendNote   string
	HowMade     []howRow
	HowNote     string
	TooFewNote  string
	HaveYourSay string
	SurveyURL   string
	QR          *qrCode
	Poster      posterView
	RankingHref string
	MethodHref  string
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
	// Adjusted are the companion values shown beside the crude one: the
	// case-mix standardised rate, the weighted survey rate.
	Adjusted []adjusted
}

// adjusted is one companion value of a metric, in words.
type adjusted struct {
	Text string
	Note string
}

// adjustments returns the companion values of c's ind in p the scorecard
// shows beside it: the standardised rate of a case indicator ("given the
// kinds of cases it receives") and the weighted satisfaction where strata
// are configured.
func (rc *renderCtx) adjustments(c *Unit, ind string, p civicscore.Period) []adjusted {
	var out []adjusted
	switch ind {
	case indOnTime, indEscalation, indCallbackSat:
		if t := rc.adjustedText(c, ind, ind+suffixStandardised, "casemix_label", p); t != "" {
			out = append(out, adjusted{Text: t, Note: tr(rc.lang, "casemix_note")})
		}
	}
	if ind == indSatisfaction {
		if t := rc.adjustedText(c, ind, ind+suffixWeighted, "weighted_label", p); t != "" {
			out = append(out, adjusted{Text: t, Note: tr(rc.lang, "weighted_note")})
		}
	}
	return out
}

func (rc *renderCtx) metric(u *Unit, ind string, p civicscore.Period) metric {
	inf := info(rc.d.Registry, ind, rc.lang)
	return metric{Name: inf.Name, Plain: inf.Plain, Dir: rc.dirNote(inf), Cell: rc.value(u, ind, p)}
}

// howRow is one component of the resident score as a resident reads it.
type howRow struct {
	Name   string
	Source string
	Weight string
	Value  string
	Shrunk string // the shrunk value the ranking used, in words
	Used   bool
}

// posterView is the A4 notice-board poster printed from the scorecard.
type posterView struct {
	Score *metric
	Rank  string
	Tiles []metric
	Best  string
	Worst string
}

// Indicators of the scorecard sections, in order.
var (
	verdictIndicators  = []string{indSatisfaction, indCallbackSat, indClosureGap}
	handlingIndicators = []string{indOnTime, indEscalation, indMedianResolution, indCaseVolume}
	trendIndicators    = []string{indResidentScore, indSatisfaction, indOnTime}
	posterIndicators   = []string{indSatisfaction, indCallbackSat, indOnTime, indEscalation}
)

func scorecardPages(rc *renderCtx) []page {
	pages := make([]page, 0, len(rc.communities))
	for _, c := range rc.communities {
		c := c
		pages = append(pages, page{path: dirScorecards + "/" + rc.files[c], build: func() (any, error) { return rc.buildScorecard(c) }})
	}
	return pages
}

// rankText writes "第 N / M 名" (or "Ranked N of M") for c's resident
// score in p, or "" when c is not ranked.
func (rc *renderCtx) rankText(c *Unit, p civicscore.Period) string {
	val, ok := c.Values.Get(indResidentScore, p)
	if !ok || val.Rank <= 0 || !val.Value.Valid || val.Suppressed {
		return ""
	}
	total := rc.rankedCount[c.DistrictID]
	if total < val.Rank {
		total = val.Rank
	}
	return tr(rc.lang, "rank", val.Rank, total)
}

// peerText says the median score of c's peers (the district's communities
// of its area type, score_peers) in p, when at least two scores make it.
func (rc *renderCtx) peerText(c *Unit, p civicscore.Period) string {
	val, ok := c.Values.Get(indResidentScore, p)
	if !ok || !val.PeerMedian.Valid || val.PeerN < 2 || val.AreaType == "" {
		return ""
	}
	return tr(rc.lang, "peer_line", tr(rc.lang, "area_"+val.AreaType), formatValue(unitScore, val.PeerMedian.Float64, rc.lang), val.PeerN)
}

func (rc *renderCtx) buildScorecard(c *Unit) (any, error) {
	v := &scorecardView{Name: c.Name, Street: c.StreetName, District: c.DistrictName,
		Intro: tr(rc.lang, "scorecard_intro"), HaveYourSay: rc.opts.HaveYourSay, SurveyURL: rc.opts.SurveyURL,
		TooFewNote: tr(rc.lang, "too_few_long", rc.opts.MinN), QR: rc.qr,
		RankingHref: "../" + fileRanking, MethodHref: "../" + fileMethodology}
	p := rc.latest
	if p.Label != "" {
		v.Period = periodName(p, rc.lang)
	}
	if rc.present[indResidentScore] {
		// The score with the interval metrics stored (score.sql).
		m := rc.metric(c, indResidentScore, p)
		v.Headline = &m
		v.Rank = rc.rankText(c, p)
		v.Peer = rc.peerText(c, p)
		if text, unreliable := rc.rankRange(c, p); text != "" {
			v.Rank, v.RankNote = text, unreliable
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
				m := rc.metric(c, ind, p)
				m.Adjusted = rc.adjustments(c, ind, p)
				mg.Metrics = append(mg.Metrics, m)
			}
		}
		if len(mg.Metrics) > 0 {
			v.Groups = append(v.Groups, mg)
		}
	}
	v.NormalRange = rc.normalRange(c, p)
	if len(v.NormalRange) > 0 {
		v.NormalNote = tr(rc.lang, "normal_range_note", v.Period)
	}
	for _, ind := range rc.satisfactionItems() {
		m := rc.metric(c, ind, p)
		m.Name = info(rc.d.Registry, ind, rc.lang).Short
		v.Items = append(v.Items, m)
	}
	if len(v.Items) > 0 {
		v.ItemsNote = tr(rc.lang, "items_note")
	}
	v.Best, v.Worst, v.BestNote = rc.bestWorst(c)

	cs := chartSet{}
	dist := rc.districtBy[c.DistrictID]
	distName := c.DistrictName
	if dist != nil && dist.Name != "" {
		distName = dist.Name
	}
	control, trial, plain := false, false, false
	for i, ind := range trendIndicators {
		if !c.Values.Has(ind) || len(rc.scoreTrend) == 0 {
			continue
		}
		inf := info(rc.d.Registry, ind, rc.lang)
		id := fmt.Sprintf("chart-trend-%d", i)
		if ref, tri, ok := rc.controlRef(c, ind, rc.scoreTrend, id, inf.Name, 240, cs); ok {
			v.ChartRefs = append(v.ChartRefs, ref)
			control, trial = true, trial || tri
			continue
		}
		ss := []lineSeries{{name: c.Name, color: palette[0], band: true, points: rc.seriesOver(c, ind, rc.scoreTrend)}}
		if dist != nil && dist.Values.Has(ind) {
			ss = append(ss, lineSeries{name: tr(rc.lang, "district_suffix", distName), color: palette[1], dashed: true,
				points: rc.seriesOver(dist, ind, rc.scoreTrend)})
		}
		cs.add(id, lineChart(rc.scoreTrend, inf.Unit, ss))
		v.ChartRefs = append(v.ChartRefs, chartRef{ID: id, Title: inf.Name, Height: 220})
		plain = true
	}
	// Plain trends (the score) and control charts side by side: both keys.
	switch {
	case plain && control:
		v.TrendNote = tr(rc.lang, "trend_note") + " " + rc.trendNote(control, trial, "")
	case control:
		v.TrendNote = rc.trendNote(control, trial, "")
	default:
		v.TrendNote = tr(rc.lang, "trend_note")
	}
	v.HowMade, v.HowNote = rc.howMade(c, p)

	// The poster: the headline, four figures, best and worst, the QR code.
	v.Poster.Score, v.Poster.Rank = v.Headline, v.Rank
	for _, ind := range posterIndicators {
		if rc.present[ind] {
			// The registry's short name: the A4 poster has room for one line.
			m := rc.metric(c, ind, p)
			m.Name = info(rc.d.Registry, ind, rc.lang).Short
			v.Poster.Tiles = append(v.Poster.Tiles, m)
		}
	}
	if v.Best != nil {
		v.Poster.Best = v.Best.Name + " " + v.Best.Cell.Text
	}
	if v.Worst != nil {
		v.Poster.Worst = v.Worst.Name + " " + v.Worst.Cell.Text
	}

	title := c.Name + " · " + tr(rc.lang, "scorecard_heading")
	common, err := rc.common(title, 1, cs)
	if err != nil {
		return nil, fmt.Errorf("scorecard of %q: %w", c.ID, err)
	}
	common.Nav = rc.nav(1, "", true)
	v.pageCommon = common
	return v, nil
}

// seriesOver returns u's monthly values of ind over months.
func (rc *renderCtx) seriesOver(u *Unit, ind string, months []string) []point {
	pts := make([]point, len(months))
	for i, m := range months {
		pts[i] = rc.point(u, ind, civicscore.Period{Type: civicscore.Month, Label: m})
	}
	return pts
}

// bestWorst finds the survey dimensions residents rated best and worst: in
// the latest month when at least two dimensions have enough answers, else
// in the report period. Nothing when fewer than two can be compared.
func (rc *renderCtx) bestWorst(c *Unit) (best, worst *metric, note string) {
	for _, p := range []civicscore.Period{rc.latest, rc.reportPeriod()} {
		if p.Label == "" {
			continue
		}
		type it struct {
			ind string
			v   float64
		}
		var ok []it
		for _, ind := range rc.satisfactionItems() {
			if pt := rc.point(c, ind, p); pt.ok {
				ok = append(ok, it{ind, pt.y})
			}
		}
		if len(ok) < 2 {
			continue
		}
		sort.SliceStable(ok, func(i, j int) bool { return ok[i].v > ok[j].v })
		b, w := rc.metric(c, ok[0].ind, p), rc.metric(c, ok[len(ok)-1].ind, p)
		b.Name = info(rc.d.Registry, ok[0].ind, rc.lang).Short
		w.Name = info(rc.d.Registry, ok[len(ok)-1].ind, rc.lang).Short
		if ok[0].v == ok[len(ok)-1].v {
			return nil, nil, ""
		}
		return &b, &w, tr(rc.lang, "best_worst_note", periodName(p, rc.lang))
	}
	return nil, nil, ""
}

// howMade explains c's resident score in p as the run stored it
// (score_components): each component with its effective weight in this
// score (renormalised by metrics over the components with enough answers)
// and its value.
func (rc *renderCtx) howMade(c *Unit, p civicscore.Period) ([]howRow, string) {
	if !rc.present[indResidentScore] || p.Label == "" {
		return nil, ""
	}
	order := map[string]int{}
	for i, sc := range civicscore.ScoreComponents {
		order[sc.ID] = i
	}
	var comps []Component
	for _, k := range rc.d.Components[c.ID] {
		if k.Period == p {
			comps = append(comps, k)
		}
	}
	sort.SliceStable(comps, func(i, j int) bool { return order[comps[i].Indicator] < order[comps[j].Indicator] })
	var rows []howRow
	for _, k := range comps {
		inf := info(rc.d.Registry, k.Indicator, rc.lang)
		r := howRow{Name: componentName(rc.d.Registry, k.Indicator, rc.lang), Source: componentSource(k.Indicator, rc.lang), Value: tr(rc.lang, "too_few")}
		if k.Weight.Valid && k.Weight.Float64 > 0 {
			r.Weight = formatNumber(k.Weight.Float64*100, 0) + "%"
			r.Used = true
		} else {
			r.Weight = tr(rc.lang, "not_used")
		}
		if k.Value.Valid {
			r.Value = formatValue(inf.Unit, k.Value.Float64, rc.lang)
			if k.Shrunk.Valid {
				r.Shrunk = tr(rc.lang, "shrunk_to", formatValue(inf.Unit, k.Shrunk.Float64, rc.lang))
			}
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return nil, ""
	}
	return rows, tr(rc.lang, "how_note")
}
