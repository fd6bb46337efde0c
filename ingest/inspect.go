package ingest

import (
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/civicscore/civicscore"
)

// What `civicscore inspect` needs from ingest beyond Load: a file's header
// and distinct values read without loading it, where each header goes, a
// guess of the kind, of English headers and of value aliases. The reject
// shares and layouts come from a real Load into a temporary database.

// ValueCount is one distinct value of a column and how many rows hold it.
type ValueCount struct {
	Value string
	N     int64
}

// FileSample is what a file holds, read without loading it.
type FileSample struct {
	// Format is csv, tsv, xlsx or json.
	Format string
	// Encoding is utf-8 or gb18030 (text files).
	Encoding string
	// Delimiter is "," or "\t" for text files, Sheet the worksheet read.
	Delimiter, Sheet string
	// Header are the header cells (for JSON: the keys of the requests).
	Header []string
	// Rows is the number of data rows.
	Rows int64
	// Values holds, per header index, the most frequent distinct values
	// (at most MaxSampleValues), most first; Distinct the number of
	// distinct values counted (at most maxCounted).
	Values   [][]ValueCount
	Distinct []int
}

// MaxSampleValues is the number of distinct values FileSample keeps per
// column.
const MaxSampleValues = 40

// maxCounted caps the distinct values counted per column (a free-text or
// id column would otherwise hold one entry per row).
const maxCounted = 5000

// SampleFile reads the file of kind (KindCases for JSON) as Load would,
// without loading it: its header, row count and distinct values.
func SampleFile(path string, kind civicscore.Kind, opts Options) (FileSample, error) {
	var fs FileSample
	sc, err := scanFile(path)
	if err != nil {
		return fs, errors.Join(civicscore.ErrInput, err)
	}
	ext := strings.ToLower(filepath.Ext(path))
	fs.Format = formats[ext]
	if fs.Format == "" {
		fs.Format = "csv"
	}
	enc := strings.ToLower(opts.Encoding)
	gb := enc == "gb18030" || enc == "gbk" || ((enc == "" || enc == "auto") && !sc.utf8)
	var src rowSource
	switch fs.Format {
	case "xlsx":
		fs.Sheet = opts.Sheet[string(kind)]
		xs, err := openXLSX(path, fs.Sheet)
		if err != nil {
			return fs, errors.Join(civicscore.ErrInput, err)
		}
		if fs.Sheet == "" {
			fs.Sheet = xs.f.GetSheetList()[0]
		}
		src = xs
	case "json":
		js, err := openOpen311(path)
		if err != nil {
			return fs, errors.Join(civicscore.ErrInput, err)
		}
		fs.Encoding = "utf-8"
		src = js
	default:
		comma := ','
		if fs.Format == "tsv" {
			comma = '\t'
		}
		fs.Delimiter = string(comma)
		fs.Encoding = "utf-8"
		if gb {
			fs.Encoding = "gb18030"
		}
		cs, err := openCSV(path, comma, gb)
		if err != nil {
			return fs, errors.Join(civicscore.ErrInput, err)
		}
		src = cs
	}
	defer src.Close()
	fs.Header = src.Header()
	counts := make([]map[string]int64, len(fs.Header))
	for i := range counts {
		counts[i] = map[string]int64{}
	}
	for {
		cells, _, rowErr, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fs, errors.Join(civicscore.ErrInput, err)
		}
		fs.Rows++
		if rowErr != "" {
			continue
		}
		for i := range min(len(cells), len(counts)) {
			v := trimSpace(cells[i])
			if v == "" {
				continue
			}
			if _, ok := counts[i][v]; ok || len(counts[i]) < maxCounted {
				counts[i][v]++
			}
		}
	}
	fs.Values = make([][]ValueCount, len(counts))
	fs.Distinct = make([]int, len(counts))
	for i, m := range counts {
		vs := make([]ValueCount, 0, len(m))
		for v, n := range m {
			vs = append(vs, ValueCount{v, n})
		}
		sort.Slice(vs, func(a, b int) bool {
			if vs[a].N != vs[b].N {
				return vs[a].N > vs[b].N
			}
			return vs[a].Value < vs[b].Value
		})
		fs.Distinct[i] = len(vs)
		fs.Values[i] = vs[:min(len(vs), MaxSampleValues)]
	}
	return fs, nil
}

