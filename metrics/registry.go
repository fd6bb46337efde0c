package metrics

import (
	"slices"

	"github.com/civicscore/civicscore"
)

// Indicator families, the Family field of the registry entries.
const (
	FamilyCases      = "cases"
	FamilyThreeRates = "three_rates"
	FamilySurveys    = "surveys"
	FamilyServices   = "services"
	FamilyScore      = "score"
)

// Units of indicator values, the Unit field of the registry entries.
const (
	UnitFraction = "fraction" // a share 0..1 (net_satisfaction: -1..1)
	UnitHours    = "hours"
	UnitCount    = "count"
	UnitPer1000  = "per_1000"
	UnitPer100   = "per_100"
	UnitScore    = "score" // resident_score, three_rates_score 0..100; satisfaction_mean 1..5
	UnitRatio    = "ratio" // a dimensionless ratio such as a Gini coefficient
)

// SurveyItemColumns is the allow-list of survey dimension items: the q_*
// columns of survey_responses besides q_overall. Options.SurveyItems must
// be drawn from it; it is also the default item list.
var SurveyItemColumns = []string{
	"q_environment", "q_safety", "q_services", "q_responsiveness",
	"q_facilities", "q_participation", "q_fairness",
}

// surveyItemNames gives the Chinese and English name of each survey item.
var surveyItemNames = map[string][2]string{
	"q_environment":    {"环境卫生", "environment"},
	"q_safety":         {"治安安全", "safety"},
	"q_services":       {"公共服务", "public services"},
	"q_responsiveness": {"诉求响应", "responsiveness"},
	"q_facilities":     {"设施", "facilities"},
	"q_participation":  {"居民参与", "participation"},
	"q_fairness":       {"公平公正", "fairness"},
}

// levelShareNames gives the Chinese and English name of each resolution
// level, for the level_share.<level> indicators.
var levelShareNames = map[civicscore.ResolutionLevel][2]string{
	civicscore.ResolvedCommunity: {"社区", "community"},
	civicscore.ResolvedBlock:     {"块区", "block"},
	civicscore.ResolvedStreet:    {"街道", "street"},
	civicscore.ResolvedDistrict:  {"区级", "district"},
	civicscore.ResolvedCity:      {"市级", "city"},
}

