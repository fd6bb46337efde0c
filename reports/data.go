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
	// Registry describes the indicators by id (names, units, directions).
	// Indicators missing from it fall back to the built-in catalogue.
	Registry map[string]civicscore.Indicator
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
