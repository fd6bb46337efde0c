package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

// fixtureOptions loads testdata/fixture: every reject reason of each kind,
// Chinese headers and values, personal columns, and later versions of cases.
func fixtureOptions(cases ...string) Options {
	dir := filepath.Join("testdata", "fixture")
	if len(cases) == 0 {
		cases = []string{"cases.csv", "cases_update.csv", "cases_update2.csv"}
	}
	var casePaths []string
	for _, c := range cases {
		casePaths = append(casePaths, filepath.Join(dir, c))
	}
	return Options{
		Inputs: map[civicscore.Kind][]string{
			civicscore.KindCommunities: {filepath.Join(dir, "communities.csv")},
			civicscore.KindCases:       casePaths,
			civicscore.KindServices:    {filepath.Join(dir, "services.csv")},
			civicscore.KindSurveys:     {filepath.Join(dir, "surveys.csv")},
		},
		Mapping:            map[string]map[string][]string{"surveys": {"respondent_hash": {"手机号码"}}},
		Salt:               "pepper",
		SLA:                SLA{DefaultHours: 72, ByCategory: map[string]float64{"城市建设": 168}, Unit: "hours"},
		MinDurationSeconds: 30,
		MaxPerIPPerDay:     5,
	}
}

func openTestDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.duckdb"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustLoad(t *testing.T, db *store.DB, opts Options) Summary {
	t.Helper()
	sum, err := Load(context.Background(), db, opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return sum
}

