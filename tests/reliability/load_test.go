package reliability

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// loadN is the number of execute requests of TestSequentialLoad:
// LATENT_LOAD_N when set, 1,000 under -short, else 10,000.
func loadN() int {
	if s := os.Getenv("LATENT_LOAD_N"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 1000 {
			return n
		}
	}
	if testing.Short() {
		return 1000
	}
	return 10000
}

// TestSequentialLoad sends 10,000 execute requests (pipelined 100 at a
// time): every reply arrives in order with consecutive execution counts,
// the state is exact, and resident memory, goroutines and threads are flat
// after warm-up.
func TestSequentialLoad(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	n := loadN()
	res := k.runScenario("load", 10*time.Minute, "--n", strconv.Itoa(n))
	samples, _ := res["samples"].([]any)
	if len(samples) < 1 {
		t.Fatalf("no samples: %v", res)
	}
	type sample struct{ sent, rss, heap, threads, gor float64 }
	var ss []sample
	var table strings.Builder
	fmt.Fprintf(&table, "%8s %10s %14s %8s %11s\n", "requests", "RSS KiB", "live heap KiB", "threads", "goroutines")
	for _, s := range samples {
		m := s.(map[string]any)
		x := sample{m["sent"].(float64), m["VmRSS"].(float64), m["heap"].(float64) / 1024, m["Threads"].(float64), m["goroutines"].(float64)}
		ss = append(ss, x)
		fmt.Fprintf(&table, "%8.0f %10.0f %14.0f %8.0f %11.0f\n", x.sent, x.rss, x.heap, x.threads, x.gor)
	}
	t.Logf("%d requests in %.1f s (%.2f ms each, pipelined 100 deep)\n%s",
		n, res.num("elapsed_s"), res.num("per_request_ms"), table.String())
	// Warm-up: the first sample (after 1,000 requests) is the baseline
	// when there are several; the interpreter and history settle by then.
	base, last := ss[0], ss[len(ss)-1]
	if len(ss) > 2 {
		base = ss[1]
	}
	if last.gor > base.gor+8 {
		t.Errorf("goroutines grew from %.0f to %.0f", base.gor, last.gor)
	}
	if last.threads > base.threads+4 {
		t.Errorf("threads grew from %.0f to %.0f", base.threads, last.threads)
	}
	cells := last.sent - base.sent
	if cells == 0 {
		return
	}
	// yaegi v0.16.1 keeps the syntax tree of every evaluated source
	// (interp.roots, appended in interp/ast.go for its debugger), so the
	// live heap grows by about 2 KB per cell however small; everything
	// else must be flat. Allow 4 KiB per cell of live heap, and RSS growth
	// no larger than the heap's plus 16 MiB.
	perCell := (last.heap - base.heap) * 1024 / cells
	t.Logf("live heap: %+.0f bytes per cell after warm-up; RSS %+.0f KiB over %.0f cells", perCell, last.rss-base.rss, cells)
	if perCell > 2048*0.5 {
		t.Logf("KNOWN ISSUE: the live heap grows by %.0f bytes per executed cell (yaegi keeps every cell's syntax tree), %.1f MiB per 10,000 cells", perCell, perCell*10000/(1<<20))
	}
	if perCell > 4096 {
		t.Errorf("live heap grew by %.0f bytes per cell (%.0f -> %.0f KiB over %.0f cells): a leak beyond yaegi's per-cell syntax tree", perCell, base.heap, last.heap, cells)
	}
	if limit := 1.5*(last.heap-base.heap) + 16<<10; last.rss-base.rss > limit {
		t.Errorf("RSS grew by %.0f KiB over %.0f cells, more than the live heap explains (limit %.0f KiB)", last.rss-base.rss, cells, limit)
	}
}

// TestMultipleClients attaches two jupyter_client clients (and a passive
// iopub subscriber) to one kernel: each gets its own replies, every client
// sees every execution on iopub, and state is shared.
func TestMultipleClients(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	res := k.runScenario("multi", 3*time.Minute)
	t.Logf("clients %v, rounds %v", res["clients"], res["rounds"])
}

// TestStalledSubscriber connects an iopub subscriber that never reads
// while 150 cells each publish about 1 MiB (the session's per-cell stream
// cap): shell replies and the heartbeat keep answering, the live client gets
// every status message, and the kernel's resident memory stays bounded.
func TestStalledSubscriber(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	cells := 150
	if testing.Short() {
		cells = 30
	}
	res := k.runScenario("stall", 8*time.Minute, "--n", strconv.Itoa(cells))
	base, peak := res.num("rss_base_kib"), res.num("rss_peak_kib")
	out, got := res.num("output_bytes"), res.num("live_client_received_bytes")
	t.Logf("a cell printing %.0f MiB shows %.2f MiB (the session's cap) to a live client with no stalled subscriber",
		res.num("normal_output_bytes")/(1<<20), res.num("normal_received_bytes")/(1<<20))
	t.Logf("with a stalled subscriber: %v cells published %.0f MiB; live client received %.1f MiB (%.1f%%); RSS %.0f -> peak %.0f KiB; heartbeat %v pings, max %.1f ms",
		res["cells"], out/(1<<20), got/(1<<20), 100*got/out, base, peak, res["hb_pings"], res.num("hb_max_ms"))
	// Bounded: the kernel may hold its iopub queue (64 MiB by default) and
	// socket buffers, not all the output.
	if grow := peak - base; grow > 160<<10 {
		t.Errorf("RSS grew by %.0f MiB while a subscriber stalled (output %.0f MiB): iopub is not bounded", grow/1024, out/(1<<20))
	}
	logs := k.stderr.String()
	if !strings.Contains(logs, "stalled") && !strings.Contains(logs, "dropp") {
		t.Logf("note: the kernel logged nothing about the stalled subscriber")
	}
}
