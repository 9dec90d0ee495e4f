package hugemem

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestFloat32s(t *testing.T) {
	for _, n := range []int{0, 1, 1000, Page/4 - 1, Page / 4, Page/4 + 1, 3*Page/4 + 7} {
		x := Float32s(n)
		if len(x) != n {
			t.Fatalf("Float32s(%d) has length %d", n, len(x))
		}
		for i, v := range x {
			if v != 0 {
				t.Fatalf("Float32s(%d)[%d] = %v, want 0", n, i, v)
			}
		}
		if supported && n >= Page/4 {
			if a := address(x); a%Page != 0 {
				t.Errorf("Float32s(%d) starts at %#x, not on a huge-page boundary", n, a)
			}
			if c := cap(x); c%(Page/4) != 0 || c < n || c-n >= Page/4 {
				t.Errorf("Float32s(%d) has capacity %d, want n rounded up to whole pages", n, c)
			}
		}
		for i := range x {
			x[i] = float32(i)
		}
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
			var kb int
			for _, c := range f[1] {
				kb = kb*10 + int(c-'0')
			}
			return kb
		}
	}
	t.Skip("smaps_rollup has no AnonHugePages line")
	return 0
}
