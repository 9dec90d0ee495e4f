package dsl

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/latent-ai/latent/display"
)

func TestInterruptKeepsState(t *testing.T) {
	s := newSession(t)
	runSteps(t, s, []step{{code: "kept := 7\ncount := 0", result: ""}})
	ctx, cancel := context.WithCancel(context.Background())
	var cancelled time.Time
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancelled = time.Now()
		cancel()
	}()
	_, err := s.Execute(ctx, "for {\n\tcount++\n}", newRecSink())
	t.Logf("Execute returned %s after the interrupt", time.Since(cancelled))
	var de *display.Error
	if !errors.As(err, &de) || de.Name != "Interrupted" {
		t.Fatalf("busy loop: got %v, want an Interrupted error", err)
	}
	runSteps(t, s, []step{
		{code: "kept", result: "7"},
		{code: "count > 0", result: "true"},
	})
}

func TestStdin(t *testing.T) {
	s := newSession(t)
	sink := newRecSink()
	sink.inputs = []string{"42", "hello world"}
	b, err := s.Execute(context.Background(), "var n int\nfmt.Scanln(&n)\nimport (\"bufio\"; \"os\")\nr := bufio.NewReader(os.Stdin)\nline, _ := r.ReadString('\\n')\nfmt.Sprint(n+1, \" \", line)", sink)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Data["text/plain"]; got != "43 hello world\n" {
		t.Fatalf("stdin result %q", got)
	}
	if sink.prompts != 2 {
		t.Fatalf("%d input requests, want 2", sink.prompts)
	}
	none := newRecSink()
	none.noStdin = true
	b, err = s.Execute(context.Background(), "_, err := fmt.Scanln(&n)\nerr.Error()", none)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Data["text/plain"].(string); !strings.Contains(got, "does not accept input") {
		t.Fatalf("no-stdin error %q", got)
	}
	if !strings.Contains(none.out("stderr"), "does not accept input") {
		t.Fatalf("no note on stderr: %q", none.out("stderr"))
	}
}

func TestOutputFloodIsBounded(t *testing.T) {
	s := newSession(t)
	sink := newRecSink()
	start := time.Now()
	// 100 MB in 1 MB writes, then a marker at the very end.
	_, err := s.Execute(context.Background(), "import \"strings\"\nchunk := strings.Repeat(\"x\", 1<<20)\nfor i := 0; i < 100; i++ { fmt.Print(chunk) }\nfmt.Print(\"THE-END\")", sink)
	if err != nil {
		t.Fatal(err)
	}
	out := sink.out("stdout")
	if len(out) > streamHead+streamTail+1024 {
		t.Fatalf("stdout carried %d bytes, want at most %d", len(out), streamHead+streamTail+1024)
	}
	if !strings.Contains(out, "truncated") || !strings.HasSuffix(out, "THE-END") || !strings.HasPrefix(out, "xxx") {
		t.Fatalf("flood output lacks start, notice or end: %q ... %q", out[:40], out[len(out)-200:])
	}
	t.Logf("100 MB print: %d bytes shown, %d messages, %s", len(out), sink.messages, time.Since(start))
	runSteps(t, s, []step{{code: "1", result: "1"}})
}

func TestStreamsAreCoalesced(t *testing.T) {
	s := newSession(t)
	sink := newRecSink()
	start := time.Now()
	_, err := s.Execute(context.Background(), "import \"time\"\nfor i := 0; i < 300; i++ { fmt.Println(i); time.Sleep(time.Millisecond) }", sink)
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	// Flushes happen every streamInterval, plus one at the end.
	limit := int(d/streamInterval) + 2
	if sink.messages > limit {
		t.Fatalf("%d stream messages in %s, want at most %d", sink.messages, d, limit)
	}
	if !strings.Contains(sink.out("stdout"), "299\n") {
		t.Fatal("lost output")
	}
}

