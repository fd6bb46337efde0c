package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	// The IANA time zone database, embedded so that timezone validation and
	// AsOfTime work on hosts without one (Windows, minimal containers).
	_ "time/tzdata"

	"github.com/spf13/viper"

	"github.com/civicscore/civicscore"
)

// Config is the whole configuration of a run. The doc comment of each
// field is its meaning in docs/config.md (rendered by WriteReference).
type Config struct {
	// File is the config file loaded ("" when only defaults and environment apply).
	File string `mapstructure:"-"`
	// Timezone is the IANA time zone of timestamps written without a zone
	// (timestamps with a zone are converted to it), and of as_of. Must be a
	// zone name such as Asia/Shanghai.
	Timezone string `mapstructure:"timezone"`
	// AsOf is the data cut-off: YYYY-MM-DD[ HH:MM[:SS]] or RFC 3339, in
	// timezone; empty means the latest timestamp in cases.
	AsOf string `mapstructure:"as_of"`
	// Out is the output folder (database, report, Parquet); a relative path
	// resolves against the config file's folder. Must not be empty.
	Out string `mapstructure:"out"`
	// Inputs lists the export files of each input kind.
	Inputs Inputs `mapstructure:"inputs"`
	// Encoding is the encoding of delimited text inputs: auto (UTF-8 when the bytes are
	// valid UTF-8, else GB18030), utf-8 or gb18030 (also utf8, gbk).
	Encoding string `mapstructure:"encoding"`
	// Mapping adds header aliases, per input kind and canonical column:
	// mapping.surveys.q_overall: ["1、您对本社区工作的总体评价"]. They are tried
	// before the built-in aliases; each needs at least one alias.
	Mapping map[string]map[string][]string `mapstructure:"mapping"`
	// Personal names more header names, per input kind, of personal
	// columns to drop at ingest, besides the built-in ones (personal.cases:
	// ["走访记录"]).
	Personal map[string][]string `mapstructure:"personal"`
	// ExtraColumns says what happens to columns that are neither canonical
	// nor personal: scan keeps such a column (in the table's extra) only
	// when none of its values looks personal (a phone or ID-card number, an
	// e-mail, coordinates, a street address, free text over 50 characters)
	// and drops it otherwise; keep keeps every one; drop drops them all.
	// The columns dropped, and why, are in ingest_files.dropped_columns.
	ExtraColumns string `mapstructure:"extra_columns"`
	// Sheet names, per kind, the worksheet read from that kind's .xlsx
	// inputs (sheet.surveys: 答卷数据); a kind not named reads the first
	// sheet. Each must be a valid Excel sheet name.
	Sheet map[string]string `mapstructure:"sheet"`
	// Formats are timestamp layouts, per input kind and column (or "*" for
	// every timestamp column of the kind), tried before the built-in ones:
	// formats.cases."*": ["%m/%d/%Y %I:%M:%S %p"]. Written strftime-style, as
	// DuckDB's strptime reads them (%Y %m %d %H %I %M %S %p %z ...). A column
	// is read with one layout; a layout given for a column that parses none
	// of its values is an error naming this key.
	Formats map[string]map[string][]string `mapstructure:"formats"`
	// Values are value aliases for enum, boolean and Likert columns, per input
	// kind and column: values.cases.source: {"Call": hotline}. A value matches
	// when it equals the alias after trimming, full-width → half-width folding
	// and case-folding of Latin letters (patterns belong in derive); the target
	// must be one of the column's canonical values (1..5 for a survey item).
	// Applied before validation; the values mapped are counted per column.
	Values map[string]map[string]map[string]string `mapstructure:"values"`
	// Derive fills a canonical column that an export lacks or spells
	// otherwise, per input kind and column, overriding any header mapping of
	// that column: from (a header of the file, read before personal columns
	// are dropped), rules (a list of {match, value}, the first match wins;
	// match is a substring, alternatives separated by |, or /regex/), default
	// (the value when no rule matches; alone, without from, it fills a
	// constant) and lookup: community_name (the value is a community's name:
	// take its community_id). With no rule matching and no default the row is
	// rejected (bad_enum for an enum column, unknown_community for a lookup).
	Derive map[string]map[string]Derive `mapstructure:"derive"`
	// SLA sets the deadline of a case whose export gives no due_at.
	SLA SLA `mapstructure:"sla"`
	// ThreeRates weighs the 12345 hotline's three rates (三率).
	ThreeRates ThreeRates `mapstructure:"three_rates"`
	// Survey sets the survey quality filter.
	Survey Survey `mapstructure:"survey"`
	// Thresholds sets when a value is suppressed.
	Thresholds Thresholds `mapstructure:"thresholds"`
	// Score weighs the components of the resident score.
	Score Score `mapstructure:"score"`
	// Report sets the HTML report.
	Report Report `mapstructure:"report"`
	// Targets are optional goals per indicator id (targets.on_time_rate:
	// 0.95); each value's target_ratio is its value over the goal. Each
	// must be > 0.
	Targets map[string]float64 `mapstructure:"targets"`
	// DuckDB sets the database engine's resource limits.
	DuckDB DuckDB `mapstructure:"duckdb"`
	// FollowUp sets the false-discovery control of the follow-up lists.
	FollowUp FollowUp `mapstructure:"follow_up"`
	// SPC sets the control-chart rules.
	SPC SPC `mapstructure:"spc"`
	// Ranks sets the simulation of the rank intervals.
	Ranks Ranks `mapstructure:"ranks"`
}

