package dsl

import "github.com/latent-ai/latent/runtime/host"

// stopForMemory is the session's answer to the memory watchdog of package
// host: it stops the running eval as an interrupt does, and the cell
// reports e as an "out of memory" error instead of an interruption. It
// returns false when no cell is running.
func (s *Session) stopForMemory(e *host.AllocError) bool {
	stop := s.stopEval.Load()
	if stop == nil {
		return false
	}
	s.oom.Store(e)
	(*stop)()
	return true
}
