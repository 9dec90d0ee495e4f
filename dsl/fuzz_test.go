package dsl

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// dangerous marks inputs the fuzzer must not run: they could touch the
// machine (files, processes, network) or memory without bound, which is not
// what this target tests.
var dangerous = []string{`"os`, `"syscall`, `"net`, `"unsafe`, `"io/ioutil`, `"path/filepath`, `"runtime`, `"reflect`, `"io/fs`, `"embed`, `"plugin`,
	"Save", "Write", "Load", "CSV", "MNIST", "Checkpoint", "make(", "append(", "Repeat", "<<", "e9", "e8", "e7", "e6", "Grow"}

// runsTools reports whether code holds a line the notebook tools run
// (!cmd, %%bash, %%writefile, %cd...): shell commands and file writes are
// not what this target tests.
func runsTools(code string) bool {
	for _, line := range strings.Split(code, "\n") {
		l := strings.TrimSpace(line)
		if (strings.HasPrefix(l, "!") || strings.HasPrefix(l, "%")) && l != "%who" && l != "%%time" {
			return true
		}
	}
	return false
}

// fuzzLog, when LATENT_FUZZ_LOG names a file, receives every input before
// it runs: the inputs are run in one session, so a failure may need the
// ones before it to reproduce.
var fuzzLog = func() *os.File {
	if p := os.Getenv("LATENT_FUZZ_LOG"); p != "" {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			return f
		}
	}
	return nil
}()

// FuzzCellSource feeds arbitrary source to a session: parsing, splitting,
// rewriting and evaluating it, and completing, inspecting and classifying
// it, must never take the process down, and the session must stay usable.
func FuzzCellSource(f *testing.F) {
	for _, seed := range []string{
		"1 + 2", "x := 1\nfunc f() int { return x }\nf()", "import \"strings\"\nstrings.ToUpper(\"a\")",
		"for i := range 3 { fmt.Print(i) }", "type T struct{ A int }\nfunc (t T) M() int { return t.A }\nT{2}.M()",
		"func (", "go func() { panic(1) }()", "panic(\"x\")", "var a []int\na[1]", "min(1, 2.5)",
		"%who", "%%time\n1", "s := `raw", "func f() {", "import (\"fmt\"; \"fmt\")", "for {}", "select {}",
		"x := map[string]int{}\nx[\"a\"]++\nx",
		"return", "if true { return }\n1", "for i := 0; i < 2; i++ { a, b := i, 2; if a > 0 { return }; _ = b }",
		"ws := strings.Fields(\"a b\")[1]", "var e any = 1\nv, ok := e.(int)\nv", "var (\n\tq = []int{1}[0]\n\tr int = q\n)",
		"m := ae.Dense(4, 2)\np := m.Params()[0]\np.Name", "func() { fmt.Print(1) }()\nz := 1", "defer fmt.Println(1)", "goto L", "L: for { break L }",
		"func g[T any](x T, n int) T {\n\tif n == 0 {\n\t\tvar a []int\n\t\t_ = a[3]\n\t}\n\treturn g(x, n-1)\n}\ng(1, 2)",
		"var fs []func() int\nfor i := 0; i < 3; i++ { i := i; fs = append(fs, func() int { return i }) }\nfs[2]()",
		"import \"sort\"\nsort.Ints([]int{2, 1})",
	} {
		f.Add(seed)
	}
	// Whatever an input writes lands in a directory of its own, not in the
	// package's (a fuzzed magic once left a file named "SQ\245Q" there).
	f.Chdir(f.TempDir())
	s, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, code string) {
		if len(code) > 4096 || runsTools(code) {
			return
		}
		for _, d := range dangerous {
			if strings.Contains(code, d) {
				return
			}
		}
		// A hang is a failure too: panic (recording the input) when one
		// input takes far longer than its 200 ms budget.
		watchdog := time.AfterFunc(20*time.Second, func() { panic(fmt.Sprintf("FuzzCellSource: %q hangs", code)) })
		defer watchdog.Stop()
		if fuzzLog != nil {
			fmt.Fprintf(fuzzLog, "%q\n", code)
			fuzzLog.Sync()
		}
		n := len([]rune(code))
		for _, cur := range []int{0, n / 2, n} {
			s.Complete(code, cur)
			s.Inspect(code, cur, 0)
		}
		s.IsComplete(code)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		s.Execute(ctx, code, newRecSink())
		// A goroutine the input started reads the interpreter's global
		// frame, which yaegi v0.16.1 reallocates, unsynchronised, when the
		// next cell runs (a race inside yaegi, which the race detector
		// reports). Give short-lived goroutines time to end first.
		for wait := time.Now(); s.goLive.Load() > 0 && time.Since(wait) < time.Second; {
			time.Sleep(time.Millisecond)
		}
		if b, err := s.Execute(context.Background(), "1 + 1", newRecSink()); err != nil || b == nil || b.Data["text/plain"] != "2" {
			// A cell may redefine things so that 1 + 1 fails to compile
			// (a type named int...): a reset must bring the session back.
			if err := s.Reset(); err != nil {
				t.Fatalf("reset after %q: %v", code, err)
			}
			if b, err := s.Execute(context.Background(), "1 + 1", newRecSink()); err != nil || b == nil {
				t.Fatalf("session unusable after %q: %v", code, err)
			}
		}
	})
}
