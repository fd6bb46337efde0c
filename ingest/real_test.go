package ingest

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/config"
)

// Real exports as they come: each fixture of testdata/real is a small file
// in the shape of a published export, loaded by its config (testdata/real/
// <name>.yml, read by config.Load) alone. The expected counts and values
// are worked out by hand from the rows, as each case's comment says.

// realOptions loads testdata/real/<cfg>.yml and returns the ingest options
// it gives (as cmd copies them), with the communities of testdata/real.
func realOptions(t *testing.T, cfg string, kind civicscore.Kind, input string) Options {
	t.Helper()
	c, err := config.Load(filepath.Join("testdata", "real", cfg), nil)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	derive := map[string]map[string]Derive{}
	for k, cols := range c.Derive {
		derive[k] = map[string]Derive{}
		for col, d := range cols {
			var rules []DeriveRule
			for _, r := range d.Rules {
				rules = append(rules, DeriveRule{Match: r.Match, Value: r.Value})
			}
			derive[k][col] = Derive{From: d.From, Rules: rules, Default: d.Default, Lookup: d.Lookup}
		}
	}
	return Options{
		Inputs: map[civicscore.Kind][]string{
			civicscore.KindCommunities: {filepath.Join("testdata", "real", "communities.csv")},
			kind:                       {input},
		},
		Mapping: c.Mapping, Formats: c.Formats, Values: c.Values, Derive: derive,
		Salt: "pepper", SLA: SLA{DefaultHours: 72, Unit: "hours"}, MinDurationSeconds: 30, MaxPerIPPerDay: 5,
	}
}