func TestRuntimeInCells(t *testing.T) {
	s := newSession(t)
	sink := newRecSink()
	b, err := s.Execute(context.Background(), "train := data.TimeSeries(256, 16, 0, 1)\nm := ae.Dense(16, 8, 2)\nh := m.Fit(train, ae.Epochs(3), ae.Batch(32))\nh", sink)
	if err != nil {
		t.Fatal(err)
	}
	// The live display above already draws the loss curve, so the history
	// of this cell's Fit shows as text (a later cell draws its figure).
	if b == nil || b.Data["image/png"] != nil || !strings.Contains(b.Data["text/plain"].(string), "3 epochs") {
		t.Fatalf("a history shown in its own Fit's cell: %v", b)
	}
	if h, _ := s.Execute(context.Background(), "h", sink); h == nil || h.Data["image/png"] == nil && h.Data["image/svg+xml"] == nil {
		t.Fatalf("a history is not shown as a figure in a later cell: %v", h)
	}
	if len(sink.displays) == 0 || sink.displays[0].ID == "" {
		t.Fatalf("no live progress display: %d displays", len(sink.displays))
	}
	if sink.updates == 0 {
		t.Fatalf("progress was never updated (%d displays)", len(sink.displays))
	}
	// Interrupting a long Fit leaves the model usable.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(300 * time.Millisecond)
		cancel()
	}()
	_, err = s.Execute(ctx, "h2 := m.Fit(train, ae.Epochs(1000000), ae.Batch(8), ae.Quiet())", newRecSink())
	var de *display.Error
	if !errors.As(err, &de) || de.Name != "Interrupted" {
		t.Fatalf("interrupted Fit: %v", err)
	}
	runSteps(t, s, []step{
		{code: "h3 := m.Fit(train, ae.Epochs(1), ae.Quiet())\nlen(h3.Train)", result: "1"},
	})
}

// TestBlockedCompiledCall interrupts a cell blocked in a compiled call that
// ignores cancellation: the cell is reported as interrupted and the session
// carries on in a fresh interpreter with its state.
func TestBlockedCompiledCall(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the stop grace period")
	}
	s := newSession(t)
	runSteps(t, s, []step{{code: "import \"sync\"\nv := 5\nfunc tw(x int) int { return 2 * x }", result: ""}})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	// The group is the func literal's own: the abandoned call touches no
	// variable of the session.
	_, err := s.Execute(ctx, "func() {\n\tvar wg sync.WaitGroup\n\twg.Add(1)\n\twg.Wait()\n}()", newRecSink())
	var de *display.Error
	if !errors.As(err, &de) || de.Name != "Interrupted" || !strings.Contains(de.Value, "fresh interpreter") {
		t.Fatalf("blocked call: %v", err)
	}
	runSteps(t, s, []step{{code: "tw(v)", result: "10"}})
}

