package ingest

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/civicscore/civicscore"
)

// ErrTooManyRejects marks a load in which a file rejected more than the
// allowed share of its rows, or yielded no clean row: the run fails (exit
// 1) and the previous output is kept.
var ErrTooManyRejects = errors.New("too many rejected rows")

// ReasonCount is how many rows of one file were rejected for one reason,
// with the first such row as an example.
type ReasonCount struct {
	Reason string
	N      int64
	// Row is the example's source_row, Detail its rejects.detail and Raw
	// its rejects.raw (personal columns left out).
	Row    int64
	Detail string
	Raw    string
}

// notFailures are the reject reasons that do not count against a file in
// Summary.Check: versions of a row that another version supersedes, and
// survey responses the quality filter excludes. They are accounted for,
// not rows the config failed to read.
var notFailures = map[string]bool{
	"duplicate_in_file": true, "stale_version": true, "speeder": true, "duplicate_respondent": true,
}

// maxExamples is the number of reasons a failure message shows.
const maxExamples = 3

// Failing returns the rows of the file that count against it in Check: its
// rejected rows less those superseded or excluded by the survey filter.
func (f FileResult) Failing() int64 {
	n := f.Rejected
	for _, r := range f.Reasons {
		if notFailures[r.Reason] {
			n -= r.N
		}
	}
	return n
}

// Check fails a load in which a file read this time rejected more than
// maxShare of its rows (strictly), or yielded no clean row. The error wraps
// ErrTooManyRejects and names, for each such file, its top reasons with
// counts, an example row of each (personal columns masked) and the config
// key that would fix the commonest. Files skipped as unchanged passed
// when they were loaded.
func (s Summary) Check(maxShare float64) error {
	var msgs []string
	for _, f := range s.Files {
		if f.Skipped {
			continue
		}
		failing := f.Failing()
		var why string
		switch {
		case f.Read == 0:
			why = "it holds no data row (only a header)"
		case f.Clean == 0 && failing > 0:
			why = fmt.Sprintf("no row is clean: %s of %s rows rejected", thousands(f.Rejected), thousands(f.Read))
		case float64(failing) > maxShare*float64(f.Read):
			why = fmt.Sprintf("%s of %s rows rejected (%.1f%%), more than thresholds.max_reject_share %v",
				thousands(failing), thousands(f.Read), 100*float64(failing)/float64(f.Read), maxShare)
		default:
			continue
		}
		msgs = append(msgs, f.failureMessage(why))
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n%s", ErrTooManyRejects, strings.Join(msgs, "\n"))
}

// failureMessage describes a file that failed Check.
func (f FileResult) failureMessage(why string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s file %s: %s", f.Kind, f.Path, why)
	shown := 0
	var top *ReasonCount
	for i := range f.Reasons {
		r := &f.Reasons[i]
		if notFailures[r.Reason] {
			continue
		}
		if top == nil {
			top = r
		}
		if shown == maxExamples {
			fmt.Fprintf(&b, "\n  ... and %d more reasons (see table rejects)", countFailureReasons(f.Reasons)-shown)
			break
		}
		shown++
		fmt.Fprintf(&b, "\n  %s: %s; e.g. row %d: %s\n    row: %s", r.Reason, rowsWord(r.N), r.Row,
			clip(r.Detail, 300), exampleRow(r.Raw, f.DroppedColumns))
	}
	if top != nil {
		if fix := fixKey(f.Kind, top.Reason, top.Detail); fix != "" {
			fmt.Fprintf(&b, "\n  to fix the commonest (%s): %s", top.Reason, fix)
		}
	}
	return b.String()
}

func countFailureReasons(rs []ReasonCount) int {
	n := 0
	for _, r := range rs {
		if !notFailures[r.Reason] {
			n++
		}
	}
	return n
}

// detailColumn finds the column a reject detail is about ("column
// reported_at: ...").
var detailColumn = regexp.MustCompile(`^column ([a-z_0-9]+)`)

// fixKey names the config key that would fix rows rejected for reason, for
// the column the detail names.
func fixKey(kind civicscore.Kind, reason, detail string) string {
	col := "<column>"
	if m := detailColumn.FindStringSubmatch(detail); m != nil {
		col = m[1]
	}
	k := string(kind)
	switch reason {
	case "bad_timestamp":
		return fmt.Sprintf("set formats.%s.%s to the column's layout (such as [\"%%m/%%d/%%Y %%I:%%M:%%S %%p\"])", k, col)
	case "bad_enum":
		return fmt.Sprintf("alias the values in values.%s.%s, or fill the column by rules in derive.%s.%s", k, col, k, col)
	case "bad_number":
		return fmt.Sprintf("check that mapping.%s.%s names the right column (it must hold numbers)", k, col)
	case "missing_required":
		return fmt.Sprintf("name the column in mapping.%s.%s, or fill it with derive.%s.%s", k, col, k, col)
	case "unknown_community":
		return fmt.Sprintf("when the column holds names, not codes: derive.%s.community_id with from: <the column> and lookup: community_name; otherwise load the missing communities", k)
	case "malformed_row":
		return "the file's quoting or field count is broken: export it again"
	case "closed_before_reported":
		return fmt.Sprintf("check that mapping.%s.closed_at and mapping.%s.reported_at name the right columns", k, k)
	}
	return ""
}

// exampleRow renders a rejects.raw object as `header=value` pairs in the
// file's order, each value quoted (so control characters stay inert on a
// terminal) and cut short; the dropped columns are shown masked.
func exampleRow(raw string, dropped map[string]string) string {
	var parts []string
	dec := json.NewDecoder(strings.NewReader(raw))
	if t, err := dec.Token(); err == nil && t == json.Delim('{') {
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				break
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				break
			}
			key, _ := kt.(string)
			val := fmt.Sprint(v)
			if v == nil {
				val = ""
			}
			parts = append(parts, clip(key, 40)+"="+strconv.Quote(clip(val, 40)))
			if len(parts) == 30 {
				parts = append(parts, "...")
				break
			}
		}
	}
	for _, h := range sortedKeys(dropped) {
		parts = append(parts, clip(h, 40)+"=***")
	}
	if len(parts) == 0 {
		return "(empty)"
	}
	return strings.Join(parts, ", ")
}

