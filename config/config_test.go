package config_test

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/config"
)

// testdataDir is the absolute path of testdata, so paths that the config
// resolves against its own folder are known exactly.
func testdataDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// capture returns a logger writing text records to the returned buffer.
func capture() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

// writeFile writes content to name under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fullConfig is what full.good.{yml,toml,json} must load to.
func fullConfig(dir string) config.Config {
	in := func(p string) string { return filepath.Join(dir, p) }
	return config.Config{
		Timezone: "Asia/Urumqi",
		AsOf:     "2025-06-30 23:59:59",
		Out:      in("build/out"),
		Inputs: config.Inputs{
			Communities: []string{in("data/communities.csv")},
			Cases:       []string{in("data/cases/*.csv"), in("data/cases_2025H2.xlsx")},
			Services:    []string{in("data/services.csv")},
			Surveys:     []string{in("data/surveys.xlsx")},
			Strata:      []string{},
		},
		Encoding:     "gb18030",
		Mapping:      map[string]map[string][]string{"surveys": {"q_overall": {"1、您对本社区工作的总体评价", "总体评价"}}},
		Personal:     map[string][]string{"cases": {"reporter_phone"}},
		ExtraColumns: "keep",
		SLA: config.SLA{
			DefaultHours: 48,
			ByCategory:   map[string]float64{"城市建设": 168, "环境卫生": 24},
			Unit:         "working_days",
			Holidays:     []string{"2025-10-08"},
			Workdays:     []string{"2025-09-28"},
		},
		ThreeRates: config.ThreeRates{
			Weights:                  config.ThreeRatesWeights{Response: 0.2, Resolution: 0.4, Satisfaction: 0.4},
			BasicallySatisfiedWeight: 0.8,
		},
		Survey: config.Survey{MinDurationSeconds: 45, MaxPerIPPerDay: 3,
			PostStrata: config.PostStrata{Variables: []string{}}, MinCell: 3, MaxWeight: 5},
		Thresholds: config.Thresholds{MinN: 12, MaxRejectShare: 0.25},
		Score: config.Score{Weights: map[string]float64{
			"satisfaction_rate": 0.5, "callback_satisfaction_rate": 0.25,
			"on_time_rate": 0.15, "escalation_share": 0.10,
		}},
		Report: config.Report{
			Title:       "某区社区治理绩效报告",
			Lang:        "en",
			SurveyURL:   "https://example.org/survey",
			GeoJSON:     in("geo/communities.geojson"),
			HaveYourSay: "https://example.org/say",
		},
		Targets: map[string]float64{"on_time_rate": 0.95},
		DuckDB:  config.DuckDB{MemoryLimit: "4GB", Threads: 2, TempDirectory: in("tmp/spill")},
		// Not set in the files: the defaults.
		FollowUp: config.Default().FollowUp,
		SPC:      config.Default().SPC,
		Ranks:    config.Default().Ranks,
	}
}

