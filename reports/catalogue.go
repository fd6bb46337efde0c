package reports

import (
	"strings"

	"github.com/civicscore/civicscore"
)

// Indicator ids the pages refer to, exactly as in indicators.md.
const (
	indCaseVolume         = "case_volume"
	indCasesPer1000HH     = "cases_per_1000_households"
	indOnTime             = "on_time_rate"
	indEscalation         = "escalation_share"
	indLevelSharePrefix   = "level_share."
	indCallbackSat        = "callback_satisfaction_rate"
	indMedianResolution   = "median_resolution_hours"
	indP90Resolution      = "p90_resolution_hours"
	indMedianFirstResp    = "median_first_response_hours"
	indReopen             = "reopen_rate"
	indCallbackCoverage   = "callback_coverage"
	indClosureGap         = "closure_gap"
	indOverdueOpen        = "overdue_open"
	indResponse12345      = "response_rate_12345"
	indResolution12345    = "resolution_rate_12345"
	indSatisfaction12345  = "satisfaction_rate_12345"
	indThreeRates         = "three_rates_score"
	indSatisfaction       = "satisfaction_rate"
	indSatItemPrefix      = "satisfaction_rate.q_"
	indSatMean            = "satisfaction_mean"
	indNetSatisfaction    = "net_satisfaction"
	indSurveyResponse     = "survey_response_rate"
	indServicesPer1000    = "services_per_1000_residents"
	indElderlyPer1000     = "elderly_services_per_1000_elderly"
	indSocialParticipate  = "social_participation_share"
	indVolunteerHours     = "volunteer_hours_per_1000_residents"
	indServiceSpace       = "service_space_per_100_households"
	indGiniServices       = "gini_services"
	indResidentScore      = "resident_score"
	weightedSuffix        = ".weighted"
	unitFraction          = "fraction"
	unitHours             = "hours"
	unitHoursOnly         = "hours!" // hours, never turned into days (report tiles)
	unitBare              = "bare"   // a number with one decimal, its unit in a header
	unitCount             = "count"
	unitPer1000           = "per_1000"
	unitPer100            = "per_100"
	unitScore             = "score"
	unitRatio             = "ratio"
	familyCases           = "cases"
	familyThreeRates      = "three_rates"
	familySurveys         = "surveys"
	familyServices        = "services"
	familyScore           = "score"
	defaultSatItemsFamily = familySurveys
)

// catEntry is the built-in description of an indicator: the registry row to
// fall back on when the database's indicators table lacks it, and the plain
// words residents read on their scorecard.
type catEntry struct {
	ind              civicscore.Indicator
	shortZH, shortEN string // column header
	plainZH, plainEN string // what it means, in plain words
}

// catalogue is the built-in registry. The database's indicators table wins
// for names, units and directions; the plain words come only from here.
var catalogue = map[string]catEntry{}

// catalogueOrder lists the catalogue's indicators in the order pages show
// them: by family, as indicators.md lists them.
var catalogueOrder []string

// catalogueRank returns the position of id in catalogueOrder, or
// len(catalogueOrder) when it is not there.
func catalogueRank(id string) int {
	for i, c := range catalogueOrder {
		if c == id {
			return i
		}
	}
	return len(catalogueOrder)
}

