package main

// Loud failure: a file that rejects more than thresholds.max_reject_share
// of its rows, or yields no clean row, fails the run with exit 1 and a
// message that says what to do; the previous output stays byte for byte.
// The summary counts each kind on its own line and says where as_of came
// from.

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const loudCommunities = "community_id,community_name,street_id,street_name,district_id,district_name,households,population\nC1,一社区,S1,一街道,D1,某区,1000,2300\n"

// loudCases writes a cases file of n rows, the first bad of them with a
// reported_at that is no timestamp (昨天下午, "yesterday afternoon":
// bad_timestamp), and a personal column 联系电话.
func loudCases(n, bad int, closedAt bool) string {
	var b strings.Builder
	b.WriteString("case_id,community_id,category,reported_at,resolution_level,联系电话")
	if closedAt {
		b.WriteString(",closed_at")
	}
	b.WriteString("\n")
	for i := 1; i <= n; i++ {
		ts := fmt.Sprintf("2025-03-%02d 09:00:00", i)
		if i <= bad {
			ts = "昨天下午"
		}
		fmt.Fprintf(&b, "A%d,C1,噪音,%s,社区,13800138000", i, ts)
		if closedAt {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func loudDir(t *testing.T, cases, extraConfig string) (dir, cfg string) {
	t.Helper()
	dir = t.TempDir()
	writeFile(t, dir, "communities.csv", []byte(loudCommunities))
	inputs := "{communities: communities.csv}"
	if cases != "" {
		writeFile(t, dir, "cases.csv", []byte(cases))
		inputs = "{communities: communities.csv, cases: cases.csv}"
	}
	cfg = filepath.Join(dir, "config.yaml")
	if !strings.Contains(extraConfig, "thresholds:") {
		extraConfig += "thresholds: {min_n: 1}\n"
	}
	writeFile(t, dir, "config.yaml", []byte("out: out\ninputs: "+inputs+"\n"+extraConfig))
	return dir, cfg
}

// TestRejectShareBoundary: the share is of the file's rows; exactly the
// threshold passes, more fails (strictly greater), and a file with no
// clean row fails whatever the threshold.
func TestRejectShareBoundary(t *testing.T) {
	tests := []struct {
		name     string
		n, bad   int
		config   string
		wantExit int
		want     []string
	}{
		{"half of 4 rejected passes at 0.5", 4, 2, "", 0, []string{"cases: 4 read, 2 clean, 2 rejected"}},
		{"3 of 4 rejected fails at 0.5", 4, 3, "", 1, []string{"3 of 4 rows rejected (75.0%), more than thresholds.max_reject_share 0.5"}},
		{"3 of 4 rejected passes at 0.75", 4, 3, "thresholds: {min_n: 1, max_reject_share: 0.75}\n", 0, nil},
		{"1 of 4 rejected fails at 0", 4, 1, "thresholds: {min_n: 1, max_reject_share: 0}\n", 1, []string{"1 of 4 rows rejected (25.0%)"}},
		{"no clean row fails at 1", 3, 3, "thresholds: {min_n: 1, max_reject_share: 1}\n", 1, []string{"no row is clean: 3 of 3 rows rejected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg := loudDir(t, loudCases(tt.n, tt.bad, true), tt.config)
			code, stderr := runGuarded(t, 2*time.Minute, "run", "--config", cfg)
			if code != tt.wantExit {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.wantExit, tail(stderr, 3000))
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, tail(stderr, 3000))
				}
			}
		})
	}
}

// snapshot reads every file under dir, by relative path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFailedLoadKeepsPreviousOutput: a good run, then the same config over
// an export in a layout nothing reads: exit 1, a message naming the file,
// the reason with its count, an example row with the personal column
// masked and the config key to set; every file of the previous output
// unchanged, byte for byte.
func TestFailedLoadKeepsPreviousOutput(t *testing.T) {
	dir, cfg := loudDir(t, loudCases(4, 0, true), "")
	code, stderr := runGuarded(t, 2*time.Minute, "run", "--config", cfg)
	if code != 0 {
		t.Fatalf("first run: exit %d:\n%s", code, tail(stderr, 3000))
	}
	out := filepath.Join(dir, "out")
	before := snapshot(t, out)
	if len(before) < 10 {
		t.Fatalf("first run wrote %d files", len(before))
	}
	writeFile(t, dir, "cases.csv", []byte(loudCases(5, 5, true)))
	code, stderr = runGuarded(t, 2*time.Minute, "run", "--config", cfg)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, tail(stderr, 3000))
	}
	for _, w := range []string{
		"cases: 5 read, 0 clean, 5 rejected",
		"cases file " + filepath.Join(dir, "cases.csv") + ": no row is clean: 5 of 5 rows rejected",
		"bad_timestamp: 5 rows; e.g. row 2: column reported_at: \"昨天下午\" is not a timestamp",
		`case_id="A1"`, `reported_at="昨天下午"`, "联系电话=***",
		"to fix the commonest (bad_timestamp): set formats.cases.reported_at",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, tail(stderr, 3000))
		}
	}
	if strings.Contains(stderr, "13800138000") {
		t.Errorf("the message shows the personal column's value")
	}
	after := snapshot(t, out)
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed by the failed run", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("the failed run left %s", p)
		}
	}
}

// TestSummaryPerKindAndAsOf: one line per kind, never a sum; as_of said
// with its source; a cases file without closed_at warned about by name.
func TestSummaryPerKindAndAsOf(t *testing.T) {
	t.Run("from the data, no closed_at", func(t *testing.T) {
		dir, cfg := loudDir(t, loudCases(4, 1, false), "")
		code, stderr := runGuarded(t, 2*time.Minute, "run", "--config", cfg)
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, tail(stderr, 3000))
		}
		for _, w := range []string{
			"communities: 1 read, 1 clean, 0 rejected\n",
			"cases: 4 read, 3 clean, 1 rejected\n",
			// The latest reported_at of the clean rows: 2025-03-04 09:00.
			"as_of: 2025-03-04 09:00:00 (taken from the data",
			"the cases file has no closed_at column: every case in it counts as open",
			filepath.Join(dir, "cases.csv"),
		} {
			if !strings.Contains(stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, tail(stderr, 3000))
			}
		}
		if strings.Contains(stderr, "5 read") || strings.Contains(stderr, "rows read") {
			t.Errorf("a sum across kinds:\n%s", stderr)
		}
	})
	t.Run("from config", func(t *testing.T) {
		_, cfg := loudDir(t, loudCases(2, 0, true), "as_of: \"2025-03-31\"\n")
		code, stderr := runGuarded(t, 2*time.Minute, "run", "--config", cfg)
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, tail(stderr, 3000))
		}
		if !strings.Contains(stderr, "as_of: 2025-03-31 00:00:00 (from config as_of)") || strings.Contains(stderr, "no closed_at") {
			t.Errorf("stderr:\n%s", tail(stderr, 3000))
		}
	})
	t.Run("no case", func(t *testing.T) {
		_, cfg := loudDir(t, "", "")
		code, stderr := runGuarded(t, 2*time.Minute, "run", "--config", cfg)
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, tail(stderr, 3000))
		}
		if !strings.Contains(stderr, "as_of: none (no case was loaded") || strings.Contains(stderr, "0001-01-01") {
			t.Errorf("stderr:\n%s", tail(stderr, 3000))
		}
	})
}
