package synth

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicscore/civicscore"
)

// Shape names the form of the files gen writes.
type Shape string

// The shapes gen knows.
const (
	// Canonical writes the four inputs in the canonical form (UTF-8 CSV,
	// English column names and values) at one of the Scales: Generate.
	Canonical Shape = "canonical"
	// Exports writes a small district in the shapes real exports take, with
	// the rejects ingest must file: GenerateExports.
	Exports Shape = "exports"
)

// Shapes lists the shapes gen knows, the default first.
var Shapes = []Shape{Canonical, Exports}

// ParseShape returns the Shape named by s (case and surrounding spaces are
// ignored). An unknown name is an error wrapping civicscore.ErrConfig.
func ParseShape(s string) (Shape, error) {
	v := Shape(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Shapes, v) {
		return v, nil
	}
	return "", fmt.Errorf("%w: unknown shape %q (want canonical or exports)", civicscore.ErrConfig, s)
}

// File names written by GenerateExports besides CommunitiesFile,
// ServicesFile and ConfigFile.
const (
	// CasesPart1File holds cases in the canonical form, with known bad rows.
	CasesPart1File = "cases_part1.csv"
	// CasesPart2File holds cases as a hotline or grid platform exports
	// them: GB18030, Chinese headers and values.
	CasesPart2File = "cases_part2.csv"
	// CasesOpen311File holds cases as Open311 GeoReport v2 service requests.
	CasesOpen311File = "cases_open311.json"
	// CasesUpdatesFile holds later versions of open cases, now closed.
	CasesUpdatesFile = "cases_updates.csv"
	// SurveysXLSXFile holds survey responses as an online survey platform
	// exports them.
	SurveysXLSXFile = "surveys.xlsx"
	// ReadmeFile describes the shape of every file written.
	ReadmeFile = "README.md"
	// ExpectedRejectsFile lists, per input file and reject reason, how many
	// rows ingest must reject: what the generator put in.
	ExpectedRejectsFile = "expected_rejects.yaml"
)

// Reject reasons of the survey quality filter that the exports provoke,
// besides ReasonBadEnum (an answer out of range).
const (
	// ReasonSpeeder: a response answered faster than survey.min_duration_seconds.
	ReasonSpeeder = "speeder"
	// ReasonDuplicateRespondent: a respondent who answered again later in the
	// same community and month; the earlier response is excluded.
	ReasonDuplicateRespondent = "duplicate_respondent"
)

// ExportFile describes one file written by GenerateExports.
type ExportFile struct {
	// Name is the file name inside the output folder.
	Name string
	// Kind is the input kind the file holds; empty for config.yaml, the
	// README and the expected rejects.
	Kind civicscore.Kind
	// Shape says in a line how the file is written (encoding, headers, values).
	Shape string
	// Rows is the number of data rows (records) written, bad rows included.
	Rows int64
	// Rejects counts, by reject reason, the rows ingest must reject: the
	// defects put in, the earlier row of a case_id written twice, speeders
	// and repeated respondents. Nil when none.
	Rejects map[string]int64
	// Bytes is the size of the file.
	Bytes int64
}

// ExportsSummary reports what GenerateExports wrote.
type ExportsSummary struct {
	// Dir is the output folder and Seed the seed used.
	Dir  string
	Seed int64
	// Start is the first instant covered and End the first instant after
	// the data window, as local clock readings held in time.UTC.
	Start, End time.Time
	// Districts, Streets and Communities count the geography.
	Districts, Streets, Communities int
	// Files lists the inputs in the order config.yaml loads them, then
	// config.yaml, README.md and expected_rejects.yaml.
	Files []ExportFile
	// Updated is the number of cases that cases_updates.csv closes.
	Updated int
}

// Rejects returns the total number of rows ingest must reject.
func (s ExportsSummary) Rejects() int64 {
	var n int64
	for _, f := range s.Files {
		for _, v := range f.Rejects {
			n += v
		}
	}
	return n
}

// The exports' district: 2 districts, 5 streets, 24 communities, 4 months.
var exportsSpec = scaleSpec{cities: 1, districts: 2, streets: 5, communities: 24, months: 4}

// Row counts of the exports.
const (
	exportCases    = 420
	exportServices = 120
	exportSurveys  = 288
	exportUpdates  = 10 // at most: open cases closed by cases_updates.csv
	exportRepeats  = 4  // respondents who answer twice in a community-month
	speederEvery   = 37 // one response in speederEvery (by submission) is a speeder
)

