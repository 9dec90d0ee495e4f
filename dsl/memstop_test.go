package dsl

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/runtime/host"
)

// TestStopForMemoryBetweenCells checks that the watchdog's stop, coming
// while no cell runs, stops the goroutines earlier cells left running, that
// the next cell warns of it as "out of memory", and that the session keeps
// its state and can start goroutines again.
func TestStopForMemoryBetweenCells(t *testing.T) {
	s := newSession(t)
	run := func(code string) (*display.Bundle, error) {
		return s.Execute(context.Background(), code, newRecSink())
	}
	if _, err := run("kept := 7\nticks := 0\ngo func() { for { ticks++; time.Sleep(time.Millisecond) } }()"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if !s.stopForMemory(&host.AllocError{Bytes: 3 << 30, Available: 4 << 30, Limit: true}) {
		t.Fatal("the stop found nothing to stop while a goroutine of the session ran")
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.goLive.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := s.goLive.Load(); n != 0 {
		t.Fatalf("%d goroutines of the session still count as live after the stop", n)
	}
	// The next cell runs, and warns of the stop on its stderr.
	sink := newRecSink()
	_, err := s.Execute(context.Background(), "fmt.Println(kept)", sink)
	if warn := sink.out("stderr"); err != nil || !strings.Contains(warn, "out of memory") ||
		!strings.Contains(warn, "goroutines that earlier cells left running") || sink.out("stdout") != "7\n" {
		t.Fatalf("the next cell did not report the stop: %v, stderr %q", err, warn)
	}
	b, err := run("before := ticks\ntime.Sleep(50 * time.Millisecond)\nticks == before && kept == 7")
	if err != nil || b.Data["text/plain"] != "true" {
		t.Fatalf("the goroutine kept running or the session lost its state: %v %v", b, err)
	}
	if s.stopForMemory(&host.AllocError{Limit: true}) {
		t.Fatal("the stop claimed to stop something with nothing running")
	}
	b, err = run("done := make(chan int)\ngo func() { done <- kept }()\n<-done")
	if err != nil || b.Data["text/plain"] != "7" {
		t.Fatalf("goroutines do not run after the stop: %v %v", b, err)
	}
}
