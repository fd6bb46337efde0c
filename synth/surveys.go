package synth

import (
	"math"
	"slices"
	"strconv"
)

// surveyDefects lists the kinds of bad survey rows.
var surveyDefects = []string{ReasonBadEnum} // q_overall 7

// Survey timing: residents answer in the evening more than at work.
var surveyHours = newTable256([]float64{
	0.3, 0.15, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.2, 1.6, 1.8, 1.6,
	1.6, 1.4, 1.5, 1.6, 1.6, 1.7, 2.0, 2.6, 3.0, 2.8, 1.8, 0.8,
})

var (
	channelYoungTable = newTable256(channelYoung)
	channelOldTable   = newTable256(channelOld)
)

// Survey behaviour.
const (
	repeatShare      = 0.04  // answers again, later the same month, as the previous respondent
	speederShare     = 0.046 // of online responses: clicked through in under 30 s
	straightLineRate = 0.03  // all items the same answer
	burstShare       = 0.2   // community-months with a burst from one IP
	anonymousPaper   = 0.6   // paper responses without a respondent token
)

// respondent is who answered the previous response of a community-month.
type respondent struct {
	ok     bool // has a respondent token
	age    int
	female bool
	ch     int
	resp   int64
	ip     int
}

// likert maps a latent judgement to 1..5.
func likert(x float64) int {
	switch {
	case x < -1.3:
		return 1
	case x < -0.5:
		return 2
	case x < 0.3:
		return 3
	case x < 1.2:
		return 4
	}
	return 5
}

