package kernel

import (
	"hash/maphash"
	"strings"
	"sync"
)

// replayWindow is how many recent signed messages the kernel remembers to
// refuse their replays: at 8 bytes in the ring and about 30 in the map
// each, some 40 MB once full.
const replayWindow = 1 << 20

// replayGuard refuses a signed message that was received before. A replay
// is byte for byte the original, so it carries the original's signature;
// the guard remembers the signatures of the last replayWindow messages, as
// 64-bit hashes (a signature is an HMAC, which no one without the key can
// make clash; by chance a genuine message clashes with one remembered with
// probability 2^-44 at most). A message replayed after more than
// replayWindow others is no longer recognised.
//
// Signatures, not msg_ids, are the key: jupyter_client's KernelManager and
// KernelClient share a session and number their msg_ids independently, so
// two genuine messages can carry the same msg_id, while their signed
// headers (with timestamps) differ. Header dates play no part: a genuine
// client's clock may step back (an NTP correction), and its messages must
// still be served. Signatures are compared in lower case.
type replayGuard struct {
	mu     sync.Mutex
	seed   maphash.Seed
	window int
	seen   map[uint64]struct{}
	ring   []uint64 // the remembered hashes, oldest at next once full
	next   int
}

func newReplayGuard(window int) *replayGuard {
	return &replayGuard{seed: maphash.MakeSeed(), window: window, seen: map[uint64]struct{}{}}
}

// fresh records a message's signature and reports whether the message is
// new: its signature is not among the remembered ones.
func (g *replayGuard) fresh(sig string) bool {
	h := maphash.String(g.seed, strings.ToLower(sig))
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.seen[h]; dup {
		return false
	}
	if len(g.ring) < g.window {
		g.ring = append(g.ring, h)
	} else {
		delete(g.seen, g.ring[g.next])
		g.ring[g.next] = h
		g.next = (g.next + 1) % g.window
	}
	g.seen[h] = struct{}{}
	return true
}
