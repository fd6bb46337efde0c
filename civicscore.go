package civicscore

import (
	"errors"
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

// Kind names one of the four inputs.
type Kind string

// The four input kinds, in the order they are loaded.
const (
	KindCommunities Kind = "communities"
	KindCases       Kind = "cases"
	KindServices    Kind = "services"
	KindSurveys     Kind = "surveys"
)

// Kinds lists the input kinds in load order: communities first, since the
// other three refer to them.
var Kinds = []Kind{KindCommunities, KindCases, KindServices, KindSurveys}

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

// Indicator describes one indicator of the registry.
type Indicator struct {
	ID         string
	Family     string // cases, three_rates, surveys, services, score
	NameZH     string
	NameEN     string
	Unit       string // fraction, hours, count, per_1000, per_100, score, ratio
	Direction  Direction
	Kind       IndicatorKind
	Definition string // plain-language definition (English)
}
