package nbtools

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

type collected struct {
	mu   sync.Mutex
	text map[string]string
	seen chan struct{} // closed at the first output
	once sync.Once
}

func newCollected() *collected {
	return &collected{text: map[string]string{}, seen: make(chan struct{})}
}

func (c *collected) out(stream, text string) {
	c.mu.Lock()
	c.text[stream] += text
	c.mu.Unlock()
	c.once.Do(func() { close(c.seen) })
}

func TestShell(t *testing.T) {
	c := newCollected()
	status, err := Shell(context.Background(), "sh", "echo out; echo err >&2; exit 3", c.out)
	if err != nil || status != 3 {
		t.Fatalf("Shell = %d, %v; want status 3", status, err)
	}
	if c.text["stdout"] != "out\n" || c.text["stderr"] != "err\n" {
		t.Fatalf("output %q", c.text)
	}
	if _, err := Shell(context.Background(), "no-such-shell-xyz", "true", c.out); err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Fatalf("a missing shell: %v", err)
	}
}

// TestShellStreamsAndInterrupts checks that output arrives while the
// command runs and that cancelling stops the whole process group, a
// background child included.
func TestShellStreamsAndInterrupts(t *testing.T) {
	c := newCollected()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := Shell(ctx, "sh", "echo started; sleep 60 & sleep 60; echo never", c.out)
		done <- err
	}()
	select {
	case <-c.seen:
	case <-time.After(30 * time.Second):
		t.Fatal("no output while the command ran")
	}
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "interrupted") {
			t.Fatalf("interrupted Shell returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the interrupted command did not stop")
	}
	if strings.Contains(c.text["stdout"], "never") || time.Since(start) > 50*time.Second {
		t.Fatalf("the command ran on: %q", c.text)
	}
}
