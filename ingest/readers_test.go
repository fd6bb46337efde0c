package ingest

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/civicscore/civicscore"
)

const communitiesCSV = "community_id,community_name,street_id,street_name,district_id,district_name,households,population\nC1,一社区,S1,一街道,D1,某区,1000,2300\n"

// writeFiles writes name → content into a temp folder and returns its path.
func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func casesOnly(dir string, cases ...string) Options {
	var paths []string
	for _, c := range cases {
		paths = append(paths, filepath.Join(dir, c))
	}
	return Options{
		Inputs: map[civicscore.Kind][]string{
			civicscore.KindCommunities: {filepath.Join(dir, "communities.csv")},
			civicscore.KindCases:       paths,
		},
		Salt: "s", SLA: SLA{DefaultHours: 72, Unit: "hours"},
	}
}

func gb18030(t *testing.T, s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReaders(t *testing.T) {
	chineseCases := "工单编号,社区编码,诉求渠道,诉求类型,受理时间,办结时间,办理层级,回访满意度,是否解决\n" +
		"A1,C1,12345热线,环境卫生,2025/03/01 09:00:00,2025/03/02 09:00:00,社区,满意,是\n" +
		"A2,C1,网格巡查,市场监管,2025/03/03 09:00,,区级部门,,\n"
	want := []string{"A1|hotline|community|satisfied|true|2025-03-02 09:00", "A2|grid_patrol|district|NULL|NULL|NULL"}
	query := `SELECT case_id, source, resolution_level, coalesce(callback_satisfaction, 'NULL'),
		coalesce(callback_resolved::VARCHAR, 'NULL'), coalesce(strftime(closed_at, '%Y-%m-%d %H:%M'), 'NULL') FROM cases ORDER BY 1`

	xlsx := func(t *testing.T) []byte {
		f := excelize.NewFile()
		rows := [][]any{
			{"工单编号", "社区编码", "诉求渠道", "诉求类型", "受理时间", "办结时间", "办理层级", "回访满意度", "是否解决"},
			// Excel serial 45717.375 = 2025-03-01 09:00; 45718.375 = 2025-03-02 09:00.
			{"A1", "C1", "12345热线", "环境卫生", 45717.375, 45718.375, "社区", "满意", "是"},
			{"A2", "C1", "网格巡查", "市场监管", "2025/03/03 09:00", nil, "区级部门", nil, nil},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	open311 := `[
	 {"service_request_id":"A1","community_id":"C1","service_name":"环境卫生","requested_datetime":"2025-03-01T01:00:00Z",
	  "updated_datetime":"2025-03-02T09:00:00+08:00","status":"closed","agency_responsible":"一社区居委会","description":"电话13800138000"},
	 {"service_request_id":"A2","community_id":"C1","service_name":"市场监管","requested_datetime":"2025-03-03T09:00:00+08:00",
	  "status":"open","agency_responsible":"某区市场监管局"}]`
	wantJSON := []string{"A1|NULL|community|NULL|NULL|2025-03-02 09:00", "A2|NULL|district|NULL|NULL|NULL"}

	tests := []struct {
		name, file string
		content    func(t *testing.T) []byte
		format     string
		want       []string
	}{
		{"UTF-8 with BOM, Chinese headers", "c.csv", func(*testing.T) []byte { return []byte("\ufeff" + chineseCases) }, "csv-duckdb", want},
		{"GB18030 detected", "c.csv", func(t *testing.T) []byte { return gb18030(t, chineseCases) }, "csv-gb18030", want},
		{"TSV", "c.tsv", func(*testing.T) []byte { return []byte(strings.ReplaceAll(chineseCases, ",", "\t")) }, "tsv-duckdb", want},
		{"blank lines read in Go", "c.csv", func(*testing.T) []byte { return []byte(strings.Replace(chineseCases, "\nA2", "\n\nA2", 1)) }, "csv-go", want},
		{"xlsx with serial dates", "c.xlsx", xlsx, "xlsx-go", want},
		{"Open311 JSON", "c.json", func(*testing.T) []byte { return []byte(open311) }, "json-go", wantJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), tt.file: tt.content(t)})
			db := openTestDB(t)
			sum := mustLoad(t, db, casesOnly(dir, tt.file))
			if f := sum.Files[1]; f.Format != tt.format {
				t.Errorf("format = %s, want %s (%s)", f.Format, tt.format, f.FastPathError)
			}
			if got := rowsOf(t, db, query); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %v\nwant %v", got, tt.want)
			}
			if got := rowsOf(t, db, "SELECT count(*) FROM rejects"); got[0] != "0" {
				t.Errorf("rejects: %v", rowsOf(t, db, "SELECT source_row, reason, detail FROM rejects"))
			}
			if got := rowsOf(t, db, "SELECT count(*) FROM cases WHERE extra::VARCHAR LIKE '%13800138000%'"); got[0] != "0" {
				t.Errorf("complaint text with a phone number stored")
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name, file string
		content    []byte
		want       []string // substrings of the error
	}{
		{"missing required column names it and the aliases", "c.csv", []byte("case_id,community_id,category\nA,C1,x\n"),
			[]string{"c.csv", "reported_at", "受理时间", "resolution_level"}},
		{"empty file", "c.csv", nil, []string{"c.csv", "empty"}},
		{"header only loads nothing", "c.csv", []byte("case_id,community_id,category,reported_at,resolution_level\n"), nil},
		{"text file named .xlsx", "c.xlsx", []byte("case_id,community_id\n"), []string{"c.xlsx", "xlsx"}},
		{"binary garbage", "c.csv", []byte("\x00\x01\x02\xff\xfe\x00garbage"), []string{"c.csv", "NUL"}},
		{"JSON that is not an array", "c.json", []byte(`{"a":1}`), []string{"c.json", "array"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{"communities.csv": []byte(communitiesCSV)}
			if tt.content != nil {
				files[tt.file] = tt.content
			} else {
				files[tt.file] = []byte{}
			}
			dir := writeFiles(t, files)
			db := openTestDB(t)
			_, err := Load(context.Background(), db, casesOnly(dir, tt.file))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, civicscore.ErrInput) {
				t.Errorf("err %v does not wrap ErrInput", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestMissingInputs(t *testing.T) {
	dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), "notes.md": []byte("x")})
	for _, entry := range []string{filepath.Join(dir, "nope.csv"), filepath.Join(dir, "*.xlsx"), filepath.Join(dir, "sub")} {
		if entry == filepath.Join(dir, "sub") {
			os.Mkdir(entry, 0o755)
		}
		_, err := ResolveFiles(civicscore.KindCases, []string{entry})
		if err == nil || !strings.Contains(err.Error(), entry) || !errors.Is(err, civicscore.ErrInput) {
			t.Errorf("%s: err = %v, want an input error naming it", entry, err)
		}
	}
}

func TestMalformedRows(t *testing.T) {
	// Row 3 has more fields than the header and row 4 a stray quote: DuckDB's
	// strict reader refuses the file, the Go reader files those rows.
	content := "case_id,community_id,category,reported_at,resolution_level\n" +
		"A1,C1,x,2025-03-01 09:00:00,community\n" +
		"A2,C1,x,2025-03-01 09:00:00,community,extra,fields\n" +
		"A3,C1,x\"y,2025-03-01 09:00:00,community\n" +
		"A4,C1,x,2025-03-01 09:00:00,community\n"
	dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), "c.csv": []byte(content)})
	db := openTestDB(t)
	mustLoad(t, db, casesOnly(dir, "c.csv"))
	got := rowsOf(t, db, "SELECT source_row, reason FROM rejects ORDER BY 1")
	want := []string{"3|malformed_row", "4|malformed_row"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects = %v, want %v", got, want)
	}
	if got := rowsOf(t, db, "SELECT string_agg(case_id, ',' ORDER BY case_id) FROM cases"); got[0] != "A1,A4" {
		t.Errorf("clean cases = %v, want A1,A4", got)
	}
}

