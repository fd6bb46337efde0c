package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/civicscore/civicscore"
)

// The reference of what ingest reads (docs/inputs.md) is rendered from the
// tables the code reads by: Columns, Enums, personalAliases, formats,
// open311Fields and open311Mapping, the reject rules of sql/<kind>.sql, and
// the example tables below, which TestReferenceExamples runs through the
// real readers and SQL macros, so that no example claims what the code does
// not do. TestInputsReferenceCurrent fails when docs/inputs.md is stale.

// formatDocs says how each format of formats is read.
var formatDocs = map[string]string{
	"csv":  "delimited text, comma-separated; quoted fields as in RFC 4180",
	"tsv":  "delimited text, tab-separated",
	"xlsx": "an Excel workbook: the first worksheet unless config names another; the first non-empty row is the header; Excel date serials in timestamp and date columns are converted",
	"json": "an Open311 GeoReport v2 array of service requests, for cases only (see below); UTF-8",
}

// example is one input value and what ingest reads it as ("" = not read:
// the row is rejected, or the value is left as it is, as the section says).
type example struct{ in, out string }

// timestampExamples are written as exports write them; out is the local
// time stored, for timezone Asia/Shanghai (UTC+8, no daylight saving).
var timestampExamples = []example{
	{"2025-03-01 09:30:15", "2025-03-01 09:30:15"},
	{"2025-03-01 09:30", "2025-03-01 09:30:00"},
	{"2025-03-01T09:30:15", "2025-03-01 09:30:15"},
	{"2025-03-01 09:30:15.250", "2025-03-01 09:30:15.25"},
	{"2025-03-01", "2025-03-01 00:00:00"},
	{"2025/03/01 09:30:15", "2025-03-01 09:30:15"},
	{"2025/3/1 9:30", "2025-03-01 09:30:00"},
	{"2025-3-1 9:30", "2025-03-01 09:30:00"},
	{"2025/03/01", "2025-03-01 00:00:00"},
	{"2025.03.01 09:30", "2025-03-01 09:30:00"},
	{"2025.03.01", "2025-03-01 00:00:00"},
	{"2025-03-01T01:30:15Z", "2025-03-01 09:30:15"},
	{"2025-03-01T01:30Z", "2025-03-01 09:30:00"},
	{"2025-03-01 09:30:15+08:00", "2025-03-01 09:30:15"},
	{"2025-03-01T09:30+0800", "2025-03-01 09:30:00"},
	{"2025-02-28T20:30:15-05:00", "2025-03-01 09:30:15"},
	{"1999-12-31 10:00", ""},
	{"2025-02-30 10:00", ""},
	{"2025年3月1日", ""},
	{"20250301093015", ""},
	{"3/1/2025 9:30:15 AM", ""},
}

// excelExamples are cells of an .xlsx timestamp or date column, as stored.
var excelExamples = []example{
	{"45717.375", "2025-03-01 09:00:00"},
	{"45717", "2025-03-01 00:00:00"},
}

// durationExamples are values of duration_seconds; out is in seconds.
var durationExamples = []example{
	{"125", "125"},
	{"125秒", "125"},
	{"125 秒钟", "125"},
	{"125s", "125"},
	{"125 sec", "125"},
	{"2分钟", "120"},
	{"2分", "120"},
	{"2 min", "120"},
	{"1.5小时", "5400"},
	{"1.5h", "5400"},
	{"2分30秒", ""},
	{"-5", ""},
}

// numberExamples are values of a number column.
var numberExamples = []example{
	{"1234", "1234"},
	{"1,234", "1234"},
	{"12.5", "12.5"},
	{"1.2e3", "1200"},
	{"约100", ""},
}

// scrubExamples are free text in an extra column or a rejected row, and
// what is stored of it.
var scrubExamples = []example{
	{"请联系13812345678谢谢", "请联系[phone]谢谢"},
	{"电话 +86 138-1234-5678", "电话 [phone]"},
	{"座机010-12345678", "座机[phone]"},
	{"身份证110101199003071234", "身份证[id]"},
	{"13812345678,13912345678", "[phone],[phone]"},
	{"订单号2138123456789", "订单号2138123456789"},
}

