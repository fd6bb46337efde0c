package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/civicscore/civicscore"
)

// trendMonths is the longest monthly trend drawn (two years).
const trendMonths = 24

// renderCtx is what every page builder reads: the data, the options, and
// lookups derived once per Render.
type renderCtx struct {
	d    *Data
	opts Options
	lang string

	months   []string          // all months with values, ascending
	trend    []string          // the months drawn in trends (the last trendMonths)
	latest   civicscore.Period // latest month; Label "" when there is none
	full     civicscore.Period // latest complete quarter (else year); Label "" when none
	fullKind string            // message key naming the full period

	districts   []*Unit
	streets     []*Unit
	communities []*Unit
	districtBy  map[string]*Unit
	rankedCount map[string]int   // communities per district ranked by resident_score in the latest month
	files       map[*Unit]string // scorecard file name per community
	present     map[string]bool  // community-level indicators with any value
	presentAgg  map[string]bool  // district/street-level indicators with any value
	asOf        string

	streetFiles  map[*Unit]string                       // street page file name per street
	commsOf      map[string][]*Unit                     // communities by district id and by street id
	streetsOf    map[string][]*Unit                     // streets by district id
	unitByID     map[string]*Unit                       // communities by id
	weightsText  string                                 // the score weights in words; "" when not given
	qr           *qrCode                                // the survey link's QR code; nil without a usable link
	geo          []byte                                 // the reduced GeoJSON of the choropleth; nil without one
	scoreInd     string                                 // what the ranking ranks by: resident_score
	scoreTrend   []string                               // the last 12 months, for scorecard trends
	categoryByID map[string]map[string]map[string]int64 // street id -> month -> category -> cases
	cmp          comparison                             // the run's funnels, control charts and rank intervals
	fdr          float64                                // the follow-up lists' false-discovery rate; 0 when unknown
}

// newRenderCtx derives the lookups of a Render. It fails only when two
// communities share an id.
func newRenderCtx(d *Data, o Options) (*renderCtx, error) {
	rc := &renderCtx{d: d, opts: o, lang: o.Lang, asOf: formatAsOf(d.AsOf)}
	months, quarters, years := d.Months, d.Quarters, d.Years
	if len(months) == 0 && len(quarters) == 0 && len(years) == 0 {
		months, quarters, years = periodLists(d.Districts, d.Streets, d.Communities)
	}
	rc.months = months
	rc.trend = months
	if len(rc.trend) > trendMonths {
		rc.trend = rc.trend[len(rc.trend)-trendMonths:]
	}
	if len(months) > 0 {
		rc.latest = civicscore.Period{Type: civicscore.Month, Label: months[len(months)-1]}
	}
	rc.full, rc.fullKind = fullPeriod(rc.latest.Label, quarters, years)

	rc.communities = sortedUnits(d.Communities)
	rc.streets = sortedUnits(d.Streets)
	rc.districts = sortedUnits(d.Districts)
	if len(rc.districts) == 0 {
		rc.districts = deriveDistricts(rc.communities)
	}
	rc.districtBy = make(map[string]*Unit, len(rc.districts))
	for _, u := range rc.districts {
		rc.districtBy[u.ID] = u
	}
	rc.rankedCount = map[string]int{}
	rc.present = map[string]bool{}
	for _, c := range rc.communities {
		if v, ok := c.Values.Get(indResidentScore, rc.latest); ok && v.Rank > 0 && v.Value.Valid && !v.Suppressed {
			rc.rankedCount[c.DistrictID]++
		}
		for ind, byPeriod := range c.Values {
			if len(byPeriod) > 0 {
				rc.present[ind] = true
			}
		}
	}
	rc.presentAgg = map[string]bool{}
	for _, group := range [][]*Unit{rc.districts, rc.streets} {
		for _, u := range group {
			for ind, byPeriod := range u.Values {
				if len(byPeriod) > 0 {
					rc.presentAgg[ind] = true
				}
			}
		}
	}
	files, err := scorecardFiles(rc.communities)
	if err != nil {
		return nil, err
	}
	rc.files = files
	sfiles, err := scorecardFiles(rc.streets)
	if err != nil {
		return nil, fmt.Errorf("streets: %w", err)
	}
	rc.streetFiles = sfiles
	rc.commsOf = map[string][]*Unit{}
	rc.unitByID = map[string]*Unit{}
	for _, c := range rc.communities {
		rc.commsOf[c.DistrictID] = append(rc.commsOf[c.DistrictID], c)
		rc.commsOf["street\x00"+c.StreetID] = append(rc.commsOf["street\x00"+c.StreetID], c)
		rc.unitByID[c.ID] = c
	}
	rc.streetsOf = map[string][]*Unit{}
	for _, st := range rc.streets {
		rc.streetsOf[st.DistrictID] = append(rc.streetsOf[st.DistrictID], st)
	}
	rc.weightsText = weightsText(d.Weights, d.Registry, o.Lang)
	rc.scoreInd = indResidentScore
	rc.scoreTrend = rc.trend
	if len(rc.scoreTrend) > scorecardMonths {
		rc.scoreTrend = rc.scoreTrend[len(rc.scoreTrend)-scorecardMonths:]
	}
	if q, err := newQR(o.SurveyURL); err == nil {
		rc.qr = q
	}
	if o.GeoJSON != "" {
		geo, err := readGeoJSON(o.GeoJSON)
		if err != nil {
			return nil, err
		}
		rc.geo = geo
	}
	rc.cmp = newComparison(d)
	rc.fdr = d.FDR
	if rc.fdr <= 0 {
		rc.fdr = o.FDR
	}
	rc.categoryByID = map[string]map[string]map[string]int64{}
	for _, k := range d.Categories {
		for _, key := range []string{"street\x00" + k.StreetID, k.DistrictID} {
			byMonth := rc.categoryByID[key]
			if byMonth == nil {
				byMonth = map[string]map[string]int64{}
				rc.categoryByID[key] = byMonth
			}
			if byMonth[k.Month] == nil {
				byMonth[k.Month] = map[string]int64{}
			}
			byMonth[k.Month][k.Category] += k.N
		}
	}
	return rc, nil
}