func TestWorkingDaySLA(t *testing.T) {
	// 2025-09-26 is a Friday; 09-27 (Sat) is off, 09-28 (Sun) a make-up
	// workday (调休), so 3 working days after Fri 10:00 are Sun 28, Mon 29,
	// Tue 30 → 2025-09-30 10:00. From Tue 30, 1 working day skips the
	// National Day holiday 10-01..10-08 → Thu 2025-10-09. A report on Sat
	// 2025-10-11 (a make-up workday) + 1 → Mon 10-13. Config adds 2025-03-04
	// as a holiday: Mon 03-03 + 1 → Wed 03-05.
	content := "case_id,community_id,category,reported_at,resolution_level\n" +
		"W1,C1,三天,2025-09-26 10:00:00,community\n" +
		"W2,C1,一天,2025-09-30 10:00:00,community\n" +
		"W3,C1,一天,2025-10-11 08:00:00,community\n" +
		"W4,C1,一天,2025-03-03 08:00:00,community\n"
	dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), "c.csv": []byte(content)})
	db := openTestDB(t)
	opts := casesOnly(dir, "c.csv")
	opts.SLA = SLA{DefaultHours: 1, ByCategory: map[string]float64{"三天": 3}, Unit: "working_days", Holidays: []string{"2025-03-04"}}
	mustLoad(t, db, opts)
	got := rowsOf(t, db, "SELECT case_id, strftime(due_at, '%Y-%m-%d %H:%M') FROM cases ORDER BY 1")
	want := []string{"W1|2025-09-30 10:00", "W2|2025-10-09 10:00", "W3|2025-10-13 08:00", "W4|2025-03-05 08:00"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("due_at = %v, want %v", got, want)
	}
}

