package reports

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/civicscore/civicscore"
)

// Options control how Render writes the report (Load only checks them).
type Options struct {
	// Title is the report title shown on every page
	// (config report.title). Empty: a default title in the page language.
	Title string
	// Lang is the language the bureau pages (the district report, street
	// reports, table, ranking, methodology and data quality) open in:
	// "zh-CN" (default) or "en" (config report.lang). Every page carries
	// both languages and a switch; the residents' pages (scorecards and
	// their posters, and everything Publish copies) open in Chinese.
	Lang string
	// MinN is the smallest sample an estimate may rest on before the pages
	// show it (config thresholds.min_n), at least 1: the package has no
	// default of its own. Values marked suppressed in the database are
	// never shown whatever MinN says; MinN additionally hides any
	// proportion or estimate whose denominator is below it.
	MinN int
	// FDR is the false-discovery rate of the follow-up lists (config
	// follow_up.fdr), which the district report names. The run's own value
	// in runs.config_json wins; this is used when the database does not
	// hold one. 0: the report names none.
	FDR float64
	// SurveyURL is where residents answer the survey (config
	// report.survey_url). It is printed as text on the scorecards, never
	// linked or loaded, so pages stay offline.
	SurveyURL string
	// HaveYourSay is the invitation printed on every scorecard, e.g. how to
	// take part in next month's evaluation. Empty: a default text.
	HaveYourSay string
	// DefinitionsVersion names the version of the indicator definitions,
	// printed in every page footer.
	DefinitionsVersion string
	// Workers is the number of pages rendered at once; 0 means
	// runtime.NumCPU().
	Workers int
	// GeoJSON is the path of an optional GeoJSON file of community
	// boundaries whose features carry the property community_id (config
	// report.geojson). When set, the district report draws a choropleth of
	// the resident score; the boundaries are embedded in the page, so it
	// stays offline.
	GeoJSON string
}

// Supported page languages.
const (
	LangZH = "zh-CN"
	LangEN = "en"
)

// withDefaults returns o with the zero fields set to their defaults, or an
// error wrapping civicscore.ErrConfig when a field is invalid.
func (o Options) withDefaults() (Options, error) {
	switch strings.ToLower(strings.TrimSpace(o.Lang)) {
	case "", "zh", "zh-cn", "zh_cn", "zh-hans":
		o.Lang = LangZH
	case "en", "en-us", "en-gb":
		o.Lang = LangEN
	default:
		return o, fmt.Errorf("reports: report.lang %q: want zh-CN or en: %w", o.Lang, civicscore.ErrConfig)
	}
	if o.MinN < 1 {
		return o, fmt.Errorf("reports: thresholds.min_n %d: must be >= 1: %w", o.MinN, civicscore.ErrConfig)
	}
	if o.Workers < 0 {
		return o, fmt.Errorf("reports: workers %d is negative: %w", o.Workers, civicscore.ErrConfig)
	}
	if o.Workers == 0 {
		o.Workers = runtime.NumCPU()
	}
	o.Title = strings.TrimSpace(o.Title)
	return o, nil
}

// pageLangs are the languages every page carries, in the order they are
// written into it.
var pageLangs = [...]string{LangZH, LangEN}

// inLang returns the defaulted o as the pages in lang read it: Lang set to
// lang, and an empty title or invitation replaced by the default text in
// lang (a configured text is shown as it is in both languages).
func (o Options) inLang(lang string) Options {
	o.Lang = lang
	if o.Title == "" {
		o.Title = tr(lang, "default_title")
	}
	if strings.TrimSpace(o.HaveYourSay) == "" {
		o.HaveYourSay = tr(lang, "have_your_say_default")
	}
	return o
}
