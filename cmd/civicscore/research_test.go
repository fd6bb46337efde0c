package main

// The database as a research artefact (query, Parquet,
// provenance, comments and docs/schema.md, the views, docs/research.md).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/civicscore/civicscore/config"
	"github.com/civicscore/civicscore/store"
)

var update = flag.Bool("update", false, "rewrite docs/schema.md and the results in docs/research.md from the demo")

const (
	schemaDoc   = "../../docs/schema.md"
	researchDoc = "../../docs/research.md"
	testSalt    = "test-salt" // what run() puts in CIVICSCORE_SALT
)

// runIn is run with standard input.
func runIn(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain()
	m.Stdin = strings.NewReader(stdin)
	m.Stdout, m.Stderr = &out, &errb
	m.Getenv = func(k string) string {
		if k == "CIVICSCORE_SALT" {
			return testSalt
		}
		return ""
	}
	err := m.Run(context.Background(), args)
	code = m.ExitCode(err)
	return code, out.String(), errb.String()
}

// query runs SQL on db with civicscore query and returns its output.
func query(t *testing.T, db, format, sql string) string {
	t.Helper()
	code, out, stderr := run(t, "query", "--db", db, "--format", format, sql)
	if code != 0 {
		t.Fatalf("query %q: exit %d: %s", sql, code, stderr)
	}
	return out
}