func TestSurveyBurstFlag(t *testing.T) {
	// Six valid responses from one IP in one community on one day with
	// max_per_ip_per_day 5: all six are flagged as a burst and kept; a
	// seventh on the next day is not flagged.
	var b strings.Builder
	b.WriteString("response_id,community_id,submitted_at,ip_hash,q_overall\n")
	for i := 1; i <= 6; i++ {
		b.WriteString("R" + string(rune('0'+i)) + ",C1,2025-03-01 1" + string(rune('0'+i)) + ":00:00,9.9.9.9,4\n")
	}
	b.WriteString("R7,C1,2025-03-02 10:00:00,9.9.9.9,4\n")
	dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), "s.csv": []byte(b.String())})
	db := openTestDB(t)
	opts := casesOnly(dir)
	opts.Inputs[civicscore.KindSurveys] = []string{filepath.Join(dir, "s.csv")}
	opts.MaxPerIPPerDay = 5
	mustLoad(t, db, opts)
	got := rowsOf(t, db, "SELECT count(*) FILTER (WHERE burst), count(*) FROM surveys")
	if !reflect.DeepEqual(got, []string{"6|7"}) {
		t.Errorf("burst, valid = %v, want 6|7", got)
	}
}

func TestWorkingDayCalendarWarnsOutsideBuiltinYears(t *testing.T) {
	content := "case_id,community_id,category,reported_at,resolution_level\nW1,C1,x,2031-03-03 08:00:00,community\nW2,C1,x,2031-03-04 08:00:00,community\n"
	dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), "c.csv": []byte(content)})
	db := openTestDB(t)
	var logs strings.Builder
	opts := casesOnly(dir, "c.csv")
	opts.SLA = SLA{DefaultHours: 1, Unit: "working_days"}
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	mustLoad(t, db, opts)
	if n := strings.Count(logs.String(), "does not cover"); n != 1 || !strings.Contains(logs.String(), "2031") {
		t.Errorf("want one warning naming 2031, got %d:\n%s", n, logs.String())
	}
	// Weekends still count: Mon 2031-03-03 + 1 working day = Tue 03-04.
	if got := rowsOf(t, db, "SELECT strftime(due_at, '%Y-%m-%d') FROM cases ORDER BY case_id"); !reflect.DeepEqual(got, []string{"2031-03-04", "2031-03-05"}) {
		t.Errorf("due = %v", got)
	}
}
