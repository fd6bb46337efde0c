package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/civicscore/civicscore"
)

// Hostile names used by the XSS tests.
const (
	hostileScript = `</script><script>alert(1)</script>`
	hostileImg    = `<img src=x onerror=alert(1)>`
)

// synthSpec shapes a synthetic Data.
type synthSpec struct {
	districts, streets, communities int // streets per district, communities per street
	months                          int // ending 2025-08
	residentScore                   bool
	threeRates                      bool
	seed                            uint64
}

// wilson returns the Wilson 95% interval of x/n, as docs/indicators.md defines it.
func wilson(x, n float64) (float64, float64) {
	const z = 1.959963984540054
	p := x / n
	den := 1 + z*z/n
	centre := (p + z*z/(2*n)) / den
	half := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n)) / den
	return centre - half, centre + half
}

// propValue makes the Value of a proportion x/n, suppressed below minN.
func propValue(x, n float64, minN int) Value {
	if n < float64(minN) {
		return Value{Suppressed: true, Denominator: Num(n)}
	}
	lo, hi := wilson(x, n)
	return Value{Value: Num(x / n), Denominator: Num(n), CILow: Num(lo), CIHigh: Num(hi)}
}

func monthLabels(n int) []string {
	out := make([]string, n)
	y, m := 2025, 8
	for i := n - 1; i >= 0; i-- {
		out[i] = fmt.Sprintf("%04d-%02d", y, m)
		m--
		if m == 0 {
			y, m = y-1, 12
		}
	}
	return out
}

// counts are the raw tallies of one unit and period, pooled upwards.
type counts struct {
	cases, onTimeN, onTimeX, escX, cbN, cbX, gapN, gapX, surveyN, surveyX float64
	levels                                                                [5]float64
	items                                                                 [7][2]float64
	hoursSum                                                              float64
	threeN, threeResp, threeRes, threeSat                                 float64
}

func (c *counts) add(o counts) {
	c.cases += o.cases
	c.onTimeN += o.onTimeN
	c.onTimeX += o.onTimeX
	c.escX += o.escX
	c.cbN += o.cbN
	c.cbX += o.cbX
	c.gapN += o.gapN
	c.gapX += o.gapX
	c.surveyN += o.surveyN
	c.surveyX += o.surveyX
	c.hoursSum += o.hoursSum
	c.threeN += o.threeN
	c.threeResp += o.threeResp
	c.threeRes += o.threeRes
	c.threeSat += o.threeSat
	for i := range c.levels {
		c.levels[i] += o.levels[i]
	}
	for i := range c.items {
		c.items[i][0] += o.items[i][0]
		c.items[i][1] += o.items[i][1]
	}
}

var synthItems = []string{"q_environment", "q_safety", "q_services", "q_responsiveness", "q_facilities", "q_participation", "q_fairness"}

// set writes the indicators of c into u for period p.
func (c counts) set(u *Unit, p civicscore.Period, spec synthSpec, minN int) {
	u.Set(indCaseVolume, p, Value{Value: Num(c.cases)})
	if u.Households > 0 {
		u.Set(indCasesPer1000HH, p, Value{Value: Num(c.cases / float64(u.Households) * 1000)})
	}
	u.Set(indOnTime, p, propValue(c.onTimeX, c.onTimeN, minN))
	u.Set(indEscalation, p, propValue(c.escX, c.cases, minN))
	for i, l := range civicscore.ResolutionLevels {
		u.Set(indLevelSharePrefix+string(l), p, propValue(c.levels[i], c.cases, minN))
	}
	u.Set(indCallbackSat, p, propValue(c.cbX, c.cbN, minN))
	u.Set(indClosureGap, p, propValue(c.gapX, c.gapN, minN))
	u.Set(indSatisfaction, p, propValue(c.surveyX, c.surveyN, minN))
	for i, it := range synthItems {
		u.Set(indSatisfaction+"."+it, p, propValue(c.items[i][1], c.items[i][0], minN))
	}
	if c.cases >= float64(minN) {
		u.Set(indMedianResolution, p, Value{Value: Num(c.hoursSum / c.cases), Denominator: Num(c.cases)})
	} else {
		u.Set(indMedianResolution, p, Value{Suppressed: true, Denominator: Num(c.cases)})
	}
	if spec.threeRates {
		if c.threeN >= float64(minN) {
			score := 100 * (0.1*c.threeResp + 0.5*c.threeRes + 0.4*c.threeSat) / c.threeN
			u.Set(indThreeRates, p, Value{Value: Num(score), Denominator: Num(c.threeN)})
		} else {
			u.Set(indThreeRates, p, Value{Suppressed: true, Denominator: Num(c.threeN)})
		}
	}
}

