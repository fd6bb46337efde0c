package reports

import (
	"database/sql"
	"sort"
	"time"

	"github.com/civicscore/civicscore"
)

// Data is everything the pages show, read from one run of the database by
// Load or built directly in Go. Render only reads it.
type Data struct {
	// RunID is the run whose indicator values these are.
	RunID string
	// AsOf is the data cut-off of the run; zero when unknown.
	AsOf time.Time
	// Registry describes the indicators by id: the database's indicators
	// table completed from metrics.Registry (see RegistryMap for data built
	// in Go). An indicator missing from it is named by its id.
	Registry map[string]civicscore.Indicator
	// Weights are the resident score weights the run used, by component
	// (score_components.weight_configured); nil when the run made no score.
	Weights map[string]float64
	// Districts, Streets and Communities are the reporting units, sorted
	// by district, street and id. Each carries its own indicator values.
	Districts   []*Unit
	Streets     []*Unit
	Communities []*Unit
	// Months, Quarters and Years list the period labels that have values
	// ("2025-03", "2025-Q1", "2025"), ascending. Render derives them from
	// the units' values when they are empty.
	Months   []string
	Quarters []string
	Years    []string
	// FollowUp lists the communities metrics flagged for follow-up
	// (significant improvers and decliners, confidently low scores), when
	// the run has a follow_up table; nil otherwise.
	FollowUp []FollowUp
	// Components explains each community's resident score (table
	// score_components), by community id; nil when the run has none.
	Components map[string][]Component
	// Categories counts cases by street, month and category, for the
	// category breakdown; nil when the database has no cases table.
	Categories []CategoryCount
	// Quality is what the data-quality page shows; nil when unknown.
	Quality *Quality
	// Funnels, Control, Ranks and Rankability are the run's fair
	// comparison (see comparison.go); empty when the run stored none.
	Funnels     []Funnel
	Control     []ControlSeries
	Ranks       []RankInterval
	Rankability []Rankability
	// FDR is the false-discovery rate the follow-up lists were made with
	// (follow_up.fdr of the run's configuration); 0 when unknown.
	FDR float64
}

// FollowUp is one entry of a follow-up list.
type FollowUp struct {
	// List is follow_up.list: FollowImprover, FollowDecliner or FollowLow.
	List string
	// UnitID is the community (or street) flagged; DistrictID its district
	// when the table says.
	UnitID     string
	DistrictID string
	// Period is the period the entry is about.
	Period civicscore.Period
	// Indicator is what moved ("resident_score" or a component); may be
	// empty.
	Indicator string
	// Change is the indicator's change over the previous period
	// (indicator_changes.change), when stored.
	Change sql.NullFloat64
	// Value is the indicator's value in Period (indicator_values.value),
	// when stored and not suppressed.
	Value sql.NullFloat64
	// QValue is the false-discovery q-value that admitted the entry
	// (follow_up.q_value); lists are shown in its order. Not Valid for a
	// run that stored none.
	QValue sql.NullFloat64
}

// Follow-up list names the pages know.
const (
	FollowImprover = "improved"
	FollowDecliner = "declined"
	FollowLow      = "confidently_low"
)

// Component is one part of a community's resident score as metrics used it.
type Component struct {
	Period    civicscore.Period
	Indicator string
	Value     sql.NullFloat64
	CILow     sql.NullFloat64
	CIHigh    sql.NullFloat64
	Shrunk    sql.NullFloat64
	Weight    sql.NullFloat64
}

// CategoryCount is the number of cases of one category reported in one
// street and month.
type CategoryCount struct {
	DistrictID string
	StreetID   string
	Month      string
	Category   string
	N          int64
}

// Quality is the data-quality record of the database: what was loaded,
// what was rejected and why, which survey responses the quality filter
// excluded, and how complete the case records are.
type Quality struct {
	Files      []QualityFile
	Rejects    []QualityReject
	Exclusions []QualityCount // survey responses by excluded_reason ("" = kept)
	Flagged    []QualityCount // kept responses flagged: straightlining, burst
	Missing    []QualityCount // cases missing each optional field; N is the count missing
	Cases      int64          // cases, the denominator of Missing
	Responses  int64          // survey responses that passed ingest
	// Dropped are the columns of the files loaded that were not stored
	// (personal by header or by content), with the reason.
	Dropped []QualityDropped
	// Others counts, per column that turns unknown values into "other",
	// the clean rows whose value became other.
	Others []QualityOther
	// Mapped counts, per file and column, the values normalisation changed
	// (ingest_value_counts: a values alias, a derive rule or default, other,
	// an unknown status).
	Mapped []QualityMapped
	// Statuses counts cases by status ("" = none given); cancelled cases
	// are left out of every case indicator.
	Statuses []QualityCount
	// Strata are the rows of survey_strata for StrataPeriod, the latest
	// year weighted: each community's respondents against its population
	// by stratum, and the responses left out of the weighted rates. Empty
	// without survey weighting.
	Strata       []QualityStratum
	StrataPeriod string
}

// QualityStratum is one row of survey_strata. The pointers are nil where
// the column is NULL.
type QualityStratum struct {
	CommunityID, CommunityName   string
	Source                       string // community or district
	AgeGroup, Gender             string // "" = none
	LeftOut                      string // "" on a stratum's row; missing or not_in_strata
	MergedAge, MergedGender      string
	Respondents                  int64
	SampleShare, PopulationShare *float64
	Weight                       *float64
}