// agencyExamples are Open311 agency_responsible texts and the
// resolution_level read from them (out = in: kept, then checked as a
// spelling of resolution_level).
var agencyExamples = []example{
	{"幸福社区居委会", "community"},
	{"东片区工作站", "block"},
	{"XX街道办事处", "street"},
	{"某镇人民政府", "street"},
	{"区城乡建设局", "district"},
	{"某区市场监管局", "district"},
	{"市城管委", "city"},
	{"市级部门", "city"},
	{"其他单位", "其他单位"},
}

// laterReasons are the reject reasons given after a row passed the rules of
// its kind's SQL, with the file that gives each.
var laterReasons = map[civicscore.Kind][]struct{ reason, file, doc string }{
	civicscore.KindCases: {{"stale_version", "cases.sql", "a valid row whose case_id is loaded already, in a version newer by (updated_at, closed_at); on a tie the later file wins"}},
}

// Rule is one reject reason of a kind, in the order the rules are tried:
// a row is filed under the first rule it breaks.
type Rule struct {
	Reason string
	Doc    string
}

// RejectRules returns the reject rules of kind in order: those of
// sql/<kind>.sql (read from its header comment, and checked against the
// order of its reason expression), then the later ones (stale versions of
// cases, the survey quality filter).
func RejectRules(kind civicscore.Kind) ([]Rule, error) {
	name := string(kind) + ".sql"
	b, err := sqlFS.ReadFile("sql/" + name)
	if err != nil {
		return nil, err
	}
	text := string(b)
	rules := commentRules(text)
	order, err := reasonOrder(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var names []string
	for _, r := range rules {
		names = append(names, r.Reason)
	}
	if !slices.Equal(names, order) {
		return nil, fmt.Errorf("%s: the rules in the header comment (%s) are not the order of the reason expression (%s)",
			name, strings.Join(names, ", "), strings.Join(order, ", "))
	}
	for _, r := range laterReasons[kind] {
		src, err := sqlFS.ReadFile("sql/" + r.file)
		if err != nil {
			return nil, err
		}
		if !strings.Contains(string(src), "'"+r.reason+"'") {
			return nil, fmt.Errorf("%s gives no reason %s", r.file, r.reason)
		}
		rules = append(rules, Rule{r.reason, r.doc})
	}
	if kind == civicscore.KindSurveys {
		b, err := sqlFS.ReadFile("sql/survey_filter.sql")
		if err != nil {
			return nil, err
		}
		filter := numberedRules(string(b))
		if len(filter) == 0 {
			return nil, errors.New("survey_filter.sql: no numbered rules in its header comment")
		}
		for _, r := range filter {
			r.Doc = "quality filter, after all files are loaded: " + r.Doc
			rules = append(rules, r)
		}
	}
	return rules, nil
}

var (
	// ruleLine is "--   reason   what it means" in a kind script's header.
	ruleLine = regexp.MustCompile(`^--\s{2,4}([a-z_]+)\s+(.+)$`)
	// contLine continues the line above it.
	contLine = regexp.MustCompile(`^--\s{6,}(\S.*)$`)
	// numberedLine is "--   1. reason: what it means" in survey_filter.sql.
	numberedLine = regexp.MustCompile(`^--\s+\d+\.\s+([a-z_]+):\s+(.+)$`)
	numberedAny  = regexp.MustCompile(`^--\s+\d+\.\s`)
	// reasonThen is a branch of the reason expression.
	reasonThen = regexp.MustCompile(`THEN '([a-z_]+)'`)
)

// commentRules reads the rules listed in the header comment of a script.
func commentRules(text string) []Rule {
	var rules []Rule
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "--") {
			break
		}
		if m := ruleLine.FindStringSubmatch(line); m != nil {
			rules = append(rules, Rule{m[1], strings.TrimSpace(m[2])})
			continue
		}
		if m := contLine.FindStringSubmatch(line); m != nil && len(rules) > 0 {
			rules[len(rules)-1].Doc += " " + strings.TrimSpace(m[1])
			continue
		}
		if len(rules) > 0 {
			break
		}
	}
	return rules
}

