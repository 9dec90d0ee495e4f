package dsl

import (
	"context"
	"errors"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/latent-ai/latent/display"
)

// step is one cell of a scenario and what it must produce.
type step struct {
	code   string
	result string        // text/plain of the result; "" for none
	stdout string        // substring of stdout
	stderr string        // substring of stderr
	ename  string        // error name; "" for success
	evalue string        // substring of the error value
	before time.Duration // wait this long before running the cell
	absent string        // must not appear on stdout
}

func runSteps(t *testing.T, s *Session, steps []step) {
	t.Helper()
	for i, st := range steps {
		time.Sleep(st.before)
		sink := newRecSink()
		b, err := s.Execute(context.Background(), st.code, sink)
		got := ""
		if b != nil {
			got, _ = b.Data["text/plain"].(string)
		}
		var de *display.Error
		switch {
		case st.ename == "" && err != nil:
			t.Fatalf("step %d %q: unexpected error %v", i, st.code, err)
		case st.ename != "" && !errors.As(err, &de):
			t.Fatalf("step %d %q: want error %s, got %v (result %q)", i, st.code, st.ename, err, got)
		case st.ename != "" && (de.Name != st.ename || !strings.Contains(de.Value, st.evalue)):
			t.Fatalf("step %d %q: want %s containing %q, got %s: %s", i, st.code, st.ename, st.evalue, de.Name, de.Value)
		}
		if got != st.result {
			t.Fatalf("step %d %q: result %q, want %q", i, st.code, got, st.result)
		}
		if o := sink.out("stdout"); !strings.Contains(o, st.stdout) {
			t.Fatalf("step %d %q: stdout %q lacks %q", i, st.code, o, st.stdout)
		}
		if o := sink.out("stdout"); st.absent != "" && strings.Contains(o, st.absent) {
			t.Fatalf("step %d %q: stdout %q has %q", i, st.code, o, st.absent)
		}
		if o := sink.out("stderr"); !strings.Contains(o, st.stderr) {
			t.Fatalf("step %d %q: stderr %q lacks %q", i, st.code, o, st.stderr)
		}
	}
}

