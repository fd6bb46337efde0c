package synth

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/civicscore/civicscore"
)

// Scale names a size of synthetic data set.
type Scale string

// The scales Generate knows. Row counts are for the default number of months;
// with Options.Months set, cases, services and surveys scale with the months.
const (
	// Demo: 1 district, 3 streets, 20 communities, 6 months; about 3,000
	// cases, 1,500 services and 1,500 survey responses (under 700 KB in all).
	Demo Scale = "demo"
	// District: 1 district, 8 streets, 80 communities, 12 months; about
	// 504,000 cases, 202,000 services and 101,000 survey responses.
	District Scale = "district"
	// City: 9 districts, 38 streets, 362 communities, 12 months; 5,040,000
	// cases, 2,016,000 services and 1,008,000 survey responses.
	City Scale = "city"
	// Province: ten cities of City's shape: 90 districts, 380 streets, 3,620
	// communities and ten times City's rows.
	Province Scale = "province"
)

// Scales lists the scales from the smallest up.
var Scales = []Scale{Demo, District, City, Province}

// ParseScale returns the Scale named by s (case and surrounding spaces are
// ignored). An unknown name is an error wrapping civicscore.ErrConfig.
func ParseScale(s string) (Scale, error) {
	v := Scale(strings.ToLower(strings.TrimSpace(s)))
	for _, sc := range Scales {
		if v == sc {
			return sc, nil
		}
	}
	return "", fmt.Errorf("%w: unknown scale %q (want demo, district, city or province)", civicscore.ErrConfig, s)
}

// Options says what Generate makes.
type Options struct {
	// Scale is the size of the data set; empty means Demo.
	Scale Scale
	// Seed seeds every random choice: the same Options give byte-identical files.
	Seed int64
	// Months is the number of calendar months covered; 0 means the scale's
	// default (6 for Demo, 12 otherwise). At most 120.
	Months int
	// Start is the first month covered (only its year and month count); the
	// zero value means 2025-01.
	Start time.Time
}

// FileSummary describes one file written by Generate.
type FileSummary struct {
	// Name is the file name inside the output folder.
	Name string
	// Rows is the number of data rows written (header excluded, bad rows
	// included).
	Rows int64
	// Bad is the number of rows deliberately made bad, which ingest must reject.
	Bad int64
	// BadByReason splits Bad by the reject reason code (docs/inputs.md)
	// the row should get (closed_before_reported, unknown_community,
	// bad_timestamp, missing_required, bad_enum, duplicate_in_file). For
	// duplicate_in_file, the count is the number of rows ingest rejects (the
	// earlier of each pair sharing a case_id). Nil when Bad is 0.
	BadByReason map[string]int64
	// Bytes is the size of the file.
	Bytes int64
}

// Summary reports what Generate wrote.
type Summary struct {
	// Dir is the output folder.
	Dir string
	// Scale, Seed and Months are the effective options.
	Scale  Scale
	Seed   int64
	Months int
	// Start is the first instant covered and End the first instant after
	// the data window. The files' timestamps carry no zone (they are local
	// time); Start and End hold the same clock readings in time.UTC.
	Start, End time.Time
	// Districts and Streets count the districts and streets of communities.csv.
	Districts, Streets int
	// Communities, Cases, Services and Surveys describe the four data files;
	// Config names config.yaml (Rows is 0).
	Communities, Cases, Services, Surveys, Config FileSummary
	// Strata describes strata.csv, the population by stratum that the
	// config's survey weighting (survey.post_strata) reads.
	Strata FileSummary
	// OpenCases counts cases written without closed_at.
	OpenCases int64
	// Speeders counts valid survey responses (not deliberately bad) with
	// duration_seconds below 30, which the quality filter excludes.
	Speeders int64
	// RepeatRespondents counts the responses the duplicate_respondent filter
	// must exclude: among valid, non-speeder responses with a respondent_hash,
	// those that share respondent, community and month with a later one.
	RepeatRespondents int64
}

// result is what one file writer reports.
type result struct {
	file                    FileSummary
	open, speeders, repeats int64
}

// Rows returns the number of data rows written in all four files.
func (s Summary) Rows() int64 {
	return s.Communities.Rows + s.Cases.Rows + s.Services.Rows + s.Surveys.Rows
}

// Generate writes a synthetic data set into dir (created if needed):
// communities.csv, cases.csv, services.csv, surveys.csv and strata.csv in
// the canonical form (docs/inputs.md), and config.yaml, a civicscore config that loads
// them by relative paths. Files are written under a temporary name and renamed
// when complete. Invalid options give an error wrapping civicscore.ErrConfig.
func Generate(dir string, opts Options) (Summary, error) {
	p, err := newPlan(opts)
	if err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("synth: %w", err)
	}
	sum := Summary{
		Dir:       dir,
		Scale:     p.scale,
		Seed:      opts.Seed,
		Months:    p.months,
		Start:     time.Unix(p.monthStart[0], 0).UTC(),
		End:       time.Unix(p.end, 0).UTC(),
		Districts: p.districts,
		Streets:   p.streets,
	}

	if sum.Communities, err = writeCommunities(dir, p); err != nil {
		return sum, err
	}
	if sum.Strata, err = writeStrata(dir, p); err != nil {
		return sum, err
	}

	// The three large files are written concurrently; each draws from its
	// own random stream, so the result does not depend on scheduling.
	writers := []func(string, *plan) (result, error){writeCases, writeServices, writeSurveys}
	var (
		wg      sync.WaitGroup
		errs    = make([]error, len(writers))
		results = make([]result, len(writers))
	)
	for i, w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = w(dir, p)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return sum, err
	}
	sum.Cases, sum.Services, sum.Surveys = results[0].file, results[1].file, results[2].file
	sum.OpenCases = results[0].open
	sum.Speeders, sum.RepeatRespondents = results[2].speeders, results[2].repeats

	if sum.Config, err = writeConfig(dir, p, opts.Seed); err != nil {
		return sum, err
	}
	return sum, nil
}
