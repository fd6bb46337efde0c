package synth

import (
	"math"
	"slices"
)

// Deliberately bad rows: one row in badEvery, at offset badOffset in each
// block, is made bad with one defect; the kinds take turns, so even the demo
// data set has one of each.
const (
	badEvery  = 500
	badOffset = 250
)

// Reject reason codes (docs/inputs.md) that the deliberately bad rows
// should get; they are the keys of FileSummary.BadByReason.
const (
	// ReasonClosedBeforeReported: a case with closed_at before reported_at.
	ReasonClosedBeforeReported = "closed_before_reported"
	// ReasonUnknownCommunity: a case whose community_id is not in communities.csv.
	ReasonUnknownCommunity = "unknown_community"
	// ReasonBadTimestamp: a case whose reported_at is impossible (YYYY-02-30 25:61:00).
	ReasonBadTimestamp = "bad_timestamp"
	// ReasonMissingRequired: a case with an empty category.
	ReasonMissingRequired = "missing_required"
	// ReasonBadEnum: a case with resolution_level "unknown", a service with
	// service_type "bogus", or a survey response with q_overall 7.
	ReasonBadEnum = "bad_enum"
	// ReasonDuplicateInFile: a case_id written twice in a row; ingest keeps
	// the later row and rejects the earlier.
	ReasonDuplicateInFile = "duplicate_in_file"
)

// caseDefects lists the kinds of bad case rows, in the order they take turns.
var caseDefects = []string{
	ReasonClosedBeforeReported,
	ReasonUnknownCommunity,
	ReasonBadTimestamp,
	ReasonMissingRequired,
	ReasonBadEnum,
	ReasonDuplicateInFile,
}

// badKind returns the index of the defect of data row i (0-based) among n
// kinds, or -1 for a good row.
func badKind(i int64, n int) int {
	if i%badEvery != badOffset {
		return -1
	}
	return int(i/badEvery) % n
}

// unknownCommunityID is a community id no scale ever generates (city code 99).
const unknownCommunityID = "349999999"

// Hour-of-day profile of reported cases: daytime, with a lunch dip and an
// evening tail (hotline and app reports).
var caseHours = newTable256([]float64{
	0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.2, 2.2, 3.0, 3.2, 2.8,
	1.8, 2.0, 2.8, 3.0, 2.8, 2.2, 1.6, 1.5, 1.4, 1.1, 0.7, 0.45,
})

var levelTable = newTable256(escalatedMix)

var (
	// first-response time multiplier per source: grid workers sign for their
	// own reports at once, hotline orders wait for dispatch
	sourceResponse = [...]float64{0.6, 1.2, 1.0, 0.4}
	satisfaction   = [...]string{"satisfied", "basically_satisfied", "dissatisfied"}
	// share of hotline callbacks saying the office made contact, and that the
	// problem is solved, by the callback's satisfaction
	contactedBySat = [...]float64{0.98, 0.96, 0.85}
	resolvedBySat  = [...]float64{0.97, 0.85, 0.25}
)

func writeCases(dir string, p *plan) (result, error) {
	res := result{file: FileSummary{Name: CasesFile}}
	o, err := create(dir, CasesFile)
	if err != nil {
		return res, err
	}
	r := newRNG(p.seed, streamCases)
	total := p.spec.casesPerMonth * int64(p.months)
	counts := p.counts(r, total, func(m int, c *community) float64 {
		return float64(c.households) * c.caseRate * p.season[m]
	})
	width := max(7, digits(total))
	firstFake := []byte("0000-02-30 25:61:00")
	append4(firstFake[:0], p.year)

	o.write(headerLine(CasesHeader))
	var (
		b     = make([]byte, 0, 512)
		times []int64
		row   int64
		open  int64
		bad   = make(map[string]int64)
	)
	nc := len(p.comms)
	for m := range p.months {
		for ci := range p.comms {
			c := &p.comms[ci]
			n := int(counts[m*nc+ci])
			times = times[:0]
			for range n {
				times = append(times, p.dayHour(r, m, &caseHours, 0.8))
			}
			slices.Sort(times)
			for _, rep := range times {
				kind := badKind(row, len(caseDefects))
				defect := ""
				if kind >= 0 {
					defect = caseDefects[kind]
					bad[defect]++
				}
				seq := row + 1
				if defect == ReasonDuplicateInFile {
					seq = row // the previous row's case_id
				}
				row++
				b = p.caseRow(b[:0], r, c, rep, seq, width, defect, firstFake, &open)
				o.write(b)
			}
		}
	}
	if err := o.commit(); err != nil {
		return res, err
	}
	res.file.Rows, res.file.Bytes, res.open = row, o.n, open
	res.file.BadByReason = bad
	for _, v := range bad {
		res.file.Bad += v
	}
	if res.file.Bad == 0 {
		res.file.BadByReason = nil
	}
	return res, nil
}

