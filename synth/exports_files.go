package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/civicscore/civicscore"
)

// This file renders the exports' records in the shapes of their files.

// impossibleTS is the reported_at of the bad_timestamp row: February 30th, 25:61.
func impossibleTS(year int) string { return strconv.Itoa(year) + "-02-30 25:61:00" }

// canonicalCases renders cases as canonical UTF-8 CSV (CasesHeader), with
// each row's defect.
func canonicalCases(rows []*exportCase) ([]byte, error) {
	b := headerLine(CasesHeader)
	for _, c := range rows {
		b = append(b, c.id...)
		b = append(b, ',')
		if c.defect == ReasonUnknownCommunity {
			b = append(b, unknownCommunityID...)
		} else {
			b = append(b, c.comm.id...)
		}
		b = append(b, ',')
		b = append(b, c.grid...)
		b = append(b, ',')
		b = append(b, sources[c.src]...)
		b = append(b, ',')
		if c.defect != ReasonMissingRequired {
			b = append(b, categories[c.cat].name...)
		}
		b = append(b, ',')
		if c.defect == ReasonBadTimestamp {
			b = append(b, impossibleTS(civilYear(c.reported))...)
		} else {
			b = appendTS(b, c.reported)
		}
		b = append(b, ',')
		b = appendOptTS(b, c.first, appendTS)
		b = append(b, ',')
		if c.writeDue {
			b = appendTS(b, c.due)
		}
		b = append(b, ',')
		b = appendOptTS(b, c.closed, appendTS)
		b = append(b, ',')
		if c.defect == ReasonBadEnum {
			b = append(b, "unknown"...)
		} else {
			b = append(b, levels[c.level]...)
		}
		b = append(b, ',')
		if c.sat >= 0 {
			b = append(b, satisfaction[c.sat]...)
		}
		b = append(b, ',')
		b = appendBool(b, c.contacted)
		b = append(b, ',')
		b = appendBool(b, c.resolved)
		b = append(b, ',')
		b = appendBool(b, b2i(c.reopened))
		b = append(b, ',')
		b = appendOptTS(b, c.updated, appendTS)
		b = append(b, '\n')
	}
	return b, nil
}

// Headers and values of the hotline / grid platform's export.
var (
	platformHeader  = []string{"工单编号", "社区编码", "网格编号", "来源", "诉求类型", "受理时间", "响应时间", "办理时限", "办结时间", "办理层级", "回访满意度", "是否联系", "是否解决", "是否重复", "更新时间"}
	platformSources = []string{"网格巡查", "12345热线", "随手拍", "来访"}         // follows sources
	platformLevels  = []string{"社区", "块区", "街道", "区级部门", "市级"}         // follows levels
	platformSat     = []string{"满意", "基本满意", "不满意"}                    // follows satisfaction
	platformBool    = []string{"否", "是"}                               // false, true
	likertWords     = []string{"", "非常不满意", "不满意", "一般", "满意", "非常满意"} // by answer 1..5
)

// platformCases renders cases as the platform exports them: Chinese
// headers and values, slashed dates for the reception and response times,
// CRLF line ends, GB18030.
func platformCases(rows []*exportCase) ([]byte, error) {
	var b []byte
	line := func(cells []string) {
		for i, s := range cells {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendField(b, s)
		}
		b = append(b, '\r', '\n')
	}
	line(platformHeader)
	ts := func(t int64, f func([]byte, int64) []byte) string { return string(appendOptTS(nil, t, f)) }
	boolText := func(v int) string {
		if v < 0 {
			return ""
		}
		return platformBool[v]
	}
	for _, c := range rows {
		if c.defect != "" {
			return nil, fmt.Errorf("case %s: the platform export holds no bad rows", c.id)
		}
		due := ""
		if c.writeDue {
			due = ts(c.due, appendTS)
		}
		sat := ""
		if c.sat >= 0 {
			sat = platformSat[c.sat]
		}
		line([]string{c.id, c.comm.id, c.grid, platformSources[c.src], categories[c.cat].name,
			ts(c.reported, appendSlashTS), ts(c.first, appendSlashTS), due, ts(c.closed, appendTS),
			platformLevels[c.level], sat, boolText(c.contacted), boolText(c.resolved), boolText(b2i(c.reopened)),
			ts(c.updated, appendTS)})
	}
	return simplifiedchinese.GB18030.NewEncoder().Bytes(b)
}

