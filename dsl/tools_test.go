package dsl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latent-ai/latent/nbtools"
)

// payloadSink is a recSink that takes payloads, as the kernel's sink does.
type payloadSink struct {
	*recSink
	mu       sync.Mutex
	payloads []map[string]any
}

func (p *payloadSink) Payload(m map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.payloads = append(p.payloads, m)
}

// chdirTemp moves the test into a fresh directory.
func chdirTemp(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	old, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
	return dir
}

func TestNotebookTools(t *testing.T) {
	dir := chdirTemp(t)
	s := newSession(t)
	run := func(code string) (*payloadSink, string, error) {
		t.Helper()
		sink := &payloadSink{recSink: newRecSink()}
		b, err := s.Execute(context.Background(), code, sink)
		res := ""
		if b != nil {
			res, _ = b.Data["text/plain"].(string)
		}
		return sink, res, err
	}
	tests := []struct {
		name, code       string
		stdout, stderr   string // substrings
		result, errValue string
	}{
		{name: "shell line with its exit status", code: "!echo hi; exit 3", stdout: "hi\n", stderr: "exit status 3"},
		{name: "Go around a shell line", code: "x := 20\n!echo between\nx + 1", stdout: "between\n", result: "21"},
		{name: "bash after a comment", code: "// setup\n%%bash\necho $((6*7))", stdout: "42\n"},
		{name: "bash failing", code: "%%bash\nexit 4", errValue: "bash exited with status 4"},
		{name: "bash failing quietly", code: "%%sh --no-raise-error\nexit 4", stderr: "sh exited with status 4"},
		{name: "writefile", code: "%%writefile prog.go\ny := 5\ny * 2\n", stdout: "Writing prog.go"},
		{name: "writefile append", code: "%%writefile -a prog.go\n// end\n", stdout: "Appending to prog.go"},
		{name: "pwd", code: "%pwd", result: dir},
		{name: "cd", code: "%cd /\n%pwd", stdout: "/\n", result: "/"},
		{name: "cd back", code: "%cd -", stdout: dir},
		{name: "cd nowhere", code: "%cd /no/such/dir", errValue: "no such file or directory"},
		{name: "lsmagic", code: "%lsmagic", stdout: "%%writefile"},
		{name: "help by part of a name", code: "%help Fit", stdout: "ae: func (m *Model) Fit("},
		{name: "help finds notebook names", code: "func scaleAll(v []float64) {}\n", stdout: ""},
		{name: "help search on them", code: "%help scale", stdout: "scaleAll"},
		{name: "unknown magic lists the tools", code: "%nosuch", errValue: "%lsmagic"},
		{name: "late cell magic", code: "x := 1\n%%bash\necho", errValue: "must start the cell"},
		{name: "%time keeps the lines after it", code: "%time a := 1\nb := a + 1\nb", stdout: "time:", result: "2"},
		{name: "magic after a comment", code: "// how long?\n%time c := 3", stdout: "time:"},
		{name: "history", code: "%history -n 1", stdout: "1: !echo hi; exit 3"},
	}
	for _, tt := range tests {
		sink, res, err := run(tt.code)
		switch {
		case tt.errValue != "":
			if err == nil || !strings.Contains(err.Error(), tt.errValue) {
				t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.errValue)
			}
			continue
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !strings.Contains(sink.out("stdout"), tt.stdout) || !strings.Contains(sink.out("stderr"), tt.stderr) || res != tt.result {
			t.Errorf("%s: stdout %q stderr %q result %q; want %q, %q, %q", tt.name, sink.out("stdout"), sink.out("stderr"), res, tt.stdout, tt.stderr, tt.result)
		}
	}

	sink, _, err := run("%load prog.go")
	if err != nil || len(sink.payloads) != 1 || sink.payloads[0]["source"] != "set_next_input" ||
		sink.payloads[0]["text"] != "// %load prog.go\ny := 5\ny * 2\n// end\n" || sink.payloads[0]["replace"] != true {
		t.Fatalf("%%load: %v, payloads %v", err, sink.payloads)
	}
	_, res, err := run(sink.payloads[0]["text"].(string))
	if err != nil || res != "10" {
		t.Fatalf("running the loaded cell: %q, %v", res, err)
	}
	for _, q := range []struct{ code, want string }{
		{"strings.Fields?", "Fields splits the string"},
		{"scaleAll??", "func scaleAll(v []float64) {}"},
		{"y?", "y int = 5"},
	} {
		sink, _, err := run(q.code)
		if err != nil || len(sink.payloads) != 1 || sink.payloads[0]["source"] != "page" {
			t.Fatalf("%s: %v, payloads %v", q.code, err, sink.payloads)
		}
		text := sink.payloads[0]["data"].(map[string]any)["text/plain"].(string)
		if !strings.Contains(text, q.want) {
			t.Errorf("%s paged %q, want %q", q.code, text, q.want)
		}
	}
	if _, _, err := run("zzzNothingLikeIt?"); err == nil || !strings.Contains(err.Error(), "%help PART") {
		t.Errorf("help on an unknown name: %v", err)
	}
	// Without a pager (the headless runner) the help is printed.
	rec := newRecSink()
	if _, err := s.Execute(context.Background(), "strings.Fields?", rec); err != nil || !strings.Contains(rec.out("stdout"), "Fields splits") {
		t.Errorf("headless help: %v, %q", err, rec.out("stdout"))
	}
}

