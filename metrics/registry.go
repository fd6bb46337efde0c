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
// columns of survey_responses besides q_overall, as civicscore.SurveyItems
// defines them. Options.SurveyItems must be drawn from it.
var SurveyItemColumns = civicscore.SurveyItemIDs(false)

// levelShareNames gives the Chinese and English name of each resolution
// level, for the level_share.<level> indicators.
var levelShareNames = map[civicscore.ResolutionLevel][2]string{
	civicscore.ResolvedCommunity: {"社区", "community"},
	civicscore.ResolvedBlock:     {"块区", "block"},
	civicscore.ResolvedStreet:    {"街道", "street"},
	civicscore.ResolvedDistrict:  {"区级", "district"},
	civicscore.ResolvedCity:      {"市级", "city"},
}

// Input sources of the registry entries (civicscore.Indicator.Sources).
var (
	srcCases        = []civicscore.Kind{civicscore.KindCases}
	srcCasesPerHH   = []civicscore.Kind{civicscore.KindCommunities, civicscore.KindCases}
	srcServices     = []civicscore.Kind{civicscore.KindServices}
	srcServicesPer  = []civicscore.Kind{civicscore.KindCommunities, civicscore.KindServices}
	srcCommunities  = []civicscore.Kind{civicscore.KindCommunities}
	srcSurveys      = []civicscore.Kind{civicscore.KindSurveys}
	srcSurveysPerHH = []civicscore.Kind{civicscore.KindCommunities, civicscore.KindSurveys}
	srcWeighted     = []civicscore.Kind{civicscore.KindStrata, civicscore.KindSurveys}
	srcScore        = []civicscore.Kind{civicscore.KindCases, civicscore.KindSurveys}
)