// open311Request is one GeoReport v2 service request, in the field order
// of the standard; community_id and closed_datetime are extensions.
type open311Request struct {
	ServiceRequestID  string  `json:"service_request_id"`
	Status            string  `json:"status"`
	StatusNotes       string  `json:"status_notes"`
	ServiceName       string  `json:"service_name"`
	ServiceCode       string  `json:"service_code"`
	Description       string  `json:"description"`
	AgencyResponsible string  `json:"agency_responsible"`
	RequestedDatetime string  `json:"requested_datetime"`
	UpdatedDatetime   string  `json:"updated_datetime"`
	ExpectedDatetime  string  `json:"expected_datetime,omitempty"`
	ClosedDatetime    string  `json:"closed_datetime,omitempty"`
	Address           string  `json:"address"`
	Lat               float64 `json:"lat"`
	Long              float64 `json:"long"`
	CommunityID       string  `json:"community_id"`
}

// Per case category (follows categories): the service code, a complaint
// as residents word it, and the bureau that handles it.
var open311Services = []struct{ code, description, bureau string }{
	{"CSJS", "小区道路破损，雨天积水", "城乡建设局"},
	{"HJWS", "垃圾桶满溢，未及时清运", "城市管理局"},
	{"ZZAQ", "楼道堆放杂物，存在消防隐患", "公安分局"},
	{"SHSW", "咨询高龄津贴办理流程", "民政局"},
	{"SCJG", "路边摊占道经营", "市场监督管理局"},
	{"WYGL", "电梯经常停运，物业不处理", "住房和城乡建设局"},
}

// agency names the office that handles a case at its level, in words from
// which the Open311 reader reads the level: 社区居委会, 片区工作站, 街道办事处,
// a district bureau (区…局) and a city bureau (市…局).
func agency(c *exportCase) string {
	bureau := open311Services[c.cat].bureau
	switch c.level {
	case 0:
		return c.comm.name + "居委会"
	case 1:
		return c.comm.streetName + "第" + c.comm.blockID[strings.LastIndexByte(c.comm.blockID, '-')+1:] + "片区工作站"
	case 2:
		return c.comm.streetName + "办事处"
	case 3:
		return c.comm.district + bureau
	}
	if bureau == "公安分局" {
		bureau = "公安局"
	}
	return "市" + bureau
}

