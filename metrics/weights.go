package metrics

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// weightsStep is the step of steps that runs in Go, not SQL: the survey
// weights (computeWeights), between strata.sql and weighted.sql.
const weightsStep = "weights.go"

// Raking stops when every weighted margin is within rakeTolerance of its
// target share, or after rakeRounds rounds; capping (weight at most
// survey.max_weight, then renormalised to mean 1) is repeated at most
// capRounds times.
const (
	rakeTolerance = 1e-9
	rakeRounds    = 100
	capRounds     = 100
)

// Why a response is left out of the weighted rates (survey_strata.left_out).
const (
	leftOutMissing     = "missing"
	leftOutNotInStrata = "not_in_strata"
)

// popCell is one row of metrics_strata_pop: a stratum's population.
type popCell struct {
	age, gender string
	hasGender   bool
	pop         int64
}

// respCell is the number of valid responses with one age_group and gender
// (as given; NULL is !ok) in a community and period.
type respCell struct {
	age, gender     string
	hasAge, hasGend bool
	n               int64
}

// strataRow is one row of survey_strata (without the run, period and
// community).
type strataRow struct {
	age, gender             sql.NullString
	respondents             int64
	sampleShare             sql.NullFloat64
	population              sql.NullInt64
	populationShare         sql.NullFloat64
	weight                  sql.NullFloat64
	mergedAge, mergedGender sql.NullString
	leftOut                 sql.NullString
	rounds                  sql.NullInt64
}

