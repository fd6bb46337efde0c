package civicscore

import (
	"fmt"
	"io"
	"strings"
)

// Method is one of the methods of fair comparison civicscore computes: what
// it answers, how to read it and where it stops, in plain words for a bureau
// analyst, with its references and what it stores. Methods is the one home
// of these texts: docs/methods.md is generated from it (WriteMethodsReference)
// and the methodology page explains each method from it.
type Method struct {
	// ID names the method (funnel, fdr, spc, ranks, case_mix, survey_weights).
	ID string
	// NameZH and NameEN are the method's name.
	NameZH, NameEN string
	// AnswersZH and AnswersEN say which question the method answers.
	AnswersZH, AnswersEN string
	// ReadZH and ReadEN say how to read what the pages show of it.
	ReadZH, ReadEN string
	// LimitsZH and LimitsEN say what it cannot tell.
	LimitsZH, LimitsEN string
	// References are the published sources the definitions follow.
	References []string
	// Tables are the stored tables (and table.column for added columns)
	// the method fills.
	Tables []string
	// Indicators are the indicator ids the method adds or works on.
	Indicators []string
	// Config are the configuration keys that steer it.
	Config []string
}

// Methods are the methods of fair comparison, in the order the
// methodology page and docs/methods.md present them.
var Methods = []Method{
	{
		ID:     "funnel",
		NameZH: "漏斗图（考虑过度离散）",
		NameEN: "Funnel plots, allowing for overdispersion",
		AnswersZH: "一个社区的比例和全区相比，是在正常波动范围内，还是值得仔细看一看？小社区的比例天然起伏大，" +
			"漏斗图按每个社区的样本量给出它自己的正常范围，不让小样本的偶然起伏被当成好坏。",
		AnswersEN: "Is a community's rate within the district's normal range, or worth a closer look? Small communities' rates swing " +
			"more by chance; the funnel gives each community the normal range for its own number of cases or answers, so chance " +
			"in a small sample is not read as good or bad work.",
		ReadZH: "横轴是样本量（分母），纵轴是比例；横线是全区合并比例（目标），两组喇叭形曲线是 95% 和 99.8% 范围。" +
			"点落在曲线之间属于正常波动；落在 99.8% 曲线之外，说明差异很难用偶然解释，值得了解原因。" +
			"各社区之间的真实差异若大于偶然能解释的程度（卡方检验在 5% 水平显著），范围按随机效应（DerSimonian–Laird 法）加宽。",
		ReadEN: "Across: the number of cases or answers (the denominator); up: the rate. The line is the district's pooled rate (the " +
			"target); the two funnels are the 95% and 99.8% limits. A point inside is ordinary variation; a point beyond 99.8% is " +
			"hard to put down to chance and worth a closer look. When communities differ by more than chance explains (a chi-square " +
			"test at 5%), the limits are widened by a random-effects allowance (DerSimonian–Laird).",
		LimitsZH: "漏斗图只说明差异是否超出偶然，不说明原因：辖区人群、事项类型、记录口径都可能造成差异。" +
			"少于两个社区或全区比例为 0 或 100% 时不画范围。",
		LimitsEN: "A funnel says whether a difference is more than chance, not why: who lives there, the kinds of cases and how they " +
			"are recorded can all explain it. With fewer than two communities, or a pooled rate of 0 or 100%, no limits are drawn.",
		References: []string{
			"Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Statistics in Medicine 24(8): 1185–1202.",
			"Spiegelhalter DJ (2005). Handling over-dispersion of performance indicators. Quality and Safety in Health Care 14(5): 347–351.",
			"DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Controlled Clinical Trials 7(3): 177–188.",
			"FunnelPlotR (R package, Wiseman): the random-effects overdispersion adjustment followed here.",
		},
		Tables:     []string{"funnel_params", "funnel_points"},
		Indicators: []string{"on_time_rate", "escalation_share", "callback_satisfaction_rate", "satisfaction_rate", "closure_gap"},
	},
	{
		ID:     "fdr",
		NameZH: "跟进名单的错误发现率控制",
		NameEN: "False-discovery control of the follow-up lists",
		AnswersZH: "全区上百个社区同时和上期比较，即使什么都没变，按 p < 0.05 也会有几十个“显著变化”纯属偶然。" +
			"错误发现率控制决定哪些变化可以放心列入跟进名单。",
		AnswersEN: "When a district compares a hundred communities with last period at once, p < 0.05 flags dozens of \"significant\" " +
			"changes by chance alone even when nothing changed. False-discovery control decides which changes can be listed for follow-up.",
		ReadZH: "每个变化有一个 q 值（Benjamini–Hochberg 法，在同一区、同一期、同一指标的全部社区中计算）。" +
			"跟进名单（进步、退步、确定偏低）只收 q 不超过 follow_up.fdr（默认 0.10）的社区：名单上平均最多约十分之一可能是偶然。" +
			"名单的措辞是“值得仔细看一看”，不是“不合格”。",
		ReadEN: "Each change carries a q-value (Benjamini–Hochberg, over all communities of the district for that indicator and period). " +
			"The follow-up lists (improved, declined, confidently low) admit a community only at q no greater than follow_up.fdr " +
			"(default 0.10): on average at most about one entry in ten may be chance. The lists say \"worth a closer look\", never \"failing\".",
		LimitsZH: "控制的是名单中偶然入选的比例，不是每一条都确定；真实但较小的变化可能进不了名单。",
		LimitsEN: "It bounds the share of chance entries in a list, not the certainty of each one; a real but small change may stay off the list.",
		References: []string{
			"Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate: a practical and powerful approach to multiple testing. " +
				"Journal of the Royal Statistical Society B 57(1): 289–300.",
		},
		Tables: []string{"indicator_changes.q_value", "funnel_points.q_value", "follow_up.q_value"},
		Config: []string{"follow_up.fdr"},
	},
	{
		ID:     "spc",
		NameZH: "统计过程控制图",
		NameEN: "Statistical process control charts",
		AnswersZH: "月度走势的起伏是平常的波动，还是出现了需要留意的变化？连续八个月缓慢下滑，每个月和上月比都不显著，" +
			"控制图却能看出来。",
		AnswersEN: "Is a monthly series only varying as usual, or has something changed? A slow decline over eight months, where no single " +
			"month differs significantly from the one before, shows on a control chart.",
		ReadZH: "中线是基线期（前 spc.baseline_months 个有数据的月份，默认 12）的合并比例，上下控制线在中线两侧三倍标准差处" +
			"（Laney p′ 图，已考虑各月样本量和额外波动）。特殊点按四条规则标出：超出控制线；连续 spc.trend_points 个点" +
			"（默认 7）一路上升或下降；连续三个点中两个在两倍标准差之外；连续 spc.shift_points 个点（默认 7）在中线同一侧。" +
			"特殊点按指标方向分为“改进”和“值得关注”两种颜色，不用红黄绿。不足 12 个月时控制线是“试用”的。",
		ReadEN: "The centre line is the pooled rate of the baseline (the first spc.baseline_months months with a value, default 12); the " +
			"limits lie three standard deviations either side (a Laney p′-chart, which allows for each month's sample size and extra " +
			"variation). Special-cause points are marked by four rules: a point outside the limits; spc.trend_points points (default 7) " +
			"each rising or each falling; two of three points beyond two standard deviations; spc.shift_points points (default 7) on one " +
			"side of the centre. They are coloured as improvement or concern by the indicator's direction, never red, amber or green. " +
			"With fewer than 12 months the limits are trial limits.",
		LimitsZH: "特殊点说明过程变了，不说明为什么变；样本不足的月份不进入序列。规则越多，偶然触发的机会也越多。",
		LimitsEN: "A special cause says the process changed, not why; months with too few responses are left out of the series. " +
			"Each added rule also adds a small chance of a false signal.",
		References: []string{
			"NHS England and NHS Improvement (2019). Making Data Count: Getting started. (The rules and the improvement/concern colouring.)",
			"Laney DB (2002). Improved control charts for attributes. Quality Engineering 14(4): 531–537.",
			"NHSRplotthedots (R package, NHS-R Community): the implementation of Making Data Count's rules.",
		},
		Tables: []string{"spc_points"},
		Config: []string{"spc.baseline_months", "spc.trend_points", "spc.shift_points"},
	},
	{
		ID:     "ranks",
		NameZH: "排名区间与可排名度",
		NameEN: "Rank intervals and rankability",
		AnswersZH: "“全区第 5 名”有多可靠？分数有误差，名次的误差更大。排名区间给出一个社区名次可能的范围；" +
			"可排名度说明这个指标能不能把全区的社区可靠地区分开。",
		AnswersEN: "How sure is \"5th in the district\"? Scores have a margin of error and ranks a larger one. The rank interval gives " +
			"the range a community's rank could take; rankability says whether the measure can tell the district's communities apart at all.",
		ReadZH: "按收缩后的后验分布模拟 ranks.draws 次（默认 10,000，固定随机种子，结果可重现），取模拟名次的 2.5% 与 97.5% 分位，" +
			"写成“第 5 名（可能在第 3–9 名之间）”；同时给出落在全区后五分之一的概率。可排名度 = 社区间真实差异 ÷（真实差异 + 典型抽样误差）：" +
			"低于 0.5 时，页面说明全区社区在这个指标上无法可靠区分。第 1 名总是按指标方向最好的那个。",
		ReadEN: "From the shrunk posterior distributions, ranks are simulated ranks.draws times (default 10,000, with a fixed seed, so runs " +
			"repeat exactly); the 2.5% and 97.5% points of the simulated ranks give \"5th (could be 3rd to 9th)\", with the chance of " +
			"being in the district's bottom fifth. Rankability = true variation between communities ÷ (true variation + typical sampling " +
			"error): below 0.5, the page says the communities cannot be told apart reliably on this measure. Rank 1 is always the best " +
			"given the indicator's direction.",
		LimitsZH: "区间只反映抽样误差，不反映口径或数据质量问题；社区很少时区间必然很宽。",
		LimitsEN: "The interval covers sampling error only, not differences in recording or data quality; with few communities it is necessarily wide.",
		References: []string{
			"Goldstein H, Spiegelhalter DJ (1996). League tables and their limitations: statistical issues in comparisons of institutional " +
				"performance. Journal of the Royal Statistical Society A 159(3): 385–443.",
			"Marshall EC, Spiegelhalter DJ (1998). Reliability of league tables of in vitro fertilisation clinics: retrospective analysis " +
				"of live birth rates. BMJ 316: 1701–1705.",
			"Lingsma HF, Steyerberg EW, Eijkemans MJC, et al. (2010). Comparing and ranking hospitals based on outcome: results from the " +
				"Netherlands Stroke Survey. QJM 103(2): 99–108. (Rankability.)",
		},
		Tables: []string{"rank_intervals", "rankability"},
		Config: []string{"ranks.draws"},
	},
	{
		ID:     "case_mix",
		NameZH: "按事项类型标准化（间接标准化）",
		NameEN: "Case-mix standardisation (indirect)",
		AnswersZH: "一个社区收到的多是难办的维修类事项，按时办结率自然偏低。按它收到的事项类型，" +
			"它的按时办结率和全区比起来是高还是低？",
		AnswersEN: "A community that receives mostly hard repair cases has a lower crude on-time rate for that alone. Given the kinds " +
			"of cases it receives, is its on-time rate higher or lower than the district's?",
		ReadZH: "期望数 E = 该社区各类事项数 × 全区该类的比例，加总；实际数 O 是实际按时办结（或上交、回访满意）的件数。" +
			"标准化比例 =（O ÷ E）× 全区比例，与原始比例并列显示为“按其收到的事项类型”。区间按 Byar 法（O < 10 时按精确泊松）。" +
			"全区不足 min_n 件的类别先并入“其他”。综合分默认仍用原始比例（score.case_mix: false）。",
		ReadEN: "Expected E = the community's cases of each kind × the district's rate for that kind, summed; observed O = the cases " +
			"actually on time (or escalated, or satisfied at callback). The standardised rate = (O ÷ E) × the district rate, shown beside " +
			"the crude rate as \"given the kinds of cases it receives\". Its interval follows Byar (exact Poisson when O < 10). Kinds with " +
			"fewer than min_n district cases are pooled into \"other\" first. The resident score keeps the crude rates unless " +
			"score.case_mix is true.",
		LimitsZH: "只校正事项类别这一项差异；同一类别内部的难易差别和记录口径差别都没有校正。",
		LimitsEN: "It adjusts for the category of case only; differences in difficulty within a category, or in recording, remain.",
		References: []string{
			"Public Health England (2018). Technical guide: confidence intervals; and the PHEindicatormethods R package, calculate_ISRatio (indirectly standardised ratios).",
			"Breslow NE, Day NE (1987). Statistical Methods in Cancer Research, Volume II: The Design and Analysis of Cohort Studies. " +
				"IARC Scientific Publications 82. (Byar's approximation to the Poisson interval.)",
		},
		Indicators: []string{"on_time_rate.standardised", "escalation_share.standardised", "callback_satisfaction_rate.standardised"},
		Tables:     []string{"indicator_values"},
		Config:     []string{"score.case_mix", "thresholds.min_n"},
	},
	{
		ID:        "survey_weights",
		NameZH:    "问卷加权（事后分层）",
		NameEN:    "Survey weights (post-stratification)",
		AnswersZH: "参加评价的多是年轻人或在线答题的人时，满意率代表的是答题的人，不是整个社区。按社区人口的年龄、性别构成加权后，满意率是多少？",
		AnswersEN: "When those who answer are mostly young, or mostly online, the satisfaction rate speaks for them, not for the community. " +
			"Weighted to the community's population by age group and gender, what is it?",
		ReadZH: "每个年龄（和性别）组的权重 = 人口占比 ÷ 答卷占比；答卷少于 survey.min_cell（默认 3）的组并入相邻年龄组；" +
			"给出两个变量时用迭代比例拟合（raking）。权重上限 survey.max_weight（默认 5），再重新归一。" +
			"加权满意率（.weighted）的样本量用 Kish 有效样本量 (Σw)² ÷ Σw²，区间和“样本不足”都按它判断。人口构成来自 inputs.strata。",
		ReadEN: "Each age (and gender) group's weight = its population share ÷ its share of the answers; groups with fewer than " +
			"survey.min_cell answers (default 3) are merged into the neighbouring age group; with two variables the weights are raked " +
			"(iterative proportional fitting). Weights are capped at survey.max_weight (default 5) and renormalised. The weighted rate " +
			"(.weighted) rests on Kish's effective sample size (Σw)² ÷ Σw², which decides its interval and whether it is published. " +
			"The population comes from inputs.strata.",
		LimitsZH: "加权只校正所用变量上的偏差；同一年龄组内愿意答题的人和不愿答题的人若看法不同，加权也无法校正。" +
			"权重越不均匀，有效样本量越小。",
		LimitsEN: "Weighting corrects only for the variables used; if those who answer differ in view from those who do not within a " +
			"group, no weight can fix it. The more uneven the weights, the smaller the effective sample.",
		References: []string{
			"Kish L (1965). Survey Sampling. New York: Wiley. (The effective sample size.)",
			"Deville JC, Särndal CE (1992). Calibration estimators in survey sampling. Journal of the American Statistical Association 87: 376–382.",
			"Deville JC, Särndal CE, Sautory O (1993). Generalized raking procedures in survey sampling. Journal of the American Statistical Association 88: 1013–1020.",
			"Lumley T (2010). Complex Surveys: A Guide to Analysis Using R. Wiley. (The survey package's postStratify and rake.)",
		},
		Indicators: []string{"satisfaction_rate.weighted", "<survey item>.weighted"},
		Tables:     []string{"indicator_values"},
		Config:     []string{"survey.post_strata.variables", "survey.min_cell", "survey.max_weight", "inputs.strata"},
	},
}