// TestNoGoroutineGrowth runs many cells and checks that the session does
// not leave goroutines behind.
func TestNoGoroutineGrowth(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	run := func(n int) {
		for i := 0; i < n; i++ {
			if _, err := s.Execute(ctx, "fmt.Print(1)", newRecSink()); err != nil {
				t.Fatal(err)
			}
		}
	}
	run(50)
	time.Sleep(50 * time.Millisecond)
	before := runtime.NumGoroutine()
	run(500)
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Fatalf("goroutines grew from %d to %d over 500 cells", before, after)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestCompaction runs thousands of cells: the session moves to a fresh
// interpreter every compactEvery cells when every variable can move, so
// memory stays flat and values survive; a closure in a variable keeps the
// interpreter (and its meaning) as it is.
func TestCompaction(t *testing.T) {
	if testing.Short() {
		t.Skip("runs thousands of cells")
	}
	s := newSession(t)
	ctx := context.Background()
	runSteps(t, s, []step{{code: "type P struct{ X int }\nfunc (p P) Twice() int { return 2 * p.X }\np := P{21}\nxs := []float64{1.5}\nvar err error\nn := 0\nm := ae.Dense(4, 2)"}})
	run := func(cells int) {
		for i := 0; i < cells; i++ {
			if _, err := s.Execute(ctx, "n++", discardSink{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	run(compactEvery + 10)
	if s.sinceNew > 100 {
		t.Fatalf("no compaction after %d cells (sinceNew %d)", compactEvery+10, s.sinceNew)
	}
	h0 := heapInUse()
	run(2 * compactEvery)
	h1 := heapInUse()
	t.Logf("heap %d -> %d bytes over %d cells", h0, h1, 2*compactEvery)
	if h1 > h0+(1<<20) {
		t.Errorf("heap grew by %d bytes over %d cells despite compaction", h1-h0, 2*compactEvery)
	}
	runSteps(t, s, []step{
		{code: "fmt.Sprint(p.Twice(), xs, err, n, m != nil)", result: fmt.Sprintf("42 [1.5] <nil> %d true", 3*compactEvery+10)},
		{code: "count := 0\ninc := func() { count++ }"},
	})
	for i := 0; i < compactEvery+10; i++ {
		if _, err := s.Execute(ctx, "inc()", discardSink{}); err != nil {
			t.Fatal(err)
		}
	}
	runSteps(t, s, []step{{code: "count", result: fmt.Sprint(compactEvery + 10)}})
}

// blockingInput is a sink whose input requests wait for the interrupt, as
// Jupyter's do.
type blockingInput struct {
	*recSink
	ctx context.Context
}

func (b blockingInput) Input(string, bool) (string, error) {
	<-b.ctx.Done()
	return "", errors.New("input was interrupted")
}

// TestInterruptEndsTheCellThere: a call that returns because of the
// interrupt (a read of standard input, time.Sleep) ends the cell at once:
// no later statement runs, and the session keeps its interpreter.
func TestInterruptEndsTheCellThere(t *testing.T) {
	s := newSession(t)
	runSteps(t, s, []step{{code: "kept := 7\nran := false"}})
	for _, code := range []string{
		"var line string\nfmt.Scanln(&line)\nran = true\nfmt.Println(\"AFTER\")",
		"import \"time\"\ntime.Sleep(time.Hour)\nran = true\nfmt.Println(\"AFTER\")",
		"import \"time\"\nfor i := 0; i < 3; i++ { time.Sleep(time.Hour) }\nran = true",
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		sink := newRecSink()
		start := time.Now()
		_, err := s.Execute(ctx, code, blockingInput{sink, ctx})
		var de *display.Error
		if !errors.As(err, &de) || de.Name != "Interrupted" || strings.Contains(de.Value, "fresh interpreter") {
			t.Fatalf("%q: got %v, want a plain Interrupted error", code, err)
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("%q: the interrupt did not end the cell", code)
		}
		if out := sink.out("stdout"); strings.Contains(out, "AFTER") {
			t.Fatalf("%q: the cell went on after the interrupt: %q", code, out)
		}
		runSteps(t, s, []step{{code: "fmt.Sprint(kept, ran)", result: "7 false"}})
	}
}

// TestSplitCharacterStreamsWhole: a character whose bytes come in two
// writes, with a periodic flush between them, reaches the sink whole.
func TestSplitCharacterStreamsWhole(t *testing.T) {
	var st streamer
	sink := newRecSink()
	st.begin(sink)
	st.write("stdout", []byte("caf\xc3"))
	st.flushLive()
	if got := sink.out("stdout"); got != "caf" {
		t.Fatalf("after the first write the sink has %q, want %q", got, "caf")
	}
	st.write("stdout", []byte("\xa9\n"))
	st.flushLive()
	st.write("stdout", []byte("\xe2\x82"))
	st.end() // the cell ends: what is left goes out as it is
	if got := sink.out("stdout"); got != "café\n\xe2\x82" {
		t.Fatalf("sink has %q", got)
	}
	for _, c := range []struct {
		b   string
		cut int
	}{{"", 0}, {"a", 0}, {"é", 0}, {"\xc3", 1}, {"a\xe2\x82", 2}, {"\xf0\x9f\x98", 3}, {"😀", 0}, {"\xa9", 0}} {
		if got := cutRune([]byte(c.b)); got != c.cut {
			t.Errorf("cutRune(%q) = %d, want %d", c.b, got, c.cut)
		}
	}
}
