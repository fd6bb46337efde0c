package synth

import (
	"math"
	"slices"
	"strconv"
)

// serviceDefects lists the kinds of bad service rows.
var serviceDefects = []string{ReasonBadEnum} // service_type "bogus"

var targetTables = func() []table256 {
	t := make([]table256, len(targetMix))
	for i, w := range targetMix {
		t[i] = newTable256(w)
	}
	return t
}()

func writeServices(dir string, p *plan) (result, error) {
	res := result{file: FileSummary{Name: ServicesFile}}
	o, err := create(dir, ServicesFile)
	if err != nil {
		return res, err
	}
	r := newRNG(p.seed, streamServices)
	total := p.spec.servicesPerMonth * int64(p.months)
	counts := p.counts(r, total, func(m int, c *community) float64 {
		// a little more activity in the warm months, and around festivals
		return float64(c.population) * c.serviceRate * (0.8 + 0.2*p.season[m])
	})
	width := max(6, digits(total))

	o.write(headerLine(ServicesHeader))
	var (
		b    = make([]byte, 0, 256)
		days []int64
		row  int64
		bad  = make(map[string]int64)
	)
	nc := len(p.comms)
	for m := range p.months {
		ms := p.monthStart[m]
		nd := int((p.monthStart[m+1] - ms) / secPerDay)
		for ci := range p.comms {
			c := &p.comms[ci]
			n := int(counts[m*nc+ci])
			days = days[:0]
			for range n {
				days = append(days, ms+int64(r.intn(nd))*secPerDay)
			}
			slices.Sort(days)
			for _, day := range days {
				kind := badKind(row, len(serviceDefects))
				row++
				typ := c.typeTable.draw(r)
				target := targetTables[typ].draw(r)
				prov := c.provTable.draw(r)
				recipients := int(clamp(math.Round(r.lognormal(serviceRecipients[typ], 0.7)), 1, 40))
				tenths := int(clamp(math.Round(10*r.lognormal(serviceHours[typ], 0.5)), 5, 80))

				typeText := serviceTypes[typ]
				if kind >= 0 {
					bad[serviceDefects[kind]]++
					typeText = "bogus"
				}
				b = appendServiceRow(b[:0], row, width, c.id, day, typeText, target, prov, recipients, tenths)
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

// appendServiceRow appends one canonical services row (service_id,
// community_id, service_date, service_type, target_group, provider_type,
// recipients, hours) and its line end; typeText is the service type as
// written, a bad one included.
func appendServiceRow(b []byte, row int64, width int, community string, day int64, typeText string, target, prov, recipients, tenths int) []byte {
	b = append(b, 'S', 'V')
	b = appendPadded(b, row, width)
	b = append(b, ',')
	b = append(b, community...)
	b = append(b, ',')
	b = appendDate(b, day)
	b = append(b, ',')
	b = append(b, typeText...)
	b = append(b, ',')
	b = append(b, targetGroups[target]...)
	b = append(b, ',')
	b = append(b, providerTypes[prov]...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(recipients), 10)
	b = append(b, ',')
	b = appendTenths(b, tenths)
	return append(b, '\n')
}
