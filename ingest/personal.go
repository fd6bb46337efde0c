package ingest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Personal data is dropped at ingest in two ways: by header (personalAliases
// and config personal.<kind>) and, with extra_columns: scan, by content:
// an unknown column is kept in the table's extra only when none of its
// values looks personal. A column found personal is dropped whole, and
// ingest_files.dropped_columns records it with the reason.

// The reasons a column is dropped, as recorded in ingest_files.dropped_columns.
const (
	DropPersonalHeader = "personal_header" // a built-in personal header name
	DropPersonalConfig = "personal_config" // named in config personal.<kind>
	DropExtraColumns   = "extra_columns_drop"
	DropPhone          = "phone"
	DropIDNumber       = "id_number"
	DropEmail          = "email"
	DropCoordinates    = "coordinates"
	DropAddress        = "address"
	DropLongText       = "long_text"
)

// DropReasons lists every reason a column is dropped, for the data-quality
// page and docs.
var DropReasons = []string{DropPersonalHeader, DropPersonalConfig, DropExtraColumns,
	DropPhone, DropIDNumber, DropEmail, DropCoordinates, DropAddress, DropLongText}

// maxFreeText is the longest value (in characters) an unknown column may
// hold and still be kept by the scan: longer text is free text, which may
// name or describe a person.
const maxFreeText = 50

// personalPatterns are what a value that looks personal matches, in the
// order a column's reason is chosen. The same RE2 syntax is read by Go's
// regexp (files parsed in Go) and DuckDB's regexp_matches (DuckDB's CSV
// reader), so one list serves both.
var personalPatterns = []struct{ reason, re string }{
	{DropEmail, `[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`},
	// Resident ID numbers: 18 digits with a birth date.
	{DropIDNumber, `(^|[^0-9])[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]([^0-9]|$)`},
	// Mainland mobile numbers, landlines with an area code, US numbers
	// with separators.
	{DropPhone, `(^|[^0-9])(\+?86[ -]?)?1[3-9][0-9]([ -]?[0-9]{4}){2}([^0-9]|$)`},
	{DropPhone, `(^|[^0-9])0[1-9][0-9]{1,2}-[0-9]{7,8}([^0-9]|$)`},
	{DropPhone, `(^|[^0-9])(\+?1[ .-]?)?(\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .-])[2-9][0-9]{2}[ .-][0-9]{4}([^0-9]|$)`},
	// A latitude/longitude pair, a WKT point, or one coordinate alone.
	{DropCoordinates, `-?[0-9]{1,3}\.[0-9]{4,}\s*[,，]\s*-?[0-9]{1,3}\.[0-9]{4,}`},
	{DropCoordinates, `(?i)POINT\s*\(`},
	{DropCoordinates, `^\s*-?[1-9][0-9]{0,2}\.[0-9]{5,}\s*$`},
	// Chinese addresses: a number with 号/栋/单元/室 (not a date's 6月1号),
	// or a road or street name followed by a number or a crossing.
	{DropAddress, `(^|[^月0-9０-９一二三四五六七八九十])[0-9０-９一二三四五六七八九十百]+\s*(号楼|号院|号|栋|幢|单元|室|弄)`},
	{DropAddress, `\p{Han}(路|街|巷|大道|胡同)\s*[0-9０-９一二三四五六七八九十东西南北与和交口]`},
	// English addresses: a house number and a street name.
	{DropAddress, `(?i)(^|[^0-9A-Za-z])[0-9]{1,6}(-[0-9]{1,4})?[A-Za-z]?\s+([A-Za-z0-9.'-]+\s+){0,4}(STREET|ST|AVENUE|AVE|ROAD|RD|BOULEVARD|BLVD|DRIVE|DR|LANE|LN|PLACE|PL|COURT|CT|WAY|PARKWAY|PKWY|TERRACE|HIGHWAY|HWY|SQUARE|SQ|BROADWAY|EXPRESSWAY)\.?($|[^A-Za-z])`},
}

var (
	// personalRe matches a value that any personal pattern matches.
	personalRe = regexp.MustCompile(personalAlternation())
	// personalRes are the patterns compiled one by one, for the reason.
	personalRes = func() []*regexp.Regexp {
		out := make([]*regexp.Regexp, len(personalPatterns))
		for i, p := range personalPatterns {
			out[i] = regexp.MustCompile(p.re)
		}
		return out
	}()
)

// personalAlternation is every personal pattern in one regular expression.
func personalAlternation() string {
	parts := make([]string, len(personalPatterns))
	for i, p := range personalPatterns {
		parts[i] = "(?:" + p.re + ")"
	}
	return strings.Join(parts, "|")
}

// personalReason returns why value v looks personal, "" when it does not.
func personalReason(v string) string {
	v = trimSpace(v)
	if v == "" {
		return ""
	}
	// The patterns first: "phone" says more than "long_text".
	if personalRe.MatchString(v) {
		for i, re := range personalRes {
			if re.MatchString(v) {
				return personalPatterns[i].reason
			}
		}
	}
	if utf8.RuneCountInString(v) > maxFreeText {
		return DropLongText
	}
	return ""
}

// personalKey folds a header for matching against personal header names:
// normHeader, without a trailing parenthesised note ("X Coordinate (State
// Plane)"), spaces, underscores, hyphens, dots and slashes ("e-mail",
// "E_Mail" and "email" are one).
func personalKey(h string) string {
	h = normHeader(h)
	for _, open := range []string{"(", "（"} {
		if i := strings.LastIndex(h, open); i > 0 && (strings.HasSuffix(h, ")") || strings.HasSuffix(h, "）")) {
			h = strings.TrimSpace(h[:i])
		}
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '.', '/', '\u3000':
			return -1
		}
		return r
	}, h)
}