// HeaderTarget is where one header of a file goes.
type HeaderTarget struct {
	Header string
	// Column is the canonical column, "" for an extra column.
	Column string
	// Personal: a personal column, dropped.
	Personal bool
}

// PlanColumns says where each header of a file of kind goes under the
// config's mapping, personal headers and derives (Open311's built-in
// mapping joins for JSON), and which required columns are missing.
func PlanColumns(kind civicscore.Kind, fs FileSample, opts Options) ([]HeaderTarget, []string, error) {
	mapping := opts.Mapping[string(kind)]
	if fs.Format == "json" {
		mapping = mergeMapping(mapping, open311Mapping)
	}
	derive := opts.Derive[string(kind)]
	p, _, err := planHeadersAll(kind, fs.Header, mapping, opts.Personal[string(kind)], derive)
	if err != nil {
		return nil, nil, err
	}
	out := make([]HeaderTarget, len(fs.Header))
	for i, h := range fs.Header {
		out[i] = HeaderTarget{Header: h}
		switch t := p.target[i]; t {
		case "-":
			out[i].Personal = true
		default:
			out[i].Column = t
		}
	}
	var missing []string
	for _, c := range Columns[kind] {
		if _, ok := derive[c.Name]; c.Required && !ok && p.index[c.Name] < 0 {
			missing = append(missing, c.Name)
		}
	}
	return out, missing, nil
}

// GuessKind returns the input kind whose required columns the header
// covers best (all of them first), under the config's mapping and the
// English header hints; JSON is always cases.
func GuessKind(fs FileSample, opts Options) civicscore.Kind {
	if fs.Format == "json" {
		return civicscore.KindCases
	}
	best, bestScore := civicscore.KindCases, -1.0
	for _, k := range civicscore.Kinds {
		targets, missing, err := PlanColumns(k, fs, opts)
		if err != nil {
			continue
		}
		guessed := GuessHeaders(k, targets)
		req, found := 0, 0
		for _, c := range Columns[k] {
			if c.Required {
				req++
				if !slices.Contains(missing, c.Name) || guessed[c.Name] != "" {
					found++
				}
			}
		}
		if score := float64(found) / float64(req); score > bestScore {
			best, bestScore = k, score
		}
	}
	return best
}

// headerHints are words in English export headers that suggest a
// canonical column, checked in order on headers no mapping or alias took
// (US 311 and other English exports). A guess, written as such into a
// draft config by inspect, never applied by Load.
var headerHints = map[civicscore.Kind][]struct{ column, hint string }{
	civicscore.KindCases: {
		{"case_id", "unique key"}, {"case_id", "request id"}, {"case_id", "case id"}, {"case_id", "ticket"}, {"case_id", "case number"},
		{"reported_at", "created date"}, {"reported_at", "created"}, {"reported_at", "opened"}, {"reported_at", "requested"}, {"reported_at", "reported"},
		{"closed_at", "closed date"}, {"closed_at", "closed"}, {"closed_at", "resolved date"}, {"closed_at", "completed"},
		{"due_at", "due date"}, {"due_at", "due"},
		{"updated_at", "updated"},
		{"category", "complaint type"}, {"category", "request type"}, {"category", "service name"}, {"category", "category"}, {"category", "type"},
		{"subcategory", "descriptor"}, {"subcategory", "subtype"},
		{"source", "channel"}, {"source", "source"}, {"source", "method received"},
		{"community_id", "community board"}, {"community_id", "community"}, {"community_id", "ward"}, {"community_id", "neighborhood"}, {"community_id", "neighbourhood"},
		{"status", "status"},
		// Chinese exports that use none of the built-in aliases
		// (government-message boards: 留言编号, 留言时间, 答复时间, 留言标题).
		{"case_id", "编号"}, {"case_id", "单号"},
		{"reported_at", "留言时间"}, {"reported_at", "来电时间"}, {"reported_at", "受理"}, {"reported_at", "创建时间"},
		{"closed_at", "答复时间"}, {"closed_at", "回复时间"}, {"closed_at", "办结"},
		{"category", "类型"}, {"category", "类别"}, {"category", "标题"},
	},
	civicscore.KindSurveys: {
		{"response_id", "response id"}, {"submitted_at", "submitted"}, {"community_id", "community"},
	},
}

