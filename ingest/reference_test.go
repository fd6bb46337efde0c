package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
)

var update = flag.Bool("update", false, "rewrite generated docs")

// inputsDoc is the generated reference, relative to this package.
var inputsDoc = filepath.Join("..", "docs", "inputs.md")

// TestInputsReferenceCurrent fails when docs/inputs.md is not what
// WriteReference renders from the tables of this package.
func TestInputsReferenceCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReference(&buf); err != nil {
		t.Fatalf("WriteReference: %v", err)
	}
	if *update {
		if err := os.WriteFile(inputsDoc, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(inputsDoc)
	if err != nil {
		t.Fatalf("%v; generate it: make docs (or go test -tags=duckdb_arrow ./ingest -run TestInputsReferenceCurrent -update)", err)
	}
	if !bytes.Equal(old, buf.Bytes()) {
		t.Errorf("docs/inputs.md is not current (first difference at line %d); regenerate it: make docs (or go test -tags=duckdb_arrow ./ingest -run TestInputsReferenceCurrent -update)",
			firstDiffLine(old, buf.Bytes()))
	}
}

// firstDiffLine returns the line (from 1) where a and b first differ.
func firstDiffLine(a, b []byte) int {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// TestReferenceExamples runs every example the reference shows through the
// code it describes: timestamps, durations, numbers and masking through the
// SQL macros on a real DuckDB (session TimeZone Asia/Shanghai), Excel serials
// through excelDate, agencies through open311Level. The expected values were
// worked out by hand: e.g. 2025-03-01T01:30:15Z is 09:30:15 at UTC+8,
// 2025-02-28T20:30:15-05:00 is 13 hours earlier than UTC+8 so 09:30:15 the
// next day; serial 45717 is 45717 days after 1899-12-30 = 2025-03-01, and
// .375 of a day is 09:00; 1.5小时 is 1.5 × 3600 s.
func TestReferenceExamples(t *testing.T) {
	ctx := context.Background()
	conn := macroConn(t)
	run := func(name, q string, exs []example) {
		t.Helper()
		for _, e := range exs {
			var got sql.NullString
			if err := conn.QueryRowContext(ctx, q, e.in).Scan(&got); err != nil {
				t.Fatalf("%s(%q): %v", name, e.in, err)
			}
			if got.String != e.out {
				t.Errorf("%s(%q) = %q, the reference says %q", name, e.in, got.String, e.out)
			}
		}
	}
	run("timestamp", "SELECT cs_in_range(cs_ts_raw(cs_trim(?)))::VARCHAR", timestampExamples)
	run("duration", "SELECT CASE WHEN d >= 0 THEN d::VARCHAR END FROM (SELECT cs_duration(?)::BIGINT AS d)", durationExamples)
	run("number", "SELECT regexp_replace(cs_num(?)::VARCHAR, '\\.0$', '')", numberExamples)
	run("scrub", "SELECT cs_scrub(?)", scrubExamples)
	// A date column reads every timestamp form that is read, as the date
	// written (for a form without a zone, the date of the timestamp).
	for _, e := range timestampExamples {
		var got sql.NullString
		if err := conn.QueryRowContext(ctx, "SELECT cs_in_range(cs_date_raw(cs_trim(?)))::DATE::VARCHAR", e.in).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got.Valid != (e.out != "") {
			t.Errorf("date(%q) = %v, but as a timestamp it reads %q", e.in, got, e.out)
		}
		zoned := len(e.in) > 10 && strings.ContainsAny(e.in[10:], "Z+-")
		if got.Valid && !zoned && got.String != e.out[:10] {
			t.Errorf("date(%q) = %q, want %q", e.in, got.String, e.out[:10])
		}
	}
	for _, e := range excelExamples {
		if got := excelDate(e.in); got != e.out {
			t.Errorf("excelDate(%q) = %q, the reference says %q", e.in, got, e.out)
		}
	}
	for _, e := range agencyExamples {
		if got := open311Level(e.in); got != e.out {
			t.Errorf("open311Level(%q) = %q, the reference says %q", e.in, got, e.out)
		}
	}
}

// typeDetail is the phrase sql/<kind>.sql writes in the detail of a value
// that is not of the column's type ("column hours: "x" is not a number >= 0").
var typeDetail = map[Type]string{
	TypeCount:     "is not a whole number >= 0",
	TypeCountMin1: "is not a whole number >= 1",
	TypeAmount:    "is not a number >= 0",
	TypeTimestamp: "is not a timestamp",
	TypeDate:      "is not a date",
	TypeDuration:  "is not a duration",
	TypeBool:      "is not a boolean",
	TypeAnswer:    "is not an answer 1..5",
}

// TestColumnTablesMatchSQL checks the column table against the validation
// SQL it describes: each typed column has the SQL's check of that type,
// each column whose empty value the SQL rejects is declared required, each
// enum column names a table of Enums that the SQL joins under that field.
func TestColumnTablesMatchSQL(t *testing.T) {
	fields := map[string]bool{}
	for _, e := range Enums {
		fields[e.Field] = true
	}
	for _, k := range civicscore.Kinds {
		b, err := sqlFS.ReadFile("sql/" + string(k) + ".sql")
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for _, c := range Columns[k] {
			if phrase, ok := typeDetail[c.Type]; ok {
				re := regexp.MustCompile(`'column ` + c.Name + `: ' \|\| cs_q\(\w+\) \|\| ' ` + regexp.QuoteMeta(phrase))
				if !re.MatchString(src) {
					t.Errorf("%s.%s: type %q, but %s.sql has no detail \"column %s: ... %s\"", k, c.Name, c.Type, k, c.Name, phrase)
				}
			}
			if req, _ := valueRequired(k, c.Name); req && !c.Required {
				t.Errorf("%s.%s: %s.sql rejects an empty value, but the column is not Required", k, c.Name, k)
			}
			if c.Enum != "" {
				if !fields[c.Enum] {
					t.Errorf("%s.%s: enum %q is not in Enums", k, c.Name, c.Enum)
				}
				// enum_alias holds the spellings per column (field = the column).
				if !strings.Contains(src, ".field = '"+c.Name+"'") {
					t.Errorf("%s.%s: %s.sql joins no enum_alias field %q", k, c.Name, k, c.Name)
				}
			}
			if (c.Type == TypeEnum || c.Type == TypeBool || c.Type == TypeAnswer) != (c.Enum != "") {
				t.Errorf("%s.%s: type %q with enum %q", k, c.Name, c.Type, c.Enum)
			}
		}
	}
}

// TestEnumTables: no spelling means two values in one field (the lookup
// map would keep only one), spellings are lower case (values are matched
// after lower-casing), and no canonical value is repeated.
func TestEnumTables(t *testing.T) {
	for _, e := range Enums {
		seen := map[string]string{}
		for _, v := range e.Values {
			if _, dup := seen[v.Canonical]; dup && v.Canonical != "" {
				t.Errorf("%s: value %q listed twice", e.Field, v.Canonical)
			}
			for _, s := range append([]string{v.Canonical}, v.Spellings...) {
				if s == "" {
					continue
				}
				if prev, dup := seen[s]; dup && !(s == v.Canonical && prev == "") {
					t.Errorf("%s: spelling %q means both %q and %q", e.Field, s, prev, v.Canonical)
				}
				seen[s] = v.Canonical
				if strings.ToLower(s) != s {
					t.Errorf("%s: spelling %q is not lower case", e.Field, s)
				}
			}
		}
	}
}

// TestRejectRulesInOrder: the rules read from each kind's SQL are its
// reason codes in the order the reason expression tries them (RejectRules
// fails otherwise), and each starts with malformed_row. The expected lists
// are copied from the CASE expressions of sql/*.sql.
func TestRejectRulesInOrder(t *testing.T) {
	want := map[civicscore.Kind][]string{
		civicscore.KindCommunities: {"malformed_row", "missing_required", "duplicate_in_file", "bad_number"},
		civicscore.KindStrata:      {"malformed_row", "missing_required", "both_areas", "duplicate_in_file", "bad_number", "unknown_community", "unknown_district"},
		civicscore.KindCases:       {"malformed_row", "missing_required", "duplicate_in_file", "bad_timestamp", "bad_enum", "closed_before_reported", "unknown_community", "stale_version"},
		civicscore.KindServices:    {"malformed_row", "missing_required", "duplicate_in_file", "bad_timestamp", "bad_enum", "bad_number", "unknown_community"},
		civicscore.KindSurveys:     {"malformed_row", "missing_required", "duplicate_in_file", "bad_timestamp", "bad_enum", "bad_number", "unknown_community", "speeder", "duplicate_respondent"},
	}
	for _, k := range civicscore.Kinds {
		rules, err := RejectRules(k)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		var got []string
		for _, r := range rules {
			got = append(got, r.Reason)
			if strings.TrimSpace(r.Doc) == "" {
				t.Errorf("%s: rule %s has no description", k, r.Reason)
			}
		}
		if !slices.Equal(got, want[k]) {
			t.Errorf("%s: rules %v, want %v", k, got, want[k])
		}
	}
	// A header comment out of step with the reason expression is an error.
	bad := "-- Rules in order:\n--   missing_required   x\n--   malformed_row   y\nSELECT CASE\n WHEN a THEN 'malformed_row'\n WHEN b THEN 'missing_required'\nEND AS reason"
	rules, order := commentRules(bad), []string{}
	if o, err := reasonOrder(bad); err == nil {
		order = o
	}
	if len(rules) != 2 || slices.Equal([]string{rules[0].Reason, rules[1].Reason}, order) {
		t.Errorf("commentRules %v and reasonOrder %v should disagree", rules, order)
	}
}

// TestTimestampColumnsConvertExcelSerials: the columns whose Excel serials
// are converted are exactly the timestamp and date columns of the table.
func TestTimestampColumnsConvertExcelSerials(t *testing.T) {
	names := columnNames(civicscore.KindCases)
	plan, err := planHeaders(civicscore.KindCases, names, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, i := range plan.timestampIndexes() {
		got = append(got, names[i])
	}
	slices.Sort(got)
	// The timestamp columns of cases, listed by hand from the data's meaning.
	want := []string{"closed_at", "due_at", "first_response_at", "reported_at", "updated_at"}
	if !slices.Equal(got, want) {
		t.Errorf("timestamp columns %v, want %v", got, want)
	}
}
