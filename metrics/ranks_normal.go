package metrics

import (
	"math"
	"math/rand/v2"
)

// The samplers of the rank simulation draw from a *rand.PCG directly
// rather than through a *rand.Rand, whose every variate is a call through
// the rand.Source interface (one in four of the simulation's cycles went
// to that and the calls around it). normal and uniform are
// rand.Rand.NormFloat64 and rand.Rand.Float64 written out on the PCG: the
// same arithmetic on the same 64-bit outputs, so they return the same
// numbers from the same stream (TestNormalMatchesRand checks it).

// uniform returns a uniform variate in [0, 1) with 53 random bits, as
// rand.Rand.Float64 does.
func uniform(p *rand.PCG) float64 {
	return float64(p.Uint64()<<11>>11) / (1 << 53)
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
// rand.Rand.NormFloat64 does: one 64-bit output gives the strip (7 bits)
// and a signed 32-bit abscissa, accepted at once better than 99% of the
// time; otherwise the wedge or the tail is sampled with uniforms
// (normalSlow). The fast path is small enough to be inlined.
func normal(p *rand.PCG) float64 {
	u := p.Uint64()
	j := int32(u) // possibly negative
	i := u >> 32 & 0x7F
	if absInt32(j) < zigK[i] {
		return float64(j) * float64(zigW[i])
	}
	return normalSlow(p, u)
}

// normalSlow finishes normal for an output u that missed the fast path:
// the wedge or the tail of u's strip, then, if that rejects, new outputs
// as NormFloat64's loop takes them.
func normalSlow(p *rand.PCG, u uint64) float64 {
	for {
		j := int32(u) // possibly negative
		i := u >> 32 & 0x7F
		x := float64(j) * float64(zigW[i])
		if absInt32(j) < zigK[i] {
			return x
		}
		if i == 0 {
			// The tail beyond zigR (Marsaglia's method).
			for {
				x = -math.Log(uniform(p)) * (1.0 / zigR)
				y := -math.Log(uniform(p))
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		if zigF[i]+float32(uniform(p))*(zigF[i-1]-zigF[i]) < float32(math.Exp(-.5*x*x)) {
			return x
		}
		u = p.Uint64()
	}
}

// absInt32 is |i| as a uint32 (|MinInt32| included).
func absInt32(i int32) uint32 {
	if i < 0 {
		return uint32(-i)
	}
	return uint32(i)
}