// Random streams of the exports, apart from the canonical ones.
const (
	streamExportCases    = 0x2545f4914f6cdd1d
	streamExportServices = 0x9fb21c651e98df25
	streamExportSurveys  = 0xc2b2ae3d27d4eb4f
)

// The files a case goes to.
const (
	inPart1 = iota
	inPart2
	inOpen311
)

// exportCase is one case of the exports, before it is written in a file's shape.
type exportCase struct {
	id    string
	comm  *community
	grid  string
	src   int
	cat   int
	level int
	// reported, first, due, closed and updated are local clock seconds; -1
	// when empty (due is always known; writeDue says whether it is written).
	reported, first, due, closed, updated int64
	writeDue                              bool
	sat, contacted, resolved              int // -1 empty; sat indexes satisfaction
	reopened                              bool
	file                                  int
	// defect is the reject reason the row must get, "" for a valid row.
	defect string
}

func (c *exportCase) open() bool { return c.closed < 0 }

// GenerateExports writes, into dir (created if needed), a small district's
// inputs in the shapes real exports take, a config.yaml that loads them, a
// README.md describing each file and expected_rejects.yaml, the rejects
// ingest must file, counted from what was put in. The same seed gives
// byte-identical files.
func GenerateExports(dir string, seed int64) (ExportsSummary, error) {
	p, err := newPlanOf("exports", exportsSpec, Options{Seed: seed})
	if err != nil {
		return ExportsSummary{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ExportsSummary{}, fmt.Errorf("synth: %w", err)
	}
	sum := ExportsSummary{
		Dir: dir, Seed: seed,
		Start:     time.Unix(p.monthStart[0], 0).UTC(),
		End:       time.Unix(p.end, 0).UTC(),
		Districts: p.districts, Streets: p.streets, Communities: len(p.comms),
	}
	comm, err := writeCommunities(dir, p)
	if err != nil {
		return sum, err
	}
	sum.Files = append(sum.Files, ExportFile{Name: comm.Name, Kind: civicscore.KindCommunities, Rows: comm.Rows, Bytes: comm.Bytes,
		Shape: "canonical, UTF-8"})

	files, err := p.exportCases(newRNG(seed, streamExportCases))
	if err != nil {
		return sum, fmt.Errorf("synth: %w", err)
	}
	updates := p.exportUpdates(files)
	sum.Updated = len(updates)
	for _, w := range []struct {
		name, shape string
		rows        []*exportCase
		render      func([]*exportCase) ([]byte, error)
	}{
		{CasesPart1File, "canonical, UTF-8; bad rows: closed before reported, unknown community, impossible timestamp, missing category, unknown level, and one case_id twice (the last wins)",
			files[inPart1], canonicalCases},
		{CasesPart2File, "as a hotline / grid platform exports it: GB18030, CRLF, Chinese headers and values (12345热线, 社区/街道/区级部门/市级, 满意/基本满意/不满意, 是/否), `YYYY/MM/DD HH:MM:SS` times; every row valid",
			files[inPart2], platformCases},
		{CasesOpen311File, "Open311 GeoReport v2 service requests (a JSON array), times in ISO 8601 with +08:00, the level of government read from agency_responsible, community_id as an extension; closed requests without closed_datetime close at updated_datetime; every request valid",
			files[inOpen311], open311Cases},
		{CasesUpdatesFile, "canonical, UTF-8: later versions of open cases of cases_part1.csv and cases_part2.csv, now closed, with a newer updated_at",
			updates, canonicalCases},
	} {
		b, err := w.render(w.rows)
		if err != nil {
			return sum, fmt.Errorf("synth: %s: %w", w.name, err)
		}
		f := ExportFile{Name: w.name, Kind: civicscore.KindCases, Shape: w.shape, Rows: int64(len(w.rows)), Bytes: int64(len(b))}
		for _, c := range w.rows {
			if c.defect != "" {
				if f.Rejects == nil {
					f.Rejects = map[string]int64{}
				}
				f.Rejects[c.defect]++
			}
		}
		if err := writeFile(dir, w.name, b); err != nil {
			return sum, err
		}
		sum.Files = append(sum.Files, f)
	}

	b := p.exportServices(newRNG(seed, streamExportServices))
	if err := writeFile(dir, ServicesFile, b); err != nil {
		return sum, err
	}
	sum.Files = append(sum.Files, ExportFile{Name: ServicesFile, Kind: civicscore.KindServices, Shape: "canonical, UTF-8",
		Rows: int64(exportServices), Bytes: int64(len(b))})

	resp := p.exportResponses(newRNG(seed, streamExportSurveys))
	b, err = surveysWorkbook(resp)
	if err != nil {
		return sum, fmt.Errorf("synth: %s: %w", SurveysXLSXFile, err)
	}
	if err := writeFile(dir, SurveysXLSXFile, b); err != nil {
		return sum, err
	}
	sf := ExportFile{Name: SurveysXLSXFile, Kind: civicscore.KindSurveys, Rows: int64(len(resp)), Bytes: int64(len(b)),
		Shape: "as an online survey platform exports it: numbered Chinese question headers (config mapping), phone numbers (personal: hashed at ingest), Excel date cells, durations like `125秒`, answers as text (非常满意..非常不满意, 不了解) or digits; speeders, repeat respondents, one answer out of range"}
	for _, r := range resp {
		if r.reject != "" {
			if sf.Rejects == nil {
				sf.Rejects = map[string]int64{}
			}
			sf.Rejects[r.reject]++
		}
	}
	sum.Files = append(sum.Files, sf)

	for _, w := range []struct {
		name, shape string
		text        func(ExportsSummary) string
	}{
		{ConfigFile, "the civicscore config that loads the inputs above by relative paths", exportsConfig},
		{ExpectedRejectsFile, "the rejects ingest must file, per input file and reason, as the generator counted them", expectedRejects},
		{ReadmeFile, "describes each file's shape", exportsReadme},
	} {
		sum.Files = append(sum.Files, ExportFile{Name: w.name, Shape: w.shape})
		text := w.text(sum)
		if err := writeFile(dir, w.name, []byte(text)); err != nil {
			return sum, err
		}
		sum.Files[len(sum.Files)-1].Bytes = int64(len(text))
	}
	return sum, nil
}

// exportCases draws the cases, month by month and community by community,
// shares them among the three case files (each sorted by reported time) and
// puts the bad rows into cases_part1.csv.
func (p *plan) exportCases(r *rng) ([3][]*exportCase, error) {
	counts := p.counts(r, exportCases, func(m int, c *community) float64 {
		return float64(c.households) * c.caseRate * p.season[m]
	})
	var files [3][]*exportCase
	var times []int64
	seq := [3]int{}
	nc := len(p.comms)
	for m := range p.months {
		for ci := range p.comms {
			c := &p.comms[ci]
			times = times[:0]
			for range counts[m*nc+ci] {
				times = append(times, p.dayHour(r, m, &caseHours, 0.8))
			}
			slices.Sort(times)
			for _, rep := range times {
				ec := p.exportCase(r, c, rep)
				switch u := r.float(); {
				case u < 0.45:
					ec.file = inPart1
				case u < 0.85:
					ec.file = inPart2
				default:
					ec.file = inOpen311
				}
				seq[ec.file]++
				if ec.file == inOpen311 {
					ec.id = "RX" + strconv.Itoa(p.year) + string(appendPadded(nil, int64(seq[ec.file]), 5))
				} else {
					// part1 and part2 share the platform's id series
					ec.id = "GD" + string(appendPadded(nil, int64(seq[inPart1]+seq[inPart2]), 7))
				}
				files[ec.file] = append(files[ec.file], ec)
			}
		}
	}
	for i := range files {
		slices.SortStableFunc(files[i], func(a, b *exportCase) int { return int(a.reported - b.reported) })
	}
	var err error
	files[inPart1], err = p.spoil(files[inPart1])
	return files, err
}

// spoil gives six rows of part1 one defect each and writes one case twice
// (an earlier version, then the one that wins), returning the new rows.
func (p *plan) spoil(rows []*exportCase) ([]*exportCase, error) {
	n := len(rows)
	if n < 40 {
		return nil, fmt.Errorf("%s: %d cases, too few to spoil six", CasesPart1File, n)
	}
	at := func(k int) *exportCase { return rows[n*(k+1)/8] }
	for k, defect := range []string{ReasonClosedBeforeReported, ReasonUnknownCommunity, ReasonBadTimestamp, ReasonMissingRequired, ReasonBadEnum} {
		c := at(k)
		c.defect = defect
		if defect == ReasonClosedBeforeReported {
			c.closed = c.reported - secPerHour - int64(c.reported%(40*secPerHour))
			c.first, c.updated = -1, -1
		}
	}
	// The duplicate: a closed case written first without, then with its
	// callback; the earlier row is rejected and the later one loaded.
	k := n * 6 / 8
	for k < n && (rows[k].open() || rows[k].defect != "") {
		k++
	}
	if k == n {
		return nil, fmt.Errorf("%s: no closed case after row %d to write twice", CasesPart1File, n*6/8)
	}
	first := rows[k]
	later := *first
	later.updated = min(first.closed+2*secPerHour, p.end-60)
	later.sat = 0
	first.defect = ReasonDuplicateInFile
	first.sat, first.contacted, first.resolved = -1, -1, -1
	j := min(k+5, n)
	return slices.Insert(rows, j, &later), nil
}

// exportCase draws one valid case of community c reported at rep.
func (p *plan) exportCase(r *rng, c *community, rep int64) *exportCase {
	ec := &exportCase{comm: c, reported: rep, first: -1, closed: -1, updated: -1, sat: -1, contacted: -1, resolved: -1}
	ec.cat = c.catTable.draw(r)
	k := &categories[ec.cat]
	ec.src = c.srcTable.draw(r)
	if r.chance(c.escalation * k.escalate) {
		ec.level = 1 + levelTable.draw(r)
	}
	hours := clamp(r.lognormal(k.median*c.speed*levelFactor[ec.level], 0.85), 0.2, 60*24)
	closed := rep + int64(hours*secPerHour)
	if closed < p.end && !r.chance(0.04+c.stuck) {
		ec.closed = closed
	}
	if !r.chance(0.08) {
		first := rep + 60 + int64(r.lognormal(2.5*c.respSpeed*sourceResponse[ec.src], 0.9)*secPerHour)
		if !ec.open() && first > ec.closed {
			first = rep + (ec.closed-rep)/3
		}
		if first < p.end {
			ec.first = first
		}
	}
	ec.due = rep + k.sla*secPerHour
	ec.writeDue = r.chance(0.7)
	onTime := !ec.open() && ec.closed <= ec.due
	reopenP := 0.07
	if onTime {
		reopenP = 0.02
	}
	ec.reopened = r.chance(reopenP)
	if !ec.open() && (ec.src == srcHotline || ec.src == srcApp) && r.chance(0.6) {
		s := 0.8*c.z + r.norm()
		if onTime {
			s += 0.7
		} else {
			s -= 0.9
		}
		switch {
		case s > 0:
			ec.sat = 0
		case s > -1.3:
			ec.sat = 1
		default:
			ec.sat = 2
		}
		if ec.src == srcHotline {
			ec.contacted = b2i(r.chance(contactedBySat[ec.sat]))
			ec.resolved = b2i(r.chance(resolvedBySat[ec.sat]))
		}
	}
	ec.grid = "G" + string(appendPadded(nil, int64(1+r.intn(c.grids)), 3))
	return ec
}

// exportUpdates returns later versions of up to exportUpdates valid open
// cases of part1 and part2 reported at least three days before the end:
// closed before the end, with updated_at after the closing.
func (p *plan) exportUpdates(files [3][]*exportCase) []*exportCase {
	var out []*exportCase
	ids := map[string]int{} // how often a case_id occurs in part1 (the duplicate twice)
	for _, c := range files[inPart1] {
		ids[c.id]++
	}
	for _, f := range []int{inPart1, inPart2} {
		for _, c := range files[f] {
			if len(out) == exportUpdates {
				return out
			}
			if !c.open() || c.defect != "" || ids[c.id] > 1 || c.reported > p.end-3*secPerDay {
				continue
			}
			u := *c
			span := p.end - 2*secPerHour - c.reported
			u.closed = c.reported + 2*secPerHour + (c.reported*7919)%(min(span, 20*secPerDay)-2*secPerHour)
			if u.first < 0 || u.first > u.closed {
				u.first = c.reported + (u.closed-c.reported)/4
			}
			u.updated = min(u.closed+3*secPerHour, p.end-60)
			u.file = f
			out = append(out, &u)
		}
	}
	return out
}

// exportServices writes services.csv: exportServices valid records.
func (p *plan) exportServices(r *rng) []byte {
	counts := p.counts(r, exportServices, func(m int, c *community) float64 {
		return float64(c.population) * c.serviceRate
	})
	b := headerLine(ServicesHeader)
	var days []int64
	row := int64(0)
	nc := len(p.comms)
	for m := range p.months {
		ms := p.monthStart[m]
		nd := int((p.monthStart[m+1] - ms) / secPerDay)
		for ci := range p.comms {
			c := &p.comms[ci]
			days = days[:0]
			for range counts[m*nc+ci] {
				days = append(days, ms+int64(r.intn(nd))*secPerDay)
			}
			slices.Sort(days)
			for _, day := range days {
				row++
				typ := c.typeTable.draw(r)
				target := targetTables[typ].draw(r)
				prov := c.provTable.draw(r)
				recipients := int(clamp(math.Round(r.lognormal(serviceRecipients[typ], 0.7)), 1, 40))
				tenths := int(clamp(math.Round(10*r.lognormal(serviceHours[typ], 0.5)), 5, 80))
				b = appendServiceRow(b, row, 6, c.id, day, serviceTypes[typ], target, prov, recipients, tenths)
			}
		}
	}
	return b
}

// exportResponse is one survey response of the exports.
type exportResponse struct {
	comm   *community
	month  int
	at     int64
	phone  string // "" when the respondent left it empty
	ip     string
	dur    int    // seconds
	ans    [8]int // 1..5, 0 no answer, 6 the out-of-range answer
	digits bool   // answers written as digits, not words
	age    int
	female bool
	// reject is the reason ingest must reject the response, "" for none.
	reject string
}

// exportResponses draws the survey responses, sorted by submission, and
// marks the speeders, the repeated respondents and the out-of-range answer.
func (p *plan) exportResponses(r *rng) []*exportResponse {
	counts := p.counts(r, exportSurveys, func(m int, c *community) float64 {
		return math.Sqrt(float64(c.households))
	})
	var out []*exportResponse
	nc := len(p.comms)
	for m := range p.months {
		for ci := range p.comms {
			c := &p.comms[ci]
			// phones of the month are distinct: a walk through the
			// community's pool with a stride coprime to its size
			const pool = 300
			walk, stride := int64(r.intn(pool)), coprimeStride(r, pool)
			for range counts[m*nc+ci] {
				x := &exportResponse{comm: c, month: m, at: p.dayHour(r, m, &surveyHours, 1.1)}
				if !r.chance(0.1) {
					x.phone = "1390000" + string(appendPadded(nil, int64(c.idx*pool)+walk, 4))
					walk = (walk + stride) % pool
				}
				x.ip = "203.0.113." + strconv.Itoa(1+r.intn(254)) + "(安徽-合肥)"
				x.dur = int(clamp(r.lognormal(150, 0.5), 35, 1800))
				x.female = r.chance(0.54)
				x.age = r.intn(3)
				mood := c.surveyMean + r.norm()
				x.ans[0] = likert(mood + 0.4*r.norm())
				for j := 1; j < len(x.ans); j++ {
					x.ans[j] = likert(mood + c.itemOff[j] + 0.7*r.norm())
				}
				for j := range x.ans {
					if r.chance(itemEmpty[j]) {
						x.ans[j] = 0
					}
				}
				x.digits = r.chance(0.3)
				out = append(out, x)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *exportResponse) int { return int(a.at - b.at) })
	for i, x := range out {
		if i%speederEvery == speederEvery/2 {
			x.dur = 8 + i%20
			x.reject = ReasonSpeeder
		}
	}
	// The out-of-range answer, in a response that is not a speeder.
	k := len(out) / 2
	for k < len(out)-1 && out[k].reject != "" {
		k++
	}
	out[k].ans[2] = 6
	out[k].reject = ReasonBadEnum
	// Repeat respondents: in the first community-months (by their first
	// response) with two valid responses that carry a phone, the earlier
	// takes the later one's phone and is excluded.
	type cell struct{ comm, month int }
	groups := map[cell][]*exportResponse{}
	var order []cell
	for _, x := range out {
		if x.reject != "" || x.phone == "" {
			continue
		}
		g := cell{x.comm.idx, x.month}
		if groups[g] == nil {
			order = append(order, g)
		}
		groups[g] = append(groups[g], x)
	}
	made := 0
	for _, g := range order {
		if made == exportRepeats {
			break
		}
		if xs := groups[g]; len(xs) >= 2 && xs[0].at < xs[len(xs)-1].at {
			xs[0].phone = xs[len(xs)-1].phone
			xs[0].reject = ReasonDuplicateRespondent
			made++
		}
	}
	return out
}

// writeFile writes b to dir/name through a temporary name.
func writeFile(dir, name string, b []byte) error {
	path := filepath.Join(dir, name)
	tmp := path + ".tmp"
	err := os.WriteFile(tmp, b, 0o644)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	return nil
}
