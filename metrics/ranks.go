package metrics

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
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
	// theta holds the current draw, one value per unit.
	theta []float64
	// keys are the sort keys of the current draw, kept in the order of
	// the previous draw so that the insertion sort has little to do.
	keys []uint64
	// mask is the tie-breaking mask the keys were made with.
	mask uint64
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
	r := rand.New(rand.NewPCG(c.seed1, c.seed2))
	groups := c.comps
	if c.score != nil {
		groups = append(groups[:len(groups):len(groups)], c.score)
	}
	for _, g := range groups {
		k := len(g.rowKeys)
		g.theta = make([]float64, k)
		copy(g.theta, g.mean) // a fixed unit keeps its value
		g.keys = make([]uint64, k)
		for i := range g.keys {
			g.keys[i] = uint64(i)
		}
		g.mask = 0
		g.hist = make([]int32, k*k)
	}
	for range draws {
		for _, g := range c.comps {
			if g.fixed {
				continue
			}
			for i := range g.theta {
				g.theta[i] = g.beta[i].draw(r)
			}
		}
		if s := c.score; s != nil {
			for i, ps := range s.parts {
				v := 0.0
				for _, p := range ps {
					th := c.comps[p.group].theta[p.member]
					if p.flip {
						th = 1 - th
					}
					v += p.w * th
				}
				s.theta[i] = v
			}
		}
		for _, g := range groups {
			if !g.fixed && len(g.theta) > 1 {
				g.rankDraw(r)
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
// for K) are replaced by the unit's index XOR a random mask drawn for this
// draw. Two values equal to within those bits (about 1e-14) are a tie, and
// a tie goes either way with probability ½ for every pair (the mask's bit
// at the highest bit where the two indices differ decides it). The keys
// are sorted by insertion starting from the previous draw's order: close
// posteriors swap a few places, far ones none.
func (g *rankGroup) rankDraw(r *rand.Rand) {
	k := len(g.theta)
	b := uint(bits.Len(uint(k - 1)))
	low := uint64(1)<<b - 1
	mask := r.Uint64() & low
	keys := g.keys
	for pos, key := range keys {
		i := int((key & low) ^ g.mask)
		v := g.theta[i]
		if g.lowerBetter {
			v = 1 + v
		} else {
			v = 2 - v
		}
		keys[pos] = math.Float64bits(v)&^low | (uint64(i) ^ mask)
	}
	for i := 1; i < k; i++ {
		x := keys[i]
		j := i - 1
		for j >= 0 && keys[j] > x {
			keys[j+1] = keys[j]
			j--
		}
		keys[j+1] = x
	}
	for pos, key := range keys {
		i := int((key & low) ^ mask)
		g.hist[i*k+pos]++
	}
	g.mask = mask
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
