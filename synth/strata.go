package synth

import (
	"math"
	"strconv"
)

// StrataFile holds the population by stratum, the targets of survey
// weighting (inputs.strata).
const StrataFile = "strata.csv"

// StrataHeader is the header of strata.csv. Callers must not modify it.
var StrataHeader = []string{"community_id", "district_id", "age_group", "gender", "population"}

// The population behind strata.csv: residents 18 or over are the people
// surveyed; 60+ are the community's elderly (communities.csv), the rest of
// the adults split between 18-34 and 35-59, fewer young people in old
// towns. The surveys over-sample 60+ (1.4 × the elderly share, door to
// door and on paper) and under-sample 18-34, so weighting matters.
const (
	adultShare   = 0.84 // residents aged 18 or over
	youngShare   = 0.46 // of adults under 60: aged 18-34, before the area's shift
	ownStrataMod = 4    // every 4th community (index 3, 7, ...) has no rows of its own
)

// maleShare is the share of men in each age group (ageGroups' order).
var maleShare = []float64{0.51, 0.50, 0.46}

// strataOf returns a community's population by age group × gender (in
// ageGroups × genders order), drawn from r.
func strataOf(r *rng, c *community) [3][2]int64 {
	adults := float64(c.population) * adultShare
	old := math.Min(float64(c.elderly), adults)
	young := youngShare + 0.04*r.norm()
	switch c.area {
	case areaOld:
		young -= 0.06
	case areaNew:
		young += 0.06
	}
	young = clamp(young, 0.25, 0.65)
	ages := [3]float64{(adults - old) * young, (adults - old) * (1 - young), old}
	var out [3][2]int64
	for a, n := range ages {
		m := math.Round(n * clamp(maleShare[a]+0.01*r.norm(), 0.4, 0.6))
		out[a] = [2]int64{int64(m), int64(math.Round(n)) - int64(m)}
	}
	return out
}

// writeStrata writes strata.csv: the rows of three communities in four,
// then, for every district, the sum over all its communities (the targets
// of the fourth community, which has no rows of its own).
func writeStrata(dir string, p *plan) (FileSummary, error) {
	o, err := create(dir, StrataFile)
	if err != nil {
		return FileSummary{}, err
	}
	o.write(headerLine(StrataHeader))
	r := newRNG(p.seed, streamStrata)
	var rows int64
	var b []byte
	line := func(community, district, age, gender string, n int64) {
		b = b[:0]
		b = appendField(b, community)
		b = append(b, ',')
		b = appendField(b, district)
		b = append(b, ',')
		b = append(b, age...)
		b = append(b, ',')
		b = append(b, gender...)
		b = append(b, ',')
		b = strconv.AppendInt(b, n, 10)
		b = append(b, '\n')
		o.write(b)
		rows++
	}
	districts := map[string]*[3][2]int64{}
	var order []string
	for i := range p.comms {
		c := &p.comms[i]
		s := strataOf(r, c)
		d := districts[c.districtID]
		if d == nil {
			d = &[3][2]int64{}
			districts[c.districtID] = d
			order = append(order, c.districtID)
		}
		for a := range s {
			for g := range s[a] {
				d[a][g] += s[a][g]
				if i%ownStrataMod != ownStrataMod-1 {
					line(c.id, "", ageGroups[a], genders[g], s[a][g])
				}
			}
		}
	}
	for _, id := range order {
		d := districts[id]
		for a := range d {
			for g := range d[a] {
				line("", id, ageGroups[a], genders[g], d[a][g])
			}
		}
	}
	if err := o.commit(); err != nil {
		return FileSummary{}, err
	}
	return FileSummary{Name: StrataFile, Rows: rows, Bytes: o.n}, nil
}
