package main

// Privacy end to end: inputs full of phone numbers, ID-card
// numbers, names and addresses, in personal columns, in hashed columns, in
// unknown extra columns' free text and in rejected rows, through every
// reader (DuckDB's CSV reader, GB18030, xlsx). Every output — each table
// of the database, each Parquet file, each report file, the log — is
// scanned for them and for the salt.
//
// Unknown extra columns are scanned (extra_columns: scan, the default): a
// column with a value that looks personal — a phone or ID-card number, an
// e-mail, coordinates, a street address, free text over 50 characters — is
// dropped whole and recorded in ingest_files.dropped_columns; the others
// are kept. Numbers left in what is kept (a rejected row's detail, a
// column kept with extra_columns: keep) are masked (ingest macro cs_scrub:
// "[phone]", "[id]"). Names in short text cannot be told from other
// words: such a column is dropped by naming it in config `personal:` (or
// by a header recognised as personal, like 姓名, 联系人, 事件描述).

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicscore/civicscore/store"
)

// secrets must appear in no output.
var secrets = []string{
	"13800138000", "13912345678", "15055551234", "+86 138 0013 8001", "138-0013-8002", "0551-62345678",
	"330102195001011234", "11010519491231002X", "34010219880808123x",
	"张三丰", "李四光", "王五六",
	"合肥市蜀山区笔架山路88号", "203.0.113.77",
	// Addresses, coordinates and complaint texts as real exports hold them.
	"350 W 42ND ST", "西园三区312号楼", "每晚十一点后装修噪音", "40.758896", "-73.985130", "Loud music from apartment 4B",
	"留言人家住", "Tenant in 4B",
}

// privacyData writes the base data set with personal data everywhere.
func privacyData(t *testing.T, dir string) string {
	t.Helper()
	copyTree(t, filepath.Join(badDir, "base"), dir)
	os.Remove(filepath.Join(dir, "config.yaml"))
	// Cases (read in Go: GB18030): personal columns, a free-text extra
	// column with numbers, one with names (configured personal), and a
	// rejected row holding a phone number where the community should be.
	editLines(t, dir, "cases.csv", func(i int, l string) string {
		switch {
		case i == 0:
			return l + ",联系电话,反映人,身份证号,事件描述,备注,走访记录,Incident Address,事发地点,留言详情,Latitude,Longitude,回复摘要,Resolution Description,处理部门"
		case l == "":
			return l
		case i == 5:
			l = strings.Replace(l, ",C3,", ",13912345678,", 1) // unknown_community, detail quotes the value
		}
		// Columns found personal by content are personal in some rows
		// only: 事发地点 holds an address in row 3, 回复摘要 a long reply in
		// row 4, Resolution Description long English text in row 2.
		place, reply, resolution := "门口", "已处理", "Closed"
		switch i {
		case 3:
			place = "朝阳区望京西园三区312号楼2单元1101室"
		case 4:
			reply = q("经核实，留言人家住三楼，反映楼上住户每晚十一点后装修噪音很大，已约谈施工方并责令其夜间停工，后续将持续跟踪回访")
		case 2:
			resolution = q("Tenant in 4B reported loud music; the Department of Housing inspected and issued a notice to the owner")
		}
		return l + ",13800138000,张三丰,330102195001011234,合肥市蜀山区笔架山路88号门口堆物," +
			q("请回电 +86 138 0013 8001 或 138-0013-8002，座机0551-62345678，身份证11010519491231002X") + ",李四光说王五六不在家," +
			"350 W 42ND ST," + place + "," + q("Loud music from apartment 4B every night, 留言人家住西园三区312号楼") + ",40.758896,-73.985130," +
			reply + "," + resolution + ",望京街道办事处"
	})
	writeFile(t, dir, "cases.csv", toGB18030(t, readFile(t, dir, "cases.csv")))
	// Surveys (DuckDB's reader): the phone as respondent id (hashed), the IP
	// (hashed), a name column, a malformed row with a phone number.
	editLines(t, dir, "surveys.csv", func(i int, l string) string {
		f := strings.Split(l, ",")
		switch {
		case i == 0:
			f[3], f[6] = "手机号码", "来自IP"
			return strings.Join(f, ",") + ",姓名,备注"
		case l == "":
			return l
		}
		f[3], f[6] = "15055551234", "203.0.113.77"
		extra := ",王五六,无"
		if i == 7 {
			extra = ",王五六,13800138000,多出来的一列"
		}
		return strings.Join(f, ",") + extra
	})
	// Services (xlsx): the ID number as recipient id (hashed), a name column,
	// an extra column with an ID number in text.
	editLines(t, dir, "services.csv", func(i int, l string) string {
		switch {
		case i == 0:
			return l + ",服务对象编号,姓名,说明"
		case l == "":
			return l
		}
		return l + ",34010219880808123x,张三丰,服务对象身份证34010219880808123x"
	})
	writeFile(t, dir, "services.xlsx", csvToXLSX(t, readFile(t, dir, "services.csv")))
	os.Remove(filepath.Join(dir, "services.csv"))
	cfg := filepath.Join(dir, "config.yaml")
	writeFile(t, dir, "config.yaml", []byte(`out: out
encoding: auto
inputs: {communities: communities.csv, cases: cases.csv, services: services.xlsx, surveys: surveys.csv}
mapping:
  surveys:
    respondent_hash: ["手机号码"]
personal:
  cases: ["走访记录"]
thresholds: {min_n: 5}
`))
	return cfg
}

