package host

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Go's out of memory is fatal: no recover stops it, and a notebook session
// would lose every variable. The watchdog stops the running cell before
// the heap gets there. It knows the memory the process may use (its
// limit: LATENT_MEMORY_LIMIT, else the cgroup's memory.max and the memory
// available when it starts), sets Go's soft memory limit a little below
// it (so the garbage collector works harder as the heap nears it), and
// samples the heap every few milliseconds. When the heap passes
// tripFraction of the limit, and has grown by more than a sixteenth of the
// limit since it was last low (so that a session whose variables already
// hold much of the memory can still run the cell that frees them), it
// forces a collection, and if the live heap is still over, it asks the
// host to stop the running cell with an *AllocError.
//
// It cannot stop a single allocation larger than what is left: those are
// checked before they are made (CheckAlloc), where the API knows the size.

const (
	tripFraction = 0.75
	softFraction = 0.9
	watchEvery   = 2 * time.Millisecond
)

var (
	stopMu    sync.Mutex
	stopCell  func(*AllocError) bool
	watchOnce sync.Once
	limitOnce sync.Once
	limitB    int64 // 0: unknown
	limitFrom string
)

// SetMemoryStop installs the host's way to stop the running cell when the
// watchdog finds the heap too large, and starts the watchdog. stop returns
// whether a cell was running (and is being stopped). Only one host stops
// cells at a time; the last call wins.
func SetMemoryStop(stop func(*AllocError) bool) {
	stopMu.Lock()
	stopCell = stop
	stopMu.Unlock()
	watchOnce.Do(func() {
		if limit, _ := MemoryLimit(); limit > 0 {
			if os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(int64(float64(limit) * softFraction))
			}
			go watch(limit)
		}
	})
}

// MemoryLimit returns the memory the process may use, and where the figure
// comes from; 0 when it is unknown. It is read once.
func MemoryLimit() (int64, string) {
	limitOnce.Do(func() {
		if v := os.Getenv("LATENT_MEMORY_LIMIT"); v != "" {
			if b, ok := parseBytes(v); ok {
				limitB, limitFrom = b, "LATENT_MEMORY_LIMIT"
				return
			}
		}
		if b, ok := cgroupLimit(); ok {
			limitB, limitFrom = b, "the cgroup's memory limit"
		}
		if avail, ok := availableMemory(); ok {
			if b := avail + heapBytes(); limitB == 0 || b < limitB {
				limitB, limitFrom = b, "the memory available at start"
			}
		}
	})
	return limitB, limitFrom
}

// parseBytes reads "1073741824", "1024MiB", "1GiB", "512M" or "2G".
func parseBytes(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n * mult, true
}

// cgroupLimit reads the memory limit of the process's cgroup (v2, then v1).
func cgroupLimit() (int64, bool) {
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err == nil && n > 0 && n < 1<<60 { // "max", or v1's "unlimited"
			return n, true
		}
	}
	return 0, false
}

var heapSamples = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}

// heapBytes returns the bytes of heap objects, live or not yet collected.
func heapBytes() int64 {
	s := heapSamples[:1:1]
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// liveHeap collects garbage and returns the live heap.
func liveHeap() int64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

func watch(limit int64) {
	trip := int64(float64(limit) * tripFraction)
	low := heapBytes()
	var lastGC time.Time
	for {
		time.Sleep(watchEvery)
		h := heapBytes()
		low = min(low, h)
		if h < trip || h-low < limit/16 || time.Since(lastGC) < 50*time.Millisecond {
			continue
		}
		lastGC = time.Now()
		live := liveHeap()
		low = min(low, live)
		if live < trip || live-low < limit/16 {
			continue
		}
		stopMu.Lock()
		stop := stopCell
		stopMu.Unlock()
		if stop != nil && stop(&AllocError{What: "the running cell", Bytes: live, Available: limit, Limit: true}) {
			low = live // the next cell may run to free what this one kept
		}
	}
}

// budget returns the memory an allocation may take now: what the machine
// has available, and no more than what the limit leaves beside the heap.
func budget() (int64, bool) {
	avail, ok := availableMemory()
	if limit, _ := MemoryLimit(); limit > 0 {
		left := limit - heapBytes()
		if !ok || left < avail {
			return max(left, 0), true
		}
	}
	return avail, ok
}