// Registry returns every indicator Compute writes, in a stable order: the
// case family, the 12345 three rates, the survey family (with one
// satisfaction_rate.<item> per item), the service family and the resident
// score. It is the one description of the indicators: names, short names
// and plain words, unit, kind, direction, family, score component and
// sources; the reports read it (and the indicators table written from it).
// items are the survey dimension items; nil or empty means
// SurveyItemColumns. Registry does not validate items: Compute checks them
// against SurveyItemColumns before it calls Registry.
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
		{ID: "case_volume", Family: FamilyCases, NameZH: "案件量", NameEN: "Case volume", Unit: UnitCount, Direction: neu, Kind: fact, Sources: srcCases,
			ShortZH: "诉求件数", ShortEN: "Cases",
			PlainZH:    "居民通过网格员、12345热线、随手拍等渠道反映的事项数。",
			PlainEN:    "Issues residents reported through grid workers, the 12345 hotline, apps or in person.",
			Definition: "Number of cases reported in the period (up to as_of)."},
		{ID: "cases_per_1000_households", Family: FamilyCases, NameZH: "每千户案件量", NameEN: "Cases per 1,000 households", Unit: UnitPer1000, Direction: neu, Kind: fact, Sources: srcCasesPerHH,
			ShortZH: "每千户诉求", ShortEN: "Per 1k hh",
			PlainZH: "每一千户居民反映的事项数。", PlainEN: "Issues reported per 1,000 households.",
			Definition: "case_volume / households of the unit × 1000, for the period (not annualised)."},
		{ID: "on_time_rate", Family: FamilyCases, NameZH: "按时办结率", NameEN: "On-time closure rate", Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcCases,
			ShortZH: "按时办结", ShortEN: "On time",
			PlainZH:    "居民反映的事项中，在规定时限内办好的比例；逾期未办的算作没有按时。",
			PlainEN:    "Share of reported issues dealt with by their deadline; overdue open issues count as late.",
			Definition: "Cases closed by their due time / (closed cases + open cases already past due at as_of); open cases not yet due are left out."},
		{ID: "escalation_share", Family: FamilyCases, NameZH: "升级办理占比", NameEN: "Escalation share", Unit: UnitFraction, Direction: lo, Kind: prop, Sources: srcCases,
			ShortZH: "上交比例", ShortEN: "Escalated",
			PlainZH:    "需要交给块区、街道、区或市里处理的事项所占比例；越低，说明社区自己解决得越多。",
			PlainEN:    "Share of issues passed up to the block, street, district or city; lower means more were solved in the community.",
			Definition: "Cases handled above the community (block, street, district, city) / all cases."},
	}
	for _, l := range civicscore.ResolutionLevels {
		n := levelShareNames[l]
		r = append(r, civicscore.Indicator{
			ID: "level_share." + string(l), Family: FamilyCases,
			NameZH: n[0] + "层级办理占比", NameEN: "Share handled at " + n[1] + " level",
			ShortZH: n[0], ShortEN: upperFirst(n[1]),
			Unit: UnitFraction, Direction: neu, Kind: prop, Sources: srcCases,
			Definition: "Cases whose resolution_level is " + string(l) + " / all cases (the escalation funnel).",
		})
	}
	r = append(r,
		civicscore.Indicator{ID: "callback_satisfaction_rate", Family: FamilyCases, NameZH: "回访满意率", NameEN: "Callback satisfaction rate", Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcCases,
			ShortZH: "回访满意", ShortEN: "Callback sat.",
			PlainZH:    "事项办完后回访时，居民说“满意”或“基本满意”的比例。",
			PlainEN:    "Share of residents who said they were satisfied or fairly satisfied when called back after their issue was closed.",
			Definition: "Cases whose callback answer is satisfied or basically satisfied / cases with a callback answer."},
		civicscore.Indicator{ID: "median_resolution_hours", Family: FamilyCases, NameZH: "办结时长中位数", NameEN: "Median hours to closure", Unit: UnitHours, Direction: lo, Kind: est, Sources: srcCases,
			ShortZH: "办结用时", ShortEN: "Time to resolve",
			PlainZH: "一半的事项在这个时间内办好（从反映到办结）。", PlainEN: "Half of the issues were closed within this time from being reported.",
			Definition: "Median (quantile_cont 0.5) of closed_at − reported_at in hours over closed cases."},
		civicscore.Indicator{ID: "p90_resolution_hours", Family: FamilyCases, NameZH: "办结时长90分位", NameEN: "90th percentile hours to closure", Unit: UnitHours, Direction: lo, Kind: est, Sources: srcCases,
			ShortZH: "90%办结用时", ShortEN: "P90 resolve",
			PlainZH: "九成的事项在这个时间内办好。", PlainEN: "Nine in ten issues were closed within this time.",
			Definition: "90th percentile (quantile_cont 0.9) of closed_at − reported_at in hours over closed cases."},
		civicscore.Indicator{ID: "median_first_response_hours", Family: FamilyCases, NameZH: "首次响应时长中位数", NameEN: "Median hours to first response", Unit: UnitHours, Direction: lo, Kind: est, Sources: srcCases,
			ShortZH: "首次响应", ShortEN: "First response",
			PlainZH: "一半的事项在这个时间内有人接手处理。", PlainEN: "Half of the issues got a first response within this time.",
			Definition: "Median of first_response_at − reported_at in hours over cases with a first response."},
		civicscore.Indicator{ID: "reopen_rate", Family: FamilyCases, NameZH: "重办率", NameEN: "Reopen rate", Unit: UnitFraction, Direction: lo, Kind: prop, Sources: srcCases,
			ShortZH: "重办率", ShortEN: "Reopened",
			PlainZH: "办结后又被重新打开的事项所占比例。", PlainEN: "Share of issues reopened after being closed.",
			Definition: "Cases marked reopened / all cases."},
		civicscore.Indicator{ID: "callback_coverage", Family: FamilyCases, NameZH: "回访覆盖率", NameEN: "Callback coverage", Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcCases,
			ShortZH: "回访覆盖", ShortEN: "Callback cov.",
			PlainZH: "办结的事项中，回访问过居民意见的比例。", PlainEN: "Share of closed issues where the resident was asked for their verdict.",
			Definition: "Closed cases with a callback answer / closed cases: how much of the record residents were asked about."},
		civicscore.Indicator{ID: "closure_gap", Family: FamilyCases, NameZH: "办结未解决率", NameEN: "Closure gap", Unit: UnitFraction, Direction: lo, Kind: prop, Sources: srcCases,
			ShortZH: "办结未解决", ShortEN: "Not solved",
			PlainZH:    "系统里已经办结，但回访时居民说问题没有解决的比例。",
			PlainEN:    "Share of issues closed on paper that the resident, called back, says are not solved.",
			Definition: "Closed cases whose resident says at callback the problem is not solved / closed cases with a callback answer and a resolved verdict."},
		civicscore.Indicator{ID: "overdue_open", Family: FamilyCases, NameZH: "超期未办结案件数", NameEN: "Overdue open cases", Unit: UnitCount, Direction: lo, Kind: fact, Sources: srcCases,
			ShortZH: "超期未办", ShortEN: "Overdue",
			PlainZH: "到数据截止时已过时限、仍未办结的事项数。", PlainEN: "Issues past their deadline and still open at the data cut-off.",
			Definition: "Snapshot at as_of: open cases past their due time, whatever month they were reported; only under the periods containing as_of."},

		// The case-mix standardised rates (casemix.sql): estimates with
		// their own interval, suppressed on the crude n.
		civicscore.Indicator{ID: "on_time_rate.standardised", Family: FamilyCases, NameZH: "按时办结率（按案件类型调整）", NameEN: "On-time closure rate, case-mix adjusted", Unit: UnitFraction, Direction: hi, Kind: est, Sources: srcCases,
			ShortZH: "按时办结（调整）", ShortEN: "On time (adj.)",
			PlainZH:    "考虑到社区收到的事项类型后的按时办结率：如果全区每类事项按时办结的比例都一样，这个社区会办得比预期好还是差。",
			PlainEN:    "The on-time rate given the kinds of cases the community receives: better or worse than expected if each kind were handled as well as across the district.",
			Definition: caseMixDefinition("on_time_rate")},
		civicscore.Indicator{ID: "escalation_share.standardised", Family: FamilyCases, NameZH: "升级办理占比（按案件类型调整）", NameEN: "Escalation share, case-mix adjusted", Unit: UnitFraction, Direction: lo, Kind: est, Sources: srcCases,
			ShortZH: "上交比例（调整）", ShortEN: "Escalated (adj.)",
			PlainZH:    "考虑到社区收到的事项类型后的上交比例：有些类型的事项本来就要交给街道或区里处理。",
			PlainEN:    "The escalation share given the kinds of cases the community receives: some kinds must go to the street or district anyway.",
			Definition: caseMixDefinition("escalation_share")},
		civicscore.Indicator{ID: "callback_satisfaction_rate.standardised", Family: FamilyCases, NameZH: "回访满意率（按案件类型调整）", NameEN: "Callback satisfaction rate, case-mix adjusted", Unit: UnitFraction, Direction: hi, Kind: est, Sources: srcCases,
			ShortZH: "回访满意（调整）", ShortEN: "Callback sat. (adj.)",
			PlainZH:    "考虑到社区收到的事项类型后的回访满意率：有些类型的事项居民本来就更难满意。",
			PlainEN:    "The callback satisfaction rate given the kinds of cases the community receives: some kinds leave residents less satisfied wherever they are handled.",
			Definition: caseMixDefinition("callback_satisfaction_rate")},

		civicscore.Indicator{ID: "response_rate_12345", Family: FamilyThreeRates, NameZH: "响应率", NameEN: "12345 response rate", Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcCases,
			ShortZH: "响应率", ShortEN: "Response",
			PlainZH: "有效回访中，承办单位联系过居民的比例。", PlainEN: "Share of valid callbacks where the office contacted the resident.",
			Definition: "Valid callbacks where the office contacted the resident / valid callbacks (cases with a callback answer)."},
		civicscore.Indicator{ID: "resolution_rate_12345", Family: FamilyThreeRates, NameZH: "解决率", NameEN: "12345 resolution rate", Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcCases,
			ShortZH: "解决率", ShortEN: "Resolution",
			PlainZH: "有效回访中，居民说问题已解决的比例。", PlainEN: "Share of valid callbacks where the resident says the problem is solved.",
			Definition: "Valid callbacks where the resident says the problem is solved / valid callbacks."},
		civicscore.Indicator{ID: "satisfaction_rate_12345", Family: FamilyThreeRates, NameZH: "满意率", NameEN: "12345 satisfaction rate", Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcCases,
			ShortZH: "满意率", ShortEN: "Satisfaction",
			PlainZH: "有效回访中满意的比例（“基本满意”按配置的权重计）。", PlainEN: "Share satisfied among valid callbacks (fairly satisfied counts at the configured weight).",
			Definition: "(satisfied + weight × basically satisfied) / valid callbacks; the weight is three_rates.basically_satisfied_weight."},
		civicscore.Indicator{ID: "three_rates_score", Family: FamilyThreeRates, NameZH: "三率综合得分", NameEN: "12345 three-rates score", Unit: UnitScore, Direction: hi, Kind: est, Sources: srcCases,
			ShortZH: "三率得分", ShortEN: "3-rates",
			PlainZH:    "按12345考核口径，响应率、解决率、满意率加权得分（满分100）。",
			PlainEN:    "The hotline assessment's weighted score of response, resolution and satisfaction (out of 100).",
			Definition: "100 × (w_response × response + w_resolution × resolution + w_satisfaction × satisfaction), weights three_rates.weights."},

		civicscore.Indicator{ID: "satisfaction_rate", Family: FamilySurveys, NameZH: "居民满意率", NameEN: "Resident satisfaction rate", Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcSurveys,
			ShortZH: "居民满意", ShortEN: "Satisfaction",
			PlainZH:    "参加评价的居民中，对社区工作总体打4分或5分（满意、非常满意）的比例。",
			PlainEN:    "Share of residents who rated the community's work 4 or 5 out of 5 overall.",
			Definition: "Valid survey responses rating overall satisfaction 4 or 5 / valid responses that answered it."},
	)
	for _, id := range items {
		it, ok := civicscore.SurveyItemOf(id)
		if !ok {
			it = civicscore.SurveyItem{ID: id, NameZH: id, NameEN: id}
		}
		r = append(r, civicscore.Indicator{
			ID: "satisfaction_rate." + id, Family: FamilySurveys,
			NameZH: it.NameZH + "满意率", NameEN: "Satisfaction rate: " + it.NameEN,
			ShortZH: it.NameZH, ShortEN: it.NameEN,
			Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcSurveys,
			Definition: "Valid responses rating " + id + " 4 or 5 / valid responses that answered " + id + ".",
		})
	}
	// The .weighted rates (sql/weighted.sql): community level, only with
	// survey.post_strata configured and strata for the community.
	const weightedDef = " Each response weighted so that the respondents match the population by age group (and gender) of inputs.strata (post-stratification, raking for two variables; small cells merged, weights capped at survey.max_weight): value Σw·satisfied / Σw, denominator Kish's effective n (Σw)²/Σw², on which the interval and suppression rest. Community level only."
	r = append(r, civicscore.Indicator{ID: "satisfaction_rate.weighted", Family: FamilySurveys,
		NameZH: "居民满意率（人口加权）", NameEN: "Resident satisfaction rate (population-weighted)",
		ShortZH: "满意率(加权)", ShortEN: "Sat. (weighted)",
		PlainZH: "把参评居民按年龄（和性别）调整到社区实际人口构成后的满意率，避免某类居民答卷多而左右结果。",
		PlainEN: "The satisfaction rate with respondents re-balanced to the community's population by age (and gender), so that no group that answered more than its share sways it.",
		Unit:    UnitFraction, Direction: hi, Kind: prop, Sources: srcWeighted,
		Definition: "satisfaction_rate (q_overall 4 or 5) with population weights." + weightedDef})
	for _, id := range items {
		it, ok := civicscore.SurveyItemOf(id)
		if !ok {
			it = civicscore.SurveyItem{ID: id, NameZH: id, NameEN: id}
		}
		r = append(r, civicscore.Indicator{
			ID: "satisfaction_rate." + id + ".weighted", Family: FamilySurveys,
			NameZH: it.NameZH + "满意率（人口加权）", NameEN: "Satisfaction rate: " + it.NameEN + " (population-weighted)",
			ShortZH: it.NameZH + "(加权)", ShortEN: it.NameEN + " (weighted)",
			Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcWeighted,
			Definition: "satisfaction_rate." + id + " (" + id + " 4 or 5) with population weights." + weightedDef,
		})
	}
	r = append(r,
		civicscore.Indicator{ID: "satisfaction_mean", Family: FamilySurveys, NameZH: "满意度均分", NameEN: "Mean overall satisfaction", Unit: UnitScore, Direction: hi, Kind: est, Sources: srcSurveys,
			ShortZH: "平均分", ShortEN: "Mean rating",
			PlainZH: "居民总体评价的平均分（1-5分）。", PlainEN: "Average overall rating residents gave (1 to 5).",
			Definition: "Mean of q_overall (1..5) over valid responses that answered it; interval mean ± z·sd/√n."},
		civicscore.Indicator{ID: "net_satisfaction", Family: FamilySurveys, NameZH: "净满意度", NameEN: "Net satisfaction", Unit: UnitFraction, Direction: hi, Kind: est, Sources: srcSurveys,
			ShortZH: "净满意度", ShortEN: "Net sat.",
			PlainZH: "满意的比例减去不满意的比例。", PlainEN: "Share satisfied minus share dissatisfied.",
			Definition: "Share of q_overall answers 4–5 minus share of answers 1–2 (−1..1)."},
		// A per-household rate, not a share of trials: a household may
		// answer more than once, so the value may exceed 1 and a Wilson
		// interval does not apply. Like the other per-capita rates it is a
		// fact, never suppressed.
		civicscore.Indicator{ID: "survey_response_rate", Family: FamilySurveys, NameZH: "问卷参与率", NameEN: "Survey response rate", Unit: UnitFraction, Direction: hi, Kind: fact, Sources: srcSurveysPerHH,
			ShortZH: "参评率", ShortEN: "Responses",
			PlainZH: "参加满意度评价的人次与总户数之比。", PlainEN: "Valid survey responses per household.",
			Definition: "Valid survey responses (answered or not) / households; may exceed 1."},

		civicscore.Indicator{ID: "services_per_1000_residents", Family: FamilyServices, NameZH: "每千居民服务人次", NameEN: "Services per 1,000 residents", Unit: UnitPer1000, Direction: hi, Kind: fact, Sources: srcServicesPer,
			ShortZH: "服务人次/千人", ShortEN: "Services/1k",
			PlainZH: "社区为居民提供服务的人次，按每一千位居民计。", PlainEN: "People served by community services per 1,000 residents.",
			Definition: "Sum of service recipients / population × 1000, for the period."},
		civicscore.Indicator{ID: "elderly_services_per_1000_elderly", Family: FamilyServices, NameZH: "每千老年人服务人次", NameEN: "Elderly services per 1,000 elderly", Unit: UnitPer1000, Direction: hi, Kind: fact, Sources: srcServicesPer,
			ShortZH: "为老服务/千人", ShortEN: "Elderly/1k",
			PlainZH: "为老年人提供服务的人次，按每一千位老人计。", PlainEN: "Services to older residents per 1,000 older residents.",
			Definition: "Recipients of services targeting the elderly / known elderly population × 1000."},
		// A share of recipients (0..1), with a Wilson interval on n =
		// recipients, suppressed below min_n like every proportion.
		civicscore.Indicator{ID: "social_participation_share", Family: FamilyServices, NameZH: "社会力量参与服务占比", NameEN: "Social participation share", Unit: UnitFraction, Direction: hi, Kind: prop, Sources: srcServices,
			ShortZH: "社会参与", ShortEN: "Social part.",
			PlainZH: "由社会组织和志愿者提供的服务人次所占比例。", PlainEN: "Share of people served by social organisations and volunteers.",
			Definition: "Recipients served by social organisations or volunteers / all recipients."},
		civicscore.Indicator{ID: "volunteer_hours_per_1000_residents", Family: FamilyServices, NameZH: "每千居民志愿服务时长", NameEN: "Volunteer hours per 1,000 residents", Unit: UnitPer1000, Direction: hi, Kind: fact, Sources: srcServicesPer,
			ShortZH: "志愿时长/千人", ShortEN: "Volunteer h/1k",
			PlainZH: "志愿者服务小时数，按每一千位居民计。", PlainEN: "Volunteer hours per 1,000 residents.",
			Definition: "Hours of volunteer-provided services / population × 1000."},
		civicscore.Indicator{ID: "service_space_per_100_households", Family: FamilyServices, NameZH: "每百户服务用房面积", NameEN: "Service space per 100 households", Unit: UnitPer100, Direction: hi, Kind: fact, Sources: srcCommunities,
			ShortZH: "用房/百户", ShortEN: "Space/100hh",
			PlainZH: "社区办公和活动用房面积，按每一百户计（平方米）。", PlainEN: "Community office and activity space per 100 households (m²).",
			Definition: "Service space in m² / households of the communities whose space is known × 100 (static; compared with standards.space_m2_per_100_households)."},
		civicscore.Indicator{ID: "gini_services", Family: FamilyServices, NameZH: "服务人次基尼系数", NameEN: "Gini of services per 1,000 residents", Unit: UnitRatio, Direction: lo, Kind: fact, Sources: srcServicesPer,
			ShortZH: "基尼系数", ShortEN: "Gini",
			PlainZH: "各社区服务人次差距的基尼系数；越低越均衡。", PlainEN: "Gini coefficient of services across communities; lower is more even.",
			Definition: "District level: Gini coefficient of its communities' services_per_1000_residents (0 for a community with no services)."},

		civicscore.Indicator{ID: "resident_score", Family: FamilyScore, NameZH: "居民评价综合分", NameEN: "Resident score", Unit: UnitScore, Direction: hi, Kind: est, Sources: srcScore,
			ShortZH: "综合分", ShortEN: "Score",
			PlainZH: "以居民评价为主（至少占一半）的综合分，满分100。", PlainEN: "A score out of 100 in which residents' own judgement weighs at least half.",
			Definition: "100 × weighted mean of the components not suppressed (satisfaction_rate, callback_satisfaction_rate, on_time_rate, 1 − escalation_share; weights score.weights renormalised over those present), from empirical-Bayes shrunk values for a community and pooled rates for a street or district. No score when no resident component is present or the weights present are under half the total. Ranked within the district. Denominator: the number of components used; interval: the weighted combination of the components' Wilson bounds."},
	)
	for i := range r {
		r[i].Score = civicscore.ScoreComponentOf(r[i].ID)
	}
	return slices.Clip(r)
}

// caseMixDefinition is the Definition of <crude>.standardised.
func caseMixDefinition(crude string) string {
	return "Indirect standardisation of " + crude + " by case category, community level, the district in the same period as the reference: " +
		"O = the crude numerator, E = Σ over categories of the community's denominator × the district's rate in that category " +
		"(categories with fewer than min_n district cases in the denominator pooled into one other category); " +
		"value (O / E) × the district's rate, numerator O, denominator E; interval: exact Poisson bounds of O when O < 10, Byar's otherwise, / E × the district's rate; " +
		"suppressed when the crude denominator is below min_n."
}

// upperFirst returns s with its first (ASCII) letter in upper case.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
