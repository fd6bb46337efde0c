package metrics

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/civicscore/civicscore"
)

// ReferenceCommand is the command that regenerates docs/indicators.md.
const ReferenceCommand = "go test -tags=duckdb_arrow ./metrics -run TestIndicatorsReferenceCurrent -update"

// referenceSources are the facts WriteReference looks up besides the
// registry: which SQL files and which fixture files mention an indicator.
type referenceSources struct {
	sql, tests map[string]string // file path → text
}

// referenceColumn is one column of the indicator table of docs/indicators.md.
type referenceColumn struct {
	header string
	cell   func(ind civicscore.Indicator, src referenceSources) string
}

// referenceColumns are the columns of the indicator table, in order. A new
// registry field becomes a new entry here.
var referenceColumns = []referenceColumn{
	{"id", func(ind civicscore.Indicator, _ referenceSources) string { return "`" + ind.ID + "`" }},
	{"名称", func(ind civicscore.Indicator, _ referenceSources) string { return ind.NameZH }},
	{"name", func(ind civicscore.Indicator, _ referenceSources) string { return ind.NameEN }},
	{"短名 / short", func(ind civicscore.Indicator, _ referenceSources) string {
		return ind.ShortZH + " / " + ind.ShortEN
	}},
	{"family", func(ind civicscore.Indicator, _ referenceSources) string { return ind.Family }},
	{"kind", func(ind civicscore.Indicator, _ referenceSources) string { return string(ind.Kind) }},
	{"unit", func(ind civicscore.Indicator, _ referenceSources) string { return ind.Unit }},
	{"direction", func(ind civicscore.Indicator, _ referenceSources) string { return string(ind.Direction) }},
	{"definition", func(ind civicscore.Indicator, _ referenceSources) string { return ind.Definition }},
	{"in plain words (scorecards)", func(ind civicscore.Indicator, _ referenceSources) string {
		return strings.Trim(ind.PlainZH+" / "+ind.PlainEN, " /")
	}},
	{"score component", func(ind civicscore.Indicator, _ referenceSources) string { return scoreRole(ind.Score) }},
	{"sources", func(ind civicscore.Indicator, _ referenceSources) string {
		var names []string
		for _, k := range ind.Sources {
			names = append(names, string(k))
		}
		return strings.Join(names, ", ")
	}},
	{"suppression", func(ind civicscore.Indicator, _ referenceSources) string { return suppressionRule(ind) }},
	{"SQL", func(ind civicscore.Indicator, src referenceSources) string {
		return fileList(mentions(src.sql, ind.ID))
	}},
	{"tests", func(ind civicscore.Indicator, src referenceSources) string {
		return fileList(mentions(src.tests, ind.ID))
	}},
	{"pages", func(ind civicscore.Indicator, _ referenceSources) string {
		return strings.Join(indicatorPages(ind), ", ")
	}},
}

// scoreRole says how an indicator enters the resident score, in words.
func scoreRole(c civicscore.ScoreComponent) string {
	if !c.Component {
		return ""
	}
	role := "yes"
	if c.Residents {
		role += ", residents'"
	}
	if c.Complement {
		role += ", as 1 − value"
	}
	return role
}

// suppressionRule says when a value of ind is suppressed.
func suppressionRule(ind civicscore.Indicator) string {
	switch {
	case ind.ID == "resident_score":
		return "no resident component shown, or the weights present < half of the total"
	case ind.ID == "three_rates_score":
		return "valid callbacks < min_n"
	case ind.Kind == civicscore.Fact:
		return "never"
	case strings.HasSuffix(ind.ID, ".standardised"):
		return "crude denominator < min_n, or E = 0"
	default:
		return "denominator < min_n"
	}
}

// indicatorPages lists the report pages that show ind: every indicator is
// in the community table and on the methodology page; the resident score
// also on the ranking page and the scorecards, its components on the
// scorecards.
func indicatorPages(ind civicscore.Indicator) []string {
	pages := []string{"communities.html", "methodology.html"}
	switch {
	case ind.ID == "resident_score":
		pages = append(pages, "ranking.html", "scorecards")
	case slices.Contains(ScoreComponents, ind.ID):
		pages = append(pages, "scorecards")
	}
	return pages
}

