package kernel

import (
	"errors"
	"testing"
)

// FuzzFrameParser feeds arbitrary bytes to the ZMTP frame guard, whole and
// split at every byte: it must never panic, and the split must not change
// the verdict.
func FuzzFrameParser(f *testing.F) {
	greeting := make([]byte, zmtpGreeting)
	f.Add(append(append([]byte(nil), greeting...), 0x00, 0x03, 'a', 'b', 'c'), int64(1<<20))
	f.Add(append(append([]byte(nil), greeting...), 0x02, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), int64(1<<20))
	f.Add(append(append([]byte(nil), greeting...), 0x01, 0xff, 0x01, 0xff), int64(300))
	f.Fuzz(func(t *testing.T, stream []byte, limit int64) {
		whole := frameParser{skip: zmtpGreeting}
		errWhole := whole.feed(stream, limit)
		split := frameParser{skip: zmtpGreeting}
		var errSplit error
		for i := 0; i < len(stream) && errSplit == nil; i++ {
			errSplit = split.feed(stream[i:i+1], limit)
		}
		if (errWhole == nil) != (errSplit == nil) {
			t.Fatalf("verdict depends on how the bytes arrive: whole %v, split %v", errWhole, errSplit)
		}
		if errWhole != nil && !errors.Is(errWhole, errOversized) {
			t.Fatalf("unexpected error %v", errWhole)
		}
	})
}

// FuzzConnectionInfo checks that no connection file makes the parser panic
// and that what it accepts can be bound (valid ports, a known transport).
func FuzzConnectionInfo(f *testing.F) {
	f.Add([]byte(`{"transport":"tcp","ip":"127.0.0.1","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5,"key":"k","signature_scheme":"hmac-sha256"}`))
	f.Add([]byte(`{"transport":"ipc","ip":"/tmp/k","shell_port":1}`))
	f.Add([]byte(`{"ip":"::1","shell_port":70000}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ci, err := ParseConnectionInfo(b)
		if err != nil {
			return
		}
		if ci.Transport != "tcp" && ci.Transport != "ipc" {
			t.Fatalf("accepted transport %q", ci.Transport)
		}
		if ci.Transport == "tcp" {
			for _, p := range ci.ports() {
				if p.port < 1 || p.port > 65535 {
					t.Fatalf("accepted %s port %d", p.name, p.port)
				}
			}
		}
		_ = ci.endpoint(ci.ShellPort)
	})
}
