package ingest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/civicscore/civicscore"
)

// Column is one canonical column of an input kind.
type Column struct {
	Name string
	// Type is what a value must be; the validation SQL (sql/<kind>.sql)
	// rejects a value that is not, with a detail that says so.
	Type Type
	// Required columns must be in the header: a file without one is not
	// read. An empty value of most of them rejects the row (missing_required).
	Required bool
	// Hashed columns are replaced by a salted SHA-256 of their value at ingest.
	Hashed bool
	// Enum names the table of Enums the values are looked up in (Type enum,
	// boolean or answer).
	Enum string
	// OtherWhenUnknown: a value of an enum column that matches no spelling
	// becomes "other" (counted on the data-quality page) instead of
	// rejecting the row as bad_enum.
	OtherWhenUnknown bool
	// Doc says in a few words what the column holds, for docs/inputs.md.
	Doc string
	// Aliases are the built-in header names that map onto this column.
	Aliases []string
}

// Type is the kind of value a canonical column holds, as written in the
// reject details of the validation SQL ("is not a whole number >= 0").
type Type string

// The value types of canonical columns.
const (
	TypeText      Type = "text"
	TypeCount     Type = "whole number >= 0"
	TypeCountMin1 Type = "whole number >= 1"
	TypeAmount    Type = "number >= 0"
	TypeTimestamp Type = "timestamp"
	TypeDate      Type = "date"
	TypeDuration  Type = "duration"
	TypeEnum      Type = "enum"
	TypeBool      Type = "boolean"
	TypeAnswer    Type = "answer 1..5"
)