func newSession(t testing.TB) *Session {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestCellRules(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
	}{
		{"mixed cell in any order", []step{
			{code: "x := 2\nfunc double(v int) int { return v * x }\nimport \"strings\"\nstrings.Repeat(\"ab\", double(1))", result: "abab"},
		}},
		{"re-import is a no-op", []step{
			{code: "import \"strings\"", result: ""},
			{code: "import \"strings\"\nimport (\"math\"; \"strings\")\nstrings.ToUpper(\"a\")", result: "A"},
		}},
		{"last expression is the result", []step{
			{code: "1 + 2", result: "3"},
			{code: "y := 5", result: ""},
			{code: "y", result: "5"},
			{code: "fmt.Println(\"hi\")", result: "", stdout: "hi\n"},
			{code: "y++", result: ""},
			{code: "if y > 0 { y = 1 }", result: ""},
		}},
		{"function redefinition seen by an earlier caller", []step{
			{code: "func f() int { return 1 }\nfunc g() int { return f() * 10 }", result: ""},
			{code: "g()", result: "10"},
			{code: "func f() int { return 2 }", result: ""},
			{code: "g()", result: "20"},
		}},
		{"type redefinition", []step{
			{code: "type P struct{ X int }\nfunc show(p P) string { return fmt.Sprint(p) }\np := P{X: 1}", result: ""},
			{code: "type P struct{ X, Y int }", result: "", stderr: "p was reset"},
			{code: "show(P{1, 2})", result: "{1 2}"},
		}},
		{"method redefinition seen by an earlier caller", []step{
			{code: "type T struct{ n int }\nfunc (t T) Get() int { return t.n }\nfunc use(t T) int { return t.Get() }\nv := T{3}", result: ""},
			{code: "use(v)", result: "3"},
			{code: "func (t T) Get() int { return t.n * 100 }", result: ""},
			{code: "use(v)", result: "300"},
			{code: "v.Get()", result: "300"},
		}},
		{"variables survive a rebuild", []step{
			{code: "n := 41\nxs := []float32{1, 2}\nm := map[string]int{\"a\": 1}\nfunc h() int { return 0 }", result: ""},
			{code: "func h() int { return 1 }", result: ""},
			{code: "n + h()", result: "42"},
			{code: "len(xs) + m[\"a\"]", result: "3"},
		}},
		{"const and generic redefinition", []step{
			{code: "const Rate = 2\nfunc scaled(x int) int { return x * Rate }\nfunc gen[T any](x T) []T { return []T{x, x} }", result: ""},
			{code: "const Rate = 3\nfunc gen[T any](x T) []T { return []T{x} }", result: ""},
			{code: "fmt.Sprint(scaled(2), len(gen(1)))", result: "6 1"},
		}},
		{"values of notebook types survive a rebuild", []step{
			{code: "type Item struct{ N int }\nitems := []Item{{1}, {2}}\nptr := &Item{5}\nbyName := map[string]Item{\"a\": {7}}\nfunc (i Item) Double() int { return i.N * 2 }", result: ""},
			{code: "func (i Item) Double() int { return i.N * 3 }", result: ""},
			{code: "items[1].Double() + ptr.Double() + byName[\"a\"].Double()", result: "42"},
			{code: "%who", stdout: "items            []Item"},
		}},
		{"redefinition that breaks a caller keeps the old state", []step{
			{code: "func k() int { return 1 }\nfunc kk() int { return k() + 1 }", result: ""},
			{code: "func k() string { return \"s\" }", ename: "CompileError"},
			{code: "kk()", result: "2"},
		}},
		{"range over an integer", []step{
			{code: "for i := range 3 { fmt.Print(i) }", stdout: "012"},
			{code: "n := 2\nfor range n { fmt.Print(\"x\") }", stdout: "xx"},
			{code: "for i := range len(\"abc\") { fmt.Print(i) }", stdout: "012"},
			{code: "for j := 0; j < 1; j++ {}\nif q := 1; q > 0 {}"},
			{code: "%who", stdout: "n ", absent: "j                int"},
		}},
		{"constructs rewritten or rejected", []step{
			{code: "import \"slices\"\nxs := []int{3, 1, 2}\nslices.SortFunc(xs, func(a, b int) int { return b - a })\nxs", result: "[3 2 1]"},
			{code: "m := map[string]int{\"a\": 1}\nclear(m)\nlen(m)", result: "0"},
			{code: "seq := func(yield func(int) bool) { yield(1) }\nfor v := range seq { fmt.Print(v) }", ename: "Unsupported", evalue: "line 2:1: a range over a function"},
			{code: "defer fmt.Println(\"deferred\")\nfmt.Println(\"body\")", stdout: "body\ndeferred\n"},
			{code: "fmt.Print(\"next\")", stdout: "next", absent: "deferred"},
			{code: "type I interface{ M() }\ntype S struct{}\nfunc (S) M() {}\nvar iv I = S{}\niv.M()", result: ""},
		}},
		{"min max slices maps", []step{
			{code: "min(3, 1, 2)", result: "1"},
			{code: "max(1.5, 2.5)", result: "2.5"},
			{code: "import \"slices\"\nimport \"maps\"\ns := []int{3, 1, 2}\nslices.Sort(s)\ns", result: "[1 2 3]"},
			{code: "slices.Max(s)", result: "3"},
			{code: "slices.Sorted(maps.Keys(map[string]int{\"b\": 1, \"a\": 2}))", result: "[a b]"},
		}},
		{"compile error names the cell line", []step{
			{code: "a := 1\nb := a + \"x\"", ename: "CompileError", evalue: "line 2:"},
			{code: "1 + 1", result: "2"},
			{code: "q := 1\nr := q + undefinedName", ename: "CompileError", evalue: "line 2:10: undefined: undefinedName"},
			{code: "func usesMissing() int { return missingFn() }", ename: "CompileError", evalue: "line 1:33: undefined: missingFn"},
		}},
		{"loop variables are per iteration, as since Go 1.22", []step{
			{code: "var fs []func() int\nfor i := 0; i < 3; i++ {\n\tfs = append(fs, func() int { return i })\n}\nfs[0]()*100 + fs[1]()*10 + fs[2]()", result: "12"},
			{code: "var gs []func() int\nfor _, v := range []int{7, 8, 9} {\n\tgs = append(gs, func() int { return v })\n}\ngs[0]()*100 + gs[1]()*10 + gs[2]()", result: "789"},
			{code: "var ps []*int\nfor i := range 3 {\n\tps = append(ps, &i)\n}\n*ps[0]*100 + *ps[1]*10 + *ps[2]", result: "12"},
			{code: "func loops() int {\n\tvar fs []func() int\n\tfor i := 0; i < 3; i++ {\n\t\tfs = append(fs, func() int { return i })\n\t}\n\treturn fs[0]()*100 + fs[1]()*10 + fs[2]()\n}\nloops()", result: "12"},
			// The body may still steer a three-clause loop.
			{code: "for i := 0; i < 5; i++ {\n\tif i == 1 {\n\t\ti += 2\n\t}\n\tfmt.Print(i)\n}", stdout: "034"},
			// x := x in a nested block copies the outer x.
			{code: "sum := 0\nfor _, v := range []int{1, 2, 3} {\n\tv := v\n\tsum += v\n}\nsum", result: "6"},
			{code: "xx := 5\n{\n\txx := xx\n\tfmt.Print(xx)\n}", stdout: "5"},
		}},
		{"a recursive generic function is refused, not a crash", []step{
			{code: "func gr[T any](x T, n int) T {\n\tif n == 0 {\n\t\tvar a []int\n\t\t_ = a[3]\n\t}\n\treturn gr(x, n-1)\n}\ngr(1, 2)", ename: "Unsupported", evalue: "a generic function that calls itself (gr)"},
			{code: "import \"sort\"\nxs := []int{3, 1, 2}\nsort.Ints(xs)\nxs", result: "[1 2 3]"},
		}},
		{"standard packages are imported on first use", []step{
			{code: "strings.ToUpper(\"go\")", result: "GO"},
			{code: "d := 3 * time.Second\nd", result: "3s"},
			{code: "rand.Intn(1)", result: "0"},
			{code: "import \"crypto/rand\"", ename: "CompileError", evalue: `rand is already the package "math/rand"`},
			{code: "import \"math/rand/v2\"", ename: "CompileError", evalue: `import rand2 "math/rand/v2"`},
			{code: "import crand \"crypto/rand\"\nb := make([]byte, 4)\nn, _ := crand.Read(b)\nn", result: "4"},
			{code: "template.New(\"x\")", ename: "CompileError", evalue: `import "html/template" or import "text/template"`},
			{code: "bytes := 2\nbytes * 2", result: "4"},
		}},
		{"an allocation beyond the machine's memory is an error, not the end", []step{
			{code: "keep := 7\nn := 100000\nsq := make([]float64, n*n)", ename: "out of memory", evalue: "make it smaller"},
			{code: "small := make([]int, 3, 10)\nlen(small) + cap(small) + keep", result: "20"},
		}},
		{"syntax error", []step{
			{code: "x := (1 +", ename: "SyntaxError", evalue: "line 1:"},
		}},
		{"panic shows value and line", []step{
			{code: "var s []int\n\ns[3] = 1", ename: "runtime error", evalue: "line 3:"},
			{code: "panic(\"boom\")", ename: "panic", evalue: "boom"},
			{code: "func bad() { panic(fmt.Errorf(\"inner\")) }", result: ""},
			{code: "\nbad()", ename: "*errors.errorString", evalue: "in bad at cell"},
		}},
		{"values that fmt cannot print safely", []step{
			{code: "a := []any{nil}\na[0] = a\na", result: strings.Repeat("[", 17) + "..." + strings.Repeat("]", 17)},
			{code: "%who", stdout: "a "},
			{code: "display.Show(a)"},
			{code: "big := make([]float32, 100000)\nbig", result: "[" + strings.TrimSpace(strings.Repeat("0 ", 100)) + " ... (99900 more)]"},
			{code: "len(fmt.Sprint(big)) > 100000", result: "true"},
		}},
		{"unbounded recursion is an error, not a crash", []step{
			{code: "func rec(n int) int { return rec(n+1) + 1 }\nrec(0)", ename: "stack overflow", evalue: "nested calls"},
			{code: "var f func(int) int\nf = func(n int) int { return f(n+1) }\nf(0)", ename: "stack overflow"},
			{code: "type Loop struct{}\nfunc (l Loop) String() string { return fmt.Sprint(l) }\nfmt.Sprint(Loop{})", ename: "stack overflow"},
			{code: "func fib(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nfib(15)", result: "610"},
			{code: "func deep(n int) int { if n == 0 { return 0 }; return deep(n-1) + 1 }\ndeep(5000)", result: "5000"},
		}},
		{"goroutine panic on the cell", []step{
			{code: "import \"time\"\ngo func() { panic(\"in goroutine\") }()\ntime.Sleep(100 * time.Millisecond)", ename: "GoroutinePanic", evalue: "in goroutine"},
			{code: "1", result: "1"},
		}},
		{"goroutine panic after the cell", []step{
			{code: "import \"time\"\nfunc late() { time.Sleep(50 * time.Millisecond); panic(\"late\") }\ngo late()", result: ""},
			{code: "2", result: "2", stderr: "earlier cell panicked (this cell is not affected):\n  panic: late (at cell 1, line", before: 150 * time.Millisecond},
			{code: "3", result: "3"},
		}},
		{"goroutine of an earlier cell panics while a later cell runs", []step{
			{code: "import \"time\"\ngo func() { time.Sleep(100 * time.Millisecond); panic(\"elsewhere\") }()", result: ""},
			{code: "time.Sleep(300 * time.Millisecond)\n4", result: "4", stderr: "panic: elsewhere"},
		}},
		{"goroutine output between cells shows on the next cell", []step{
			{code: "import \"time\"\ngo func() { time.Sleep(50 * time.Millisecond); fmt.Println(\"from the background\") }()"},
			{code: "1", result: "1", stdout: "from the background", before: 150 * time.Millisecond},
		}},
		{"log.Panic and log.Fatal", []step{
			{code: "import \"log\"\nlog.Panic(\"lp\")", ename: "panic", stderr: "lp"},
			{code: "log.Fatal(\"lf\")", ename: "Exit", evalue: "log.Fatal called", stderr: "lf"},
			{code: "log.SetFlags(0)\nlog.SetPrefix(\"p: \")\nlog.Fatalf(\"bad %d\", 3)", ename: "Exit", stderr: "p: bad 3"},
			{code: "3", result: "3"},
		}},
		{"every result of a method call, a func variable or a method on a literal", []step{
			{code: "import \"strings\"\nr := strings.NewReader(\"qx\")\nr.ReadByte()", result: "113 <nil>"},
			{code: "r.ReadRune()", result: "120 1 <nil>"},
			{code: "f := func() (int, error) { return 1, nil }\nf()", result: "1 <nil>"},
			{code: "type T struct{}\nfunc (T) Two() (int, string) { return 1, \"a\" }\nfunc (*T) None() {}\nT{}.Two()", result: "1 a"},
			{code: "var t T\nt.Two()", result: "1 a"},
			{code: "(&T{}).None()", result: ""},
			{code: "g := func() int { return 7 }\ng()", result: "7"},
		}},
		{"a large map shows its smallest keys in order, as fmt sorts them", []step{
			{code: "m := map[int]string{}\nfor i := 1199; i >= 0; i-- { m[i] = \"v\" }\nm", result: "map[0:v 1:v 2:v 3:v 4:v 5:v 6:v 7:v 8:v 9:v 10:v 11:v 12:v 13:v 14:v 15:v 16:v 17:v 18:v 19:v 20:v 21:v 22:v 23:v 24:v 25:v 26:v 27:v 28:v 29:v 30:v 31:v 32:v 33:v 34:v 35:v 36:v 37:v 38:v 39:v 40:v 41:v 42:v 43:v 44:v 45:v 46:v 47:v 48:v 49:v 50:v 51:v 52:v 53:v 54:v 55:v 56:v 57:v 58:v 59:v 60:v 61:v 62:v 63:v 64:v 65:v 66:v 67:v 68:v 69:v 70:v 71:v 72:v 73:v 74:v 75:v 76:v 77:v 78:v 79:v 80:v 81:v 82:v 83:v 84:v 85:v 86:v 87:v 88:v 89:v 90:v 91:v 92:v 93:v 94:v 95:v 96:v 97:v 98:v 99:v ... (1100 more)]"},
		}},
		{"a constant overflow is a compile error", []step{
			{code: "1 << 70", ename: "CompileError", evalue: "constant 1180591620717411303424 overflows int64"},
		}},
		{"a failed type assertion is a runtime error", []step{
			{code: "var i any = \"s\"\nn := i.(int)", ename: "runtime error", evalue: "interface conversion: interface {} is string, not int (at line 2:1)"},
		}},
		{"os.Exit does not exit", []step{
			{code: "import \"os\"\nos.Exit(3)", ename: "Exit", evalue: "os.Exit(3)"},
		}},
		{"os.Stdout and os.Stderr stream", []step{
			{code: "import \"os\"\nfmt.Fprintln(os.Stdout, \"out\")\nfmt.Fprintln(os.Stderr, \"err\")", stdout: "out", stderr: "err"},
		}},
		{"preloaded packages need no import", []step{
			{code: "display.Text(\"t\")", result: "t"},
			{code: "var ds data.Set\nds.N", result: "0"},
		}},
		{"unknown magic", []step{
			{code: "%nope", ename: "UnknownMagic", evalue: "%help"},
		}},
		{"magics", []step{
			{code: "zz := 3\n", result: ""},
			{code: "%who", stdout: "zz"},
			{code: "%time zz + 1", result: "4", stdout: "time: "},
			{code: "%%time\nzz * 2", result: "6", stdout: "time: "},
			{code: "%env LATENT_TEST_ENV=v1", stdout: "LATENT_TEST_ENV=v1"},
			{code: "%env LATENT_TEST_ENV", stdout: "v1"},
			{code: "%help", stdout: "display"},
			{code: "%help zz", stdout: "zz int = 3"},
			{code: "%reset", stdout: "reset"},
			{code: "zz", ename: "CompileError", evalue: "undefined"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runSteps(t, newSession(t), c.steps)
		})
	}
}

// TestManyCells checks that cell numbers in positions wrap around before
// line numbers overflow, and errors still name the running cell's line.
func TestManyCells(t *testing.T) {
	s := newSession(t)
	s.cell = maxCellTag - 1
	runSteps(t, s, []step{
		{code: "1", result: "1"},
		{code: "a := 1\nb := a + \"s\"", ename: "CompileError", evalue: "line 2:"},
		{code: "2", result: "2"},
	})
}

func TestNotebookTypesRenderThemselves(t *testing.T) {
	s := newSession(t)
	sink := newRecSink()
	code := "type Card struct{ Title string }\nfunc (c Card) Render() display.Bundle { return display.HTML(\"<h1>\" + c.Title + \"</h1>\") }\nCard{\"hi\"}"
	b, err := s.Execute(context.Background(), code, sink)
	if err != nil {
		t.Fatal(err)
	}
	if b == nil || b.Data["text/html"] != "<h1>hi</h1>" {
		t.Fatalf("a notebook Renderer is not rendered: %v", b)
	}
	b, err = s.Execute(context.Background(), "var rc display.Renderer = Card{\"shown\"}\ndisplay.Show(rc)\nCard{\"x\"}.Title", sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.displays) != 1 || sink.displays[0].Data["text/html"] != "<h1>shown</h1>" || b.Data["text/plain"] != "x" {
		t.Fatalf("display.Show of a converted notebook Renderer: %v, result %v", sink.displays, b)
	}
}

// TestPanicLines checks that a runtime panic names the statement that
// panicked, in the cell or in a function, and the cell line that called
// it, with the source quoted; yaegi alone names the first statement of
// the function.
func TestPanicLines(t *testing.T) {
	s := newSession(t)
	run := func(code string) *display.Error {
		t.Helper()
		_, err := s.Execute(context.Background(), code, newRecSink())
		var de *display.Error
		if !errors.As(err, &de) {
			t.Fatalf("%q: want an error, got %v", code, err)
		}
		return de
	}
	want := func(de *display.Error, parts ...string) {
		t.Helper()
		tb := strings.Join(de.Traceback, "\n")
		for _, p := range parts {
			if !strings.Contains(tb, p) {
				t.Errorf("traceback lacks %q:\n%s", p, tb)
			}
		}
	}
	de := run("x := []int{1, 2, 3}\ni := 5\ny := 2\nfmt.Println(y)\nfmt.Println(x[i])")
	if !strings.Contains(de.Value, "line 5:1") {
		t.Errorf("value %q does not name line 5", de.Value)
	}
	want(de, "   5 | fmt.Println(x[i])")

	runSteps(t, s, []step{{code: "func idx(a []int, i int) int {\n\ts := 0\n\ts += a[i]\n\treturn s\n}"}})
	de = run("fmt.Println(\"a\")\nidx([]int{1}, 3)")
	want(de, "in idx at cell", "line 3:2", "called from line 2:1", "   2 | idx([]int{1}, 3)")

	de = run("g := func(k int) int {\n\tz := 10\n\treturn z / k\n}\nfmt.Println(g(2))\nfmt.Println(g(0))")
	want(de, "integer divide by zero", "in a func literal at line 3:2", "called from line 6:1")

	de = run("xs := []float64{3, 1, 2}\nsort.Slice(xs, func(i, j int) bool {\n\treturn xs[i+5] < xs[j]\n})")
	want(de, "at line 3:2", "called from line 2:1")

	de = run("func myfunc() {\n\tdefer func() {\n\t\tpanic(\"late\")\n\t}()\n}\nmyfunc()")
	want(de, "in a func literal in myfunc at line 3:3")

	de = run("var nf func()\nnf()")
	want(de, "nil pointer dereference (a call of a nil func)", "line 2:1")

	de = run("var m map[string]int\nfmt.Println(\"ok\")\nm[\"a\"] = 1")
	want(de, "assignment to entry in nil map", "line 3:1")

	// The tracking does not move compile errors.
	runSteps(t, s, []step{
		{code: "q := 1\nr := q + undefinedName", ename: "CompileError", evalue: "line 2:10: undefined: undefinedName"},
		// Re-running a declaration unchanged in another cell is no
		// redefinition, though its positions differ.
		{code: "func idx(a []int, i int) int {\n\ts := 0\n\ts += a[i]\n\treturn s\n}"},
		{code: "idx([]int{4}, 0)", result: "4"},
	})
}

// TestPanicLinesInLoops checks the positions of panics in loops whose
// tracking is written once, before the loop (hoistTracking), and in loops
// where it cannot be: a call in the body writes the register too.
func TestPanicLinesInLoops(t *testing.T) {
	s := newSession(t)
	runSteps(t, s, []step{{code: `func other() int {
	b := []int{1}
	return b[0]
}
func sum(a [][]int) int {
	s := 0
	for i := range 3 {
		for j := 0; j < 3; j++ {
			s += a[i][j]
		}
	}
	return s
}
func withCall(a []int) int {
	s := 0
	for i := range 3 {
		s += a[i] + other()
	}
	return s
}`}})
	for _, c := range []struct{ code, want string }{
		{"sum([][]int{{1, 2, 3}, {4}})", "in sum at cell 1, line 9:4"},
		{"withCall([]int{1})", "in withCall at cell 1, line 17:3"},
		{"a := []int{1, 2}\nt := 0\nfor i := 0; i < 4; i++ {\n\tt += a[i]\n}", "line 4:2"},
	} {
		_, err := s.Execute(context.Background(), c.code, newRecSink())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want an error at %q, got %v", c.code, c.want, err)
		}
	}
}