// scorecardMonths is the length of the scorecards' trend: a year.
const scorecardMonths = 12

// streetKey is the key of a street in the lookups shared with districts.
func streetKey(id string) string { return "street\x00" + id }

// communitiesOf returns the communities of unit u (a district or street).
func (rc *renderCtx) communitiesOf(u *Unit) []*Unit {
	if u.Level == civicscore.LevelStreet {
		return rc.commsOf[streetKey(u.ID)]
	}
	return rc.commsOf[u.ID]
}

// categoriesOf returns the case counts by month and category of unit u.
func (rc *renderCtx) categoriesOf(u *Unit) map[string]map[string]int64 {
	if u.Level == civicscore.LevelStreet {
		return rc.categoryByID[streetKey(u.ID)]
	}
	return rc.categoryByID[u.ID]
}

// fullPeriod picks the latest quarter whose last month is no later than the
// latest month with data, else such a year.
func fullPeriod(latestMonth string, quarters, years []string) (civicscore.Period, string) {
	if latestMonth == "" {
		return civicscore.Period{}, ""
	}
	for i := len(quarters) - 1; i >= 0; i-- {
		y, q, ok := splitInts(quarters[i], "-Q")
		if !ok || q < 1 || q > 4 {
			continue
		}
		last := fmt.Sprintf("%04d-%02d", y, q*3)
		if last <= latestMonth {
			return civicscore.Period{Type: civicscore.Quarter, Label: quarters[i]}, "full_period"
		}
	}
	for i := len(years) - 1; i >= 0; i-- {
		if years[i]+"-12" <= latestMonth {
			return civicscore.Period{Type: civicscore.Year, Label: years[i]}, "full_year"
		}
	}
	return civicscore.Period{}, ""
}

