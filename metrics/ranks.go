package metrics

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ranksFile prepares the ranked units, their posteriors, expected ranks and
// rankability (sql/ranks.sql); Compute then runs simulateRanks, which
// writes rank_intervals through ranksWriteFile.
const (
	ranksFile      = "ranks.sql"
	ranksWriteFile = "ranks_write.sql"
)

// rankGroup is one ranking: the K communities of a district × period
// ranked on one indicator.
type rankGroup struct {
	indNo       int64
	lowerBetter bool
	// fixed: every posterior is the common m (τ² <= 0): no simulation,
	// the interval is 1–K.
	fixed   bool
	rowKeys []int64
	unitNos []int64
	// beta samples each unit's component posterior (components only).
	beta []betaShape
	// mean is each unit's posterior mean (the value of a fixed unit), and
	// vars its posterior variance (for the expected rank).
	mean, vars []float64
	// parts are each unit's score components (resident_score only).
	parts [][]scorePart
	// theta holds rankBatch rounds of draws, K values each, and masks
	// their tie-breaking random numbers.
	theta []float64
	masks []uint64
	// order lists the units by posterior mean, best first (ties by
	// index): each draw's sort keys are laid out in this order, close to
	// the draw's own, so that the insertion sort has little to do.
	order []int32
	// keys are the sort keys of the current draw, in the order of the
	// means, and sorted the same keys sorted.
	keys, sorted []uint64
	// buckets counts the keys per bucket of the counting pass (a power of
	// two at least 2K).
	buckets []int32
	// hist[i*K + r] counts the draws in which unit i had rank r+1.
	hist []int32
}

// scorePart is one component of a community's score: the component's
// group and member in the cell, its renormalised weight, and whether it
// enters as 1 − θ.
type scorePart struct {
	group, member int
	w             float64
	flip          bool
}

// rankBatch is the number of rounds drawn before they are ranked: each
// phase then runs on in a tight loop, its branches and data warm.
const rankBatch = 16

// rankCell is one district × period: its component rankings and the score
// ranking, drawn together so that the score's draws combine the components'
// draws of the same round.
type rankCell struct {
	seed1, seed2 uint64
	comps        []*rankGroup
	score        *rankGroup
}

// rankResult is the simulated interval of one ranked unit.
type rankResult struct {
	rowKey       int64
	expected     float64
	low, high    int32
	pBottomFifth float64
}

// rankInputRow is one row of metrics_rank_input.
type rankInputRow struct {
	periodKey, districtNo, indNo, unitNo, rowKey int64
	lowerBetter, fixed, flip                     bool
	a, b, mean, vr, w                            sql.NullFloat64
	partInd                                      sql.NullInt64
}

// simulateRanks reads the posteriors of ranks.sql, simulates draws rank
// draws per district × period (in parallel, one cell per goroutine at a
// time) and writes rank_intervals in one statement.
func simulateRanks(ctx context.Context, tx *sql.Tx, log *slog.Logger, draws int) error {
	t := time.Now()
	cells, err := readRankCells(ctx, tx)
	if err != nil {
		return err
	}
	results := make([][]rankResult, len(cells))
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.NumCPU(), len(cells))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(cells) {
					return
				}
				results[i] = cells[i].simulate(draws)
			}
		}()
	}
	wg.Wait()
	var keys []int64
	var expected []float64
	var lows, highs []int32
	var pbf []float64
	for _, rs := range results {
		for _, r := range rs {
			keys = append(keys, r.rowKey)
			expected = append(expected, r.expected)
			lows = append(lows, r.low)
			highs = append(highs, r.high)
			pbf = append(pbf, r.pBottomFifth)
		}
	}
	log.Debug("metrics step", "file", "ranks.go (simulation)", "cells", len(cells), "units", len(keys),
		"draws", draws, "elapsed", time.Since(t).Round(time.Millisecond))
	return execFile(ctx, tx, log, ranksWriteFile, keys, expected, lows, highs, pbf)
}

