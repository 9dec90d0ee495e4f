package dsl

import "github.com/latent-ai/latent/runtime/host"

// stopForMemory is the session's answer to the memory watchdog of package
// host. While a cell runs, it stops the running eval as an interrupt does,
// and the cell reports e as an "out of memory" error instead of an
// interruption; stopping the interpreter stops the goroutines earlier
// cells left running too. Between cells, when goroutines started by cells
// are still running, it stops the interpreter the same way (they are then
// the only interpreted code that can grow the heap) and the next cell
// warns of e on its stderr (see reportEarlierPanics). It returns false when there was nothing to stop, or a cell
// is starting (the watchdog then asks again).
func (s *Session) stopForMemory(e *host.AllocError) bool {
	if stop := s.stopEval.Load(); stop != nil {
		s.oom.Store(e)
		(*stop)()
		return true
	}
	if s.goLive.Load() <= 0 || !s.mu.TryLock() {
		return false
	}
	defer s.mu.Unlock()
	if s.in == nil || s.stopEval.Load() != nil {
		return false
	}
	e.What = "goroutines that earlier cells left running"
	yaegiStop(s.in)
	rearm(s.in)
	s.goPanic(e, 0)
	return true
}