// Inputs lists the files of each input kind: each entry a path, a glob or a
// folder (its .csv, .tsv, .txt, .xlsx and .json files); a single string is
// one entry. Relative paths resolve against the config file's folder.
type Inputs struct {
	// Communities are the community tables, loaded first.
	Communities []string `mapstructure:"communities"`
	// Cases are the grid, hotline and resident-report cases (also Open311 JSON).
	Cases []string `mapstructure:"cases"`
	// Services are the community service records.
	Services []string `mapstructure:"services"`
	// Surveys are the resident survey responses.
	Surveys []string `mapstructure:"surveys"`
	// Strata are the population tables survey weighting uses
	// (survey.post_strata): community_id or district_id, age_group,
	// optional gender, population. Empty: no .weighted indicators.
	Strata []string `mapstructure:"strata"`
}

// Of returns the inputs of one kind.
func (in Inputs) Of(k civicscore.Kind) []string {
	switch k {
	case civicscore.KindCommunities:
		return in.Communities
	case civicscore.KindCases:
		return in.Cases
	case civicscore.KindServices:
		return in.Services
	case civicscore.KindSurveys:
		return in.Surveys
	case civicscore.KindStrata:
		return in.Strata
	}
	return nil
}

// Derive says how one canonical column is filled from another column of
// the file (or with a constant).
type Derive struct {
	// From is the header of the column read, as written in the file.
	From string `mapstructure:"from"`
	// Rules are tried in order; the first whose match is found in the value wins.
	Rules []DeriveRule `mapstructure:"rules"`
	// Default is the value when no rule matches (or, without From, always).
	Default string `mapstructure:"default"`
	// Lookup is "" or community_name: the value (after the rules) is a
	// community's name, replaced by its community_id.
	Lookup string `mapstructure:"lookup"`
}

// DeriveRule is one rule of a derive: when Match is found in the value, the
// column gets Value.
type DeriveRule struct {
	// Match is a substring (alternatives separated by |, Latin case folded)
	// or, between slashes, a regular expression (RE2 syntax): /区.*(局|委)/.
	Match string `mapstructure:"match"`
	// Value is what the column gets when Match is found.
	Value string `mapstructure:"value"`
}

// DeriveLookups are the lookups a derive may name.
var DeriveLookups = []string{"community_name"}

// SLA sets how due_at is filled when a case has none: reported_at plus the
// time allowed for its category.
type SLA struct {
	// DefaultHours is the time allowed for a case of any category not in
	// by_category, in unit. Must be > 0.
	DefaultHours float64 `mapstructure:"default_hours"`
	// ByCategory overrides default_hours per category (matched
	// case-insensitively): sla.by_category.城市建设: 168. Each must be > 0.
	ByCategory map[string]float64 `mapstructure:"by_category"`
	// Unit is the unit of the SLA numbers: hours, or working_days (counted on the
	// calendar of China's statutory holidays and make-up workdays, 调休).
	Unit string `mapstructure:"unit"`
	// Holidays are extra days off (YYYY-MM-DD) for working_days, besides
	// the built-in calendar.
	Holidays []string `mapstructure:"holidays"`
	// Workdays are extra working days (YYYY-MM-DD, such as a make-up
	// workday on a weekend) for working_days.
	Workdays []string `mapstructure:"workdays"`
}

