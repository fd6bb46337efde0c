package metrics

import (
	"database/sql"
	"syscall"
	"testing"
	"time"
)

// cityCell is a district × period as at city scale: 40 communities, four
// components with posteriors of a few hundred observations, and the score
// made of all four.
func cityCell(tb testing.TB) *rankCell {
	tb.Helper()
	var in []rankInputRow
	f := func(v float64) sql.NullFloat64 { return sql.NullFloat64{Float64: v, Valid: true} }
	const k = 40
	for c := int64(1); c <= 4; c++ {
		for u := int64(1); u <= k; u++ {
			x := 150 + float64((u*7+c*3)%40)
			n := 200.0
			a, b := x+30, n-x+10
			in = append(in, rankInputRow{periodKey: 1, districtNo: 1, indNo: c, unitNo: u, rowKey: c*1000 + u,
				lowerBetter: c == 2, a: f(a), b: f(b), mean: f(a / (a + b)), vr: f(a * b / ((a + b) * (a + b) * (a + b + 1)))})
		}
	}
	for u := int64(1); u <= k; u++ {
		for c := int64(1); c <= 4; c++ {
			in = append(in, rankInputRow{periodKey: 1, districtNo: 1, indNo: 9, unitNo: u, rowKey: 9000 + u,
				mean: f(70), vr: f(4), w: f(0.25), flip: c == 2, partInd: sql.NullInt64{Int64: c, Valid: true}})
		}
	}
	cell, err := newRankCell(in)
	if err != nil {
		tb.Fatal(err)
	}
	return cell
}

// BenchmarkRankCell times the simulation of one city-scale district ×
// period (4 components and the score, 40 communities, 10000 draws); the
// city has 153 of them (9 districts × 17 periods). Besides the wall time
// it reports the process's CPU time per op (cpu-ns/op), which other work
// on a shared machine disturbs less.
func BenchmarkRankCell(b *testing.B) {
	cell := cityCell(b)
	b.ResetTimer()
	start := cpuTime()
	for range b.N {
		cell.simulate(10000)
	}
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime is the user + system CPU time of the process so far (zero if
// the system will not say).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
