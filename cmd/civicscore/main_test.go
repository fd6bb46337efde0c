package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

// run runs the program in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain()
	m.Stdin = strings.NewReader("")
	m.Stdout, m.Stderr = &out, &errb
	m.Getenv = func(k string) string {
		if k == "CIVICSCORE_SALT" {
			return "test-salt"
		}
		return ""
	}
	err := m.Run(context.Background(), args)
	code = m.ExitCode(err)
	m.Close()
	return code, out.String(), errb.String()
}

// demoOnce runs the demo once per test binary; tests only read its output.
var demoDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "civicscore-demo-")
	if err != nil {
		panic(err)
	}
	demoDir = filepath.Join(dir, "demo")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func ensureDemo(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(demoDir, store.DatabaseFile)); err == nil {
		return demoDir
	}
	code, stdout, stderr := run(t, "demo", "--out", demoDir)
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	if !strings.HasSuffix(strings.TrimSpace(stdout), filepath.Join("report", "index.html")) {
		t.Errorf("demo should print the report path, printed %q", stdout)
	}
	return demoDir
}

func TestDemo(t *testing.T) {
	dir := ensureDemo(t)
	for _, p := range []string{store.DatabaseFile, "report/index.html", "report/assets/echarts.min.js", "parquet/indicator_values.parquet"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("demo output lacks %s", p)
		}
	}
	cards, _ := filepath.Glob(filepath.Join(dir, "report", "scorecards", "*.html"))
	if len(cards) != 20 {
		t.Errorf("scorecards = %d, want one per demo community (20)", len(cards))
	}
	// No staging or lock debris besides the lock file.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".staging") || strings.HasPrefix(e.Name(), ".old") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

func TestQueryFormats(t *testing.T) {
	db := filepath.Join(ensureDemo(t), store.DatabaseFile)
	q := "SELECT period, indicator, value, suppressed FROM indicator_values WHERE level = 'district' AND period_type = 'month' AND indicator = 'case_volume' ORDER BY period"
	code, out, stderr := run(t, "query", "--db", db, "--format", "csv", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || strings.Join(recs[0], ",") != "period,indicator,value,suppressed" {
		t.Fatalf("csv = %v, want a header and six months", recs)
	}
	if recs[1][0] != "2025-01" || recs[1][1] != "case_volume" || recs[1][3] != "false" {
		t.Errorf("first row = %v", recs[1])
	}

	code, out, _ = run(t, "query", "--db", db, "--format", "json", q)
	var objs []map[string]any
	if err := json.Unmarshal([]byte(out), &objs); code != 0 || err != nil || len(objs) != 6 {
		t.Fatalf("json: exit %d, %v, %d objects: %s", code, err, len(objs), out)
	}
	if objs[0]["period"] != "2025-01" {
		t.Errorf("json first = %v", objs[0])
	}

	code, out, _ = run(t, "query", "--db", db, q)
	if code != 0 || !strings.HasPrefix(out, "period") || strings.Count(out, "\n") != 7 {
		t.Errorf("table: exit %d\n%s", code, out)
	}

	pq := filepath.Join(t.TempDir(), "x.parquet")
	if code, _, stderr := run(t, "query", "--db", db, "--format", "parquet", "--output", pq, q); code != 0 {
		t.Fatalf("parquet exit %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(pq); err != nil || !bytes.HasPrefix(b, []byte("PAR1")) {
		t.Errorf("parquet output not written: %v", err)
	}
}

func TestQueryIsReadOnly(t *testing.T) {
	src := filepath.Join(ensureDemo(t), store.DatabaseFile)
	db := filepath.Join(t.TempDir(), "copy.duckdb")
	b, _ := os.ReadFile(src)
	os.WriteFile(db, b, 0o644)
	before := sha256.Sum256(b)
	code, _, stderr := run(t, "query", "--db", db, "DELETE FROM cases")
	if code != 1 || !strings.Contains(stderr, "read-only") {
		t.Errorf("write statement: exit %d, stderr %q; want 1 and a read-only message", code, stderr)
	}
	after, _ := os.ReadFile(db)
	if sha256.Sum256(after) != before {
		t.Error("the database changed")
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("thresholds:\n  min_n: -3\n"), 0o644)
	weights := filepath.Join(dir, "weights.yaml")
	os.WriteFile(weights, []byte("score:\n  weights:\n    on_time_rate: 0.9\n    satisfaction_rate: 0.1\n"), 0o644)
	missing := filepath.Join(dir, "missing.yaml")
	os.WriteFile(missing, []byte("inputs:\n  communities: nowhere.csv\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command args ok", []string{"version"}, 0, ""},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", []string{"run", "--nope"}, 2, "unknown flag"},
		{"run without config", []string{"run"}, 2, "--config"},
		{"invalid value names the key", []string{"run", "--config", bad}, 2, "thresholds.min_n"},
		{"weights that sideline residents", []string{"run", "--config", weights}, 2, "at least half"},
		{"missing config file", []string{"run", "--config", filepath.Join(dir, "none.yaml")}, 2, "none.yaml"},
		{"missing input file fails the run", []string{"run", "--config", missing}, 1, "nowhere.csv"},
		{"query without db", []string{"query", "SELECT 1"}, 2, "--db"},
		{"bad format", []string{"query", "--db", "x", "--format", "xml", "SELECT 1"}, 2, "--format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

// copySamples copies the repository's sample exports and their config
// (testdata/samples, written by gen --shape exports) into a temp folder.
func copySamples(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "samples")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunSamplesAndFailedRunKeepsOutput(t *testing.T) {
	dir := copySamples(t)
	cfg := filepath.Join(dir, "config.yaml")
	code, _, stderr := run(t, "run", "--config", cfg)
	if code != 0 {
		t.Fatalf("run exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "rejected") {
		t.Errorf("run should print reject counts on stderr: %s", stderr)
	}
	out := filepath.Join(dir, "out")
	snapshot := func() map[string][32]byte {
		m := map[string][32]byte{}
		filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && !strings.HasSuffix(p, ".lock") {
				b, _ := os.ReadFile(p)
				m[p] = sha256.Sum256(b)
			}
			return nil
		})
		return m
	}
	before := snapshot()
	if len(before) < 10 {
		t.Fatalf("output has %d files", len(before))
	}
	// Break an input: the next run fails and must leave the output as it was.
	os.WriteFile(filepath.Join(dir, "services.csv"), []byte("service_id\nX\n"), 0o644)
	code, _, stderr = run(t, "run", "--config", cfg)
	if code != 1 || !strings.Contains(stderr, "services.csv") {
		t.Fatalf("broken run: exit %d, %s", code, stderr)
	}
	after := snapshot()
	if len(after) != len(before) {
		t.Fatalf("files %d → %d", len(before), len(after))
	}
	for p, h := range before {
		if after[p] != h {
			t.Errorf("%s changed after a failed run", p)
		}
	}
}

func TestOutputInUse(t *testing.T) {
	dir := copySamples(t)
	out := filepath.Join(dir, "out")
	held, err := store.BeginOutput(out)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	var errb bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, &errb
	err = m.Run(context.Background(), []string{"run", "--config", filepath.Join(dir, "config.yaml")})
	if !errors.Is(err, civicscore.ErrInUse) || m.ExitCode(err) != 1 || !strings.Contains(errb.String(), "in") {
		t.Errorf("second run: %v, want ErrInUse", err)
	}
}