// TestGoroutinePanicLines checks where the panics of goroutines are
// reported: in a go statement's body at its own line, for go f() at the go
// statement, in a wg.Go body at the body's line. Declared functions called
// by many goroutines at once run while the cell runs too; the race
// detector (CI runs this package with -race) checks that the line
// tracking has one writer. A cell after them finds a function's own line
// again.
func TestGoroutinePanicLines(t *testing.T) {
	s := newSession(t)
	runSteps(t, s, []step{{code: "func boom(k int) int {\n\ta := []int{1}\n\treturn a[k]\n}"}})
	_, err := s.Execute(context.Background(), `import "time"
var wg sync.WaitGroup
go func() {
	x := []int{}
	_ = x[5]
}()
go boom(3)
wg.Go(func() {
	boom(4)
})
for i := 0; i < 8; i++ {
	wg.Go(func() { _ = boom(0) + boom(0) })
}
for i := 0; i < 100; i++ {
	_ = boom(0)
}
wg.Wait()
time.Sleep(50 * time.Millisecond)`, newRecSink())
	var de *display.Error
	if !errors.As(err, &de) || de.Name != "GoroutinePanic" {
		t.Fatalf("want a GoroutinePanic, got %v", err)
	}
	for _, at := range []string{"(at line 5:2)", "(at line 7:1)", "(at line 9:2)"} {
		if !strings.Contains(de.Value, at) {
			t.Errorf("%q lacks %q", de.Value, at)
		}
	}
	_, err = s.Execute(context.Background(), "boom(7)", newRecSink())
	if err == nil || !strings.Contains(err.Error(), "in boom at cell 1, line 3:2") {
		t.Errorf("after the goroutines: %v", err)
	}
}

