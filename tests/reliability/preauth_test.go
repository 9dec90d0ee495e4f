package reliability

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// Peers without the key (issue 13): each test runs a scenario of
// py/hostile.py against the real binary on 127.0.0.1.

// TestEmptyFrameFlood sends up to 16 MiB of empty ZMTP frames as one
// endless message: the kernel must cut the connection off and not grow
// (before the fix it kept every frame, about 40 times what was sent).
func TestEmptyFrameFlood(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	res := k.runScenario("empty-frames", 3*time.Minute, "--n", strconv.Itoa(16<<20))
	grew := res.num("rss_after_kib") - res.num("rss_before_kib")
	t.Logf("sent %.0f bytes of empty frames; closed by the kernel: %v; RSS grew %.0f KiB", res.num("sent_bytes"), res["closed"], grew)
	if res["closed"] != true {
		t.Error("the kernel kept reading an endless message of empty frames")
	}
	if grew > 16<<10 {
		t.Errorf("RSS grew by %.0f KiB while refusing empty frames", grew)
	}
	if !strings.Contains(k.stderr.String(), "frames") {
		t.Errorf("no log line about the frames:\n%s", tail(k.stderr.String(), 2000))
	}
}

// TestPartialFramesTotal opens 24 connections that each announce a frame
// just under a 4 MiB message limit and send 95% of it: together they would
// hold 91 MiB; the kernel must cap the total (16 MiB here) and drop the
// connections over it.
func TestPartialFramesTotal(t *testing.T) {
	k := startKernel(t, kernelOpts{extraArgs: []string{"--max-message-size", "4194304"}})
	res := k.runScenario("partial-frames", 4*time.Minute, "--n", "24", "--code", strconv.Itoa(4<<20-4096))
	grew := res.num("rss_peak_kib") - res.num("rss_before_kib")
	t.Logf("24 connections with 4 MiB partial frames: %v closed by the kernel; RSS grew %.0f KiB at the peak", res["closed_by_kernel"], grew)
	if grew > 40<<10 {
		t.Errorf("RSS grew by %.0f KiB: the partial frames of all connections are not capped in total", grew)
	}
	if res.num("closed_by_kernel") < 12 {
		t.Errorf("only %v of 24 connections were dropped", res["closed_by_kernel"])
	}
}

// TestSubscriptionFlood subscribes one iopub peer to up to a million
// topics: the kernel must drop it, and cells keep their round trip.
func TestSubscriptionFlood(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	res := k.runScenario("subscriptions", 3*time.Minute, "--n", "1000000")
	t.Logf("subscriptions sent %v, peer dropped %v; median cell %.2f ms before, %.2f ms after (x%.1f)",
		res["subscriptions_sent"], res["closed"], 1000*res.num("cell_s_before"), 1000*res.num("cell_s_after"), res.num("slowdown"))
	if res["closed"] != true {
		t.Error("a peer subscribed to a million topics was kept")
	}
}

// TestHalfOpenConnections: 60 silent connections and 20 that send garbage
// must not keep a real client out, and the log lines about them are rate
// limited and carry the kernel's prefix.
func TestHalfOpenConnections(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	res := k.runScenario("half-open", 3*time.Minute, "--n", "20")
	t.Logf("a real client got its first cell through in %.2f s beside %v silent and %v garbage connections", res.num("client_s"), res["silent"], res["garbage"])
	var conn, bare int
	for _, line := range strings.Split(k.stderr.String(), "\n") {
		if strings.Contains(line, "connection") || strings.Contains(line, "zmq4") {
			conn++
			if !strings.HasPrefix(line, "latent kernel: ") {
				bare++
			}
		}
	}
	t.Logf("%d log lines about connections, %d without the kernel's prefix", conn, bare)
	if bare > 0 {
		t.Errorf("%d log lines about connections lack the kernel's prefix:\n%s", bare, tail(k.stderr.String(), 2000))
	}
	if conn > 25 {
		t.Errorf("%d log lines for 80 bad connections: not rate limited", conn)
	}
}

// TestReplayAfterManyMessages replays a signed execute_request after 6,000
// other messages (more than any window of remembered signatures): it must
// not run again.
func TestReplayAfterManyMessages(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	res := k.runScenario("replay-late", 4*time.Minute, "--n", "6000")
	t.Logf("runs of a message replayed after %v others: %v", res["between"], res["runs"])
	if res.num("runs") != 1 {
		t.Errorf("the message ran %v times, want 1", res["runs"])
	}
}

// TestHugeOutputs: a 40 MiB result and a 40 MiB display are published cut
// to a bounded size, with a notice that says why.
func TestHugeOutputs(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	res := k.runScenario("huge-outputs", 4*time.Minute)
	t.Logf("a 40 MiB result arrived as %v bytes, a 40 MiB display as %v bytes", res["result_bytes"], res["display_bytes"])
	for _, key := range []string{"result_bytes", "display_bytes"} {
		if n := res.num(key); n > 2<<20 {
			t.Errorf("%s: %.0f bytes published for one output", key, n)
		}
	}
}

// TestRefusedConnectionsFreed: peers that are refused, leave mid-frame or
// fail the handshake must not stay in zmq4's lists (before the fix, a peer
// gone mid-frame kept ~51 KiB for good).
func TestRefusedConnectionsFreed(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	res := k.runScenario("conn-churn", 4*time.Minute, "--n", "100")
	per, _ := res["heap_bytes_per_conn"].(map[string]any)
	t.Logf("live heap growth per connection: %v", per)
	for kind, v := range per {
		if b, _ := v.(float64); b > 16<<10 {
			t.Errorf("%s peers: the live heap grew %.0f bytes per connection", kind, b)
		}
	}
}
