package reliability

import (
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// TestHostileMessages sends messages with wrong keys, missing, truncated
// or foreign signatures, missing or malformed headers and contents, no
// delimiter, too many identities, garbage and unknown types. Each would
// create a marker file if it ran; none may, and the kernel keeps serving.
func TestHostileMessages(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	res := k.runScenario("wire", 3*time.Minute)
	if ents, _ := os.ReadDir(k.dir); len(ents) == 0 {
		t.Fatal("the scenario left no files: the control cell did not run")
	}
	t.Logf("hostile messages: %v, unknown-type replies: %v, executions of a replayed message: %v",
		res["hostile_messages"], res["unknown_replies"], res["replay_runs"])
	knownIssues(t, res)
	if k.exited() {
		t.Fatal("kernel exited during hostile input")
	}
	logs := k.stderr.String()
	if !strings.Contains(logs, "signature") {
		t.Errorf("kernel stderr does not log the refused signatures:\n%s", tail(logs, 2000))
	}
}

// TestMutatedMessages sends 2,000 random mutations of valid signed
// execute_requests (bit flips, truncations, deleted, inserted, swapped or
// extended frames, all within the signed part): none may execute, none
// may be answered, and the kernel keeps serving.
func TestMutatedMessages(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	n := "2000"
	if testing.Short() {
		n = "300"
	}
	res := k.runScenario("mutations", 5*time.Minute, "--n", n)
	t.Logf("%v mutated messages by kind %v; replies to them: %v", res["mutations"], res["kinds"], res["replies_to_mutated"])
	knownIssues(t, res)
	// Messages accepted because only the case of their signature's hex
	// letters changed are answered too; nothing else may be.
	if r := res.num("replies_to_mutated") - res.num("case_changed_accepted"); r != 0 {
		t.Errorf("the kernel answered %v mutated messages", r)
	}
}

// TestOversizedMessage sends a raw ZMTP frame that announces 1 TiB and a
// real signed message just above --max-message-size: both are refused with
// a clear log line, memory does not jump, and the kernel keeps serving.
func TestOversizedMessage(t *testing.T) {
	const limit = 4 << 20
	k := startKernel(t, kernelOpts{extraArgs: []string{"--max-message-size", "4194304"}})
	res := k.runScenario("oversize", 2*time.Minute, "--n", "5000000")
	before, after := res.num("rss_before_kib"), res.num("rss_after_kib")
	t.Logf("RSS before %.0f KiB, after %.0f KiB; oversized message %v bytes (limit %d)", before, after, res["oversized_bytes"], limit)
	if after-before > 64<<10 {
		t.Errorf("RSS grew by %.0f KiB while refusing oversized input", after-before)
	}
	logs := k.stderr.String()
	if n := strings.Count(logs, "larger than"); n < 2 {
		t.Errorf("want a log line for each of the 2 oversized messages, got %d:\n%s", n, tail(logs, 3000))
	}
}

// TestConnectionFileMode checks that the kernel warns about a connection
// file that other users can read, and says nothing about a 0600 one.
func TestConnectionFileMode(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{
		{0o600, false},
		{0o640, true},
		{0o644, true},
		{0o666, true},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			k := startKernel(t, kernelOpts{mode: tc.mode})
			k.exec(`1`)
			logs := k.stderr.String()
			warned := strings.Contains(logs, "chmod 600")
			if warned != tc.warn {
				t.Errorf("mode %04o: warned=%v, want %v; stderr:\n%s", tc.mode, warned, tc.warn, tail(logs, 2000))
			}
		})
	}
}

// TestBindsOnlyNamedIP checks from /proc that the kernel's five listening
// sockets use exactly the IP of the connection file, never a wildcard.
func TestBindsOnlyNamedIP(t *testing.T) {
	ips := []string{"127.0.0.1", "127.0.0.2"}
	if l, err := net.Listen("tcp", "[::1]:0"); err == nil {
		l.Close()
		ips = append(ips, "::1")
	}
	for _, ip := range ips {
		t.Run(ip, func(t *testing.T) {
			k := startKernel(t, kernelOpts{ip: ip})
			if !strings.Contains(ip, ":") {
				// jupyter_client 7.4 cannot dial IPv6 endpoints; for ::1
				// startKernel has already seen the five sockets listen.
				k.exec(`1`)
			}
			ls, err := listeningSockets(k.pid())
			if err != nil {
				t.Fatal(err)
			}
			want := net.ParseIP(ip)
			ports := map[int]bool{}
			for _, l := range ls {
				if !l.ip.Equal(want) {
					t.Errorf("kernel listens on %s port %d; the connection file names only %s", l.ip, l.port, ip)
				}
				ports[l.port] = true
			}
			for _, p := range k.info.ports() {
				if !ports[p] {
					t.Errorf("kernel does not listen on port %d of the connection file", p)
				}
			}
			if len(ls) != 5 {
				t.Errorf("kernel has %d listening sockets, want the 5 of the connection file: %v", len(ls), ls)
			}
		})
	}
}
