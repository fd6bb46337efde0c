package ingest

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/civicscore/civicscore"
)

// Normalisation: what happens to the staged text of a file before the
// validation SQL (sql/<kind>.sql) types it. The config keys formats, values
// and derive, applied by SQL over the staged rows (never row by row in Go):
//
//   - formats: each timestamp column is read with one layout, found per
//     column over its values (DetectedLayout), the config's layouts first;
//   - values: config aliases join the built-in spellings in enum_alias;
//   - derive: a column filled from another column by ordered rules, a
//     default, or a lookup of a community's name.
//
// The stage the kind scripts read is a view over stage_base (what the
// readers staged) that applies all three.

// Derive fills one canonical column from a column of the file (config
// derive.<kind>.<column>).
type Derive struct {
	// From is the header of the column read ("" for a constant Default).
	From string
	// Rules are tried in order; the first whose Match is found wins.
	Rules []DeriveRule
	// Default is the value when no rule matches (or, without From, always).
	Default string
	// Lookup is "" or "community_name": the value is a community's name,
	// replaced by its community_id.
	Lookup string
}

// DeriveRule is one rule of a Derive.
type DeriveRule struct {
	// Match is a substring (alternatives separated by |, Latin letters
	// folded to lower case, full-width folded) or /regex/ (RE2).
	Match string
	// Value is what the column gets when Match is found.
	Value string
}

// LevelRules are the built-in rules that read the level of government from
// the name of a handling unit (承办单位), in order: 居委/社区 → community,
// 块区/片区 → block, 街道/乡镇 → street, 区…局/委/办/中心 → district, 市… →
// city. They are a suggestion (inspect offers them as a derive for
// resolution_level), never applied unless the config names them.
var LevelRules = []DeriveRule{
	{Match: "居委|社区", Value: "community"},
	{Match: "块区|片区", Value: "block"},
	{Match: "街道|乡镇|镇政府|乡政府", Value: "street"},
	{Match: "/区.*(局|委|办|中心)/", Value: "district"},
	{Match: "/^市|市级|市.*(局|委|办|中心)/", Value: "city"},
}

// deriveRegex returns the regular expression of a match written between
// slashes, and whether it is one.
func deriveRegex(match string) (string, bool) {
	if len(match) >= 2 && strings.HasPrefix(match, "/") && strings.HasSuffix(match, "/") {
		return match[1 : len(match)-1], true
	}
	return "", false
}

// MatchRules returns the value of the first rule whose match is found in
// v, and whether one is: the Go twin of the derive SQL, for inspect.
func MatchRules(rules []DeriveRule, v string) (string, bool) {
	key := strings.ToLower(foldWidth(trimSpace(v)))
	for _, r := range rules {
		if re, ok := deriveRegex(r.Match); ok {
			if rx, err := regexp.Compile(re); err == nil && rx.MatchString(trimSpace(v)) {
				return r.Value, true
			}
			continue
		}
		for _, alt := range strings.Split(r.Match, "|") {
			if a := strings.ToLower(foldWidth(alt)); a != "" && strings.Contains(key, a) {
				return r.Value, true
			}
		}
	}
	return "", false
}

// foldWidth folds full-width ASCII forms (U+FF01..U+FF5E) and the
// ideographic space to ASCII, as the SQL macro cs_fw does.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// valueKey is the key a value is matched by against spellings and
// aliases: trimmed, full-width folded, Latin letters in lower case (the SQL
// macro cs_key).
func valueKey(s string) string { return strings.ToLower(foldWidth(trimSpace(s))) }

