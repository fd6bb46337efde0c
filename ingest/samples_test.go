package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
)

// samples is the repository's own set of sample exports, written by
// `civicscore gen --shape exports` (package synth) and described in its
// README.md.
var samples = filepath.Join("..", "testdata", "samples")

// sampleOptions loads the samples as their config.yaml does.
func sampleOptions() Options {
	in := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(samples, n))
		}
		return out
	}
	return Options{
		Inputs: map[civicscore.Kind][]string{
			civicscore.KindCommunities: in("communities.csv"),
			civicscore.KindCases:       in("cases_part1.csv", "cases_part2.csv", "cases_open311.json", "cases_updates.csv"),
			civicscore.KindServices:    in("services.csv"),
			civicscore.KindSurveys:     in("surveys.xlsx"),
		},
		Mapping: map[string]map[string][]string{"surveys": {
			"respondent_hash": {"手机号码"}, "q_overall": {"1、您对本社区工作的总体评价"},
			"q_environment": {"2、环境卫生"}, "q_safety": {"3、治安状况"}, "q_services": {"4、便民服务"},
			"q_responsiveness": {"5、诉求响应速度"}, "q_facilities": {"6、公共设施"}, "q_participation": {"7、居民参与"},
			"q_fairness": {"8、办事公道"}, "age_group": {"9、您的年龄段"}, "gender": {"10、您的性别"},
		}},
		Salt: "test-salt",
		SLA: SLA{DefaultHours: 72, ByCategory: map[string]float64{
			"城市建设": 168, "环境卫生": 48, "综治安全": 72, "社会事务": 72, "市场监管": 120, "物业管理": 96}},
		MinDurationSeconds: 30,
		MaxPerIPPerDay:     5,
	}
}