// open311Cases renders cases as a GeoReport v2 array, one request a line.
// A closed request states closed_datetime when its id is even; otherwise
// it closed at updated_datetime.
func open311Cases(rows []*exportCase) ([]byte, error) {
	b := []byte("[\n")
	for i, c := range rows {
		if c.defect != "" {
			return nil, fmt.Errorf("case %s: the Open311 export holds no bad rows", c.id)
		}
		svc := open311Services[c.cat]
		q := open311Request{
			ServiceRequestID: c.id, ServiceName: categories[c.cat].name, ServiceCode: svc.code,
			Description: svc.description, AgencyResponsible: agency(c),
			RequestedDatetime: string(appendISO(nil, c.reported)),
			Address:           c.comm.streetName + c.comm.name + strconv.Itoa(1+int(c.reported%30)) + "栋",
			Lat:               round6(31.80 + float64(c.comm.idx%6)*0.011 + float64(c.reported%997)/1e6),
			Long:              round6(117.20 + float64(c.comm.idx/6)*0.013 + float64(c.reported%991)/1e6),
			CommunityID:       c.comm.id,
		}
		if c.writeDue {
			q.ExpectedDatetime = string(appendISO(nil, c.due))
		}
		switch {
		case c.open():
			q.Status, q.StatusNotes = "open", "办理中"
			q.UpdatedDatetime = q.RequestedDatetime
			if c.first >= 0 {
				q.UpdatedDatetime = string(appendISO(nil, c.first))
			}
		case i%2 == 0:
			q.Status, q.StatusNotes = "closed", "已办结"
			q.ClosedDatetime = string(appendISO(nil, c.closed))
			q.UpdatedDatetime = string(appendISO(nil, c.closed+600))
		default:
			q.Status, q.StatusNotes = "closed", "已办结"
			q.UpdatedDatetime = string(appendISO(nil, c.closed))
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(q); err != nil {
			return nil, err
		}
		b = append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		if i < len(rows)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	return append(b, "]\n"...), nil
}

// round6 rounds x to six decimals (about 0.1 m of latitude).
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// Questions of the survey platform's export, one per survey item (follows
// surveyItems), numbered as the platform numbers them.
var surveyQuestions = []string{
	"1、您对本社区工作的总体评价", "2、环境卫生", "3、治安状况", "4、便民服务", "5、诉求响应速度",
	"6、公共设施", "7、居民参与", "8、办事公道",
}

// Other columns of the survey platform's export.
var (
	surveyLeadColumns = []string{"序号", "提交答卷时间", "所用时间", "来源", "来自IP", "社区编码", "手机号码"}
	ageQuestion       = "9、您的年龄段"
	genderQuestion    = "10、您的性别"
	surveyAges        = []string{"18-34岁", "35-59岁", "60岁及以上"}
	surveyGenders     = []string{"男", "女"}
	surveySources     = []string{"手机提交", "微信", "链接", "电脑提交"}
)

// surveysWorkbook renders the responses as the platform's .xlsx export:
// one sheet, numbered questions, submission times as Excel date cells.
func surveysWorkbook(resp []*exportResponse) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	header := append(append(append([]any{}, anySlice(surveyLeadColumns)...), anySlice(surveyQuestions)...), ageQuestion, genderQuestion)
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return nil, err
	}
	numFmt := "yyyy/mm/dd hh:mm:ss"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
	if err != nil {
		return nil, err
	}
	for i, x := range resp {
		row := []any{i + 1, excelSerial(x.at), strconv.Itoa(x.dur) + "秒", surveySources[int(x.at)%len(surveySources)],
			x.ip, x.comm.id, x.phone}
		for _, a := range x.ans {
			switch {
			case a == 0 && x.digits:
				row = append(row, "")
			case a == 0:
				row = append(row, "不了解")
			case a > 5 || x.digits:
				row = append(row, a)
			default:
				row = append(row, likertWords[a])
			}
		}
		row = append(row, surveyAges[x.age], surveyGenders[b2i(x.female)])
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return nil, err
		}
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return nil, err
		}
		at, _ := excelize.CoordinatesToCellName(2, i+2)
		if err := f.SetCellStyle(sheet, at, at, style); err != nil {
			return nil, err
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// excelSerial returns the Excel serial date (days since 1899-12-30) of a
// local clock reading in seconds since 1970-01-01.
func excelSerial(t int64) float64 { return 25569 + float64(t)/secPerDay }

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// exportsConfig returns config.yaml: the inputs in load order (the updates
// last), the survey mapping, the SLAs and the survey filter.
func exportsConfig(sum ExportsSummary) string {
	var s strings.Builder
	fmt.Fprintf(&s, "# Sample exports written by civicscore gen --shape exports (package synth), seed %d.\n", sum.Seed)
	s.WriteString("# Not real data: communities, cases, answers and phone numbers are invented.\n")
	s.WriteString("timezone: Asia/Shanghai\nout: out\ninputs:\n")
	var cases []string
	for _, f := range sum.Files {
		if f.Kind == civicscore.KindCases {
			cases = append(cases, f.Name)
		}
	}
	for _, f := range sum.Files {
		switch {
		case f.Kind == civicscore.KindCases && f.Name == cases[0]:
			fmt.Fprintf(&s, "  cases: [%s]\n", strings.Join(cases, ", "))
		case f.Kind != "" && f.Kind != civicscore.KindCases:
			fmt.Fprintf(&s, "  %s: %s\n", f.Kind, f.Name)
		}
	}
	s.WriteString("mapping:\n  surveys:\n")
	s.WriteString("    respondent_hash: [\"" + surveyLeadColumns[6] + "\"]\n")
	for i, q := range surveyQuestions {
		s.WriteString("    " + surveyItems[i] + ": [\"" + q + "\"]\n")
	}
	s.WriteString("    age_group: [\"" + ageQuestion + "\"]\n")
	s.WriteString("    gender: [\"" + genderQuestion + "\"]\n")
	s.WriteString("sla:\n  default_hours: " + strconv.Itoa(defaultSLAHours) + "\n  by_category:\n")
	for _, c := range categories {
		s.WriteString("    " + c.name + ": " + strconv.FormatInt(c.sla, 10) + "\n")
	}
	s.WriteString("survey:\n  min_duration_seconds: 30\n")
	s.WriteString("thresholds:\n  min_n: 10\n")
	return s.String()
}

// expectedRejects returns expected_rejects.yaml: for every input file, the
// rejects ingest must file by reason ({} when none).
func expectedRejects(sum ExportsSummary) string {
	var s strings.Builder
	s.WriteString("# The rows ingest must reject when it loads these files with config.yaml, per\n")
	s.WriteString("# input file and reject reason. Counted by the generator (package synth) from\n")
	s.WriteString("# the defects it put in, not by ingest: the ingest tests compare the two.\n")
	for _, f := range sum.Files {
		if f.Kind == "" {
			continue
		}
		if len(f.Rejects) == 0 {
			s.WriteString(f.Name + ": {}\n")
			continue
		}
		s.WriteString(f.Name + ":\n")
		for _, reason := range slices.Sorted(maps.Keys(f.Rejects)) {
			fmt.Fprintf(&s, "  %s: %d\n", reason, f.Rejects[reason])
		}
	}
	return s.String()
}

// exportsReadme returns README.md: the data set and each file's shape.
func exportsReadme(sum ExportsSummary) string {
	var s strings.Builder
	s.WriteString("# Sample exports\n\n")
	fmt.Fprintf(&s, "A small invented district (%d districts, %d streets, %d communities, %s to %s) in the\n",
		sum.Districts, sum.Streets, sum.Communities, sum.Start.Format("2006-01-02"), sum.End.AddDate(0, 0, -1).Format("2006-01-02"))
	s.WriteString("shapes real exports take. `config.yaml` loads all of it; `expected_rejects.yaml` lists\n")
	s.WriteString("the rows ingest must reject, as the generator counted them. Not real data: names,\n")
	s.WriteString("cases, answers and phone numbers (`1390000xxxx`) are invented.\n\n")
	s.WriteString("Written by `civicscore gen --shape exports --out testdata/samples` (package synth,\n")
	fmt.Fprintf(&s, "seed %d); `go test -tags=duckdb_arrow ./synth -run TestExportsMatchCommitted -update`\n", sum.Seed)
	s.WriteString("rewrites them after a change to the generator. The column names, spellings and\n")
	s.WriteString("timestamp forms ingest accepts are in docs/inputs.md.\n\n")
	s.WriteString("| file | rows | rejects | shape |\n|---|---|---|---|\n")
	for _, f := range sum.Files {
		rows, rejects := "", ""
		if f.Kind != "" {
			rows = strconv.FormatInt(f.Rows, 10)
			var parts []string
			for _, reason := range slices.Sorted(maps.Keys(f.Rejects)) {
				parts = append(parts, fmt.Sprintf("%s %d", reason, f.Rejects[reason]))
			}
			rejects = strings.Join(parts, ", ")
			if rejects == "" {
				rejects = "none"
			}
		}
		fmt.Fprintf(&s, "| %s | %s | %s | %s |\n", f.Name, rows, rejects, f.Shape)
	}
	fmt.Fprintf(&s, "\n`cases_updates.csv` closes %d cases that the earlier files load as open.\n", sum.Updated)
	s.WriteString("In `surveys.xlsx`, responses faster than `survey.min_duration_seconds` (30) are\n")
	s.WriteString("speeders, and of two responses with one phone number in one community and month\n")
	s.WriteString("the earlier is excluded (`duplicate_respondent`).\n")
	return s.String()
}

// appendOptTS appends t with f, or nothing for -1.
func appendOptTS(b []byte, t int64, f func([]byte, int64) []byte) []byte {
	if t < 0 {
		return b
	}
	return f(b, t)
}

// appendSlashTS appends t as YYYY/MM/DD HH:MM:SS.
func appendSlashTS(b []byte, t int64) []byte {
	n := len(b)
	b = appendTS(b, t)
	b[n+4], b[n+7] = '/', '/'
	return b
}

// appendISO appends t as ISO 8601 local time in China: YYYY-MM-DDTHH:MM:SS+08:00.
func appendISO(b []byte, t int64) []byte {
	n := len(b)
	b = appendTS(b, t)
	b[n+10] = 'T'
	return append(b, "+08:00"...)
}

// civilYear returns the year of a local clock reading.
func civilYear(t int64) int {
	y, _, _ := civilFromDays(t / secPerDay)
	return y
}