func init() {
	add := func(id, family, unit string, dir civicscore.Direction, kind civicscore.IndicatorKind,
		nameZH, nameEN, shortZH, shortEN, plainZH, plainEN string) {
		catalogueOrder = append(catalogueOrder, id)
		catalogue[id] = catEntry{
			ind: civicscore.Indicator{ID: id, Family: family, NameZH: nameZH, NameEN: nameEN,
				Unit: unit, Direction: dir, Kind: kind},
			shortZH: shortZH, shortEN: shortEN, plainZH: plainZH, plainEN: plainEN,
		}
	}
	hi, lo, ne := civicscore.HigherIsBetter, civicscore.LowerIsBetter, civicscore.Neutral
	prop, est, fact := civicscore.Proportion, civicscore.Estimate, civicscore.Fact

	add(indCaseVolume, familyCases, unitCount, ne, fact, "诉求件数", "Cases", "诉求件数", "Cases",
		"居民通过网格员、12345热线、随手拍等渠道反映的事项数。",
		"Issues residents reported through grid workers, the 12345 hotline, apps or in person.")
	add(indCasesPer1000HH, familyCases, unitPer1000, ne, fact, "每千户诉求件数", "Cases per 1,000 households", "每千户诉求", "Per 1k hh",
		"每一千户居民反映的事项数。", "Issues reported per 1,000 households.")
	add(indOnTime, familyCases, unitFraction, hi, prop, "按时办结率", "On-time rate", "按时办结", "On time",
		"居民反映的事项中，在规定时限内办好的比例；逾期未办的算作没有按时。",
		"Share of reported issues dealt with by their deadline; overdue open issues count as late.")
	add(indEscalation, familyCases, unitFraction, lo, prop, "上交处理比例", "Escalation share", "上交比例", "Escalated",
		"需要交给块区、街道、区或市里处理的事项所占比例；越低，说明社区自己解决得越多。",
		"Share of issues passed up to the block, street, district or city; lower means more were solved in the community.")
	add(indCallbackSat, familyCases, unitFraction, hi, prop, "回访满意率", "Callback satisfaction", "回访满意", "Callback sat.",
		"事项办完后回访时，居民说“满意”或“基本满意”的比例。",
		"Share of residents who said they were satisfied or fairly satisfied when called back after their issue was closed.")
	add(indMedianResolution, familyCases, unitHours, lo, est, "办结用时中位数", "Median time to resolve", "办结用时", "Time to resolve",
		"一半的事项在这个时间内办好（从反映到办结）。",
		"Half of the issues were closed within this time from being reported.")
	add(indP90Resolution, familyCases, unitHours, lo, est, "办结用时90分位", "90th percentile time to resolve", "90%办结用时", "P90 resolve",
		"九成的事项在这个时间内办好。", "Nine in ten issues were closed within this time.")
	add(indMedianFirstResp, familyCases, unitHours, lo, est, "首次响应用时中位数", "Median first response time", "首次响应", "First response",
		"一半的事项在这个时间内有人接手处理。", "Half of the issues got a first response within this time.")
	add(indReopen, familyCases, unitFraction, lo, prop, "重办率", "Reopen rate", "重办率", "Reopened",
		"办结后又被重新打开的事项所占比例。", "Share of issues reopened after being closed.")
	add(indCallbackCoverage, familyCases, unitFraction, hi, prop, "回访覆盖率", "Callback coverage", "回访覆盖", "Callback cov.",
		"办结的事项中，回访问过居民意见的比例。", "Share of closed issues where the resident was asked for their verdict.")
	add(indClosureGap, familyCases, unitFraction, lo, prop, "“办结未解决”比例", "Closed but not solved", "办结未解决", "Not solved",
		"系统里已经办结，但回访时居民说问题没有解决的比例。",
		"Share of issues closed on paper that the resident, called back, says are not solved.")
	add(indOverdueOpen, familyCases, unitCount, lo, fact, "超期未办结件数", "Overdue open cases", "超期未办", "Overdue",
		"到数据截止时已过时限、仍未办结的事项数。", "Issues past their deadline and still open at the data cut-off.")
	add(indResponse12345, familyThreeRates, unitFraction, hi, prop, "响应率", "Response rate (12345)", "响应率", "Response",
		"有效回访中，承办单位联系过居民的比例。", "Share of valid callbacks where the office contacted the resident.")
	add(indResolution12345, familyThreeRates, unitFraction, hi, prop, "解决率", "Resolution rate (12345)", "解决率", "Resolution",
		"有效回访中，居民说问题已解决的比例。", "Share of valid callbacks where the resident says the problem is solved.")
	add(indSatisfaction12345, familyThreeRates, unitFraction, hi, prop, "满意率（12345口径）", "Satisfaction rate (12345)", "满意率", "Satisfaction",
		"有效回访中满意的比例（“基本满意”按0.9计）。", "Share satisfied among valid callbacks (fairly satisfied counts 0.9).")
	add(indThreeRates, familyThreeRates, unitScore, hi, est, "三率综合得分", "Three-rates score", "三率得分", "3-rates",
		"按12345考核口径，响应率、解决率、满意率加权得分（满分100）。",
		"The hotline assessment's weighted score of response, resolution and satisfaction (out of 100).")
	add(indSatisfaction, familySurveys, unitFraction, hi, prop, "居民满意率", "Resident satisfaction", "居民满意", "Satisfaction",
		"参加评价的居民中，对社区工作总体打4分或5分（满意、非常满意）的比例。",
		"Share of residents who rated the community's work 4 or 5 out of 5 overall.")
	add(indSatMean, familySurveys, unitScore, hi, est, "总体评价平均分", "Mean overall rating", "平均分", "Mean rating",
		"居民总体评价的平均分（1-5分）。", "Average overall rating residents gave (1 to 5).")
	add(indNetSatisfaction, familySurveys, unitFraction, hi, est, "净满意度", "Net satisfaction", "净满意度", "Net sat.",
		"满意的比例减去不满意的比例。", "Share satisfied minus share dissatisfied.")
	add(indSurveyResponse, familySurveys, unitFraction, hi, fact, "参评率", "Survey response rate", "参评率", "Responses",
		"参加满意度评价的人次占总户数的比例。", "Valid survey responses per household.")
	add(indServicesPer1000, familyServices, unitPer1000, hi, fact, "每千人服务人次", "Services per 1,000 residents", "服务人次/千人", "Services/1k",
		"社区为居民提供服务的人次，按每一千位居民计。", "People served by community services per 1,000 residents.")
	add(indElderlyPer1000, familyServices, unitPer1000, hi, fact, "每千名老人服务人次", "Elderly services per 1,000 elderly", "为老服务/千人", "Elderly/1k",
		"为老年人提供服务的人次，按每一千位老人计。", "Services to older residents per 1,000 older residents.")
	add(indSocialParticipate, familyServices, unitFraction, hi, fact, "社会力量参与占比", "Social participation share", "社会参与", "Social part.",
		"由社会组织和志愿者提供的服务人次所占比例。", "Share of people served by social organisations and volunteers.")
	add(indVolunteerHours, familyServices, unitPer1000, hi, fact, "每千人志愿服务时长", "Volunteer hours per 1,000 residents", "志愿时长/千人", "Volunteer h/1k",
		"志愿者服务小时数，按每一千位居民计。", "Volunteer hours per 1,000 residents.")
	add(indServiceSpace, familyServices, unitPer100, hi, fact, "每百户服务用房面积", "Service space per 100 households", "用房/百户", "Space/100hh",
		"社区办公和活动用房面积，按每一百户计（平方米）。", "Community office and activity space per 100 households (m²).")
	add(indGiniServices, familyServices, unitRatio, lo, fact, "服务均衡度（基尼系数）", "Gini of services", "基尼系数", "Gini",
		"各社区服务人次差距的基尼系数；越低越均衡。", "Gini coefficient of services across communities; lower is more even.")
	add(indResidentScore, familyScore, unitScore, hi, est, "居民评价综合分", "Resident score", "综合分", "Score",
		"以居民评价为主（至少占一半）的综合分，满分100。", "A score out of 100 in which residents' own judgement weighs at least half.")

	levels := []struct{ id, zh, en string }{
		{"community", "社区", "Community"}, {"block", "块区", "Block"}, {"street", "街道", "Street"},
		{"district", "区级", "District"}, {"city", "市级", "City"},
	}
	for _, l := range levels {
		add(indLevelSharePrefix+l.id, familyCases, unitFraction, ne, prop,
			"办理层级："+l.zh, "Handled at: "+l.en, l.zh, l.en, "", "")
	}
	items := []struct{ id, zh, en string }{
		{"q_environment", "环境卫生", "Environment"},
		{"q_safety", "治安安全", "Safety"},
		{"q_services", "便民服务", "Services"},
		{"q_responsiveness", "诉求回应", "Responsiveness"},
		{"q_facilities", "设施维护", "Facilities"},
		{"q_participation", "居民参与", "Participation"},
		{"q_fairness", "公平公正", "Fairness"},
	}
	for _, it := range items {
		add(indSatisfaction+"."+it.id, defaultSatItemsFamily, unitFraction, hi, prop,
			"满意率："+it.zh, "Satisfaction: "+it.en, it.zh, it.en, "", "")
	}
}