// readExpectedRejects reads the samples' expected_rejects.yaml: lines
// "file:" (or "file: {}" for none) followed by "  reason: count". It returns
// "file|reason|count" lines, sorted, as rowsOf gives them.
func readExpectedRejects(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(samples, "expected_rejects.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	file := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		key, val, ok := strings.Cut(strings.TrimSpace(line), ":")
		val = strings.TrimSpace(val)
		switch {
		case !ok:
			t.Fatalf("expected_rejects.yaml line %d: %q is not key: value", n, line)
		case !strings.HasPrefix(line, " "):
			if val != "" && val != "{}" {
				t.Fatalf("expected_rejects.yaml line %d: a file takes reasons below it or {}", n)
			}
			file = key
		default:
			c, err := strconv.Atoi(val)
			if err != nil || file == "" {
				t.Fatalf("expected_rejects.yaml line %d: %q: want reason: count under a file", n, line)
			}
			out = append(out, fmt.Sprintf("%s|%s|%d", file, key, c))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// The samples load with exactly the rejects the generator put in, each file
// read by its reader; the GB18030 platform export loads every row, the
// Open311 requests get the level their agency names, the updates close
// open cases, the duplicate's later row wins and phone numbers are stored
// only as hashes.
func TestSamplesLoadWithExpectedRejects(t *testing.T) {
	db := openTestDB(t)
	sum := mustLoad(t, db, sampleOptions())
	formats := map[string]string{}
	for _, f := range sum.Files {
		formats[filepath.Base(f.Path)] = f.Format
	}
	wantFormats := map[string]string{"communities.csv": "csv-duckdb", "cases_part1.csv": "csv-duckdb",
		"cases_part2.csv": "csv-gb18030", "cases_open311.json": "json-go", "cases_updates.csv": "csv-duckdb",
		"services.csv": "csv-duckdb", "surveys.xlsx": "xlsx-go"}
	if !reflect.DeepEqual(formats, wantFormats) {
		t.Errorf("formats = %v, want %v", formats, wantFormats)
	}

	// Rejects per file and reason: the generator's count, not ingest's.
	want := readExpectedRejects(t)
	if len(want) < 9 {
		t.Fatalf("expected_rejects.yaml lists %d file reasons; the samples have at least nine", len(want))
	}
	got := rowsOf(t, db, `SELECT regexp_extract(source_file, '[^/\\]+$'), reason, count(*) FROM rejects GROUP BY ALL ORDER BY ALL`)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects by file and reason:\n%v\nwant (expected_rejects.yaml)\n%v", got, want)
	}

	// cases_part2.csv: GB18030, Chinese headers and values; every row loads.
	// Its rows are its CRLF lines but the header.
	raw, err := os.ReadFile(filepath.Join(samples, "cases_part2.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Count(raw, []byte("\r\n")) - 1
	got = rowsOf(t, db, `SELECT rows_read, rows_clean FROM ingest_files WHERE path LIKE '%cases_part2.csv'`)
	if w := fmt.Sprintf("%d|%d", lines, lines); lines < 100 || !reflect.DeepEqual(got, []string{w}) {
		t.Errorf("cases_part2.csv read|clean = %v, want %s", got, w)
	}

	// cases_open311.json: each request's level is the one its agency names
	// (the test's own reading of the agency words: 居委会 community, 片区
	// block, 办事处 street, 市… city, any other bureau district).
	var requests []struct {
		ID     string `json:"service_request_id"`
		Agency string `json:"agency_responsible"`
	}
	if b, err := os.ReadFile(filepath.Join(samples, "cases_open311.json")); err != nil || json.Unmarshal(b, &requests) != nil {
		t.Fatalf("cases_open311.json: %v", err)
	}
	levels := map[string]bool{}
	for _, q := range requests {
		lvl := "district"
		switch {
		case strings.HasSuffix(q.Agency, "居委会"):
			lvl = "community"
		case strings.Contains(q.Agency, "片区"):
			lvl = "block"
		case strings.HasSuffix(q.Agency, "办事处"):
			lvl = "street"
		case strings.HasPrefix(q.Agency, "市"):
			lvl = "city"
		}
		levels[lvl] = true
		got = rowsOf(t, db, `SELECT resolution_level FROM cases WHERE case_id = ?`, q.ID)
		if !reflect.DeepEqual(got, []string{lvl}) {
			t.Errorf("request %s (%s): level %v, want %s", q.ID, q.Agency, got, lvl)
		}
	}
	if len(levels) < 3 {
		t.Errorf("the Open311 requests name %d levels; want several to test the guess", len(levels))
	}

	// cases_updates.csv closes cases the earlier files loaded as open: each
	// of its case_ids is in cases from that file, closed, with updated_at.
	f, err := os.Open(filepath.Join(samples, "cases_updates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) < 2 {
		t.Fatalf("cases_updates.csv: %d records, %v", len(recs), err)
	}
	for _, rec := range recs[1:] {
		got = rowsOf(t, db, `SELECT closed_at IS NOT NULL AND updated_at IS NOT NULL, source_file LIKE '%cases_updates.csv' FROM cases WHERE case_id = ?`, rec[0])
		if !reflect.DeepEqual(got, []string{"true|true"}) {
			t.Errorf("updated case %s: closed and from the updates = %v", rec[0], got)
		}
	}

	// The case_id written twice: the later row is the one loaded.
	got = rowsOf(t, db, `SELECT c.source_row > j.source_row, c.source_file = j.source_file
		FROM rejects j JOIN cases c ON c.case_id = (j.raw::JSON ->> 'case_id') WHERE j.reason = 'duplicate_in_file'`)
	if !reflect.DeepEqual(got, []string{"true|true"}) {
		t.Errorf("duplicate case: later row loaded = %v", got)
	}

	// surveys.xlsx: phone numbers hashed (64 hex digits), none stored as
	// written, in responses or rejects.
	got = rowsOf(t, db, `SELECT count(*) FILTER (WHERE NOT regexp_full_match(respondent_hash, '[0-9a-f]{64}')), count(respondent_hash) > 200 FROM survey_responses`)
	if !reflect.DeepEqual(got, []string{"0|true"}) {
		t.Errorf("respondent_hash: not hashed | enough hashed = %v", got)
	}
	phone := regexp.MustCompile(`1390000[0-9]{4}`)
	for _, q := range []string{`SELECT respondent_hash FROM survey_responses`, `SELECT raw || detail FROM rejects`, `SELECT extra FROM survey_responses`} {
		for _, v := range rowsOf(t, db, q) {
			if phone.MatchString(v) {
				t.Errorf("%s: a phone number is stored: %s", q, v)
			}
		}
	}
}
