package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failingLate is a query that DuckDB refuses while it runs.
const failingLate = "SELECT CASE WHEN i < 100000 THEN i ELSE error('late failure at ' || i) END AS i FROM range(200000) t(i)"

// failingWrite is a query whose output fails after it was begun (the
// header, or JSON's "["): DuckDB runs it, but the driver cannot hand a MAP
// keyed by a list to Go, so reading its rows fails.
const failingWrite = "SELECT CASE WHEN i < 100000 THEN NULL ELSE MAP {[i]: 2} END AS m FROM range(200000) t(i)"

// TestQueryOutputNoPartialFile: a query that fails while its rows are
// written leaves no file at --output, and an earlier file there as it was;
// a query that succeeds replaces it whole.
func TestQueryOutputNoPartialFile(t *testing.T) {
	db := emptyDB(t)
	tests := []struct {
		format, query, want string
	}{
		{"table", failingLate, "late failure"},
		{"csv", failingLate, "late failure"},
		{"json", failingLate, "late failure"},
		{"parquet", failingLate, "late failure"},
		{"table", failingWrite, "MAP key type not supported"},
		{"csv", failingWrite, "MAP key type not supported"},
		{"json", failingWrite, "MAP key type not supported"},
	}
	for _, tt := range tests {
		format, failing := tt.format, tt.query
		t.Run(format+" "+tt.want, func(t *testing.T) {
			dir := t.TempDir()
			fresh := filepath.Join(dir, "fresh.out")
			code, _, stderr := run(t, "query", "--db", db, "--format", format, "--output", fresh, failing)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tt.want)
			}
			if _, err := os.Stat(fresh); !os.IsNotExist(err) {
				t.Errorf("a failed query left %s (stat: %v)", fresh, err)
			}
			kept := filepath.Join(dir, "kept.out")
			if err := os.WriteFile(kept, []byte("earlier result\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, _ := run(t, "query", "--db", db, "--format", format, "--output", kept, failing); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if b, err := os.ReadFile(kept); err != nil || string(b) != "earlier result\n" {
				t.Errorf("the earlier file became %.80q (%v)", b, err)
			}
			if code, _, stderr := run(t, "query", "--db", db, "--format", format, "--output", kept, "SELECT 42 AS answer"); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if b, err := os.ReadFile(kept); err != nil || string(b) == "earlier result\n" || len(b) == 0 {
				t.Errorf("a good query left %.80q (%v)", b, err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() != "kept.out" {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

// TestQueryOutputIsNotTheDatabase: --output naming the database itself (by
// any spelling of its path) is refused as bad usage and the database is
// left intact.
func TestQueryOutputIsNotTheDatabase(t *testing.T) {
	db := emptyDB(t)
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(mustGetwd(t), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{db, filepath.Join(filepath.Dir(db), ".", filepath.Base(db)), rel} {
		for _, format := range []string{"csv", "parquet"} {
			code, _, stderr := run(t, "query", "--db", db, "--format", format, "--output", out, "SELECT 1")
			if code != 2 || !strings.Contains(stderr, "--output") {
				t.Errorf("--output %s --format %s: exit %d, stderr %q; want 2 naming --output", out, format, code, stderr)
			}
		}
	}
	after, err := os.ReadFile(db)
	if err != nil || string(after) != string(before) {
		t.Errorf("the database changed (%v)", err)
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// TestQueryJSONColumnsAsJSON: a JSON column (cases.extra holds one), a
// struct and a list print as JSON text in table and CSV output, not as
// Go's map[...] notation.
func TestQueryJSONColumnsAsJSON(t *testing.T) {
	db := emptyDB(t)
	const q = `SELECT '{"备注":"a","n":1}'::JSON AS extra, {'k': 'v'} AS s, [1, 2] AS l`
	for _, format := range []string{"table", "csv"} {
		code, stdout, stderr := run(t, "query", "--db", db, "--format", format, q)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		for _, want := range []string{`{"n":1,"备注":"a"}`, `{"k":"v"}`, `[1,2]`} {
			if format == "csv" {
				want = `"` + strings.ReplaceAll(want, `"`, `""`) + `"`
				if want == `"[1,2]"` {
					want = "[1,2]"
				}
			}
			if !strings.Contains(stdout, want) {
				t.Errorf("%s output lacks %s:\n%s", format, want, stdout)
			}
		}
		if strings.Contains(stdout, "map[") {
			t.Errorf("%s output prints Go maps:\n%s", format, stdout)
		}
	}
}
