package kernel

import "sync"

// replayWindow is how many recent signed messages the kernel remembers to
// refuse a replay of.
const replayWindow = 4096

// replayGuard remembers the msg_ids of the last replayWindow signed
// messages, so that a captured message sent again is not executed twice
// (ipykernel refuses repeated signatures the same way). The header, and so
// the msg_id, is covered by the signature: an attacker without the key
// cannot change it.
type replayGuard struct {
	mu   sync.Mutex
	seen map[string]struct{}
	ring []string
	next int
}

func newReplayGuard() *replayGuard {
	return &replayGuard{seen: make(map[string]struct{}, replayWindow), ring: make([]string, replayWindow)}
}

// fresh records id and reports whether it was not seen recently.
func (g *replayGuard) fresh(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.seen[id]; dup {
		return false
	}
	if old := g.ring[g.next]; old != "" {
		delete(g.seen, old)
	}
	g.ring[g.next] = id
	g.next = (g.next + 1) % len(g.ring)
	g.seen[id] = struct{}{}
	return true
}
