package civicscore

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Sentinel errors. Packages wrap them with context; callers test with errors.Is.
var (
	// ErrConfig marks an invalid configuration (exit 2, as bad command-line
	// usage, which the command marks with a type of its own).
	ErrConfig = errors.New("invalid configuration")
	// ErrInput marks an input file that cannot be read at all (not a bad row:
	// bad rows are rejected, not errors).
	ErrInput = errors.New("unreadable input")
	// ErrInUse marks an output folder that another run holds.
	ErrInUse = errors.New("output in use by another run")
	// ErrReadOnly marks a write attempted through a read-only connection.
	ErrReadOnly = errors.New("database opened read-only")
)

// Kind names one of the five inputs.
type Kind string

// The five input kinds, in the order they are loaded.
const (
	KindCommunities Kind = "communities"
	// KindStrata is the population by stratum (age group, gender) of a
	// community or district, the targets of survey weighting; loaded only
	// when configured.
	KindStrata   Kind = "strata"
	KindCases    Kind = "cases"
	KindServices Kind = "services"
	KindSurveys  Kind = "surveys"
)

// Kinds lists the input kinds in load order: communities first, since the
// others refer to them.
var Kinds = []Kind{KindCommunities, KindStrata, KindCases, KindServices, KindSurveys}

// Level is the administrative level an indicator value describes.
type Level string

// Reporting levels, from the smallest unit up.
const (
	LevelCommunity Level = "community"
	LevelStreet    Level = "street"
	LevelDistrict  Level = "district"
)

// PeriodType is the length of a reporting period.
type PeriodType string

// Reporting period types.
const (
	Month   PeriodType = "month"
	Quarter PeriodType = "quarter"
	Year    PeriodType = "year"
)

// Period is one reporting period, labelled as in indicator_values:
// "2025-03", "2025-Q1" or "2025".
type Period struct {
	Type  PeriodType
	Label string
}

// PeriodOf returns the period of type t that contains the local time ts.
func PeriodOf(t PeriodType, ts time.Time) Period {
	switch t {
	case Quarter:
		q := (int(ts.Month())-1)/3 + 1
		return Period{Type: t, Label: ts.Format("2006") + "-Q" + string(rune('0'+q))}
	case Year:
		return Period{Type: t, Label: ts.Format("2006")}
	default:
		return Period{Type: Month, Label: ts.Format("2006-01")}
	}
}

// ResolutionLevel is the level of government that handled (or now handles) a case.
type ResolutionLevel string

// Resolution levels, lowest first.
const (
	ResolvedCommunity ResolutionLevel = "community"
	ResolvedBlock     ResolutionLevel = "block"
	ResolvedStreet    ResolutionLevel = "street"
	ResolvedDistrict  ResolutionLevel = "district"
	ResolvedCity      ResolutionLevel = "city"
)

// ResolutionLevels lists the levels from the community up, the order of the
// escalation funnel.
var ResolutionLevels = []ResolutionLevel{ResolvedCommunity, ResolvedBlock, ResolvedStreet, ResolvedDistrict, ResolvedCity}

// Case is one grid event, hotline work order or resident report, in canonical form.
type Case struct {
	CaseID               string
	CommunityID          string
	GridID               string
	Source               string
	Category             string
	Subcategory          string
	ReportedAt           time.Time
	FirstResponseAt      *time.Time
	DueAt                *time.Time
	ClosedAt             *time.Time
	ResolutionLevel      ResolutionLevel
	CallbackSatisfaction string // satisfied | basically_satisfied | dissatisfied | ""
	CallbackContacted    *bool
	CallbackResolved     *bool
	Reopened             *bool
	UpdatedAt            *time.Time
}

// ServiceRecord is one service delivered by or in a community.
type ServiceRecord struct {
	ServiceID     string
	CommunityID   string
	ServiceDate   time.Time
	ServiceType   string
	TargetGroup   string
	ProviderType  string
	Recipients    int64
	Hours         *float64
	RecipientHash string
}

// SurveyResponse is one resident's answers to the evaluation survey.
// Answers are 1 (very dissatisfied) to 5 (very satisfied); 0 means no answer.
type SurveyResponse struct {
	ResponseID      string
	CommunityID     string
	SubmittedAt     time.Time
	RespondentHash  string
	Channel         string
	DurationSeconds *float64
	Answers         map[string]int
}

// Direction says whether a higher value of an indicator is better.
type Direction string

// Indicator directions.
const (
	HigherIsBetter Direction = "higher_better"
	LowerIsBetter  Direction = "lower_better"
	Neutral        Direction = "neutral"
)

// IndicatorKind says how an indicator's value is made, which decides its
// interval and whether it is suppressed below min_n.
type IndicatorKind string

// Indicator kinds.
const (
	// Proportion: numerator/denominator, Wilson interval, suppressed when the
	// denominator is below min_n.
	Proportion IndicatorKind = "proportion"
	// Estimate: a mean, quantile or score made from rows; suppressed below min_n.
	Estimate IndicatorKind = "estimate"
	// Fact: a count or per-capita rate; never suppressed.
	Fact IndicatorKind = "fact"
)