// Columns lists the canonical columns of each input kind, in the order of
// the clean tables.
var Columns = map[civicscore.Kind][]Column{
	civicscore.KindCommunities: {
		{Name: "community_id", Type: TypeText, Required: true, Doc: "the community's code, unique; the key every other input refers to", Aliases: []string{"社区编码", "社区代码", "社区编号", "社区id"}},
		{Name: "community_name", Type: TypeText, Required: true, Doc: "the community's name", Aliases: []string{"社区名称", "社区", "社区名"}},
		{Name: "street_id", Type: TypeText, Required: true, Doc: "the code of its street office (街道)", Aliases: []string{"街道编码", "街道代码", "街道编号"}},
		{Name: "street_name", Type: TypeText, Required: true, Doc: "the street's name", Aliases: []string{"街道", "街道名称", "乡镇街道", "所属街道"}},
		{Name: "district_id", Type: TypeText, Required: true, Doc: "the code of its district (区)", Aliases: []string{"区编码", "区代码", "区县编码"}},
		{Name: "district_name", Type: TypeText, Required: true, Doc: "the district's name", Aliases: []string{"区", "区县", "所属区", "区名称"}},
		{Name: "households", Type: TypeCount, Required: true, Doc: "resident households", Aliases: []string{"户数", "常住户数", "总户数"}},
		{Name: "population", Type: TypeCount, Required: true, Doc: "resident population", Aliases: []string{"人口", "常住人口", "总人口"}},
		{Name: "elderly_population", Type: TypeCount, Doc: "residents aged 60 or over", Aliases: []string{"60岁以上人口", "老年人口"}},
		{Name: "area_type", Type: TypeEnum, Enum: "area_type", OtherWhenUnknown: true, Doc: "old town, new build or mixed", Aliases: []string{"社区类型"}},
		{Name: "service_space_m2", Type: TypeAmount, Doc: "office and activity space in square metres", Aliases: []string{"办公和活动用房面积", "服务用房面积"}},
		{Name: "grid_count", Type: TypeCount, Doc: "grid-management cells (网格) in the community", Aliases: []string{"网格数", "网格数量"}},
		{Name: "block_id", Type: TypeText, Doc: "the block (块区) the community belongs to", Aliases: []string{"块区", "块区编码"}},
	},
	civicscore.KindStrata: {
		{Name: "community_id", Type: TypeText, Doc: "the community, which must be in communities; exactly one of community_id and district_id per row", Aliases: []string{"社区编码", "社区代码", "社区编号"}},
		{Name: "district_id", Type: TypeText, Doc: "the district, which must be a district_id of communities: the row is the population of its communities that have no rows of their own", Aliases: []string{"区编码", "区代码", "区县编码"}},
		{Name: "age_group", Type: TypeText, Required: true, Doc: "the age group, spelled as in the surveys' age_group; ordered by the first number in the label (18-34, 35-59, 60+)", Aliases: []string{"年龄段", "年龄组"}},
		{Name: "gender", Type: TypeText, Doc: "the gender, spelled as in the surveys' gender; empty: every gender of the age group", Aliases: []string{"性别"}},
		{Name: "population", Type: TypeCount, Required: true, Doc: "residents of the area in the stratum", Aliases: []string{"人口", "人数", "常住人口"}},
	},
	civicscore.KindCases: {
		{Name: "case_id", Type: TypeText, Required: true, Doc: "the work order's number; a case loaded again replaces the earlier row unless that one is newer by (updated_at, closed_at)", Aliases: []string{"工单编号", "事件编号", "案件编号", "工单号", "service_request_id"}},
		{Name: "community_id", Type: TypeText, Required: true, Doc: "the community, which must be in communities", Aliases: []string{"社区编码", "社区代码", "社区编号"}},
		{Name: "grid_id", Type: TypeText, Doc: "the grid cell", Aliases: []string{"网格编号", "网格编码", "网格"}},
		{Name: "source", Type: TypeEnum, Enum: "source", OtherWhenUnknown: true, Doc: "how the case came in", Aliases: []string{"来源", "诉求渠道", "事件来源", "渠道"}},
		{Name: "category", Type: TypeText, Required: true, Doc: "the case's category; matched case-insensitively against sla.by_category", Aliases: []string{"大类", "诉求类型", "事件类型", "事件大类", "问题类型"}},
		{Name: "subcategory", Type: TypeText, Doc: "the finer category", Aliases: []string{"小类", "事件小类"}},
		{Name: "reported_at", Type: TypeTimestamp, Required: true, Doc: "when the case was accepted", Aliases: []string{"受理时间", "上报时间", "立案时间", "登记时间"}},
		{Name: "first_response_at", Type: TypeTimestamp, Doc: "when the handling office first responded", Aliases: []string{"响应时间", "派遣时间", "签收时间"}},
		{Name: "due_at", Type: TypeTimestamp, Doc: "the deadline; empty: reported_at plus the SLA of its category (config sla)", Aliases: []string{"办理时限", "截止时间", "处置时限"}},
		{Name: "closed_at", Type: TypeTimestamp, Doc: "when the case was closed; empty: still open; never before reported_at", Aliases: []string{"办结时间", "结案时间", "完成时间"}},
		{Name: "resolution_level", Type: TypeEnum, Enum: "resolution_level", Required: true, Doc: "the level of government that handled it (for an open case: handles it now)", Aliases: []string{"办理层级", "处置层级", "承办层级"}},
		{Name: "callback_satisfaction", Type: TypeEnum, Enum: "callback_satisfaction", Doc: "the resident's verdict at the callback; empty: no callback", Aliases: []string{"回访满意度", "满意度", "回访结果"}},
		{Name: "callback_contacted", Type: TypeBool, Enum: "bool", Doc: "the handling office contacted the resident", Aliases: []string{"是否联系", "是否响应"}},
		{Name: "callback_resolved", Type: TypeBool, Enum: "bool", Doc: "the resident says at the callback that the problem is solved", Aliases: []string{"是否解决"}},
		{Name: "reopened", Type: TypeBool, Enum: "bool", Doc: "the case was handled again (重办)", Aliases: []string{"是否重复", "重办", "是否重办"}},
		{Name: "updated_at", Type: TypeTimestamp, Doc: "the last change; decides which version of a case loaded twice is kept", Aliases: []string{"更新时间", "最后更新时间"}},
		{Name: "status", Type: TypeEnum, Enum: "status", Doc: "open, closed or cancelled; a cancelled case is kept but left out of every case indicator; an unknown value counts as absent (closed_at decides) and is counted", Aliases: []string{"状态", "办理状态", "工单状态"}},
	},
	civicscore.KindServices: {
		{Name: "service_id", Type: TypeText, Required: true, Doc: "the record's number; loaded again, the later file's row replaces the earlier", Aliases: []string{"服务编号", "记录编号"}},
		{Name: "community_id", Type: TypeText, Required: true, Doc: "the community, which must be in communities", Aliases: []string{"社区编码", "社区代码", "社区编号"}},
		{Name: "service_date", Type: TypeDate, Required: true, Doc: "the day of the service (a timestamp's time of day is dropped)", Aliases: []string{"服务日期", "服务时间"}},
		{Name: "service_type", Type: TypeEnum, Enum: "service_type", Required: true, Doc: "what was delivered", Aliases: []string{"服务类型", "服务类别"}},
		{Name: "target_group", Type: TypeEnum, Enum: "target_group", OtherWhenUnknown: true, Doc: "whom it was for", Aliases: []string{"服务对象"}},
		{Name: "provider_type", Type: TypeEnum, Enum: "provider_type", Required: true, Doc: "who delivered it", Aliases: []string{"服务主体", "提供主体"}},
		{Name: "recipients", Type: TypeCountMin1, Doc: "people served; empty: 1", Aliases: []string{"服务人次", "受益人次"}},
		{Name: "hours", Type: TypeAmount, Doc: "hours of service", Aliases: []string{"服务时长", "时长"}},
		{Name: "recipient_hash", Type: TypeText, Hashed: true, Doc: "the recipient's identifier, stored only as a salted hash", Aliases: []string{"服务对象编号", "受益人编号"}},
	},
	civicscore.KindSurveys: {
		{Name: "response_id", Type: TypeText, Required: true, Doc: "the response's number; loaded again, the later file's row replaces the earlier", Aliases: []string{"答卷编号", "序号", "答卷序号"}},
		{Name: "community_id", Type: TypeText, Required: true, Doc: "the community, which must be in communities", Aliases: []string{"社区编码", "社区代码", "社区编号"}},
		{Name: "submitted_at", Type: TypeTimestamp, Required: true, Doc: "when the response was submitted", Aliases: []string{"提交答卷时间", "提交时间", "答卷时间"}},
		{Name: "respondent_hash", Type: TypeText, Hashed: true, Doc: "the respondent's identifier (phone, household number), stored only as a salted hash; finds duplicate respondents", Aliases: []string{"受访者编号", "户号"}},
		{Name: "channel", Type: TypeEnum, Enum: "channel", OtherWhenUnknown: true, Doc: "how the response was collected", Aliases: []string{"来源", "来源渠道"}},
		{Name: "duration_seconds", Type: TypeDuration, Doc: "time taken to answer; below survey.min_duration_seconds the response is a speeder", Aliases: []string{"所用时间", "答题时长"}},
		{Name: "ip_hash", Type: TypeText, Hashed: true, Doc: "the address it came from, stored only as a salted hash; flags bursts (survey.max_per_ip_per_day)", Aliases: []string{"来自ip", "来源ip", "ip"}},
		{Name: "q_overall", Type: TypeAnswer, Enum: "likert", Required: true, Doc: "overall satisfaction with the community's work (the column must be there; an empty answer is no answer)", Aliases: []string{"总体满意度", "总体评价"}},
		{Name: "q_environment", Type: TypeAnswer, Enum: "likert", Doc: "environment and sanitation", Aliases: []string{"环境卫生"}},
		{Name: "q_safety", Type: TypeAnswer, Enum: "likert", Doc: "public safety", Aliases: []string{"治安状况", "社区安全"}},
		{Name: "q_services", Type: TypeAnswer, Enum: "likert", Doc: "services for residents", Aliases: []string{"便民服务"}},
		{Name: "q_responsiveness", Type: TypeAnswer, Enum: "likert", Doc: "how fast requests are answered", Aliases: []string{"诉求响应速度", "诉求响应"}},
		{Name: "q_facilities", Type: TypeAnswer, Enum: "likert", Doc: "public facilities", Aliases: []string{"公共设施", "设施"}},
		{Name: "q_participation", Type: TypeAnswer, Enum: "likert", Doc: "residents' participation", Aliases: []string{"居民参与"}},
		{Name: "q_fairness", Type: TypeAnswer, Enum: "likert", Doc: "fairness of the committee's work", Aliases: []string{"公平公正", "办事公道"}},
		{Name: "age_group", Type: TypeText, Doc: "the respondent's age group, for post-stratification", Aliases: []string{"年龄段", "年龄"}},
		{Name: "gender", Type: TypeText, Doc: "the respondent's gender, for post-stratification", Aliases: []string{"性别"}},
	},
}