func TestPrivacyEveryOutput(t *testing.T) {
	dir := t.TempDir()
	cfg := privacyData(t, dir)
	const salt = "pr1vate-salt-7f3a9c1e5b"
	var out, errb lockedBuffer
	m := NewMain()
	m.Stdout, m.Stderr = &out, &errb
	m.Getenv = func(k string) string {
		if k == "CIVICSCORE_SALT" {
			return salt
		}
		return ""
	}
	err := m.Run(context.Background(), []string{"run", "--config", cfg, "--log-level", "debug"})
	if code := m.ExitCode(err); code != 0 {
		t.Fatalf("run: exit %d:\n%s", code, tail(errb.String(), 3000))
	}
	outDir := filepath.Join(dir, "out")
	found := scanOutputs(t, outDir, append(append([]string{}, secrets...), salt), errb.String()+out.String())
	for _, f := range found {
		t.Error(f)
	}

	// The data-quality page lists the columns dropped, with the reason.
	page, err := os.ReadFile(filepath.Join(outDir, "report", "data-quality.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"事发地点", "含地址", "Resolution Description", "<code>long_text</code>", "说明", "含身份证号", "走访记录"} {
		if !strings.Contains(string(page), w) {
			t.Errorf("data-quality page lacks %q", w)
		}
	}

	// And the data is still there, masked or hashed: nothing silently lost.
	db, err := store.Open(context.Background(), filepath.Join(outDir, store.DatabaseFile), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct{ q, want string }{
		// Kept: the harmless extra column, in every case; the others dropped,
		// with the reason of each (computed by hand from the values above).
		{`SELECT count(*) FILTER (WHERE extra->>'处理部门' = '望京街道办事处') || ' of ' || count(*) FROM cases`, "29 of 29"},
		{`SELECT string_agg(k, ',' ORDER BY k) FROM (SELECT DISTINCT unnest(json_keys(extra)) AS k FROM cases)`, "处理部门"},
		{`SELECT dropped_columns::VARCHAR FROM ingest_files WHERE kind = 'cases'`, // keys sorted as Go sorts them (bytes)
			`{"Incident Address":"personal_header","Latitude":"personal_header","Longitude":"personal_header","Resolution Description":"long_text",` +
				`"事件描述":"personal_header","事发地点":"address","反映人":"personal_header","回复摘要":"long_text","备注":"id_number","留言详情":"personal_header",` +
				`"联系电话":"personal_header","走访记录":"personal_config","身份证号":"personal_header"}`},
		{`SELECT dropped_columns::VARCHAR FROM ingest_files WHERE kind = 'services'`, `{"姓名":"personal_header","说明":"id_number"}`},
		{`SELECT count(DISTINCT respondent_hash) || ' ' || min(length(respondent_hash)) FROM survey_responses`, "1 64"},
		{`SELECT count(DISTINCT recipient_hash) || ' ' || min(length(recipient_hash)) FROM services`, "1 64"},
		{`SELECT reason || ': ' || detail FROM rejects WHERE kind = 'cases'`, `unknown_community: column community_id: "[phone]" is not in communities`},
		{`SELECT reason FROM rejects WHERE kind = 'surveys' AND source_row = 8`, "malformed_row"},
	} {
		var got string
		if err := db.QueryRowContext(context.Background(), c.q).Scan(&got); err != nil {
			t.Errorf("%s: %v", c.q, err)
		} else if got != c.want {
			t.Errorf("%s = %q, want %q", c.q, got, c.want)
		}
	}
}

// scanOutputs looks for each secret in every output: every row of every
// table of the database (as JSON), every row of every Parquet file, the
// bytes of every other file (and of the database file), and the log.
func scanOutputs(t *testing.T, outDir string, secrets []string, log string) []string {
	t.Helper()
	var found []string
	look := func(where, text string) {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				found = append(found, where+" holds "+s)
			}
		}
	}
	look("the log", log)
	mem, err := store.Open(context.Background(), "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	rowsJSON := func(db *store.DB, q string) string {
		rows, err := db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			b.WriteString(s + "\n")
		}
		return b.String()
	}
	tables, parquets, files := 0, 0, 0
	filepath.WalkDir(outDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(outDir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		look(rel, string(b))
		files++
		switch {
		case strings.HasSuffix(p, ".parquet"):
			parquets++
			look(rel+" (rows)", rowsJSON(mem, "SELECT to_json(t)::VARCHAR FROM read_parquet("+sqlString(p)+") t"))
		case d.Name() == store.DatabaseFile:
			db, err := store.Open(context.Background(), p, store.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, tbl := range strings.Fields(rowsJSON(db, `SELECT table_name FROM information_schema.tables
				WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1`)) {
				tables++
				look("table "+tbl, rowsJSON(db, "SELECT to_json(t)::VARCHAR FROM "+tbl+" t"))
			}
			// Views (some compute their columns) and column comments too.
			for _, v := range strings.Fields(rowsJSON(db, `SELECT table_name FROM information_schema.tables
				WHERE table_schema = 'main' AND table_type = 'VIEW' ORDER BY 1`)) {
				look("view "+v, rowsJSON(db, "SELECT to_json(t)::VARCHAR FROM "+v+" t"))
			}
		}
		return nil
	})
	if tables < 8 || parquets < 8 || files < 20 {
		t.Errorf("scanned %d tables, %d Parquet files, %d files: too few to mean anything", tables, parquets, files)
	}
	t.Logf("scanned %d tables, %d Parquet files, %d files and the log", tables, parquets, files)
	return found
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// TestNoSaltWarnsAndDemoRuns: without CIVICSCORE_SALT the demo still runs,
// warns that hashes are then pseudonymous only on this machine, and neither
// the salt kept on the machine nor anything personal reaches the output.
func TestNoSaltWarnsAndDemoRuns(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home) // where the machine's salt is kept
	t.Setenv("HOME", home)
	dir := filepath.Join(t.TempDir(), "demo")
	var out, errb lockedBuffer
	m := NewMain()
	m.Stdout, m.Stderr = &out, &errb
	m.Getenv = func(string) string { return "" }
	start := time.Now()
	err := m.Run(context.Background(), []string{"demo", "--out", dir})
	if code := m.ExitCode(err); code != 0 {
		t.Fatalf("demo without CIVICSCORE_SALT: exit %d:\n%s", code, tail(errb.String(), 3000))
	}
	log := errb.String()
	if !strings.Contains(log, "CIVICSCORE_SALT is not set") || !strings.Contains(log, "pseudonymous only within this machine") {
		t.Errorf("no warning about the missing salt:\n%s", tail(log, 2000))
	}
	kept, err := os.ReadFile(filepath.Join(home, "civicscore", "salt"))
	if err != nil || len(strings.TrimSpace(string(kept))) < 16 {
		t.Fatalf("machine salt: %q, %v", kept, err)
	}
	found := scanOutputs(t, dir, []string{strings.TrimSpace(string(kept))}, log+out.String())
	for _, f := range found {
		if !strings.HasPrefix(f, "inputs") { // the demo's own copy of its inputs holds no salt either
			t.Error(f)
		}
	}
	t.Logf("demo without a salt: %v", time.Since(start).Round(time.Millisecond))
}
