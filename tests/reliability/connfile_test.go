package reliability

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// connFileCell runs inside the kernel that `latent run --kernel` started
// and reports the mode, key length and IP of the connection file the
// runner wrote (the kernel's --connection-file argument).
const connFileCell = `import (
	"encoding/json"
	"fmt"
	"os"
)
connPath := ""
for i, a := range os.Args {
	if a == "--connection-file" && i+1 < len(os.Args) {
		connPath = os.Args[i+1]
	}
}
connInfo, connErr := os.Stat(connPath)
if connErr != nil {
	panic(connErr)
}
connBytes, _ := os.ReadFile(connPath)
connJSON := map[string]any{}
json.Unmarshal(connBytes, &connJSON)
fmt.Printf("mode=%v keylen=%d ip=%v scheme=%v\n", connInfo.Mode().Perm(), len(fmt.Sprint(connJSON["key"])), connJSON["ip"], connJSON["signature_scheme"])`

// TestRunnerConnectionFile runs a notebook with `latent run --kernel latent`
// (the runner acting as a Jupyter client over ZeroMQ): the connection file
// it writes for the kernel must be mode 0600, name loopback, and carry a
// random 256-bit key (64 hex digits) signed with hmac-sha256.
func TestRunnerConnectionFile(t *testing.T) {
	requireTools(t)
	dir := t.TempDir()
	nb := map[string]any{
		"cells": []map[string]any{{"cell_type": "code", "id": "conn", "metadata": map[string]any{},
			"source": connFileCell, "outputs": []any{}, "execution_count": nil}},
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "latent", "display_name": "Go (Latent)", "language": "go"}},
		"nbformat": 4, "nbformat_minor": 5,
	}
	b, _ := json.Marshal(nb)
	in, out := filepath.Join(dir, "conn.ipynb"), filepath.Join(dir, "out.ipynb")
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(latentBin, "run", "--kernel", "latent", in, "-o", out)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("latent run --kernel latent: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`mode=(\S+) keylen=(\d+) ip=(\S+) scheme=(\S+)`).FindStringSubmatch(strings.ReplaceAll(string(got), `\n`, "\n"))
	if m == nil {
		t.Fatalf("the cell printed no connection-file facts; output notebook:\n%s", got)
	}
	t.Logf("runner connection file: mode %s, key %s hex digits, ip %s, %s", m[1], m[2], m[3], m[4])
	if m[1] != "-rw-------" {
		t.Errorf("connection file mode %s, want -rw------- (0600)", m[1])
	}
	if m[2] != "64" {
		t.Errorf("key has %s hex digits, want 64 (256 bits)", m[2])
	}
	if m[3] != "127.0.0.1" {
		t.Errorf("connection file names ip %s, want 127.0.0.1", m[3])
	}
	if m[4] != "hmac-sha256" {
		t.Errorf("signature_scheme %s, want hmac-sha256", m[4])
	}
}
