package ae

import (
	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/nn"
)

// shuffle fills perm with an epoch's sample order. A disk-backed set
// (data.OpenNPY, data.OpenIDX) is shuffled by blocks of batch consecutive
// samples: the blocks come in random order and the samples of a block in
// random order, so each batch reads one stretch of the file instead of
// batch scattered pages, which is what keeps training fast when the file
// does not fit in memory. In-memory sets get a full permutation.
func shuffle(rng *nn.RNG, perm []int, s *data.Set, batch int) {
	if !s.OnDisk || batch <= 1 || len(perm) <= batch {
		rng.Perm(perm)
		return
	}
	// Whole blocks in random order, the short last block (if any) last,
	// so that every batch is one block.
	blocks := make([]int, len(perm)/batch)
	rng.Perm(blocks)
	if len(perm)%batch != 0 {
		blocks = append(blocks, len(perm)/batch)
	}
	k := 0
	for _, b := range blocks {
		lo, hi := b*batch, min((b+1)*batch, len(perm))
		part := perm[k : k+hi-lo]
		for i := range part {
			part[i] = lo + i
		}
		for i := len(part) - 1; i > 0; i-- {
			j := rng.Intn(i + 1)
			part[i], part[j] = part[j], part[i]
		}
		k += hi - lo
	}
}