// strings1 runs a query whose rows are one text column each, joined by "|".
func rowsOf(t *testing.T, db *store.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(cols))
		for i, v := range vals {
			if v.Valid {
				cells[i] = v.String
			} else {
				cells[i] = "NULL"
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRejectReasons(t *testing.T) {
	db := openTestDB(t)
	mustLoad(t, db, fixtureOptions())
	got := rowsOf(t, db, `SELECT kind, regexp_extract(source_file, '[^/]+$'), source_row, reason
		FROM rejects ORDER BY kind, source_file, source_row`)
	// Hand-checked against testdata/fixture: one line per bad row, with the
	// row number a spreadsheet shows (header = row 1).
	want := []string{
		"cases|cases.csv|3|missing_required",       // empty case_id
		"cases|cases.csv|4|duplicate_in_file",      // K02 again at row 9: the last wins
		"cases|cases.csv|5|bad_timestamp",          // 2025-02-30 25:61:00
		"cases|cases.csv|6|bad_enum",               // resolution_level galaxy
		"cases|cases.csv|7|closed_before_reported", // closed 03-01 < reported 03-05
		"cases|cases.csv|8|unknown_community",      // C9
		"cases|cases.csv|10|bad_enum",              // callback_satisfaction very_happy
		"cases|cases.csv|13|bad_timestamp",         // 1900: outside 2000..2099
		"cases|cases.csv|14|bad_enum",              // callback_contacted maybe
		"cases|cases_update2.csv|2|stale_version",  // K08 updated 03-15 < loaded 03-21
		"communities|communities.csv|4|bad_number", // households -5
		"communities|communities.csv|5|missing_required",
		"services|services.csv|3|bad_enum",           // service_type bogus
		"services|services.csv|5|bad_number",         // recipients 0
		"services|services.csv|6|unknown_community",  // C9
		"services|services.csv|7|bad_timestamp",      // 2025-13-05
		"services|services.csv|8|bad_number",         // hours -1
		"surveys|surveys.csv|3|speeder",              // 20秒 < 30
		"surveys|surveys.csv|4|duplicate_respondent", // same phone, C1, March: S04 (03-20) is later
		"surveys|surveys.csv|7|bad_enum",             // q_overall 7
		"surveys|surveys.csv|9|unknown_community",    // C9
		"surveys|surveys.csv|10|bad_number",          // duration abc
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	// Every row read is in exactly one place: clean table or rejects.
	files := rowsOf(t, db, `SELECT regexp_extract(path, '[^/]+$'), rows_read, rows_clean, rows_rejected FROM ingest_files ORDER BY kind, path`)
	wantFiles := []string{
		"cases.csv|13|4|9",       // K01, K02, K08, K09 clean
		"cases_update.csv|3|3|0", // K08, K09 replaced (newer updated_at), K12 new
		"cases_update2.csv|1|0|1",
		"communities.csv|5|3|2",
		"services.csv|7|2|5",
		"surveys.csv|9|4|5", // S01, S04, S05, S07 valid
	}
	if !reflect.DeepEqual(files, wantFiles) {
		t.Errorf("ingest_files:\n got %v\nwant %v", files, wantFiles)
	}
	for _, f := range files {
		var read, clean, rej int
		fmt.Sscanf(f[strings.Index(f, "|")+1:], "%d|%d|%d", &read, &clean, &rej)
		if read != clean+rej {
			t.Errorf("%s: read != clean + rejected", f)
		}
	}
	// Details name the column and the value.
	det := rowsOf(t, db, `SELECT detail FROM rejects WHERE kind = 'cases' AND source_row = 5`)
	if len(det) != 1 || !strings.Contains(det[0], "reported_at") || !strings.Contains(det[0], "2025-02-30 25:61:00") {
		t.Errorf("detail of a bad timestamp = %v, want the column and the value", det)
	}
}

func TestNormalisedValues(t *testing.T) {
	db := openTestDB(t)
	mustLoad(t, db, fixtureOptions())
	tests := []struct {
		name, query string
		want        []string
	}{
		{"communities: area types, 老城区 and unknown", `SELECT community_id, area_type, coalesce(service_space_m2::VARCHAR, 'NULL') FROM communities ORDER BY 1`,
			[]string{"C1|old_town|350.0", "C2|new_build|NULL", "C4|other|NULL"}},
		{"cases: Chinese values, due_at from SLA, upserts", `SELECT case_id, source, resolution_level, coalesce(callback_satisfaction, 'NULL'),
				coalesce(callback_contacted::VARCHAR, 'NULL'), coalesce(reopened::VARCHAR, 'NULL'),
				strftime(reported_at, '%Y-%m-%d %H:%M'), strftime(due_at, '%Y-%m-%d %H:%M'), due_at_from_sla
			FROM cases ORDER BY case_id`,
			[]string{
				"K01|grid_patrol|community|satisfied|true|false|2025-03-01 09:00|2025-03-03 09:00|false",
				"K02|hotline|block|NULL|NULL|NULL|2025-03-02 09:00|2025-03-05 09:00|true",        // last copy; 72 h default
				"K08|hotline|street|satisfied|true|false|2025-03-04 08:30|2025-03-11 08:30|true", // update file wins; 城市建设 168 h
				"K09|app|city|NULL|NULL|NULL|2025-03-04 08:30|2025-03-07 08:30|true",             // update (updated_at set) wins
				"K12|app|community|NULL|NULL|NULL|2025-03-06 08:30|2025-03-09 08:30|true",
			}},
		{"cases: ISO timestamp with zone to local", `SELECT strftime(closed_at, '%Y-%m-%d %H:%M') FROM cases WHERE case_id = 'K08'`,
			[]string{"2025-03-10 10:00"}},
		{"services: Chinese enums, default recipients, unknown target group", `SELECT service_id, service_type, target_group, provider_type, recipients, coalesce(hours::VARCHAR, 'NULL') FROM services ORDER BY 1`,
			[]string{"V1|elderly_care|elderly|volunteer|12|2.5", "V3|health|other|social_org|1|NULL"}},
		{"surveys: words to 5..1, durations, channel", `SELECT response_id, channel, duration_seconds, coalesce(q_overall::VARCHAR, 'NULL'), coalesce(q_environment::VARCHAR, 'NULL'),
				coalesce(q_safety::VARCHAR, 'NULL'), coalesce(q_services::VARCHAR, 'NULL'), coalesce(q_responsiveness::VARCHAR, 'NULL'), coalesce(excluded_reason, 'NULL'), straightlining
			FROM survey_responses ORDER BY 1`,
			[]string{
				"S01|online|125|5|4|3|2|1|NULL|false",
				"S02|online|20|5|5|5|5|5|speeder|true",
				"S03|paper|120|4|4|4|4|4|duplicate_respondent|true",
				"S04|door_to_door|300|2|NULL|NULL|NULL|NULL|NULL|false",
				"S05|door_to_door|300|3|NULL|NULL|NULL|NULL|NULL|false",
				"S07|phone|300|NULL|NULL|NULL|NULL|NULL|NULL|false", // 0 and 不了解 = no answer
			}},
		{"surveys view holds the valid responses only", `SELECT response_id FROM surveys ORDER BY 1`,
			[]string{"S01", "S04", "S05", "S07"}},
		{"unknown columns kept as extra JSON", `SELECT extra->>'备注' FROM cases WHERE case_id = 'K01'`, []string{"first"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rowsOf(t, db, tt.query)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tt.want, "\n     "))
			}
		})
	}
}

