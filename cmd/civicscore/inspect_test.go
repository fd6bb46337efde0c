package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civicscore/civicscore/store"
)

// The fixtures of testdata/inspect are made by hand in the shapes of real
// exports: us311.csv as a US 311 open-data CSV (12-hour AM/PM dates,
// agency names, channel words, the community board by name, address and
// coordinates), hotline_zh.csv as a Chinese hotline export without a level
// or community code (承办单位 and 所属社区 instead), cases_bad.csv a file
// that rejects three of its four rows.

// inspectJSON runs inspect with --format json and decodes its report.
func inspectJSON(t *testing.T, args ...string) (int, inspectReport) {
	t.Helper()
	code, out, errOut := run(t, append([]string{"inspect", "--format", "json"}, args...)...)
	var rep inspectReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("inspect %v: output is not JSON (%v): %s\nstderr: %s", args, err, out, errOut)
	}
	return code, rep
}

func fileOf(t *testing.T, rep inspectReport, name string) inspectFile {
	t.Helper()
	for _, f := range rep.Files {
		if filepath.Base(f.Path) == name {
			return f
		}
	}
	t.Fatalf("the report names no file %s", name)
	return inspectFile{}
}

// casesIn returns an integer query on the database of the run into out.
func casesIn(t *testing.T, out, sql string) int {
	t.Helper()
	return queryInt(t, filepath.Join(out, store.DatabaseFile), sql)
}