// TestLoadGood loads every testdata/*.good.* file: each must load without
// error and without a warning, and those listed here must load to the values
// their check expects.
func TestLoadGood(t *testing.T) {
	dir := testdataDir(t)
	in := func(p string) string { return filepath.Join(dir, p) }
	checks := map[string]func(t *testing.T, c config.Config){
		"minimal.good.yml": func(t *testing.T, c config.Config) {
			want := config.Default()
			want.Out = in("out")
			want.Inputs = config.Inputs{Communities: []string{in("data/communities.csv")}, Cases: []string{}, Services: []string{}, Surveys: []string{}, Strata: []string{}}
			want.Survey.PostStrata.Variables = []string{}
			want.SLA.Holidays, want.SLA.Workdays = []string{}, []string{}
			c.File = ""
			if !reflect.DeepEqual(c, want) {
				t.Errorf("minimal config is not the defaults plus its one input:\n got %+v\nwant %+v", c, want)
			}
		},
		"full.good.yml":  func(t *testing.T, c config.Config) { assertFull(t, c, dir) },
		"full.good.toml": func(t *testing.T, c config.Config) { assertFull(t, c, dir) },
		"full.good.json": func(t *testing.T, c config.Config) { assertFull(t, c, dir) },
		"inputs_string.good.yml": func(t *testing.T, c config.Config) {
			want := config.Inputs{
				Communities: []string{in("data/communities.csv")},
				Cases:       []string{in("data/cases/*.csv")},
				Services:    []string{in("data/services")},
				Surveys:     []string{"/srv/civicscore/surveys.xlsx"},
				Strata:      []string{},
			}
			if !reflect.DeepEqual(c.Inputs, want) {
				t.Errorf("inputs = %+v, want %+v", c.Inputs, want)
			}
		},
		"inputs_list.good.yml": func(t *testing.T, c config.Config) {
			want := config.Inputs{
				Communities: []string{in("data/communities.csv")},
				Cases:       []string{in("data/cases/*.csv"), in("data/cases_2025H2.xlsx")},
				Services:    []string{in("data/services"), in("data/services_extra.csv")},
				Surveys:     []string{"/srv/civicscore/surveys.xlsx"},
				Strata:      []string{},
			}
			if !reflect.DeepEqual(c.Inputs, want) {
				t.Errorf("inputs = %+v, want %+v", c.Inputs, want)
			}
			for _, k := range civicscore.Kinds {
				if k == civicscore.KindStrata {
					continue // optional, and not in this file
				}
				if len(c.Inputs.Of(k)) == 0 {
					t.Errorf("Inputs.Of(%s) is empty", k)
				}
			}
		},
		"score_half.good.yml": func(t *testing.T, c config.Config) {
			if got := c.Score.Weights["satisfaction_rate"] + c.Score.Weights["callback_satisfaction_rate"]; got != 0.5 {
				t.Errorf("residents' weight = %v, want 0.5", got)
			}
		},
		"normalise.good.yml": func(t *testing.T, c config.Config) {
			// As written in the file; viper folds map keys to lower case,
			// which value matching folds anyway.
			if got := c.Formats["cases"]["*"]; !reflect.DeepEqual(got, []string{"%m/%d/%Y %I:%M:%S %p"}) {
				t.Errorf("formats.cases.* = %q", got)
			}
			if got := c.Values["cases"]["source"]["mobile app"]; got != "app" {
				t.Errorf("values.cases.source[mobile app] = %q, want app (all: %v)", got, c.Values["cases"]["source"])
			}
			if got := c.Values["surveys"]["q_overall"]["较好"]; got != "4" {
				t.Errorf("values.surveys.q_overall[较好] = %q, want 4", got)
			}
			d := c.Derive["cases"]["resolution_level"]
			want := config.Derive{From: "承办单位", Default: "city", Rules: []config.DeriveRule{
				{Match: "居委|社区", Value: "community"}, {Match: "街道", Value: "street"}, {Match: "/区.*(局|委员会|中心|办)/", Value: "district"}}}
			if !reflect.DeepEqual(d, want) {
				t.Errorf("derive.cases.resolution_level = %+v, want %+v", d, want)
			}
			if l := c.Derive["cases"]["community_id"]; l.From != "社区名称" || l.Lookup != "community_name" {
				t.Errorf("derive.cases.community_id = %+v", l)
			}
			if s := c.Derive["cases"]["source"]; s.From != "" || s.Default != "hotline" {
				t.Errorf("derive.cases.source = %+v", s)
			}
		},
		"empty_sections.good.yml": func(t *testing.T, c config.Config) {
			if len(c.Targets) != 0 || len(c.SLA.ByCategory) != 0 || len(c.Mapping) != 0 {
				t.Errorf("empty sections loaded values: targets %v, by_category %v, mapping %v", c.Targets, c.SLA.ByCategory, c.Mapping)
			}
			d := config.Default()
			if c.Report != d.Report || c.DuckDB != d.DuckDB || c.SLA.DefaultHours != d.SLA.DefaultHours || !reflect.DeepEqual(c.Score.Weights, d.Score.Weights) {
				t.Errorf("empty sections lost defaults: report %+v, duckdb %+v, sla %+v, score %v", c.Report, c.DuckDB, c.SLA, c.Score.Weights)
			}
		},
	}

	files, err := filepath.Glob(filepath.Join(dir, "*.good.*"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			log, buf := capture()
			c, err := config.Load(f, log)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.File != f {
				t.Errorf("File = %q, want %q", c.File, f)
			}
			if strings.Contains(buf.String(), "level=WARN") {
				t.Errorf("a good config logged a warning:\n%s", buf.String())
			}
			if check := checks[name]; check != nil {
				check(t, c)
			}
		})
	}
	for name := range checks {
		if !seen[name] {
			t.Errorf("fixture testdata/%s is missing", name)
		}
	}
}