// testWeights are the resident score weights of the synthetic runs.
var testWeights = map[string]float64{indSatisfaction: 0.45, indCallbackSat: 0.20, indOnTime: 0.25, indEscalation: 0.10}

// synthData builds a deterministic Data shaped like a run's output.
func synthData(spec synthSpec) *Data {
	minN := testMinN
	r := rand.New(rand.NewPCG(spec.seed, 42))
	d := &Data{RunID: "run-test-0001", Registry: RegistryMap(nil)}
	months := monthLabels(spec.months)
	type tally map[civicscore.Period]*counts
	get := func(t tally, p civicscore.Period) *counts {
		if t[p] == nil {
			t[p] = &counts{}
		}
		return t[p]
	}
	distTally := map[*Unit]tally{}
	streetTally := map[*Unit]tally{}
	commTally := map[*Unit]tally{}
	for di := 0; di < spec.districts; di++ {
		dist := &Unit{Level: civicscore.LevelDistrict, ID: fmt.Sprintf("D%02d", di+1), Name: []string{"东城区", "西城区", "南湖区", "北山区", "中山区"}[di%5]}
		dist.DistrictID, dist.DistrictName = dist.ID, dist.Name
		d.Districts = append(d.Districts, dist)
		distTally[dist] = tally{}
		for si := 0; si < spec.streets; si++ {
			st := &Unit{Level: civicscore.LevelStreet, ID: fmt.Sprintf("%sS%02d", dist.ID, si+1),
				Name: fmt.Sprintf("%s第%d街道", dist.Name[:len(dist.Name)-3], si+1), DistrictID: dist.ID, DistrictName: dist.Name}
			d.Streets = append(d.Streets, st)
			streetTally[st] = tally{}
			for ci := 0; ci < spec.communities; ci++ {
				c := &Unit{Level: civicscore.LevelCommunity, ID: fmt.Sprintf("%sC%03d", st.ID, ci+1),
					Name:     fmt.Sprintf("%s%d号社区", []string{"幸福", "和平", "光明", "新华", "春晖", "翠苑", "长青", "阳光"}[ci%8], si*100+ci+1),
					StreetID: st.ID, StreetName: st.Name, DistrictID: dist.ID, DistrictName: dist.Name,
					Households: int64(800 + r.IntN(4000)), AreaType: "mixed"}
				c.Population = c.Households * 27 / 10
				st.Households += c.Households
				dist.Households += c.Households
				d.Communities = append(d.Communities, c)
				commTally[c] = tally{}
				quality := 0.55 + 0.35*r.Float64()
				for _, m := range months {
					var k counts
					k.cases = float64(3 + r.IntN(60))
					k.onTimeN = k.cases
					k.onTimeX = math.Round(k.cases * clamp(quality+0.1*r.NormFloat64()+0.15, 0, 1))
					lvl := [5]float64{}
					for i := 0; i < int(k.cases); i++ {
						x := r.Float64()
						switch {
						case x < quality:
							lvl[0]++
						case x < quality+0.1:
							lvl[1]++
						case x < quality+0.25:
							lvl[2]++
						case x < quality+0.35:
							lvl[3]++
						default:
							lvl[4]++
						}
					}
					k.levels = lvl
					k.escX = k.cases - lvl[0]
					k.cbN = math.Round(k.cases * 0.7)
					k.cbX = math.Round(k.cbN * clamp(quality+0.2+0.05*r.NormFloat64(), 0, 1))
					k.gapN = k.cbN
					k.gapX = math.Round(k.gapN * clamp(0.25-quality/4+0.03*r.NormFloat64(), 0, 1))
					k.surveyN = float64(r.IntN(70))
					k.surveyX = math.Round(k.surveyN * clamp(quality+0.1*r.NormFloat64(), 0, 1))
					for i := range k.items {
						k.items[i][0] = k.surveyN
						k.items[i][1] = math.Round(k.surveyN * clamp(quality+0.15*r.NormFloat64(), 0, 1))
					}
					k.hoursSum = k.cases * (20 + 60*(1-quality) + 10*r.Float64())
					k.threeN = k.cbN
					k.threeResp = math.Round(k.cbN * 0.95)
					k.threeRes = math.Round(k.cbN * quality)
					k.threeSat = k.cbX
					q, _, _ := quarterOfMonth(m)
					y := m[:4]
					for _, p := range []civicscore.Period{{Type: civicscore.Month, Label: m}, {Type: civicscore.Quarter, Label: q}, {Type: civicscore.Year, Label: y}} {
						get(commTally[c], p).add(k)
						get(streetTally[st], p).add(k)
						get(distTally[dist], p).add(k)
					}
				}
			}
		}
	}
	for _, group := range []map[*Unit]tally{commTally, streetTally, distTally} {
		for u, t := range group {
			for p, k := range t {
				k.set(u, p, spec, minN)
			}
		}
	}
	if spec.residentScore {
		latest := civicscore.Period{Type: civicscore.Month, Label: months[len(months)-1]}
		for _, c := range d.Communities {
			for _, m := range months {
				p := civicscore.Period{Type: civicscore.Month, Label: m}
				sat, _ := c.Values.Get(indSatisfaction, p)
				ot, _ := c.Values.Get(indOnTime, p)
				if sat.Suppressed || !ot.Value.Valid {
					c.Set(indResidentScore, p, Value{Suppressed: true})
					continue
				}
				c.Set(indResidentScore, p, Value{Value: Num(100 * (0.6*sat.Value.Float64 + 0.4*ot.Value.Float64))})
			}
		}
		d.Weights = testWeights
		// Rank within district, latest month.
		for _, dist := range d.Districts {
			var ranked []*Unit
			for _, c := range d.Communities {
				if v, _ := c.Values.Get(indResidentScore, latest); c.DistrictID == dist.ID && v.Value.Valid {
					ranked = append(ranked, c)
				}
			}
			for _, c := range ranked {
				v, _ := c.Values.Get(indResidentScore, latest)
				rank := 1
				for _, o := range ranked {
					if ov, _ := o.Values.Get(indResidentScore, latest); ov.Value.Float64 > v.Value.Float64 {
						rank++
					}
				}
				v.Rank = rank
				c.Set(indResidentScore, latest, v)
			}
		}
	}
	d.Months, d.Quarters, d.Years = periodLists(d.Districts, d.Streets, d.Communities)
	return d
}