func TestInspectUS311DraftRuns(t *testing.T) {
	dir := t.TempDir()
	draft := filepath.Join(dir, "config.yaml")
	us, comm := filepath.Join("testdata", "inspect", "us311.csv"), filepath.Join("testdata", "inspect", "us_communities.csv")
	code, rep := inspectJSON(t, us, comm, "--write-config", draft)
	if code != 0 {
		t.Fatalf("inspect exit %d, want 0: %+v", code, rep)
	}
	f := fileOf(t, rep, "us311.csv")
	if f.Kind != "cases" || f.Rows != 6 || f.Delimiter != "," || f.Encoding != "utf-8" {
		t.Errorf("file: kind %s rows %d delimiter %q encoding %s, want cases 6 \",\" utf-8", f.Kind, f.Rows, f.Delimiter, f.Encoding)
	}
	if fileOf(t, rep, "us_communities.csv").Kind != "communities" {
		t.Error("the communities file is not taken for communities")
	}
	// The obvious headers map (under the draft), the personal ones drop.
	want := map[string]string{"Unique Key": "canonical case_id", "Created Date": "canonical reported_at", "Closed Date": "canonical closed_at",
		"Complaint Type": "canonical category", "Open Data Channel Type": "canonical source", "Status": "canonical status",
		"Agency Name": "derive_from resolution_level", "Community Board": "derive_from community_id",
		"Incident Address": "personal_dropped ", "Latitude": "personal_dropped ", "Longitude": "personal_dropped "}
	for _, h := range f.Headers {
		if w, ok := want[h.Header]; ok && h.As+" "+h.Column != w {
			t.Errorf("header %q: %s %s, want %s", h.Header, h.As, h.Column, w)
		}
	}
	// Created Date has 12/31/2017 (second field over 12): month/day, read
	// whole; Closed Date is ambiguous, so the draft's M/D guess reads it.
	layouts := map[string]inspectLayout{}
	for _, l := range f.Timestamps {
		layouts[l.Column] = l
	}
	if l := layouts["reported_at"]; l.Layout != "month/day/year" || l.Parsed != 6 || l.Values != 6 {
		t.Errorf("reported_at layout %+v, want month/day/year 6 of 6", l)
	}
	if l := layouts["closed_at"]; l.Layout != "config" || l.Parsed != 5 || !strings.Contains(strings.Join(l.Formats, " "), "%m/%d/%Y %I:%M:%S %p") {
		t.Errorf("closed_at layout %+v, want the draft's month/day AM/PM formats reading 5 of 5", l)
	}
	// The source values are listed, the unmapped one first.
	var source, level inspectValues
	for _, v := range f.Values {
		switch {
		case v.Column == "source" && !v.Derived:
			source = v
		case v.Column == "resolution_level" && v.Derived:
			level = v
		}
	}
	if len(source.Values) != 4 || source.Values[0].Value != "UNKNOWN" || source.Values[0].MapsTo != "" || !source.Values[0].Other {
		t.Errorf("source values %+v, want 4 with UNKNOWN (unmapped, other) first", source.Values)
	}
	// The level derive: Department/Bureau → district, the rest the default city.
	wantLevel := map[string]string{"Department of Sanitation": "district", "New York City Police Department": "district",
		"Department of Buildings": "district", "Bureau of Street Lighting": "district", "BOS": "city", "Economic Development Corporation": "city"}
	if len(level.Values) != len(wantLevel) {
		t.Errorf("level derive values %+v, want %d", level.Values, len(wantLevel))
	}
	for _, v := range level.Values {
		if wantLevel[v.Value] != v.MapsTo {
			t.Errorf("agency %q → %s, want %s", v.Value, v.MapsTo, wantLevel[v.Value])
		}
	}
	// Row 37005 closes before it opens: 5 clean, 1 rejected.
	if f.Load.Read != 6 || f.Load.Clean != 5 || len(f.Load.Reasons) != 1 || f.Load.Reasons[0].Reason != "closed_before_reported" || !f.Load.OK {
		t.Errorf("load %+v, want 6 read, 5 clean, closed_before_reported", f.Load)
	}
	b, err := os.ReadFile(draft)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"# guess: every date of \"Closed Date\"", "month/day", "from: \"Agency Name\"", "lookup: \"community_name\"", "\"PHONE\": \"hotline\""} {
		if !strings.Contains(string(b), s) {
			t.Errorf("draft lacks %q:\n%s", s, b)
		}
	}
	// run accepts the draft as it is, and loads what inspect said.
	out := filepath.Join(dir, "out")
	if code, _, errOut := run(t, "run", "--config", draft, "--out", out); code != 0 {
		t.Fatalf("run with the draft: exit %d\n%s", code, errOut)
	}
	if n := casesIn(t, out, "SELECT count(*) FROM cases"); n != 5 {
		t.Errorf("cases after run: %d, want 5", n)
	}
	// 01 BROOKLYN is cb301 in us_communities.csv: cases 37003 and 37006.
	if n := casesIn(t, out, "SELECT count(*) FROM cases WHERE community_id = 'cb301'"); n != 2 {
		t.Errorf("cases of cb301: %d, want 2", n)
	}
	if n := casesIn(t, out, "SELECT count(*) FROM cases WHERE resolution_level = 'district'"); n != 4 {
		// 37001..37004 are departments and a bureau; 37005 is rejected.
		t.Errorf("district cases: %d, want 4", n)
	}
}

func TestInspectChineseHotlineDraftRuns(t *testing.T) {
	dir := t.TempDir()
	draft := filepath.Join(dir, "config.yaml")
	hot := filepath.Join("testdata", "inspect", "hotline_zh.csv")
	comm := filepath.Join("..", "..", "ingest", "testdata", "real", "communities.csv")
	code, out, errOut := run(t, "inspect", hot, comm, "--write-config", draft)
	if code != 0 {
		t.Fatalf("inspect exit %d:\n%s\n%s", code, out, errOut)
	}
	for _, s := range []string{"承办单位", "reported_at (受理时间)", "chinese", "一般", "dissatisfied", "来电号码"} {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q:\n%s", s, out)
		}
	}
	b, err := os.ReadFile(draft)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"from: \"承办单位\"", "from: \"所属社区\"", "\"一般\": \"dissatisfied\""} {
		if !strings.Contains(string(b), s) {
			t.Errorf("draft lacks %q:\n%s", s, b)
		}
	}
	outDir := filepath.Join(dir, "out")
	if code, _, errOut := run(t, "run", "--config", draft, "--out", outDir); code != 0 {
		t.Fatalf("run with the draft: exit %d\n%s", code, errOut)
	}
	// Every row loads; the levels by the built-in rules, by hand: 居委会 →
	// community, 街道办事处 → street, 朝阳区…委员会 → district, 北京市… → city.
	if n := casesIn(t, outDir, "SELECT count(*) FROM cases"); n != 4 {
		t.Errorf("cases: %d, want 4", n)
	}
	if n := casesIn(t, outDir, `SELECT count(*) FROM cases WHERE (case_id, resolution_level) IN
		(('h1', 'community'), ('h2', 'street'), ('h3', 'district'), ('h4', 'city'))`); n != 4 {
		t.Errorf("cases with the hand-checked level: %d, want 4", n)
	}
	// 花家地社区 is c2: h2 and h4.
	if n := casesIn(t, outDir, "SELECT count(*) FROM cases WHERE community_id = 'c2'"); n != 2 {
		t.Errorf("cases of c2: %d, want 2", n)
	}
}