func assertFull(t *testing.T, c config.Config, dir string) {
	t.Helper()
	want := fullConfig(dir)
	want.File = c.File
	if !reflect.DeepEqual(c, want) {
		t.Errorf("full config:\n got %+v\nwant %+v", c, want)
	}
	asOf, err := c.AsOfTime()
	if err != nil {
		t.Fatal(err)
	}
	if got := asOf.Format("2006-01-02 15:04:05 -0700"); got != "2025-06-30 23:59:59 +0600" {
		t.Errorf("AsOfTime = %s, want 2025-06-30 23:59:59 in Asia/Urumqi (+0600)", got)
	}
}

// TestLoadBad loads every testdata/*.bad.yml file: each must fail with
// ErrConfig and a message naming the offending key (or the file).
func TestLoadBad(t *testing.T) {
	dir := testdataDir(t)
	tests := map[string][]string{
		"syntax.bad.yml":              {filepath.Join(dir, "syntax.bad.yml")},
		"min_n_negative.bad.yml":      {"thresholds.min_n", "-3"},
		"max_reject_share.bad.yml":    {"thresholds.max_reject_share", "1.5"},
		"extra_columns.bad.yml":       {"extra_columns", "hide", "scan, keep, drop"},
		"min_n_type.bad.yml":          {"min_n"},
		"sla_unit.bad.yml":            {"sla.unit", "weeks"},
		"score_component.bad.yml":     {"score.weights.likes", "unknown component"},
		"score_residents.bad.yml":     {"score.weights", "residents", "at least half"},
		"report_lang.bad.yml":         {"report.lang", "fr"},
		"memory_limit.bad.yml":        {"duckdb.memory_limit", "lots"},
		"timezone.bad.yml":            {"timezone", "Mars/Olympus"},
		"as_of.bad.yml":               {"as_of", "yesterday"},
		"encoding.bad.yml":            {"encoding", "latin1"},
		"basically_satisfied.bad.yml": {"three_rates.basically_satisfied_weight", "2"},
		"derive_regex.bad.yml":        {"derive.cases.resolution_level.rules[1].match", "not a valid regular expression"},
		"derive_lookup.bad.yml":       {"derive.cases.community_id.lookup", "street_name", "community_name"},
		"derive_empty.bad.yml":        {"derive.cases.resolution_level.from", "need a from column"},
		"formats_layout.bad.yml":      {"formats.cases.reported_at", "MM/DD/YYYY", "not a strftime layout"},
		"values_kind.bad.yml":         {"values.tickets", "unknown input kind"},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.bad.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := tests[filepath.Base(f)]; !ok {
			t.Errorf("testdata/%s has no entry in this table", filepath.Base(f))
		}
	}
	names := make([]string, 0, len(tests))
	for name := range tests {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := tests[name]
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("fixture: %v", err)
			}
			_, err := config.Load(path, nil)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !errors.Is(err, civicscore.ErrConfig) {
				t.Errorf("error %q does not wrap civicscore.ErrConfig", err)
			}
			for _, s := range want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
		})
	}
}

// TestLoadMissingFile: a config file that does not exist is a config error
// naming the file.
func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yml")
	_, err := config.Load(path, nil)
	if !errors.Is(err, civicscore.ErrConfig) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load(missing) = %v, want ErrConfig naming %s", err, path)
	}
}

// TestUnknownKeyWarns: keys civicscore does not know are logged by name and
// otherwise ignored; the known keys beside them still load.
func TestUnknownKeyWarns(t *testing.T) {
	tests := []struct {
		name    string
		content string
		unknown []string
	}{
		{"top level", "inputs:\n  communities: c.csv\nthresholds:\n  min_n: 8\ncolour: blue\n", []string{"colour"}},
		{"nested", "inputs:\n  communities: c.csv\nthresholds:\n  min_n: 8\n  max_n: 99\n", []string{"thresholds.max_n"}},
		{"misspelt section", "inputs:\n  communities: c.csv\nthresholds:\n  min_n: 8\nreprot:\n  lang: en\n", []string{"reprot.lang"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "config.yml", tt.content)
			log, buf := capture()
			c, err := config.Load(path, log)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Thresholds.MinN != 8 {
				t.Errorf("thresholds.min_n = %d, want 8", c.Thresholds.MinN)
			}
			out := buf.String()
			for _, k := range tt.unknown {
				if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "key="+k) {
					t.Errorf("log does not warn about key %s:\n%s", k, out)
				}
			}
			if n := strings.Count(out, "level=WARN"); n != len(tt.unknown) {
				t.Errorf("%d warnings, want %d:\n%s", n, len(tt.unknown), out)
			}
		})
	}
}