// queryInt runs SQL returning one integer.
func queryInt(t *testing.T, db, sql string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(strings.TrimSpace(strings.Split(query(t, db, "csv", sql), "\n")[1]), &n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// openDemo opens the demo database read-only for direct queries.
func openDemo(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(ensureDemo(t), store.DatabaseFile), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func strs(t *testing.T, db *store.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// ---------------------------------------------------------------- query

func TestQueryWritesRefused(t *testing.T) {
	src := filepath.Join(ensureDemo(t), store.DatabaseFile)
	dir := t.TempDir()
	db := filepath.Join(dir, "copy.duckdb")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	csvFile := filepath.Join(dir, "communities.csv")
	if code, _, stderr := run(t, "query", "--db", db, "--format", "csv", "--output", csvFile, "SELECT * FROM communities"); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	counts := "SELECT (SELECT count(*) FROM communities) || '/' || (SELECT count(*) FROM cases) || '/' || (SELECT count(*) FROM runs)"
	before := query(t, db, "csv", counts)
	writes := []string{
		"INSERT INTO communities SELECT * FROM communities",
		"CREATE TABLE scratch AS SELECT 1 AS x",
		"CREATE VIEW scratch AS SELECT 1 AS x",
		"COPY communities FROM '" + csvFile + "' (HEADER)",
		"UPDATE cases SET category = 'x'",
		"DELETE FROM runs",
		"DROP VIEW scorecard_wide",
		"ALTER TABLE cases ADD COLUMN x INTEGER",
		"COMMENT ON TABLE cases IS 'changed'",
		"SELECT 1; DELETE FROM cases",
	}
	for _, q := range writes {
		for _, how := range []string{"argument", "stdin", "file", "parquet"} {
			t.Run(strings.Fields(q)[0]+" "+strings.Fields(q)[1]+" via "+how, func(t *testing.T) {
				var code int
				var stderr string
				switch how {
				case "argument":
					code, _, stderr = run(t, "query", "--db", db, q)
				case "stdin":
					code, _, stderr = runIn(t, q, "query", "--db", db, "-")
				case "file":
					f := filepath.Join(t.TempDir(), "w.sql")
					os.WriteFile(f, []byte(q+";\n"), 0o644)
					code, _, stderr = run(t, "query", "--db", db, "--file", f)
				case "parquet":
					if strings.Contains(q, ";") {
						t.Skip("COPY (...) takes one statement")
					}
					code, _, stderr = run(t, "query", "--db", db, "--format", "parquet", "--output", filepath.Join(t.TempDir(), "x.parquet"), q)
				}
				if code != 1 {
					t.Errorf("exit %d, want 1; stderr %q", code, stderr)
				}
				if how != "parquet" && (!strings.Contains(stderr, "read-only") || !strings.Contains(stderr, "runs no statement that writes")) {
					t.Errorf("stderr %q: want the clear read-only message", stderr)
				}
			})
		}
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, b) {
		t.Error("the database file changed")
	}
	if got := query(t, db, "csv", counts); got != before {
		t.Errorf("row counts %q, were %q", got, before)
	}
	if got := query(t, db, "csv", "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'"); !strings.HasSuffix(got, "0\n") {
		t.Errorf("a table scratch exists: %q", got)
	}
}

func TestQuerySources(t *testing.T) {
	db := filepath.Join(ensureDemo(t), store.DatabaseFile)
	q := "SELECT indicator, count(*) AS n FROM indicator_values WHERE level = 'community' GROUP BY indicator ORDER BY indicator"
	want := query(t, db, "csv", q)
	if !strings.HasPrefix(want, "indicator,n\n") || strings.Count(want, "\n") < 10 {
		t.Fatalf("argument: %q", want)
	}

	code, out, stderr := runIn(t, q+";\n", "query", "--db", db, "--format", "csv", "-")
	if code != 0 || out != want {
		t.Errorf("stdin: exit %d %s\n%s", code, stderr, out)
	}

	f := filepath.Join(t.TempDir(), "q.sql")
	os.WriteFile(f, []byte("-- indicators per community\n"+q+";\n"), 0o644)
	code, out, stderr = run(t, "query", "--db", db, "--format", "csv", "--file", f)
	if code != 0 || out != want {
		t.Errorf("--file: exit %d %s\n%s", code, stderr, out)
	}

	// --file with --output and every format.
	for _, format := range []string{"table", "csv", "json", "parquet"} {
		o := filepath.Join(t.TempDir(), "out."+format)
		if code, _, stderr := run(t, "query", "--db", db, "--format", format, "--output", o, "--file", f); code != 0 {
			t.Errorf("%s: exit %d %s", format, code, stderr)
		}
		b, err := os.ReadFile(o)
		if err != nil || len(b) == 0 {
			t.Errorf("%s: nothing written: %v", format, err)
		}
		if format == "json" {
			var objs []map[string]any
			if err := json.Unmarshal(b, &objs); err != nil || len(objs) != strings.Count(want, "\n")-1 {
				t.Errorf("json: %v, %d objects", err, len(objs))
			}
		}
	}

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"file and argument", []string{"--file", f, "SELECT 1"}, "not both"},
		{"missing file", []string{"--file", filepath.Join(t.TempDir(), "none.sql")}, "none.sql"},
		{"no SQL", nil, "no SQL"},
	} {
		code, _, stderr := run(t, append([]string{"query", "--db", db}, tt.args...)...)
		if code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want failure naming %q", tt.name, code, stderr, tt.want)
		}
	}
}

// ---------------------------------------------------------------- Parquet

func TestParquetCopies(t *testing.T) {
	dir := ensureDemo(t)
	db := openDemo(t)
	pq := filepath.Join(dir, "parquet")
	tables := strs(t, db, `SELECT table_name FROM duckdb_tables() WHERE NOT internal AND NOT temporary ORDER BY 1`)
	if len(tables) < 11 {
		t.Fatalf("tables = %v", tables)
	}
	reader, err := store.Open(context.Background(), "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	for _, table := range tables {
		var want int
		db.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&want)
		col, partitioned := store.PartitionedTables[table]
		src := "read_parquet(" + lit(filepath.Join(pq, table+".parquet")) + ")"
		if partitioned {
			src = "read_parquet(" + lit(filepath.Join(pq, table, "*", "*.parquet")) + ", hive_partitioning = true)"
			months := strs(t, db, "SELECT DISTINCT strftime("+col+", '%Y-%m') FROM "+table+" ORDER BY 1")
			var folders []string
			entries, _ := os.ReadDir(filepath.Join(pq, table))
			for _, e := range entries {
				folders = append(folders, strings.TrimPrefix(e.Name(), "month="))
			}
			if !slices.Equal(folders, months) {
				t.Errorf("%s: partitions %v, want one per month %v", table, folders, months)
			}
		}
		var got int
		if err := reader.QueryRowContext(context.Background(), "SELECT count(*) FROM "+src).Scan(&got); err != nil {
			t.Errorf("%s: %v", table, err)
			continue
		}
		if got != want {
			t.Errorf("%s: parquet has %d rows, table %d", table, got, want)
		}
		if partitioned && want == 0 {
			t.Errorf("%s: no rows in the demo", table)
		}
		if partitioned {
			var wrong int
			reader.QueryRowContext(context.Background(), "SELECT count(*) FROM "+src+" WHERE month <> strftime("+col+", '%Y-%m')").Scan(&wrong)
			if wrong != 0 {
				t.Errorf("%s: %d rows in the partition of another month", table, wrong)
			}
		}
	}
}

