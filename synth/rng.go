package synth

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// rng is a fast deterministic random source. It uses the PCG-DXSM generator
// of math/rand/v2, whose algorithm is fixed, but derives floats, bounded
// integers and normal deviates itself, so the output of Generate does not
// depend on how a Go release implements rand.Rand's methods.
type rng struct {
	p        rand.PCG
	spare    float64
	hasSpare bool
}

// Stream numbers: each output file draws from its own stream, so the files
// are independent of one another and of the order they are written in.
const (
	streamPlan     = 0x9e3779b97f4a7c15
	streamCases    = 0xbf58476d1ce4e5b9
	streamServices = 0x94d049bb133111eb
	streamSurveys  = 0xd6e8feb86659fd93
	streamStrata   = 0x8cb92ba72f3d8dd7
)

func newRNG(seed int64, stream uint64) *rng {
	r := &rng{}
	r.p.Seed(mix64(uint64(seed)), stream)
	return r
}

// mix64 is the splitmix64 finaliser: a bijective scrambling of v.
func mix64(v uint64) uint64 {
	v += 0x9e3779b97f4a7c15
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9
	v = (v ^ (v >> 27)) * 0x94d049bb133111eb
	return v ^ (v >> 31)
}

func (r *rng) u64() uint64 { return r.p.Uint64() }

// float returns a uniform float64 in [0, 1).
func (r *rng) float() float64 { return float64(r.u64()>>11) * 0x1p-53 }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// intn returns a uniform int in [0, n); n must be > 0. The multiply-shift
// mapping has a bias below 2^-40 for the n used here.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// between returns a uniform int in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// norm returns a standard normal deviate (Box–Muller, both values used).
func (r *rng) norm() float64 {
	if r.hasSpare {
		r.hasSpare = false
		return r.spare
	}
	u1 := (float64(r.u64()>>11) + 0.5) * 0x1p-53 // (0, 1)
	u2 := r.float()
	rad := math.Sqrt(-2 * math.Log(u1))
	s, c := math.Sincos(2 * math.Pi * u2)
	r.spare = rad * s
	r.hasSpare = true
	return rad * c
}

// lognormal returns a lognormal deviate with the given median and log-sd.
func (r *rng) lognormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.norm())
}

// pick returns the index i of the first cumulative weight cum[i] > u*total,
// where cum is increasing and its last element is the total.
func pick(cum []float64, u float64) int {
	x := u * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

// cumulative returns the running sums of w.
func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	s := 0.0
	for i, v := range w {
		s += v
		out[i] = s
	}
	return out
}

// table256 maps the top byte of a random word to an index distributed as the
// weights w (to within 1/256): sampling a small discrete distribution is then
// one load.
type table256 [256]uint8

func newTable256(w []float64) table256 {
	var t table256
	cum := cumulative(w)
	for i := range t {
		t[i] = uint8(pick(cum, (float64(i)+0.5)/256))
	}
	return t
}

func (t *table256) draw(r *rng) int { return int(t[r.u64()>>56]) }

// allocate splits total into len(w) non-negative integer parts proportional
// to the weights, by rounding the running sum, so the parts add up to total
// exactly.
func allocate(total int64, w []float64) []int64 {
	sum := 0.0
	for _, v := range w {
		sum += v
	}
	out := make([]int64, len(w))
	if sum <= 0 {
		return out
	}
	acc := 0.0
	prev := int64(0)
	for i, v := range w {
		acc += v
		cur := int64(math.Round(float64(total) * acc / sum))
		if i == len(w)-1 {
			cur = total
		}
		out[i] = cur - prev
		prev = cur
	}
	return out
}

// split divides total into parts integers of at least minEach each (when
// total allows), with random spread around the mean.
func split(r *rng, total, parts, minEach int) []int {
	if parts <= 0 {
		return nil
	}
	if total < parts*minEach {
		minEach = total / parts
	}
	w := make([]float64, parts)
	for i := range w {
		w[i] = 0.7 + 0.6*r.float()
	}
	rest := allocate(int64(total-parts*minEach), w)
	out := make([]int, parts)
	for i := range out {
		out[i] = minEach + int(rest[i])
	}
	return out
}

func clamp(x, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, x))
}