// ThreeRates holds the weights of the 12345 三率 score.
type ThreeRates struct {
	// Weights weigh the three rates; each >= 0, with a positive sum.
	Weights ThreeRatesWeights `mapstructure:"weights"`
	// BasicallySatisfiedWeight is how much a 基本满意 callback counts
	// towards the satisfaction rate, in 0..1 (满意 counts 1).
	BasicallySatisfiedWeight float64 `mapstructure:"basically_satisfied_weight"`
}

// ThreeRatesWeights weighs response, resolution and satisfaction rates.
type ThreeRatesWeights struct {
	// Response weighs the response rate (callback_contacted).
	Response float64 `mapstructure:"response"`
	// Resolution weighs the resolution rate (callback_resolved).
	Resolution float64 `mapstructure:"resolution"`
	// Satisfaction weighs the satisfaction rate (callback_satisfaction).
	Satisfaction float64 `mapstructure:"satisfaction"`
}

// Survey holds the survey quality filter settings.
type Survey struct {
	// MinDurationSeconds: a response answered faster is a speeder and left
	// out. Must be >= 0 (0 keeps every response).
	MinDurationSeconds float64 `mapstructure:"min_duration_seconds"`
	// MaxPerIPPerDay: more valid responses than this from one address in
	// one community on one day are flagged as a burst. Must be >= 1.
	MaxPerIPPerDay int `mapstructure:"max_per_ip_per_day"`
	// PostStrata says which respondent variables the .weighted survey
	// rates are weighted on, against the population of inputs.strata.
	PostStrata PostStrata `mapstructure:"post_strata"`
	// MinCell: a weighting cell (or raking margin category) with fewer
	// respondents is merged into its neighbour of the same variable.
	// Must be >= 1.
	MinCell int `mapstructure:"min_cell"`
	// MaxWeight caps each respondent's weight (then the weights are
	// renormalised to mean 1). Must be >= 1.
	MaxWeight float64 `mapstructure:"max_weight"`
}

// PostStrata holds the variables of survey weighting.
type PostStrata struct {
	// Variables are the respondent columns weighted on: [age_group] or
	// [age_group, gender] (raking over both margins). Empty: no weighting.
	Variables []string `mapstructure:"variables"`
}

// FollowUp holds the settings of the follow-up lists.
type FollowUp struct {
	// FDR is the false-discovery rate of the follow-up lists: a community
	// is listed only when its Benjamini–Hochberg q-value is at most this.
	// In (0, 1].
	FDR float64 `mapstructure:"fdr"`
}

// SPC holds the rules of the control charts over months.
type SPC struct {
	// BaselineMonths is how many of a unit's first months with a value
	// fix the centre line and limits (all months when fewer). Must be >= 2.
	BaselineMonths int `mapstructure:"baseline_months"`
	// TrendPoints is the length of a run of points each rising (or each
	// falling) that signals a trend. Must be >= 3.
	TrendPoints int `mapstructure:"trend_points"`
	// ShiftPoints is the length of a run of points on one side of the
	// centre line that signals a shift. Must be >= 3.
	ShiftPoints int `mapstructure:"shift_points"`
}

// Ranks holds the settings of the rank intervals.
type Ranks struct {
	// Draws is how many simulated draws from the posteriors give each
	// rank interval. Must be >= 10000.
	Draws int `mapstructure:"draws"`
}

// Thresholds holds the suppression threshold and the share of rejected
// rows a file may have.
type Thresholds struct {
	// MinN is the smallest sample an indicator value is shown for; smaller
	// samples are suppressed. Must be >= 1.
	MinN int `mapstructure:"min_n"`
	// MaxRejectShare is the largest share of a file's rows that may be
	// rejected: a file rejecting more (strictly), or yielding no clean
	// row, fails the run (exit 1) and the previous output is kept. Rows
	// superseded by another version (duplicate_in_file, stale_version) and
	// survey responses the quality filter excludes do not count as
	// rejected here. In 0..1.
	MaxRejectShare float64 `mapstructure:"max_reject_share"`
}

