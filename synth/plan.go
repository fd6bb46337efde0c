package synth

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/civicscore/civicscore"
)

// scaleSpec is the shape of one scale.
type scaleSpec struct {
	cities, districts, streets, communities int
	months                                  int
	casesPerMonth                           int64
	servicesPerMonth                        int64
	surveysPerMonth                         int64
}

var specs = map[Scale]scaleSpec{
	Demo:     {1, 1, 3, 20, 6, 500, 250, 250},
	District: {1, 1, 8, 80, 12, 42_000, 16_800, 8_400},
	City:     {1, 9, 38, 362, 12, 420_000, 168_000, 84_000},
	Province: {10, 90, 380, 3620, 12, 4_200_000, 1_680_000, 840_000},
}

const maxMonths = 120

// Case categories, in the order of the sample config, with their SLA (hours),
// base share of cases, median resolution time (hours) at an average community
// and how much more often than average they are escalated.
var categories = []struct {
	name     string
	sla      int64
	share    float64
	median   float64
	escalate float64
}{
	{"城市建设", 168, 0.19, 56, 1.6},
	{"环境卫生", 48, 0.27, 14, 0.8},
	{"综治安全", 72, 0.12, 18, 1.2},
	{"社会事务", 72, 0.12, 30, 1.0},
	{"市场监管", 120, 0.09, 34, 1.3},
	{"物业管理", 96, 0.21, 28, 0.7},
}

const defaultSLAHours = 72

// Case sources, resolution levels and survey channels: canonical values.
var (
	sources      = []string{"grid_patrol", "hotline", "app", "walk_in"}
	sourceShare  = []float64{0.36, 0.34, 0.20, 0.10}
	levels       = []string{"community", "block", "street", "district", "city"}
	levelFactor  = []float64{1, 1.3, 1.8, 2.6, 3.5}  // resolution time multiplier
	escalatedMix = []float64{0.40, 0.33, 0.20, 0.07} // block, street, district, city
	areaTypes    = []string{"old_town", "new_build", "mixed"}
)

const (
	srcGrid = iota
	srcHotline
	srcApp
	srcWalkIn
)

const (
	areaOld = iota
	areaNew
	areaMixed
)

// Service types, target groups and provider types: canonical values.
var (
	serviceTypes = []string{"elderly_care", "disability", "social_assistance", "employment", "health", "culture_sports", "youth", "legal_aid", "other"}
	serviceShare = []float64{0.25, 0.07, 0.10, 0.07, 0.14, 0.20, 0.08, 0.05, 0.04}
	// median recipients and hours per service type
	serviceRecipients = []float64{8, 3, 4, 6, 10, 15, 12, 2, 5}
	serviceHours      = []float64{2.0, 1.5, 1.0, 2.0, 1.5, 2.5, 2.0, 1.0, 1.5}
	targetGroups      = []string{"elderly", "disabled", "low_income", "youth", "general"}
	// target group mix per service type (rows follow serviceTypes)
	targetMix = [][]float64{
		{0.85, 0.03, 0.04, 0, 0.08},
		{0.10, 0.85, 0.03, 0, 0.02},
		{0.10, 0.05, 0.80, 0, 0.05},
		{0, 0.05, 0.40, 0.15, 0.40},
		{0.35, 0.10, 0.05, 0.05, 0.45},
		{0.20, 0.02, 0, 0.13, 0.65},
		{0, 0.02, 0.03, 0.90, 0.05},
		{0.15, 0.05, 0.20, 0.05, 0.55},
		{0.10, 0.05, 0.05, 0.05, 0.75},
	}
	providerTypes = []string{"residents_committee", "social_org", "volunteer", "government", "enterprise"}
	providerShare = []float64{0.40, 0.22, 0.20, 0.13, 0.05}
)

// Survey items, channels and strata.
var (
	surveyItems = civicscore.SurveyItemIDs(true) // q_overall first
	// mean offset of each item from the overall judgement, and the share of
	// residents who leave it empty (不了解)
	itemOffset = []float64{0, -0.15, 0.25, 0.05, -0.25, -0.2, -0.35, 0}
	itemEmpty  = []float64{0.015, 0.04, 0.04, 0.05, 0.06, 0.05, 0.12, 0.08}
	channels   = []string{"online", "paper", "door_to_door", "phone"}
	// channel mix for respondents under 60 and 60+
	channelYoung = []float64{0.78, 0.06, 0.08, 0.08}
	channelOld   = []float64{0.35, 0.20, 0.30, 0.15}
	ageGroups    = []string{"18-34", "35-59", "60+"}
	genders      = []string{"male", "female"}
)

