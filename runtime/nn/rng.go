package nn

import "github.com/latent-ai/latent/nnops"

// RNG is the seeded random source of the runtime (nnops.RNG): the same seed
// gives the same stream on every machine.
type RNG struct{ *nnops.RNG }

// NewRNG returns a generator seeded with seed.
func NewRNG(seed uint64) *RNG { return &RNG{nnops.NewRNG(seed)} }

// Perm fills p with a random permutation of 0..len(p)-1, reusing p.
func (g *RNG) Perm(p []int) {
	for i := range p {
		p[i] = i
	}
	for i := len(p) - 1; i > 0; i-- {
		j := g.Intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}

// ChildSeed derives the seed of an independent stream from a seed and a
// stream number, so that, e.g., epoch k's shuffle does not depend on how
// many draws earlier epochs made (which makes resumed training identical
// to uninterrupted training).
func ChildSeed(seed uint64, stream uint64) uint64 {
	z := seed + 0x9e3779b97f4a7c15*(stream+1)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
