package host

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCheckAlloc(t *testing.T) {
	if err := CheckAlloc("small", 1<<20); err != nil {
		t.Fatalf("1 MiB refused: %v", err)
	}
	if runtime.GOOS != "linux" {
		t.Skip("available memory is read on Linux only")
	}
	err := CheckAlloc("a slice of everything", 1<<62)
	var ae *AllocError
	if !errors.As(err, &ae) || ae.Available <= 0 {
		t.Fatalf("4 EiB: got %v, want an AllocError with the available memory", err)
	}
	if !strings.Contains(err.Error(), "a slice of everything needs") || !strings.Contains(err.Error(), "make it smaller") {
		t.Errorf("message %q does not say what and what to do", err)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"1073741824": 1 << 30, "512MiB": 512 << 20, "2G": 2 << 30, " 64 KiB ": 64 << 10} {
		if got, ok := parseBytes(in); !ok || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1G", "0"} {
		if _, ok := parseBytes(bad); ok {
			t.Errorf("parseBytes(%q) accepted", bad)
		}
	}
}

// TestWatchdogStopsGrowth: with a limit of 256 MiB above the current heap,
// a growing heap makes the watchdog call the host's stop with an
// *AllocError that says it was the limit.
func TestWatchdogStopsGrowth(t *testing.T) {
	limit := heapBytes() + 256<<20
	stopped := make(chan *AllocError, 1)
	stopMu.Lock()
	stopCell = func(e *AllocError) bool {
		select {
		case stopped <- e:
		default:
		}
		return true
	}
	stopMu.Unlock()
	go watch(limit)
	var keep [][]byte
	for i := 0; i < 64; i++ { // up to 512 MiB, in 8 MiB steps
		select {
		case e := <-stopped:
			if !e.Limit || !strings.Contains(e.Error(), "it was stopped") {
				t.Errorf("stop error %q", e)
			}
			return
		default:
		}
		keep = append(keep, make([]byte, 8<<20))
		for j := range keep[i] {
			keep[i][j] = 1
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the heap grew to %d MiB past a limit of %d MiB and the watchdog did not stop it", heapBytes()>>20, limit>>20)
}

// TestMemoryLimitKnown: on Linux the limit comes from the cgroup or the
// memory available, so the watchdog and Go's soft limit are always set.
func TestMemoryLimitKnown(t *testing.T) {
	if runtime.GOOS != "linux" || os.Getenv("LATENT_MEMORY_LIMIT") != "" {
		t.Skip("Linux without LATENT_MEMORY_LIMIT only")
	}
	limit, from := MemoryLimit()
	if limit <= 0 || from == "" {
		t.Fatalf("no memory limit found (%d, %q)", limit, from)
	}
	t.Logf("limit %d MiB from %s", limit>>20, from)
}