// ---------------------------------------------------------------- provenance

func TestProvenance(t *testing.T) {
	dir := ensureDemo(t)
	path := filepath.Join(dir, store.DatabaseFile)
	db := openDemo(t)
	ctx := context.Background()

	var runID, version, duckdbVersion, configJSON, configSHA, defs string
	var schemaVersion int
	var startedOK, finishedOK, asOfOK, hashOK, idOK bool
	err := db.QueryRowContext(ctx, `SELECT run_id, version, duckdb_version, config_json::VARCHAR, config_sha256, schema_version, definitions_version,
		started_at <= finished_at AND finished_at <= current_localtimestamp() + INTERVAL 1 MINUTE,
		finished_at >= current_localtimestamp() - INTERVAL 1 HOUR,
		as_of = (SELECT max(greatest(reported_at, first_response_at, closed_at, updated_at)) FROM cases),
		sha256(config_json::VARCHAR) = config_sha256,
		run_id = (SELECT DISTINCT run_id FROM indicator_values)
		FROM runs`).Scan(&runID, &version, &duckdbVersion, &configJSON, &configSHA, &schemaVersion, &defs,
		&startedOK, &finishedOK, &asOfOK, &hashOK, &idOK)
	if err != nil {
		t.Fatal(err)
	}
	dv, _ := db.DuckDBVersion(ctx)
	if version == "" || duckdbVersion != dv || schemaVersion != store.SchemaVersion() || defs == "" {
		t.Errorf("runs: version %q, duckdb %q (want %q), schema %d, definitions %q", version, duckdbVersion, dv, schemaVersion, defs)
	}
	if !startedOK || !finishedOK {
		t.Error("runs: started_at/finished_at are not the run's local times")
	}
	if !asOfOK || !hashOK || !idOK {
		t.Errorf("runs: as_of ok %v, config_sha256 = sha256(config_json) %v, run_id on indicator_values %v", asOfOK, hashOK, idOK)
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(configJSON), &cfg); err != nil {
		t.Fatalf("config_json: %v", err)
	}
	for _, k := range []string{"timezone", "inputs", "sla", "three_rates", "survey", "thresholds", "score", "report", "duckdb"} {
		if _, ok := cfg[k]; !ok {
			t.Errorf("config_json lacks %s: %s", k, configJSON)
		}
	}
	if in := cfg["inputs"].(map[string]any)["cases"].([]any); len(in) != 1 || in[0] != "cases.csv" {
		t.Errorf("config_json inputs.cases = %v, want [cases.csv] (relative to the config file)", in)
	}

	// run_inputs: each demo input, loaded by this run, with its sha256.
	rows, err := db.QueryContext(ctx, "SELECT kind, path, sha256, rows_read, status FROM run_inputs WHERE run_id = ? ORDER BY kind", runID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for rows.Next() {
		var kind, p, sha, status string
		var read int
		if err := rows.Scan(&kind, &p, &sha, &read, &status); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, kind)
		b, err := os.ReadFile(p)
		sum := sha256.Sum256(b)
		if err != nil || sha != hex.EncodeToString(sum[:]) {
			t.Errorf("run_inputs %s: sha256 %s does not match the file %s (%v)", kind, sha, p, err)
		}
		if status != "loaded" || read == 0 {
			t.Errorf("run_inputs %s: status %s, rows_read %d", kind, status, read)
		}
	}
	rows.Close()
	if !slices.Equal(kinds, []string{"cases", "communities", "services", "strata", "surveys"}) {
		t.Errorf("run_inputs kinds = %v", kinds)
	}

	// The salt appears nowhere: not in any table, view or Parquet file.
	for _, table := range strs(t, db, "SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1") {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" AS t WHERE contains(t::VARCHAR, ?)", testSalt).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			t.Errorf("%s: %d rows hold the salt", table, n)
		}
	}
	for _, root := range []string{path, filepath.Join(dir, "parquet")} {
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(testSalt)) {
					t.Errorf("%s holds the salt", p)
				}
			}
			return nil
		})
	}
}