// mentions returns the files (sorted) whose text names id as a whole word;
// an item indicator such as level_share.city or satisfaction_rate.q_safety,
// built in SQL from its prefix, is also found through "level_share." or
// "satisfaction_rate." followed by a quote.
func mentions(files map[string]string, id string) []string {
	res := []*regexp.Regexp{regexp.MustCompile(`(^|[^a-z0-9_.])` + regexp.QuoteMeta(id) + `($|[^a-z0-9_])`)}
	if prefix, _, ok := strings.Cut(id, "."); ok {
		res = append(res, regexp.MustCompile(`'`+regexp.QuoteMeta(prefix)+`\.'`))
	}
	var out []string
	for name, text := range files {
		for _, re := range res {
			if re.MatchString(text) {
				out = append(out, name)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// fileList writes paths as code spans, "—" for none.
func fileList(paths []string) string {
	if len(paths) == 0 {
		return "—"
	}
	for i, p := range paths {
		paths[i] = "`" + p + "`"
	}
	return strings.Join(paths, "<br>")
}

// readTexts reads every file of fsys matching pattern, keyed by prefix +
// its path.
func readTexts(fsys fs.FS, pattern, prefix string) (map[string]string, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", n, err)
		}
		out[path.Join(prefix, n)] = string(b)
	}
	return out, nil
}

// WriteReference writes docs/indicators.md: every indicator of
// Registry(nil) with its names, definition, unit, direction, kind, family,
// suppression rule, the SQL files that compute it, the fixture files that
// test it and the report pages that show it. tests is the folder of the
// indicator fixtures (metrics/testdata/indicators); the SQL is the
// package's own embedded sql/*.sql. The text depends on nothing else, so
// that a drift test can compare it with the committed file.
//
// defaultMinN is the default of thresholds.min_n, which the text quotes;
// the caller passes it from config.Default(), the one home of defaults.
func WriteReference(w io.Writer, tests fs.FS, defaultMinN int) error {
	var src referenceSources
	var err error
	if src.sql, err = readTexts(sqlFS, "sql/*.sql", "metrics"); err != nil {
		return fmt.Errorf("indicator reference: %w", err)
	}
	if src.tests, err = readTexts(tests, "*.yaml", "metrics/testdata/indicators"); err != nil {
		return fmt.Errorf("indicator reference: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# Indicators

<!-- Generated from metrics.Registry by metrics.WriteReference; do not edit.
     Regenerate with: %s -->

Every indicator civicscore computes, as the registry (metrics/registry.go)
defines it. Compute writes one row of indicator_values per indicator, unit
(community, street, district) and period (month, quarter, year); the table
indicators of the database holds the same registry.

## Kinds, intervals and suppression

- **proportion**: numerator / denominator, with a Wilson 95%% interval
  (z = 1.959963984540054). Suppressed when the denominator is below min_n
  (thresholds.min_n, default %d): value and interval NULL, suppressed = true,
  numerator and denominator kept. A community's proportions are also shrunk
  towards their district's rate (empirical Bayes) into shrunk_value.
- **estimate**: a mean, quantile or score made from rows; suppressed below
  min_n rows like a proportion (three_rates_score: below min_n valid
  callbacks; resident_score by its own rule, see its row).
- **fact**: a count or a per-capita rate; never suppressed, no interval.

Higher levels and longer periods pool the rows (they add numerators and
denominators, never average rates).

## Where an indicator appears

SQL lists the files of metrics/sql that name the indicator (found by
scanning them, so the list follows the code). Tests lists the fixture files
of metrics/testdata/indicators that name it (hand-computed expectations,
run by TestIndicatorFixtures); the resident score, shrinkage, changes and
the companion tables are tested in Go (metrics/score_test.go,
metrics/change_test.go, and the randomised references
metrics/reference_test.go and metrics/refscore_test.go). Pages: every indicator is a column of the
community table (communities.html) and is defined on the methodology page;
resident_score is also what the ranking page ranks and the scorecards show,
and the score components (%s) are listed on the scorecards.

## Registry

`, ReferenceCommand, defaultMinN, strings.Join(ScoreComponents, ", "))
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	var head, rule []string
	for _, c := range referenceColumns {
		head = append(head, c.header)
		rule = append(rule, "---")
	}
	row(head)
	row(rule)
	for _, ind := range Registry(nil) {
		var cells []string
		for _, c := range referenceColumns {
			cells = append(cells, c.cell(ind, src))
		}
		row(cells)
	}
	_, err = io.WriteString(w, b.String())
	return err
}