func TestPersonalDataNeverStored(t *testing.T) {
	db := openTestDB(t)
	mustLoad(t, db, fixtureOptions())
	secrets := []string{"13800138000", "13900139000", "13900139002", "330102195001011234", "张三", "楼道堆物", "1.2.3.4"}
	tables := rowsOf(t, db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1")
	if len(tables) < 8 {
		t.Fatalf("tables = %v", tables)
	}
	for _, table := range tables {
		for _, row := range rowsOf(t, db, "SELECT to_json(t)::VARCHAR FROM "+table+" t") {
			for _, s := range secrets {
				if strings.Contains(row, s) {
					t.Errorf("table %s holds personal data %q: %s", table, s, row)
				}
			}
		}
	}
	// The hashed identifiers are the salted SHA-256 of the value.
	got := rowsOf(t, db, "SELECT respondent_hash FROM survey_responses WHERE response_id = 'S01'")
	if want := hashValue("pepper", "13900139000"); len(got) != 1 || got[0] != want {
		t.Errorf("respondent_hash = %v, want sha256(salt+phone) %s", got, want)
	}
}

func TestReloadIsIdempotent(t *testing.T) {
	db := openTestDB(t)
	mustLoad(t, db, fixtureOptions())
	counts := func() []string {
		return rowsOf(t, db, `SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM rejects),
			(SELECT count(*) FROM survey_responses), (SELECT count(*) FROM ingest_files), (SELECT count(*) FROM services)`)
	}
	before := counts()
	sum := mustLoad(t, db, fixtureOptions())
	for _, f := range sum.Files {
		if !f.Skipped {
			t.Errorf("%s loaded again, want skipped as unchanged", f.Path)
		}
	}
	if after := counts(); !reflect.DeepEqual(before, after) {
		t.Errorf("second load changed counts: %v → %v", before, after)
	}
}

// An input whose path, size and modification time are those in the
// manifest is not read again; one touched but unchanged is recognised by
// its sha256 (and remembered with its new time); one whose bytes changed is
// loaded.
func TestUnchangedFilesAreNotRead(t *testing.T) {
	dir := t.TempDir()
	opts := fixtureOptions()
	for k, paths := range opts.Inputs {
		for i, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, filepath.Base(p))
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
			opts.Inputs[k][i] = dst
		}
	}
	db := openTestDB(t)
	mustLoad(t, db, opts)
	skippedBy := func(sum Summary) map[string]string {
		out := map[string]string{}
		for _, f := range sum.Files {
			out[filepath.Base(f.Path)] = f.SkippedBy
		}
		return out
	}
	const bySize, bySHA = "size and modification time", "content (sha256)"
	for name, by := range skippedBy(mustLoad(t, db, opts)) {
		if by != bySize {
			t.Errorf("second load: %s skipped by %q, want %q", name, by, bySize)
		}
	}

	services := filepath.Join(dir, "services.csv")
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(services, later, later); err != nil {
		t.Fatal(err)
	}
	if by := skippedBy(mustLoad(t, db, opts))["services.csv"]; by != bySHA {
		t.Errorf("touched services.csv skipped by %q, want %q", by, bySHA)
	}
	if by := skippedBy(mustLoad(t, db, opts))["services.csv"]; by != bySize {
		t.Errorf("after that, services.csv skipped by %q, want %q (the manifest keeps the new time)", by, bySize)
	}

	// Same size, new bytes, new time: read and loaded.
	b, err := os.ReadFile(services)
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(b, []byte("V1,C1,2025-03-02,养老,老年人,志愿者,12,"), []byte("V1,C1,2025-03-02,养老,老年人,志愿者,13,"), 1)
	if bytes.Equal(changed, b) || len(changed) != len(b) {
		t.Fatal("fixture services.csv has no row V1 to change")
	}
	if err := os.WriteFile(services, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	evenLater := later.Add(time.Hour)
	if err := os.Chtimes(services, evenLater, evenLater); err != nil {
		t.Fatal(err)
	}
	for _, f := range mustLoad(t, db, opts).Files {
		if filepath.Base(f.Path) == "services.csv" && f.Skipped {
			t.Errorf("changed services.csv skipped by %q, want it loaded", f.SkippedBy)
		}
	}
}