// readRankCells reads metrics_rank_input with one query and groups it
// into cells (district × period).
func readRankCells(ctx context.Context, tx *sql.Tx) ([]*rankCell, error) {
	rows, err := tx.QueryContext(ctx, `SELECT period_key, district_no, ind_no, unit_no, row_key, lower_better,
		fixed, flip, a, b, mean, var, w, part_ind FROM metrics_rank_input
		ORDER BY period_key, district_no, ind_no, unit_no, part_ind NULLS FIRST`)
	if err != nil {
		return nil, fmt.Errorf("metrics: ranks: read posteriors: %w", err)
	}
	defer rows.Close()
	var cells []*rankCell
	var cur []rankInputRow
	for rows.Next() {
		var r rankInputRow
		if err := rows.Scan(&r.periodKey, &r.districtNo, &r.indNo, &r.unitNo, &r.rowKey, &r.lowerBetter,
			&r.fixed, &r.flip, &r.a, &r.b, &r.mean, &r.vr, &r.w, &r.partInd); err != nil {
			return nil, fmt.Errorf("metrics: ranks: read posteriors: %w", err)
		}
		if len(cur) > 0 && (cur[0].periodKey != r.periodKey || cur[0].districtNo != r.districtNo) {
			c, err := newRankCell(cur)
			if err != nil {
				return nil, err
			}
			cells = append(cells, c)
			cur = cur[:0]
		}
		cur = append(cur, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("metrics: ranks: read posteriors: %w", err)
	}
	if len(cur) > 0 {
		c, err := newRankCell(cur)
		if err != nil {
			return nil, err
		}
		cells = append(cells, c)
	}
	return cells, nil
}

// newRankCell builds a cell from its input rows (sorted by indicator, unit,
// part) and derives its seeds from them: the same posteriors give the same
// draws, whatever the run.
func newRankCell(in []rankInputRow) (*rankCell, error) {
	h1, h2 := fnv.New64a(), fnv.New64()
	var buf [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h1.Write(buf[:])
		h2.Write(buf[:])
	}
	fbits := func(f sql.NullFloat64) uint64 {
		if !f.Valid {
			return math.MaxUint64
		}
		return math.Float64bits(f.Float64)
	}
	put(uint64(in[0].periodKey))
	put(uint64(in[0].districtNo))
	c := &rankCell{}
	member := map[[2]int64][2]int{} // (ind_no, unit_no) → (group, member)
	var scoreRows []rankInputRow
	for _, r := range in {
		put(uint64(r.indNo))
		put(uint64(r.unitNo))
		put(fbits(r.a))
		put(fbits(r.b))
		put(fbits(r.mean))
		put(fbits(r.vr))
		put(fbits(r.w))
		if !r.mean.Valid || !r.vr.Valid {
			return nil, fmt.Errorf("metrics: ranks: unit %d of indicator %d has no posterior mean or variance", r.unitNo, r.indNo)
		}
		if r.partInd.Valid {
			put(uint64(r.partInd.Int64))
			scoreRows = append(scoreRows, r)
			continue
		}
		var g *rankGroup
		if n := len(c.comps); n > 0 && c.comps[n-1].indNo == r.indNo {
			g = c.comps[n-1]
		} else {
			g = &rankGroup{indNo: r.indNo, lowerBetter: r.lowerBetter, fixed: r.fixed}
			c.comps = append(c.comps, g)
		}
		var shape betaShape
		if !r.fixed {
			if !r.a.Valid || !r.b.Valid || r.a.Float64 < 0 || r.b.Float64 < 0 || r.a.Float64+r.b.Float64 <= 0 {
				return nil, fmt.Errorf("metrics: ranks: unit %d of indicator %d: posterior Beta(%v, %v) is not a distribution",
					r.unitNo, r.indNo, r.a.Float64, r.b.Float64)
			}
			shape = newBetaShape(r.a.Float64, r.b.Float64)
		}
		member[[2]int64{r.indNo, r.unitNo}] = [2]int{len(c.comps) - 1, len(g.rowKeys)}
		g.rowKeys = append(g.rowKeys, r.rowKey)
		g.unitNos = append(g.unitNos, r.unitNo)
		g.beta = append(g.beta, shape)
		g.mean = append(g.mean, r.mean.Float64)
		g.vars = append(g.vars, r.vr.Float64)
	}
	for _, r := range scoreRows {
		if c.score == nil {
			c.score = &rankGroup{indNo: r.indNo}
		}
		s := c.score
		if n := len(s.rowKeys); n == 0 || s.rowKeys[n-1] != r.rowKey {
			s.rowKeys = append(s.rowKeys, r.rowKey)
			s.unitNos = append(s.unitNos, r.unitNo)
			s.parts = append(s.parts, nil)
			s.mean = append(s.mean, r.mean.Float64)
			s.vars = append(s.vars, r.vr.Float64)
		}
		m, ok := member[[2]int64{r.partInd.Int64, r.unitNo}]
		if !ok {
			return nil, fmt.Errorf("metrics: ranks: the score of unit %d uses indicator %d, which has no posterior", r.unitNo, r.partInd.Int64)
		}
		i := len(s.parts) - 1
		s.parts[i] = append(s.parts[i], scorePart{group: m[0], member: m[1], w: r.w.Float64, flip: r.flip})
	}
	c.seed1, c.seed2 = h1.Sum64(), h2.Sum64()
	return c, nil
}

// simulate draws the cell's posteriors draws times and returns the
// interval of every ranked unit: its components' groups in order, then
// the score's.
func (c *rankCell) simulate(draws int) []rankResult {
	r := pcg{hi: c.seed1, lo: c.seed2} // rand.NewPCG(c.seed1, c.seed2)
	groups := c.comps
	if c.score != nil {
		groups = append(groups[:len(groups):len(groups)], c.score)
	}
	for _, g := range groups {
		g.prepare()
	}
	ranked := func(g *rankGroup) bool { return !g.fixed && len(g.rowKeys) > 1 }
	for done := 0; done < draws; done += rankBatch {
		n := min(rankBatch, draws-done)
		// Draw n rounds: the components, the score from them, and the
		// tie-breaking masks, in the stream's order round by round.
		for b := range n {
			for _, g := range c.comps {
				if g.fixed {
					continue
				}
				k := len(g.rowKeys)
				th := g.theta[b*k : (b+1)*k]
				for i := range th {
					r, th[i] = g.beta[i].next(r)
				}
			}
			if s := c.score; s != nil {
				th := s.theta[b*len(s.rowKeys):]
				for i, ps := range s.parts {
					v := 0.0
					for _, p := range ps {
						g := c.comps[p.group]
						t := g.theta[b*len(g.rowKeys)+p.member]
						if p.flip {
							t = 1 - t
						}
						v += p.w * t
					}
					th[i] = v
				}
			}
			for _, g := range groups {
				if ranked(g) {
					r, g.masks[b] = r.next()
				}
			}
		}
		// Then rank them, group by group.
		for _, g := range groups {
			if ranked(g) {
				k := len(g.rowKeys)
				for b := range n {
					g.rankDraw(g.theta[b*k:(b+1)*k], g.masks[b])
				}
			}
		}
	}
	var out []rankResult
	for _, g := range groups {
		rs := g.intervals(draws)
		for i := range rs {
			rs[i].expected = g.expectedRank(i)
		}
		out = append(out, rs...)
	}
	return out
}

// prepare allocates the group's draw buffers and rank counts and orders
// its units by posterior mean.
func (g *rankGroup) prepare() {
	k := len(g.rowKeys)
	g.theta = make([]float64, rankBatch*k)
	for b := range rankBatch {
		copy(g.theta[b*k:], g.mean) // a fixed unit keeps its value
	}
	g.masks = make([]uint64, rankBatch)
	g.keys = make([]uint64, k)
	g.sorted = make([]uint64, k)
	g.buckets = make([]int32, 1<<bits.Len(uint(2*k-1)))
	g.order = make([]int32, k)
	for i := range g.order {
		g.order[i] = int32(i)
	}
	slices.SortStableFunc(g.order, func(i, j int32) int {
		if g.lowerBetter {
			return cmp.Compare(g.mean[i], g.mean[j])
		}
		return cmp.Compare(g.mean[j], g.mean[i])
	})
	g.hist = make([]int32, k*k)
}

// expectedRank is 1 + Σ_{j≠i} P(θ_j better than θ_i) under the normal
// approximation of the posteriors: P(θ_j > θ_i) = Φ((μ_j − μ_i)/sqrt(v_i +
// v_j)), and with v_i + v_j = 0 it is 1, ½ or 0 as μ_j is above, equal to
// or below μ_i. The terms are added in unit order.
func (g *rankGroup) expectedRank(i int) float64 {
	e := 1.0
	for j := range g.mean {
		if j == i {
			continue
		}
		d := g.mean[j] - g.mean[i] // > 0: j is higher
		if g.lowerBetter {
			d = -d
		}
		sd := math.Sqrt(g.vars[i] + g.vars[j])
		switch {
		case sd > 0:
			e += 0.5 * math.Erfc(-d/(sd*math.Sqrt2))
		case d > 0:
			e++
		case d == 0:
			e += 0.5
		}
	}
	return e
}

// rankDraw ranks the group's current draw and counts each unit's rank.
//
// The sort key of a unit is its value turned so that smaller is better,
// 1 + θ (lower is better) or 2 − θ (higher is better), a positive double
// whose bit pattern orders like the number; its lowest b bits (b enough
// for K) are replaced by the unit's place in the order of the posterior
// means XOR a random mask drawn for this draw. Two values equal to within
// those bits (about 1e-14) are a tie, and a tie goes either way with
// probability ½ for every pair (the mask's bit at the highest bit where
// the two places differ decides it).
//
// The keys are sorted exactly, in two passes that mostly avoid the
// branches a comparison sort mispredicts on random data: a counting sort
// on the key's leading bits above the draw's smallest key (B >= 2K
// buckets of a power-of-two width spanning the draw's range), which puts
// keys in different buckets in order, then an insertion sort, which only
// has keys sharing a bucket to swap.
func (g *rankGroup) rankDraw(theta []float64, random uint64) {
	k := len(g.rowKeys)
	b := uint(bits.Len(uint(k - 1)))
	low := uint64(1)<<b - 1
	mask := random & low
	off, sgn := 2.0, -1.0
	if g.lowerBetter {
		off, sgn = 1, 1
	}
	keys := g.keys[:k]
	order := g.order[:k]
	kmin, kmax := uint64(math.MaxInt64), uint64(0)
	for p, i := range order {
		key := math.Float64bits(off+sgn*theta[i])&^low | (uint64(p) ^ mask)
		keys[p] = key
		// kmin = min(kmin, key), kmax = max(kmax, key) without branches
		// (the compiler makes branches of min and max here, and they
		// mispredict): keys are below 2⁶³, so the difference's sign
		// bit says which is smaller.
		lt := uint64(int64(key-kmin) >> 63) // all ones when key < kmin
		kmin += (key - kmin) & lt
		gt := uint64(int64(kmax-key) >> 63) // all ones when key > kmax
		kmax += (key - kmax) & gt
	}
	buckets := g.buckets
	nb := len(buckets) // a power of two
	shift := max(0, bits.Len64(kmax-kmin)-bits.Len(uint(nb-1)))
	clear(buckets)
	for _, key := range keys {
		buckets[int((key-kmin)>>shift)&(nb-1)]++
	}
	var sum int32
	for i, c := range buckets {
		buckets[i] = sum
		sum += c
	}
	sorted := g.sorted[:k]
	for _, key := range keys {
		i := int((key-kmin)>>shift) & (nb - 1)
		sorted[buckets[i]] = key
		buckets[i]++
	}
	for i := 1; i < k; i++ {
		x := sorted[i]
		j := i - 1
		for j >= 0 && sorted[j] > x {
			sorted[j+1] = sorted[j]
			j--
		}
		sorted[j+1] = x
	}
	for pos, key := range sorted {
		i := int(order[(key&low)^mask])
		g.hist[i*k+pos]++
	}
}

// intervals turns the group's rank counts into each unit's interval: the
// type-1 quantiles (the ⌈pD⌉-th smallest of the D simulated ranks) at
// p = 2.5% and 97.5%, and the share of draws among the worst
// max(1, ⌊K/5⌋) ranks. A fixed group (τ² <= 0) gets 1–K and
// max(1, ⌊K/5⌋)/K, the values of ranks drawn at random among equals; a
// group of one, 1–1 and 1.
func (g *rankGroup) intervals(draws int) []rankResult {
	k := len(g.rowKeys)
	worst := max(1, k/5)
	out := make([]rankResult, k)
	if g.fixed || k == 1 {
		for i := range out {
			out[i] = rankResult{rowKey: g.rowKeys[i], low: 1, high: int32(k), pBottomFifth: float64(worst) / float64(k)}
		}
		return out
	}
	jLow := (25*draws + 999) / 1000   // ⌈0.025·D⌉
	jHigh := (975*draws + 999) / 1000 // ⌈0.975·D⌉
	for i := range out {
		h := g.hist[i*k : (i+1)*k]
		res := rankResult{rowKey: g.rowKeys[i]}
		cum := 0
		for rk, n := range h {
			cum += int(n)
			if res.low == 0 && cum >= jLow {
				res.low = int32(rk + 1)
			}
			if res.high == 0 && cum >= jHigh {
				res.high = int32(rk + 1)
			}
		}
		bottom := 0
		for _, n := range h[k-worst:] {
			bottom += int(n)
		}
		res.pBottomFifth = float64(bottom) / float64(draws)
		out[i] = res
	}
	return out
}
