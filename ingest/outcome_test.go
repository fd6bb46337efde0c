package ingest

import (
	"errors"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
)

// TestSummaryCheck: the share is failing rows over rows read, compared
// strictly; superseded versions and survey-filter exclusions do not count;
// no clean row and no data row fail; unchanged files are not judged.
func TestSummaryCheck(t *testing.T) {
	file := func(read, clean int64, reasons ...ReasonCount) FileResult {
		f := FileResult{Kind: civicscore.KindCases, Path: "c.csv", Read: read, Clean: clean, Rejected: read - clean, Reasons: reasons}
		return f
	}
	bt := func(n int64) ReasonCount {
		return ReasonCount{Reason: "bad_timestamp", N: n, Row: 2, Detail: `column reported_at: "x" is not a timestamp`, Raw: `{"case_id":"A1"}`}
	}
	tests := []struct {
		name  string
		f     FileResult
		share float64
		want  string // "" passes
	}{
		{"exactly half", file(10, 5, bt(5)), 0.5, ""},
		{"one more than half", file(10, 4, bt(6)), 0.5, "6 of 10 rows rejected (60.0%)"},
		{"duplicates do not count", file(10, 4, bt(5), ReasonCount{Reason: "duplicate_in_file", N: 1}), 0.5, ""},
		{"speeders do not count", file(10, 2, ReasonCount{Reason: "speeder", N: 8}), 0.5, ""},
		{"all stale is no failure", file(3, 0, ReasonCount{Reason: "stale_version", N: 3}), 0.5, ""},
		{"no clean row", file(3, 0, bt(3)), 1, "no row is clean: 3 of 3 rows rejected"},
		{"no data row", file(0, 0), 0.5, "it holds no data row"},
		{"skipped", FileResult{Kind: civicscore.KindCases, Path: "c.csv", Skipped: true}, 0.5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Summary{Files: []FileResult{tt.f}}.Check(tt.share)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("failed: %v", err)
			case tt.want != "" && (err == nil || !errors.Is(err, ErrTooManyRejects) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an ErrTooManyRejects with %q", err, tt.want)
			}
		})
	}
}

// TestFixKey: the config key named for the commonest reason, per the
// column the detail names.
func TestFixKey(t *testing.T) {
	tests := []struct{ reason, detail, want string }{
		{"bad_timestamp", `column closed_at: "x" is not a timestamp`, "formats.cases.closed_at"},
		{"bad_enum", `column source: "x" is not one of`, "values.cases.source"},
		{"bad_enum", `column resolution_level: "BOS" is not one of`, "derive.cases.resolution_level"},
		{"missing_required", "column community_id is empty", "mapping.cases.community_id"},
		{"unknown_community", `column community_id: "望京" is not in communities`, "lookup: community_name"},
	}
	for _, tt := range tests {
		if got := fixKey(civicscore.KindCases, tt.reason, tt.detail); !strings.Contains(got, tt.want) {
			t.Errorf("fixKey(%s, %q) = %q, want it to name %s", tt.reason, tt.detail, got, tt.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 9999: "9,999", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
