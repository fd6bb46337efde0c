package reports

import (
	"sort"
	"strings"

	"github.com/civicscore/civicscore"
)

// scoreWeightIDs returns the components of w with a positive weight, in
// the order of civicscore.ScoreComponents (then by id), and their total
// weight. The weights are those the run stored (Data.Weights).
func scoreWeightIDs(w map[string]float64) ([]string, float64) {
	order := map[string]int{}
	for i, c := range civicscore.ScoreComponents {
		order[c.ID] = i
	}
	var ids []string
	total := 0.0
	for id, v := range w {
		if v > 0 {
			ids = append(ids, id)
			total += v
		}
	}
	sortByOrder(ids, order)
	return ids, total
}

// sortByOrder sorts ids by their place in order; ids order lacks come
// last, and ties (or two ids order lacks) by id.
func sortByOrder(ids []string, order map[string]int) {
	sort.Slice(ids, func(i, j int) bool {
		oi, iok := order[ids[i]]
		oj, jok := order[ids[j]]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return ids[i] < ids[j]
	})
}

// weightsText writes the resident score weights in words, as shares of
// their total, in the order of civicscore.ScoreComponents, with the
// registry's short names (it is a footer line): "居民满意 45% · …".
func weightsText(w map[string]float64, reg map[string]civicscore.Indicator, lang string) string {
	ids, total := scoreWeightIDs(w)
	if total <= 0 {
		return ""
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		name := info(reg, id, lang).Short
		if civicscore.ScoreComponentOf(id).Complement {
			name = tr(lang, "one_minus", name)
		}
		parts[i] = name + " " + formatNumber(w[id]/total*100, 0) + "%"
	}
	return tr(lang, "weights_used") + tr(lang, "colon") + strings.Join(parts, " · ")
}

// componentName names a score component; one that enters the score as
// 1 − value (escalation_share) says so.
func componentName(reg map[string]civicscore.Indicator, id, lang string) string {
	name := info(reg, id, lang).Name
	if civicscore.ScoreComponentOf(id).Complement {
		return tr(lang, "one_minus", name)
	}
	return name
}

// componentSource says whose judgement a score component is: residents'
// own (survey answers, callbacks) or the records'.
func componentSource(id, lang string) string {
	if civicscore.ScoreComponentOf(id).Residents {
		return tr(lang, "source_residents")
	}
	return tr(lang, "source_records")
}