// TestInterruptDeepRecursion interrupts a loop at the bottom of 500 nested
// interpreted calls: the goroutine profile keeps only the innermost frames
// of such a stack, and the interrupt must still reach yaegi.
func TestInterruptDeepRecursion(t *testing.T) {
	s := newSession(t)
	runSteps(t, s, []step{{code: "func spin(n int) int {\n\tif n == 0 {\n\t\tfor {\n\t\t}\n\t}\n\treturn spin(n-1) + 1\n}\nkept := 3"}})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(ctx, "spin(500)", newRecSink())
		done <- err
	}()
	select {
	case err := <-done:
		var de *display.Error
		if !errors.As(err, &de) || de.Name != "Interrupted" {
			t.Fatalf("interrupted deep recursion: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a loop under 500 nested calls was not interrupted within 20 s")
	}
	runSteps(t, s, []step{{code: "kept + 1", result: "4"}})
}

func TestNilTypeLineFiltered(t *testing.T) {
	var b strings.Builder
	l := log.New(nilTypeFilter{&b}, "", log.LstdFlags)
	l.Print("nil type")
	l.Print("kept")
	l.Print("a nil type mention stays")
	if got := b.String(); strings.Contains(got, " nil type\n") || !strings.Contains(got, "kept\n") || !strings.Contains(got, "a nil type mention stays") {
		t.Errorf("logged %q", got)
	}
}
