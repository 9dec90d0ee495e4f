package ae

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latent-ai/latent/runtime/host"
)

// TestLoadRefusesEarly: a wrong file is refused after its first bytes,
// however large it is or if it never ends.
func TestLoadRefusesEarly(t *testing.T) {
	dir := t.TempDir()
	sparse := filepath.Join(dir, "huge.bin")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(30 << 30); err != nil { // 30 GiB, sparse: no disk used
		t.Skipf("no sparse files here: %v", err)
	}
	f.Close()
	bigModel := filepath.Join(dir, "big.latent")
	f, _ = os.Create(bigModel)
	f.WriteString(fileMagic + "\x01\x00\x00\x00\x10\x00\x00\x00")
	f.Truncate(20 << 30)
	f.Close()
	for _, tc := range []struct{ path, want string }{
		{sparse, "not a Latent model file"},
		{"/dev/zero", "not a Latent model file"},
		{bigModel, "more than any model file"},
	} {
		if _, err := os.Stat(tc.path); err != nil {
			continue
		}
		_, err := LoadE(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadE(%s) = %v, want an error saying %q", tc.path, err, tc.want)
		}
	}
}

// TestHugeOutputsRefused: Sample and Interpolate with counts beyond memory
// panic with an out-of-memory error instead of ending the process.
func TestHugeOutputsRefused(t *testing.T) {
	v := Variational(16, 8, 2)
	for name, f := range map[string]func(){
		"Sample":      func() { v.Sample(1 << 40) },
		"Interpolate": func() { v.Interpolate(make([]float32, 16), make([]float32, 16), 1<<40) },
	} {
		func() {
			defer func() {
				var ae *host.AllocError
				if r := recover(); r == nil || !errors.As(r.(error), &ae) {
					t.Errorf("%s(1<<40): recovered %v, want a *host.AllocError", name, r)
				}
			}()
			f()
		}()
	}
}
