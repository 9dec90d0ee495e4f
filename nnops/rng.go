package nnops

import "math"

// RNG is a small, fast, seeded pseudo-random generator (xoshiro256**, seeded
// through SplitMix64). The same seed always gives the same sequence on every
// platform and with every build tag. An RNG is not safe for concurrent use.
type RNG struct {
	s [4]uint64
	// spare holds the second normal deviate of the last Box-Muller pair.
	spare    float64
	hasSpare bool
}

// NewRNG returns a generator seeded with seed.
func NewRNG(seed uint64) *RNG {
	r := &RNG{}
	r.Seed(seed)
	return r
}

// Seed resets r to the start of the sequence for seed.
func (r *RNG) Seed(seed uint64) {
	x := seed
	for i := range r.s {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		r.s[i] = z ^ (z >> 31)
	}
	r.hasSpare = false
}

func rotl(x uint64, k uint) uint64 { return x<<k | x>>(64-k) }

// Uint64 returns 64 uniformly random bits.
func (r *RNG) Uint64() uint64 {
	s := &r.s
	res := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return res
}

// Intn returns a uniform integer in [0, n). It panics if n <= 0.
func (r *RNG) Intn(n int) int {
	if n <= 0 {
		panic("nnops: RNG.Intn called with n <= 0; pass a positive bound")
	}
	// Lemire's nearly divisionless method, unbiased.
	un := uint64(n)
	hi, lo := mul64(r.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = mul64(r.Uint64(), un)
		}
	}
	return int(hi)
}

func mul64(a, b uint64) (hi, lo uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1 := t&mask32 + a0*b1
	hi = a1*b1 + t>>32 + w1>>32
	lo = a * b
	return
}

// Float32 returns a uniform float32 in [0, 1).
func (r *RNG) Float32() float32 {
	return float32(r.Uint64()>>40) * (1.0 / (1 << 24))
}

// float64Open returns a uniform float64 in (0, 1].
func (r *RNG) float64Open() float64 {
	return (float64(r.Uint64()>>11) + 1) * (1.0 / (1 << 53))
}

// Perm returns a uniformly random permutation of 0..n-1 (Fisher-Yates).
func (r *RNG) Perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// FillUniform fills dst with uniform values in [lo, hi).
func (r *RNG) FillUniform(dst []float32, lo, hi float32) {
	span := hi - lo
	for i := range dst {
		dst[i] = lo + span*r.Float32()
	}
}

// FillNormal fills dst with normal deviates of the given mean and standard
// deviation (Box-Muller in float64, two deviates per pair of draws).
func (r *RNG) FillNormal(dst []float32, mean, std float32) {
	m, s := float64(mean), float64(std)
	i := 0
	if r.hasSpare && len(dst) > 0 {
		dst[0] = float32(m + s*r.spare)
		r.hasSpare = false
		i = 1
	}
	for ; i+1 < len(dst); i += 2 {
		a, b := r.normalPair()
		dst[i] = float32(m + s*a)
		dst[i+1] = float32(m + s*b)
	}
	if i < len(dst) {
		a, b := r.normalPair()
		dst[i] = float32(m + s*a)
		r.spare, r.hasSpare = b, true
	}
}

func (r *RNG) normalPair() (float64, float64) {
	u := r.float64Open()
	v := r.Uint64()
	rad := math.Sqrt(-2 * math.Log(u))
	theta := float64(v>>11) * (2 * math.Pi / (1 << 53))
	sn, cs := math.Sincos(theta)
	return rad * cs, rad * sn
}
