package ingest

import (
	"testing"

	"github.com/civicscore/civicscore"
)

// TestInspectGuesses checks the guesses inspect offers, each expected
// value read off the rules by hand.
func TestInspectGuesses(t *testing.T) {
	level := append(append([]DeriveRule{}, LevelRules...), EnglishLevelRules...)
	for _, tt := range []struct{ unit, want string }{
		{"望京西园社区居委会", "community"}, {"望京街道办事处", "street"}, {"朝阳区城市管理委员会", "district"},
		{"北京市交通委员会", "city"}, {"Department of Sanitation", "district"}, {"Bureau of Street Lighting", "district"},
		{"DOB - Conservation", ""}, {"BOS", ""}, {"Neighborhood Services", "community"},
	} {
		if got, _ := MatchRules(level, tt.unit); got != tt.want {
			t.Errorf("level of %q: %q, want %q", tt.unit, got, tt.want)
		}
	}
	for _, tt := range []struct {
		kind       civicscore.Kind
		col, v, to string
	}{
		{civicscore.KindCases, "source", "Call", "hotline"}, {civicscore.KindCases, "source", "Mobile App", "app"},
		{civicscore.KindCases, "source", "Walk-in", "walk_in"}, {civicscore.KindCases, "source", "UNKNOWN", ""},
		{civicscore.KindCases, "callback_satisfaction", "一般", "dissatisfied"}, {civicscore.KindSurveys, "q_overall", "极好", "5"},
		{civicscore.KindSurveys, "q_overall", "一般〖还行吧〗", "3"},
	} {
		if got := GuessValue(tt.kind, tt.col, tt.v); got != tt.to {
			t.Errorf("guess %s %q: %q, want %q", tt.col, tt.v, got, tt.to)
		}
	}
	for _, tt := range []struct {
		vals  []string
		slash bool
		order string
		ampm  bool
	}{
		{[]string{"12/31/2017 11:59:58 PM", "01/02/2018 09:15:00 AM"}, true, LayoutMDY, true},
		{[]string{"01/02/2018 09:15:00 AM"}, true, "", true},
		{[]string{"31/12/2017 23:59"}, true, LayoutDMY, false},
		{[]string{"2024-06-01 08:00"}, false, "", false},
	} {
		var vs []ValueCount
		for _, v := range tt.vals {
			vs = append(vs, ValueCount{v, 1})
		}
		slash, order, ampm, _ := SlashOrder(vs)
		if slash != tt.slash || order != tt.order || ampm != tt.ampm {
			t.Errorf("SlashOrder(%v) = %v %q %v, want %v %q %v", tt.vals, slash, order, ampm, tt.slash, tt.order, tt.ampm)
		}
	}
}
