package hugemem

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestFloat32s(t *testing.T) {
	var all [][]float32
	for _, n := range []int{0, 1, 1000, MinShared - 1, MinShared, 70000, perPage - 1, perPage, perPage + 1, 3*perPage + 7, MinShared} {
		x := Float32s(n)
		if len(x) != n || cap(x) != n {
			t.Fatalf("Float32s(%d) has length %d, capacity %d", n, len(x), cap(x))
		}
		for i, v := range x {
			if v != 0 {
				t.Fatalf("Float32s(%d)[%d] = %v, want 0", n, i, v)
			}
		}
		if supported && n >= perPage {
			if a := address(x); a%Page != 0 {
				t.Errorf("Float32s(%d) starts at %#x, not on a huge-page boundary", n, a)
			}
		}
		for i := range x {
			x[i] = float32(len(all))
		}
		all = append(all, x)
	}
	for k, x := range all { // no slice overlaps another
		for i, v := range x {
			if v != float32(k) {
				t.Fatalf("slice %d (of %d values)[%d] = %v: another slice overlaps it", k, len(x), i, v)
			}
		}
	}
}

func TestGrow(t *testing.T) {
	x := Grow(nil, 10)
	x[9] = 5
	if y := Grow(x, 7); &y[0] != &x[0] || len(y) != 7 {
		t.Fatal("Grow reallocated a slice that had room")
	}
	if y := Grow(x, 11); len(y) != 11 || y[9] != 0 {
		t.Fatalf("Grow(x, 11) = %d values, [9] = %v; want a new zeroed slice", len(y), y[9])
	}
}

// TestHugePagesUsed checks on Linux that a fresh buffer is backed by huge
// pages when the system gives them on request; it is skipped where the
// system has them off.
func TestHugePagesUsed(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("huge pages are asked for on Linux only")
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || strings.Contains(string(mode), "[never]") {
		t.Skip("transparent huge pages are off on this system")
	}
	before := anonHuge(t)
	x := Float32s(16 * Page / 4)
	for i := range x {
		x[i] = 1
	}
	if got := anonHuge(t) - before; got < 8*Page/1024 {
		t.Skipf("only %d KiB more in huge pages after touching a 32 MiB buffer: the system had none to give (fragmented memory)", got)
	}
	runtime.KeepAlive(x)
}

// anonHuge returns the process's anonymous memory in huge pages, in KiB.
func anonHuge(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Skip("no /proc/self/smaps_rollup")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "AnonHugePages:" {
			kb, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("smaps_rollup: %q", l)
			}
			return kb
		}
	}
	t.Skip("smaps_rollup has no AnonHugePages line")
	return 0
}

// TestCarversKeepApart checks that slices of two Carvers never share a
// huge page, and that one Carver's slices follow each other on its page.
func TestCarversKeepApart(t *testing.T) {
	if !supported {
		t.Skip("no huge pages here")
	}
	var a, b Carver
	x, y, z := a.Float32s(MinShared), b.Float32s(MinShared), a.Float32s(MinShared)
	if address(x)/Page == address(y)/Page {
		t.Error("two Carvers cut slices from the same huge page")
	}
	if address(z) != address(x)+4*MinShared {
		t.Errorf("a Carver's second slice starts at %#x, want right after its first (%#x)", address(z), address(x)+4*MinShared)
	}
}