// sortedUnits returns the non-nil units ordered by district, street and id.
func sortedUnits(in []*Unit) []*Unit {
	out := make([]*Unit, 0, len(in))
	for _, u := range in {
		if u != nil {
			out = append(out, u)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.DistrictID != b.DistrictID {
			return a.DistrictID < b.DistrictID
		}
		if a.StreetID != b.StreetID {
			return a.StreetID < b.StreetID
		}
		return a.ID < b.ID
	})
	return out
}

// deriveDistricts makes value-less district units from the communities,
// for Data that carries no district rows.
func deriveDistricts(comms []*Unit) []*Unit {
	var out []*Unit
	seen := map[string]bool{}
	for _, c := range comms {
		if c.DistrictID == "" || seen[c.DistrictID] {
			continue
		}
		seen[c.DistrictID] = true
		out = append(out, &Unit{Level: civicscore.LevelDistrict, ID: c.DistrictID, Name: c.DistrictName, DistrictID: c.DistrictID, DistrictName: c.DistrictName})
	}
	return out
}

// windowsReserved are file names Windows refuses whatever the extension.
var windowsReserved = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true}

// plainID reports whether id can be a file name as it is: 1 to 64 ASCII
// letters, digits, '-' and '_', starting with a letter or digit, and not a
// name Windows reserves.
func plainID(id string) bool {
	if id == "" || len(id) > 64 || windowsReserved[strings.ToUpper(id)] {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '-' && c != '_') {
			return false
		}
	}
	return true
}

