package ingest

// EnumField is one table of accepted spellings: the canonical values a
// column of that field may hold, each with the spellings read as it.
// Fields are the enum columns of the inputs, plus "bool" for every boolean
// column and "likert" for every survey item (Column.Enum names the field).
type EnumField struct {
	// Field names the table, as Column.Enum and the validation SQL do.
	Field string
	// Values are the canonical values in their natural order.
	Values []EnumValue
}

// EnumValue is one canonical value and the spellings that mean it.
type EnumValue struct {
	// Canonical is the value stored; "" means "no answer" (NULL).
	Canonical string
	// Spellings are the other accepted spellings (lower case: matching
	// folds case). The canonical value itself is always accepted too.
	Spellings []string
}

// Enums lists every enum field with its values and spellings, in the order
// of the reference (docs/inputs.md). Matching is exact after trimming the
// white space around a value and folding Latin letters to lower case.
var Enums = []EnumField{
	{Field: "source", Values: []EnumValue{
		{"grid_patrol", []string{"网格巡查", "网格员上报", "巡查上报", "网格上报"}},
		{"hotline", []string{"12345热线", "12345", "热线", "市民热线", "12345市民热线"}},
		{"app", []string{"随手拍", "小程序", "微信小程序", "手机app"}},
		{"walk_in", []string{"来访", "现场来访", "窗口"}},
		{"other", []string{"其他"}},
	}},
	{Field: "resolution_level", Values: []EnumValue{
		{"community", []string{"社区", "居委", "居委会", "社区居委会"}},
		{"block", []string{"块区", "片区"}},
		{"street", []string{"街道", "乡镇街道"}},
		{"district", []string{"区级部门", "区级", "区", "区直部门"}},
		{"city", []string{"市级", "市级部门", "市", "市直部门"}},
	}},
	{Field: "callback_satisfaction", Values: []EnumValue{
		{"satisfied", []string{"满意", "非常满意"}},
		{"basically_satisfied", []string{"基本满意"}},
		{"dissatisfied", []string{"不满意", "非常不满意"}},
		{"", []string{"未回访", "无", "none"}},
	}},
	{Field: "status", Values: []EnumValue{
		{"open", []string{"未办结", "办理中", "处理中", "待处理", "待办", "在办", "opened", "in progress", "pending"}},
		{"closed", []string{"已办结", "办结", "已完成", "完成", "已结案", "结案", "已关闭", "close", "completed", "resolved"}},
		{"cancelled", []string{"作废", "已作废", "撤销", "已撤销", "无效", "重复件", "canceled", "void", "duplicate"}},
	}},
	{Field: "bool", Values: []EnumValue{
		{"true", []string{"1", "yes", "是", "y", "t"}},
		{"false", []string{"0", "no", "否", "n", "f"}},
	}},
	{Field: "service_type", Values: []EnumValue{
		{"elderly_care", []string{"养老", "养老服务", "为老服务"}},
		{"disability", []string{"助残", "助残服务"}},
		{"social_assistance", []string{"社会救助", "低保", "社会救助/低保"}},
		{"employment", []string{"就业", "就业服务"}},
		{"health", []string{"卫生健康", "健康", "医疗卫生"}},
		{"culture_sports", []string{"文体", "文体活动", "文化体育"}},
		{"youth", []string{"青少年", "青少年服务"}},
		{"legal_aid", []string{"法律援助", "法律服务"}},
		{"other", []string{"其他"}},
	}},
	{Field: "target_group", Values: []EnumValue{
		{"elderly", []string{"老年人", "老人"}},
		{"disabled", []string{"残疾人"}},
		{"low_income", []string{"低收入", "低保户", "困难群众", "低收入群体"}},
		{"youth", []string{"青少年"}},
		{"general", []string{"一般居民", "居民", "全体居民"}},
		{"other", []string{"其他"}},
	}},
	{Field: "provider_type", Values: []EnumValue{
		{"residents_committee", []string{"居委会", "社区居委会"}},
		{"social_org", []string{"社会组织"}},
		{"volunteer", []string{"志愿者", "志愿服务"}},
		{"government", []string{"政府部门", "政府"}},
		{"enterprise", []string{"企业"}},
	}},
	{Field: "channel", Values: []EnumValue{
		{"online", []string{"手机提交", "微信", "链接", "网页", "微信提交", "电脑提交"}},
		{"paper", []string{"纸质", "纸质问卷"}},
		{"door_to_door", []string{"入户", "入户调查"}},
		{"phone", []string{"电话", "电话调查"}},
		{"other", []string{"其他"}},
	}},
	{Field: "area_type", Values: []EnumValue{
		{"old_town", []string{"老城区", "老旧小区", "老城"}},
		{"new_build", []string{"新建", "新建小区", "新建社区"}},
		{"mixed", []string{"混合", "混合型"}},
	}},
	{Field: "likert", Values: []EnumValue{
		{"5", []string{"5.0", "非常满意", "很满意"}},
		{"4", []string{"4.0", "满意", "比较满意", "较满意"}},
		{"3", []string{"3.0", "一般", "基本满意"}},
		{"2", []string{"2.0", "不满意", "比较不满意"}},
		{"1", []string{"1.0", "非常不满意", "很不满意"}},
		{"", []string{"0", "不了解", "不清楚", "说不清"}},
	}},
}

// enumAliases maps, per field, every accepted spelling (lower case) onto its
// canonical value, "" for "no answer": Enums as the lookup table the
// validation SQL joins (enum_alias) and the settings fingerprint hashes.
var enumAliases = aliasMaps(Enums)

// aliasMaps turns enum tables into spelling → canonical maps per field;
// each canonical value (but "") is a spelling of itself.
func aliasMaps(enums []EnumField) map[string]map[string]string {
	out := make(map[string]map[string]string, len(enums))
	for _, e := range enums {
		m := map[string]string{}
		for _, v := range e.Values {
			if v.Canonical != "" {
				m[v.Canonical] = v.Canonical
			}
			for _, s := range v.Spellings {
				m[s] = v.Canonical
			}
		}
		out[e.Field] = m
	}
	return out
}
