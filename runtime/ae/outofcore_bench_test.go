package ae

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/nn"
)

// BenchmarkOutOfCore trains one epoch of a dense 784-64 model on float32
// .npy files of growing size, loaded into memory (data.LoadNPY) and
// memory-mapped from disk (data.OpenNPY), and reports the peak anonymous
// memory (the process's own memory: heap, stacks; sampled from
// /proc/self/status RssAnon every 2 ms) and the peak resident set
// (VmHWM, which also counts the file's pages the kernel keeps cached while
// they are in use, and may drop under memory pressure). Run:
//
//	go test -run XXX -bench OutOfCore -benchtime 1x ./runtime/ae
//
// LATENT_OOC_MB lists the sizes in MB (default "64,256,1024");
// LATENT_OOC_DIR keeps the generated files there for later runs (under a
// memory limit, say).
func BenchmarkOutOfCore(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs Linux /proc to measure memory")
	}
	sizes := []int{64, 256, 1024}
	if v := os.Getenv("LATENT_OOC_MB"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, _ := strconv.Atoi(f)
			sizes = append(sizes, n)
		}
	}
	dir := os.Getenv("LATENT_OOC_DIR") // keeps the files between runs
	if dir == "" {
		dir = b.TempDir()
	}
	for _, mode := range []string{"mapped", "loaded"} {
		for _, mb := range sizes {
			path := filepath.Join(dir, fmt.Sprintf("x%d.npy", mb))
			if _, err := os.Stat(path); err != nil {
				writeRandomNPY(b, path, mb<<20/(4*784), 784)
			}
			b.Run(fmt.Sprintf("%s/%dMB", mode, mb), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					runtime.GC()
					debug.FreeOSMemory()
					os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM
					stop := make(chan struct{})
					var peak atomic.Int64
					go samplePeak(stop, &peak)
					var set *data.Set
					var err error
					if mode == "mapped" {
						set, err = data.OpenNPYE(path)
					} else {
						set, err = data.LoadNPY(path)
					}
					if err != nil {
						b.Fatal(err)
					}
					m := Dense(784, 64).WithOutputActivation(nn.Identity)
					start := time.Now()
					if _, err := m.FitE(set, Epochs(1), Batch(256), Quiet()); err != nil {
						b.Fatal(err)
					}
					el := time.Since(start)
					close(stop)
					time.Sleep(5 * time.Millisecond)
					b.ReportMetric(float64(mb), "MB-data")
					b.ReportMetric(float64(peak.Load())/(1<<20), "MB-peak-anon")
					b.ReportMetric(float64(statusKB("VmHWM"))/1024, "MB-peak-rss")
					b.ReportMetric(float64(set.N)/el.Seconds(), "samples/s")
					runtime.KeepAlive(set)
				}
			})
		}
	}
}

// writeRandomNPY writes an n×d float32 .npy of values in [0, 1] in pieces.
func writeRandomNPY(b *testing.B, path string, n, d int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := data.WriteNPYHeader(w, []int{n, d}); err != nil {
		b.Fatal(err)
	}
	rng := nn.NewRNG(1)
	var buf [4]byte
	for i := 0; i < n*d; i++ {
		binary.LittleEndian.PutUint32(buf[:], math.Float32bits(rng.Float32()))
		w.Write(buf[:])
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// samplePeak records the largest RssAnon seen until stop is closed.
func samplePeak(stop chan struct{}, peak *atomic.Int64) {
	for {
		if v := statusKB("RssAnon") * 1024; v > peak.Load() {
			peak.Store(v)
		}
		select {
		case <-stop:
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// statusKB reads a "Name: N kB" line of /proc/self/status.
func statusKB(name string) int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}