// A compute over a database loaded earlier records those files as earlier.
func TestProvenanceComputeOnly(t *testing.T) {
	dir := copySamples(t)
	cfg := filepath.Join(dir, "config.yaml")
	if code, _, stderr := run(t, "ingest", "--config", cfg); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, "compute", "--config", cfg); code != 0 {
		t.Fatal(stderr)
	}
	// Unchanged inputs again: loaded before, so unchanged.
	if code, _, stderr := run(t, "ingest", "--config", cfg); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, "run", "--config", cfg); code != 0 {
		t.Fatal(stderr)
	}
	db := filepath.Join(dir, "out", store.DatabaseFile)
	got := query(t, db, "csv", `SELECT i.run_id = (SELECT run_id FROM runs ORDER BY started_at LIMIT 1) AS first,
		i.status, count(*) AS files
		FROM run_inputs i GROUP BY ALL ORDER BY ALL`)
	// The samples' config.yaml loads seven files: communities, four case
	// files, services and surveys.
	want := "first,status,files\nfalse,unchanged,7\ntrue,earlier,7\n"
	if got != want {
		t.Errorf("run_inputs by run and status:\n%s\nwant\n%s", got, want)
	}
	if n := queryInt(t, db, "SELECT count(DISTINCT config_sha256) FROM runs"); n != 1 {
		t.Errorf("two runs of one config have %d config hashes", n)
	}
}

func TestConfigJSON(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.File = filepath.Join(dir, "project", "civicscore.yaml")
	cfg.Out = filepath.Join(dir, "project", "out")
	cfg.Inputs.Cases = []string{filepath.Join(dir, "project", "data", "cases*.csv"), filepath.Join(dir, "elsewhere.xlsx")}
	cfg.Report.Title = "社区 <报告> & 评价"
	cfg.Report.SurveyURL = "https://example.org/s?k=" + "0123456789abcdef-salt"
	cfg.Mapping = map[string]map[string][]string{"surveys": {"q_overall": {"总体评价"}}}
	cfg.Targets = map[string]float64{"on_time_rate": 0.95}
	got, err := configJSON(cfg, "0123456789abcdef-salt")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"out":"out"`, `"cases":["data/cases*.csv","../elsewhere.xlsx"]`, `"title":"社区 <报告> & 评价"`,
		`"survey_url":"[redacted]"`, `"mapping":{"surveys":{"q_overall":["总体评价"]}}`, `"targets":{"on_time_rate":0.95}`,
		`"three_rates":{"basically_satisfied_weight":0.9,"weights":{"resolution":0.5,"response":0.1,"satisfaction":0.4}}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("config JSON lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "0123456789abcdef") || strings.Contains(got, dir) || strings.Contains(got, "civicscore.yaml") {
		t.Errorf("config JSON holds the salt, an absolute path or the file name:\n%s", got)
	}
	// Deterministic, and the same for the same project in another folder.
	again, _ := configJSON(cfg, "0123456789abcdef-salt")
	moved := cfg
	moved.File = filepath.Join(dir, "moved", "civicscore.yaml")
	moved.Out = filepath.Join(dir, "moved", "out")
	moved.Inputs.Cases = []string{filepath.Join(dir, "moved", "data", "cases*.csv"), filepath.Join(dir, "elsewhere.xlsx")}
	movedJSON, _ := configJSON(moved, "0123456789abcdef-salt")
	if again != got || movedJSON != got {
		t.Errorf("config JSON not canonical:\n%s\n%s\n%s", got, again, movedJSON)
	}
	// A key that names a secret is never recorded.
	m := redact(map[string]any{"api_token": "x", "db": map[string]any{"password": "y", "host": "h"}}, "")
	if b, _ := json.Marshal(m); string(b) != `{"api_token":"[redacted]","db":{"host":"h","password":"[redacted]"}}` {
		t.Errorf("redact = %s", b)
	}
}

