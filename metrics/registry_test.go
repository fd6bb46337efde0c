package metrics

import (
	"slices"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
)

// TestRegistryDescribesEveryIndicator checks the fields the pages and docs
// read from the registry besides those TestRegistry checks: short names,
// plain words, sources and score components, and the kinds of the two
// indicators whose kind was once recorded differently in two places.
func TestRegistryDescribesEveryIndicator(t *testing.T) {
	components := map[string]bool{}
	for _, ind := range Registry(nil) {
		if ind.ShortZH == "" || ind.ShortEN == "" {
			t.Errorf("%s: missing a short name", ind.ID)
		}
		// Residents read the plain words on their scorecard; only the
		// survey items and the level shares, whose names say it all, go
		// without.
		detail := strings.HasPrefix(ind.ID, "satisfaction_rate.") || strings.HasPrefix(ind.ID, "level_share.")
		if !detail && (ind.PlainZH == "" || ind.PlainEN == "") {
			t.Errorf("%s: missing plain words", ind.ID)
		}
		if len(ind.Sources) == 0 {
			t.Errorf("%s: no source input", ind.ID)
		}
		for _, s := range ind.Sources {
			if !slices.Contains(civicscore.Kinds, s) {
				t.Errorf("%s: source %q is not an input kind", ind.ID, s)
			}
		}
		if ind.Score != civicscore.ScoreComponentOf(ind.ID) {
			t.Errorf("%s: score %+v, civicscore.ScoreComponents say %+v", ind.ID, ind.Score, civicscore.ScoreComponentOf(ind.ID))
		}
		if ind.Score.Component {
			components[ind.ID] = true
		}
	}
	// Every score component is an indicator of the registry.
	for _, c := range civicscore.ScoreComponents {
		if !components[c.ID] {
			t.Errorf("score component %s is not in the registry", c.ID)
		}
	}
	// Responses per household may exceed 1: a fact, not a proportion. A
	// share of recipients is a proportion.
	for id, want := range map[string]civicscore.IndicatorKind{
		"survey_response_rate":       civicscore.Fact,
		"social_participation_share": civicscore.Proportion,
	} {
		i := slices.IndexFunc(Registry(nil), func(ind civicscore.Indicator) bool { return ind.ID == id })
		if i < 0 || Registry(nil)[i].Kind != want {
			t.Errorf("%s: kind is not %s", id, want)
		}
	}
	// The survey items are civicscore's, named as it names them.
	for _, it := range civicscore.SurveyItems {
		i := slices.IndexFunc(Registry(nil), func(ind civicscore.Indicator) bool { return ind.ID == "satisfaction_rate."+it.ID })
		if i < 0 || Registry(nil)[i].ShortZH != it.NameZH || Registry(nil)[i].ShortEN != it.NameEN {
			t.Errorf("satisfaction_rate.%s: not named as civicscore.SurveyItems", it.ID)
		}
	}
}
