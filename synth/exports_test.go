package synth

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/civicscore/civicscore"
)

var update = flag.Bool("update", false, "rewrite testdata/samples (the committed sample exports) from the generator")

// committedSamples is the repository's own set of sample exports.
const committedSamples = "../testdata/samples"

// samplesSeed is the seed the committed samples are written with.
const samplesSeed = 1

// The committed samples are what the generator writes today, byte for byte
// (the .xlsx too: excelize writes fixed document dates and zip times, and
// TestExportsDeterministic checks that two runs agree). With -update the
// committed files are rewritten.
func TestExportsMatchCommitted(t *testing.T) {
	dir := t.TempDir()
	sum, err := GenerateExports(dir, samplesSeed)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range sum.Files {
		names = append(names, f.Name)
	}
	if *update {
		if err := os.MkdirAll(committedSamples, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(committedSamples, n), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ents, err := os.ReadDir(committedSamples)
	if err != nil {
		t.Fatal(err)
	}
	var committed []string
	for _, e := range ents {
		if !e.IsDir() {
			committed = append(committed, e.Name())
		}
	}
	if slices.Sort(names); !slices.Equal(committed, names) {
		t.Errorf("%s holds %v, the generator writes %v (go test ./synth -run %s -update)", committedSamples, committed, names, t.Name())
	}
	for _, n := range names {
		want, err := os.ReadFile(filepath.Join(committedSamples, n))
		if err != nil {
			t.Error(err)
			continue
		}
		got, _ := os.ReadFile(filepath.Join(dir, n))
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output (%d vs %d bytes): go test ./synth -run %s -update", n, len(want), len(got), t.Name())
		}
	}
	var total int64
	for _, f := range sum.Files {
		total += f.Bytes
	}
	if total > 200_000 {
		t.Errorf("the samples take %d bytes, want under 200 KB", total)
	}
}

func TestExportsDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	sum, err := GenerateExports(a, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateExports(b, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateExports(c, 8); err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		if fileSHA(t, a, f.Name) != fileSHA(t, b, f.Name) {
			t.Errorf("%s: two runs with one seed differ", f.Name)
		}
	}
	if fileSHA(t, a, CasesPart1File) == fileSHA(t, c, CasesPart1File) {
		t.Errorf("%s: seeds 7 and 8 give the same file", CasesPart1File)
	}
}

// Every seed gives one bad case row of each kind, exactly one out-of-range
// answer, speeders and repeat respondents, and some updates (the summary is what expected_rejects.yaml says).
func TestExportsEverySeedHasEachDefect(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		sum, err := GenerateExports(t.TempDir(), seed)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, f := range sum.Files {
			var want []string
			switch f.Name {
			case CasesPart1File:
				want = caseDefects
			case SurveysXLSXFile:
				want = []string{ReasonBadEnum, ReasonDuplicateRespondent, ReasonSpeeder}
			}
			for _, reason := range want {
				if n := f.Rejects[reason]; n < 1 || (f.Name == CasesPart1File || reason == ReasonBadEnum) && n != 1 {
					t.Errorf("seed %d: %s has no %s row: %v", seed, f.Name, reason, f.Rejects)
				}
			}
			if len(want) == 0 && len(f.Rejects) > 0 {
				t.Errorf("seed %d: %s has rejects %v, want none", seed, f.Name, f.Rejects)
			}
		}
		if sum.Updated < 3 {
			t.Errorf("seed %d: %d updates", seed, sum.Updated)
		}
	}
}

