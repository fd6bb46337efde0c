package metrics

import (
	"math"
	"math/bits"
)

// pcg is the state of math/rand/v2's PCG generator (128-bit LCG state,
// DXSM output), held as a value: the rank simulation threads it through
// its samplers in registers, where a *rand.PCG keeps it in memory and
// every output waits on a store and a load of the state (that round trip
// was about a fifth of the simulation's time). newPCG(s1, s2) gives the
// same stream as rand.NewPCG(s1, s2) (TestPCGMatchesRand checks it), and
// normal and uniform return what rand.Rand.NormFloat64 and Float64 return
// from it.
type pcg struct{ hi, lo uint64 }

// newPCG is the state of rand.NewPCG(seed1, seed2).
func newPCG(seed1, seed2 uint64) *pcg { return &pcg{hi: seed1, lo: seed2} }

// next returns the advanced state and its output: rand.PCG's next and
// Uint64, constant for constant.
func (s pcg) next() (pcg, uint64) {
	const (
		mulHi = 2549297995355413924
		mulLo = 4865540595714422341
		incHi = 6364136223846793005
		incLo = 1442695040888963407
	)
	// state = state * mul + inc
	hi, lo := bits.Mul64(s.lo, mulLo)
	hi += s.hi*mulLo + s.lo*mulHi
	lo, c := bits.Add64(lo, incLo, 0)
	hi, _ = bits.Add64(hi, incHi, c)
	// DXSM "double xorshift multiply"
	const cheapMul = 0xda942042e4dd58b5
	out := hi
	out ^= out >> 32
	out *= cheapMul
	out ^= out >> 48
	out *= lo | 1
	return pcg{hi: hi, lo: lo}, out
}

// uniform returns a uniform variate in [0, 1) with 53 random bits, as
// rand.Rand.Float64 does, and the advanced state.
func (s pcg) uniform() (pcg, float64) {
	s, u := s.next()
	return s, float64(u<<11>>11) / (1 << 53)
}

// zigR is the start of the tail of the ziggurat's base strip.
const zigR = 3.442619855899

// zigK, zigW and zigF are the ziggurat tables of Marsaglia and Tsang ("The
// Ziggurat Method for Generating Random Variables", Journal of
// Statistical Software 5(8), 2000), 128 strips, made by their zigset:
// zigK[i] the acceptance bound of a 31-bit |j| in strip i, zigW[i] the
// strip's width per unit of j, zigF[i] = exp(−x_i²/2). Go's math/rand/v2
// holds the same tables as float32 and uint32 constants.
var zigK, zigW, zigF = zigTables()

// zigTables computes the ziggurat tables as zigset does, in double
// precision, stored as Go's tables are (uint32 truncation, float32).
func zigTables() (k [128]uint32, w, f [128]float32) {
	const m1 = 1 << 31
	dn, tn, vn := zigR, zigR, 9.91256303526217e-3
	q := vn / math.Exp(-0.5*dn*dn)
	k[0] = uint32(dn / q * m1)
	k[1] = 0
	w[0] = float32(q / m1)
	w[127] = float32(dn / m1)
	f[0] = 1
	f[127] = float32(math.Exp(-0.5 * dn * dn))
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(vn/dn+math.Exp(-0.5*dn*dn)))
		k[i+1] = uint32(dn / tn * m1)
		tn = dn
		f[i] = float32(math.Exp(-0.5 * dn * dn))
		w[i] = float32(dn / m1)
	}
	return k, w, f
}

// normal returns a standard normal variate by the ziggurat method, as
// rand.Rand.NormFloat64 does, and the advanced state: one 64-bit output
// gives the strip (7 bits) and a signed 32-bit abscissa, accepted at once
// better than 99% of the time; otherwise the wedge or the tail is
// sampled with uniforms (normalSlow).
func (s pcg) normal() (pcg, float64) {
	s, u := s.next()
	if j := int32(u); absInt32(j) < zigK[u>>32&0x7F] {
		return s, float64(j) * float64(zigW[u>>32&0x7F])
	}
	return s.normalSlow(u)
}

// normalSlow finishes normal for an output u that missed the fast path:
// the wedge or the tail of u's strip, then, if that rejects, new outputs
// as NormFloat64's loop takes them.
func (s pcg) normalSlow(u uint64) (pcg, float64) {
	for {
		j := int32(u) // possibly negative
		i := u >> 32 & 0x7F
		x := float64(j) * float64(zigW[i])
		if absInt32(j) < zigK[i] {
			return s, x
		}
		if i == 0 {
			// The tail beyond zigR (Marsaglia's method).
			for {
				var u1, u2 float64
				s, u1 = s.uniform()
				x = -math.Log(u1) * (1.0 / zigR)
				s, u2 = s.uniform()
				y := -math.Log(u2)
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return s, zigR + x
			}
			return s, -zigR - x
		}
		var v float64
		s, v = s.uniform()
		if zigF[i]+float32(v)*(zigF[i-1]-zigF[i]) < float32(math.Exp(-.5*x*x)) {
			return s, x
		}
		s, u = s.next()
	}
}

// absInt32 is |i| as a uint32 (|MinInt32| included).
func absInt32(i int32) uint32 {
	if i < 0 {
		return uint32(-i)
	}
	return uint32(i)
}
