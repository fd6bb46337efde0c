package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math"
	"time"
)

// funnelFile prepares the funnel plots (z-scores, φ, τ²); funnelLimits runs
// right after it, and funnelLimitsFile writes the funnel tables from what
// both computed.
const (
	funnelFile       = "funnel.sql"
	funnelLimitsFile = "funnel_limits.sql"
)

// funnelAlpha is the level of the χ² test of overdispersion: below it the
// funnel's limits are widened by τ².
const funnelAlpha = 0.05

// funnelProbs are the cumulative probabilities of the exact limits, in the
// column order of metrics_funnel_exact: lower 99.8%, lower 95%, upper 95%,
// upper 99.8%.
var funnelProbs = [4]float64{0.001, 0.025, 0.975, 0.999}

// funnelLimits is the Go step between funnel.sql and funnel_limits.sql: it
// reads each testable funnel's I·φ and I − 1, writes its χ² tail
// probability and whether the overdispersion is applied to
// metrics_funnel_chi2, and, for the funnels where it is not, the exact
// binomial limits at each distinct n to metrics_funnel_exact. DuckDB has
// neither a χ² distribution nor a binomial quantile. The rows are read and
// written in a fixed order and the arithmetic is plain float64, so two runs
// write the same bits.
func funnelLimits(ctx context.Context, tx *sql.Tx, log *slog.Logger) error {
	t := time.Now()
	rows, err := tx.QueryContext(ctx, `SELECT group_no, df, stat FROM metrics_funnel_od ORDER BY group_no`)
	if err != nil {
		return fmt.Errorf("metrics: funnel: read overdispersion: %w", err)
	}
	var groups []int64
	var pvals []float64
	var applied []bool
	for rows.Next() {
		var g int64
		var df, stat float64
		if err := rows.Scan(&g, &df, &stat); err != nil {
			rows.Close()
			return fmt.Errorf("metrics: funnel: read overdispersion: %w", err)
		}
		p := chi2Upper(df, stat)
		groups, pvals, applied = append(groups, g), append(pvals, p), append(applied, p < funnelAlpha)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics: funnel: read overdispersion: %w", err)
	}
	if len(groups) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO metrics_funnel_chi2
			SELECT unnest(?::BIGINT[]), unnest(?::DOUBLE[]), unnest(?::BOOLEAN[])`, groups, pvals, applied); err != nil {
			return fmt.Errorf("metrics: funnel: write χ² tests: %w", err)
		}
	}

	rows, err = tx.QueryContext(ctx, `SELECT DISTINCT z.group_no, z.target, z.n
		FROM metrics_funnel_z z JOIN metrics_funnel_chi2 c USING (group_no)
		WHERE NOT c.od_applied
		ORDER BY z.group_no, z.n`)
	if err != nil {
		return fmt.Errorf("metrics: funnel: read denominators: %w", err)
	}
	var eg []int64
	var en []float64
	var lim [4][]float64
	for rows.Next() {
		var g int64
		var theta, n float64
		if err := rows.Scan(&g, &theta, &n); err != nil {
			rows.Close()
			return fmt.Errorf("metrics: funnel: read denominators: %w", err)
		}
		l, err := binomialLimits(n, theta)
		if err != nil {
			rows.Close()
			return fmt.Errorf("metrics: funnel: %w", err)
		}
		eg, en = append(eg, g), append(en, n)
		for i := range lim {
			lim[i] = append(lim[i], l[i])
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics: funnel: read denominators: %w", err)
	}
	if len(eg) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO metrics_funnel_exact
			SELECT unnest(?::BIGINT[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
			       unnest(?::DOUBLE[]), unnest(?::DOUBLE[])`, eg, en, lim[0], lim[1], lim[2], lim[3]); err != nil {
			return fmt.Errorf("metrics: funnel: write exact limits: %w", err)
		}
	}
	log.Debug("metrics step", "file", "funnel.go", "funnels", len(groups), "exact_limits", len(eg),
		"elapsed", time.Since(t).Round(time.Millisecond))
	return nil
}

