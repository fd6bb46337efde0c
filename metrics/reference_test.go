package metrics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicscore/civicscore"
)

// TestCasesAgainstReference generates random cases (with NULLs in every
// optional column) and checks every case and 12345 indicator of every unit
// and period against a plain Go implementation of the spec, written
// without SQL: as_of, the cohort, the closed/pending rules, pooling by
// level and period, quantile_cont and suppression.
func TestCasesAgainstReference(t *testing.T) {
	db := openDB(t)
	seedCommunities(t, db)
	type refCase struct {
		comm                        string
		reported                    time.Time
		fr, due, closed, updated    *time.Time
		level                       string
		sat                         *string
		contacted, resolved, reopen *bool
	}
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)
	opt := func(p float64, v time.Time) *time.Time {
		if rng.Float64() < p {
			return &v
		}
		return nil
	}
	optB := func() *bool {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			b := true
			return &b
		}
		b := false
		return &b
	}
	comms := []string{"c1", "c2", "c3", "c4"}
	sats := []string{"satisfied", "basically_satisfied", "dissatisfied"}
	var cases []refCase
	for range 600 {
		rep := start.Add(time.Duration(rng.IntN(180*24*60)) * time.Minute)
		c := refCase{
			comm:     comms[rng.IntN(3)], // c4 stays empty
			reported: rep,
			level:    string(civicscore.ResolutionLevels[rng.IntN(5)]),
		}
		c.fr = opt(0.7, rep.Add(time.Duration(rng.IntN(3000)-200)*time.Minute))
		c.due = opt(0.9, rep.Add(time.Duration(rng.IntN(20*24))*time.Hour))
		c.closed = opt(0.8, rep.Add(time.Duration(rng.IntN(30*24*60))*time.Minute))
		c.updated = opt(0.1, rep.Add(time.Duration(rng.IntN(40*24))*time.Hour))
		if rng.IntN(4) > 0 {
			s := sats[rng.IntN(3)]
			c.sat = &s
		}
		c.contacted, c.resolved, c.reopen = optB(), optB(), optB()
		cases = append(cases, c)
	}
	// Insert in one statement of bound values (strings for timestamps, so
	// they are stored as the same wall-clock times).
	ts := func(p *time.Time) any {
		if p == nil {
			return nil
		}
		return p.Format(time.DateTime)
	}
	bp := func(p *bool) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var sb strings.Builder
	var args []any
	sb.WriteString(`INSERT INTO cases (case_id, community_id, category, reported_at, first_response_at, due_at,
		closed_at, updated_at, resolution_level, callback_satisfaction, callback_contacted, callback_resolved, reopened) VALUES `)
	for i, c := range cases {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, 'x', ?::TIMESTAMP, ?::TIMESTAMP, ?::TIMESTAMP, ?::TIMESTAMP, ?::TIMESTAMP, ?, ?, ?, ?, ?)")
		var sat any
		if c.sat != nil {
			sat = *c.sat
		}
		args = append(args, fmt.Sprint(i), c.comm, c.reported.Format(time.DateTime), ts(c.fr), ts(c.due),
			ts(c.closed), ts(c.updated), c.level, sat, bp(c.contacted), bp(c.resolved), bp(c.reopen))
	}
	if _, err := db.ExecContext(context.Background(), sb.String(), args...); err != nil {
		t.Fatal(err)
	}
	const minN = 5
	// as_of: the latest reported_at, first_response_at, closed_at or updated_at.
	var derived time.Time
	for _, c := range cases {
		for _, p := range []*time.Time{&c.reported, c.fr, c.closed, c.updated} {
			if p != nil && p.After(derived) {
				derived = *p
			}
		}
	}
	checkReference := func(t *testing.T, asOf time.Time) {
		street := map[string]string{"c1": "s1", "c2": "s1", "c3": "s2", "c4": "s3"}
		district := map[string]string{"c1": "d1", "c2": "d1", "c3": "d1", "c4": "d2"}
		type acc struct {
			cases, closed, onTime, assessed, escalated, reopened  float64
			levels                                                map[string]float64
			callback, callbackSat, closedCallback, verdict, unres float64
			contacted, resolved, satisfied, basically             float64
			resolution, firstResponse                             []float64
		}
		accs := map[key]*acc{}
		periods := map[[2]string]bool{}
		get := func(pt, p, level, unit string) *acc {
			k := key{pt, p, level, unit, ""}
			if accs[k] == nil {
				accs[k] = &acc{levels: map[string]float64{}}
			}
			return accs[k]
		}
		b2f := func(b bool) float64 {
			if b {
				return 1
			}
			return 0
		}
		for _, c := range cases {
			if c.reported.After(asOf) {
				continue
			}
			closed := c.closed != nil && !c.closed.After(asOf)
			overdue := !closed && c.due != nil && !c.due.After(asOf)
			hasCB := c.sat != nil
			ps := [][2]string{
				{"month", c.reported.Format("2006-01")},
				{"quarter", civicscore.PeriodOf(civicscore.Quarter, c.reported).Label},
				{"year", c.reported.Format("2006")},
			}
			for _, p := range ps {
				periods[p] = true
				for _, u := range [][2]string{{"community", c.comm}, {"street", street[c.comm]}, {"district", district[c.comm]}} {
					a := get(p[0], p[1], u[0], u[1])
					a.cases++
					a.closed += b2f(closed)
					a.onTime += b2f(closed && c.due != nil && !c.closed.After(*c.due))
					a.assessed += b2f(closed || overdue)
					a.escalated += b2f(c.level != "community")
					a.levels[c.level]++
					a.reopened += b2f(c.reopen != nil && *c.reopen)
					a.callback += b2f(hasCB)
					a.callbackSat += b2f(hasCB && *c.sat != "dissatisfied")
					a.closedCallback += b2f(closed && hasCB)
					a.verdict += b2f(closed && hasCB && c.resolved != nil)
					a.unres += b2f(closed && hasCB && c.resolved != nil && !*c.resolved)
					a.contacted += b2f(hasCB && c.contacted != nil && *c.contacted)
					a.resolved += b2f(hasCB && c.resolved != nil && *c.resolved)
					a.satisfied += b2f(hasCB && *c.sat == "satisfied")
					a.basically += b2f(hasCB && *c.sat == "basically_satisfied")
					if closed {
						a.resolution = append(a.resolution, c.closed.Sub(c.reported).Hours())
					}
					if c.fr != nil && !c.fr.Before(c.reported) {
						a.firstResponse = append(a.firstResponse, c.fr.Sub(c.reported).Hours())
					}
				}
			}
		}
		quantile := func(xs []float64, q float64) float64 {
			if len(xs) == 0 {
				return null
			}
			xs = slices.Sorted(slices.Values(xs))
			pos := q * float64(len(xs)-1)
			lo := math.Floor(pos)
			if int(lo)+1 >= len(xs) {
				return xs[int(lo)]
			}
			return xs[int(lo)] + (pos-lo)*(xs[int(lo)+1]-xs[int(lo)])
		}
		prop := func(k key, x, n float64) want {
			if n < minN {
				return want{k, null, x, n, true}
			}
			return want{k, x / n, x, n, false}
		}
		est := func(k key, v, n float64) want {
			if n < minN {
				return want{k, null, null, n, true}
			}
			return want{k, v, null, n, false}
		}
		units := [][2]string{{"community", "c1"}, {"community", "c2"}, {"community", "c3"}, {"community", "c4"},
			{"street", "s1"}, {"street", "s2"}, {"street", "s3"}, {"district", "d1"}, {"district", "d2"}}
		households := map[string]float64{"c1": 100, "c2": 900, "c3": 500, "c4": 50, "s1": 1000, "s2": 500, "s3": 50, "d1": 1500, "d2": 50}
		var wants []want
		for p := range periods {
			for _, u := range units {
				a := get(p[0], p[1], u[0], u[1])
				k := func(ind string) key { return key{p[0], p[1], u[0], u[1], ind} }
				wants = append(wants,
					want{k("case_volume"), a.cases, a.cases, null, false},
					want{k("cases_per_1000_households"), a.cases / households[u[1]] * 1000, a.cases, households[u[1]], false},
					prop(k("on_time_rate"), a.onTime, a.assessed),
					prop(k("escalation_share"), a.escalated, a.cases),
					prop(k("callback_satisfaction_rate"), a.callbackSat, a.callback),
					prop(k("reopen_rate"), a.reopened, a.cases),
					prop(k("callback_coverage"), a.closedCallback, a.closed),
					prop(k("closure_gap"), a.unres, a.verdict),
					est(k("median_resolution_hours"), quantile(a.resolution, 0.5), float64(len(a.resolution))),
					est(k("p90_resolution_hours"), quantile(a.resolution, 0.9), float64(len(a.resolution))),
					est(k("median_first_response_hours"), quantile(a.firstResponse, 0.5), float64(len(a.firstResponse))),
					prop(k("response_rate_12345"), a.contacted, a.callback),
					prop(k("resolution_rate_12345"), a.resolved, a.callback),
					prop(k("satisfaction_rate_12345"), a.satisfied+0.9*a.basically, a.callback),
					est(k("three_rates_score"), 100*(0.1*a.contacted+0.5*a.resolved+0.4*(a.satisfied+0.9*a.basically))/a.callback, a.callback),
				)
				for _, l := range civicscore.ResolutionLevels {
					wants = append(wants, prop(k("level_share."+string(l)), a.levels[string(l)], a.cases))
				}
			}
		}
		// overdue_open: open at as_of and past due, whatever the month, under
		// the month, quarter and year of as_of.
		overdue := map[string]float64{}
		for _, c := range cases {
			if !c.reported.After(asOf) && (c.closed == nil || c.closed.After(asOf)) && c.due != nil && !c.due.After(asOf) {
				overdue[c.comm]++
				overdue[street[c.comm]]++
				overdue[district[c.comm]]++
			}
		}
		for _, pt := range []civicscore.PeriodType{civicscore.Month, civicscore.Quarter, civicscore.Year} {
			for _, u := range units {
				n := overdue[u[1]]
				wants = append(wants, want{key{string(pt), civicscore.PeriodOf(pt, asOf).Label, u[0], u[1], "overdue_open"}, n, n, null, false})
			}
		}
		checkWants(t, db, wants)
		// Nothing else of the case family (the standardised rates have
		// their own tests, casemix_test.go).
		if n := count(t, db, `SELECT count(*) FROM indicator_values v JOIN indicators i USING (indicator)
			WHERE i.family IN ('cases', 'three_rates') AND indicator NOT LIKE '%.standardised'`); n != int64(len(wants)) {
			t.Errorf("%d case rows, want %d", n, len(wants))
		}
		t.Logf("%d periods, %d rows checked", len(periods), len(wants))
	}
	for _, explicit := range []time.Time{{}, time.Date(2025, 3, 15, 12, 0, 0, 0, time.UTC)} {
		s := compute(t, db, Options{MinN: minN, AsOf: explicit})
		asOf := derived
		if !explicit.IsZero() {
			asOf = explicit
		}
		if !s.AsOf.Equal(asOf) {
			t.Fatalf("as_of %v, want %v", s.AsOf, asOf)
		}
		checkReference(t, asOf)
	}
}