// computeWeights reads the population targets and the responses per
// stratum that strata.sql prepared and writes each community × period's
// weights into metrics_strata_weights. Nothing to do without
// survey.post_strata.variables.
func computeWeights(ctx context.Context, conn *sql.Conn, log *slog.Logger, o Options) error {
	if len(o.PostStrata) == 0 {
		return nil
	}
	start := time.Now()
	raking := len(o.PostStrata) == 2
	pops := map[string][]popCell{}
	sources := map[string]string{}
	rows, err := conn.QueryContext(ctx, `SELECT community_id, source, age_group, gender, population
		FROM metrics_strata_pop ORDER BY community_id, age_group, gender NULLS FIRST`)
	if err != nil {
		return fmt.Errorf("metrics: weights: read strata: %w", err)
	}
	for rows.Next() {
		var c, src, age string
		var g sql.NullString
		var p int64
		if err := rows.Scan(&c, &src, &age, &g, &p); err != nil {
			rows.Close()
			return fmt.Errorf("metrics: weights: read strata: %w", err)
		}
		pops[c] = append(pops[c], popCell{age: age, gender: g.String, hasGender: g.Valid, pop: p})
		sources[c] = src
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics: weights: read strata: %w", err)
	}

	rows, err = conn.QueryContext(ctx, `SELECT period_type, period, community_id, age_group, gender, n_responses
		FROM metrics_strata_items WHERE item = 'q_overall'
		ORDER BY period_type, period, community_id, age_group NULLS FIRST, gender NULLS FIRST`)
	if err != nil {
		return fmt.Errorf("metrics: weights: read responses: %w", err)
	}
	type group struct {
		periodType, period, community string
		cells                         []respCell
	}
	var groups []group
	for rows.Next() {
		var pt, per, c string
		var age, g sql.NullString
		var n int64
		if err := rows.Scan(&pt, &per, &c, &age, &g, &n); err != nil {
			rows.Close()
			return fmt.Errorf("metrics: weights: read responses: %w", err)
		}
		if k := len(groups) - 1; k < 0 || groups[k].periodType != pt || groups[k].period != per || groups[k].community != c {
			groups = append(groups, group{periodType: pt, period: per, community: c})
		}
		k := len(groups) - 1
		groups[k].cells = append(groups[k].cells, respCell{age: age.String, hasAge: age.Valid, gender: g.String, hasGend: g.Valid, n: n})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics: weights: read responses: %w", err)
	}

	// The rows go in as one INSERT of 15 bound lists, unnested: a
	// multi-row VALUES of bound parameters took seconds at city scale. In
	// the lists NULL is "" (text), NaN (numbers) or -1 (counts).
	var (
		periodType, period, community, source, age, gender, mergedAge, mergedGender, leftOut []string
		respondents, population, rounds                                                      []int64
		sampleShare, popShare, weight                                                        []float64
	)
	text := func(v sql.NullString) string { return v.String }
	num := func(v sql.NullFloat64) float64 {
		if !v.Valid {
			return math.NaN()
		}
		return v.Float64
	}
	count := func(v sql.NullInt64) int64 {
		if !v.Valid {
			return -1
		}
		return v.Int64
	}
	for _, g := range groups {
		for _, r := range weigh(pops[g.community], g.cells, raking, int64(o.SurveyMinCell), o.SurveyMaxWeight) {
			periodType, period, community = append(periodType, g.periodType), append(period, g.period), append(community, g.community)
			source = append(source, sources[g.community])
			age, gender = append(age, text(r.age)), append(gender, text(r.gender))
			respondents = append(respondents, r.respondents)
			sampleShare, population, popShare = append(sampleShare, num(r.sampleShare)), append(population, count(r.population)), append(popShare, num(r.populationShare))
			weight = append(weight, num(r.weight))
			mergedAge, mergedGender, leftOut = append(mergedAge, text(r.mergedAge)), append(mergedGender, text(r.mergedGender)), append(leftOut, text(r.leftOut))
			rounds = append(rounds, count(r.rounds))
		}
	}
	written := len(periodType)
	if written > 0 {
		if _, err := conn.ExecContext(ctx, `INSERT INTO metrics_strata_weights
			SELECT pt, p, c, src, nullif(a, ''), nullif(g, ''), n, nullif(ss, 'NaN'::DOUBLE), nullif(pop, -1),
			       nullif(ps, 'NaN'::DOUBLE), nullif(w, 'NaN'::DOUBLE), nullif(ma, ''), nullif(mg, ''), nullif(lo, ''), nullif(r, -1)
			FROM (SELECT unnest(?::VARCHAR[]) AS pt, unnest(?::VARCHAR[]) AS p, unnest(?::VARCHAR[]) AS c, unnest(?::VARCHAR[]) AS src,
			             unnest(?::VARCHAR[]) AS a, unnest(?::VARCHAR[]) AS g, unnest(?::BIGINT[]) AS n, unnest(?::DOUBLE[]) AS ss,
			             unnest(?::BIGINT[]) AS pop, unnest(?::DOUBLE[]) AS ps, unnest(?::DOUBLE[]) AS w, unnest(?::VARCHAR[]) AS ma,
			             unnest(?::VARCHAR[]) AS mg, unnest(?::VARCHAR[]) AS lo, unnest(?::BIGINT[]) AS r)`,
			periodType, period, community, source, age, gender, respondents, sampleShare, population, popShare, weight,
			mergedAge, mergedGender, leftOut, rounds); err != nil {
			return fmt.Errorf("metrics: weights: write: %w", err)
		}
	}
	log.Debug("metrics step", "file", weightsStep, "groups", len(groups), "rows", written,
		"elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// ageKey orders age groups by the first whole number in the label (18-34,
// 35-59, 60+; 18岁以下 before 18-34 only by the label), labels without a
// number last, ties by the label.
func ageKey(a, b string) int {
	num := func(s string) (int, bool) {
		i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
		if i < 0 {
			return 0, false
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		v, err := strconv.Atoi(s[i:j])
		return v, err == nil
	}
	x, okx := num(a)
	y, oky := num(b)
	switch {
	case okx && oky && x != y:
		return cmp.Compare(x, y)
	case okx != oky:
		if okx {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// mergeSmall groups ordered categories so that each group holds at least
// min respondents where it can: a category below min is merged into the
// next (the next older age group), the last group, if still below min,
// into the one before. It returns, per category, the index of the category
// whose group it belongs to (the group's anchor: the category that took
// it to min, or the last one).
func mergeSmall(n []int64, min int64) []int {
	anchor := make([]int, len(n))
	var members []int
	var acc int64
	lastAnchor := -1 // anchor of the last closed group
	for i := range n {
		members = append(members, i)
		acc += n[i]
		if acc >= min || i == len(n)-1 {
			a := i
			if acc < min && lastAnchor >= 0 {
				a = lastAnchor // the tail merges into the group before
			}
			for _, m := range members {
				anchor[m] = a
			}
			lastAnchor, members, acc = a, members[:0], 0
		}
	}
	return anchor
}

// weigh computes the weights of one community and period: pop are the
// area's strata (gender set only under raking), resp the responses per
// age_group and gender as given. Post-stratification on age_group
// (raking false): w = W_h / (n_h/n); raking: iterative proportional
// fitting over the age and gender margins. Categories with fewer than
// minCell respondents are merged first (mergeSmall); then the cap
// maxWeight, renormalising to mean 1, repeated until no weight exceeds
// the cap. It returns a row per stratum of pop and one per kind of
// response left out.
func weigh(pop []popCell, resp []respCell, raking bool, minCell int64, maxWeight float64) []strataRow {
	// The categories of the area, in order.
	var ages, genders []string
	for _, p := range pop {
		if !slices.Contains(ages, p.age) {
			ages = append(ages, p.age)
		}
		if raking && p.hasGender && !slices.Contains(genders, p.gender) {
			genders = append(genders, p.gender)
		}
	}
	slices.SortFunc(ages, ageKey)
	slices.Sort(genders)
	nG := 1
	if raking {
		nG = len(genders)
	}
	// Population: per age (every row, whatever its gender), per gender,
	// and per displayed cell (age × gender under raking).
	popAge := make([]int64, len(ages))
	popGen := make([]int64, nG)
	popCell := make([][]int64, len(ages))
	for a := range popCell {
		popCell[a] = make([]int64, nG)
	}
	for _, p := range pop {
		a := slices.Index(ages, p.age)
		popAge[a] += p.pop
		if !raking {
			popCell[a][0] += p.pop
			popGen[0] += p.pop
			continue
		}
		if g := slices.Index(genders, p.gender); p.hasGender && g >= 0 {
			popGen[g] += p.pop
			popCell[a][g] += p.pop
		}
	}
	// Responses: in a stratum, or left out.
	n := make([][]int64, len(ages))
	for a := range n {
		n[a] = make([]int64, nG)
	}
	var out []strataRow
	var left []strataRow
	var total int64
	for _, r := range resp {
		a := slices.Index(ages, r.age)
		g := 0
		if raking {
			g = slices.Index(genders, r.gender)
		}
		why := ""
		switch {
		case !r.hasAge || (raking && !r.hasGend):
			why = leftOutMissing
		case a < 0 || g < 0:
			why = leftOutNotInStrata
		}
		if why != "" {
			row := strataRow{respondents: r.n, leftOut: sql.NullString{String: why, Valid: true}}
			row.age = sql.NullString{String: r.age, Valid: r.hasAge}
			row.gender = sql.NullString{String: r.gender, Valid: raking && r.hasGend}
			left = append(left, row)
			continue
		}
		n[a][g] += r.n
		total += r.n
	}

	var sumAge, sumGen, sumCells int64
	for a := range ages {
		sumAge += popAge[a]
		for g := range nG {
			sumCells += popCell[a][g]
		}
	}
	for g := range nG {
		sumGen += popGen[g]
	}

	// Merged margins.
	nAge := make([]int64, len(ages))
	nGen := make([]int64, nG)
	for a := range ages {
		for g := range nG {
			nAge[a] += n[a][g]
			nGen[g] += n[a][g]
		}
	}
	ageTo := mergeSmall(nAge, minCell)
	genTo := mergeSmall(nGen, minCell)

	// w[a][g]: the weight of the cell, indexed by anchors (a merged
	// category takes its anchor's weight).
	w := make([][]float64, len(ages))
	for a := range w {
		w[a] = make([]float64, nG)
	}
	ok := total > 0 && sumAge > 0 && sumGen > 0
	rounds := 0
	if ok {
		// Group counts and targets on the anchors.
		gn := make([][]float64, len(ages))
		for a := range gn {
			gn[a] = make([]float64, nG)
		}
		tAge := make([]float64, len(ages))
		tGen := make([]float64, nG)
		for a := range ages {
			tAge[ageTo[a]] += float64(popAge[a]) / float64(sumAge)
			for g := range nG {
				gn[ageTo[a]][genTo[g]] += float64(n[a][g])
			}
		}
		for g := range nG {
			tGen[genTo[g]] += float64(popGen[g]) / float64(sumGen)
		}
		N := float64(total)
		if !raking {
			for a := range ages {
				if ageTo[a] == a && gn[a][0] > 0 {
					w[a][0] = tAge[a] / (gn[a][0] / N)
				}
			}
		} else {
			for a := range ages {
				for g := range nG {
					w[a][g] = 1
				}
			}
			margin := func(byAge bool, i int) float64 {
				var s float64
				for a := range ages {
					for g := range nG {
						if (byAge && a == i) || (!byAge && g == i) {
							s += w[a][g] * gn[a][g]
						}
					}
				}
				return s / N
			}
			for rounds < rakeRounds {
				rounds++
				for a := range ages {
					if ageTo[a] != a {
						continue
					}
					if cur := margin(true, a); cur > 0 {
						f := tAge[a] / cur
						for g := range nG {
							w[a][g] *= f
						}
					}
				}
				for g := range nG {
					if genTo[g] != g {
						continue
					}
					if cur := margin(false, g); cur > 0 {
						f := tGen[g] / cur
						for a := range ages {
							w[a][g] *= f
						}
					}
				}
				worst := 0.0
				for a := range ages {
					if ageTo[a] == a && gnRow(gn, a) > 0 {
						worst = math.Max(worst, math.Abs(margin(true, a)-tAge[a]))
					}
				}
				for g := range nG {
					if genTo[g] == g && gnCol(gn, g) > 0 {
						worst = math.Max(worst, math.Abs(margin(false, g)-tGen[g]))
					}
				}
				if worst < rakeTolerance {
					break
				}
			}
		}
		// Mean 1 over the weighted responses, then the cap.
		mean := func() float64 {
			var s float64
			for a := range ages {
				for g := range nG {
					s += w[a][g] * gn[a][g]
				}
			}
			return s / N
		}
		scale := func(f float64) {
			for a := range ages {
				for g := range nG {
					w[a][g] *= f
				}
			}
		}
		if m := mean(); m > 0 {
			scale(1 / m)
		}
		for range capRounds {
			over := false
			for a := range ages {
				for g := range nG {
					if gn[a][g] > 0 && w[a][g] > maxWeight*(1+1e-12) {
						over = true
					}
				}
			}
			if !over {
				break
			}
			for a := range ages {
				for g := range nG {
					w[a][g] = math.Min(w[a][g], maxWeight)
				}
			}
			if m := mean(); m > 0 {
				scale(1 / m)
			}
		}
	}

	for a := range ages {
		for g := range nG {
			row := strataRow{
				age:         sql.NullString{String: ages[a], Valid: true},
				respondents: n[a][g],
				population:  sql.NullInt64{Int64: popCell[a][g], Valid: true},
			}
			if raking {
				row.gender = sql.NullString{String: genders[g], Valid: true}
				row.rounds = sql.NullInt64{Int64: int64(rounds), Valid: ok}
			}
			if total > 0 {
				row.sampleShare = sql.NullFloat64{Float64: float64(n[a][g]) / float64(total), Valid: true}
			}
			if sumCells > 0 {
				row.populationShare = sql.NullFloat64{Float64: float64(popCell[a][g]) / float64(sumCells), Valid: true}
			}
			if ok {
				row.weight = sql.NullFloat64{Float64: w[ageTo[a]][genTo[g]], Valid: true}
			}
			if ageTo[a] != a {
				row.mergedAge = sql.NullString{String: ages[ageTo[a]], Valid: true}
			}
			if raking && genTo[g] != g {
				row.mergedGender = sql.NullString{String: genders[genTo[g]], Valid: true}
			}
			out = append(out, row)
		}
	}
	return append(out, left...)
}

// gnRow and gnCol are the respondents of an age group and of a gender.
func gnRow(gn [][]float64, a int) float64 {
	var s float64
	for _, v := range gn[a] {
		s += v
	}
	return s
}

func gnCol(gn [][]float64, g int) float64 {
	var s float64
	for a := range gn {
		s += gn[a][g]
	}
	return s
}
