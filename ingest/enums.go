package ingest

// enumAliases maps, per field, every accepted spelling (lower case) onto its
// canonical value. A canonical value of "" means "no answer" (NULL).
// Fields: the enum columns of the data contract, plus "bool" for every
// boolean column and "likert" for every survey item.
var enumAliases = map[string]map[string]string{
	"source": {
		"grid_patrol": "grid_patrol", "网格巡查": "grid_patrol", "网格员上报": "grid_patrol", "巡查上报": "grid_patrol", "网格上报": "grid_patrol",
		"hotline": "hotline", "12345热线": "hotline", "12345": "hotline", "热线": "hotline", "市民热线": "hotline", "12345市民热线": "hotline",
		"app": "app", "随手拍": "app", "小程序": "app", "微信小程序": "app", "手机app": "app",
		"walk_in": "walk_in", "来访": "walk_in", "现场来访": "walk_in", "窗口": "walk_in",
		"other": "other", "其他": "other",
	},
	"resolution_level": {
		"community": "community", "社区": "community", "居委": "community", "居委会": "community", "社区居委会": "community",
		"block": "block", "块区": "block", "片区": "block",
		"street": "street", "街道": "street", "乡镇街道": "street",
		"district": "district", "区级部门": "district", "区级": "district", "区": "district", "区直部门": "district",
		"city": "city", "市级": "city", "市级部门": "city", "市": "city", "市直部门": "city",
	},
	"callback_satisfaction": {
		"satisfied": "satisfied", "满意": "satisfied", "非常满意": "satisfied",
		"basically_satisfied": "basically_satisfied", "基本满意": "basically_satisfied",
		"dissatisfied": "dissatisfied", "不满意": "dissatisfied", "非常不满意": "dissatisfied",
		"未回访": "", "无": "", "none": "",
	},
	"bool": {
		"true": "true", "false": "false", "1": "true", "0": "false", "yes": "true", "no": "false",
		"是": "true", "否": "false", "y": "true", "n": "false", "t": "true", "f": "false",
	},
	"service_type": {
		"elderly_care": "elderly_care", "养老": "elderly_care", "养老服务": "elderly_care", "为老服务": "elderly_care",
		"disability": "disability", "助残": "disability", "助残服务": "disability",
		"social_assistance": "social_assistance", "社会救助": "social_assistance", "低保": "social_assistance", "社会救助/低保": "social_assistance",
		"employment": "employment", "就业": "employment", "就业服务": "employment",
		"health": "health", "卫生健康": "health", "健康": "health", "医疗卫生": "health",
		"culture_sports": "culture_sports", "文体": "culture_sports", "文体活动": "culture_sports", "文化体育": "culture_sports",
		"youth": "youth", "青少年": "youth", "青少年服务": "youth",
		"legal_aid": "legal_aid", "法律援助": "legal_aid", "法律服务": "legal_aid",
		"other": "other", "其他": "other",
	},
	"target_group": {
		"elderly": "elderly", "老年人": "elderly", "老人": "elderly",
		"disabled": "disabled", "残疾人": "disabled",
		"low_income": "low_income", "低收入": "low_income", "低保户": "low_income", "困难群众": "low_income", "低收入群体": "low_income",
		"youth": "youth", "青少年": "youth",
		"general": "general", "一般居民": "general", "居民": "general", "全体居民": "general",
		"other": "other", "其他": "other",
	},
	"provider_type": {
		"residents_committee": "residents_committee", "居委会": "residents_committee", "社区居委会": "residents_committee",
		"social_org": "social_org", "社会组织": "social_org",
		"volunteer": "volunteer", "志愿者": "volunteer", "志愿服务": "volunteer",
		"government": "government", "政府部门": "government", "政府": "government",
		"enterprise": "enterprise", "企业": "enterprise",
	},
	"channel": {
		"online": "online", "手机提交": "online", "微信": "online", "链接": "online", "网页": "online", "微信提交": "online", "电脑提交": "online",
		"paper": "paper", "纸质": "paper", "纸质问卷": "paper",
		"door_to_door": "door_to_door", "入户": "door_to_door", "入户调查": "door_to_door",
		"phone": "phone", "电话": "phone", "电话调查": "phone",
		"other": "other", "其他": "other",
	},
	"area_type": {
		"old_town": "old_town", "老城区": "old_town", "老旧小区": "old_town", "老城": "old_town",
		"new_build": "new_build", "新建": "new_build", "新建小区": "new_build", "新建社区": "new_build",
		"mixed": "mixed", "混合": "mixed", "混合型": "mixed",
	},
	"likert": {
		"5": "5", "4": "4", "3": "3", "2": "2", "1": "1",
		"5.0": "5", "4.0": "4", "3.0": "3", "2.0": "2", "1.0": "1",
		"非常满意": "5", "满意": "4", "一般": "3", "不满意": "2", "非常不满意": "1",
		"比较满意": "4", "基本满意": "3", "较满意": "4", "很满意": "5", "很不满意": "1", "比较不满意": "2",
		"0": "", "不了解": "", "不清楚": "", "说不清": "",
	},
}