func TestInspectJSONNamesEachFile(t *testing.T) {
	real := filepath.Join("..", "..", "ingest", "testdata", "real")
	code, rep := inspectJSON(t, filepath.Join(real, "open311.json"), filepath.Join(real, "wjx_survey.csv"), filepath.Join(real, "communities.csv"))
	kinds := map[string]string{"open311.json": "cases", "wjx_survey.csv": "surveys", "communities.csv": "communities"}
	if len(rep.Files) != 3 {
		t.Fatalf("%d files, want 3", len(rep.Files))
	}
	for name, kind := range kinds {
		if f := fileOf(t, rep, name); f.Kind != kind {
			t.Errorf("%s taken for %s, want %s", name, f.Kind, kind)
		}
	}
	// Without a draft the defaults read no community in the Open311 file
	// (it is in extended_attributes.ward) and no q_overall in the survey.
	if code != 1 || rep.OK {
		t.Errorf("exit %d ok %v, want 1 false with the defaults", code, rep.OK)
	}
	o := fileOf(t, rep, "open311.json")
	if o.Load.Read != 3 || o.Load.Clean != 0 {
		t.Errorf("open311 load %+v, want 3 read 0 clean", o.Load)
	}
	var offered bool
	for _, m := range o.Missing {
		offered = offered || m.Column == "community_id"
	}
	if !offered {
		// community_id is there (empty), so nothing is missing: the draft's
		// offer shows in a run with --write-config instead.
		code, rep = inspectJSON(t, filepath.Join(real, "open311.json"), filepath.Join(real, "communities.csv"), "--write-config", filepath.Join(t.TempDir(), "c.yaml"))
		o = fileOf(t, rep, "open311.json")
		// 不存在社区 is no community: 2 of 3 clean.
		if code != 0 || o.Load.Clean != 2 {
			t.Errorf("with the draft: exit %d, load %+v, want 0 and 2 clean", code, o.Load)
		}
	}
}

func TestInspectFailsBeyondMaxRejectShare(t *testing.T) {
	comm := filepath.Join("..", "..", "ingest", "testdata", "real", "communities.csv")
	// b2 bad_enum, b3 unknown_community, b4 bad_timestamp: 3 of 4 > 0.5.
	code, rep := inspectJSON(t, filepath.Join("testdata", "inspect", "cases_bad.csv"), comm)
	f := fileOf(t, rep, "cases_bad.csv")
	if code != 1 || f.Load.OK || f.Load.Rejected != 3 || f.Load.RejectShare != 0.75 {
		t.Errorf("exit %d, load %+v, want 1 with 3 rejected (0.75)", code, f.Load)
	}
	reasons := map[string]int64{}
	for _, r := range f.Load.Reasons {
		reasons[r.Reason] = r.N
	}
	if reasons["bad_enum"] != 1 || reasons["unknown_community"] != 1 || reasons["bad_timestamp"] != 1 {
		t.Errorf("reasons %v, want one each of bad_enum, unknown_community, bad_timestamp", reasons)
	}
	// Without a communities file every case is unknown_community, and
	// inspect says so.
	code, out, _ := run(t, "inspect", filepath.Join("testdata", "inspect", "cases_bad.csv"))
	if code != 1 || !strings.Contains(out, "No communities file") {
		t.Errorf("without communities: exit %d, want 1 and a note:\n%s", code, out)
	}
}