// withExtras adds to d what a run with the score migration has beyond the
// indicator values: significant changes, follow-up lists, score
// components, case categories and a data-quality record.
func withExtras(d *Data) *Data {
	p := civicscore.Period{Type: civicscore.Month, Label: d.Months[len(d.Months)-1]}
	for i, u := range append(append([]*Unit{}, d.Districts...), d.Communities...) {
		for _, ind := range []string{indSatisfaction, indOnTime, indResidentScore} {
			v, ok := u.Values.Get(ind, p)
			if !ok || !v.Value.Valid {
				continue
			}
			scale := 0.05
			if ind == indResidentScore {
				scale = 4
			}
			v.Change = Num(scale * float64(i%3-1))
			v.Significant = i%3 != 1
			u.Set(ind, p, v)
		}
	}
	// Services per 1,000 residents: uneven, some communities with none.
	for i, c := range d.Communities {
		for _, m := range d.Months {
			v := float64((i*37)%11) * 12.5
			c.Set(indServicesPer1000, civicscore.Period{Type: civicscore.Month, Label: m}, Value{Value: Num(v)})
		}
		for _, q := range d.Quarters {
			c.Set(indServicesPer1000, civicscore.Period{Type: civicscore.Quarter, Label: q}, Value{Value: Num(float64((i*37)%11) * 37.5)})
		}
	}
	// The Gini coefficient metrics stores for each district.
	for k, dist := range d.Districts {
		for _, m := range d.Months {
			dist.Set(indGiniServices, civicscore.Period{Type: civicscore.Month, Label: m}, Value{Value: Num(0.3 + 0.01*float64(k))})
		}
		for _, q := range d.Quarters {
			dist.Set(indGiniServices, civicscore.Period{Type: civicscore.Quarter, Label: q}, Value{Value: Num(0.412 + 0.01*float64(k))})
		}
	}
	d.FollowUp = []FollowUp{}
	for i, c := range d.Communities {
		switch i % 4 {
		case 0:
			d.FollowUp = append(d.FollowUp, FollowUp{List: FollowImprover, UnitID: c.ID, DistrictID: c.DistrictID, Period: p, Indicator: indSatisfaction, Change: Num(0.12)})
		case 1:
			d.FollowUp = append(d.FollowUp, FollowUp{List: FollowDecliner, UnitID: c.ID, DistrictID: c.DistrictID, Period: p, Indicator: indOnTime, Change: Num(-0.09)})
		case 2:
			d.FollowUp = append(d.FollowUp, FollowUp{List: FollowLow, UnitID: c.ID, DistrictID: c.DistrictID, Period: p, Indicator: indResidentScore})
		}
	}
	d.Components = map[string][]Component{}
	for _, c := range d.Communities {
		for _, k := range []struct {
			ind string
			w   float64
		}{{indSatisfaction, 0.6}, {indOnTime, 0.4}} {
			v, _ := c.Values.Get(k.ind, p)
			comp := Component{Period: p, Indicator: k.ind, Value: v.Value, CILow: v.CILow, CIHigh: v.CIHigh, Shrunk: v.Value}
			if v.Value.Valid {
				comp.Weight = Num(k.w)
			}
			d.Components[c.ID] = append(d.Components[c.ID], comp)
		}
	}
	cats := []string{"环境卫生", "城市建设", "物业管理", "综治安全", "社会事务", "市场监管"}
	for i, st := range d.Streets {
		for j, m := range d.Months {
			for k, cat := range cats {
				d.Categories = append(d.Categories, CategoryCount{DistrictID: st.DistrictID, StreetID: st.ID, Month: m, Category: cat, N: int64(5 + (i*7+j*3+k*11)%40)})
			}
		}
	}
	d.Quality = &Quality{
		Files: []QualityFile{{Path: "/data/in/cases.csv", Kind: "cases", Read: 3000, Clean: 2994, Rejected: 6, LoadedAt: "2025-09-01 10:00"},
			{Path: "/data/in/surveys.csv", Kind: "surveys", Read: 1500, Clean: 1399, Rejected: 101, LoadedAt: "2025-09-01 10:00"}},
		Rejects: []QualityReject{{File: "/data/in/cases.csv", Kind: "cases", Reason: "bad_timestamp", N: 6},
			{File: "/data/in/surveys.csv", Kind: "surveys", Reason: "speeder", N: 47}, {File: "/data/in/surveys.csv", Kind: "surveys", Reason: "duplicate_respondent", N: 54}},
		Exclusions: []QualityCount{{Name: "", N: 1399}, {Name: "duplicate_respondent", N: 51}, {Name: "speeder", N: 47}},
		Flagged:    []QualityCount{{Name: "straightlining", N: 132}, {Name: "burst", N: 8}},
		Missing:    []QualityCount{{Name: "first_response_at", N: 243}, {Name: "callback_satisfaction", N: 2114}},
		Cases:      2994, Responses: 1497,
		Dropped: []QualityDropped{{File: "/data/in/cases.csv", Kind: "cases", Header: "Incident Address", Reason: "personal_header"},
			{File: "/data/in/cases.csv", Kind: "cases", Header: "事发地点", Reason: "address"}},
		Others: []QualityOther{{Kind: "cases", Column: "source", N: 37, Of: 2994}},
	}
	return d
}

// geoJSONGrid writes a GeoJSON of square boundaries, one per community,
// and returns its path.
func geoJSONGrid(dir string, comms []*Unit) string {
	type feature struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   map[string]any `json:"geometry"`
	}
	var fs []feature
	for i, c := range comms {
		x, y := 117.0+float64(i%6)*0.01, 31.8+float64(i/6)*0.01
		ring := [][]float64{{x, y}, {x + 0.0095, y}, {x + 0.0095, y + 0.0095}, {x, y + 0.0095}, {x, y}}
		fs = append(fs, feature{Type: "Feature", Properties: map[string]any{"community_id": c.ID, "name": hostileImg, "note": "</script>"},
			Geometry: map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}}})
	}
	b, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": fs})
	p := filepath.Join(dir, "boundaries.geojson")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		panic(err)
	}
	return p
}
