package reports

import "fmt"

// messages holds the page text in both languages: key -> {zh-CN, en}.
// Values with verbs are fmt formats.
var messages = map[string][2]string{
	"default_title":         {"社区治理绩效报告", "Community governance performance report"},
	"have_your_say_default": {"这份成绩单由居民打分。下次满意度评价，欢迎您参加，说说社区哪里做得好、哪里要改进。", "Residents score this card. Take part in the next survey and tell us what works and what must improve."},
	"too_few":               {"样本不足", "too few responses"},
	"too_few_long":          {"“样本不足”：本期参与评价的居民或涉及的事项少于 %d，数字不可靠，暂不公布。", "\"Too few responses\": fewer than %d residents or cases this period, too few to publish a figure."},
	"colon":                 {"：", ": "},
	"no_data":               {"暂无数据", "no data"},
	"interval":              {"95%%可信区间 %s – %s", "95%% interval %s – %s"},
	"interval_short":        {"95%区间", "95% interval"},
	"sample":                {"样本量 %s", "n = %s"},
	"latest_month":          {"最新月份", "Latest month"},
	"full_period":           {"最近完整季度", "Latest full quarter"},
	"full_year":             {"最近完整年度", "Latest full year"},
	"overview":              {"各区概况", "Districts at a glance"},
	"trends":                {"月度走势", "Monthly trends"},
	"band_note":             {"阴影为95%可信区间；样本不足的月份留空。", "Shaded: 95% interval. Months with too few responses are left blank."},
	"escalation":            {"事项在哪一级办理", "Where issues were handled"},
	"escalation_note":       {"按办理层级统计的事项占比（%s）。上交越少，说明社区就地解决得越多。", "Share of cases by the level that handled them (%s). Fewer escalations mean more solved locally."},
	"communities":           {"全部社区一览", "All communities"},
	"communities_note":      {"%s。“样本不足”表示参与评价的居民或事项少于 %d，暂不公布。点击表头排序。", "%s. \"Too few responses\": fewer than %d responses or cases, not published. Click a header to sort."},
	"col_community":         {"社区", "Community"},
	"col_street":            {"街道", "Street"},
	"definitions":           {"指标口径版本", "Definitions version"},
	"as_of":                 {"数据截至", "Data as of"},
	"run":                   {"运行编号", "Run"},
	"generated":             {"由 civicscore 生成，可离线打开。", "Made with civicscore; works offline."},
	"scorecard_heading":     {"居民成绩单", "Residents' scorecard"},
	"scorecard_intro":       {"这份成绩单由居民打分：满意度来自居民评价和事项回访。每个数字都标明样本量和误差范围；参与人数太少时不公布数字。", "Residents are the evaluators: satisfaction comes from residents' survey answers and callbacks. Every figure shows its sample size and margin of error; figures resting on too few answers are not published."},
	"verdict":               {"居民怎么评价", "What residents say"},
	"handling":              {"反映的事项办得怎么样", "How reported issues were handled"},
	"by_item":               {"各方面满意率", "Satisfaction by aspect"},
	"trend":                 {"月度走势", "Monthly trend"},
	"trend_note":            {"实线为本社区，虚线为全区；阴影为本社区数值的95%可信区间；样本不足的月份留空。", "Solid: this community; dashed: the district. Shaded: the community's 95% interval. Months with too few responses are left blank."},
	"rank":                  {"在本区 %d 个社区中排第 %d 名", "Ranked %d of %d in the district"},
	"have_your_say":         {"说说您的看法", "Have your say"},
	"survey_at":             {"评价入口：", "Survey: "},
	"lower_better":          {"越低越好", "lower is better"},
	"higher_better":         {"越高越好", "higher is better"},
	"district_suffix":       {"%s（全区）", "%s (district)"},
	"hours":                 {"%s 小时", "%s h"},
	"days":                  {"%s 天", "%s days"},
	"in_hours":              {"（小时）", " (h)"},
	"period_month":          {"%d年%d月", "%s %d"},
	"period_quarter":        {"%d年第%d季度", "Q%d %d"},
	"period_year":           {"%d年", "%d"},
	"no_communities":        {"没有社区数据。", "No community data."},
}

// tr returns the message key in lang, formatted with args when given.
// A missing key returns the key itself, so a typo shows on the page
// instead of failing the run.
func tr(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == LangEN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