// TestInspectGovMessageWorkbook: a government-message workbook (留言) with
// no level and no community code, and the message and reply texts, which
// must be dropped; the draft loads every row.
func TestInspectGovMessageWorkbook(t *testing.T) {
	dir := t.TempDir()
	wb := filepath.Join(dir, "留言.xlsx")
	x := excelize.NewFile()
	rows := [][]any{
		{"留言编号", "留言标题", "留言时间", "答复时间", "承办单位", "所属社区", "留言用户", "留言详情", "答复意见"},
		{"m1", "小区垃圾无人清运", "2024-06-01 08:00:00", "2024-06-03 10:00:00", "望京街道办事处", "望京西园社区", "张**", "望京西园小区3号楼门口垃圾堆放一周无人清运，气味很大，影响居民出行，请尽快处理。谢谢！", "已联系环卫部门清运。"},
		{"m2", "噪音扰民", "2024-06-02 22:00:00", "2024-06-04 09:00:00", "朝阳区生态环境局", "花家地社区", "李**", "花家地南里工地夜间施工噪音很大，严重影响休息，多次反映无果，希望相关部门管一管。", "已责令施工单位整改。"},
		{"m3", "楼道灯不亮", "2024-06-05 19:30:00", "", "花家地社区居委会", "花家地社区", "王**", "楼道灯坏了很久了。", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SaveAs(wb); err != nil {
		t.Fatal(err)
	}
	comm := filepath.Join("..", "..", "ingest", "testdata", "real", "communities.csv")
	draft := filepath.Join(dir, "config.yaml")
	code, rep := inspectJSON(t, wb, comm, "--write-config", draft)
	f := fileOf(t, rep, "留言.xlsx")
	if code != 0 || f.Kind != "cases" || f.Sheet != "Sheet1" || f.Rows != 3 || f.Load.Clean != 3 {
		t.Fatalf("exit %d, file %s sheet %q rows %d, load %+v; want 0, cases, Sheet1, 3 rows all clean", code, f.Kind, f.Sheet, f.Rows, f.Load)
	}
	for _, h := range f.Headers {
		if (h.Header == "留言用户" || h.Header == "留言详情" || h.Header == "答复意见") && h.As != "personal_dropped" && h.As != "extra_dropped" {
			t.Errorf("header %s: %s, want dropped", h.Header, h.As)
		}
	}
	out := filepath.Join(dir, "out")
	if code, _, errOut := run(t, "run", "--config", draft, "--out", out); code != 0 {
		t.Fatalf("run with the draft: exit %d\n%s", code, errOut)
	}
	// By hand: 街道办事处 → street, 朝阳区…局 → district, 社区居委会 → community.
	if n := casesIn(t, out, `SELECT count(*) FROM cases WHERE (case_id, resolution_level, community_id) IN
		(('m1', 'street', 'c1'), ('m2', 'district', 'c2'), ('m3', 'community', 'c2'))`); n != 3 {
		t.Errorf("cases with the hand-checked level and community: %d, want 3", n)
	}
}

// TestInspectTableLanguage: the table speaks Chinese under a zh LANG and
// English otherwise.
func TestInspectTableLanguage(t *testing.T) {
	path := filepath.Join("testdata", "inspect", "hotline_zh.csv")
	for _, tt := range []struct{ lang, want string }{{"zh_CN.UTF-8", "表头"}, {"en_US.UTF-8", "HEADER"}, {"", "HEADER"}} {
		var out, errb bytes.Buffer
		m := NewMain()
		m.Stdout, m.Stderr = &out, &errb
		m.Getenv = func(k string) string {
			if k == "LANG" {
				return tt.lang
			}
			return ""
		}
		_ = m.Run(context.Background(), []string{"inspect", path})
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("LANG=%q: table lacks %q:\n%s", tt.lang, tt.want, out.String())
		}
	}
}
