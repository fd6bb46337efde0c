package reports

import (
	"strconv"

	"github.com/civicscore/civicscore"
)

// The fair comparison on the pages: funnel plots and rankability on the
// district report, control charts in the trends of the district, street
// and scorecard pages, and on the scorecard the rank as a range and the
// community against the district's normal range. Every figure is one
// metrics stored (comparison.go); nothing is computed here.

// funnelIndicators are the resident score's components the district report
// draws a funnel plot of, in order.
var funnelIndicators = []string{indSatisfaction, indCallbackSat, indOnTime, indEscalation}

// flagText words a funnel flag for an indicator of direction dir, and says
// whether it is better or worse than expected (SignalImprovement,
// SignalConcern, "" within the range or for a neutral indicator).
func (rc *renderCtx) flagText(flag string, dir civicscore.Direction) (string, string) {
	var side string
	far := false
	switch flag {
	case FlagAbove998:
		side, far = "above", true
	case FlagAbove95:
		side = "above"
	case FlagBelow95:
		side = "below"
	case FlagBelow998:
		side, far = "below", true
	default:
		return tr(rc.lang, "flag_within"), ""
	}
	key := "flag_"
	if far {
		key += "far_"
	}
	key += side
	signal := ""
	switch {
	case dir == civicscore.HigherIsBetter && side == "above", dir == civicscore.LowerIsBetter && side == "below":
		key, signal = key+"_better", SignalImprovement
	case dir == civicscore.HigherIsBetter, dir == civicscore.LowerIsBetter:
		key, signal = key+"_worse", SignalConcern
	}
	return tr(rc.lang, key), signal
}

// shownPoint reports whether a funnel point's value may be shown: it rests
// on at least MinN rows (funnel_points keeps small units, whose values the
// pages never show).
func (rc *renderCtx) shownPoint(pt *FunnelPoint) bool {
	return pt != nil && pt.Value.Valid && pt.Denominator >= float64(rc.opts.MinN)
}

// funnels adds the funnel plots of district dist in the latest month to cs
// and returns their references, with the note naming any funnel whose
// limits were widened for overdispersion.
func (rc *renderCtx) funnels(dist *Unit, prefix string, cs chartSet) ([]chartRef, []string) {
	p := rc.latest
	if p.Label == "" {
		return nil, nil
	}
	names := map[string]string{}
	for _, c := range rc.communitiesOf(dist) {
		names[c.ID] = c.Name
	}
	var refs []chartRef
	var notes []string
	for i, ind := range funnelIndicators {
		f := rc.cmp.funnel(p, dist.ID, ind)
		if f == nil {
			continue
		}
		inf := info(rc.d.Registry, ind, rc.lang)
		var dots []funnelDot
		limits := make([]funnelLimit, 0, len(f.Points))
		for j := range f.Points {
			pt := &f.Points[j]
			l := funnelLimit{n: pt.Denominator}
			for _, x := range []struct {
				dst **float64
				v   float64
				ok  bool
			}{{&l.lo95, pt.Lower95.Float64, pt.Lower95.Valid}, {&l.hi95, pt.Upper95.Float64, pt.Upper95.Valid},
				{&l.lo998, pt.Lower998.Float64, pt.Lower998.Valid}, {&l.hi998, pt.Upper998.Float64, pt.Upper998.Valid}} {
				if x.ok {
					*x.dst = ptr(x.v)
				}
			}
			limits = append(limits, l)
			if !rc.shownPoint(pt) {
				continue
			}
			name := names[pt.UnitID]
			if name == "" {
				name = pt.UnitID
			}
			words, signal := rc.flagText(pt.Flag, inf.Direction)
			dots = append(dots, funnelDot{name: name, n: pt.Denominator, y: pt.Value.Float64, signal: signal,
				lines: []string{tr(rc.lang, "funnel_value_line", inf.Short, formatValue(inf.Unit, pt.Value.Float64, rc.lang)),
					tr(rc.lang, "sample", formatNumber(pt.Denominator, 0)), words}})
		}
		if len(dots) == 0 {
			continue
		}
		var target *float64
		if f.Target.Valid {
			target = ptr(f.Target.Float64)
		}
		id := "chart-" + prefix + "-funnel-" + strconv.Itoa(i)
		cs.add(id, funnelChart(dots, limits, target, inf.Unit, funnelLabels{points: tr(rc.lang, "funnel_cmp_series"),
			target: tr(rc.lang, "funnel_cmp_target"), band95: tr(rc.lang, "funnel_cmp_95"), band998: tr(rc.lang, "funnel_cmp_998"),
			axisN: tr(rc.lang, "funnel_cmp_axis")}))
		refs = append(refs, chartRef{ID: id, Title: tr(rc.lang, "funnel_cmp_title", inf.Name), Height: 300})
		if f.ODApplied {
			notes = append(notes, tr(rc.lang, "funnel_cmp_od", inf.Name))
		}
	}
	return refs, notes
}