// GuessHeaders guesses, for each canonical column of kind the targets
// leave unmapped, an unmapped, non-personal header that may hold it:
// column → header.
func GuessHeaders(kind civicscore.Kind, targets []HeaderTarget) map[string]string {
	mapped := map[string]bool{}
	for _, t := range targets {
		if t.Column != "" {
			mapped[t.Column] = true
		}
	}
	taken := map[int]bool{}
	out := map[string]string{}
	for _, h := range headerHints[kind] {
		if mapped[h.column] || out[h.column] != "" {
			continue
		}
		for i, t := range targets {
			if t.Column == "" && !t.Personal && !taken[i] && strings.Contains(normHeader(t.Header), h.hint) {
				out[h.column], taken[i] = t.Header, true
				break
			}
		}
	}
	// A built-in alias inside a longer header (问卷星 numbers its
	// questions: "2、您对本社区工作的总体评价").
	for _, c := range Columns[kind] {
		if mapped[c.Name] || out[c.Name] != "" {
			continue
		}
		for _, a := range c.Aliases {
			if len([]rune(a)) < 2 {
				continue
			}
			for i, t := range targets {
				if t.Column == "" && !t.Personal && !taken[i] && strings.Contains(normHeader(t.Header), normHeader(a)) {
					out[c.Name], taken[i] = t.Header, true
					break
				}
			}
			if out[c.Name] != "" {
				break
			}
		}
	}
	return out
}

// agencyHints are header words of a column naming the unit that handled
// a case, from which inspect offers a derive of resolution_level.
var agencyHints = []string{"承办单位", "办理单位", "处理单位", "责任单位", "承办部门", "处置单位", "agency", "department", "dept", "handling unit", "responsible"}

// AgencyColumn returns the header of a column that names the handling
// unit, and whether there is one.
func AgencyColumn(targets []HeaderTarget) (string, bool) {
	for _, hint := range agencyHints {
		for _, t := range targets {
			if !t.Personal && strings.Contains(normHeader(t.Header), hint) {
				return t.Header, true
			}
		}
	}
	return "", false
}

// EnglishLevelRules are the rules inspect offers with LevelRules for an
// English agency column: a neighbourhood unit is the community level, a
// department, bureau or office the district (with LevelDefault for names
// such as agency codes none matches).
var EnglishLevelRules = []DeriveRule{
	{Match: "neighborhood|neighbourhood|community", Value: "community"},
	{Match: "dept|department|bureau|office", Value: "district"},
}

// LevelDefault is the default inspect offers with the level rules: a unit
// none of them matches is taken for a city agency.
const LevelDefault = "city"

// communityNameHints are header words of a column holding a community's
// name, for a derive with lookup community_name.
var communityNameHints = []string{"所属社区", "社区名称", "社区", "小区", "ward", "community", "neighborhood", "neighbourhood"}

// CommunityNameColumn returns the header of a column that may hold the
// community's name, and whether there is one.
func CommunityNameColumn(targets []HeaderTarget) (string, bool) {
	for _, hint := range communityNameHints {
		for _, t := range targets {
			if t.Column == "" && !t.Personal && strings.Contains(normHeader(t.Header), hint) {
				return t.Header, true
			}
		}
	}
	return "", false
}