func TestUnknownKeys(t *testing.T) {
	got := config.UnknownKeys([]string{
		"timezone", "thresholds.min_n", "score.weights.on_time_rate", "targets.on_time_rate",
		"sla.by_category.城市建设", "mapping.cases.case_id", "zzz", "duckdb.memroy_limit", "aaa.b",
		// present but empty open maps
		"targets", "mapping", "personal", "sla.by_category", "score.weights",
		// present but empty sections
		"score", "sla", "duckdb", "three_rates.weights", "inputs",
		// near misses
		"targetsx", "sla.by_categoryx", "score.weightsx.a", "scor", "three_rates.weight",
	})
	want := []string{"aaa.b", "duckdb.memroy_limit", "scor", "score.weightsx.a", "sla.by_categoryx", "targetsx", "three_rates.weight", "zzz"}
	if !slices.Equal(got, want) {
		t.Errorf("UnknownKeys = %v, want %v", got, want)
	}
}

// TestEnvOverrides: CIVICSCORE_<KEY> overrides the file and the defaults.
func TestEnvOverrides(t *testing.T) {
	tests := []struct {
		name  string
		file  string // "" loads no file
		env   map[string]string
		check func(t *testing.T, c config.Config)
	}{
		{
			name: "min_n over file",
			file: "inputs:\n  communities: c.csv\nthresholds:\n  min_n: 12\n",
			env:  map[string]string{"CIVICSCORE_THRESHOLDS_MIN_N": "7"},
			check: func(t *testing.T, c config.Config) {
				if c.Thresholds.MinN != 7 {
					t.Errorf("thresholds.min_n = %d, want 7 from the environment", c.Thresholds.MinN)
				}
			},
		},
		{
			name: "min_n without file",
			env:  map[string]string{"CIVICSCORE_THRESHOLDS_MIN_N": "7"},
			check: func(t *testing.T, c config.Config) {
				if c.Thresholds.MinN != 7 {
					t.Errorf("thresholds.min_n = %d, want 7 from the environment", c.Thresholds.MinN)
				}
			},
		},
		{
			name: "top-level and nested strings",
			file: "inputs:\n  communities: c.csv\nreport:\n  lang: zh-CN\n",
			env: map[string]string{
				"CIVICSCORE_TIMEZONE":            "Europe/Berlin",
				"CIVICSCORE_REPORT_LANG":         "en",
				"CIVICSCORE_DUCKDB_MEMORY_LIMIT": "512MB",
			},
			check: func(t *testing.T, c config.Config) {
				if c.Timezone != "Europe/Berlin" || c.Report.Lang != "en" || c.DuckDB.MemoryLimit != "512MB" {
					t.Errorf("got timezone %q, report.lang %q, duckdb.memory_limit %q; want the environment's", c.Timezone, c.Report.Lang, c.DuckDB.MemoryLimit)
				}
			},
		},
		{
			name: "one score weight over the defaults",
			env:  map[string]string{"CIVICSCORE_SCORE_WEIGHTS_ON_TIME_RATE": "0.2"},
			check: func(t *testing.T, c config.Config) {
				want := config.Default().Score.Weights
				want["on_time_rate"] = 0.2
				if !reflect.DeepEqual(c.Score.Weights, want) {
					t.Errorf("score.weights = %v, want %v", c.Score.Weights, want)
				}
			},
		},
		{
			name: "one score weight over the file's",
			file: "score:\n  weights:\n    satisfaction_rate: 0.6\n    on_time_rate: 0.4\n",
			env:  map[string]string{"CIVICSCORE_SCORE_WEIGHTS_ON_TIME_RATE": "0.3"},
			check: func(t *testing.T, c config.Config) {
				want := map[string]float64{"satisfaction_rate": 0.6, "on_time_rate": 0.3}
				if !reflect.DeepEqual(c.Score.Weights, want) {
					t.Errorf("score.weights = %v, want %v", c.Score.Weights, want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := ""
			if tt.file != "" {
				path = writeFile(t, t.TempDir(), "config.yml", tt.file)
			}
			log, buf := capture()
			c, err := config.Load(path, log)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if strings.Contains(buf.String(), "level=WARN") {
				t.Errorf("unexpected warning:\n%s", buf.String())
			}
			tt.check(t, c)
		})
	}
}

// TestEnvInvalid: a bad value from the environment is refused like one from
// the file, naming the key.
func TestEnvInvalid(t *testing.T) {
	tests := []struct{ env, value, key string }{
		{"CIVICSCORE_THRESHOLDS_MIN_N", "0", "thresholds.min_n"},
		{"CIVICSCORE_THRESHOLDS_MIN_N", "many", "min_n"},
		{"CIVICSCORE_REPORT_LANG", "fr", "report.lang"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			t.Setenv(tt.env, tt.value)
			path := writeFile(t, t.TempDir(), "config.yml", "inputs:\n  communities: c.csv\n")
			_, err := config.Load(path, nil)
			if !errors.Is(err, civicscore.ErrConfig) || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("Load = %v, want ErrConfig naming %s", err, tt.key)
			}
		})
	}
}