// rowsWord is "1 row" or "9,999 rows".
func rowsWord(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return thousands(n) + " rows"
}

// clip cuts s to at most n characters, marking the cut.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// thousands formats n with comma separators: 9,999.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b bytes.Buffer
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// KindTotals are the rows of one input kind in a load.
type KindTotals struct {
	Kind                  civicscore.Kind
	Files, Skipped        int
	Read, Clean, Rejected int64
}

// ByKind sums the files of each kind, in load order; kinds without a file
// are left out.
func (s Summary) ByKind() []KindTotals {
	var out []KindTotals
	for _, k := range civicscore.Kinds {
		t := KindTotals{Kind: k}
		for _, f := range s.Files {
			if f.Kind != k {
				continue
			}
			t.Files++
			if f.Skipped {
				t.Skipped++
			}
			t.Read += f.Read
			t.Clean += f.Clean
			t.Rejected += f.Rejected
		}
		if t.Files > 0 {
			out = append(out, t)
		}
	}
	return out
}

// WriteSummary writes one line per kind: "cases: 9,999 read, 0 clean, 9,999
// rejected", and how many of its files were unchanged and not read again.
func (s Summary) WriteSummary(w io.Writer) {
	for _, t := range s.ByKind() {
		fmt.Fprintf(w, "%s: %s read, %s clean, %s rejected", t.Kind, thousands(t.Read), thousands(t.Clean), thousands(t.Rejected))
		if t.Skipped > 0 {
			fmt.Fprintf(w, " (%d of %d files unchanged, not read again)", t.Skipped, t.Files)
		}
		fmt.Fprintln(w)
	}
}

// loadReasons fills the reasons of every file read this time from rejects:
// counts by reason, most first, and the first row of each as an example.
func (s *session) loadReasons(sum *Summary) error {
	for i := range sum.Files {
		f := &sum.Files[i]
		if f.Skipped || f.Rejected == 0 {
			continue
		}
		rows, err := s.queryAll(`SELECT reason, count(*), min(source_row) FROM rejects
			WHERE kind = ? AND source_file = ? GROUP BY reason ORDER BY 2 DESC, 1`, string(f.Kind), f.Path)
		if err != nil {
			return err
		}
		f.Reasons = f.Reasons[:0]
		for _, r := range rows {
			rc := ReasonCount{Reason: asString(r[0]), N: asInt(r[1]), Row: asInt(r[2])}
			f.Reasons = append(f.Reasons, rc)
		}
		for j := range f.Reasons {
			if j == maxExamples+len(notFailures) {
				break
			}
			r := &f.Reasons[j]
			ex, err := s.queryAll(`SELECT coalesce(detail, ''), coalesce(raw::VARCHAR, '') FROM rejects
				WHERE kind = ? AND source_file = ? AND reason = ? AND source_row = ? LIMIT 1`, string(f.Kind), f.Path, r.Reason, r.Row)
			if err != nil {
				return err
			}
			if len(ex) > 0 {
				r.Detail, r.Raw = asString(ex[0][0]), asString(ex[0][1])
			}
		}
		sort.SliceStable(f.Reasons, func(a, b int) bool { return f.Reasons[a].N > f.Reasons[b].N })
	}
	return nil
}

// queryAll returns every row of q.
func (s *session) queryAll(q string, args ...any) ([][]any, error) {
	var out [][]any
	err := s.queryRows(q, func(row []driver.Value) error {
		r := make([]any, len(row))
		for i, v := range row {
			r[i] = v
		}
		out = append(out, r)
		return nil
	}, args...)
	return out, err
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	}
	return 0
}
