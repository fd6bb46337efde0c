package reports

import (
	"strings"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/metrics"
)

// Indicator ids the pages refer to, as metrics.Registry names them.
const (
	indCaseVolume        = "case_volume"
	indCasesPer1000HH    = "cases_per_1000_households"
	indOnTime            = "on_time_rate"
	indEscalation        = "escalation_share"
	indLevelSharePrefix  = "level_share."
	indCallbackSat       = "callback_satisfaction_rate"
	indMedianResolution  = "median_resolution_hours"
	indP90Resolution     = "p90_resolution_hours"
	indMedianFirstResp   = "median_first_response_hours"
	indReopen            = "reopen_rate"
	indCallbackCoverage  = "callback_coverage"
	indClosureGap        = "closure_gap"
	indOverdueOpen       = "overdue_open"
	indResponse12345     = "response_rate_12345"
	indResolution12345   = "resolution_rate_12345"
	indSatisfaction12345 = "satisfaction_rate_12345"
	indThreeRates        = "three_rates_score"
	indSatisfaction      = "satisfaction_rate"
	indSatItemPrefix     = "satisfaction_rate.q_"
	indWeightedSuffix    = ".weighted" // satisfaction_rate[.<item>].weighted
	indSatMean           = "satisfaction_mean"
	indNetSatisfaction   = "net_satisfaction"
	indSurveyResponse    = "survey_response_rate"
	indServicesPer1000   = "services_per_1000_residents"
	indElderlyPer1000    = "elderly_services_per_1000_elderly"
	indSocialParticipate = "social_participation_share"
	indVolunteerHours    = "volunteer_hours_per_1000_residents"
	indServiceSpace      = "service_space_per_100_households"
	indGiniServices      = "gini_services"
	indResidentScore     = "resident_score"
)

// Units of the registry (metrics.Unit*), and two of the pages' own.
const (
	unitFraction  = metrics.UnitFraction
	unitHours     = metrics.UnitHours
	unitCount     = metrics.UnitCount
	unitPer1000   = metrics.UnitPer1000
	unitPer100    = metrics.UnitPer100
	unitScore     = metrics.UnitScore
	unitRatio     = metrics.UnitRatio
	unitHoursOnly = "hours!" // hours, never turned into days (report tiles)
	unitBare      = "bare"   // a number with one decimal, its unit in a header
)

// registryOrder is the position of each indicator in metrics.Registry: the
// order pages list indicators in within a family.
var registryOrder = func() map[string]int {
	m := map[string]int{}
	for i, ind := range metrics.Registry(nil) {
		m[ind.ID] = i
	}
	return m
}()

// registryRank returns the position of id in metrics.Registry, or a
// position after every indicator of it.
func registryRank(id string) int {
	if r, ok := registryOrder[id]; ok {
		return r
	}
	return len(registryOrder)
}

// mergeRegistry returns the registry the pages read: the database's rows
// (the indicators table the run wrote), each completed with the fields the
// table has no column for (short names, plain words, score component,
// sources) from metrics.Registry. An indicator of metrics.Registry the
// database lacks is not added: the pages show what the run computed.
func mergeRegistry(db map[string]civicscore.Indicator) map[string]civicscore.Indicator {
	base := map[string]civicscore.Indicator{}
	for _, ind := range metrics.Registry(nil) {
		base[ind.ID] = ind
	}
	out := make(map[string]civicscore.Indicator, len(db))
	for id, r := range db {
		if b, ok := base[id]; ok {
			r.ShortZH, r.ShortEN, r.PlainZH, r.PlainEN = b.ShortZH, b.ShortEN, b.PlainZH, b.PlainEN
			r.Score, r.Sources = b.Score, b.Sources
		}
		out[id] = r
	}
	return out
}

// RegistryMap returns metrics.Registry(items) keyed by id: a Data.Registry
// for data not loaded from a database.
func RegistryMap(items []string) map[string]civicscore.Indicator {
	out := map[string]civicscore.Indicator{}
	for _, ind := range metrics.Registry(items) {
		out[ind.ID] = ind
	}
	return out
}

// indicatorInfo is what a page needs to label and format an indicator.
type indicatorInfo struct {
	civicscore.Indicator
	Short string // column header
	Plain string // plain-words explanation, may be empty
	Name  string // name in the page language
}

// info returns the description of indicator id in language lang from the
// registry reg. An id missing from it is named by its id.
func info(reg map[string]civicscore.Indicator, id, lang string) indicatorInfo {
	r, ok := reg[id]
	if !ok {
		r = civicscore.Indicator{ID: id}
	}
	out := indicatorInfo{Indicator: r}
	if lang == LangEN {
		out.Name, out.Short, out.Plain = r.NameEN, r.ShortEN, r.PlainEN
	} else {
		out.Name, out.Short, out.Plain = r.NameZH, r.ShortZH, r.PlainZH
	}
	if out.Name == "" {
		out.Name = id
	}
	if out.Short == "" {
		out.Short = out.Name
	}
	return out
}

// isSatItem reports whether ind is a survey item's satisfaction rate
// (satisfaction_rate.q_*), not its population-weighted twin.
func isSatItem(ind string) bool {
	return strings.HasPrefix(ind, indSatItemPrefix) && !strings.HasSuffix(ind, indWeightedSuffix)
}