// SurveyItems are the Likert columns of a survey, q_overall first (the
// items civicscore.SurveyItems defines). TestSurveyColumnsAreTheItems
// checks that the survey columns above list exactly these.
var SurveyItems = civicscore.SurveyItemIDs(true)

// personalAliases are header names recognised as personal data in every kind
// (compared by personalKey, so "E-mail", "e_mail" and "Email" are one): such
// a column is dropped at ingest unless a mapping sends it to a hashed column.
var personalAliases = []string{
	// Names and accounts.
	"姓名", "名字", "联系人", "反映人", "诉求人", "受访者姓名", "来电人", "留言用户", "昵称", "微信昵称", "用户名", "微信号",
	"name", "resident_name", "contact_name", "nickname", "user_name", "username",
	// Phones, e-mail, identity documents.
	"手机号码", "手机号", "手机", "联系电话", "电话", "联系方式", "来电号码", "主叫号码",
	"phone", "mobile", "telephone", "phone_number", "e-mail", "email", "邮箱", "电子邮箱",
	"身份证号", "身份证", "身份证号码", "证件号码", "证件号", "id_card", "id_number",
	// Addresses and places.
	"地址", "住址", "详细地址", "家庭住址", "事发地址", "门牌号", "address", "street_address", "incident address",
	"street name", "cross street 1", "cross street 2", "intersection street 1", "intersection street 2",
	"location", "latitude", "longitude", "lat", "long", "lon", "lng", "x coordinate", "y coordinate", "x/y coordinate",
	"经纬度", "经度", "纬度", "坐标",
	// Free text that describes the resident or their complaint.
	"诉求内容", "事件描述", "问题描述", "投诉内容", "具体内容", "留言详情", "留言内容", "答复意见", "答复内容",
	"description", "complaint_text", "content",
}