func writeSurveys(dir string, p *plan) (result, error) {
	res := result{file: FileSummary{Name: SurveysFile}}
	o, err := create(dir, SurveysFile)
	if err != nil {
		return res, err
	}
	r := newRNG(p.seed, streamSurveys)
	total := p.spec.surveysPerMonth * int64(p.months)
	counts := p.counts(r, total, func(m int, c *community) float64 {
		// survey quotas grow slower than the community
		return math.Sqrt(float64(c.households))
	})
	width := max(7, digits(total))

	o.write(headerLine(SurveysHeader))
	var (
		b     = make([]byte, 0, 256)
		times []int64
		row   int64
		bad   = make(map[string]int64)
		seen  = make(map[int64]struct{})
		ans   [8]int
	)
	nc := len(p.comms)
	for m := range p.months {
		for ci := range p.comms {
			c := &p.comms[ci]
			n := int(counts[m*nc+ci])
			times = times[:0]
			for range n {
				times = append(times, p.dayHour(r, m, &surveyHours, 1.1))
			}
			// a burst: several responses from one IP within one hour
			burstFrom, burstTo := int64(-1), int64(-1)
			if n >= 20 && r.chance(burstShare) {
				burstFrom = p.dayHour(r, m, &surveyHours, 1) / secPerHour * secPerHour
				burstTo = burstFrom + secPerHour
				k := r.between(6, 9)
				for j := range k {
					times[n-1-j] = burstFrom + int64(r.intn(secPerHour))
				}
			}
			slices.Sort(times)
			clear(seen)
			prev := respondent{}
			// new respondents of the month are distinct: walk the pool with a
			// random start and a stride coprime to its size
			walk, stride := int64(r.intn(c.respondentPool)), coprimeStride(r, c.respondentPool)
			for _, t := range times {
				kind := badKind(row, len(surveyDefects))
				row++

				var (
					age    int
					female bool
					ch     int
					resp   = int64(-1)
					ip     = -1
				)
				if prev.ok && r.chance(repeatShare) {
					// the previous respondent again, same device
					age, female, ch, resp, ip = prev.age, prev.female, prev.ch, prev.resp, prev.ip
				} else {
					female = r.chance(0.54)
					if r.chance(clamp(c.elderShare*1.4, 0.1, 0.6)) {
						age = 2
						ch = channelOldTable.draw(r)
					} else {
						age = b2i(r.chance(0.6))
						ch = channelYoungTable.draw(r)
					}
					if ch != chPaper || !r.chance(anonymousPaper) {
						resp = c.respondentBase + walk
						walk = (walk + stride) % int64(c.respondentPool)
					}
					if ch == chOnline || ch == chDoor { // paper and phone leave no IP
						ip = r.intn(c.ipPool)
					}
				}
				if ip >= 0 && t >= burstFrom && t < burstTo {
					ip = c.ipPool // the burst's shared address
				}
				prev = respondent{ok: resp >= 0, age: age, female: female, ch: ch, resp: resp, ip: ip}
				old := age == 2

				dur := -1
				switch ch {
				case chOnline:
					if r.chance(speederShare) {
						dur = r.between(8, 29)
					} else {
						dur = int(r.lognormal(140, 0.5))
					}
				case chPhone:
					dur = int(r.lognormal(240, 0.4))
				case chDoor:
					dur = int(r.lognormal(320, 0.45))
				}
				speeder := dur >= 0 && dur < 30

				// answers: one judgement of the community, items around it
				mood := c.surveyMean + r.norm()
				if old {
					mood += 0.25
				}
				ans[0] = likert(mood + 0.4*r.norm())
				for j := 1; j < len(ans); j++ {
					ans[j] = likert(mood + c.itemOff[j] + 0.7*r.norm())
				}
				if r.chance(straightLineRate) {
					for j := range ans {
						ans[j] = ans[0]
					}
				} else {
					for j := range ans {
						if r.chance(itemEmpty[j]) {
							ans[j] = 0
						}
					}
				}

				if kind >= 0 {
					bad[surveyDefects[kind]]++
					ans[0] = 7
				} else {
					if speeder {
						res.speeders++
					} else if resp >= 0 {
						if _, dup := seen[resp]; dup {
							res.repeats++
						} else {
							seen[resp] = struct{}{}
						}
					}
				}

				b = b[:0]
				b = append(b, 'W', 'J')
				b = appendPadded(b, row, width)
				b = append(b, ',')
				b = append(b, c.id...)
				b = append(b, ',')
				b = appendTS(b, t)
				b = append(b, ',')
				if resp >= 0 {
					b = append(b, 'R')
					b = appendPadded(b, resp, p.respWidth)
				}
				b = append(b, ',')
				b = append(b, channels[ch]...)
				b = append(b, ',')
				if dur >= 0 {
					b = strconv.AppendInt(b, int64(dur), 10)
				}
				b = append(b, ',')
				if ip >= 0 {
					b = appendHex8(b, mix64(c.ipSalt^uint64(ip)))
				}
				for _, a := range ans {
					b = append(b, ',')
					if a > 0 {
						b = append(b, byte('0'+a))
					}
				}
				b = append(b, ',')
				b = append(b, ageGroups[age]...)
				b = append(b, ',')
				b = append(b, genders[b2i(female)]...)
				b = append(b, '\n')
				o.write(b)
			}
		}
	}
	if err := o.commit(); err != nil {
		return res, err
	}
	res.file.Rows, res.file.Bytes = row, o.n
	for _, v := range bad {
		res.file.Bad += v
	}
	if res.file.Bad > 0 {
		res.file.BadByReason = bad
	}
	return res, nil
}

// coprimeStride returns a random stride in [1, n) coprime with n (1 for n < 3).
func coprimeStride(r *rng, n int) int64 {
	if n < 3 {
		return 1
	}
	for {
		s := 1 + r.intn(n-1)
		a, b := s, n
		for b != 0 {
			a, b = b, a%b
		}
		if a == 1 {
			return int64(s)
		}
	}
}

const hexDigits = "0123456789abcdef"

// appendHex8 appends the low 32 bits of v as 8 hex digits: an opaque token.
func appendHex8(b []byte, v uint64) []byte {
	for s := 28; s >= 0; s -= 4 {
		b = append(b, hexDigits[(v>>uint(s))&0xf])
	}
	return b
}
