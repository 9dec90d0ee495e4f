package kernel

import "testing"

// BenchmarkExecuteRoundTrip measures one trivial execute_request from a Go
// client to its execute_reply and idle status, with a fake evaluator: the
// kernel's own cost per cell (signing, encoding, sockets, iopub). The
// comparison with ipykernel is bench/kernel.sh.
func BenchmarkExecuteRoundTrip(b *testing.B) {
	tk := startKernel(b, Config{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := tk.send(tk.shell, "execute_request", map[string]any{"code": "result 2"})
		tk.recvReply(tk.shell, "execute_reply", id)
		tk.collect(id)
	}
}
