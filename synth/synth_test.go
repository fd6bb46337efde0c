package synth

import (
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicscore/civicscore"
)

func TestParseScale(t *testing.T) {
	tests := []struct {
		in      string
		want    Scale
		wantErr bool
	}{
		{"demo", Demo, false},
		{"district", District, false},
		{" City ", City, false},
		{"PROVINCE", Province, false},
		{"", "", true},
		{"country", "", true},
		{"demo2", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseScale(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseScale(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, civicscore.ErrConfig) {
				t.Errorf("error %v does not wrap ErrConfig", err)
			}
			if got != tt.want {
				t.Errorf("ParseScale(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"unknown scale", Options{Scale: "huge"}},
		{"negative months", Options{Months: -1}},
		{"too many months", Options{Months: maxMonths + 1}},
		{"ancient start", Options{Start: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Generate(dir, tt.opts)
			if !errors.Is(err, civicscore.ErrConfig) {
				t.Fatalf("Generate error = %v, want ErrConfig", err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("files written despite the error: %v", ents)
			}
		})
	}
}

// TestPlanShapes checks the geography of every scale without writing rows.
func TestPlanShapes(t *testing.T) {
	tests := []struct {
		scale                                 Scale
		districts, streets, communities, mons int
	}{
		{Demo, 1, 3, 20, 6},
		{District, 1, 8, 80, 12},
		{City, 9, 38, 362, 12},
		{Province, 90, 380, 3620, 12},
	}
	idRE := regexp.MustCompile(`^34\d{7}$`)
	for _, tt := range tests {
		t.Run(string(tt.scale), func(t *testing.T) {
			p, err := newPlan(Options{Scale: tt.scale, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if p.districts != tt.districts || p.streets != tt.streets || len(p.comms) != tt.communities || p.months != tt.mons {
				t.Fatalf("got %d districts, %d streets, %d communities, %d months; want %d, %d, %d, %d",
					p.districts, p.streets, len(p.comms), p.months, tt.districts, tt.streets, tt.communities, tt.mons)
			}
			ids := map[string]bool{}
			streetNames := map[string]string{} // name -> street id
			districtNames := map[string]string{}
			commNames := map[string]bool{}
			for _, c := range p.comms {
				if !idRE.MatchString(c.id) || !strings.HasPrefix(c.id, c.districtID) {
					t.Errorf("community id %q (district %q)", c.id, c.districtID)
				}
				if ids[c.id] {
					t.Errorf("duplicate community id %s", c.id)
				}
				ids[c.id] = true
				if c.id == unknownCommunityID {
					t.Errorf("the unknown community id is generated")
				}
				if s, ok := streetNames[c.streetName]; ok && s != c.streetID {
					t.Errorf("street name %s used by %s and %s", c.streetName, s, c.streetID)
				}
				streetNames[c.streetName] = c.streetID
				if d, ok := districtNames[c.district]; ok && d != c.districtID {
					t.Errorf("district name %s used by %s and %s", c.district, d, c.districtID)
				}
				districtNames[c.district] = c.districtID
				if !strings.HasSuffix(c.streetName, "街道") || !strings.HasSuffix(c.district, "区") || !strings.HasSuffix(c.name, "社区") {
					t.Errorf("names %s / %s / %s", c.name, c.streetName, c.district)
				}
				key := c.districtID + c.name
				if commNames[key] {
					t.Errorf("community name %s twice in district %s", c.name, c.districtID)
				}
				commNames[key] = true
				if c.households < 800 || c.households > 6000 {
					t.Errorf("%s: households %d", c.id, c.households)
				}
				if r := float64(c.population) / float64(c.households); r < 1.8 || r > 2.9 {
					t.Errorf("%s: population/households %.2f", c.id, r)
				}
				if c.space < 200 || c.space > 1500 {
					t.Errorf("%s: service space %d", c.id, c.space)
				}
			}
			if len(streetNames) != tt.streets || len(districtNames) != tt.districts {
				t.Errorf("%d street names, %d district names", len(streetNames), len(districtNames))
			}
		})
	}
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		total int64
		w     []float64
		want  []int64
	}{
		{10, []float64{1, 1}, []int64{5, 5}},
		{10, []float64{1, 3}, []int64{3, 7}}, // 2.5 rounds half away from zero
		{7, []float64{0, 1, 0}, []int64{0, 7, 0}},
		{0, []float64{1, 2, 3}, []int64{0, 0, 0}},
		{100, []float64{0.2, 0.3, 0.5}, []int64{20, 30, 50}},
	}
	for _, tt := range tests {
		got := allocate(tt.total, tt.w)
		if !slices.Equal(got, tt.want) {
			t.Errorf("allocate(%d, %v) = %v, want %v", tt.total, tt.w, got, tt.want)
		}
	}
}

func TestTimestampFormatting(t *testing.T) {
	// every day from 1999 to 2101 at a time of day that varies
	for d := time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2101; d = d.AddDate(0, 0, 1) {
		ts := d.Add(time.Duration(d.YearDay()*997%86400) * time.Second)
		if got, want := string(appendTS(nil, ts.Unix())), ts.Format("2006-01-02 15:04:05"); got != want {
			t.Fatalf("appendTS = %s, want %s", got, want)
		}
		if got, want := weekday(ts.Unix()/secPerDay), int(ts.Weekday()); got != want {
			t.Fatalf("weekday(%s) = %d, want %d", ts, got, want)
		}
	}
}

func TestAppendField(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"笔架第1社区", "笔架第1社区"},
		{"a,b", `"a,b"`},
		{`say "hi"`, `"say ""hi"""`},
		{"two\nlines", "\"two\nlines\""},
		{"cr\r", "\"cr\r\""},
		{" lead", `" lead"`},
	}
	for _, tt := range tests {
		got := string(appendField(nil, tt.in))
		if got != tt.want {
			t.Errorf("appendField(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// and encoding/csv reads it back
		rec, err := csv.NewReader(strings.NewReader(got + ",x\n")).Read()
		if err != nil || rec[0] != tt.in {
			t.Errorf("round trip of %q: %q, %v", tt.in, rec, err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	sa, err := Generate(a, Options{Scale: Demo, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Generate(b, Options{Scale: Demo, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(c, Options{Scale: Demo, Seed: 43}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sa.Cases, sa.Services, sa.Surveys) != fmt.Sprint(sb.Cases, sb.Services, sb.Surveys) {
		t.Errorf("summaries differ:\n%+v\n%+v", sa, sb)
	}
	for _, name := range []string{CommunitiesFile, CasesFile, ServicesFile, SurveysFile, ConfigFile} {
		ha, hb, hc := fileSHA(t, a, name), fileSHA(t, b, name), fileSHA(t, c, name)
		if ha != hb {
			t.Errorf("%s: same seed, different bytes (%s vs %s)", name, ha, hb)
		}
		if name != ConfigFile && ha == hc {
			t.Errorf("%s: seeds 42 and 43 give the same bytes", name)
		}
	}
}

func fileSHA(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// TestGenerate generates each scale (city with one month only) and checks
// every row against the canonical form (docs/inputs.md).
func TestGenerate(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		counts [4]int64 // communities, cases, services, surveys
		short  bool     // run under -short
	}{
		{"demo", Options{Scale: Demo, Seed: 20250101}, [4]int64{20, 3000, 1500, 1500}, true},
		{"demo from July 2024, 3 months", Options{Scale: Demo, Seed: 7, Months: 3, Start: time.Date(2024, 7, 15, 9, 0, 0, 0, time.UTC)}, [4]int64{20, 1500, 750, 750}, true},
		{"district", Options{Scale: District, Seed: 1}, [4]int64{80, 504_000, 201_600, 100_800}, false},
		{"city, one month", Options{Scale: City, Seed: 2, Months: 1}, [4]int64{362, 420_000, 168_000, 84_000}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if testing.Short() && !tt.short {
				t.Skip("large scale skipped in -short mode")
			}
			dir := t.TempDir()
			sum, err := Generate(dir, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := [4]int64{sum.Communities.Rows, sum.Cases.Rows, sum.Services.Rows, sum.Surveys.Rows}
			if got != tt.counts {
				t.Errorf("rows %v, want %v", got, tt.counts)
			}
			ents, _ := os.ReadDir(dir)
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			if want := []string{CasesFile, CommunitiesFile, ConfigFile, ServicesFile, StrataFile, SurveysFile}; !slices.Equal(names, want) {
				t.Errorf("files %v, want %v", names, want)
			}
			v := checkDir(t, dir, sum)
			checkStrata(t, dir, sum)
			if tt.opts.Scale == Demo && tt.opts.Months == 0 {
				total := sum.Communities.Bytes + sum.Cases.Bytes + sum.Services.Bytes + sum.Surveys.Bytes + sum.Config.Bytes
				if total > 700_000 {
					t.Errorf("demo files take %d bytes, want < 700,000", total)
				}
				// one of each kind of bad case row
				for _, k := range caseDefects {
					if sum.Cases.BadByReason[k] != 1 {
						t.Errorf("demo cases: %d rows of %s, want 1", sum.Cases.BadByReason[k], k)
					}
				}
			}
			if tt.opts.Scale == District {
				checkShape(t, v, sum)
			}
		})
	}
}

// validation holds what checkDir saw, for the shape checks.
type validation struct {
	cases, closed, open, due, noFirst, reopened, updated int64
	callbackEligible, callbacks                          int64
	hotlineCallbacks, hotlineWithFlags                   int64
	level                                                map[string]int64
	byMonth                                              map[string]int64
	onTime                                               map[string][2]int64 // community -> on time, closed
	surveySat                                            map[string][2]int64 // community -> 4-5, answered
	surveys, speeders                                    int64
}

var (
	caseSLA = func() map[string]int64 {
		m := map[string]int64{}
		for _, c := range categories {
			m[c.name] = c.sla
		}
		return m
	}()
	enumSets = map[string][]string{
		"source":                sources,
		"resolution_level":      levels,
		"callback_satisfaction": {"", "satisfied", "basically_satisfied", "dissatisfied"},
		"bool":                  {"", "true", "false"},
		"service_type":          serviceTypes,
		"target_group":          targetGroups,
		"provider_type":         providerTypes,
		"channel":               channels,
		"area_type":             areaTypes,
	}
	respondentRE = regexp.MustCompile(`^R\d{6,}$`)
	ipRE         = regexp.MustCompile(`^[0-9a-f]{8}$`)
	hoursRE      = regexp.MustCompile(`^\d\.\d$`)
)

func readCSV(t *testing.T, path string, header []string, row func(line int, rec map[string]string)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	r.ReuseRecord = true
	h, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h, header) {
		t.Fatalf("%s: header %v", path, h)
	}
	rec := make(map[string]string, len(header))
	for line := 2; ; line++ {
		fields, err := r.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for i, k := range header {
			rec[k] = fields[i]
		}
		row(line, rec)
	}
}

// checkDir reads the four files back and checks every row: the field count,
// the timestamps, the enumerations and the ranges. Rows with a defect are
// classified by reason and the counts compared with the summary; any other
// departure from the contract fails the test.
func checkDir(t *testing.T, dir string, sum Summary) *validation {
	t.Helper()
	const layout = "2006-01-02 15:04:05"
	v := &validation{level: map[string]int64{}, byMonth: map[string]int64{}, onTime: map[string][2]int64{}, surveySat: map[string][2]int64{}}
	errCount := 0
	fail := func(format string, args ...any) {
		errCount++
		if errCount <= 20 {
			t.Errorf(format, args...)
		}
	}
	in := func(set string, s string) bool { return slices.Contains(enumSets[set], s) }
	ts := func(s string) (time.Time, bool) {
		x, err := time.Parse(layout, s)
		return x, err == nil
	}
	inWindow := func(x time.Time) bool { return !x.Before(sum.Start) && x.Before(sum.End) }

	comms := map[string]bool{}
	readCSV(t, filepath.Join(dir, CommunitiesFile), CommunitiesHeader, func(line int, r map[string]string) {
		comms[r["community_id"]] = true
		hh, _ := strconv.Atoi(r["households"])
		if hh < 800 || hh > 6000 || !in("area_type", r["area_type"]) || r["community_name"] == "" {
			fail("communities line %d: %v", line, r)
		}
	})

	// cases
	bad := map[string]int64{}
	ids := make(map[string]struct{}, sum.Cases.Rows)
	var openAll int64
	readCSV(t, filepath.Join(dir, CasesFile), CasesHeader, func(line int, r map[string]string) {
		var reasons []string
		id := r["case_id"]
		if _, dup := ids[id]; dup {
			reasons = append(reasons, ReasonDuplicateInFile)
		}
		ids[id] = struct{}{}
		if !comms[r["community_id"]] {
			reasons = append(reasons, ReasonUnknownCommunity)
		}
		if r["category"] == "" {
			reasons = append(reasons, ReasonMissingRequired)
		} else if _, ok := caseSLA[r["category"]]; !ok {
			fail("cases line %d: category %q", line, r["category"])
		}
		if !in("resolution_level", r["resolution_level"]) {
			reasons = append(reasons, ReasonBadEnum)
		}
		rep, okRep := ts(r["reported_at"])
		if !okRep {
			reasons = append(reasons, ReasonBadTimestamp)
		}
		stamps := map[string]time.Time{}
		for _, k := range []string{"first_response_at", "due_at", "closed_at", "updated_at"} {
			if r[k] == "" {
				continue
			}
			x, ok := ts(r[k])
			if !ok {
				fail("cases line %d: %s %q", line, k, r[k])
			}
			stamps[k] = x
		}
		closed, isClosed := stamps["closed_at"]
		if r["closed_at"] == "" {
			openAll++
		}
		if okRep && isClosed && closed.Before(rep) {
			reasons = append(reasons, ReasonClosedBeforeReported)
		}
		if len(reasons) > 1 {
			fail("cases line %d has several defects %v", line, reasons)
		}
		if len(reasons) == 1 {
			bad[reasons[0]]++
		}
		// the rest of the contract holds for every row
		if !in("source", r["source"]) || !in("callback_satisfaction", r["callback_satisfaction"]) ||
			!in("bool", r["callback_contacted"]) || !in("bool", r["callback_resolved"]) || !in("bool", r["reopened"]) || r["reopened"] == "" {
			fail("cases line %d: enums %v", line, r)
		}
		if len(reasons) > 0 {
			return
		}
		// good rows: consistent timestamps inside the window
		if !inWindow(rep) {
			fail("cases line %d: reported_at %s outside the window", line, rep)
		}
		for k, x := range stamps {
			if k != "due_at" && (x.Before(rep) || !x.Before(sum.End)) {
				fail("cases line %d: %s %s not in [reported_at, end)", line, k, x)
			}
		}
		if f, ok := stamps["first_response_at"]; ok && isClosed && f.After(closed) {
			fail("cases line %d: first response after closure", line)
		}
		sla := time.Duration(caseSLA[r["category"]]) * time.Hour
		if d, ok := stamps["due_at"]; ok && !d.Equal(rep.Add(sla)) {
			fail("cases line %d: due_at %s, want reported_at + %s", line, d, sla)
		}
		hasCallback := r["callback_satisfaction"] != ""
		if hasCallback && (!isClosed || (r["source"] != "hotline" && r["source"] != "app")) {
			fail("cases line %d: callback on an open or non-hotline/app case", line)
		}
		hotlineFlags := r["callback_contacted"] != "" && r["callback_resolved"] != ""
		if hotlineFlags != (hasCallback && r["source"] == "hotline") {
			fail("cases line %d: callback flags %q %q", line, r["callback_contacted"], r["callback_resolved"])
		}
		if _, ok := stamps["updated_at"]; ok && !isClosed {
			fail("cases line %d: updated_at on an open case", line)
		}

		v.cases++
		v.level[r["resolution_level"]]++
		v.byMonth[r["reported_at"][:7]]++
		if isClosed {
			v.closed++
			ot := v.onTime[r["community_id"]]
			ot[1]++
			if !closed.After(rep.Add(sla)) {
				ot[0]++
			}
			v.onTime[r["community_id"]] = ot
			if r["source"] == "hotline" || r["source"] == "app" {
				v.callbackEligible++
				if hasCallback {
					v.callbacks++
				}
			}
		} else {
			v.open++
		}
		if hasCallback && r["source"] == "hotline" {
			v.hotlineCallbacks++
		}
		if hotlineFlags {
			v.hotlineWithFlags++
		}
		if _, ok := stamps["due_at"]; ok {
			v.due++
		}
		if _, ok := stamps["first_response_at"]; !ok {
			v.noFirst++
		}
		if _, ok := stamps["updated_at"]; ok {
			v.updated++
		}
		if r["reopened"] == "true" {
			v.reopened++
		}
	})
	compareBad(t, "cases", bad, sum.Cases)
	if openAll != sum.OpenCases {
		t.Errorf("%d cases without closed_at, summary says %d", openAll, sum.OpenCases)
	}

	// services
	bad = map[string]int64{}
	svIDs := map[string]bool{}
	readCSV(t, filepath.Join(dir, ServicesFile), ServicesHeader, func(line int, r map[string]string) {
		if svIDs[r["service_id"]] {
			fail("services line %d: duplicate id", line)
		}
		svIDs[r["service_id"]] = true
		if !in("service_type", r["service_type"]) {
			bad[ReasonBadEnum]++
		}
		d, err := time.Parse("2006-01-02", r["service_date"])
		if err != nil || !inWindow(d) {
			fail("services line %d: date %q", line, r["service_date"])
		}
		n, err := strconv.Atoi(r["recipients"])
		if err != nil || n < 1 || n > 40 {
			fail("services line %d: recipients %q", line, r["recipients"])
		}
		h, err := strconv.ParseFloat(r["hours"], 64)
		if err != nil || h < 0.5 || h > 8 || !hoursRE.MatchString(r["hours"]) {
			fail("services line %d: hours %q", line, r["hours"])
		}
		if !comms[r["community_id"]] || !in("target_group", r["target_group"]) || !in("provider_type", r["provider_type"]) {
			fail("services line %d: %v", line, r)
		}
	})
	compareBad(t, "services", bad, sum.Services)

	// surveys: also recount the quality filter's work
	bad = map[string]int64{}
	seen := map[string]bool{}
	var repeats int64
	readCSV(t, filepath.Join(dir, SurveysFile), SurveysHeader, func(line int, r map[string]string) {
		isBad := false
		for _, q := range SurveysHeader[7:15] {
			a := r[q]
			if a == "" {
				continue
			}
			if n, err := strconv.Atoi(a); err != nil || n < 1 || n > 5 {
				if q != "q_overall" || isBad {
					fail("surveys line %d: %s = %q", line, q, a)
				}
				isBad = true
			}
		}
		if isBad {
			bad[ReasonBadEnum]++
		}
		sub, ok := ts(r["submitted_at"])
		if !ok || !inWindow(sub) || !comms[r["community_id"]] || !in("channel", r["channel"]) {
			fail("surveys line %d: %v", line, r)
		}
		if h := r["respondent_hash"]; h != "" && !respondentRE.MatchString(h) {
			fail("surveys line %d: respondent_hash %q", line, h)
		}
		if h := r["ip_hash"]; h != "" && !ipRE.MatchString(h) {
			fail("surveys line %d: ip_hash %q", line, h)
		}
		if !slices.Contains(ageGroups, r["age_group"]) || !slices.Contains(genders, r["gender"]) {
			fail("surveys line %d: strata %q %q", line, r["age_group"], r["gender"])
		}
		dur := -1
		if s := r["duration_seconds"]; s != "" {
			var err error
			if dur, err = strconv.Atoi(s); err != nil || dur < 1 {
				fail("surveys line %d: duration %q", line, s)
			}
		}
		if isBad {
			return
		}
		v.surveys++
		if dur >= 0 && dur < 30 {
			v.speeders++
			return
		}
		if h := r["respondent_hash"]; h != "" {
			key := r["community_id"] + r["submitted_at"][:7] + h
			if seen[key] {
				repeats++
			}
			seen[key] = true
		}
		if q := r["q_overall"]; q != "" {
			s := v.surveySat[r["community_id"]]
			s[1]++
			if q >= "4" {
				s[0]++
			}
			v.surveySat[r["community_id"]] = s
		}
	})
	compareBad(t, "surveys", bad, sum.Surveys)
	if v.speeders != sum.Speeders || repeats != sum.RepeatRespondents {
		t.Errorf("speeders %d, repeat respondents %d; summary says %d, %d", v.speeders, repeats, sum.Speeders, sum.RepeatRespondents)
	}

	// the config names the files and every category
	cfg, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"timezone: Asia/Shanghai", "out: out", "communities: communities.csv", "cases: cases.csv",
		"services: services.csv", "surveys: surveys.csv", "default_hours: 72", "min_n: 10"} {
		if !strings.Contains(string(cfg), want+"\n") {
			t.Errorf("config.yaml lacks %q", want)
		}
	}
	for name, h := range caseSLA {
		if !strings.Contains(string(cfg), fmt.Sprintf("    %s: %d\n", name, h)) {
			t.Errorf("config.yaml lacks the SLA of %s", name)
		}
	}
	return v
}

func compareBad(t *testing.T, file string, got map[string]int64, fs FileSummary) {
	t.Helper()
	var total int64
	for _, v := range got {
		total += v
	}
	if total != fs.Bad || !maps.Equal(got, nilIfEmpty(fs.BadByReason)) {
		t.Errorf("%s: bad rows found %v (%d), summary says %v (%d)", file, got, total, fs.BadByReason, fs.Bad)
	}
	// one row in 500 (0.2%)
	if want := (fs.Rows + badEvery - badOffset - 1) / badEvery; fs.Bad != want {
		t.Errorf("%s: %d bad rows in %d, want %d", file, fs.Bad, fs.Rows, want)
	}
}

func nilIfEmpty(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

// checkShape checks that the data look like the brief: shares in their
// ranges, summer busier than winter, and survey satisfaction following how
// well communities handle their cases.
func checkShape(t *testing.T, v *validation, sum Summary) {
	t.Helper()
	share := func(name string, num, den int64, lo, hi float64) {
		s := float64(num) / float64(den)
		if s < lo || s > hi {
			t.Errorf("%s = %.3f, want in [%.3f, %.3f]", name, s, lo, hi)
		}
	}
	share("open share", v.open, v.cases, 0.02, 0.08)
	share("due_at given", v.due, v.cases, 0.65, 0.75)
	share("first response missing", v.noFirst, v.cases, 0.05, 0.12)
	share("reopened", v.reopened, v.cases, 0.02, 0.04)
	share("updated_at given", v.updated, v.cases, 0.01, 0.06)
	share("callback coverage of closed hotline/app cases", v.callbacks, v.callbackEligible, 0.55, 0.65)
	share("community level", v.level["community"], v.cases, 0.75, 0.95)
	share("city level", v.level["city"], v.cases, 0.002, 0.03)
	share("speeders", v.speeders, v.surveys, 0.02, 0.04)
	share("repeat respondents", sum.RepeatRespondents, v.surveys, 0.01, 0.06)
	if v.hotlineWithFlags != v.hotlineCallbacks {
		t.Errorf("hotline callbacks %d, with flags %d", v.hotlineCallbacks, v.hotlineWithFlags)
	}
	year := sum.Start.Format("2006")
	if jul, jan := v.byMonth[year+"-07"], v.byMonth[year+"-01"]; float64(jul) < 1.3*float64(jan) {
		t.Errorf("July %d cases, January %d: want a summer peak", jul, jan)
	}
	// correlation over communities of on-time rate and survey satisfaction
	var xs, ys []float64
	for id, ot := range v.onTime {
		s := v.surveySat[id]
		if ot[1] > 0 && s[1] > 0 {
			xs = append(xs, float64(ot[0])/float64(ot[1]))
			ys = append(ys, float64(s[0])/float64(s[1]))
		}
	}
	if r := pearson(xs, ys); r < 0.3 {
		t.Errorf("correlation of on-time rate and survey satisfaction %.2f, want > 0.3", r)
	}
}

func pearson(xs, ys []float64) float64 {
	n := float64(len(xs))
	var mx, my float64
	for i := range xs {
		mx += xs[i] / n
		my += ys[i] / n
	}
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func BenchmarkGenerateDistrict(b *testing.B) {
	dir := b.TempDir()
	var rows int64
	for b.Loop() {
		s, err := Generate(dir, Options{Scale: District, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		rows += s.Rows()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// checkStrata checks strata.csv against communities.csv and surveys.csv:
// three communities in four have rows of their own, each area has the six
// strata, a community's 60+ are its elderly and its strata sum to its
// adults (84% of its population, to rounding); a district's rows are the
// sums over all its communities; and the surveys hold more people of 60+
// than the population does (what weighting corrects).
func checkStrata(t *testing.T, dir string, sum Summary) {
	t.Helper()
	type comm struct {
		district          string
		population, elder int64
	}
	comms := map[string]comm{}
	var order []string
	readCSV(t, filepath.Join(dir, CommunitiesFile), CommunitiesHeader, func(_ int, r map[string]string) {
		pop, _ := strconv.ParseInt(r["population"], 10, 64)
		el, _ := strconv.ParseInt(r["elderly_population"], 10, 64)
		comms[r["community_id"]] = comm{r["district_id"], pop, el}
		order = append(order, r["community_id"])
	})
	own := map[string]map[string]int64{}
	dist := map[string]map[string]int64{}
	var rows int64
	readCSV(t, filepath.Join(dir, StrataFile), StrataHeader, func(line int, r map[string]string) {
		rows++
		n, err := strconv.ParseInt(r["population"], 10, 64)
		if err != nil || n < 0 || !slices.Contains(ageGroups, r["age_group"]) || !slices.Contains(genders, r["gender"]) {
			t.Errorf("strata line %d: %v", line, r)
		}
		m, id := own, r["community_id"]
		if id == "" {
			m, id = dist, r["district_id"]
		}
		if m[id] == nil {
			m[id] = map[string]int64{}
		}
		m[id][r["age_group"]] += n
		m[id]["all"] += n
	})
	if rows != sum.Strata.Rows {
		t.Errorf("strata.csv has %d rows, summary says %d", rows, sum.Strata.Rows)
	}
	byDistrict := map[string]int64{}
	var pop60, popAll int64
	for i, id := range order {
		c := comms[id]
		byDistrict[c.district] += int64(math.Round(float64(c.population) * adultShare))
		s, has := own[id]
		if has != (i%ownStrataMod != ownStrataMod-1) {
			t.Errorf("community %d (%s): rows of its own %v", i, id, has)
			continue
		}
		if !has {
			continue
		}
		adults := float64(c.population) * adultShare
		if math.Abs(float64(s["all"])-adults) > 3 || s["60+"] != c.elder {
			t.Errorf("%s: strata %v, want %.0f adults, %d of 60+", id, s, adults, c.elder)
		}
		pop60 += s["60+"]
		popAll += s["all"]
	}
	for d, want := range byDistrict {
		if got := dist[d]["all"]; math.Abs(float64(got-want)) > float64(3*len(order)) {
			t.Errorf("district %s: %d in its strata, want about %d", d, got, want)
		}
	}
	var old, all int64
	readCSV(t, filepath.Join(dir, SurveysFile), SurveysHeader, func(_ int, r map[string]string) {
		all++
		if r["age_group"] == "60+" {
			old++
		}
	})
	if all > 0 && float64(old)/float64(all) <= float64(pop60)/float64(popAll) {
		t.Errorf("surveys: %d of %d are 60+, no more than the population's %d of %d", old, all, pop60, popAll)
	}
}