// binomialLimits returns the exact binomial funnel limits at a denominator
// n (a whole number >= 1) around a target theta in (0, 1), in the order of
// funnelProbs, as proportions clamped to 0..1 — Spiegelhalter (2005),
// appendix A.1.1: for each P, r is the smallest count with F(r) >= P, F the
// Binomial(n, theta) distribution function;
//
//	α = (F(r) − P) / (F(r) − F(r − 1)),  limit = (r − α) / n.
//
// The probabilities are summed outwards from the mode by the recurrence
// pmf(k+1) = pmf(k)·(n − k)/(k + 1)·θ/(1 − θ), until a term falls below
// 1e-40 of the mode's (some 13.6 standard deviations out; what lies beyond
// is below 1e-38 in all), and normalised to sum to 1: no factorial
// overflows, and the work grows with √n, not n.
// The lower limits cumulate from below, the upper ones from above (F(r) =
// 1 − Σ_{k>r} pmf(k)), so that neither tail loses its digits to 1 − ε.
func binomialLimits(n, theta float64) ([4]float64, error) {
	var out [4]float64
	if !(n >= 1) || n != math.Trunc(n) || n > 1e9 {
		return out, fmt.Errorf("exact limits need a whole denominator >= 1, got %v", n)
	}
	if !(theta > 0 && theta < 1) {
		return out, fmt.Errorf("exact limits need a target in (0, 1), got %v", theta)
	}
	N := int(n)
	mode := min(int(math.Floor((n+1)*theta)), N)
	odds := theta / (1 - theta)
	const tiny = 1e-40
	// Terms below the mode, then above it, relative to pmf(mode) = 1.
	var below []float64 // below[i] = pmf(mode − 1 − i)
	for k, v := mode, 1.0; k > 0; k-- {
		v *= float64(k) / (float64(N-k+1) * odds) // pmf(k−1) from pmf(k)
		if v < tiny {
			break
		}
		below = append(below, v)
	}
	above := []float64{1} // above[i] = pmf(mode + i)
	for k, v := mode, 1.0; k < N; k++ {
		v *= float64(N-k) / float64(k+1) * odds // pmf(k+1) from pmf(k)
		if v < tiny {
			break
		}
		above = append(above, v)
	}
	lo := mode - len(below)
	pmf := make([]float64, 0, len(below)+len(above))
	for i := len(below) - 1; i >= 0; i-- {
		pmf = append(pmf, below[i])
	}
	pmf = append(pmf, above...)
	total := 0.0
	for _, v := range pmf { // ascending k: small terms first
		total += v
	}
	for i := range pmf {
		pmf[i] /= total
	}
	// Lower limits: F(r) cumulated from the lowest term kept.
	for j, P := range funnelProbs[:2] {
		F := 0.0
		for i, v := range pmf {
			F += v
			if F >= P {
				r := lo + i
				out[j] = clamp01((float64(r) - (F-P)/v) / n)
				break
			}
		}
	}
	// Upper limits: U = Σ_{k>r} pmf(k) cumulated from the highest term; r
	// is the smallest count with F(r) = 1 − U >= P, i.e. U <= 1 − P.
	for j, P := range funnelProbs[2:] {
		tail := 1 - P
		U := 0.0 // Σ_{k > lo+i} pmf(k)
		r := lo + len(pmf) - 1
		for i := len(pmf) - 1; i >= 0; i-- {
			// F(lo+i−1) >= P iff U + pmf(lo+i) <= 1 − P.
			if i == 0 || U+pmf[i] > tail {
				r = lo + i
				break
			}
			U += pmf[i]
		}
		v := pmf[r-lo]
		out[2+j] = clamp01((float64(r) - (tail-U)/v) / n) // F(r) − P = (1 − P) − U
	}
	return out, nil
}

// clamp01 limits a proportion to 0..1.
func clamp01(v float64) float64 { return min(1, max(0, v)) }

// chi2Upper returns P(χ²_df >= x), the upper tail of the χ² distribution
// with df degrees of freedom (df > 0), as the regularised upper incomplete
// gamma function Q(df/2, x/2): by its power series when x/2 < df/2 + 1
// (Q = 1 − P), by its continued fraction (modified Lentz) otherwise — as
// in Numerical Recipes §6.2, to about 1e-15. x <= 0 gives 1.
func chi2Upper(df, x float64) float64 {
	if x <= 0 || math.IsNaN(x) {
		return 1
	}
	if math.IsInf(x, 1) {
		return 0
	}
	a, y := df/2, x/2
	lg, _ := math.Lgamma(a)
	front := math.Exp(a*math.Log(y) - y - lg)
	const eps = 2.3e-16 // a little above the float64 epsilon
	if y < a+1 {
		// P(a, y) = front/a · Σ y^k / ((a+1)…(a+k)).
		sum, term := 1/a, 1/a
		for k := 1; k < 10000; k++ {
			term *= y / (a + float64(k))
			sum += term
			if math.Abs(term) < math.Abs(sum)*eps {
				break
			}
		}
		return max(0, 1-front*sum)
	}
	// Q(a, y) = front · 1/(y+1−a− 1·(1−a)/(y+3−a− 2·(2−a)/(y+5−a− …))).
	const fpmin = 1e-300
	b := y + 1 - a
	c := 1 / fpmin
	d := 1 / b
	h := d
	for i := 1; i < 10000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < fpmin {
			d = fpmin
		}
		c = b + an/c
		if math.Abs(c) < fpmin {
			c = fpmin
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return min(1, front*h)
}