const (
	chOnline = iota
	chPaper
	chDoor
	chPhone
)

// Names. The first city's districts carry Hefei's district names; further
// districts get composed names. Street words double as the prefix of their
// communities' names (笔架山街道 → 笔架第1社区).
var (
	firstDistrictNames = []string{"蜀山区", "庐阳区", "瑶海区", "包河区", "滨湖区", "新站区", "高新区", "经开区", "政务区"}
	districtHeads      = []string{"东", "西", "南", "北", "新", "青", "金", "龙", "凤", "云"}
	districtTails      = []string{"山", "湖", "江", "城", "阳", "安", "平", "河", "溪", "州"}
	streetWords        = [][2]string{
		{"笔架", "山"}, {"琥珀", ""}, {"三里", "庵"}, {"杏花", "村"}, {"逍遥", "津"}, {"荷叶", "地"},
		{"稻香", "村"}, {"五里", "墩"}, {"井岗", ""}, {"南岗", ""}, {"双岗", ""}, {"海棠", ""},
		{"芙蓉", ""}, {"紫云", ""}, {"桃花", ""}, {"清溪", ""}, {"梅山", "路"}, {"翠竹", "园"},
		{"松林", ""}, {"明光", "路"}, {"长江", "路"}, {"和平", "路"}, {"胜利", "路"}, {"光明", ""},
		{"青山", ""}, {"龙岗", ""}, {"凤凰", "城"}, {"白云", ""}, {"东风", ""}, {"西园", ""},
		{"南湖", ""}, {"北城", ""}, {"春晖", ""}, {"银河", ""}, {"望江", ""}, {"锦绣", ""},
		{"丁香", ""}, {"花冲", ""}, {"七里", "塘"}, {"大杨", ""}, {"亳州", "路"}, {"安庆", "路"},
		{"淮河", "路"}, {"双墩", ""}, {"三孝", "口"}, {"四里", "河"}, {"杨林", ""}, {"站前", "路"},
		{"临泉", "路"}, {"铜陵", "路"}, {"磨店", ""}, {"义井", ""}, {"常青", ""}, {"方庙", ""},
		{"龙门", ""}, {"合作", ""}, {"包公", ""}, {"芜湖", "路"}, {"烟墩", ""}, {"骆岗", ""},
		{"宁国", "路"}, {"桐城", "路"}, {"金寨", "路"}, {"黄山", "路"},
	}
	// suffixes for a street word's later uses, so street names stay unique
	streetSuffixes = []string{"山", "村", "津", "桥", "湖", "园", "岗", "坊", "塘", "湾"}
)

// community holds one community's attributes and the latent parameters that
// shape its rows.
type community struct {
	idx        int
	id         string
	name       string
	streetID   string
	streetName string
	districtID string
	district   string
	blockID    string
	households int
	population int
	elderly    int
	area       int
	space      int
	grids      int

	z float64 // latent quality of governance, ~N(0,1), higher is better

	// cases
	caseRate   float64 // relative cases per household
	speed      float64 // multiplier of resolution time (higher is slower)
	respSpeed  float64 // multiplier of first-response time
	escalation float64 // probability a case goes above the community
	stuck      float64 // probability an old case is left open
	catTable   table256
	srcTable   table256

	// services
	serviceRate float64
	typeTable   table256
	provTable   table256

	// surveys
	surveyMean     float64
	itemOff        [8]float64
	elderShare     float64
	respondentBase int64
	respondentPool int
	ipPool         int
	ipSalt         uint64
}

// plan is everything decided before the first row: the geography, the
// communities and the month boundaries.
type plan struct {
	scale      Scale
	spec       scaleSpec
	seed       int64
	months     int
	monthStart []int64 // months+1 entries; the last is end
	end        int64
	season     []float64 // per month, relative case volume
	districts  int
	streets    int
	comms      []community
	respWidth  int // digits of respondent tokens
	year       int // year of the first month, for the impossible timestamp
}

func newPlan(opts Options) (*plan, error) {
	sc := opts.Scale
	if sc == "" {
		sc = Demo
	}
	spec, ok := specs[sc]
	if !ok {
		return nil, fmt.Errorf("%w: unknown scale %q (want demo, district, city or province)", civicscore.ErrConfig, string(sc))
	}
	return newPlanOf(sc, spec, opts)
}