// TestRelativePaths: relative paths resolve against the config file's
// folder, wherever the command runs; absolute paths stay as they are.
func TestRelativePaths(t *testing.T) {
	root := t.TempDir()
	abs := filepath.Join(root, "elsewhere", "spill")
	content := `out: out
inputs:
  communities: data/communities.csv
  cases: ["data/cases/*.csv", "../common/cases.xlsx"]
  services: ` + abs + `
report:
  geojson: geo/b.geojson
duckdb:
  temp_directory: tmp
`
	writeFile(t, root, "project/conf/config.yml", content)
	workdir := filepath.Join(root, "work")
	if err := os.MkdirAll(workdir, 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		chdir   string
		path    string
		confDir string // the folder relative results resolve to, seen from chdir
	}{
		{"absolute config path", workdir, filepath.Join(root, "project/conf/config.yml"), filepath.Join(root, "project/conf")},
		{"relative config path", root, filepath.Join("project", "conf", "config.yml"), filepath.Join("project", "conf")},
		{"config in working dir", filepath.Join(root, "project/conf"), "config.yml", "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(tt.chdir)
			c, err := config.Load(tt.path, nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			in := func(p string) string { return filepath.Join(tt.confDir, p) }
			got := []string{c.Out, c.Inputs.Communities[0], c.Inputs.Cases[0], c.Inputs.Cases[1], c.Inputs.Services[0], c.Report.GeoJSON, c.DuckDB.TempDirectory}
			want := []string{in("out"), in("data/communities.csv"), in("data/cases/*.csv"), in("../common/cases.xlsx"), abs, in("geo/b.geojson"), in("tmp")}
			if !slices.Equal(got, want) {
				t.Errorf("resolved paths:\n got %q\nwant %q", got, want)
			}
			// Whatever the form, each names the same file seen from here.
			for i, p := range got {
				wantAbs := filepath.Join(root, "project/conf", []string{"out", "data/communities.csv", "data/cases/*.csv", "../common/cases.xlsx", "", "geo/b.geojson", "tmp"}[i])
				if i == 4 {
					wantAbs = abs
				}
				a, err := filepath.Abs(p)
				if err != nil {
					t.Fatal(err)
				}
				if a != wantAbs {
					t.Errorf("%q is %s from the working folder, want %s", p, a, wantAbs)
				}
			}
		})
	}
}

// TestScoreWeightsReplaceWhole: weights in the file replace the defaults as a
// whole; a component the file leaves out is absent, not defaulted.
func TestScoreWeightsReplaceWhole(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want map[string]float64
	}{
		{"no weights keeps defaults", "inputs:\n  communities: c.csv\n", config.Default().Score.Weights},
		{"two components", "score:\n  weights:\n    satisfaction_rate: 0.7\n    on_time_rate: 0.3\n",
			map[string]float64{"satisfaction_rate": 0.7, "on_time_rate": 0.3}},
		{"residents only", "score:\n  weights:\n    satisfaction_rate: 1\n",
			map[string]float64{"satisfaction_rate": 1}},
		{"all four", "score:\n  weights:\n    satisfaction_rate: 0.4\n    callback_satisfaction_rate: 0.4\n    on_time_rate: 0.1\n    escalation_share: 0.1\n",
			map[string]float64{"satisfaction_rate": 0.4, "callback_satisfaction_rate": 0.4, "on_time_rate": 0.1, "escalation_share": 0.1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(writeFile(t, t.TempDir(), "config.yml", tt.yaml), nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !reflect.DeepEqual(c.Score.Weights, tt.want) {
				t.Errorf("score.weights = %v, want %v", c.Score.Weights, tt.want)
			}
		})
	}
	// Loading must not alter what Default returns.
	if d := config.Default().Score.Weights; len(d) != 4 || d["on_time_rate"] != 0.25 {
		t.Errorf("Default().Score.Weights changed: %v", d)
	}
}