// Registry returns every indicator Compute writes, in a stable order: the
// case family, the 12345 three rates, the survey family (with one
// satisfaction_rate.<item> per item), the service family and the resident
// score. items are the
// survey dimension items; nil or empty means SurveyItemColumns. Registry
// does not validate items: Compute checks them against SurveyItemColumns
// before it calls Registry.
func Registry(items []string) []civicscore.Indicator {
	if len(items) == 0 {
		items = SurveyItemColumns
	}
	const (
		hi   = civicscore.HigherIsBetter
		lo   = civicscore.LowerIsBetter
		neu  = civicscore.Neutral
		prop = civicscore.Proportion
		est  = civicscore.Estimate
		fact = civicscore.Fact
	)
	r := []civicscore.Indicator{
		{ID: "case_volume", Family: FamilyCases, NameZH: "案件量", NameEN: "Case volume", Unit: UnitCount, Direction: neu, Kind: fact,
			Definition: "Number of cases reported in the period (up to as_of)."},
		{ID: "cases_per_1000_households", Family: FamilyCases, NameZH: "每千户案件量", NameEN: "Cases per 1,000 households", Unit: UnitPer1000, Direction: neu, Kind: fact,
			Definition: "case_volume / households of the unit × 1000, for the period (not annualised)."},
		{ID: "on_time_rate", Family: FamilyCases, NameZH: "按时办结率", NameEN: "On-time closure rate", Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "Cases closed by their due time / (closed cases + open cases already past due at as_of); open cases not yet due are left out."},
		{ID: "escalation_share", Family: FamilyCases, NameZH: "升级办理占比", NameEN: "Escalation share", Unit: UnitFraction, Direction: lo, Kind: prop,
			Definition: "Cases handled above the community (block, street, district, city) / all cases."},
	}
	for _, l := range civicscore.ResolutionLevels {
		n := levelShareNames[l]
		r = append(r, civicscore.Indicator{
			ID: "level_share." + string(l), Family: FamilyCases,
			NameZH: n[0] + "层级办理占比", NameEN: "Share handled at " + n[1] + " level",
			Unit: UnitFraction, Direction: neu, Kind: prop,
			Definition: "Cases whose resolution_level is " + string(l) + " / all cases (the escalation funnel).",
		})
	}
	r = append(r,
		civicscore.Indicator{ID: "callback_satisfaction_rate", Family: FamilyCases, NameZH: "回访满意率", NameEN: "Callback satisfaction rate", Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "Cases whose callback answer is satisfied or basically satisfied / cases with a callback answer."},
		civicscore.Indicator{ID: "median_resolution_hours", Family: FamilyCases, NameZH: "办结时长中位数", NameEN: "Median hours to closure", Unit: UnitHours, Direction: lo, Kind: est,
			Definition: "Median (quantile_cont 0.5) of closed_at − reported_at in hours over closed cases."},
		civicscore.Indicator{ID: "p90_resolution_hours", Family: FamilyCases, NameZH: "办结时长90分位", NameEN: "90th percentile hours to closure", Unit: UnitHours, Direction: lo, Kind: est,
			Definition: "90th percentile (quantile_cont 0.9) of closed_at − reported_at in hours over closed cases."},
		civicscore.Indicator{ID: "median_first_response_hours", Family: FamilyCases, NameZH: "首次响应时长中位数", NameEN: "Median hours to first response", Unit: UnitHours, Direction: lo, Kind: est,
			Definition: "Median of first_response_at − reported_at in hours over cases with a first response."},
		civicscore.Indicator{ID: "reopen_rate", Family: FamilyCases, NameZH: "重办率", NameEN: "Reopen rate", Unit: UnitFraction, Direction: lo, Kind: prop,
			Definition: "Cases marked reopened / all cases."},
		civicscore.Indicator{ID: "callback_coverage", Family: FamilyCases, NameZH: "回访覆盖率", NameEN: "Callback coverage", Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "Closed cases with a callback answer / closed cases: how much of the record residents were asked about."},
		civicscore.Indicator{ID: "closure_gap", Family: FamilyCases, NameZH: "办结未解决率", NameEN: "Closure gap", Unit: UnitFraction, Direction: lo, Kind: prop,
			Definition: "Closed cases whose resident says at callback the problem is not solved / closed cases with a callback answer and a resolved verdict."},
		civicscore.Indicator{ID: "overdue_open", Family: FamilyCases, NameZH: "超期未办结案件数", NameEN: "Overdue open cases", Unit: UnitCount, Direction: lo, Kind: fact,
			Definition: "Snapshot at as_of: open cases past their due time, whatever month they were reported; only under the periods containing as_of."},

		civicscore.Indicator{ID: "response_rate_12345", Family: FamilyThreeRates, NameZH: "响应率", NameEN: "12345 response rate", Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "Valid callbacks where the office contacted the resident / valid callbacks (cases with a callback answer)."},
		civicscore.Indicator{ID: "resolution_rate_12345", Family: FamilyThreeRates, NameZH: "解决率", NameEN: "12345 resolution rate", Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "Valid callbacks where the resident says the problem is solved / valid callbacks."},
		civicscore.Indicator{ID: "satisfaction_rate_12345", Family: FamilyThreeRates, NameZH: "满意率", NameEN: "12345 satisfaction rate", Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "(satisfied + weight × basically satisfied) / valid callbacks; the weight is three_rates.basically_satisfied_weight (default 0.9)."},
		civicscore.Indicator{ID: "three_rates_score", Family: FamilyThreeRates, NameZH: "三率综合得分", NameEN: "12345 three-rates score", Unit: UnitScore, Direction: hi, Kind: est,
			Definition: "100 × (w_response × response + w_resolution × resolution + w_satisfaction × satisfaction), default weights 0.1/0.5/0.4."},

		civicscore.Indicator{ID: "satisfaction_rate", Family: FamilySurveys, NameZH: "居民满意率", NameEN: "Resident satisfaction rate", Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "Valid survey responses rating overall satisfaction 4 or 5 / valid responses that answered it."},
	)
	for _, it := range items {
		n, ok := surveyItemNames[it]
		if !ok {
			n = [2]string{it, it}
		}
		r = append(r, civicscore.Indicator{
			ID: "satisfaction_rate." + it, Family: FamilySurveys,
			NameZH: n[0] + "满意率", NameEN: "Satisfaction rate: " + n[1],
			Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "Valid responses rating " + it + " 4 or 5 / valid responses that answered " + it + ".",
		})
	}
	r = append(r,
		civicscore.Indicator{ID: "satisfaction_mean", Family: FamilySurveys, NameZH: "满意度均分", NameEN: "Mean overall satisfaction", Unit: UnitScore, Direction: hi, Kind: est,
			Definition: "Mean of q_overall (1..5) over valid responses that answered it; interval mean ± z·sd/√n."},
		civicscore.Indicator{ID: "net_satisfaction", Family: FamilySurveys, NameZH: "净满意度", NameEN: "Net satisfaction", Unit: UnitFraction, Direction: hi, Kind: est,
			Definition: "Share of q_overall answers 4–5 minus share of answers 1–2 (−1..1)."},
		civicscore.Indicator{ID: "survey_response_rate", Family: FamilySurveys, NameZH: "问卷参与率", NameEN: "Survey response rate", Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "Valid survey responses (answered or not) / households."},

		civicscore.Indicator{ID: "services_per_1000_residents", Family: FamilyServices, NameZH: "每千居民服务人次", NameEN: "Services per 1,000 residents", Unit: UnitPer1000, Direction: hi, Kind: fact,
			Definition: "Sum of service recipients / population × 1000, for the period."},
		civicscore.Indicator{ID: "elderly_services_per_1000_elderly", Family: FamilyServices, NameZH: "每千老年人服务人次", NameEN: "Elderly services per 1,000 elderly", Unit: UnitPer1000, Direction: hi, Kind: fact,
			Definition: "Recipients of services targeting the elderly / known elderly population × 1000."},
		civicscore.Indicator{ID: "social_participation_share", Family: FamilyServices, NameZH: "社会力量参与服务占比", NameEN: "Social participation share", Unit: UnitFraction, Direction: hi, Kind: prop,
			Definition: "Recipients served by social organisations or volunteers / all recipients."},
		civicscore.Indicator{ID: "volunteer_hours_per_1000_residents", Family: FamilyServices, NameZH: "每千居民志愿服务时长", NameEN: "Volunteer hours per 1,000 residents", Unit: UnitPer1000, Direction: hi, Kind: fact,
			Definition: "Hours of volunteer-provided services / population × 1000."},
		civicscore.Indicator{ID: "service_space_per_100_households", Family: FamilyServices, NameZH: "每百户服务用房面积", NameEN: "Service space per 100 households", Unit: UnitPer100, Direction: hi, Kind: fact,
			Definition: "Service space in m² / households of the communities whose space is known × 100 (static; standard 30)."},
		civicscore.Indicator{ID: "gini_services", Family: FamilyServices, NameZH: "服务人次基尼系数", NameEN: "Gini of services per 1,000 residents", Unit: UnitRatio, Direction: lo, Kind: fact,
			Definition: "District level: Gini coefficient of its communities' services_per_1000_residents (0 for a community with no services)."},

		civicscore.Indicator{ID: "resident_score", Family: FamilyScore, NameZH: "居民评价综合分", NameEN: "Resident score", Unit: UnitScore, Direction: hi, Kind: est,
			Definition: "100 × weighted mean of the components not suppressed (satisfaction_rate, callback_satisfaction_rate, on_time_rate, 1 − escalation_share; weights score.weights renormalised over those present), from empirical-Bayes shrunk values for a community and pooled rates for a street or district. No score when no resident component is present or the weights present are under half the total. Ranked within the district. Denominator: the number of components used; interval: the weighted combination of the components' Wilson bounds."},
	)
	return slices.Clip(r)
}
