package kernel

import "sync"

// replayWindow is how many recent signed messages the kernel remembers to
// refuse a replay of.
const replayWindow = 4096

// replayGuard remembers the signatures of the last replayWindow signed
// messages, so that a captured message sent again is not executed twice,
// as ipykernel does. Signatures, not msg_ids, are the key: jupyter_client's
// KernelManager and KernelClient share a session and number their msg_ids
// independently, so two genuine messages can carry the same msg_id, while
// their signed headers (with timestamps) differ.
type replayGuard struct {
	mu   sync.Mutex
	seen map[string]struct{}
	ring []string
	next int
}

func newReplayGuard() *replayGuard {
	return &replayGuard{seen: make(map[string]struct{}, replayWindow), ring: make([]string, replayWindow)}
}

// fresh records a signature and reports whether it was not seen recently.
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
