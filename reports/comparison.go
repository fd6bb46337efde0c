package reports

import (
	"database/sql"

	"github.com/civicscore/civicscore"
)

// The fair-comparison record of a run (store/migrations/009_comparison.sql)
// as the pages need it: funnel plots, control charts, rank intervals and
// rankability. Every field is what metrics stored; the pages only draw and
// word it. Each list is empty when the run stored nothing (an older run, or
// nothing to show), and the pages then leave the display out or fall back
// to the plain trend.

// Funnel is one funnel plot: a row of funnel_params with its communities
// (funnel_points).
type Funnel struct {
	Period     civicscore.Period
	DistrictID string
	Indicator  string
	// Target is θ₀, the pooled district rate; not Valid without one.
	Target sql.NullFloat64
	Units  int
	// Phi, Chi2P and Tau2 describe the overdispersion; ODApplied says
	// whether the limits were widened for it.
	Phi       sql.NullFloat64
	Chi2P     sql.NullFloat64
	ODApplied bool
	Tau2      sql.NullFloat64
	// Points are the communities, by denominator then id.
	Points []FunnelPoint
}

// FunnelPoint is one community of a funnel plot (funnel_points).
type FunnelPoint struct {
	UnitID      string
	Value       sql.NullFloat64
	Denominator float64
	Z           sql.NullFloat64
	ZAdjusted   sql.NullFloat64
	PValue      sql.NullFloat64
	QValue      sql.NullFloat64
	// Flag is one of the Flag* constants: where Value lies against the
	// limits used.
	Flag string
	// The limits at the community's own denominator, as metrics used them.
	Lower95  sql.NullFloat64
	Upper95  sql.NullFloat64
	Lower998 sql.NullFloat64
	Upper998 sql.NullFloat64
}

// Funnel flags (funnel_points.flag).
const (
	FlagAbove998 = "above_998"
	FlagAbove95  = "above_95"
	FlagWithin   = "within"
	FlagBelow95  = "below_95"
	FlagBelow998 = "below_998"
)

// ControlSeries is the control chart of one unit and indicator
// (spc_points), its months ascending.
type ControlSeries struct {
	Level     civicscore.Level
	UnitID    string
	Indicator string
	Points    []ControlPoint
}

// ControlPoint is one month of a control chart.
type ControlPoint struct {
	Month       string
	Value       float64
	Denominator float64
	Centre      sql.NullFloat64
	Lower       sql.NullFloat64
	Upper       sql.NullFloat64
	Lower2s     sql.NullFloat64
	Upper2s     sql.NullFloat64
	// Rule is the special-cause rule the point is part of (spc_points.rule,
	// "none" for common-cause variation) and Signal "improvement",
	// "concern" or "none".
	Rule   string
	Signal string
	// Baseline marks the months that fixed the limits; Trial is true when
	// the unit has too few months for firm limits.
	Baseline bool
	Trial    bool
}

// Control-chart rule and signal values the pages word.
const (
	RuleNone          = "none"
	SignalImprovement = "improvement"
	SignalConcern     = "concern"
)

// RankInterval is how sure a community's rank in its district is
// (rank_intervals).
type RankInterval struct {
	Period       civicscore.Period
	DistrictID   string
	UnitID       string
	Indicator    string
	Units        int
	Rank         sql.NullInt64
	ExpectedRank float64
	Low          int
	High         int
	PBottomFifth float64
}

// Rankability is whether a measure can tell a district's communities apart
// (rankability).
type Rankability struct {
	Period                 civicscore.Period
	DistrictID             string
	Indicator              string
	Units                  int
	Tau2                   sql.NullFloat64
	MedianSamplingVariance sql.NullFloat64
	// Rho is ρ in 0..1; not Valid when the communities cannot be told
	// apart at all (τ² ≤ 0).
	Rho sql.NullFloat64
}

// rankableAt is the rankability from which the pages say a measure tells
// the district's communities apart; below it they say it cannot do so
// reliably.
const rankableAt = 0.5

// comparison holds the fair-comparison lookups of a Render.
type comparison struct {
	funnels map[funnelKey]*Funnel
	points  map[funnelKey]map[string]*FunnelPoint // by unit id
	control map[controlKey]*ControlSeries
	ranks   map[rankKey]*RankInterval
	rankab  map[funnelKey]*Rankability
}

type funnelKey struct {
	period     civicscore.Period
	districtID string
	indicator  string
}

type controlKey struct {
	level     civicscore.Level
	unitID    string
	indicator string
}

type rankKey struct {
	period    civicscore.Period
	unitID    string
	indicator string
}

func newComparison(d *Data) comparison {
	c := comparison{
		funnels: map[funnelKey]*Funnel{},
		points:  map[funnelKey]map[string]*FunnelPoint{},
		control: map[controlKey]*ControlSeries{},
		ranks:   map[rankKey]*RankInterval{},
		rankab:  map[funnelKey]*Rankability{},
	}
	for i := range d.Funnels {
		f := &d.Funnels[i]
		k := funnelKey{f.Period, f.DistrictID, f.Indicator}
		c.funnels[k] = f
		byUnit := map[string]*FunnelPoint{}
		for j := range f.Points {
			byUnit[f.Points[j].UnitID] = &f.Points[j]
		}
		c.points[k] = byUnit
	}
	for i := range d.Control {
		s := &d.Control[i]
		c.control[controlKey{s.Level, s.UnitID, s.Indicator}] = s
	}
	for i := range d.Ranks {
		r := &d.Ranks[i]
		c.ranks[rankKey{r.Period, r.UnitID, r.Indicator}] = r
	}
	for i := range d.Rankability {
		r := &d.Rankability[i]
		c.rankab[funnelKey{r.Period, r.DistrictID, r.Indicator}] = r
	}
	return c
}

// funnel returns the funnel plot of ind in district distID and period p, or
// nil.
func (c comparison) funnel(p civicscore.Period, distID, ind string) *Funnel {
	return c.funnels[funnelKey{p, distID, ind}]
}

// funnelPoint returns community u's point in the funnel of ind in p, or nil.
func (c comparison) funnelPoint(p civicscore.Period, u *Unit, ind string) *FunnelPoint {
	return c.points[funnelKey{p, u.DistrictID, ind}][u.ID]
}

// controlOf returns the control chart of u's ind, or nil.
func (c comparison) controlOf(u *Unit, ind string) *ControlSeries {
	return c.control[controlKey{u.Level, u.ID, ind}]
}

// rankOf returns u's rank interval of ind in p, or nil.
func (c comparison) rankOf(p civicscore.Period, u *Unit, ind string) *RankInterval {
	return c.ranks[rankKey{p, u.ID, ind}]
}

// rankabilityOf returns the rankability of ind in district distID and p,
// or nil.
func (c comparison) rankabilityOf(p civicscore.Period, distID, ind string) *Rankability {
	return c.rankab[funnelKey{p, distID, ind}]
}
