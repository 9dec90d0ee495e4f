package ae

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killChildEnv makes the test binary act as the training process that
// TestCheckpointSurvivesSIGKILL kills.
const killChildEnv = "LATENT_AE_KILL_CHILD"

// killRun is the training run both processes perform: big enough that an
// epoch lasts a while, deterministic given its seeds.
func killRun(ck string, child bool) (*Model, *History) {
	train := blobs("train", 3000, 1, 16, 16, 5)
	m := Dense(256, 128, 16)
	h := m.Fit(train, Epochs(6), Batch(16), Quiet(), Checkpoint(ck), AfterEpoch(func(e *Epoch) {
		if child {
			os.Stdout.WriteString("epoch done\n")
		}
	}))
	return m, h
}

// TestCheckpointSurvivesSIGKILL kills a training process with SIGKILL in
// the middle of an epoch, resumes from its checkpoint in this process, and
// checks that at most the interrupted epoch was lost and that the result is
// identical to an uninterrupted run.
func TestCheckpointSurvivesSIGKILL(t *testing.T) {
	if p := os.Getenv(killChildEnv); p != "" {
		killRun(p, true)
		return
	}
	if testing.Short() {
		t.Skip("spawns a training process; skipped with -short")
	}
	ck := filepath.Join(t.TempDir(), "ck.ae")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointSurvivesSIGKILL$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+ck)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	epochs := 0
	for epochs < 2 && sc.Scan() {
		if strings.Contains(sc.Text(), "epoch done") {
			epochs++
		}
	}
	time.Sleep(30 * time.Millisecond) // into the third epoch
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if epochs < 2 {
		t.Fatalf("the child finished only %d epochs before exiting", epochs)
	}
	f, err := readFile(ck)
	if err != nil {
		t.Fatalf("checkpoint unreadable after SIGKILL: %v", err)
	}
	if f.State.Epoch < epochs {
		t.Fatalf("checkpoint holds epoch %d, but %d epochs had finished", f.State.Epoch, epochs)
	}
	resumed, h := killRun(ck, false)
	if len(h.Train) != 6 {
		t.Fatalf("resumed history has %d epochs, want 6", len(h.Train))
	}
	fresh, hf := killRun(filepath.Join(t.TempDir(), "other.ae"), false)
	equalWeights(t, fresh, resumed, "resumed after SIGKILL")
	if h.Train[5] != hf.Train[5] {
		t.Errorf("final loss %v after resume, %v uninterrupted", h.Train[5], hf.Train[5])
	}
}