func TestRealExports(t *testing.T) {
	real := func(name string) string { return filepath.Join("testdata", "real", name) }
	gov := writeGovWorkbook(t)
	tests := []struct {
		name, cfg string
		kind      civicscore.Kind
		input     string
		read      int64
		clean     int64
		rejects   []string // source_row|reason|detail, in row order
		rows      []string // the clean rows, as the query below returns them
		query     string
		counts    []string // ingest_value_counts: column|how|n
	}{
		{
			// M/D from Created Date (12/31); the config's layout reads every
			// value. Agency: DOB|HPD → district, exactly BOS → street, else
			// city. 1005 closes before it opens and names an unknown board:
			// reason closed_before_reported (first in rule order), both in
			// the detail. Its channel UNKNOWN became other.
			name: "US 311 CSV", cfg: "us311.yml", kind: civicscore.KindCases, input: real("us311.csv"),
			read: 5, clean: 4,
			rejects: []string{`6|closed_before_reported|column closed_at: "2018-02-01 10:00:00.000000" is before reported_at "2018-02-10 10:00:00.000000"; column community_id: "c9" is not in communities`},
			query:   "SELECT case_id, community_id, source, strftime(reported_at, '%Y-%m-%d %H:%M:%S'), coalesce(strftime(closed_at, '%Y-%m-%d %H:%M:%S'), ''), resolution_level FROM cases ORDER BY case_id",
			rows: []string{
				"1001|c1|hotline|2017-12-31 23:59:58|2018-01-02 09:15:00|street",
				"1002|c2|app|2018-01-03 08:05:00|2018-01-04 17:00:00|district",
				"1003|c1|app|2018-01-15 14:30:00||district",
				"1004|c3|walk_in|2018-02-01 10:00:00|2018-02-02 10:00:00|city",
			},
			counts: []string{"resolution_level|derive|5", "source|other|1", "source|values|4"},
		},
		{
			// 受理时间 in 年月日 (one without a time: midnight), 办结时间 in
			// YYYYMMDDHHMMSS. 6月31日 is no date: bad_timestamp. 一般 is
			// dissatisfied by the config; 作废 is cancelled, 处理中 open.
			name: "Chinese hotline dates", cfg: "hotline_zh.yml", kind: civicscore.KindCases, input: real("hotline_zh.csv"),
			read: 4, clean: 3,
			rejects: []string{`5|bad_timestamp|column reported_at: "2024年6月31日 09:00" is not a timestamp`},
			query:   "SELECT case_id, strftime(reported_at, '%Y-%m-%d %H:%M'), coalesce(strftime(closed_at, '%Y-%m-%d %H:%M'), ''), resolution_level, coalesce(callback_satisfaction, ''), coalesce(status, '') FROM cases ORDER BY case_id",
			rows: []string{
				"h1|2024-06-01 08:00|2024-06-02 09:30|community|satisfied|closed",
				"h2|2024-06-03 14:20|2024-06-03 18:00|street|dissatisfied|closed",
				"h3|2024-06-05 00:00||district||cancelled",
			},
			counts: []string{"callback_satisfaction|values|1"},
		},
		{
			// Open311 as a city publishes it: the ward in extended_attributes,
			// bare 006 and 012 (the specification's own example), the agency
			// as free text. 望京街道办事处 → street, 朝阳区城市管理委员会 →
			// district, Public Works → city (default). The third ward is no
			// community's name: unknown_community, the name in the detail.
			name: "Open311 JSON", cfg: "open311.yml", kind: civicscore.KindCases, input: real("open311.json"),
			read: 3, clean: 2,
			rejects: []string{`3|unknown_community|column community_id: "不存在社区" is not in communities`},
			query:   "SELECT case_id, community_id, category, resolution_level, coalesce(status, ''), closed_at IS NOT NULL FROM cases ORDER BY case_id",
			rows: []string{
				"638344|c1|Sidewalk and Curb Issues|street|closed|true",
				"638349|c2|Illegal Dumping|district|open|false",
			},
			counts: []string{"community_id|derive|2", "resolution_level|derive|3"},
		},
		{
			// A 留言 workbook: no level, no community column. 答复时间 of m1
			// is an Excel serial (45445.4375 = 2024-06-02 10:30). 某某物业公司
			// matches no rule and there is no default: bad_enum, and its
			// community is unknown too (both in the detail).
			name: "government-message workbook", cfg: "gov_message.yml", kind: civicscore.KindCases, input: gov,
			read: 5, clean: 4,
			rejects: []string{`6|bad_enum|column resolution_level: "某某物业公司" is not one of community, block, street, district, city; column community_id: "不存在社区" is not in communities`},
			query:   "SELECT case_id, community_id, resolution_level, coalesce(strftime(closed_at, '%Y-%m-%d %H:%M'), '') FROM cases ORDER BY case_id",
			rows: []string{
				"m1|c1|street|2024-06-02 10:30",
				"m2|c2|district|2024-06-03 10:00",
				"m3|c2|community|2024-06-04 00:00",
				"m4|c1|city|",
			},
			counts: []string{"community_id|derive|4", "resolution_level|derive|4"},
		},
		{
			// 问卷星: answers 很好/较好/一般 by the config; 一般〖还行吧〗 and 极好
			// match nothing (bad_enum). ＡＢＣ社区 (full-width) is ABC社区.
			name: "问卷星 text export", cfg: "wjx_survey.yml", kind: civicscore.KindSurveys, input: real("wjx_survey.csv"),
			read: 4, clean: 2,
			rejects: []string{
				`4|bad_enum|column q_overall: "一般〖还行吧〗" is not an answer 1..5 (or 非常满意..非常不满意)`,
				`5|bad_enum|column q_overall: "极好" is not an answer 1..5 (or 非常满意..非常不满意)`,
			},
			query: "SELECT response_id, community_id, strftime(submitted_at, '%Y-%m-%d %H:%M:%S'), q_overall, q_environment, channel FROM survey_responses ORDER BY response_id",
			rows: []string{
				"1|c1|2024-06-01 08:05:10|5|4|online",
				"2|c2|2024-06-01 09:15:00|4|3|online",
			},
			counts: []string{"community_id|derive|4", "q_environment|values|4", "q_overall|values|2"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTestDB(t)
			opts := realOptions(t, tc.cfg, tc.kind, tc.input)
			sum := mustLoad(t, db, opts)
			var got *FileResult
			for i := range sum.Files {
				if sum.Files[i].Kind == tc.kind {
					got = &sum.Files[i]
				}
			}
			if got == nil || got.Read != tc.read || got.Clean != tc.clean || got.Rejected != tc.read-tc.clean {
				t.Fatalf("file result %+v, want %d read, %d clean", got, tc.read, tc.clean)
			}
			if r := rowsOf(t, db, "SELECT source_row::VARCHAR, reason, detail FROM rejects WHERE kind = ? ORDER BY source_row", string(tc.kind)); !reflect.DeepEqual(r, tc.rejects) {
				t.Errorf("rejects:\n got %q\nwant %q", r, tc.rejects)
			}
			if r := rowsOf(t, db, tc.query); !reflect.DeepEqual(r, tc.rows) {
				t.Errorf("clean rows:\n got %q\nwant %q", r, tc.rows)
			}
			if r := rowsOf(t, db, "SELECT column_name, how, n::VARCHAR FROM ingest_value_counts WHERE kind = ? ORDER BY 1, 2", string(tc.kind)); !reflect.DeepEqual(r, tc.counts) {
				t.Errorf("value counts:\n got %q\nwant %q", r, tc.counts)
			}
		})
	}
}