// Two runs on the same inputs and config give byte-identical indicator
// exports: indicator_values and every other table a run writes, without
// run_id.
func TestReproducible(t *testing.T) {
	first := filepath.Join(ensureDemo(t), store.DatabaseFile)
	dir := filepath.Join(t.TempDir(), "again")
	if code, _, stderr := run(t, "demo", "--out", dir); code != 0 {
		t.Fatalf("second demo: %s", stderr)
	}
	second := filepath.Join(dir, store.DatabaseFile)
	if a, b := query(t, first, "csv", "SELECT run_id FROM runs"), query(t, second, "csv", "SELECT run_id FROM runs"); a == b {
		t.Fatalf("both runs have run_id %s", a)
	}
	q := "SELECT * EXCLUDE (run_id) FROM indicator_values ORDER BY ALL"
	a, b := query(t, first, "csv", q), query(t, second, "csv", q)
	if strings.Count(a, "\n") < 1000 {
		t.Fatalf("indicator_values export has %d lines", strings.Count(a, "\n"))
	}
	if a != b {
		t.Errorf("indicator_values differ between two runs:\n%s", firstDiff(a, b))
	}
	// The other tables with a run_id (002's companions), and the provenance
	// that says the two runs had the same config and inputs.
	tables := strings.Fields(strings.TrimPrefix(query(t, first, "csv", `SELECT table_name FROM duckdb_columns()
		WHERE column_name = 'run_id' AND table_name NOT IN ('indicator_values', 'runs', 'run_inputs', 'latest_run')
		  AND table_name IN (SELECT table_name FROM duckdb_tables()) ORDER BY 1`), "table_name\n"))
	for _, table := range tables {
		q := "SELECT * EXCLUDE (run_id) FROM " + table + " ORDER BY ALL"
		if a, b := query(t, first, "csv", q), query(t, second, "csv", q); a != b {
			t.Errorf("%s differs between two runs:\n%s", table, firstDiff(a, b))
		}
	}
	for _, q := range []string{
		"SELECT config_sha256, config_json, version, duckdb_version, as_of, schema_version, definitions_version FROM runs",
		"SELECT kind, sha256, rows_read, rows_clean, rows_rejected, status FROM run_inputs ORDER BY ALL",
	} {
		if a, b := query(t, first, "csv", q), query(t, second, "csv", q); a != b {
			t.Errorf("%s:\n%s\n%s", q, a, b)
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines vs %d", len(al), len(bl))
}

// ---------------------------------------------------------------- comments, schema.md

func TestDemoEverythingCommented(t *testing.T) {
	db := openDemo(t)
	missing := strs(t, db, `
		SELECT table_name FROM duckdb_tables() WHERE NOT internal AND NOT temporary AND coalesce(trim(comment), '') = ''
		UNION ALL
		SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary AND coalesce(trim(comment), '') = ''
		UNION ALL
		SELECT table_name || '.' || column_name FROM duckdb_columns() WHERE NOT internal AND coalesce(trim(comment), '') = ''
		ORDER BY 1`)
	if len(missing) > 0 {
		t.Errorf("%d tables, views or columns of the demo database have no COMMENT (add COMMENT ON in a migration):\n  %s",
			len(missing), strings.Join(missing, "\n  "))
	}
	// Every indicator of the registry has its column in scorecard_wide,
	// after the eight key columns and before the rank range and the
	// funnel flags.
	inds := strs(t, db, "SELECT indicator FROM indicators ORDER BY rowid")
	cols := strs(t, db, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'scorecard_wide' ORDER BY column_index")
	const keys = 8
	if len(inds) < 30 || len(cols) < keys+len(inds) || !slices.Equal(cols[keys:keys+len(inds)], inds) {
		t.Errorf("scorecard_wide columns %v, want the keys and then %v", cols, inds)
	}
	for _, c := range []string{"resident_score_rank", "resident_score_rank_low", "resident_score_rank_high", "on_time_rate_funnel_flag"} {
		if !slices.Contains(cols[keys+len(inds):], c) {
			t.Errorf("scorecard_wide has no column %s after the indicators: %v", c, cols)
		}
	}
}

func TestSchemaMarkdownCurrent(t *testing.T) {
	code, got, stderr := run(t, "schema", "--markdown")
	if code != 0 {
		t.Fatalf("schema --markdown: exit %d: %s", code, stderr)
	}
	if again := func() string { _, s, _ := run(t, "schema", "--markdown"); return s }(); again != got {
		t.Fatal("schema --markdown is not deterministic")
	}
	for _, want := range []string{"## `indicator_values`", "## `scorecard_wide`", "## `run_inputs`", "`satisfaction_rate.q_safety`", "| `case_id` | VARCHAR | not null |"} {
		if !strings.Contains(got, want) {
			t.Errorf("schema.md lacks %q", want)
		}
	}
	if strings.Contains(got, "*(no comment)*") {
		t.Error("schema.md has objects without a comment")
	}
	if *update {
		if err := os.WriteFile(schemaDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(schemaDoc)
	if err != nil || string(b) != got {
		t.Errorf("docs/schema.md is not current (%v): regenerate it with\n  go run -tags duckdb_arrow ./cmd/civicscore schema --markdown > docs/schema.md\nor go test -tags duckdb_arrow ./cmd/civicscore -run TestSchemaMarkdownCurrent -update\n%s",
			err, firstDiff(string(b), got))
	}
}

func TestSchemaOfDatabase(t *testing.T) {
	db := filepath.Join(ensureDemo(t), store.DatabaseFile)
	code, out, stderr := run(t, "schema", "--db", db)
	if code != 0 || !strings.Contains(out, "view scorecard_wide") || !strings.Contains(out, "resolution_hours") {
		t.Errorf("schema --db: exit %d %s\n%s", code, stderr, out)
	}
	if code, _, stderr := run(t, "schema", "--db", filepath.Join(t.TempDir(), "none.duckdb")); code != 1 || !strings.Contains(stderr, "none.duckdb") {
		t.Errorf("missing database: exit %d %s", code, stderr)
	}
}

// ---------------------------------------------------------------- views

// The views reproduce indicator_values: cases_enriched the case cohort,
// survey_items_long the item rates, scorecard_wide the long values.
func TestViewsReproduceIndicators(t *testing.T) {
	db := filepath.Join(ensureDemo(t), store.DatabaseFile)
	checks := []struct{ name, sql string }{
		{"on_time_rate from cases_enriched", `
			WITH e AS (SELECT community_id, month, count_if(on_time) AS x, count(on_time) AS n
			           FROM cases_enriched WHERE status <> 'after_as_of' GROUP BY ALL)
			SELECT count(*) FROM indicator_values v LEFT JOIN e ON e.community_id = v.unit_id AND e.month = v.period
			WHERE v.indicator = 'on_time_rate' AND v.level = 'community' AND v.period_type = 'month'
			  AND (coalesce(e.x, 0) <> v.numerator OR coalesce(e.n, 0) <> v.denominator)`},
		{"escalation_share and case_volume from cases_enriched", `
			WITH e AS (SELECT community_id, month, count_if(escalated) AS x, count(*) AS n
			           FROM cases_enriched WHERE status <> 'after_as_of' GROUP BY ALL)
			SELECT count(*) FROM indicator_values v LEFT JOIN e ON e.community_id = v.unit_id AND e.month = v.period
			WHERE v.indicator = 'escalation_share' AND v.level = 'community' AND v.period_type = 'month'
			  AND (coalesce(e.x, 0) <> v.numerator OR coalesce(e.n, 0) <> v.denominator)`},
		{"median_resolution_hours from cases_enriched", `
			WITH e AS (SELECT community_id, quarter, quantile_cont(resolution_hours, 0.5) AS med
			           FROM cases_enriched WHERE status <> 'after_as_of' GROUP BY ALL)
			SELECT count(*) FROM indicator_values v JOIN e ON e.community_id = v.unit_id AND e.quarter = v.period
			WHERE v.indicator = 'median_resolution_hours' AND v.level = 'community' AND v.period_type = 'quarter'
			  AND NOT v.suppressed AND abs(e.med - v.value) > 1e-9`},
		{"satisfaction_rate.<item> from survey_items_long", `
			WITH e AS (SELECT community_id, month, item, count_if(answer >= 4) AS x, count(*) AS n
			           FROM survey_items_long GROUP BY ALL)
			SELECT count(*) FROM indicator_values v
			LEFT JOIN e ON e.community_id = v.unit_id AND e.month = v.period
			           AND e.item = CASE v.indicator WHEN 'satisfaction_rate' THEN 'q_overall' ELSE replace(v.indicator, 'satisfaction_rate.', '') END
			WHERE v.indicator LIKE 'satisfaction_rate%' AND v.indicator <> 'satisfaction_rate_12345'
			  AND v.indicator NOT LIKE '%.weighted'
			  AND v.level = 'community' AND v.period_type = 'month'
			  AND (coalesce(e.x, 0) <> v.numerator OR coalesce(e.n, 0) <> v.denominator)`},
		{"scorecard_wide against indicator_values", `
			SELECT count(*) FROM indicator_values v JOIN scorecard_wide w ON w.community_id = v.unit_id AND w.month = v.period
			WHERE v.level = 'community' AND v.period_type = 'month' AND v.indicator = 'satisfaction_rate'
			  AND w.satisfaction_rate IS DISTINCT FROM v.value`},
		{"scorecard_wide: one row per community and month", `
			SELECT (SELECT count(*) FROM scorecard_wide) - (SELECT count(DISTINCT (unit_id, period)) FROM indicator_values
			        WHERE level = 'community' AND period_type = 'month')`},
	}
	for _, c := range checks {
		if n := queryInt(t, db, c.sql); n != 0 {
			t.Errorf("%s: %d mismatches", c.name, n)
		}
	}
	if n := queryInt(t, db, "SELECT count(*) FROM survey_items_long"); n < 1000 {
		t.Errorf("survey_items_long has %d rows", n)
	}
}

// ---------------------------------------------------------------- docs/research.md

// docBlock is a ```sql block of docs/research.md and the ```text block that
// follows it (its result on the demo data).
type docBlock struct {
	sql, result      string
	line             int
	resultStart, end int // byte offsets of the result block's body
}

var fenceRe = regexp.MustCompile("(?m)^```([a-z]*)\n((?s:.*?))^```\n")

func docBlocks(t *testing.T, doc string) []docBlock {
	t.Helper()
	ms := fenceRe.FindAllStringSubmatchIndex(doc, -1)
	var out []docBlock
	for i, m := range ms {
		if doc[m[2]:m[3]] != "sql" {
			continue
		}
		b := docBlock{sql: doc[m[4]:m[5]], line: strings.Count(doc[:m[0]], "\n") + 1}
		if i+1 >= len(ms) || doc[ms[i+1][2]:ms[i+1][3]] != "text" {
			t.Errorf("docs/research.md:%d: a ```sql block must be followed by a ```text block with its result", b.line)
			continue
		}
		b.result, b.resultStart, b.end = doc[ms[i+1][4]:ms[i+1][5]], ms[i+1][4], ms[i+1][5]
		out = append(out, b)
	}
	return out
}

func TestResearchDoc(t *testing.T) {
	dir := ensureDemo(t)
	db := filepath.Join(dir, store.DatabaseFile)
	raw, err := os.ReadFile(researchDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	blocks := docBlocks(t, doc)
	if len(blocks) < 5 {
		t.Fatalf("docs/research.md has %d SQL examples, want at least five", len(blocks))
	}
	var b strings.Builder
	last := 0
	for _, blk := range blocks {
		// Paths in the examples name the demo folder as `civicscore demo
		// --out civicscore-demo` writes it.
		q := strings.ReplaceAll(blk.sql, "'civicscore-demo/", "'"+filepath.ToSlash(dir)+"/")
		code, out, stderr := run(t, "query", "--db", db, q)
		if code != 0 {
			t.Errorf("docs/research.md:%d: exit %d: %s", blk.line, code, stderr)
			continue
		}
		if strings.Count(out, "\n") < 2 {
			t.Errorf("docs/research.md:%d: the example returns no row", blk.line)
		}
		if out != blk.result && !*update {
			t.Errorf("docs/research.md:%d: result differs from the demo data (go test ./cmd/civicscore -run TestResearchDoc -update rewrites it):\n%s",
				blk.line, firstDiff(blk.result, out))
		}
		b.WriteString(doc[last:blk.resultStart])
		b.WriteString(out)
		last = blk.end
	}
	b.WriteString(doc[last:])
	if *update {
		if err := os.WriteFile(researchDoc, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The partitioned Parquet example reads what the demo wrote.
	if !strings.Contains(doc, "hive_partitioning") {
		t.Error("docs/research.md does not show how to read the partitioned Parquet files")
	}
}
