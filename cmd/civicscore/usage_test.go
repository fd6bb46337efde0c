package main

// Exit codes and the usage text: bad command lines exit 2 with the usage
// text, whatever their message; an error of the work itself exits 1 without
// it, even when its message reads like cobra's (a DuckDB error raised by the
// user's own SQL saying "accepts").

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicscore/civicscore/store"
)

// emptyDB creates a migrated, empty database file and returns its path.
func emptyDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), store.DatabaseFile)
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUsageErrorsByType(t *testing.T) {
	db := emptyDB(t)
	const usage = "Usage:"
	tests := []struct {
		name      string
		args      []string
		code      int
		want      string // in standard error
		withUsage bool   // the usage text is printed
	}{
		{"sql error that reads like cobra's", []string{"query", "--db", db, "SELECT error('no community accepts this')"}, 1, "no community accepts this", false},
		{"sql error saying invalid argument", []string{"query", "--db", db, "SELECT error('invalid argument to a macro')"}, 1, "invalid argument to a macro", false},
		{"unknown flag", []string{"query", "--db", db, "--nope", "SELECT 1"}, 2, "unknown flag: --nope", true},
		{"flag without its value", []string{"query", "--db"}, 2, "flag needs an argument", true},
		{"flag value of the wrong type", []string{"gen", "--out", t.TempDir(), "--seed", "many"}, 2, "invalid argument", true},
		{"too many arguments", []string{"query", "--db", db, "SELECT 1", "SELECT 2"}, 2, "accepts at most 1 arg(s), received 2", true},
		{"an argument where none is taken", []string{"run", "--config", "x.yaml", "extra"}, 2, "unknown command \"extra\"", true},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command \"frobnicate\"", true},
		{"unknown command with a suggestion", []string{"qeury"}, 2, "Did you mean this?", true},
		{"missing required flag", []string{"query", "SELECT 1"}, 2, "--db FILE is required", true},
		{"bad log level", []string{"--log-level", "loud", "version"}, 2, "--log-level", true},
		{"invalid config exits 2 without usage", []string{"run", "--config", filepath.Join("..", "..", "config", "testdata", "min_n_negative.bad.yml")}, 2, "thresholds.min_n", false},
		{"no command prints help", []string{}, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not say %q", stderr, tt.want)
			}
			if got := strings.Contains(stderr, usage); got != tt.withUsage {
				t.Errorf("usage text printed: %v, want %v; stderr %q", got, tt.withUsage, stderr)
			}
		})
	}
}
