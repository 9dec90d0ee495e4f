package host

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Go ends the whole process, with no way to recover, when an allocation
// cannot be met; in a notebook that loses every variable of the session.
// CheckAlloc refuses such an allocation first, with an error that says
// why.

// checkAbove is the size from which CheckAlloc looks at the machine:
// smaller allocations are never refused and cost nothing to check.
const checkAbove = 256 << 20

// AllocError is the error of an allocation larger than the memory the
// machine has available.
type AllocError struct {
	What      string // what was to be allocated
	Bytes     int64  // its size
	Available int64  // the memory available (MemAvailable on Linux), or the limit
	// Limit is set when the watchdog stopped a cell whose heap grew to
	// Bytes, near the process's memory limit (Available).
	Limit bool
}

func (e *AllocError) Error() string {
	if e.Limit {
		_, from := MemoryLimit()
		return fmt.Sprintf("%s grew the heap to %s of the %s this session may use (%s): it was stopped before Go ran out of memory, "+
			"which would end the session. Free large variables (x = nil) or work on smaller pieces; the session is still running",
			e.What, gib(e.Bytes), gib(e.Available), from)
	}
	return fmt.Sprintf("%s needs %s but only %s is available: "+
		"make it smaller (Go cannot recover from running out of memory; the session would end)",
		e.What, gib(e.Bytes), gib(e.Available))
}

func gib(b int64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }

// CheckAlloc returns an *AllocError when bytes is more than the memory
// available, and nil when it fits or the available memory is unknown
// (outside Linux). what names the allocation in the message.
func CheckAlloc(what string, bytes int64) error {
	if bytes < checkAbove {
		return nil
	}
	avail, ok := budget()
	if !ok || bytes <= avail {
		return nil
	}
	return &AllocError{What: what, Bytes: bytes, Available: avail}
}

// availableMemory reads MemAvailable from /proc/meminfo.
func availableMemory() (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0, false
		}
		return kb << 10, true
	}
	return 0, false
}