// Score holds the resident score weights.
type Score struct {
	// Weights weigh the components of the resident score, by component
	// (escalation_share enters as 1 - share). Given in a file, they replace
	// the defaults whole. Each >= 0, with a positive total, of which the
	// residents' own components must carry at least half.
	Weights map[string]float64 `mapstructure:"weights"`
	// CaseMix makes the score's record components (on_time_rate,
	// escalation_share, callback_satisfaction_rate) enter as their
	// case-mix standardised rates (<id>.standardised) instead of the
	// crude ones.
	CaseMix bool `mapstructure:"case_mix"`
}

// Report holds the settings of the HTML report.
type Report struct {
	// Title is the report's title, shown as it is in both languages; empty
	// gives the report's own title in each language (社区治理绩效报告 /
	// Community governance performance report).
	Title string `mapstructure:"title"`
	// Lang is the language the bureau pages (district and street reports,
	// table, ranking, methodology, data quality) open in: zh-CN or en.
	// Every page carries both languages and a switch on the page; the
	// residents' pages (scorecards, posters, the published pages) open in
	// zh-CN whatever this says.
	Lang string `mapstructure:"lang"`
	// SurveyURL is where residents answer the survey: printed, with its QR
	// code, on every scorecard and notice-board poster.
	SurveyURL string `mapstructure:"survey_url"`
	// GeoJSON is an optional file of community boundaries (property
	// community_id) for the map; relative to the config file's folder.
	GeoJSON string `mapstructure:"geojson"`
	// HaveYourSay is the invitation printed on every scorecard, such as how
	// to take part in next month's evaluation; empty means a built-in text.
	HaveYourSay string `mapstructure:"have_your_say"`
}

// DuckDB holds the database engine's resource limits.
type DuckDB struct {
	// MemoryLimit caps DuckDB's memory, such as 4GB or 512MB; empty means
	// DuckDB's default.
	MemoryLimit string `mapstructure:"memory_limit"`
	// Threads is the number of threads DuckDB uses; 0 means all cores.
	Threads int `mapstructure:"threads"`
	// TempDirectory is where DuckDB spills when memory runs short; relative
	// to the config file's folder; empty means DuckDB's default.
	TempDirectory string `mapstructure:"temp_directory"`
}

// ResidentComponents are the score components whose source is residents'
// own judgement (from civicscore.ScoreComponents); their weights must be at
// least half of the total.
var ResidentComponents = civicscore.ScoreComponentIDs(true)

// ExtraColumnModes are the values of extra_columns.
var ExtraColumnModes = []string{"scan", "keep", "drop"}

// ScoreComponents are the components the resident score may use (the ids
// of civicscore.ScoreComponents), the keys score.weights may have.
var ScoreComponents = civicscore.ScoreComponentIDs(false)

// Default returns the configuration used when a key is not set.
func Default() Config {
	return Config{
		Timezone:     "Asia/Shanghai",
		Out:          "out",
		Encoding:     "auto",
		ExtraColumns: "scan",
		SLA:          SLA{DefaultHours: 72, ByCategory: map[string]float64{}, Unit: "hours"},
		ThreeRates: ThreeRates{
			Weights:                  ThreeRatesWeights{Response: 0.1, Resolution: 0.5, Satisfaction: 0.4},
			BasicallySatisfiedWeight: 0.9,
		},
		Survey:     Survey{MinDurationSeconds: 30, MaxPerIPPerDay: 5, MinCell: 3, MaxWeight: 5},
		Thresholds: Thresholds{MinN: 10, MaxRejectShare: 0.5},
		Score: Score{Weights: map[string]float64{
			"satisfaction_rate": 0.45, "callback_satisfaction_rate": 0.20,
			"on_time_rate": 0.25, "escalation_share": 0.10,
		}},
		Report:   Report{Lang: "zh-CN"},
		Targets:  map[string]float64{},
		FollowUp: FollowUp{FDR: 0.10},
		SPC:      SPC{BaselineMonths: 12, TrendPoints: 7, ShiftPoints: 7},
		Ranks:    Ranks{Draws: 10000},
	}
}