// caseRow appends one case row (with its newline) to b.
func (p *plan) caseRow(b []byte, r *rng, c *community, rep, seq int64, width int, defect string, fakeTS []byte, open *int64) []byte {
	cat := c.catTable.draw(r)
	k := &categories[cat]
	src := c.srcTable.draw(r)
	level := 0
	if r.chance(c.escalation * k.escalate) {
		level = 1 + levelTable.draw(r)
	}

	// resolution: lognormal around the community's median for the category
	hours := r.lognormal(k.median*c.speed*levelFactor[level], 0.85)
	hours = clamp(hours, 0.2, 150*24)
	closed := rep + int64(hours*secPerHour)
	ageDays := float64(p.end-rep) / secPerDay
	isOpen := closed >= p.end || r.chance(0.2*math.Exp(-ageDays/20)+c.stuck)
	if defect == ReasonClosedBeforeReported {
		isOpen = false
		closed = rep - secPerHour - int64(r.intn(47*secPerHour))
	}

	// first response: a few hours after the report, never after closure
	first := int64(-1)
	if !r.chance(0.08) {
		med := 2.5 * c.respSpeed * sourceResponse[src]
		first = rep + 60 + int64(r.lognormal(med, 0.9)*secPerHour)
		if !isOpen && defect == "" && first > closed {
			first = rep + int64(float64(closed-rep)*(0.1+0.5*r.float()))
		}
		if first >= p.end {
			first = -1
		}
	}

	due := rep + k.sla*secPerHour
	writeDue := r.chance(0.7)
	onTime := !isOpen && closed <= due

	reopenP := 0.022
	if !onTime {
		reopenP = 0.07
	}
	reopened := r.chance(reopenP)

	// callback: for ~60% of closed hotline and app cases
	sat := -1 // 0 satisfied, 1 basically satisfied, 2 dissatisfied
	contacted, resolved := -1, -1
	if !isOpen && (src == srcHotline || src == srcApp) && r.chance(0.6) {
		s := 0.8*c.z + r.norm()
		if onTime {
			s += 0.7
		} else {
			s -= 0.9
		}
		if reopened {
			s -= 1.2
		}
		if level > 0 {
			s -= 0.25
		}
		switch {
		case s > 0:
			sat = 0
		case s > -1.3:
			sat = 1
		default:
			sat = 2
		}
		if src == srcHotline {
			contacted = b2i(r.chance(contactedBySat[sat]))
			resolved = b2i(r.chance(resolvedBySat[sat]))
		}
	}

	updated := int64(-1)
	if !isOpen && defect == "" && r.chance(0.04) {
		updated = closed + secPerHour + int64(r.intn(95*secPerHour))
		if updated >= p.end {
			updated = -1
		}
	}
	if isOpen {
		*open++
	}

	// case_id
	b = append(b, 'G', 'D')
	b = appendPadded(b, seq, width)
	b = append(b, ',')
	if defect == ReasonUnknownCommunity {
		b = append(b, unknownCommunityID...)
	} else {
		b = append(b, c.id...)
	}
	b = append(b, ',', 'G')
	b = appendPadded(b, int64(1+r.intn(c.grids)), 3)
	b = append(b, ',')
	b = append(b, sources[src]...)
	b = append(b, ',')
	if defect != ReasonMissingRequired {
		b = append(b, k.name...)
	}
	b = append(b, ',')
	if defect == ReasonBadTimestamp {
		b = append(b, fakeTS...)
	} else {
		b = appendTS(b, rep)
	}
	b = append(b, ',')
	if first >= 0 {
		b = appendTS(b, first)
	}
	b = append(b, ',')
	if writeDue {
		b = appendTS(b, due)
	}
	b = append(b, ',')
	if !isOpen {
		b = appendTS(b, closed)
	}
	b = append(b, ',')
	if defect == ReasonBadEnum {
		b = append(b, "unknown"...)
	} else {
		b = append(b, levels[level]...)
	}
	b = append(b, ',')
	if sat >= 0 {
		b = append(b, satisfaction[sat]...)
	}
	b = append(b, ',')
	b = appendBool(b, contacted)
	b = append(b, ',')
	b = appendBool(b, resolved)
	b = append(b, ',')
	b = appendBool(b, b2i(reopened))
	b = append(b, ',')
	if updated >= 0 {
		b = appendTS(b, updated)
	}
	return append(b, '\n')
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

// appendBool appends true/false, or nothing for -1.
func appendBool(b []byte, v int) []byte {
	switch v {
	case 0:
		return append(b, "false"...)
	case 1:
		return append(b, "true"...)
	}
	return b
}
