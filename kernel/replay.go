package kernel

import (
	"strings"
	"sync"
	"time"
)

// replayWindow is how many recent signed messages the kernel remembers by
// signature.
const replayWindow = 4096

// maxSessions bounds the client sessions whose date floor is kept.
const maxSessions = 4096

// replayGuard refuses a signed message received before, however many
// messages came in between, in bounded memory. It remembers the
// signatures of the last replayWindow messages; when one is forgotten, the
// date its header carried becomes the floor of its session (the header's
// session field), and a later message of that session dated at or before
// the floor is refused. A replay is byte for byte the original, so it
// carries the original's date: either its signature is still remembered
// or its date is at or below the floor. A genuine client's dates increase
// (jupyter_client stamps each header in microseconds), so it never falls
// below its own floor. Floors are kept per session because clients' clocks
// differ; past maxSessions sessions, the lowest floor is folded into a
// floor for all sessions.
//
// Signatures, not msg_ids, are the key: jupyter_client's KernelManager and
// KernelClient share a session and number their msg_ids independently, so
// two genuine messages can carry the same msg_id, while their signed
// headers (with timestamps) differ. Signatures are compared in lower case,
// since the hex of a signature is accepted in either case. A message with
// no parsable date is guarded by its signature alone.
type replayGuard struct {
	mu     sync.Mutex
	seen   map[string]struct{}
	ring   []replayEntry
	next   int
	floors map[string]time.Time // session -> newest forgotten date
	global time.Time            // floor for every session
}

type replayEntry struct {
	sig, session string
	date         time.Time
}

func newReplayGuard() *replayGuard {
	return &replayGuard{seen: make(map[string]struct{}, replayWindow), ring: make([]replayEntry, replayWindow),
		floors: map[string]time.Time{}}
}

// fresh records a message's signature and reports whether the message is
// new: not seen recently and not dated at or before its session's floor.
func (g *replayGuard) fresh(sig string, h Header) bool {
	sig = strings.ToLower(sig)
	date, dated := h.sent()
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.seen[sig]; dup {
		return false
	}
	if dated && (!date.After(g.global) || !date.After(g.floors[h.Session])) {
		return false
	}
	if old := g.ring[g.next]; old.sig != "" {
		delete(g.seen, old.sig)
		g.raiseFloor(old)
	}
	g.ring[g.next] = replayEntry{sig: sig, session: h.Session, date: date}
	if !dated {
		g.ring[g.next].date = time.Time{}
	}
	g.next = (g.next + 1) % len(g.ring)
	g.seen[sig] = struct{}{}
	return true
}

// raiseFloor makes a forgotten message's date its session's floor.
func (g *replayGuard) raiseFloor(e replayEntry) {
	if e.date.IsZero() || !e.date.After(g.floors[e.session]) {
		return
	}
	if _, ok := g.floors[e.session]; !ok && len(g.floors) >= maxSessions {
		lowest, low := "", time.Time{}
		for s, d := range g.floors {
			if lowest == "" || d.Before(low) {
				lowest, low = s, d
			}
		}
		delete(g.floors, lowest)
		if low.After(g.global) {
			g.global = low
		}
	}
	g.floors[e.session] = e.date
}