// The quality filter re-runs over the months a load changes, so a later
// file moves an earlier response out of the valid set and back in, while the
// other months keep their flags and exactly their rejects.
func TestSurveyFilterFollowsLaterLoads(t *testing.T) {
	const header = "response_id,community_id,submitted_at,duration_seconds,respondent_hash,q_overall\n"
	s1 := header +
		// R1: respondent A in C1, March. R2: 20 s, a speeder under 30 s.
		"R1,C1,2025-03-01 10:00:00,100,13900139000,5\n" +
		"R2,C1,2025-03-01 11:00:00,20,13900139001,4\n" +
		// R4, R5: respondent B twice in April: R4, the earlier, is the duplicate.
		"R4,C1,2025-04-01 10:00:00,100,13900139002,4\n" +
		"R5,C1,2025-04-02 10:00:00,100,13900139002,4\n"
	dir := writeFiles(t, map[string][]byte{
		"communities.csv": []byte("community_id,community_name,street_id,street_name,district_id,district_name,households,population\n" +
			"C1,一社区,S1,一街道,D1,某区,1000,2300\n"),
		"s1.csv": []byte(s1),
		// R3: respondent A later in March: R1 becomes the duplicate.
		"s2.csv": []byte(header + "R3,C1,2025-03-05 10:00:00,100,13900139000,3\n"),
		// R3 again, corrected to another respondent: R1 is valid again.
		"s3.csv": []byte(header + "R3,C1,2025-03-05 10:00:00,100,13900139009,3\n"),
	})
	opts := Options{
		Inputs: map[civicscore.Kind][]string{
			civicscore.KindCommunities: {filepath.Join(dir, "communities.csv")},
			civicscore.KindSurveys:     {filepath.Join(dir, "s1.csv")},
		},
		Salt: "pepper", SLA: SLA{DefaultHours: 72, Unit: "hours"},
		MinDurationSeconds: 30, MaxPerIPPerDay: 5,
	}
	db := openTestDB(t)
	// Each response, its exclusion and its number of filter rejects.
	state := func() []string {
		return rowsOf(t, db, `SELECT r.response_id, coalesce(r.excluded_reason, 'valid'), count(j.reason)
			FROM survey_responses r LEFT JOIN rejects j ON j.kind = 'surveys' AND j.source_file = r.source_file AND j.source_row = r.source_row
			GROUP BY ALL ORDER BY 1`)
	}
	april := []string{"R4|duplicate_respondent|1", "R5|valid|0"}
	steps := []struct {
		name, file string
		rewrite    string // new content of s1.csv
		want       []string
	}{
		{name: "first load", want: append([]string{"R1|valid|0", "R2|speeder|1"}, april...)},
		{name: "R3 of A later in March", file: "s2.csv",
			want: append([]string{"R1|duplicate_respondent|1", "R2|speeder|1", "R3|valid|0"}, april...)},
		{name: "R3 corrected", file: "s3.csv",
			want: append([]string{"R1|valid|0", "R2|speeder|1", "R3|valid|0"}, april...)},
		// s1.csv read again without its April rows: R4 and R5 stay loaded
		// (responses are replaced by id, never removed), and R4's reject,
		// which went with the file's earlier rejects, is filed again
		// although no April row came in.
		{name: "s1 edited", rewrite: strings.Join(strings.SplitAfter(s1, "\n")[:3], ""),
			want: append([]string{"R1|valid|0", "R2|speeder|1", "R3|valid|0"}, april...)},
	}
	for _, st := range steps {
		if st.file != "" {
			opts.Inputs[civicscore.KindSurveys] = append(opts.Inputs[civicscore.KindSurveys], filepath.Join(dir, st.file))
		}
		if st.rewrite != "" {
			if err := os.WriteFile(filepath.Join(dir, "s1.csv"), []byte(st.rewrite), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mustLoad(t, db, opts)
		if got := state(); !reflect.DeepEqual(got, st.want) {
			t.Errorf("%s: %v, want %v", st.name, got, st.want)
		}
		// No filter reject without its response, none twice.
		if got := rowsOf(t, db, `SELECT count(*) FROM rejects j WHERE kind = 'surveys' AND reason IN ('speeder', 'duplicate_respondent')
			AND (SELECT count(*) FROM survey_responses r WHERE r.source_file = j.source_file AND r.source_row = j.source_row AND r.excluded_reason = j.reason) <> 1`); !reflect.DeepEqual(got, []string{"0"}) {
			t.Errorf("%s: %v filter rejects without exactly one excluded response", st.name, got)
		}
	}
}

// A setting that changes how rows are read (here the default SLA, which
// fills due_at) makes every input be read again, although no file changed:
// otherwise the database would keep rows read under the old setting.
func TestChangedSettingsReloadEveryInput(t *testing.T) {
	db := openTestDB(t)
	opts := fixtureOptions()
	mustLoad(t, db, opts)
	// K02 has no due_at and category 环境卫生 (no category SLA): due_at is
	// reported_at 2025-03-02 09:00 + the default, 72 h → 03-05 09:00.
	dueK02 := func() []string {
		return rowsOf(t, db, "SELECT strftime(due_at, '%Y-%m-%d %H:%M') FROM cases WHERE case_id = 'K02'")
	}
	if got := dueK02(); !reflect.DeepEqual(got, []string{"2025-03-05 09:00"}) {
		t.Fatalf("due_at of K02 = %v", got)
	}
	counts := func() []string {
		return rowsOf(t, db, `SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM services), (SELECT count(*) FROM survey_responses),
			(SELECT count(*) FROM communities), (SELECT count(*) FROM rejects), (SELECT count(*) FROM ingest_files)`)
	}
	before := counts()

	// The same settings: every file is skipped.
	for _, f := range mustLoad(t, db, opts).Files {
		if !f.Skipped {
			t.Errorf("same settings: %s was read again", f.Path)
		}
	}
	// Default SLA 24 h: every file is read again, due_at is 03-03 09:00, and
	// the tables hold what a first load with 24 h gives (same counts).
	opts.SLA.DefaultHours = 24
	for _, f := range mustLoad(t, db, opts).Files {
		if f.Skipped {
			t.Errorf("changed SLA: %s was skipped", f.Path)
		}
	}
	if got := dueK02(); !reflect.DeepEqual(got, []string{"2025-03-03 09:00"}) {
		t.Errorf("due_at of K02 after the SLA change = %v, want 2025-03-03 09:00", got)
	}
	if got := counts(); !reflect.DeepEqual(got, before) {
		t.Errorf("rows after the reload = %v, want those of a first load %v", got, before)
	}
	// Another salt: hashes would no longer match across files; read again too.
	opts.Salt = "another"
	for _, f := range mustLoad(t, db, opts).Files {
		if f.Skipped {
			t.Errorf("changed salt: %s was skipped", f.Path)
		}
	}
	if got := rowsOf(t, db, "SELECT count(*) FROM survey_responses WHERE respondent_hash = ?", hashValue("another", "13900139000")); !reflect.DeepEqual(got, []string{"1"}) {
		t.Errorf("responses hashed with the new salt = %v, want 1", got)
	}
}

func TestReadSettings(t *testing.T) {
	base := fixtureOptions()
	_, fp, err := readSettings(base, "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		change  func(o *Options)
		tz      string
		same    bool
		changed []string // the keys changedSettings names
	}{
		{"nothing", func(o *Options) {}, "Asia/Shanghai", true, nil},
		{"empty maps and lists are absent ones", func(o *Options) {
			o.Personal = map[string][]string{}
			o.SLA.Holidays = []string{}
		}, "Asia/Shanghai", true, nil},
		{"defaults spelled out", func(o *Options) { o.Encoding = "AUTO"; o.MaxPerIPPerDay = 0 }, "Asia/Shanghai", true, nil},
		{"timezone", func(o *Options) {}, "Asia/Urumqi", false, []string{"timezone"}},
		{"sla and survey", func(o *Options) {
			o.SLA.ByCategory = map[string]float64{"城市建设": 120}
			o.MinDurationSeconds = 20
		},
			"Asia/Shanghai", false, []string{"sla.by_category", "survey.min_duration_seconds"}},
		{"mapping", func(o *Options) { o.Mapping = nil }, "Asia/Shanghai", false, []string{"mapping"}},
		{"salt only", func(o *Options) { o.Salt = "other" }, "Asia/Shanghai", false, []string{"salt (CIVICSCORE_SALT)"}},
	}
	oldJSON, _, _ := readSettings(base, "Asia/Shanghai")
	a, b := fixtureOptions(), fixtureOptions()
	a.SLA.Holidays, b.SLA.Holidays = []string{"2025-10-08", "2025-10-09"}, []string{"2025-10-09", "2025-10-08"}
	_, fa, _ := readSettings(a, "UTC")
	_, fb, _ := readSettings(b, "UTC")
	if fa != fb {
		t.Error("the order of sla.holidays changes the fingerprint")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := fixtureOptions()
			tt.change(&o)
			js, got, err := readSettings(o, tt.tz)
			if err != nil {
				t.Fatal(err)
			}
			if (got == fp) != tt.same {
				t.Errorf("same fingerprint = %v, want %v", got == fp, tt.same)
			}
			if !tt.same {
				if keys := changedSettings(oldJSON, js); !reflect.DeepEqual(keys, tt.changed) {
					t.Errorf("changed keys = %v, want %v", keys, tt.changed)
				}
			}
			if strings.Contains(js, o.Salt) {
				t.Errorf("the settings text holds the salt: %s", js)
			}
		})
	}
}

