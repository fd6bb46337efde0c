package metrics

import (
	"math"
)

// gammaShape holds what Marsaglia and Tsang's gamma sampler needs of one
// shape a, worked out once so that each draw costs one normal and one
// uniform variate (and, rarely, a logarithm):
//
//	d = a' − 1/3, c = 1/sqrt(9d), a' = a (a >= 1) or a + 1 (a < 1)
//
// For a < 1 the draw of shape a + 1 is multiplied by U^(1/a) (Marsaglia &
// Tsang 2000, section 6: the "a < 1 boost"). Shape 0 is the point mass at 0
// (the limit of Gamma(a) as a → 0), which a posterior Beta(0, b) needs.
type gammaShape struct {
	d, c, invA float64
	// k = 3·d·c⁴/4 = 1/(108·d), the coefficient of the tight squeeze.
	k     float64
	boost bool
	zero  bool
}

// newGammaShape prepares the sampler of Gamma(a, 1), a >= 0.
func newGammaShape(a float64) gammaShape {
	if !(a > 0) {
		return gammaShape{zero: true}
	}
	g := gammaShape{}
	if a < 1 {
		g.boost = true
		g.invA = 1 / a
		a++
	}
	g.d = a - 1.0/3
	g.c = 1 / math.Sqrt(9*g.d)
	g.k = 0.75 * g.d * g.c * g.c * g.c * g.c
	return g
}

// draw returns one Gamma(a, 1) variate (Marsaglia & Tsang, "A simple
// method for generating gamma variables", ACM TOMS 26(3), 2000):
// x ~ N(0,1), v = (1 + c·x)³; accept d·v when v > 0 and
// log U < h(x) = x²/2 + d(1 − v + log v).
//
// Before the logarithms comes a squeeze, a bound below e^h that accepts
// most pairs without them. Marsaglia and Tsang's 1 − 0.0331·x⁴ is made
// for the smallest d and leaves about 10% of pairs to the logarithms at
// every d; this one is tight for large d. With t = c·x (so 1 + t > 0 and
// 9dc² = 1), h = d·φ(t), φ(t) = 3t²/2 − 3t − t³ + 3 log(1 + t), whose
// derivative is −3t³/(1 + t) and φ(0) = 0, so φ(t) = −∫₀ᵗ 3s³/(1 + s) ds
// ≥ −3t⁴/(4·w) with w = min(1, 1 + t). Hence h ≥ −k·x⁴/w with
// k = 3dc⁴/4 = 1/(108d), and e^h ≥ 1 + h ≥ 1 − k·x⁴/w: every pair with
// (1 − U)·w > k·x⁴ passes the exact test, and the squeeze decides no pair
// differently from it. (At d = 200, a posterior of a few hundred
// observations, the logarithms are left about 1.4 times in 10,000.)
func (g *gammaShape) draw(r *pcg) float64 {
	var x float64
	*r, x = g.next(*r)
	return x
}

// next is draw on a state passed and returned by value.
func (g *gammaShape) next(r pcg) (pcg, float64) {
	if g.zero {
		return r, 0
	}
	var out float64
	for {
		// r.normal(), its fast path written out (the compiler will not
		// inline it here).
		var x float64
		var n uint64
		if r, n = r.next(); absInt32(int32(n)) < zigK[n>>32&0x7F] {
			x = float64(int32(n)) * float64(zigW[n>>32&0x7F])
		} else {
			r, x = r.normalSlow(n)
		}
		v := 1 + g.c*x
		if v <= 0 {
			continue
		}
		w := min(v, 1)
		v = v * v * v
		r, n = r.next()
		u := float64(n<<11>>11) / (1 << 53) // r.uniform()
		x2 := x * x
		if (1-u)*w > g.k*x2*x2 || math.Log(u) < 0.5*x2+g.d*(1-v+math.Log(v)) {
			out = g.d * v
			break
		}
	}
	if g.boost {
		// U in (0, 1]: 1 − uniform() is never 0, so the power never
		// turns a positive draw into 0 by a zero U.
		var u float64
		r, u = r.uniform()
		out *= math.Pow(1-u, g.invA)
	}
	return r, out
}

// betaShape samples Beta(a, b) as G_a / (G_a + G_b) with two independent
// gamma variates. Beta(0, b) is the point mass at 0 and Beta(a, 0) at 1
// (their limits). A posterior always has a + b = n + M >= 1.
type betaShape struct {
	a, b gammaShape
}

// newBetaShape prepares the sampler of Beta(a, b), a, b >= 0, a + b > 0.
func newBetaShape(a, b float64) betaShape {
	return betaShape{a: newGammaShape(a), b: newGammaShape(b)}
}

// draw returns one Beta(a, b) variate.
func (s *betaShape) draw(r *pcg) float64 {
	var x float64
	*r, x = s.next(*r)
	return x
}

// next is draw on a state passed and returned by value.
func (s *betaShape) next(r pcg) (pcg, float64) {
	r, x := s.a.next(r)
	r, y := s.b.next(r)
	if x+y == 0 {
		// Both gamma draws underflowed to 0 (tiny shapes) or both shapes
		// are 0: the mean of the two point masses' limits.
		return r, 0.5
	}
	return r, x / (x + y)
}
