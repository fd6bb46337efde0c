package civicscore

import (
	"math"
	"strings"
	"testing"
)

// TestValidateScoreWeights checks the one home of the resident score's
// weight rules: known components, finite weights >= 0, a positive total,
// and residents' own components carrying at least half of it.
func TestValidateScoreWeights(t *testing.T) {
	for name, tc := range map[string]struct {
		w    map[string]float64
		want string // "" = valid
	}{
		"defaults":         {map[string]float64{"satisfaction_rate": 0.45, "callback_satisfaction_rate": 0.20, "on_time_rate": 0.25, "escalation_share": 0.10}, ""},
		"exactly half":     {map[string]float64{"satisfaction_rate": 0.5, "on_time_rate": 0.5}, ""},
		"residents only":   {map[string]float64{"callback_satisfaction_rate": 1}, ""},
		"records outweigh": {map[string]float64{"satisfaction_rate": 0.4, "on_time_rate": 0.6}, "must carry at least half"},
		"unknown":          {map[string]float64{"satisfaction_rate": 1, "likes": 1}, "score.weights.likes: unknown component"},
		"negative":         {map[string]float64{"satisfaction_rate": 1, "on_time_rate": -0.1}, "score.weights.on_time_rate = -0.1"},
		"NaN":              {map[string]float64{"satisfaction_rate": math.NaN()}, "score.weights.satisfaction_rate"},
		"zero total":       {map[string]float64{"satisfaction_rate": 0}, "positive total"},
		"empty":            {nil, "positive total"},
	} {
		err := ValidateScoreWeights(tc.w)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

// TestSurveyItemIDs checks the survey item lists: q_overall first when
// asked for, then the items in column order, each call a new slice.
func TestSurveyItemIDs(t *testing.T) {
	all := SurveyItemIDs(true)
	if all[0] != SurveyOverall || len(all) != len(SurveyItems)+1 {
		t.Fatalf("SurveyItemIDs(true) = %v", all)
	}
	items := SurveyItemIDs(false)
	items[0] = "changed"
	if SurveyItemIDs(false)[0] != SurveyItems[0].ID {
		t.Error("SurveyItemIDs shares its slice")
	}
	if _, ok := SurveyItemOf("q_safety"); !ok {
		t.Error("q_safety is not a survey item")
	}
	if _, ok := SurveyItemOf(SurveyOverall); ok {
		t.Error("q_overall is a dimension item")
	}
}