// Indicator describes one indicator of the registry (metrics.Registry):
// everything a package needs to compute, store, label, explain and format
// it. The database's indicators table holds the fields it has columns for.
type Indicator struct {
	// ID is the indicator id of indicator_values.indicator.
	ID string
	// Family is cases, three_rates, surveys, services or score.
	Family string
	// NameZH and NameEN are the full names pages and tables show.
	NameZH, NameEN string
	// ShortZH and ShortEN are the short names of column headers and chart
	// labels.
	ShortZH, ShortEN string
	// PlainZH and PlainEN explain the indicator in plain words, as
	// residents read it on their scorecard; empty for the survey items and
	// the resolution-level shares, whose names say it all.
	PlainZH, PlainEN string
	// Unit is fraction, hours, count, per_1000, per_100, score or ratio.
	Unit string
	// Direction says whether higher is better.
	Direction Direction
	// Kind decides the interval and whether the value is suppressed below
	// min_n.
	Kind IndicatorKind
	// Definition is the formula in plain language (English).
	Definition string
	// Score says whether and how the indicator enters the resident score;
	// the zero value: it does not.
	Score ScoreComponent
	// Sources are the inputs whose rows the indicator is made from, in
	// Kinds order (communities supply the denominators).
	Sources []Kind
}

// ScoreComponent says how an indicator enters the resident score. The zero
// value means it is not a component.
type ScoreComponent struct {
	// Component is true for a component of resident_score (a key of
	// score.weights).
	Component bool
	// Residents is true for a component whose source is residents' own
	// judgement (survey answers, case callbacks): these must carry at least
	// half of the weights, and a score needs at least one of them.
	Residents bool
	// Complement is true when the score uses 1 − value (escalation_share:
	// a lower share is better).
	Complement bool
}

// ScoreComponents are the indicators the resident score may use, in the
// order pages list them, with how each enters it. The keys of
// score.weights must be drawn from them.
var ScoreComponents = []struct {
	ID string
	ScoreComponent
}{
	{"satisfaction_rate", ScoreComponent{Component: true, Residents: true}},
	{"callback_satisfaction_rate", ScoreComponent{Component: true, Residents: true}},
	{"on_time_rate", ScoreComponent{Component: true}},
	{"escalation_share", ScoreComponent{Component: true, Complement: true}},
}

// ScoreComponentOf returns how indicator id enters the resident score (the
// zero value when it does not).
func ScoreComponentOf(id string) ScoreComponent {
	for _, c := range ScoreComponents {
		if c.ID == id {
			return c.ScoreComponent
		}
	}
	return ScoreComponent{}
}

// ScoreComponentIDs returns the ids of ScoreComponents; with residentsOnly,
// only those whose source is residents' own judgement. Each call returns a
// new slice.
func ScoreComponentIDs(residentsOnly bool) []string {
	var out []string
	for _, c := range ScoreComponents {
		if !residentsOnly || c.Residents {
			out = append(out, c.ID)
		}
	}
	return out
}

// ValidateScoreWeights checks score.weights: every key a ScoreComponents
// id, every weight a finite number >= 0, a positive total, and the
// residents' components carrying at least half of it (the score exists to
// make residents the evaluators). The error names each bad key
// (score.weights.<key>); callers wrap ErrConfig.
func ValidateScoreWeights(w map[string]float64) error {
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	var total, resident float64
	for _, k := range keys {
		v := w[k]
		c := ScoreComponentOf(k)
		if !c.Component {
			errs = append(errs, fmt.Errorf("score.weights.%s: unknown component; want one of %s",
				k, strings.Join(ScoreComponentIDs(false), ", ")))
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			errs = append(errs, fmt.Errorf("score.weights.%s = %v must be a number >= 0", k, v))
			continue
		}
		total += v
		if c.Residents {
			resident += v
		}
	}
	switch {
	case len(errs) > 0:
	case total <= 0:
		errs = append(errs, errors.New("score.weights: need a positive total weight"))
	case resident < 0.5*total-1e-12:
		errs = append(errs, fmt.Errorf("score.weights: residents' own components (%s) carry %.2f of %.2f; they must carry at least half: the score exists to make residents the evaluators",
			strings.Join(ScoreComponentIDs(true), ", "), resident, total))
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

// SurveyOverall is the survey's overall-satisfaction column, behind
// satisfaction_rate, satisfaction_mean and net_satisfaction.
const SurveyOverall = "q_overall"

// SurveyItem is one survey dimension item: a q_* column of
// survey_responses besides q_overall, reported as satisfaction_rate.<ID>.
type SurveyItem struct {
	// ID is the column name.
	ID string
	// NameZH and NameEN name what residents rate.
	NameZH, NameEN string
}

// SurveyItems are the survey dimension items, in column order. Every
// package that lists survey columns (ingest, metrics, reports, synth)
// reads them from here.
var SurveyItems = []SurveyItem{
	{"q_environment", "环境卫生", "Environment"},
	{"q_safety", "治安安全", "Safety"},
	{"q_services", "便民服务", "Services"},
	{"q_responsiveness", "诉求响应", "Responsiveness"},
	{"q_facilities", "公共设施", "Facilities"},
	{"q_participation", "居民参与", "Participation"},
	{"q_fairness", "公平公正", "Fairness"},
}

// SurveyItemIDs returns the ids of SurveyItems; with overall, SurveyOverall
// first. Each call returns a new slice.
func SurveyItemIDs(overall bool) []string {
	var out []string
	if overall {
		out = append(out, SurveyOverall)
	}
	for _, it := range SurveyItems {
		out = append(out, it.ID)
	}
	return out
}

// SurveyItemOf returns the survey item with column id.
func SurveyItemOf(id string) (SurveyItem, bool) {
	for _, it := range SurveyItems {
		if it.ID == id {
			return it, true
		}
	}
	return SurveyItem{}, false
}