// QualityMapped is one row of ingest_value_counts, summed per file,
// column and how.
type QualityMapped struct {
	File   string
	Kind   string
	Column string
	How    string // values, derive, other, unknown_status
	N      int64
}

// QualityDropped is one column of a file dropped at ingest.
type QualityDropped struct {
	File   string
	Kind   string
	Header string
	Reason string // personal_header, phone, address, ... (ingest_files.dropped_columns)
}

// QualityOther counts the values of one column that became "other".
type QualityOther struct {
	Kind   string // input kind
	Column string
	N      int64 // rows whose value is other
	Of     int64 // rows with a value
}

// QualityFile is one loaded input file.
type QualityFile struct {
	Path     string
	Kind     string
	Read     int64
	Clean    int64
	Rejected int64
	LoadedAt string
}

// QualityReject counts the rows of one file rejected for one reason.
type QualityReject struct {
	File   string
	Kind   string
	Reason string
	N      int64
}

// QualityCount is a count under a name.
type QualityCount struct {
	Name string
	N    int64
}

// Unit is one reporting unit: a district, a street or a community.
type Unit struct {
	// Level says which kind of unit this is.
	Level civicscore.Level
	// ID and Name identify the unit as in the communities table.
	ID   string
	Name string
	// StreetID and StreetName are the community's street (communities only).
	StreetID   string
	StreetName string
	// DistrictID and DistrictName are the unit's district (communities and
	// streets).
	DistrictID   string
	DistrictName string
	// Households and Population are the community's size, or the sums over
	// the unit's communities for streets and districts.
	Households int64
	Population int64
	// AreaType is old_town, new_build, mixed or other (communities only).
	AreaType string
	// Values holds the unit's indicator values.
	Values Values
}

// Values holds indicator values by indicator id and period.
type Values map[string]map[civicscore.Period]Value

// Value is one row of indicator_values as the pages need it. Numerators are
// left in the database: pages show a rate and its sample size, nothing more.
type Value struct {
	// Value is the estimate; not Valid when suppressed or not applicable.
	Value sql.NullFloat64
	// Denominator is the sample size n behind a proportion or estimate.
	Denominator sql.NullFloat64
	// CILow and CIHigh bound the Wilson 95% interval of a proportion.
	CILow  sql.NullFloat64
	CIHigh sql.NullFloat64
	// Shrunk is the empirical-Bayes shrunk value used for ranking.
	Shrunk sql.NullFloat64
	// Suppressed is true when the estimate rests on too few rows; the pages
	// then show "样本不足" and neither the value nor its count.
	Suppressed bool
	// Rank is the rank within the district and period (1 = best), 0 when
	// the indicator is not ranked.
	Rank int
	// Change is the change over the previous period and Significant whether
	// a test found it significant (p < 0.05); Change is not Valid when the
	// run computed no change. Pages draw an arrow only when Significant.
	Change      sql.NullFloat64
	Significant bool
	// Target is the configured goal of the indicator (indicator_targets),
	// not Valid when none is configured; TargetRatio is value / target
	// (target / value for lower-is-better indicators): 1 = on target. It is
	// not Valid when the value is suppressed.
	Target, TargetRatio sql.NullFloat64
	// PeerMedian is, on a community's resident_score, the median score of
	// the communities of its area type (AreaType) in its district, itself
	// included (score_peers), over PeerN scores; not Valid when unknown.
	PeerMedian sql.NullFloat64
	PeerN      int64
	AreaType   string
}

// Get returns the value of indicator ind for period p, and whether there is
// one.
func (v Values) Get(ind string, p civicscore.Period) (Value, bool) {
	byPeriod, ok := v[ind]
	if !ok {
		return Value{}, false
	}
	val, ok := byPeriod[p]
	return val, ok
}

// Has reports whether the unit has any value of indicator ind.
func (v Values) Has(ind string) bool { return len(v[ind]) > 0 }

// Set stores the value of indicator ind for period p, replacing any earlier
// one.
func (u *Unit) Set(ind string, p civicscore.Period, val Value) {
	if u.Values == nil {
		u.Values = make(Values)
	}
	byPeriod := u.Values[ind]
	if byPeriod == nil {
		byPeriod = make(map[civicscore.Period]Value)
		u.Values[ind] = byPeriod
	}
	byPeriod[p] = val
}

// Num returns a valid sql.NullFloat64 holding f: shorthand for building
// Values in Go.
func Num(f float64) sql.NullFloat64 { return sql.NullFloat64{Float64: f, Valid: true} }

// periodLists returns the sorted distinct period labels of each type found
// in the units' values.
func periodLists(groups ...[]*Unit) (months, quarters, years []string) {
	seen := map[civicscore.Period]bool{}
	for _, units := range groups {
		for _, u := range units {
			for _, byPeriod := range u.Values {
				for p := range byPeriod {
					seen[p] = true
				}
			}
		}
	}
	for p := range seen {
		switch p.Type {
		case civicscore.Month:
			months = append(months, p.Label)
		case civicscore.Quarter:
			quarters = append(quarters, p.Label)
		case civicscore.Year:
			years = append(years, p.Label)
		}
	}
	sort.Strings(months)
	sort.Strings(quarters)
	sort.Strings(years)
	return months, quarters, years
}