// scorecardFileName returns a file name for community id that is safe on
// every file system: the id itself when plainID, else a readable ASCII stem
// and a hash of the id. It never contains a path separator or "..".
func scorecardFileName(id string) string {
	if plainID(id) {
		return id + ".html"
	}
	var b strings.Builder
	for i := 0; i < len(id) && b.Len() < 40; i++ {
		c := id[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	stem := strings.Trim(b.String(), "_")
	if stem == "" {
		stem = "c"
	}
	sum := sha256.Sum256([]byte(id))
	return stem + "-" + hex.EncodeToString(sum[:6]) + ".html"
}

// scorecardFiles names every community's scorecard, keeping names unique
// even on case-insensitive file systems.
func scorecardFiles(comms []*Unit) (map[*Unit]string, error) {
	files := make(map[*Unit]string, len(comms))
	taken := make(map[string]string, len(comms)) // lower-case name -> id
	ids := make(map[string]bool, len(comms))
	for _, c := range comms {
		if ids[c.ID] {
			return nil, fmt.Errorf("community id %q appears twice", c.ID)
		}
		ids[c.ID] = true
		name := scorecardFileName(c.ID)
		if _, clash := taken[strings.ToLower(name)]; clash {
			sum := sha256.Sum256([]byte(c.ID))
			name = "c-" + hex.EncodeToString(sum[:]) + ".html"
		}
		if other, clash := taken[strings.ToLower(name)]; clash {
			return nil, fmt.Errorf("scorecard file names of communities %q and %q collide", other, c.ID)
		}
		taken[strings.ToLower(name)] = c.ID
		files[c] = name
	}
	return files, nil
}

// cell is one indicator value as a page shows it.
type cell struct {
	State    string // "ok", "suppressed" or "missing"
	Text     string // the value, "样本不足" or "—"
	Interval string // "95% interval a – b", or ""
	Range    string // the interval alone, compact: "a–b%"
	N        string // "n = 123", only when n >= MinN
	Sort     string // the value for sorting tables; "" sorts last
	Bar      float64
	// Track positions (0..100) of the value and its interval on a range
	// drawing, for fractions and scores; Track is false for other units.
	Track            bool
	TrackLo, TrackHi float64
	TrackAt          float64
	// Arrow is "up" or "down" when the change over the previous period is
	// significant, else ""; Better says whether that change is for the
	// better ("better", "worse" or "" for neutral indicators), Change says
	// it in words.
	Arrow       string
	Better      string
	Change      string
	ChangeShort string // the change alone, for tiles: "−5.0 个百分点"
	// Target says how the value stands against its configured goal, when
	// one is: "on target" or "93% of target" (TargetLong adds the goal).
	Target, TargetLong string
}

// Suppressed reports whether the cell stands for too few responses.
func (c cell) Suppressed() bool { return c.State == "suppressed" }

// OK reports whether the cell holds a value.
func (c cell) OK() bool { return c.State == "ok" }

// hidden reports whether v must not be shown: marked suppressed, or an
// estimate resting on fewer than MinN rows.
func (rc *renderCtx) hidden(inf indicatorInfo, v Value) bool {
	if v.Suppressed {
		return true
	}
	if inf.Kind == civicscore.Fact || !hasSampleSize(inf.ID) {
		return false
	}
	return v.Denominator.Valid && v.Denominator.Float64 < float64(rc.opts.MinN)
}

// hasSampleSize reports whether an indicator's denominator is a sample
// size. The resident score's denominator counts the components it used,
// not rows: its suppression is decided by metrics alone.
func hasSampleSize(ind string) bool { return ind != indResidentScore }

// Display modes of a value: how durations are written.
const (
	modeResident = iota // residents' pages: long durations in days
	modeReport          // district report tiles: always hours, with the unit
	modeTable           // tables: bare numbers, the unit is in the header
)

// value returns u's value of ind in p as a residents' page shows it.
func (rc *renderCtx) value(u *Unit, ind string, p civicscore.Period) cell {
	return rc.valueIn(u, ind, p, modeResident)
}

// valueIn returns u's value of ind in p as a page cell, durations written
// as mode says.
func (rc *renderCtx) valueIn(u *Unit, ind string, p civicscore.Period, mode int) cell {
	inf := info(rc.d.Registry, ind, rc.lang)
	if u == nil || p.Label == "" {
		return cell{State: "missing", Text: "—"}
	}
	v, ok := u.Values.Get(ind, p)
	if !ok {
		return cell{State: "missing", Text: "—"}
	}
	if rc.hidden(inf, v) {
		return cell{State: "suppressed", Text: tr(rc.lang, "too_few")}
	}
	if !v.Value.Valid {
		return cell{State: "missing", Text: "—"}
	}
	unit := inf.Unit
	if unit == unitHours && mode == modeReport {
		unit = unitHoursOnly
	} else if unit == unitHours && mode == modeTable {
		unit = unitBare
	}
	c := cell{State: "ok", Text: formatValue(unit, v.Value.Float64, rc.lang),
		Sort: strconv.FormatFloat(v.Value.Float64, 'g', 8, 64)}
	if v.CILow.Valid && v.CIHigh.Valid {
		c.Interval = formatInterval(unit, v.CILow.Float64, v.CIHigh.Float64, rc.lang)
		c.Range = formatRange(unit, v.CILow.Float64, v.CIHigh.Float64, rc.lang)
	}
	if inf.Kind != civicscore.Fact && hasSampleSize(ind) && v.Denominator.Valid && v.Denominator.Float64 >= float64(rc.opts.MinN) {
		c.N = tr(rc.lang, "sample", formatNumber(v.Denominator.Float64, 0))
	}
	if inf.Unit == unitFraction || inf.Unit == unitScore && inf.ID != indSatMean {
		scale := 1.0
		if inf.Unit == unitFraction {
			scale = 100
		}
		c.Bar = round(clamp(v.Value.Float64*scale, 0, 100), 1)
		c.Track, c.TrackAt = true, c.Bar
		if v.CILow.Valid && v.CIHigh.Valid {
			c.TrackLo = round(clamp(v.CILow.Float64*scale, 0, 100), 1)
			c.TrackHi = round(clamp(v.CIHigh.Float64*scale, 0, 100)-c.TrackLo, 1)
		}
	}
	if v.Target.Valid && v.TargetRatio.Valid {
		c.Target, c.TargetLong = targetText(inf.Unit, v.Target.Float64, v.TargetRatio.Float64, rc.lang)
	}
	if v.Significant && v.Change.Valid && v.Change.Float64 != 0 {
		c.Arrow = "down"
		if v.Change.Float64 > 0 {
			c.Arrow = "up"
		}
		switch {
		case inf.Direction == civicscore.HigherIsBetter && v.Change.Float64 > 0, inf.Direction == civicscore.LowerIsBetter && v.Change.Float64 < 0:
			c.Better = "better"
		case inf.Direction == civicscore.HigherIsBetter, inf.Direction == civicscore.LowerIsBetter:
			c.Better = "worse"
		}
		c.ChangeShort = formatChange(inf.Unit, v.Change.Float64, rc.lang)
		c.Change = tr(rc.lang, "change_"+c.Better+"_sig", c.ChangeShort)
	}
	return c
}

// point returns u's value of ind in p as a chart point.
func (rc *renderCtx) point(u *Unit, ind string, p civicscore.Period) point {
	if u == nil {
		return point{}
	}
	v, ok := u.Values.Get(ind, p)
	if !ok {
		return point{}
	}
	if rc.hidden(info(rc.d.Registry, ind, rc.lang), v) {
		return point{suppressed: true}
	}
	if !v.Value.Valid {
		return point{}
	}
	pt := point{ok: true, y: v.Value.Float64}
	if v.CILow.Valid && v.CIHigh.Valid {
		pt.ciOK, pt.lo, pt.hi = true, v.CILow.Float64, v.CIHigh.Float64
	}
	return pt
}

// series returns u's monthly values of ind over the trend window.
func (rc *renderCtx) series(u *Unit, ind string) []point {
	pts := make([]point, len(rc.trend))
	for i, m := range rc.trend {
		pts[i] = rc.point(u, ind, civicscore.Period{Type: civicscore.Month, Label: m})
	}
	return pts
}

func clamp(f, lo, hi float64) float64 {
	if f < lo {
		return lo
	}
	if f > hi {
		return hi
	}
	return f
}

// pageCommon is the part of every page's view the layout reads.
type pageCommon struct {
	Lang               string
	Title              string // report title
	PageTitle          string // this page's title (<title>, <h1>)
	Root               string // relative path from the page to the report folder: "" or "../"
	DefinitionsVersion string
	RunID              string
	AsOf               string
	Nav                []navLink // links to the other pages
	Weights            string    // the resident score weights in words, for the footer
	// SwitchTo and SwitchText name the page's other language and say it in
	// that language: the switch in the navigation bar.
	SwitchTo   string
	SwitchText string

	charts chartSet          // the page's charts by container id, in Lang
	text   map[string]string // text the chart script needs, in Lang
}

// base returns the shared part of a page view; views embed pageCommon, so
// every view has it.
func (p pageCommon) base() pageCommon { return p }

// DocTitle is the page's document title: the page title, then the report
// title when they differ.
func (p pageCommon) DocTitle() string {
	if p.PageTitle == p.Title {
		return p.PageTitle
	}
	return p.PageTitle + " · " + p.Title
}

// navLink is one entry of a page's navigation bar.
type navLink struct {
	Href    string
	Text    string
	Current bool
}

// common builds the shared view of a page at depth (0 for the report
// folder, 1 for a subfolder).
func (rc *renderCtx) common(pageTitle string, depth int, cs chartSet) (pageCommon, error) {
	other := LangEN
	if rc.lang == LangEN {
		other = LangZH
	}
	return pageCommon{
		Lang:               rc.lang,
		Title:              rc.opts.Title,
		PageTitle:          pageTitle,
		Root:               strings.Repeat("../", depth),
		DefinitionsVersion: rc.opts.DefinitionsVersion,
		RunID:              rc.d.RunID,
		AsOf:               rc.asOf,
		Weights:            rc.weightsText,
		SwitchTo:           other,
		SwitchText:         tr(other, "lang_name"),
		charts:             cs,
		text: map[string]string{"tooFew": tr(rc.lang, "too_few"), "interval": tr(rc.lang, "interval_short"),
			"colon": tr(rc.lang, "colon"), "noData": tr(rc.lang, "no_data")},
	}, nil
}