// rankabRow is one measure's rankability in words.
type rankabRow struct {
	Name string
	Text string
	Poor bool
}

// rankability words the rankability of each ranked measure of district
// dist in the latest month: the resident score first, then its components.
func (rc *renderCtx) rankability(dist *Unit) []rankabRow {
	p := rc.latest
	if p.Label == "" {
		return nil
	}
	var rows []rankabRow
	for _, ind := range append([]string{indResidentScore}, funnelIndicators...) {
		r := rc.cmp.rankabilityOf(p, dist.ID, ind)
		if r == nil {
			continue
		}
		row := rankabRow{Name: info(rc.d.Registry, ind, rc.lang).Name}
		switch {
		case !r.Rho.Valid:
			row.Text, row.Poor = tr(rc.lang, "rankab_none"), true
		case r.Rho.Float64 < rankableAt:
			row.Text, row.Poor = tr(rc.lang, "rankab_poor", formatNumber(r.Rho.Float64, 2)), true
		default:
			row.Text = tr(rc.lang, "rankab_good", formatNumber(r.Rho.Float64, 2))
		}
		rows = append(rows, row)
	}
	return rows
}

// ruleText words a control-chart point's rule and signal for its tooltip;
// "" for common-cause variation.
func (rc *renderCtx) ruleText(pt ControlPoint) string {
	if pt.Rule == "" || pt.Rule == RuleNone {
		return ""
	}
	rule := tr(rc.lang, "rule_"+pt.Rule)
	switch pt.Signal {
	case SignalImprovement, SignalConcern:
		return tr(rc.lang, "spc_rule_note", rule, tr(rc.lang, "signal_"+pt.Signal))
	}
	return tr(rc.lang, "spc_rule_note_neutral", rule)
}

// controlRef adds the control chart of u's ind over months to cs under id,
// titled title (marked when the limits are trial limits), and returns its
// reference and whether its limits are trial limits. ok is false when the
// run stored no control chart of u's ind within months: the page then
// draws the plain trend.
func (rc *renderCtx) controlRef(u *Unit, ind string, months []string, id, title string, height int, cs chartSet) (ref chartRef, trial, ok bool) {
	s := rc.cmp.controlOf(u, ind)
	if s == nil || len(months) == 0 {
		return chartRef{}, false, false
	}
	byMonth := make(map[string]ControlPoint, len(s.Points))
	for _, pt := range s.Points {
		byMonth[pt.Month] = pt
		trial = trial || pt.Trial
	}
	inf := info(rc.d.Registry, ind, rc.lang)
	cm := make([]controlMonth, len(months))
	anyPoint := false
	for i, m := range months {
		shown := rc.point(u, ind, civicscore.Period{Type: civicscore.Month, Label: m})
		cm[i].suppressed = shown.suppressed
		pt, has := byMonth[m]
		if !has {
			continue
		}
		anyPoint = true
		for _, x := range []struct {
			dst **float64
			v   float64
			ok  bool
		}{{&cm[i].centre, pt.Centre.Float64, pt.Centre.Valid}, {&cm[i].upper, pt.Upper.Float64, pt.Upper.Valid},
			{&cm[i].lower, pt.Lower.Float64, pt.Lower.Valid}, {&cm[i].upper2s, pt.Upper2s.Float64, pt.Upper2s.Valid},
			{&cm[i].lower2s, pt.Lower2s.Float64, pt.Lower2s.Valid}} {
			if x.ok {
				*x.dst = ptr(x.v)
			}
		}
		if !shown.ok {
			// The pages hide this month's value (too few responses): the
			// limits stay, the point does not.
			continue
		}
		cm[i].ok, cm[i].y = true, pt.Value
		if pt.Rule != "" && pt.Rule != RuleNone {
			cm[i].signal = pt.Signal
		}
		cm[i].note = rc.ruleText(pt)
	}
	if !anyPoint {
		return chartRef{}, false, false
	}
	cs.add(id, controlChart(months, inf.Unit, cm, controlLabels{value: u.Name, centre: tr(rc.lang, "spc_centre"),
		upper: tr(rc.lang, "spc_upper"), lower: tr(rc.lang, "spc_lower")}))
	if trial {
		title = tr(rc.lang, "spc_trial_title", title)
	}
	return chartRef{ID: id, Title: title, Height: height}, trial, true
}