// MapValue returns what value v of canonical column col of kind maps to:
// a config alias (values) first, then the built-in spellings, matched as
// the validation SQL matches them (trimmed, full-width folded, Latin case
// folded). ok is false for a value nothing maps.
func MapValue(kind civicscore.Kind, col, v string, opts Options) (canonical string, ok bool) {
	c, found := column(kind, col)
	if !found || c.Enum == "" {
		return "", false
	}
	key := valueKey(v)
	for a, to := range opts.Values[string(kind)][col] {
		if valueKey(a) == key {
			return to, true
		}
	}
	for _, f := range Enums {
		if f.Field != c.Enum {
			continue
		}
		for _, ev := range f.Values {
			if valueKey(ev.Canonical) == key && ev.Canonical != "" {
				return ev.Canonical, true
			}
			for _, sp := range ev.Spellings {
				if valueKey(sp) == key {
					return ev.Canonical, true
				}
			}
		}
	}
	return "", false
}

// valueHints guess the canonical value of an unmapped source value by a
// word in it, per enum field, in order; inspect writes them into a draft
// as guesses.
var valueHints = map[string][]struct{ hint, value string }{
	"source": {
		{"call", "hotline"}, {"phone", "hotline"}, {"hotline", "hotline"}, {"电话", "hotline"}, {"热线", "hotline"},
		{"app", "app"}, {"mobile", "app"}, {"online", "app"}, {"web", "app"}, {"self service", "app"}, {"email", "app"}, {"网", "app"}, {"微信", "app"},
		{"walk", "walk_in"}, {"in person", "walk_in"}, {"counter", "walk_in"}, {"来访", "walk_in"},
		{"patrol", "grid_patrol"}, {"巡查", "grid_patrol"},
	},
	"callback_satisfaction": {
		{"基本", "basically_satisfied"}, {"不满意", "dissatisfied"}, {"一般", "dissatisfied"}, {"满意", "satisfied"},
	},
	"status": {
		{"cancel", "cancelled"}, {"close", "closed"}, {"open", "open"}, {"progress", "open"}, {"assigned", "open"},
	},
	"likert": {
		{"极好", "5"}, {"非常好", "5"}, {"很好", "5"}, {"较好", "4"}, {"比较好", "4"}, {"一般", "3"}, {"较差", "2"}, {"比较差", "2"}, {"很差", "1"}, {"极差", "1"},
	},
}

// GuessValue guesses the canonical value of v in column col of kind, for a
// value MapValue does not map: "" when there is no guess.
func GuessValue(kind civicscore.Kind, col, v string) string {
	c, found := column(kind, col)
	if !found {
		return ""
	}
	key := valueKey(v)
	for _, h := range valueHints[c.Enum] {
		if strings.Contains(key, h.hint) {
			return h.value
		}
	}
	return ""
}

// slashDate matches a day/month or month/day date and its 12-hour marker.
var slashDate = regexp.MustCompile(`^\s*([0-9]{1,2})/([0-9]{1,2})/[0-9]{4}(\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?(\s*([AaPp][Mm]))?`)

// SlashOrder judges sample values of a timestamp column: whether they are
// slash dates, and if so "month/day" or "day/month" when some value says
// so, "" when every one is ambiguous; ampm reports a 12-hour AM/PM time.
func SlashOrder(values []ValueCount) (slash bool, order string, ampm, seconds bool) {
	dayFirst, monthFirst := false, false
	for _, v := range values {
		m := slashDate.FindStringSubmatch(v.Value)
		if m == nil {
			continue
		}
		slash = true
		a, b := atoiSmall(m[1]), atoiSmall(m[2])
		dayFirst = dayFirst || a > 12
		monthFirst = monthFirst || b > 12
		ampm = ampm || m[6] != ""
		seconds = seconds || m[4] != ""
	}
	switch {
	case dayFirst && !monthFirst:
		order = LayoutDMY
	case monthFirst && !dayFirst:
		order = LayoutMDY
	}
	return
}

func atoiSmall(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// NameKey is the key a community name is matched by: trimmed, full-width
// folded, Latin letters in lower case.
func NameKey(s string) string { return valueKey(s) }