// newPlanOf lays out the plan of spec (named sc) for the months, start and
// seed of opts.
func newPlanOf(sc Scale, spec scaleSpec, opts Options) (*plan, error) {
	months := opts.Months
	if months == 0 {
		months = spec.months
	}
	if months < 0 || months > maxMonths {
		return nil, fmt.Errorf("%w: months %d out of range 1..%d", civicscore.ErrConfig, opts.Months, maxMonths)
	}
	start := opts.Start
	if start.IsZero() {
		start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	y, mo := start.Year(), start.Month()
	if y < 1990 || y > 2200 {
		return nil, fmt.Errorf("%w: start year %d out of range 1990..2200", civicscore.ErrConfig, y)
	}
	p := &plan{scale: sc, spec: spec, seed: opts.Seed, months: months, year: y}
	for k := 0; k <= months; k++ {
		p.monthStart = append(p.monthStart, time.Date(y, mo+time.Month(k), 1, 0, 0, 0, 0, time.UTC).Unix())
	}
	p.end = p.monthStart[months]
	for k := range months {
		calMonth := int(time.Unix(p.monthStart[k], 0).UTC().Month())
		// peak in July–August, trough in January
		p.season = append(p.season, 1+0.22*math.Cos(2*math.Pi*(float64(calMonth)-7.5)/12))
	}
	p.build(newRNG(opts.Seed, streamPlan))
	return p, nil
}

// build lays out cities, districts, streets and communities and draws each
// community's parameters.
func (p *plan) build(r *rng) {
	s := p.spec
	distPerCity := s.districts / s.cities
	streetsPerCity := s.streets / s.cities
	commsPerCity := s.communities / s.cities
	streetNo := 0 // global street counter, for names
	var respNext int64 = 1

	for ci := range s.cities {
		streetsIn := split(r, streetsPerCity, distPerCity, 1)
		// communities per district in proportion to its streets, then per street
		commsIn := make([]int, distPerCity)
		w := make([]float64, distPerCity)
		for di := range w {
			w[di] = float64(streetsIn[di])
		}
		for di, n := range allocate(int64(commsPerCity), w) {
			commsIn[di] = int(n)
		}
		for di := range distPerCity {
			gd := ci*distPerCity + di // global district index
			p.districts++
			districtID := "34" + pad2(ci+1) + pad2(di)
			districtName := districtNameFor(gd)
			perStreet := split(r, commsIn[di], streetsIn[di], 3)
			seq := 0
			for si := range streetsIn[di] {
				p.streets++
				streetID := "S" + strconv.Itoa(gd+1) + pad2(si+1)
				streetName, prefix := streetNameFor(streetNo)
				streetNo++
				for k := range perStreet[si] {
					seq++
					c := community{
						idx:        len(p.comms),
						id:         districtID + pad3(seq),
						name:       prefix + "第" + strconv.Itoa(k+1) + "社区",
						streetID:   streetID,
						streetName: streetName,
						districtID: districtID,
						district:   districtName,
						blockID:    streetID + "-" + strconv.Itoa(k/4+1),
					}
					p.drawCommunity(r, &c, &respNext)
					p.comms = append(p.comms, c)
				}
			}
		}
	}
	p.respWidth = max(6, digits(respNext))
}

func (p *plan) drawCommunity(r *rng, c *community, respNext *int64) {
	for {
		h := r.lognormal(2800, 0.45)
		if h >= 800 && h <= 6000 {
			c.households = int(h)
			break
		}
	}
	c.population = int(float64(c.households) * clamp(2.3+0.15*r.norm(), 1.9, 2.8))
	c.area = r.intn(3)
	elderShare := 0.20 + 0.035*r.norm()
	switch c.area {
	case areaOld:
		elderShare += 0.04
	case areaNew:
		elderShare -= 0.04
	}
	elderShare = clamp(elderShare, 0.08, 0.36)
	c.elderly = int(float64(c.population) * elderShare)
	c.elderShare = elderShare
	// service space: most communities near the standard, some well below 300
	if r.chance(0.15) {
		c.space = 10 * r.between(20, 29)
	} else {
		c.space = 10 * int(clamp(r.lognormal(650, 0.4), 300, 1500)/10)
	}
	c.grids = max(3, c.households/300+r.intn(3))

	c.z = r.norm()
	areaSlow := []float64{1.15, 0.95, 1.0}[c.area]
	c.speed = math.Exp(-0.35*c.z+0.2*r.norm()) * areaSlow
	if r.chance(0.1) { // a few communities are plainly slow
		c.speed *= 1.8
	}
	c.respSpeed = math.Exp(-0.3*c.z + 0.25*r.norm())
	c.escalation = clamp(0.11*math.Exp(-0.35*c.z+0.45*r.norm()), 0.02, 0.45)
	c.stuck = clamp(0.008*math.Exp(-0.5*c.z), 0.002, 0.04)
	c.caseRate = math.Exp(0.15*r.norm()) * []float64{1.2, 0.9, 1.0}[c.area]

	cat := make([]float64, len(categories))
	for i, k := range categories {
		cat[i] = k.share * math.Exp(0.2*r.norm())
	}
	switch c.area {
	case areaOld:
		cat[0] *= 1.3
		cat[1] *= 1.2
		cat[5] *= 0.6
	case areaNew:
		cat[0] *= 0.8
		cat[5] *= 1.6
	}
	c.catTable = newTable256(cat)
	src := make([]float64, len(sources))
	for i, v := range sourceShare {
		src[i] = v * math.Exp(0.2*r.norm())
	}
	c.srcTable = newTable256(src)

	c.serviceRate = math.Exp(0.5*r.norm() + 0.15*c.z)
	st := make([]float64, len(serviceTypes))
	for i, v := range serviceShare {
		st[i] = v * math.Exp(0.25*r.norm())
	}
	st[0] *= elderShare / 0.2
	c.typeTable = newTable256(st)
	pt := make([]float64, len(providerTypes))
	for i, v := range providerShare {
		pt[i] = v * math.Exp(0.35*r.norm())
	}
	c.provTable = newTable256(pt)

	c.surveyMean = 0.55 + 0.5*c.z + 0.2*r.norm()
	for i := range c.itemOff {
		c.itemOff[i] = itemOffset[i] + 0.25*r.norm()
	}
	c.itemOff[0] = 0
	c.respondentPool = max(50, c.households*6/10)
	c.respondentBase = *respNext
	*respNext += int64(c.respondentPool)
	c.ipPool = max(30, c.households/3)
	c.ipSalt = r.u64()
}

func districtNameFor(gd int) string {
	if gd < len(firstDistrictNames) {
		return firstDistrictNames[gd]
	}
	k := gd - len(firstDistrictNames)
	n := len(districtHeads) * len(districtTails)
	name := districtHeads[k%n/len(districtTails)] + districtTails[k%len(districtTails)]
	if k >= n {
		name += strconv.Itoa(k / n)
	}
	return name + "区"
}

// streetNameFor returns the name of the n-th street and the prefix of its
// communities' names. The first round through streetWords uses each word's
// own suffix; later rounds give the word another suffix, different in every
// round, so names stay unique (a number is added only past 640 streets).
func streetNameFor(n int) (name, prefix string) {
	wi := n % len(streetWords)
	w := streetWords[wi]
	round := n / len(streetWords)
	if round == 0 {
		return w[0] + w[1] + "街道", w[0]
	}
	var sufs []string
	for _, s := range streetSuffixes {
		if s != w[1] && !strings.HasSuffix(w[0], s) {
			sufs = append(sufs, s)
		}
	}
	suf := sufs[(round-1+wi)%len(sufs)]
	if round > len(sufs) {
		suf += strconv.Itoa(round)
	}
	return w[0] + suf + "街道", w[0] + suf
}

func pad2(v int) string { return string(append2(nil, v%100)) }
func pad3(v int) string { return string(appendPadded(nil, int64(v), 3)) }

// counts allocates total rows over (month, community) cells in proportion to
// weight(month, community) with a little noise, exactly summing to total.
// The result is indexed month*len(comms)+community.
func (p *plan) counts(r *rng, total int64, weight func(m int, c *community) float64) []int64 {
	w := make([]float64, 0, p.months*len(p.comms))
	for m := range p.months {
		for i := range p.comms {
			w = append(w, weight(m, &p.comms[i])*math.Exp(0.12*r.norm()))
		}
	}
	return allocate(total, w)
}

// dayHour draws an instant in month m: a day (weekends drawn less often by
// weekendKeep), an hour from the table and a uniform second within the hour.
func (p *plan) dayHour(r *rng, m int, hours *table256, weekendKeep float64) int64 {
	ms := p.monthStart[m]
	days := int((p.monthStart[m+1] - ms) / secPerDay)
	for {
		d := r.intn(days)
		wd := weekday(ms/secPerDay + int64(d))
		if (wd == 0 || wd == 6) && !r.chance(weekendKeep) {
			continue
		}
		return ms + int64(d)*secPerDay + int64(hours.draw(r))*secPerHour + int64(r.intn(secPerHour))
	}
}