func TestParseShape(t *testing.T) {
	for in, want := range map[string]Shape{"canonical": Canonical, " Exports ": Exports, "": "", "export": ""} {
		got, err := ParseShape(in)
		if got != want || (want == "") != errors.Is(err, civicscore.ErrConfig) {
			t.Errorf("ParseShape(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// The files say what the summary says, read back by parsers of their own
// formats (not by ingest): every case file's rows, ids unique across files
// but for the one duplicate, the updates only for cases open before, the
// platform file in GB18030 with Chinese values only, the survey workbook's
// phone numbers, speeders and repeats as counted.
func TestExportsContent(t *testing.T) {
	dir := t.TempDir()
	sum, err := GenerateExports(dir, samplesSeed)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]ExportFile{}
	for _, f := range sum.Files {
		byName[f.Name] = f
	}
	readCSVFile := func(name string, gb bool) [][]string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if gb {
			if b, err = simplifiedchinese.GB18030.NewDecoder().Bytes(b); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := int64(len(recs) - 1); got != byName[name].Rows {
			t.Errorf("%s: %d rows, summary says %d", name, got, byName[name].Rows)
		}
		return recs
	}

	part1 := readCSVFile(CasesPart1File, false)
	part2 := readCSVFile(CasesPart2File, true)
	updates := readCSVFile(CasesUpdatesFile, false)
	if !slices.Equal(part2[0], platformHeader) {
		t.Errorf("%s header %v", CasesPart2File, part2[0])
	}
	if raw, _ := os.ReadFile(filepath.Join(dir, CasesPart2File)); bytes.Contains(raw, []byte("社区")) {
		t.Errorf("%s holds UTF-8 Chinese text; want GB18030", CasesPart2File)
	}
	for _, rec := range part2[1:] {
		if !slices.Contains(platformSources, rec[3]) || !slices.Contains(platformLevels, rec[9]) || !strings.Contains(rec[5], "/") {
			t.Errorf("%s: row %v is not in the platform's words", CasesPart2File, rec)
		}
	}

	var requests []map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, CasesOpen311File))
	if err := json.Unmarshal(b, &requests); err != nil {
		t.Fatalf("%s: %v", CasesOpen311File, err)
	}
	if int64(len(requests)) != byName[CasesOpen311File].Rows {
		t.Errorf("%s: %d requests, summary says %d", CasesOpen311File, len(requests), byName[CasesOpen311File].Rows)
	}

	// ids: each once across the case files, but one twice in part1
	seen := map[string]int{}
	openIDs := map[string]bool{}
	for _, rec := range part1[1:] {
		seen[rec[0]]++
		if rec[8] == "" {
			openIDs[rec[0]] = true
		}
	}
	for _, rec := range part2[1:] {
		seen[rec[0]]++
		if rec[8] == "" {
			openIDs[rec[0]] = true
		}
	}
	for _, q := range requests {
		seen[q["service_request_id"].(string)]++
	}
	var twice []string
	for id, n := range seen {
		if n > 1 {
			twice = append(twice, id)
		}
	}
	if len(twice) != 1 || byName[CasesPart1File].Rejects[ReasonDuplicateInFile] != 1 {
		t.Errorf("case ids written twice: %v, want one", twice)
	}
	if len(updates) < 2 || int64(len(updates)-1) != int64(sum.Updated) {
		t.Errorf("%d updates, summary says %d", len(updates)-1, sum.Updated)
	}
	for _, rec := range updates[1:] {
		if !openIDs[rec[0]] || rec[8] == "" || rec[14] <= rec[8] {
			t.Errorf("update %v: want a case open before, now closed, updated after closing", rec)
		}
	}

	// The survey workbook, read with excelize.
	f, err := excelize.OpenFile(filepath.Join(dir, SurveysXLSXFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)-1) != byName[SurveysXLSXFile].Rows {
		t.Errorf("%s: %d rows, summary says %d", SurveysXLSXFile, len(rows)-1, byName[SurveysXLSXFile].Rows)
	}
	// Speeders: durations under survey.min_duration_seconds (30) in config.yaml.
	// Repeats: one phone twice in a community and month (the month is the
	// first seven characters of the formatted date, yyyy/mm).
	var speeders, repeats int64
	phones := map[string]int{}
	for _, row := range rows[1:] {
		d, err := strconv.Atoi(strings.TrimSuffix(row[2], "秒"))
		if err != nil || !strings.HasSuffix(row[2], "秒") {
			t.Errorf("duration %q is not like 125秒", row[2])
		}
		if d < 30 {
			speeders++
		}
		if p := row[6]; p != "" {
			if len(p) != 11 || !strings.HasPrefix(p, "1390000") {
				t.Errorf("phone %q is not a fake mainland mobile number", p)
			}
			if phones[row[5]+"|"+row[1][:7]+"|"+p]++; phones[row[5]+"|"+row[1][:7]+"|"+p] == 2 {
				repeats++
			}
		}
	}
	rej := byName[SurveysXLSXFile].Rejects
	if rej[ReasonSpeeder] < 2 || rej[ReasonSpeeder] != speeders || rej[ReasonDuplicateRespondent] != exportRepeats ||
		repeats != exportRepeats || rej[ReasonBadEnum] != 1 {
		t.Errorf("survey rejects %v; the workbook holds %d speeders and %d repeated phones", rej, speeders, repeats)
	}
}