// A case of a community missing from communities is rejected; once the
// community is added, the unchanged case file is read again and the case
// goes in. Rows are checked against the communities of the current load.
func TestAddedCommunityReadsOtherInputsAgain(t *testing.T) {
	const communities = "community_id,community_name,street_id,street_name,district_id,district_name,households,population\n" +
		"C1,一社区,S1,一街道,D1,某区,1000,2300\n"
	dir := writeFiles(t, map[string][]byte{
		"communities.csv": []byte(communities),
		"cases.csv": []byte("case_id,community_id,category,reported_at,resolution_level\n" +
			"K1,C1,环境卫生,2025-03-01 09:00,community\n" +
			"K2,C2,环境卫生,2025-03-01 10:00,community\n"),
	})
	opts := Options{
		Inputs: map[civicscore.Kind][]string{
			civicscore.KindCommunities: {filepath.Join(dir, "communities.csv")},
			civicscore.KindCases:       {filepath.Join(dir, "cases.csv")},
		},
		Salt: "pepper", SLA: SLA{DefaultHours: 72, Unit: "hours"}, MinDurationSeconds: 30, MaxPerIPPerDay: 5,
	}
	db := openTestDB(t)
	state := func() []string {
		return rowsOf(t, db, `SELECT 'case ' || case_id FROM cases
			UNION ALL SELECT 'reject ' || source_row || ' ' || reason FROM rejects
			UNION ALL SELECT 'file ' || kind || ' ' || rows_clean || '/' || rows_read FROM ingest_files ORDER BY 1`)
	}
	mustLoad(t, db, opts)
	// K2 (community C2), line 3 of cases.csv counting the header, is the reject.
	want := []string{"case K1", "file cases 1/2", "file communities 1/1", "reject 3 unknown_community"}
	if got := state(); !reflect.DeepEqual(got, want) {
		t.Errorf("first load: %v, want %v", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "communities.csv"), []byte(communities+"C2,二社区,S1,一街道,D1,某区,800,1900\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := mustLoad(t, db, opts)
	for _, f := range sum.Files {
		if f.Skipped {
			t.Errorf("%s skipped after communities changed", f.Path)
		}
	}
	want = []string{"case K1", "case K2", "file cases 2/2", "file communities 1/1", "file communities 2/2"}
	if got := state(); !reflect.DeepEqual(got, want) {
		t.Errorf("after adding C2: %v, want %v", got, want)
	}
}

// TestLoadFailsOnRepeatedID: cases, services and survey_responses have no
// primary key (migration 006), so after a load ingest checks that no id
// repeats in a table it loaded. A case planted twice behind ingest's back
// makes the next load of a cases file fail, naming the table and the id.
func TestLoadFailsOnRepeatedID(t *testing.T) {
	db := openTestDB(t)
	mustLoad(t, db, fixtureOptions("cases.csv"))
	var id string
	if err := db.QueryRow("SELECT min(case_id) FROM cases").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO cases SELECT * FROM cases WHERE case_id = ?", id); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), db, fixtureOptions("cases.csv", "cases_update.csv"))
	if err == nil || !strings.Contains(err.Error(), "cases holds case_id "+id+" more than once") {
		t.Fatalf("load over a repeated case_id: %v, want an error naming cases and %s", err, id)
	}
}

// TestDetailListsEveryProblem: a row that breaks several rules is rejected
// with the first of them as its reason and every one in its detail, in
// rule order, for each kind (cases have their own test in the real-export
// fixtures). The rows and the expected texts are written by hand.
func TestDetailListsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	opts := fixtureOptions("cases.csv")
	opts.Inputs[civicscore.KindCommunities] = []string{write("communities.csv",
		"community_id,community_name,street_id,street_name,district_id,district_name,households,population,elderly_population\n"+
			"C1,一社区,S1,一街道,D1,某区,1000,2300,400\n"+
			"C9,九社区,S1,一街道,D1,某区,-5,x,1.5\n")}
	opts.Inputs[civicscore.KindServices] = []string{write("services.csv",
		"service_id,community_id,service_date,service_type,provider_type,recipients,hours\n"+
			"V1,C404,2025-13-45,养老,志愿者,0,-1\n")}
	opts.Inputs[civicscore.KindSurveys] = []string{write("surveys.csv",
		"response_id,community_id,submitted_at,q_overall,q_safety\n"+
			"R1,C404,2025-02-30 10:00,9,非常满意\n")}
	db := openTestDB(t)
	mustLoad(t, db, opts)
	got := rowsOf(t, db, `SELECT kind, reason, detail FROM rejects WHERE kind <> 'cases' ORDER BY kind`)
	want := []string{
		"communities|bad_number|column households: \"-5\" is not a whole number >= 0; column population: \"x\" is not a whole number >= 0; column elderly_population: \"1.5\" is not a whole number >= 0",
		"services|bad_timestamp|column service_date: \"2025-13-45\" is not a date; column recipients: \"0\" is not a whole number >= 1; column hours: \"-1\" is not a number >= 0; column community_id: \"C404\" is not in communities",
		"surveys|bad_timestamp|column submitted_at: \"2025-02-30 10:00\" is not a timestamp; column q_overall: \"9\" is not an answer 1..5 (or 非常满意..非常不满意); column community_id: \"C404\" is not in communities",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