// numberedRules reads the numbered rules of the header comment of
// survey_filter.sql whose name is a reason code.
func numberedRules(text string) []Rule {
	var rules []Rule
	in := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "--") {
			break
		}
		if m := numberedLine.FindStringSubmatch(line); m != nil {
			rules = append(rules, Rule{m[1], strings.TrimSpace(m[2])})
			in = true
			continue
		}
		if numberedAny.MatchString(line) {
			in = false // a numbered item that is no reason
			continue
		}
		if m := contLine.FindStringSubmatch(line); m != nil && in {
			rules[len(rules)-1].Doc += " " + strings.TrimSpace(m[1])
			continue
		}
		in = false
	}
	return rules
}

// reasonOrder returns the reasons of a script's reason expression (the
// CASE that ends in "AS reason") in the order they are tried.
func reasonOrder(text string) ([]string, error) {
	end := strings.Index(text, " AS reason")
	if end < 0 {
		return nil, errors.New("no reason expression (… AS reason)")
	}
	start := strings.LastIndex(text[:end], "CASE\n")
	if start < 0 {
		return nil, errors.New("the reason expression is no CASE")
	}
	var out []string
	for _, m := range reasonThen.FindAllStringSubmatch(text[start:end], -1) {
		out = append(out, m[1])
	}
	return out, nil
}

// valueRequired reports whether an empty value of column name rejects the
// row as missing_required: sql/<kind>.sql says so in its detail.
func valueRequired(kind civicscore.Kind, name string) (bool, error) {
	b, err := sqlFS.ReadFile("sql/" + string(kind) + ".sql")
	if err != nil {
		return false, err
	}
	return strings.Contains(string(b), "'column "+name+" is empty'"), nil
}

// WriteReference writes the reference of the inputs ingest reads, as
// Markdown: kinds, formats, encodings, every canonical column with its type
// and header aliases, the accepted spellings of enum values, timestamps,
// durations, Open311 JSON, personal data and the reject reasons. It is
// docs/inputs.md.
func WriteReference(w io.Writer) error {
	r := &refWriter{w: bufio.NewWriter(w)}
	r.intro()
	for _, k := range civicscore.Kinds {
		if err := r.kind(k); err != nil {
			return err
		}
	}
	if err := r.enums(); err != nil {
		return err
	}
	r.times()
	if err := r.open311(); err != nil {
		return err
	}
	r.personal()
	r.rejects()
	if r.err != nil {
		return r.err
	}
	return r.w.Flush()
}

// refWriter writes Markdown and keeps the first write error.
type refWriter struct {
	w   *bufio.Writer
	err error
}

func (r *refWriter) p(format string, args ...any) {
	if r.err == nil {
		_, r.err = fmt.Fprintf(r.w, format+"\n", args...)
	}
}