// defaults lists every fixed key with its default, so viper knows the keys
// for environment overrides and unknown keys can be told apart.
func defaults() map[string]any {
	d := Default()
	return map[string]any{
		"timezone": d.Timezone, "as_of": d.AsOf, "out": d.Out, "encoding": d.Encoding,
		"extra_columns":               d.ExtraColumns,
		"thresholds.max_reject_share": d.Thresholds.MaxRejectShare,
		"inputs.communities":          []string{}, "inputs.cases": []string{},
		"inputs.services": []string{}, "inputs.surveys": []string{},
		"sla.default_hours": d.SLA.DefaultHours, "sla.unit": d.SLA.Unit,
		"sla.holidays": []string{}, "sla.workdays": []string{},
		"three_rates.weights.response":           d.ThreeRates.Weights.Response,
		"three_rates.weights.resolution":         d.ThreeRates.Weights.Resolution,
		"three_rates.weights.satisfaction":       d.ThreeRates.Weights.Satisfaction,
		"three_rates.basically_satisfied_weight": d.ThreeRates.BasicallySatisfiedWeight,
		"survey.min_duration_seconds":            d.Survey.MinDurationSeconds,
		"survey.max_per_ip_per_day":              d.Survey.MaxPerIPPerDay,
		"thresholds.min_n":                       d.Thresholds.MinN,
		"report.title":                           d.Report.Title, "report.lang": d.Report.Lang,
		"report.survey_url": "", "report.geojson": "", "report.have_your_say": "",
		"duckdb.memory_limit": "", "duckdb.threads": 0, "duckdb.temp_directory": "",
		"inputs.strata":                []string{},
		"survey.post_strata.variables": []string{},
		"survey.min_cell":              d.Survey.MinCell,
		"survey.max_weight":            d.Survey.MaxWeight,
		"score.case_mix":               d.Score.CaseMix,
		"follow_up.fdr":                d.FollowUp.FDR,
		"spc.baseline_months":          d.SPC.BaselineMonths,
		"spc.trend_points":             d.SPC.TrendPoints,
		"spc.shift_points":             d.SPC.ShiftPoints,
		"ranks.draws":                  d.Ranks.Draws,
	}
}

// openMaps are keys under which any sub-key is allowed.
var openMaps = []string{"mapping.", "personal.", "sheet.", "formats.", "values.", "derive.", "sla.by_category.", "targets.", "score.weights."}

// Load reads the config file at path ("" for none) over the defaults, applies
// CIVICSCORE_* environment variables, resolves relative paths against the
// file's folder, and validates. Unknown keys are logged as warnings. An
// error wraps civicscore.ErrConfig and names the file and key.
func Load(path string, log *slog.Logger) (Config, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v := viper.New()
	for k, val := range defaults() {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("CIVICSCORE")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	// The score components are a fixed set, so each can be set from the
	// environment (CIVICSCORE_SCORE_WEIGHTS_ON_TIME_RATE) like any fixed key.
	// They are bound, not defaulted: a default would make score.weights count
	// as set and defeat the replace-whole rule below.
	for _, k := range ScoreComponents {
		if err := v.BindEnv("score.weights." + k); err != nil {
			return Config{}, fmt.Errorf("config: %v: %w", err, civicscore.ErrConfig)
		}
	}
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("config %s: %v: %w", path, err, civicscore.ErrConfig)
		}
	}
	for _, k := range UnknownKeys(v.AllKeys()) {
		log.Warn("unknown config key, ignored", "file", path, "key", k)
	}
	cfg := Default()
	// Score weights given in the file replace the defaults whole, so a
	// component left out is left out.
	if v.IsSet("score.weights") {
		cfg.Score.Weights = nil
	}
	if err := v.Unmarshal(&cfg); err != nil {
		where := "config " + path
		if path == "" {
			where = "config from the environment"
		}
		return Config{}, fmt.Errorf("%s: %v: %w", where, err, civicscore.ErrConfig)
	}
	cfg.File = path
	cfg.resolve()
	if err := cfg.Validate(); err != nil {
		if path != "" {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		return cfg, err
	}
	return cfg, nil
}