// sqlLiteral quotes one of civicscore's own constants (never input text)
// as a SQL string literal.
func sqlLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// scanStaged decides, for a file staged by DuckDB's CSV reader, which of
// its unknown columns look personal: one aggregate over stage_raw, then,
// for each column found, one of its personal values to name the reason.
// The columns found are marked dropped in plan.
func (s *session) scanStaged(plan *headerPlan) error {
	ex := plan.extras()
	if len(ex) == 0 {
		return nil
	}
	re := sqlLiteral(personalAlternation())
	test := func(i int) string {
		return fmt.Sprintf("(length(cs_trim(c%d)) > %d OR regexp_matches(c%d, %s))", i, maxFreeText, i, re)
	}
	aggs := make([]string, len(ex))
	for j, i := range ex {
		aggs[j] = fmt.Sprintf("coalesce(bool_or(%s), false)", test(i))
	}
	rows, err := s.queryAll("SELECT " + strings.Join(aggs, ", ") + " FROM stage_raw")
	if err != nil {
		return fmt.Errorf("scan extra columns: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	for j, i := range ex {
		if hit, _ := rows[0][j].(bool); !hit {
			continue
		}
		// Column numbers only: c<i> is a generated identifier.
		v, err := s.queryString(fmt.Sprintf("SELECT c%d FROM stage_raw WHERE %s LIMIT 1", i, test(i)))
		if err != nil {
			return fmt.Errorf("scan extra columns: %w", err)
		}
		reason := personalReason(v)
		if reason == "" {
			reason = DropLongText // cs_trim and trimSpace trim alike; a safe default all the same
		}
		plan.drop(i, reason)
	}
	return nil
}

// drop marks header i as a dropped column, for reason.
func (p *headerPlan) drop(i int, reason string) {
	p.target[i] = "-"
	if p.dropped == nil {
		p.dropped = map[int]string{}
	}
	p.dropped[i] = reason
}

// droppedColumns returns the plan's dropped columns by their keys in
// extra and rejects.raw (columnKeys), with the reason of each.
func (p *headerPlan) droppedColumns() map[string]string {
	if len(p.dropped) == 0 {
		return nil
	}
	keys := columnKeys(p.headers)
	out := make(map[string]string, len(p.dropped))
	for i, r := range p.dropped {
		out[keys[i]] = r
	}
	return out
}

// droppedList formats dropped columns for the log: "header (reason), ...".
func droppedList(d map[string]string) string {
	var parts []string
	for _, h := range sortedKeys(d) {
		parts = append(parts, fmt.Sprintf("%q (%s)", h, d[h]))
	}
	return strings.Join(parts, ", ")
}

// dropScanned removes, after a file was staged in Go, the columns the scan
// found personal from the staged rows' extra and raw JSON (a JSON merge
// patch with null members removes those keys), and marks them dropped in
// plan. The keys are bound parameters.
func (s *session) dropScanned(plan *headerPlan, found map[int]string) error {
	if len(found) == 0 {
		return nil
	}
	keys := columnKeys(plan.headers)
	var members []string
	var args []any
	for _, i := range sortedInts(found) {
		members = append(members, "?, NULL")
		args = append(args, keys[i])
		plan.drop(i, found[i])
	}
	patch := "json_object(" + strings.Join(members, ", ") + ")"
	q := `UPDATE stage_go SET
		_extra = nullif(json_merge_patch(coalesce(_extra, '{}'), ` + patch + `)::VARCHAR, '{}'),
		_raw = json_merge_patch(_raw, ` + patch + `)::VARCHAR`
	return s.exec(q, append(args, args...)...)
}

func sortedInts[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