// code quotes s as inline code for a table cell.
func code(s string) string {
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

func codes(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return strings.Join(out, ", ")
}

func (r *refWriter) intro() {
	r.p("# Inputs")
	r.p("")
	r.p("<!-- Generated by ingest.WriteReference from ingest's own tables; do not edit. Regenerate: make docs -->")
	r.p("")
	r.p("What civicscore reads: the five kinds of input, the file formats and encodings, every canonical")
	r.p("column with its type and built-in header aliases, the spellings accepted for enum values, the")
	r.p("forms of timestamps and durations, how personal data is dropped or hashed, and why a row is")
	r.p("rejected. This page is generated from the tables the ingest code itself reads, and every example")
	r.p("on it is run through the real readers by the tests, so it says what the code does. Config keys are")
	r.p("in [config.md](config.md); the tables the rows land in are in [schema.md](schema.md).")
	r.p("")
	r.p("## Files")
	r.p("")
	r.p("Config `inputs.<kind>` lists, for each kind, paths, globs (`data/cases/*.csv`) or folders. A glob's")
	r.p("matches and a folder's files are read in name order; in a folder, hidden files, Excel lock files")
	r.p("(`~$…`) and files of other extensions are skipped. Communities are loaded first, since the other")
	r.p("kinds refer to them.")
	r.p("")
	r.p("| kind | clean table | what one row is |")
	r.p("|---|---|---|")
	rows := map[civicscore.Kind]string{
		civicscore.KindCommunities: "a community (社区): the dimension every other input refers to",
		civicscore.KindStrata:      "a community's or a district's population in one stratum (age group, optionally gender), for survey weighting; read only when configured",
		civicscore.KindCases:       "a case: grid event, 12345 hotline work order or resident report",
		civicscore.KindServices:    "a community service delivered",
		civicscore.KindSurveys:     "a resident's survey response",
	}
	for _, k := range civicscore.Kinds {
		table := code(kindTables[k])
		if k == civicscore.KindSurveys {
			table += " (view `surveys`: the responses the quality filter keeps)"
		}
		r.p("| %s | %s | %s |", code(string(k)), table, rows[k])
	}
	r.p("")
	r.p("A file is recognised by its extension (case-insensitive):")
	r.p("")
	r.p("| extension | read as |")
	r.p("|---|---|")
	exts := sortedKeys(formats)
	for _, e := range exts {
		r.p("| %s | %s |", code(e), formatDocs[formats[e]])
	}
	r.p("")
	r.p("An unchanged file is not read again: the manifest `ingest_files` recognises it by path, size and")
	r.p("modification time, or by its SHA-256. A file that cannot be read at all (missing, empty, no header,")
	r.p("a required column missing, a damaged workbook, JSON cut short) stops the run with an error that")
	r.p("names it; bad rows do not: they are rejects.")
	r.p("")
	r.p("### Encodings")
	r.p("")
	r.p("Delimited text may be UTF-8, with or without a byte-order mark, or GB18030 (which includes GBK and")
	r.p("GB2312). With config `encoding: auto` (the default) a file whose bytes are all valid UTF-8 is read")
	r.p("as UTF-8, any other as GB18030; `utf-8` or `gb18030` (alias `gbk`) forces one. Refused, with the")
	r.p("line named: UTF-16 text (save as UTF-8 or GB18030), NUL bytes (not a text export), a file that")
	r.p("mixes UTF-8 Chinese lines with GB18030 lines, bytes that are not UTF-8 when `utf-8` is forced, and")
	r.p("UTF-8 Chinese text when `gb18030` is forced. JSON must be UTF-8.")
	r.p("")
	r.p("### Headers")
	r.p("")
	r.p("The first row is the header. Each canonical column takes the first header cell that matches, in")
	r.p("this order: its canonical name, the aliases of config `mapping.<kind>.<column>`, then the built-in")
	r.p("aliases below. Matching ignores case, the spaces around a header (also full-width ones) and a")
	r.p("byte-order mark; a header cell serves one column only. A header that matches no column is an")
	r.p("extra column: kept, as JSON, in the clean table's `extra` (personal numbers masked, see Personal")
	r.p("data), never published. Extra cells that are empty leave no key.")
	r.p("")
	r.p("In the column tables, *required* says: **yes**, the header must have the column and a row whose")
	r.p("value is empty is rejected as `missing_required`; **column**, the header must have it but a value")
	r.p("may be empty. Values are trimmed of white space (also no-break and full-width spaces); an empty")
	r.p("value is NULL.")
	r.p("")
}

// typeCell describes a column's type for its table.
func typeCell(c Column) string {
	switch c.Type {
	case TypeEnum:
		s := "one of [" + c.Enum + "](#" + anchor("values: "+c.Enum) + ")"
		if c.OtherWhenUnknown {
			s += "; unknown: `other`"
		}
		return s
	case TypeBool:
		return "[boolean](#" + anchor("values: bool") + ")"
	case TypeAnswer:
		return "[answer 1..5](#" + anchor("values: likert") + ")"
	case TypeTimestamp, TypeDate:
		return "[" + string(c.Type) + "](#timestamps-and-dates)"
	case TypeDuration:
		return "[duration](#durations) in seconds, >= 0"
	case TypeCount, TypeCountMin1, TypeAmount:
		return "[" + string(c.Type) + "](#numbers)"
	}
	if c.Hashed {
		return "text, stored hashed"
	}
	return string(c.Type)
}

// anchor is the GitHub anchor of a heading.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune('-')
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (r *refWriter) kind(k civicscore.Kind) error {
	r.p("## %s", k)
	r.p("")
	r.p("| column | type | required | built-in header aliases | holds |")
	r.p("|---|---|---|---|---|")
	for _, c := range Columns[k] {
		req := ""
		if c.Required {
			v, err := valueRequired(k, c.Name)
			if err != nil {
				return err
			}
			req = "column"
			if v {
				req = "yes"
			}
		}
		r.p("| %s | %s | %s | %s | %s |", code(c.Name), typeCell(c), req, codes(c.Aliases), c.Doc)
	}
	r.p("")
	rules, err := RejectRules(k)
	if err != nil {
		return err
	}
	r.p("A row is filed in `rejects` under the first of these reasons it meets:")
	r.p("")
	for i, rule := range rules {
		r.p("%d. `%s`: %s", i+1, rule.Reason, rule.Doc)
	}
	r.p("")
	return nil
}

func (r *refWriter) enums() error {
	used := map[string][]string{}
	policy := map[string]map[bool]bool{}
	for _, k := range civicscore.Kinds {
		for _, c := range Columns[k] {
			if c.Enum == "" {
				continue
			}
			used[c.Enum] = append(used[c.Enum], string(k)+"."+c.Name)
			if policy[c.Enum] == nil {
				policy[c.Enum] = map[bool]bool{}
			}
			policy[c.Enum][c.OtherWhenUnknown] = true
		}
	}
	r.p("## Values")
	r.p("")
	r.p("Enum, boolean and answer columns accept their canonical values and the spellings below; matching")
	r.p("ignores the spaces around a value and the case of Latin letters, and is otherwise exact")
	r.p("(`满意 ` is `满意`, `满意度高` matches nothing). A value that matches nothing rejects the row as")
	r.p("`bad_enum`, except in a column marked \"unknown: `other`\", where it becomes `other` and is counted")
	r.p("on the data-quality page. *(no answer)* is stored as NULL.")
	r.p("")
	for _, e := range Enums {
		cols := used[e.Field]
		if len(cols) == 0 {
			return fmt.Errorf("enum %s: no column uses it", e.Field)
		}
		r.p("### values: %s", e.Field)
		r.p("")
		var unknown string
		switch {
		case policy[e.Field][true] && policy[e.Field][false]:
			return fmt.Errorf("enum %s: its columns treat unknown values differently", e.Field)
		case policy[e.Field][true]:
			unknown = "an unknown value becomes `other`"
		case e.Field == "likert":
			unknown = "an unknown value rejects the whole response (`bad_enum`)"
		default:
			unknown = "an unknown value rejects the row (`bad_enum`)"
		}
		r.p("Columns: %s; %s.", codes(cols), unknown)
		r.p("")
		r.p("| value | also accepted |")
		r.p("|---|---|")
		for _, v := range e.Values {
			name := code(v.Canonical)
			if v.Canonical == "" {
				name = "*(no answer)*"
			}
			r.p("| %s | %s |", name, codes(v.Spellings))
		}
		r.p("")
	}
	return nil
}

func exampleTable(r *refWriter, head string, exs []example, none string) {
	r.p("| %s | read as |", head)
	r.p("|---|---|")
	for _, e := range exs {
		out := code(e.out)
		if e.out == "" {
			out = none
		}
		r.p("| %s | %s |", code(e.in), out)
	}
	r.p("")
}

func (r *refWriter) times() {
	r.p("## Timestamps and dates")
	r.p("")
	r.p("Timestamps are stored as local time (`TIMESTAMP`). A timestamp without a zone is local time in")
	r.p("config `timezone`; one with a zone (`Z`, `+08:00`, `+0800`, `+08`, `-05:00` after the time) is")
	r.p("converted to it. Read: `YYYY-MM-DD`, `YYYY/MM/DD` and `YYYY.MM.DD`, each alone (midnight) or with")
	r.p("`HH:MM[:SS[.fff]]` after a space (or `T` for the dashed form); in the dashed and slashed forms")
	r.p("the month, day and hour may be unpadded.")
	r.p("A year outside 2000..2099 or a day that does not exist is not a timestamp: the row is rejected as")
	r.p("`bad_timestamp`. Other forms are not read; convert them before loading. A date column")
	r.p("(`service_date`) takes the date as written of any of these forms. Examples, for")
	r.p("`timezone: Asia/Shanghai`:")
	r.p("")
	exampleTable(r, "value", timestampExamples, "not read: `bad_timestamp`")
	r.p("In `.xlsx` workbooks, a timestamp or date cell stored as an Excel date serial (days since")
	r.p("1899-12-30, the fraction the time of day) is converted first:")
	r.p("")
	exampleTable(r, "cell", excelExamples, "kept as text")
	r.p("## Durations")
	r.p("")
	r.p("`duration_seconds` takes a number of seconds, or a number with a unit: 秒, 秒钟, s, sec (seconds),")
	r.p("分, 分钟, min (minutes), 小时, h (hours). Anything else, or a negative duration, rejects the response")
	r.p("as `bad_number`.")
	r.p("")
	exampleTable(r, "value", durationExamples, "not read: `bad_number`")
	r.p("## Numbers")
	r.p("")
	r.p("Number columns take decimal numbers; commas (thousands separators) are removed first. A whole")
	r.p("number column takes no fraction (`12.0` is 12, `12.5` is rejected). A value that is not a number,")
	r.p("or out of range, rejects the row as `bad_number`.")
	r.p("")
	exampleTable(r, "value", numberExamples, "not a number: `bad_number`")
}

func (r *refWriter) open311() error {
	plan, err := planHeaders(civicscore.KindCases, open311Fields, mergeMapping(nil, open311Mapping), nil)
	if err != nil {
		return fmt.Errorf("open311 fields: %w", err)
	}
	r.p("## Open311 JSON")
	r.p("")
	r.p("A `.json` file of cases is an Open311 GeoReport v2 array of service requests (`[{...}, ...]`),")
	r.p("one case per request; a file cut short, or with more after the closing `]`, is refused. Only these")
	r.p("fields are read (`mapping.cases` can name them like headers):")
	r.p("")
	r.p("| field | becomes |")
	r.p("|---|---|")
	for i, f := range open311Fields {
		var to string
		switch t := plan.target[i]; t {
		case "":
			to = "extra column"
		case "-":
			to = "dropped (personal)"
		default:
			to = code(t)
		}
		switch f {
		case "status":
			to += "; `closed` without `closed_datetime`: `updated_datetime` is the closing time"
		case "agency_responsible":
			to += ", by the level of government it names (below)"
		}
		r.p("| %s | %s |", code(f), to)
	}
	r.p("")
	r.p("`agency_responsible` is free text; the level is guessed from it: 社区 or 居委 is `community`, 块区 or")
	r.p("片区 `block`, 街道 or a township (乡, 镇; not in 城乡, 城镇, 乡村) `street`, text starting with 市 or")
	r.p("holding 市级 `city`, any other holding 区 `district`. Other text is kept and must then be a")
	r.p("spelling of resolution_level, or the row is rejected as `bad_enum`.")
	r.p("")
	exampleTable(r, "agency_responsible", agencyExamples, "")
	return nil
}

func (r *refWriter) personal() {
	r.p("## Personal data")
	r.p("")
	r.p("No indicator needs a resident's name, phone, ID number, address or complaint text, and none is")
	r.p("stored. A column whose header is one of these (matched as headers are) is dropped as the file is")
	r.p("read, in every kind, unless it is mapped to a canonical column; config `personal.<kind>` names more:")
	r.p("")
	r.p("%s", codes(personalAliases))
	r.p("")
	var hashed []string
	for _, k := range civicscore.Kinds {
		for _, c := range Columns[k] {
			if c.Hashed {
				hashed = append(hashed, string(k)+"."+c.Name)
			}
		}
	}
	sort.Strings(hashed)
	r.p("These columns are replaced, as they are read, by the SHA-256 of the salt (`CIVICSCORE_SALT`)")
	r.p("followed by the trimmed value, so the database never holds the identifier as given: %s.", codes(hashed))
	r.p("")
	r.p("Phone and ID numbers in the text that is kept (extra columns, and a rejected row's `raw` and")
	r.p("`detail`) are masked: mainland mobile numbers (with or without +86, spaces or dashes), landlines")
	r.p("with an area code and a dash, and 18- or 15-digit resident ID numbers, each where no digit touches")
	r.p("it.")
	r.p("")
	exampleTable(r, "text", scrubExamples, "")
}

func (r *refWriter) rejects() {
	r.p("## Rejects")
	r.p("")
	r.p("Every row read lands in its clean table or in `rejects` (`kind`, `source_file`, `source_row`,")
	r.p("`reason`, `detail`, `raw`), nowhere else and never lost. `source_row` is the row in the file (the header is row 1;")
	r.p("in JSON, the request's number from 1); `detail` names the column and the value; `raw` is the row as")
	r.p("read, personal columns dropped or hashed. The reasons of each kind, in the order they are tried,")
	r.p("are listed under the kind above.")
}