// indicatorInfo is what a page needs to label and format an indicator.
type indicatorInfo struct {
	civicscore.Indicator
	Short string // column header
	Plain string // plain-words explanation, may be empty
	Name  string // name in the page language
}

// info returns the description of indicator id in language lang, merging
// the database registry (which wins) with the built-in catalogue.
func info(reg map[string]civicscore.Indicator, id, lang string) indicatorInfo {
	c, inCat := catalogue[id]
	weighted := false
	if base := strings.TrimSuffix(id, weightedSuffix); !inCat && base != id {
		c, weighted = catalogue[base]
		if weighted {
			c.ind.NameZH += "（加权）"
			c.ind.NameEN += " (weighted)"
			c.shortZH += "（加权）"
			c.shortEN += " (wtd)"
		}
	}
	out := indicatorInfo{Indicator: c.ind}
	out.ID = id
	if r, ok := reg[id]; ok {
		merge := func(dst *string, src string) {
			if strings.TrimSpace(src) != "" {
				*dst = src
			}
		}
		merge(&out.Family, r.Family)
		merge(&out.NameZH, r.NameZH)
		merge(&out.NameEN, r.NameEN)
		merge(&out.Unit, r.Unit)
		merge(&out.Definition, r.Definition)
		if r.Direction != "" {
			out.Direction = r.Direction
		}
		if r.Kind != "" {
			out.Kind = r.Kind
		}
	}
	if lang == LangEN {
		out.Name, out.Short, out.Plain = out.NameEN, c.shortEN, c.plainEN
	} else {
		out.Name, out.Short, out.Plain = out.NameZH, c.shortZH, c.plainZH
	}
	if r, ok := reg[id]; ok && strings.HasPrefix(id, indSatItemPrefix) {
		// A survey dimension's short name follows the registry's name, so
		// the scorecard and the methodology page call it the same.
		if lang == LangEN {
			if _, after, ok := strings.Cut(r.NameEN, ": "); ok && after != "" {
				out.Short = strings.ToUpper(after[:1]) + after[1:]
			}
		} else if s := strings.TrimSuffix(r.NameZH, "满意率"); s != r.NameZH && s != "" {
			out.Short = s
		}
	}
	if out.Name == "" {
		out.Name = id
	}
	if out.Short == "" {
		out.Short = out.Name
	}
	if out.Unit == "" {
		out.Unit = guessUnit(id)
	}
	if out.Kind == "" {
		out.Kind = civicscore.Estimate
	}
	return out
}

// guessUnit infers the unit of an indicator unknown to both registries from
// its id, so that an unexpected indicator is still formatted sensibly.
func guessUnit(id string) string {
	switch {
	case strings.Contains(id, "_rate") || strings.Contains(id, "share") || strings.HasPrefix(id, indLevelSharePrefix):
		return unitFraction
	case strings.HasSuffix(id, "_hours"):
		return unitHours
	case strings.Contains(id, "per_1000"):
		return unitPer1000
	case strings.Contains(id, "per_100"):
		return unitPer100
	case strings.HasSuffix(id, "_score"):
		return unitScore
	}
	return unitRatio
}