// UnknownKeys returns the keys of keys that civicscore does not know, sorted.
func UnknownKeys(keys []string) []string {
	known := defaults()
	var out []string
	for _, k := range keys {
		if _, ok := known[k]; ok {
			continue
		}
		if slices.ContainsFunc(openMaps, func(p string) bool { return strings.HasPrefix(k, p) }) {
			continue
		}
		// A section present but empty ("targets:", "duckdb:") shows up as a
		// key of its own; it is known when known keys live under it.
		if isSection(k, known) {
			continue
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// isSection reports whether k is the parent of a known key or an open map.
func isSection(k string, known map[string]any) bool {
	for kk := range known {
		if strings.HasPrefix(kk, k+".") {
			return true
		}
	}
	return slices.ContainsFunc(openMaps, func(p string) bool { return strings.HasPrefix(p, k+".") })
}

// Dir is the folder relative paths resolve against: the config file's
// folder, or the working directory.
func (c Config) Dir() string {
	if c.File == "" {
		return "."
	}
	return filepath.Dir(c.File)
}

func (c *Config) resolve() {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(c.Dir(), p)
	}
	c.Out = abs(c.Out)
	c.Report.GeoJSON = abs(c.Report.GeoJSON)
	c.DuckDB.TempDirectory = abs(c.DuckDB.TempDirectory)
	for _, list := range []*[]string{&c.Inputs.Communities, &c.Inputs.Cases, &c.Inputs.Services, &c.Inputs.Surveys, &c.Inputs.Strata} {
		for i, p := range *list {
			(*list)[i] = abs(p)
		}
	}
}

// AsOfTime parses AsOf in the configured timezone; the zero time when unset.
func (c Config) AsOfTime() (time.Time, error) {
	if strings.TrimSpace(c.AsOf) == "" {
		return time.Time{}, nil
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.Time{}, err
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(c.AsOf), loc); err == nil {
			return t.In(loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("as_of %q: want YYYY-MM-DD[ HH:MM[:SS]] or RFC 3339", c.AsOf)
}

var (
	memoryRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)
	dateRe   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	kinds    = []string{"communities", "cases", "services", "surveys"}
)

// Validate checks every value and returns one error naming each bad key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" || strings.ContainsAny(c.Timezone, "'\"\\ ") {
		bad("timezone", "%q is not an IANA time zone such as Asia/Shanghai", c.Timezone)
	}
	if _, err := c.AsOfTime(); err != nil {
		bad("as_of", "%v", err)
	}
	if strings.TrimSpace(c.Out) == "" {
		bad("out", "must name an output folder")
	}
	if !slices.Contains([]string{"auto", "utf-8", "utf8", "gb18030", "gbk"}, strings.ToLower(c.Encoding)) {
		bad("encoding", "%q: want auto, utf-8 or gb18030", c.Encoding)
	}
	for kind, cols := range c.Mapping {
		if !slices.Contains(kinds, kind) {
			bad("mapping."+kind, "unknown input kind; want one of %s", strings.Join(kinds, ", "))
		}
		for col, aliases := range cols {
			if len(aliases) == 0 {
				bad("mapping."+kind+"."+col, "needs at least one alias")
			}
		}
	}
	for kind := range c.Personal {
		if !slices.Contains(kinds, kind) {
			bad("personal."+kind, "unknown input kind; want one of %s", strings.Join(kinds, ", "))
		}
	}
	if !slices.Contains(ExtraColumnModes, c.ExtraColumns) {
		bad("extra_columns", "%q: want one of %s", c.ExtraColumns, strings.Join(ExtraColumnModes, ", "))
	}
	for kind, name := range c.Sheet {
		if !slices.Contains(kinds, kind) {
			bad("sheet."+kind, "unknown input kind; want one of %s", strings.Join(kinds, ", "))
		}
		if err := validSheetName(name); err != nil {
			bad("sheet."+kind, "%q: %v", name, err)
		}
	}
	errs = append(errs, c.validateNormalisation()...)
	if c.SLA.DefaultHours <= 0 {
		bad("sla.default_hours", "must be > 0, got %v", c.SLA.DefaultHours)
	}
	for cat, h := range c.SLA.ByCategory {
		if h <= 0 {
			bad("sla.by_category."+cat, "must be > 0, got %v", h)
		}
	}
	if c.SLA.Unit != "hours" && c.SLA.Unit != "working_days" {
		bad("sla.unit", "%q: want hours or working_days", c.SLA.Unit)
	}
	for _, d := range append(append([]string{}, c.SLA.Holidays...), c.SLA.Workdays...) {
		if _, err := time.Parse("2006-01-02", d); err != nil || !dateRe.MatchString(d) {
			bad("sla.holidays/sla.workdays", "%q is not a date YYYY-MM-DD", d)
		}
	}
	w := c.ThreeRates.Weights
	if w.Response < 0 || w.Resolution < 0 || w.Satisfaction < 0 || w.Response+w.Resolution+w.Satisfaction <= 0 {
		bad("three_rates.weights", "must be >= 0 with a positive sum, got %+v", w)
	}
	if b := c.ThreeRates.BasicallySatisfiedWeight; b < 0 || b > 1 {
		bad("three_rates.basically_satisfied_weight", "must be in 0..1, got %v", b)
	}
	if c.Survey.MinDurationSeconds < 0 {
		bad("survey.min_duration_seconds", "must be >= 0, got %v", c.Survey.MinDurationSeconds)
	}
	if c.Survey.MaxPerIPPerDay < 1 {
		bad("survey.max_per_ip_per_day", "must be >= 1, got %d", c.Survey.MaxPerIPPerDay)
	}
	if c.Thresholds.MinN < 1 {
		bad("thresholds.min_n", "must be >= 1, got %d", c.Thresholds.MinN)
	}
	vars := c.Survey.PostStrata.Variables
	switch {
	case len(vars) == 0:
	case len(vars) == 1 && vars[0] == "age_group":
	case len(vars) == 2 && vars[0] == "age_group" && vars[1] == "gender":
	default:
		bad("survey.post_strata.variables", "%q: want [age_group] or [age_group, gender]", vars)
	}
	if len(vars) > 0 && len(c.Inputs.Strata) == 0 {
		bad("survey.post_strata.variables", "needs inputs.strata (the population by stratum)")
	}
	if c.Survey.MinCell < 1 {
		bad("survey.min_cell", "must be >= 1, got %d", c.Survey.MinCell)
	}
	if w := c.Survey.MaxWeight; !(w >= 1) || math.IsInf(w, 1) {
		bad("survey.max_weight", "must be a number >= 1, got %v", w)
	}
	if f := c.FollowUp.FDR; !(f > 0 && f <= 1) {
		bad("follow_up.fdr", "must be in (0, 1], got %v", f)
	}
	if c.SPC.BaselineMonths < 2 {
		bad("spc.baseline_months", "must be >= 2, got %d", c.SPC.BaselineMonths)
	}
	if c.SPC.TrendPoints < 3 {
		bad("spc.trend_points", "must be >= 3, got %d", c.SPC.TrendPoints)
	}
	if c.SPC.ShiftPoints < 3 {
		bad("spc.shift_points", "must be >= 3, got %d", c.SPC.ShiftPoints)
	}
	if c.Ranks.Draws < 10000 {
		bad("ranks.draws", "must be >= 10000, got %d", c.Ranks.Draws)
	}
	if s := c.Thresholds.MaxRejectShare; !(s >= 0 && s <= 1) {
		bad("thresholds.max_reject_share", "must be in 0..1, got %v", s)
	}
	if err := c.validateScore(); err != nil {
		errs = append(errs, err)
	}
	if c.Report.Lang != "zh-CN" && c.Report.Lang != "en" {
		bad("report.lang", "%q: want zh-CN or en", c.Report.Lang)
	}
	for ind, t := range c.Targets {
		if t <= 0 {
			bad("targets."+ind, "must be > 0, got %v", t)
		}
	}
	if m := strings.TrimSpace(c.DuckDB.MemoryLimit); m != "" && !memoryRe.MatchString(m) {
		bad("duckdb.memory_limit", "%q: want a size such as 4GB or 512MB", c.DuckDB.MemoryLimit)
	}
	if c.DuckDB.Threads < 0 {
		bad("duckdb.threads", "must be >= 0, got %d", c.DuckDB.Threads)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", civicscore.ErrConfig, errors.Join(errs...))
}

// validateNormalisation checks the shape of formats, values and derive:
// known kinds, non-empty lists, layouts with a % directive, derive rules
// with a match and a value, regular expressions that compile, and a known
// lookup. Whether a column exists and a target is canonical is checked by
// ingest, which knows the columns.
func (c Config) validateNormalisation() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	kind := func(section, k string) bool {
		if !slices.Contains(kinds, k) {
			bad(section+"."+k, "unknown input kind; want one of %s", strings.Join(kinds, ", "))
			return false
		}
		return true
	}
	for _, k := range sortedKeys(c.Formats) {
		if !kind("formats", k) {
			continue
		}
		for _, col := range sortedKeys(c.Formats[k]) {
			key := "formats." + k + "." + col
			if len(c.Formats[k][col]) == 0 {
				bad(key, "needs at least one layout")
			}
			for _, l := range c.Formats[k][col] {
				if !strings.Contains(l, "%") {
					bad(key, "%q is not a strftime layout (such as %%m/%%d/%%Y %%I:%%M:%%S %%p)", l)
				}
			}
		}
	}
	for _, k := range sortedKeys(c.Values) {
		if !kind("values", k) {
			continue
		}
		for _, col := range sortedKeys(c.Values[k]) {
			if len(c.Values[k][col]) == 0 {
				bad("values."+k+"."+col, "needs at least one alias")
			}
		}
	}
	for _, k := range sortedKeys(c.Derive) {
		if !kind("derive", k) {
			continue
		}
		for _, col := range sortedKeys(c.Derive[k]) {
			d := c.Derive[k][col]
			key := "derive." + k + "." + col
			if strings.TrimSpace(d.From) == "" {
				if len(d.Rules) > 0 || d.Lookup != "" {
					bad(key+".from", "rules and lookup need a from column")
				} else if strings.TrimSpace(d.Default) == "" {
					bad(key, "needs from (a column of the file) or a default")
				}
			}
			if d.Lookup != "" && !slices.Contains(DeriveLookups, d.Lookup) {
				bad(key+".lookup", "%q: want %s", d.Lookup, strings.Join(DeriveLookups, " or "))
			}
			for i, r := range d.Rules {
				rk := fmt.Sprintf("%s.rules[%d]", key, i)
				if r.Match == "" {
					bad(rk+".match", "must not be empty")
				}
				if strings.TrimSpace(r.Value) == "" {
					bad(rk+".value", "must not be empty")
				}
				if re, ok := DeriveRegex(r.Match); ok {
					if _, err := regexp.Compile(re); err != nil {
						bad(rk+".match", "%q is not a valid regular expression: %v", r.Match, err)
					}
				}
			}
		}
	}
	return errs
}

// DeriveRegex returns the regular expression of a derive match written
// between slashes, and whether it is one.
func DeriveRegex(match string) (string, bool) {
	if len(match) >= 2 && strings.HasPrefix(match, "/") && strings.HasSuffix(match, "/") {
		return match[1 : len(match)-1], true
	}
	return "", false
}

// sortedKeys returns the keys of m in order, so that errors come out in a
// stable order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// validSheetName checks a worksheet name as Excel allows it: 1 to 31
// characters, none of : \ / ? * [ ], not starting or ending with '.
func validSheetName(name string) error {
	switch n := len([]rune(name)); {
	case strings.TrimSpace(name) == "":
		return errors.New("empty: name the worksheet, or leave the key out for the first one")
	case n > 31:
		return fmt.Errorf("%d characters; a worksheet name has at most 31", n)
	case strings.ContainsAny(name, `:\/?*[]`):
		return errors.New(`a worksheet name holds none of : \ / ? * [ ]`)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return errors.New("a worksheet name does not start or end with '")
	}
	return nil
}

// validateScore refuses weights that would let records outweigh residents
// (civicscore.ValidateScoreWeights holds the rules).
func (c Config) validateScore() error {
	return civicscore.ValidateScoreWeights(c.Score.Weights)
}