// trendNote is the note under a page's trends: the control-chart key when
// any trend is a control chart (with the trial-limits sentence when one
// has trial limits), else plain.
func (rc *renderCtx) trendNote(control, trial bool, plain string) string {
	if !control {
		return plain
	}
	n := tr(rc.lang, "spc_note")
	if trial {
		n += tr(rc.lang, "spc_trial_note")
	}
	return n
}

// ordinal writes n as an English ordinal: 1st, 2nd, 3rd, 11th, 22nd.
func ordinal(n int) string {
	suffix := "th"
	switch n % 100 {
	case 11, 12, 13:
	default:
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// rankRange writes c's resident-score rank in p as a range from
// rank_intervals ("全区第 5 名（可能在第 3–9 名之间）" / "5th of 14 (could
// be 3rd to 9th)"), with the sentence that the district's communities
// cannot be told apart when the score's rankability is below rankableAt
// (or there is no difference beyond chance). Both are "" when the run
// stored no interval.
func (rc *renderCtx) rankRange(c *Unit, p civicscore.Period) (text, unreliable string) {
	r := rc.cmp.rankOf(p, c, indResidentScore)
	if r == nil {
		return "", ""
	}
	val, ok := c.Values.Get(indResidentScore, p)
	if !ok || !val.Value.Valid || val.Suppressed {
		return "", ""
	}
	rank := int(r.Rank.Int64)
	if !r.Rank.Valid || rank <= 0 {
		rank = val.Rank
	}
	if rank <= 0 {
		return "", ""
	}
	key := "rank_range"
	if r.Low == r.High && r.Low == rank {
		key = "rank_sure"
	}
	text = tr(rc.lang, key, rank, r.Units, r.Low, r.High, ordinal(rank), ordinal(r.Low), ordinal(r.High))
	if ra := rc.cmp.rankabilityOf(p, c.DistrictID, indResidentScore); ra != nil && (!ra.Rho.Valid || ra.Rho.Float64 < rankableAt) {
		unreliable = tr(rc.lang, "rank_unreliable")
	}
	return text, unreliable
}

// rangeRow is one component of the resident score against the district's
// normal range, in words.
type rangeRow struct {
	Name   string
	Text   string
	Signal string // improvement, concern or ""
}

// normalRange words where community c lies against its district's funnel
// limits in p, for each component with a value it may show.
func (rc *renderCtx) normalRange(c *Unit, p civicscore.Period) []rangeRow {
	if p.Label == "" {
		return nil
	}
	var rows []rangeRow
	for _, ind := range funnelIndicators {
		pt := rc.cmp.funnelPoint(p, c, ind)
		if !rc.shownPoint(pt) || !rc.point(c, ind, p).ok {
			continue
		}
		inf := info(rc.d.Registry, ind, rc.lang)
		text, signal := rc.flagText(pt.Flag, inf.Direction)
		rows = append(rows, rangeRow{Name: inf.Name, Text: text, Signal: signal})
	}
	return rows
}

// adjustedText words the companion value of ind (its .standardised or
// .weighted indicator) beside the crude one on the scorecard: the value
// when stored, not suppressed, and the crude value is shown; "" otherwise.
func (rc *renderCtx) adjustedText(c *Unit, ind, companion, label string, p civicscore.Period) string {
	if !rc.point(c, ind, p).ok {
		return ""
	}
	v, ok := c.Values.Get(companion, p)
	if !ok || v.Suppressed || !v.Value.Valid {
		return ""
	}
	if companion != ind+suffixStandardised && rc.hidden(info(rc.d.Registry, companion, rc.lang), v) {
		return ""
	}
	return tr(rc.lang, label, formatValue(info(rc.d.Registry, ind, rc.lang).Unit, v.Value.Float64, rc.lang))
}

// Suffixes of the companion indicators: indirect standardisation of a case
// rate and post-stratified survey rates.
const (
	suffixStandardised = ".standardised"
	suffixWeighted     = ".weighted"
)