// TestShellInterrupt checks that cancelling a cell stops a running !cmd.
func TestShellInterrupt(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	sink := newRecSink()
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(ctx, "!echo go; sleep 30; echo never", sink)
		done <- err
	}()
	for i := 0; i < 3000 && !strings.Contains(sink.out("stdout"), "go"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "interrupted") || strings.Contains(sink.out("stdout"), "never") {
		t.Fatalf("interrupted !cmd: %v, stdout %q", err, sink.out("stdout"))
	}
}

// TestUnknownImport checks the errors of imports that are neither built in
// nor module paths: they say what is wrong, never GOPATH.
func TestUnknownImport(t *testing.T) {
	s := newSession(t)
	for _, tt := range []struct{ code, want string }{
		{`import "foo/bar"`, "no such package"},
		{`import "nosuchpkg"`, "not a module path"},
	} {
		_, err := s.Execute(context.Background(), tt.code, newRecSink())
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "GOPATH") {
			t.Errorf("%s: %v, want an error containing %q", tt.code, err, tt.want)
		}
	}
}

// TestRememberBounds checks that %history keeps the newest maxInputs
// inputs and at most maxInputBytes, numbering them as they were.
func TestRememberBounds(t *testing.T) {
	var ts toolState
	for i := 1; i <= maxInputs+5; i++ {
		ts.remember(fmt.Sprintf("x := %d", i))
	}
	if len(ts.inputs) != maxInputs || ts.dropped != 5 || ts.inputs[0] != "x := 6" {
		t.Fatalf("kept %d inputs from %q, dropped %d", len(ts.inputs), ts.inputs[0], ts.dropped)
	}
	big := strings.Repeat("a", maxInputBytes/2+1)
	ts.remember(big)
	ts.remember(big)
	if len(ts.inputs) != 1 || ts.inputBytes != len(big) || ts.dropped != maxInputs+6 {
		t.Fatalf("after two large inputs: %d inputs, %d bytes, dropped %d", len(ts.inputs), ts.inputBytes, ts.dropped)
	}
	if got, err := nbtools.History(ts.inputs, ts.dropped+1, "-l 1"); err != nil || got != big+"\n" {
		t.Fatalf("the newest input is not kept: %v", err)
	}
}

// TestHistoryLeavesOutUnrecorded: %history lists what Execute ran, not what
// ExecuteUnrecorded ran (silent requests, user expressions).
func TestHistoryLeavesOutUnrecorded(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	if _, err := s.Execute(ctx, "shown := 1", newRecSink()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ExecuteUnrecorded(ctx, "hidden := 2", newRecSink()); err != nil {
		t.Fatal(err)
	}
	sink := newRecSink()
	if _, err := s.Execute(ctx, "%history", sink); err != nil {
		t.Fatal(err)
	}
	if out := sink.out("stdout"); !strings.Contains(out, "shown := 1") || strings.Contains(out, "hidden") {
		t.Fatalf("%%history printed %q", out)
	}
	runSteps(t, s, []step{{code: "hidden", result: "2"}})
}