// MethodOf returns the method with id, and whether there is one.
func MethodOf(id string) (Method, bool) {
	for _, m := range Methods {
		if m.ID == id {
			return m, true
		}
	}
	return Method{}, false
}

// MethodsReferenceCommand is the command that regenerates docs/methods.md.
const MethodsReferenceCommand = "go test -tags=duckdb_arrow . -run TestMethodsReferenceCurrent -update"

// WriteMethodsReference writes docs/methods.md from Methods: per method its
// question, how to read it, its limits, what it stores and its references,
// in English and Chinese.
func WriteMethodsReference(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, `# Methods of fair comparison

<!-- Generated from civicscore.Methods (methods.go) by %s; do not edit. -->

A league table hides how uncertain its ranks are, flags chance changes and
compares communities that face different work. civicscore answers each of
these with a method public-sector performance comparison has settled on,
computed in SQL next to the indicators, stored for researchers
(docs/schema.md) and shown on the pages: the methodology page explains the
same methods from the same registry. The indicators themselves are in
docs/indicators.md, the settings in docs/config.md, and the choices the
definitions leave open in [decisions.md](decisions.md).

`, MethodsReferenceCommand)
	for _, m := range Methods {
		fmt.Fprintf(&b, "## %s\n\n", m.NameEN)
		fmt.Fprintf(&b, "*%s* · id `%s`\n\n", m.NameZH, m.ID)
		fmt.Fprintf(&b, "**What it answers.** %s\n\n", m.AnswersEN)
		fmt.Fprintf(&b, "**How to read it.** %s\n\n", m.ReadEN)
		fmt.Fprintf(&b, "**Its limits.** %s\n\n", m.LimitsEN)
		if len(m.Tables) > 0 {
			fmt.Fprintf(&b, "**Stored in:** %s.\n\n", codeList(m.Tables))
		}
		if len(m.Indicators) > 0 {
			fmt.Fprintf(&b, "**Indicators:** %s.\n\n", codeList(m.Indicators))
		}
		if len(m.Config) > 0 {
			fmt.Fprintf(&b, "**Settings:** %s.\n\n", codeList(m.Config))
		}
		b.WriteString("**References.**\n\n")
		for _, r := range m.References {
			fmt.Fprintf(&b, "- %s\n", r)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "**中文说明。** %s %s %s\n\n", m.AnswersZH, m.ReadZH, m.LimitsZH)
	}
	_, err := io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	if err != nil {
		return fmt.Errorf("write methods reference: %w", err)
	}
	return nil
}

// codeList writes items as a comma-separated list of code spans.
func codeList(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}