// writeGovWorkbook writes a government-message board export (留言) as a
// workbook: the personal columns of such exports, and 答复时间 of m1 as an
// Excel serial number.
func writeGovWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"留言编号", "留言标题", "留言时间", "留言用户", "留言详情", "答复时间", "答复意见", "承办单位", "所属社区"},
		{"m1", "噪音扰民", "2024-06-01 08:00:00", "网友A", "小区楼下夜间施工噪音很大", 45445.4375, "已协调", "望京街道办事处", "望京西园社区"},
		{"m2", "垃圾清运", "2024-06-02 09:00:00", "网友B", "垃圾没人清运", "2024-06-03 10:00:00", "已清运", "朝阳区城市管理委员会", "花家地社区"},
		{"m3", "停车难", "2024-06-03 10:00:00", "网友C", "停车位不够", "2024-06-04", "已答复", "花家地社区居委会", "花家地社区"},
		{"m4", "房屋维修", "2024-06-04 11:00:00", "网友D", "楼道漏水", "", "", "北京市住房和城乡建设委员会", "望京西园社区"},
		{"m5", "物业服务", "2024-06-05 12:00:00", "网友E", "物业不作为", "", "", "某某物业公司", "不存在社区"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "留言.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGovConfigIsLevelRules: the government-message config writes out the
// built-in level rules, so the fixture proves them.
func TestGovConfigIsLevelRules(t *testing.T) {
	c, err := config.Load(filepath.Join("testdata", "real", "gov_message.yml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []DeriveRule
	for _, r := range c.Derive["cases"]["resolution_level"].Rules {
		got = append(got, DeriveRule{Match: r.Match, Value: r.Value})
	}
	if !reflect.DeepEqual(got, LevelRules) {
		t.Errorf("gov_message.yml rules %v, want LevelRules %v", got, LevelRules)
	}
	// And their Go twin reads the units of the fixture as the SQL does.
	for unit, want := range map[string]string{"望京街道办事处": "street", "朝阳区城市管理委员会": "district",
		"花家地社区居委会": "community", "北京市住房和城乡建设委员会": "city", "某某片区": "block", "某某物业公司": ""} {
		if v, _ := MatchRules(LevelRules, unit); v != want {
			t.Errorf("MatchRules(%s) = %q, want %q", unit, v, want)
		}
	}
}

// TestUSDatesNeedFormats: without formats, the Closed Date column of the US
// export (no field over 12 in any value) is ambiguous: the load fails,
// naming the column and the formats key to set.
func TestUSDatesNeedFormats(t *testing.T) {
	opts := realOptions(t, "us311.yml", civicscore.KindCases, filepath.Join("testdata", "real", "us311.csv"))
	opts.Formats = nil
	_, err := Load(context.Background(), openTestDB(t), opts)
	if err == nil {
		t.Fatal("load succeeded, want an ambiguous day/month error")
	}
	// The hint writes both orders with the column's 12-hour AM/PM clock.
	for _, s := range []string{"us311.csv", "closed_at", `"Closed Date"`, "formats.cases.closed_at", "month/day",
		`["%m/%d/%Y %I:%M:%S %p"] (month first)`, `["%d/%m/%Y %I:%M:%S %p"] (day first)`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %q", err, s)
		}
	}
	if !errors.Is(err, civicscore.ErrInput) {
		t.Errorf("error %q is not ErrInput", err)
	}
}

// TestNormalisationKeyErrors: config values ingest refuses, each naming its key.
func TestNormalisationKeyErrors(t *testing.T) {
	base := func() Options {
		return realOptions(t, "us311.yml", civicscore.KindCases, filepath.Join("testdata", "real", "us311.csv"))
	}
	tests := []struct {
		name string
		edit func(o *Options)
		want []string
	}{
		{"values target", func(o *Options) { o.Values["cases"]["source"]["call"] = "telephone" },
			[]string{`values.cases.source."call"`, "telephone", "hotline"}},
		{"values column", func(o *Options) { o.Values["cases"]["category"] = map[string]string{"a": "b"} },
			[]string{"values.cases.category", "not an enum"}},
		{"derive value", func(o *Options) {
			d := o.Derive["cases"]["resolution_level"]
			d.Default = "federal"
			o.Derive["cases"]["resolution_level"] = d
		}, []string{"derive.cases.resolution_level.default", "federal"}},
		{"derive regex", func(o *Options) {
			d := o.Derive["cases"]["resolution_level"]
			d.Rules = append(slices.Clone(d.Rules), DeriveRule{Match: "/(/", Value: "city"})
			o.Derive["cases"]["resolution_level"] = d
		}, []string{"derive.cases.resolution_level.rules[2].match", "regular expression"}},
		{"derive from", func(o *Options) {
			d := o.Derive["cases"]["resolution_level"]
			d.From = "Handling Agency"
			o.Derive["cases"]["resolution_level"] = d
		}, []string{"derive.cases.resolution_level.from", "Handling Agency"}},
		{"formats none", func(o *Options) { o.Formats["cases"]["reported_at"] = []string{"%Y年%m月%d日"} },
			[]string{"formats.cases.reported_at", "reads none"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := base()
			tc.edit(&o)
			_, err := Load(context.Background(), openTestDB(t), o)
			if err == nil {
				t.Fatal("load succeeded")
			}
			if !errors.Is(err, civicscore.ErrConfig) {
				t.Errorf("error %q is not ErrConfig", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

// TestOpen311Headers: every key of a request is a header, nested
// extended_attributes as extended_attributes.<key>, attributes as JSON text,
// and 006 is read as the text 006.
func TestOpen311Headers(t *testing.T) {
	src, err := openOpen311(filepath.Join("testdata", "real", "open311.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	h := src.Header()
	for _, k := range []string{"service_code", "extended_attributes.ward", "extended_attributes.district", "attributes", "zipcode", "media_url", "service_notice"} {
		if !slices.Contains(h, k) {
			t.Errorf("header %q lacks %s", h, k)
		}
	}
	cells, _, rowErr, err := src.Next()
	if err != nil || rowErr != "" {
		t.Fatal(err, rowErr)
	}
	at := func(k string) string { return cells[slices.Index(h, k)] }
	if at("service_code") != "006" || at("extended_attributes.ward") != "望京西园社区" || at("attributes") != `[{"code":"WHISHETN","value":"123"}]` || at("zipcode") != "94122" {
		t.Errorf("cells: service_code %q, ward %q, attributes %q, zipcode %q", at("service_code"), at("extended_attributes.ward"), at("attributes"), at("zipcode"))
	}
}