func TestDefaultValidates(t *testing.T) {
	d := config.Default()
	if err := d.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	// Every default score component is one the score knows, and residents
	// carry at least half.
	var total, resident float64
	for k, w := range d.Score.Weights {
		if !slices.Contains(config.ScoreComponents, k) {
			t.Errorf("default weight %s is not a score component", k)
		}
		total += w
		if slices.Contains(config.ResidentComponents, k) {
			resident += w
		}
	}
	if resident < total/2 {
		t.Errorf("default resident weight %v of %v", resident, total)
	}
}

// TestValidate checks single bad values on top of Default, each error
// naming its key; several bad values are all named at once.
func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *config.Config)
		keys   []string
	}{
		{"ok", func(c *config.Config) {}, nil},
		{"timezone empty", func(c *config.Config) { c.Timezone = "" }, []string{"timezone"}},
		{"timezone with quote", func(c *config.Config) { c.Timezone = "Asia/Shanghai'" }, []string{"timezone"}},
		{"out empty", func(c *config.Config) { c.Out = " " }, []string{"out"}},
		{"mapping kind", func(c *config.Config) { c.Mapping = map[string]map[string][]string{"people": {"x": {"y"}}} }, []string{"mapping.people"}},
		{"mapping no alias", func(c *config.Config) { c.Mapping = map[string]map[string][]string{"cases": {"case_id": nil}} }, []string{"mapping.cases.case_id"}},
		{"personal kind", func(c *config.Config) { c.Personal = map[string][]string{"people": {"x"}} }, []string{"personal.people"}},
		{"sla hours", func(c *config.Config) { c.SLA.DefaultHours = 0 }, []string{"sla.default_hours"}},
		{"sla category", func(c *config.Config) { c.SLA.ByCategory = map[string]float64{"绿化": -1} }, []string{"sla.by_category.绿化"}},
		{"holiday date", func(c *config.Config) { c.SLA.Holidays = []string{"2025-13-01"} }, []string{"sla.holidays", "2025-13-01"}},
		{"three rates weights", func(c *config.Config) { c.ThreeRates.Weights.Response = -0.1 }, []string{"three_rates.weights"}},
		{"survey duration", func(c *config.Config) { c.Survey.MinDurationSeconds = -1 }, []string{"survey.min_duration_seconds"}},
		{"survey per ip", func(c *config.Config) { c.Survey.MaxPerIPPerDay = 0 }, []string{"survey.max_per_ip_per_day"}},
		{"negative weight", func(c *config.Config) {
			c.Score.Weights = map[string]float64{"satisfaction_rate": 1, "on_time_rate": -0.5}
		}, []string{"score.weights.on_time_rate"}},
		{"zero weights", func(c *config.Config) { c.Score.Weights = map[string]float64{} }, []string{"score.weights"}},
		{"target", func(c *config.Config) { c.Targets = map[string]float64{"on_time_rate": 0} }, []string{"targets.on_time_rate"}},
		{"threads", func(c *config.Config) { c.DuckDB.Threads = -1 }, []string{"duckdb.threads"}},
		{"several", func(c *config.Config) { c.Thresholds.MinN = 0; c.Report.Lang = "fr"; c.Encoding = "latin1" },
			[]string{"thresholds.min_n", "report.lang", "encoding"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.mutate(&c)
			err := c.Validate()
			if len(tt.keys) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, civicscore.ErrConfig) {
				t.Fatalf("Validate = %v, want ErrConfig", err)
			}
			for _, k := range tt.keys {
				if !strings.Contains(err.Error(), k) {
					t.Errorf("error %q does not name %s", err, k)
				}
			}
		})
	}
}