// column returns the canonical column name of kind, and whether it exists.
func column(kind civicscore.Kind, name string) (Column, bool) {
	for _, c := range Columns[kind] {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// canonicalValues returns the canonical values of an enum field ("" left out).
func canonicalValues(field string) []string {
	for _, e := range Enums {
		if e.Field == field {
			var out []string
			for _, v := range e.Values {
				if v.Canonical != "" {
					out = append(out, v.Canonical)
				}
			}
			return out
		}
	}
	return nil
}

// checkNormalisation checks the formats, values and derive of opts against
// the columns: each names a column of its kind of the right type, and every
// alias target or derived enum value is canonical. The error wraps
// civicscore.ErrConfig and names each bad key.
func checkNormalisation(opts Options) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	kindOf := func(k string) (civicscore.Kind, bool) {
		for _, kk := range civicscore.Kinds {
			if string(kk) == k {
				return kk, true
			}
		}
		return "", false
	}
	for _, k := range sortedKeys(opts.Formats) {
		kind, ok := kindOf(k)
		if !ok {
			bad("formats."+k, "unknown input kind")
			continue
		}
		for _, col := range sortedKeys(opts.Formats[k]) {
			if col == "*" {
				continue
			}
			c, ok := column(kind, col)
			if !ok || (c.Type != TypeTimestamp && c.Type != TypeDate) {
				bad("formats."+k+"."+col, "not a timestamp column of %s; want one of %s or \"*\"", k, strings.Join(timestampColumns(kind), ", "))
			}
		}
	}
	for _, k := range sortedKeys(opts.Values) {
		kind, ok := kindOf(k)
		if !ok {
			bad("values."+k, "unknown input kind")
			continue
		}
		for _, col := range sortedKeys(opts.Values[k]) {
			c, ok := column(kind, col)
			if !ok || c.Enum == "" {
				bad("values."+k+"."+col, "not an enum, boolean or answer column of %s", k)
				continue
			}
			canon := canonicalValues(c.Enum)
			for _, alias := range sortedKeys(opts.Values[k][col]) {
				target := strings.TrimSpace(opts.Values[k][col][alias])
				if target != "" && !slices.Contains(canon, target) {
					bad(fmt.Sprintf("values.%s.%s.%s", k, col, strconv.Quote(alias)), "%q is not a value of %s; want one of %s (or empty for no answer)", target, col, strings.Join(canon, ", "))
				}
			}
		}
	}
	for _, k := range sortedKeys(opts.Derive) {
		kind, ok := kindOf(k)
		if !ok {
			bad("derive."+k, "unknown input kind")
			continue
		}
		for _, col := range sortedKeys(opts.Derive[k]) {
			d := opts.Derive[k][col]
			key := "derive." + k + "." + col
			c, ok := column(kind, col)
			if !ok {
				bad(key, "not a column of %s; want one of %s", k, strings.Join(columnNames(kind), ", "))
				continue
			}
			if c.Hashed {
				bad(key, "%s is hashed at ingest and cannot be derived", col)
			}
			if d.Lookup != "" && col != "community_id" {
				bad(key+".lookup", "lookup: community_name fills community_id only")
			}
			if d.From == "" && len(d.Rules) == 0 && d.Default == "" {
				bad(key, "needs from or a default")
			}
			if d.From == "" && (len(d.Rules) > 0 || d.Lookup != "") {
				bad(key+".from", "rules and lookup need a from column")
			}
			check := func(sub, v string) {
				if c.Enum == "" || v == "" {
					return
				}
				if canon := canonicalValues(c.Enum); !slices.Contains(canon, v) {
					bad(key+sub, "%q is not a value of %s; want one of %s", v, col, strings.Join(canon, ", "))
				}
			}
			for i, r := range d.Rules {
				rk := fmt.Sprintf(".rules[%d]", i)
				if re, ok := deriveRegex(r.Match); ok {
					if _, err := regexp.Compile(re); err != nil {
						bad(key+rk+".match", "%q is not a valid regular expression: %v", r.Match, err)
					}
				} else if strings.Trim(r.Match, "|") == "" {
					bad(key+rk+".match", "must not be empty")
				}
				if d.Lookup == "" {
					check(rk+".value", r.Value)
				}
			}
			if d.Lookup == "" {
				check(".default", d.Default)
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", civicscore.ErrConfig, errors.Join(errs...))
}

// timestampColumns names the timestamp and date columns of kind.
func timestampColumns(kind civicscore.Kind) []string {
	var out []string
	for _, c := range Columns[kind] {
		if c.Type == TypeTimestamp || c.Type == TypeDate {
			out = append(out, c.Name)
		}
	}
	return out
}

// fillEnumAliases fills the temp table enum_alias: per enum, boolean and
// answer column (field = the column's name), every built-in spelling of its
// enum, then the config's values aliases, which replace a built-in spelling
// with the same key. origin tells them apart (builtin, config).
func (s *session) fillEnumAliases(opts Options) error {
	var vals []string
	var args []any
	for _, kind := range civicscore.Kinds {
		for _, c := range Columns[kind] {
			if c.Enum == "" {
				continue
			}
			m := map[string]string{}
			origin := map[string]string{}
			for sp, canon := range enumAliases[c.Enum] {
				k := valueKey(sp)
				m[k], origin[k] = canon, "builtin"
			}
			for alias, target := range opts.Values[string(kind)][c.Name] {
				k := valueKey(alias)
				m[k], origin[k] = strings.TrimSpace(target), "config"
			}
			for _, k := range sortedKeys(m) {
				vals = append(vals, "(?, ?, ?, ?)")
				args = append(args, c.Name, k, m[k], origin[k])
			}
		}
	}
	return s.exec("INSERT INTO enum_alias VALUES "+strings.Join(vals, ", "), args...)
}

// fillDeriveRules fills the temp tables derive_spec (one row per derived
// column: key kind.column, its default and lookup) and derive_rule (one row
// per rule alternative: a substring in match form, or a regex), all as
// bound parameters.
func (s *session) fillDeriveRules(opts Options) error {
	var specs, rules []string
	var sargs, rargs []any
	for _, k := range sortedKeys(opts.Derive) {
		for _, col := range sortedKeys(opts.Derive[k]) {
			d := opts.Derive[k][col]
			key := k + "." + col
			var dflt any
			if d.Default != "" {
				dflt = strings.TrimSpace(d.Default)
			}
			specs = append(specs, "(?, ?, ?, ?)")
			sargs = append(sargs, key, dflt, d.Lookup == "community_name", len(d.Rules) > 0)
			for i, r := range d.Rules {
				if re, ok := deriveRegex(r.Match); ok {
					rules = append(rules, "(?, ?, true, ?, ?)")
					rargs = append(rargs, key, i, re, strings.TrimSpace(r.Value))
					continue
				}
				for _, alt := range strings.Split(r.Match, "|") {
					if a := strings.ToLower(foldWidth(alt)); a != "" {
						rules = append(rules, "(?, ?, false, ?, ?)")
						rargs = append(rargs, key, i, a, strings.TrimSpace(r.Value))
					}
				}
			}
		}
	}
	if len(specs) > 0 {
		if err := s.exec("INSERT INTO derive_spec VALUES "+strings.Join(specs, ", "), sargs...); err != nil {
			return err
		}
	}
	if len(rules) > 0 {
		return s.exec("INSERT INTO derive_rule VALUES "+strings.Join(rules, ", "), rargs...)
	}
	return nil
}

// fromColumn is the stage column that carries the from column of a derive.
func fromColumn(col string) string { return "_from_" + col }

// Layout families: the built-in timestamp layouts a column can be read
// with. iso is DuckDB's own cast and the forms cs_ts_raw reads
// (YYYY-MM-DD[ T]HH:MM[:SS[.fff]] with or without zone, YYYY/M/D H:MM[:SS],
// YYYY-MM-DD); the others are strptime lists.
const (
	LayoutISO     = "iso"
	LayoutMDY     = "month/day/year"
	LayoutDMY     = "day/month/year"
	LayoutChinese = "chinese"
	LayoutCompact = "compact"
	LayoutConfig  = "config"
)

// builtinLayouts are the strptime lists of the built-in layout families
// but iso, in the order they are tried when two read as many values. may is
// a cheap SQL test of a value v that every value the family reads passes
// (strptime matches a format's literal characters exactly, and numbers are
// digits), so that strptime, slow when it fails, runs only on those.
var builtinLayouts = []struct {
	name    string
	formats []string
	may     string
}{
	{LayoutMDY, slashLayouts("%m/%d/%Y"), "contains(v, '/')"},
	{LayoutDMY, slashLayouts("%d/%m/%Y"), "contains(v, '/')"},
	{LayoutChinese, []string{"%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M:%S", "%Y年%m月%d日%H:%M", "%Y年%m月%d日 %H时%M分%S秒", "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日"}, "contains(v, '年')"},
	{LayoutCompact, []string{"%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d"}, `NOT regexp_matches(v, '[^0-9\s\x0b]')`},
}

// slashLayouts are the 12- and 24-hour forms of a slash date.
func slashLayouts(date string) []string {
	return []string{date + " %I:%M:%S %p", date + " %I:%M %p", date + " %H:%M:%S", date + " %H:%M", date}
}

// LayoutSample is the number of a column's values its layout is judged on
// (the first non-empty ones); the day/month order is judged on all of them.
const LayoutSample = 20000

// DetectedLayout is the timestamp layout found for one column of a file.
type DetectedLayout struct {
	// Column is the canonical column.
	Column string
	// Header is the file's header of the column.
	Header string
	// Layout is the family: iso, month/day/year, day/month/year, chinese,
	// compact, or config (the formats of the config).
	Layout string
	// Formats are the strptime formats the column is read with (none for iso).
	Formats []string
	// Key is the config key the layout came from, or the one to set to
	// choose another ("formats.cases.reported_at").
	Key string
	// Values is the number of non-empty values judged (at most LayoutSample),
	// Parsed how many of them the layout reads.
	Values, Parsed int64
}

// detectLayouts finds the layout of every timestamp column of the staged
// file (stage_base), set-wise in SQL over the first LayoutSample non-empty
// values of each: the config's layouts for the column (or "*") first, then
// the built-in family that reads the most values (iso on a tie). A slash
// date is judged month/day or day/month over all of the column's values,
// as the contract says: a first field over 12 means D/M, a second field over
// 12 means M/D; neither (every value ambiguous) or both is an error naming
// the formats key to set.
func (s *session) detectLayouts(kind civicscore.Kind, plan *headerPlan, opts Options) ([]DetectedLayout, error) {
	var out []DetectedLayout
	formats := opts.Formats[string(kind)]
	starUsed := false
	starGiven := len(formats["*"]) > 0
	anyValues := false
	for _, col := range timestampColumns(kind) {
		i := plan.index[col]
		if i < 0 {
			continue
		}
		d := DetectedLayout{Column: col, Header: plan.headers[i], Key: "formats." + string(kind) + "." + col}
		user, key := formats[col], d.Key
		if len(user) == 0 && starGiven {
			user, key = formats["*"], "formats."+string(kind)+".\"*\""
		}
		if len(user) > 0 {
			if err := s.setLayoutVariable("user", user); err != nil {
				return nil, err
			}
		}
		counts, err := s.layoutCounts(col, len(user) > 0)
		if err != nil {
			if len(user) > 0 {
				return nil, fmt.Errorf("%s: %v: %w", key, err, civicscore.ErrConfig)
			}
			return nil, fmt.Errorf("timestamp layout of column %s: %w", col, err)
		}
		d.Values = counts[0]
		if d.Values == 0 {
			continue
		}
		anyValues = true
		if len(user) > 0 {
			if n := counts[len(counts)-1]; n > 0 {
				if key != d.Key {
					starUsed = true
				}
				d.Layout, d.Formats, d.Parsed, d.Key = LayoutConfig, user, n, key
				out = append(out, d)
				continue
			}
			if formats[col] != nil {
				return nil, fmt.Errorf("column %s (header %s): %s %q reads none of its values (such as %s): %w",
					col, strconv.Quote(d.Header), key, user, s.exampleValue(col), civicscore.ErrConfig)
			}
		}
		best, bestN := LayoutISO, counts[1]
		slash := counts[2] + counts[3] // a value read by either order
		if slash > bestN {
			best, bestN = LayoutMDY, slash
		}
		for j, b := range builtinLayouts[2:] {
			if n := counts[4+j]; n > bestN {
				best, bestN = b.name, n
			}
		}
		d.Layout, d.Parsed = best, bestN
		if best == LayoutMDY {
			order, err := s.dayMonthOrder(col, d, user == nil)
			if err != nil {
				return nil, err
			}
			d.Layout = order
			if order == LayoutMDY {
				d.Parsed = counts[2]
			} else {
				d.Parsed = counts[3]
			}
		}
		for _, b := range builtinLayouts {
			if b.name == d.Layout {
				d.Formats = b.formats
			}
		}
		out = append(out, d)
	}
	if starGiven && anyValues && !starUsed {
		return nil, fmt.Errorf("formats.%s.\"*\" %q reads none of the values of any timestamp column: %w", kind, formats["*"], civicscore.ErrConfig)
	}
	return out, nil
}

// layoutCounts counts, over the first LayoutSample non-empty values of the
// staged column col, the values (0), those the iso family reads (1), those
// each builtinLayouts family reads (2..) and, with user, those the formats
// in ingest_fmt_user read (last). A strptime that fails costs microseconds,
// so the families are tried only when iso leaves a value unread: when it
// reads them all no family can read more (iso wins ties), and their counts
// are left 0.
func (s *session) layoutCounts(col string, user bool) ([]int64, error) {
	sample := fmt.Sprintf(`WITH v AS (SELECT cs_text(%s) AS v FROM stage_base WHERE cs_text(%s) IS NOT NULL LIMIT %d)
SELECT `, col, col, LayoutSample)
	userTerm := "count(try_strptime(v, getvariable('ingest_fmt_user')))"
	terms := []string{"count(*)", "count(cs_ts_raw(v))"}
	if user {
		terms = append(terms, userTerm)
	}
	counts, err := s.queryInts(sample + strings.Join(terms, ", ") + " FROM v")
	if err != nil {
		return nil, err
	}
	if counts[0] == counts[1] {
		out := make([]int64, 2+len(builtinLayouts), 3+len(builtinLayouts))
		copy(out, counts[:2])
		if user {
			out = append(out, counts[2])
		}
		return out, nil
	}
	terms = terms[:2]
	for _, b := range builtinLayouts {
		terms = append(terms, "count(CASE WHEN "+b.may+" THEN try_strptime(v, "+sqlList(b.formats)+") END)")
	}
	if user {
		terms = append(terms, userTerm)
	}
	return s.queryInts(sample + strings.Join(terms, ", ") + " FROM v")
}

// dayMonthOrder judges a slash-date column over all its values.
func (s *session) dayMonthOrder(col string, d DetectedLayout, _ bool) (string, error) {
	n, err := s.queryInts(fmt.Sprintf(`SELECT coalesce(bool_or(try_cast(m.a AS INTEGER) > 12), false)::INTEGER,
       coalesce(bool_or(try_cast(m.b AS INTEGER) > 12), false)::INTEGER,
       coalesce(bool_or(regexp_matches(t, '[AaPp][Mm]\s*$')), false)::INTEGER
FROM (SELECT t, regexp_extract(t, '^([0-9]{1,2})/([0-9]{1,2})/[0-9]{4}', ['a', 'b']) AS m
      FROM (SELECT cs_text(%s) AS t FROM stage_base) WHERE t IS NOT NULL)`, col))
	if err != nil {
		return "", fmt.Errorf("day/month order of column %s: %w", col, err)
	}
	dayFirst, monthFirst := n[0] == 1, n[1] == 1
	// The hint writes the column's own clock: 12-hour with AM/PM, else 24-hour.
	clock := "%%H:%%M:%%S"
	if n[2] == 1 {
		clock = "%%I:%%M:%%S %%p"
	}
	hint := fmt.Sprintf(`set %s to ["%%m/%%d/%%Y `+clock+`"] (month first) or ["%%d/%%m/%%Y `+clock+`"] (day first), as the export writes them`, d.Key)
	switch {
	case dayFirst && monthFirst:
		return "", fmt.Errorf("column %s (header %s): some dates have a first field over 12 (day/month) and others a second field over 12 (month/day); %s: %w",
			col, strconv.Quote(d.Header), hint, civicscore.ErrInput)
	case dayFirst:
		return LayoutDMY, nil
	case monthFirst:
		return LayoutMDY, nil
	}
	return "", fmt.Errorf("column %s (header %s): every date reads both as month/day and as day/month (no field is over 12, such as %s); %s: %w",
		col, strconv.Quote(d.Header), s.exampleValue(col), hint, civicscore.ErrInput)
}

// exampleValue returns the first non-empty value of a staged column,
// quoted, for an error message.
func (s *session) exampleValue(col string) string {
	v, _ := s.queryString(fmt.Sprintf("SELECT cs_text(%s) FROM stage_base WHERE cs_text(%s) IS NOT NULL LIMIT 1", col, col))
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "..."
	}
	return strconv.Quote(v)
}

// setLayoutVariable sets the session variable ingest_fmt_<name> to the
// list of formats, passed as bound parameters.
func (s *session) setLayoutVariable(name string, formats []string) error {
	if err := s.exec("DELETE FROM ts_layout WHERE col = ?", name); err != nil {
		return err
	}
	vals := make([]string, len(formats))
	args := make([]any, 0, 3*len(formats))
	for i, f := range formats {
		vals[i] = "(?, ?, ?)"
		args = append(args, name, i, f)
	}
	if err := s.exec("INSERT INTO ts_layout VALUES "+strings.Join(vals, ", "), args...); err != nil {
		return err
	}
	return s.exec(fmt.Sprintf("SET VARIABLE ingest_fmt_%s = (SELECT list(layout ORDER BY n) FROM ts_layout WHERE col = '%s')", name, name))
}

// sqlList writes built-in formats (never user text) as a SQL list literal.
func sqlList(formats []string) string {
	q := make([]string, len(formats))
	for i, f := range formats {
		q[i] = "'" + strings.ReplaceAll(f, "'", "''") + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// queryInts returns the columns of the first row of q as integers.
func (s *session) queryInts(q string, args ...any) ([]int64, error) {
	rows, err := s.queryRow(q, args...)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(rows))
	for i, v := range rows {
		switch x := v.(type) {
		case int64:
			out[i] = x
		case int32:
			out[i] = int64(x)
		case nil:
		default:
			return nil, fmt.Errorf("query returned %T", v)
		}
	}
	return out, nil
}

// normalise creates the view stage over stage_base: timestamp columns read
// with their layouts, derived columns filled. It returns the layouts found.
func (s *session) normalise(kind civicscore.Kind, plan *headerPlan, opts Options) ([]DetectedLayout, error) {
	layouts, err := s.detectLayouts(kind, plan, opts)
	if err != nil {
		return nil, err
	}
	var replace, exclude, joins []string
	for _, l := range layouts {
		if len(l.Formats) == 0 {
			continue
		}
		if err := s.setLayoutVariable(l.Column, l.Formats); err != nil {
			return nil, err
		}
		replace = append(replace, fmt.Sprintf("cs_ts_norm(b.%s, getvariable('ingest_fmt_%s')) AS %s", l.Column, l.Column, l.Column))
	}
	derived := plan.derived
	if len(derived) > 0 {
		if err := s.deriveMap(kind, plan); err != nil {
			return nil, err
		}
	}
	for n, col := range derivedColumns(kind, derived) {
		key := string(kind) + "." + col
		if derived[col] < 0 {
			replace = append(replace, fmt.Sprintf("(SELECT dflt FROM derive_spec WHERE key = '%s') AS %s", key, col))
			continue
		}
		exclude = append(exclude, fromColumn(col))
		joins = append(joins, fmt.Sprintf("LEFT JOIN derive_map d%d ON d%d.key = '%s' AND d%d.v IS NOT DISTINCT FROM cs_text(b.%s)", n, n, key, n, fromColumn(col)))
		replace = append(replace, fmt.Sprintf("d%d.out AS %s", n, col))
	}
	sel := "b.*"
	if len(exclude) > 0 {
		sel += " EXCLUDE (" + strings.Join(exclude, ", ") + ")"
	}
	if len(replace) > 0 {
		sel += " REPLACE (" + strings.Join(replace, ", ") + ")"
	}
	return layouts, s.exec("CREATE OR REPLACE TEMP VIEW stage AS SELECT " + sel + " FROM stage_base b " + strings.Join(joins, " "))
}

// derivedColumns returns the derived columns of kind in column order.
func derivedColumns(kind civicscore.Kind, derived map[string]int) []string {
	var out []string
	for _, c := range Columns[kind] {
		if _, ok := derived[c.Name]; ok {
			out = append(out, c.Name)
		}
	}
	return out
}

// deriveMap fills the temp table derive_map: for every distinct value of
// each derived column's from column, the value the column gets (out) and
// whether a rule, the default or the lookup gave it (mapped). The rules run
// over the distinct values only, so a file of millions of rows with a few
// hundred handling units costs a few hundred rule checks. A value no rule
// matches, without a default, is passed on as it is, so that the validation
// rejects it with the value in its detail (bad_enum, unknown_community).
func (s *session) deriveMap(kind civicscore.Kind, plan *headerPlan) error {
	var parts []string
	for _, col := range derivedColumns(kind, plan.derived) {
		if plan.derived[col] < 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("SELECT DISTINCT '%s.%s' AS key, cs_text(%s) AS v FROM stage_base", kind, col, fromColumn(col)))
	}
	if len(parts) == 0 {
		return nil
	}
	return s.exec(`CREATE OR REPLACE TEMP TABLE derive_map AS
WITH v AS (` + strings.Join(parts, " UNION ALL ") + `),
hit AS (
    SELECT v.key, v.v, arg_min(r.value, r.n) AS value
    FROM v LEFT JOIN derive_rule r ON r.key = v.key AND v.v IS NOT NULL
        AND CASE WHEN r.regex THEN regexp_matches(v.v, r.pattern) ELSE contains(lower(cs_fw(v.v)), r.pattern) END
    GROUP BY v.key, v.v
),
names AS (
    SELECT cs_fw(cs_text(community_name)) AS k, any_value(community_id) AS id
    FROM communities GROUP BY 1 HAVING count(*) = 1
)
SELECT h.key, h.v,
    CASE WHEN sp.lookup THEN coalesce(n.id, sp.dflt, coalesce(h.value, h.v))
         ELSE coalesce(h.value, sp.dflt, h.v) END AS out,
    CASE WHEN sp.lookup THEN n.id IS NOT NULL OR sp.dflt IS NOT NULL
         ELSE h.value IS NOT NULL OR sp.dflt IS NOT NULL END AS mapped
FROM hit h
JOIN derive_spec sp ON sp.key = h.key
LEFT JOIN names n ON sp.lookup AND n.k = cs_fw(coalesce(h.value, h.v))`)
}

// recordValueCounts writes ingest_value_counts for the file just loaded:
// per column, the staged values mapped by a config alias (values), filled
// by a derive (derive), unknown in an optional enum column (other), or
// unknown in status (unknown_status).
func (s *session) recordValueCounts(kind civicscore.Kind, path string, plan *headerPlan) error {
	if err := s.exec("DELETE FROM ingest_value_counts WHERE kind = ? AND source_file = ?", string(kind), path); err != nil {
		return err
	}
	var with, parts []string
	for _, c := range Columns[kind] {
		_, isDerived := plan.derived[c.Name]
		switch {
		case isDerived && plan.derived[c.Name] < 0:
			parts = append(parts, fmt.Sprintf("SELECT '%s', 'derive', count(*) FROM stage_base", c.Name))
			continue
		case isDerived:
			parts = append(parts, fmt.Sprintf(`SELECT '%s', 'derive', count(*) FROM stage_base b JOIN derive_map d
    ON d.key = '%s.%s' AND d.v IS NOT DISTINCT FROM cs_text(b.%s) WHERE d.mapped`, c.Name, kind, c.Name, fromColumn(c.Name)))
		case plan.index[c.Name] < 0:
			continue
		}
		if c.Enum == "" {
			continue
		}
		// The column's distinct values and how many rows hold each: the
		// aliases are looked up once per value, not once per row (and the
		// text trimmed once per distinct raw text).
		d := "v_" + c.Name
		how := ""
		switch {
		case c.OtherWhenUnknown:
			how = "other"
		case c.Name == "status":
			how = "unknown_status"
		}
		if isDerived && how == "" {
			continue
		}
		with = append(with, fmt.Sprintf("%s AS MATERIALIZED (SELECT cs_text(v) AS v, sum(n) AS n FROM (SELECT %s AS v, count(*) AS n FROM stage GROUP BY 1) GROUP BY 1)", d, c.Name))
		if !isDerived {
			parts = append(parts, fmt.Sprintf(`SELECT '%s', 'values', coalesce(sum(d.n), 0) FROM %s d JOIN enum_alias e
    ON e.field = '%s' AND e.alias = cs_key(d.v) WHERE e.origin = 'config'`, c.Name, d, c.Name))
		}
		if how != "" {
			parts = append(parts, fmt.Sprintf(`SELECT '%s', '%s', coalesce(sum(d.n), 0) FROM %s d LEFT JOIN enum_alias e
    ON e.field = '%s' AND e.alias = cs_key(d.v) WHERE d.v IS NOT NULL AND e.alias IS NULL`, c.Name, how, d, c.Name))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	q := "INSERT INTO ingest_value_counts\n"
	if len(with) > 0 {
		q += "WITH " + strings.Join(with, ",\n") + "\n"
	}
	return s.exec(q+`SELECT ?, ?, c, how, n FROM (`+strings.Join(parts, "\nUNION ALL\n")+`) t(c, how, n) WHERE n > 0`, string(kind), path)
}