// normHeader folds a header for matching: trimmed, lower case, with a BOM
// and full-width spaces removed.
func normHeader(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.ReplaceAll(s, "\u3000", " ")
	return strings.ToLower(strings.TrimSpace(s))
}

// headerPlan says where each header cell goes.
type headerPlan struct {
	kind    civicscore.Kind
	headers []string
	// target[i] is the canonical column of header i, "" for an extra column,
	// "-" for a personal column that is dropped.
	target []string
	// index of each canonical column in headers, -1 when absent.
	index map[string]int
	// dropped says why each dropped header ("-") is dropped: a Drop* reason.
	dropped map[int]string
	// derived maps each column filled by a derive to the header index of
	// its from column, -1 for a constant default.
	derived map[string]int
}

// planHeaders maps a file's header cells onto the canonical columns of kind.
// Config aliases (mapping) come before built-in ones; an exact canonical name
// always matches. A missing required column is an error that names it and the
// aliases that were tried.
func planHeaders(kind civicscore.Kind, headers []string, mapping map[string][]string, personal []string) (*headerPlan, error) {
	return planHeadersDerive(kind, headers, mapping, personal, nil)
}

// planHeadersDerive is planHeaders with the derives of the kind: a derived
// column takes no header (its mapping and aliases are passed over, so such
// a header stays an extra column), is never missing, and reads its from
// column, found by header (as planHeaders matches headers) or, failing
// that, by the canonical column it names. A from column not in the file is
// an error naming the derive key.
func planHeadersDerive(kind civicscore.Kind, headers []string, mapping map[string][]string, personal []string, derive map[string]Derive) (*headerPlan, error) {
	p, missing, err := planHeadersAll(kind, headers, mapping, personal, derive)
	if err == nil && len(missing) > 0 {
		err = fmt.Errorf("missing required column %s; header is: %s", strings.Join(missing, "; "), quoteHeaders(headers))
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// planHeadersAll is planHeadersDerive that returns the missing required
// columns (each with the aliases tried) instead of failing on them, for
// inspect; the plan then leaves them at index -1.
func planHeadersAll(kind civicscore.Kind, headers []string, mapping map[string][]string, personal []string, derive map[string]Derive) (*headerPlan, []string, error) {
	p := &headerPlan{kind: kind, headers: headers, target: make([]string, len(headers)), index: map[string]int{}, derived: map[string]int{}}
	byHeader := map[string]int{}
	for i, h := range headers {
		n := normHeader(h)
		if _, dup := byHeader[n]; !dup && n != "" {
			byHeader[n] = i
		}
	}
	// An Open311 extended attribute answers to its own name too (ward for
	// extended_attributes.ward) when no header has that name.
	for i, h := range headers {
		if short, ok := strings.CutPrefix(normHeader(h), open311Extended+"."); ok {
			if _, dup := byHeader[short]; !dup && short != "" {
				byHeader[short] = i
			}
		}
	}
	taken := map[int]bool{}
	var missing []string
	for _, col := range Columns[kind] {
		p.index[col.Name] = -1
		if _, ok := derive[col.Name]; ok {
			continue
		}
		tried := append([]string{col.Name}, mapping[col.Name]...)
		tried = append(tried, col.Aliases...)
		for _, a := range tried {
			if i, ok := byHeader[normHeader(a)]; ok && !taken[i] {
				p.index[col.Name] = i
				p.target[i] = col.Name
				taken[i] = true
				break
			}
		}
		if col.Required && p.index[col.Name] < 0 {
			missing = append(missing, fmt.Sprintf("%s (tried: %s)", col.Name, strings.Join(tried, ", ")))
		}
	}
	for _, col := range sortedKeys(derive) {
		d := derive[col]
		if strings.TrimSpace(d.From) == "" {
			p.derived[col] = -1
			continue
		}
		i, ok := byHeader[normHeader(d.From)]
		if !ok {
			if j, mapped := p.index[normHeader(d.From)]; mapped && j >= 0 {
				i, ok = j, true
			}
		}
		if !ok {
			return nil, nil, fmt.Errorf("derive.%s.%s.from: %s is not a header of the file; header is: %s: %w",
				kind, col, strconv.Quote(d.From), quoteHeaders(headers), civicscore.ErrConfig)
		}
		p.derived[col] = i
	}
	drop := map[string]string{}
	for _, a := range personalAliases {
		drop[personalKey(a)] = DropPersonalHeader
	}
	for _, a := range personal {
		drop[personalKey(a)] = DropPersonalConfig
	}
	for i, h := range headers {
		if r, ok := drop[personalKey(h)]; ok && p.target[i] == "" {
			p.drop(i, r)
		}
	}
	return p, missing, nil
}

// quoteHeaders lists headers for an error message: each quoted (so control
// characters from a broken or hostile file stay inert on a terminal) and
// cut short, at most 40 of them.
func quoteHeaders(headers []string) string {
	const maxHeaders, maxRunes = 40, 40
	var b strings.Builder
	for i, h := range headers {
		if i == maxHeaders {
			fmt.Fprintf(&b, ", ... (%d more)", len(headers)-maxHeaders)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if r := []rune(h); len(r) > maxRunes {
			h = string(r[:maxRunes]) + "..."
		}
		b.WriteString(strconv.Quote(h))
	}
	return b.String()
}

// extras returns the indexes of the columns kept as extra JSON: every
// column that is neither canonical nor personal, also one with a blank
// header (under its key column_N), so that no cell is dropped silently.
func (p *headerPlan) extras() []int {
	var out []int
	for i, t := range p.target {
		if t == "" {
			out = append(out, i)
		}
	}
	return out
}

// kept returns the indexes of the columns that may appear in rejects.raw:
// everything but dropped personal columns.
func (p *headerPlan) kept() []int {
	var out []int
	for i, t := range p.target {
		if t != "-" {
			out = append(out, i)
		}
	}
	return out
}

// hashed reports whether canonical column name is hashed at ingest.
func hashed(kind civicscore.Kind, name string) bool {
	for _, c := range Columns[kind] {
		if c.Name == name {
			return c.Hashed
		}
	}
	return false
}

// columnNames returns the canonical column names of kind, sorted as declared.
func columnNames(kind civicscore.Kind) []string {
	cols := Columns[kind]
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
