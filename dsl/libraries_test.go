package dsl

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// libCase is one cell and what its result must hold.
type libCase struct {
	name, code string
	text       string // substring of the text/plain result ("" for none expected)
	mime       string // a MIME type the result must carry, if any
	stdout     string // substring of stdout
	err        string // substring of the error, when the cell must fail
}

func runLibCases(t *testing.T, cases []libCase) {
	t.Helper()
	s := newSession(t)
	for _, c := range cases {
		sink := newRecSink()
		b, err := s.Execute(context.Background(), c.code, sink)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.stdout != "" && !strings.Contains(sink.out("stdout"), c.stdout) {
			t.Errorf("%s: stdout %q, want %q", c.name, sink.out("stdout"), c.stdout)
		}
		if c.text == "" && c.mime == "" {
			continue
		}
		if b == nil {
			t.Errorf("%s: no result", c.name)
			continue
		}
		if txt, _ := b.Data["text/plain"].(string); !strings.Contains(txt, c.text) {
			t.Errorf("%s: text/plain %q, want %q", c.name, txt, c.text)
		}
		if c.mime != "" && b.Data[c.mime] == nil {
			t.Errorf("%s: result has no %s (has %v)", c.name, c.mime, keys(b.Data))
		}
		if c.mime == "image/png" {
			png, _ := base64.StdEncoding.DecodeString(b.Data["image/png"].(string))
			if !strings.HasPrefix(string(png), "\x89PNG") || len(png) < 2000 {
				t.Errorf("%s: not a drawn PNG (%d bytes)", c.name, len(png))
			}
		}
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestGonumCells: gonum and gonum/plot import with no setup, run compiled,
// and show themselves.
func TestGonumCells(t *testing.T) {
	runLibCases(t, []libCase{
		{name: "mat", code: `import "gonum.org/v1/gonum/mat"` + "\n" + `a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})` + "\n" + `var inv mat.Dense` + "\n" + `inv.Inverse(a)` + "\n" + `a`,
			text: "⎡1  2⎤", mime: "text/html"},
		{name: "mat product shows as table", code: "var p mat.Dense\np.Mul(a, &inv)\n&p", text: "*mat.Dense 2×2", mime: "text/html"},
		{name: "big matrix shows its corners", code: "mat.NewDense(100, 50, nil)", text: "*mat.Dense 100×50", mime: "text/html"},
		{name: "nil matrix", code: "var nm *mat.Dense\nnm", text: "<nil>"},
		{name: "empty matrix", code: "var em mat.Dense\n&em", text: "*mat.Dense (empty)"},
		{name: "vector", code: "mat.NewVecDense(3, []float64{1, 2, 3})", text: "*mat.VecDense 3×1"},
		{name: "stat", code: `import "gonum.org/v1/gonum/stat"` + "\n" + `stat.Mean([]float64{1, 2, 3}, nil)`, text: "2"},
		{name: "floats", code: `import "gonum.org/v1/gonum/floats"` + "\n" + `floats.Sum([]float64{1, 2, 3})`, text: "6"},
		{name: "distuv", code: `import "gonum.org/v1/gonum/stat/distuv"` + "\n" + `distuv.Normal{Mu: 0, Sigma: 1}.CDF(0)`, text: "0.5"},
		{name: "optimize", code: `import "gonum.org/v1/gonum/optimize"` + "\n" +
			`res, err := optimize.Minimize(optimize.Problem{Func: func(x []float64) float64 { return (x[0]-3)*(x[0]-3) + 1 }}, []float64{0}, nil, &optimize.NelderMead{})` + "\n" +
			`fmt.Printf("%.3f %v\n", res.X[0], err)`, stdout: "3.000 <nil>"},
		{name: "plot", code: `import (` + "\n" + `"gonum.org/v1/plot"` + "\n" + `"gonum.org/v1/plot/plotter"` + "\n" + `"gonum.org/v1/plot/plotutil"` + "\n" + `"gonum.org/v1/plot/vg"` + "\n" + `"gonum.org/v1/plot/vg/draw"` + "\n)\n" +
			"p := plot.New()\np.Title.Text = \"squares\"\nerr := plotutil.AddLinePoints(p, \"y\", plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}, {X: 2, Y: 4}})\ns, _ := plotter.NewScatter(plotter.XYs{{X: 1, Y: 2}})\ns.GlyphStyle.Shape = draw.PlusGlyph{}\ns.GlyphStyle.Radius = vg.Points(4)\np.Add(s)\np",
			text: "squares", mime: "image/png"},
		{name: "plot saves", code: "p.Save(4*vg.Inch, 3*vg.Inch, " + strconv.Quote(filepath.Join(t.TempDir(), "p.png")) + ")", text: "<nil>"},
		{name: "line", code: "plotting.Line([]float64{1, 2, 3}, []float64{1, 4, 9}).WithTitle(\"squares\")", text: "line plot", mime: "image/png"},
		{name: "line of ys only", code: "plotting.Line(nil, []float64{3, 1, 2})", mime: "image/png"},
		{name: "scatter", code: "plotting.Scatter([]float64{1, 2, 3}, []float64{3, 1, 2})", text: "scatter plot", mime: "image/png"},
		{name: "bar", code: "plotting.Bar([]string{\"a\", \"b\"}, []float64{3, 5})", text: "bar chart", mime: "image/png"},
		{name: "hist", code: "plotting.Hist([]float64{1, 2, 2, 3, 3, 3, 4}, 0)", text: "histogram", mime: "image/png"},
		{name: "line, bad input", code: "plotting.Line([]float64{1}, []float64{1, 2})", text: "1 x values for 2 y values; pass one x per y"},
		{name: "bar, bad input", code: "plotting.Bar([]string{\"a\"}, []float64{1, 2})", text: "1 labels for 2 values"},
		{name: "hist, bad input", code: "plotting.Hist(nil, 0)", text: "no finite values given"},
		{name: "hist, bad bins", code: "plotting.Hist([]float64{1}, -1)", text: "-1 bins; pass a positive number"},
	})
}

// TestStdlibCells: the parts of the standard library yaegi's own tables
// lacked (issue 11 item 3).
func TestStdlibCells(t *testing.T) {
	runLibCases(t, []libCase{
		{name: "os/exec", code: `import "os/exec"` + "\n" + `out, err := exec.Command("echo", "hi").Output()` + "\n" + `string(out) + fmt.Sprint(err)`, text: "hi\n<nil>"},
		{name: "syscall", code: `import "syscall"` + "\n" + `syscall.Getpid() > 0`, text: "true"},
		{name: "logger SetPrefix", code: "l := log.New(os.Stdout, \"a: \", 0)\nl.SetPrefix(\"b: \")\nl.Println(\"x\")", stdout: "b: x"},
		{name: "logger Fatal fails the cell, not the kernel", code: "l.Fatal(\"boom\")", err: "log.Fatal: b: boom"},
		{name: "session lives on", code: "1 + 1", text: "2"},
		{name: "errors.AsType", code: "import \"io/fs\"\n_, err := os.Open(\"/does/not/exist\")\nfunc pathOf(err error) string { pe, ok := errors.AsType[*fs.PathError](err); return fmt.Sprint(pe.Path, ok) }\npathOf(err)", text: "/does/not/existtrue"},
		{name: "slices.IsSorted", code: "slices.IsSorted([]int{1, 2, 3})", text: "true"},
		{name: "slices generic calls", code: "xs := []int{3, 1, 2}\nvar ys []int\nys = slices.Clone(xs)\nslices.Reverse(ys)\nfmt.Println(ys, slices.Index(xs, 2), slices.Contains(xs, 5), slices.Equal(xs, ys), slices.Compact([]int{1, 1, 2}), slices.Insert([]int{1}, 0, 0))", stdout: "[2 1 3] 2 false false [1 2] [0 1]"},
		{name: "slices sort, search, min, max", code: "zs := []string{\"b\", \"c\", \"a\"}\nslices.Sort(zs)\ni, found := slices.BinarySearch(zs, \"b\")\nfmt.Println(zs, i, found, slices.Min(zs), slices.Max([]float64{1, 3, 2}))", stdout: "[a b c] 1 true a 3"},
		{name: "named slice type", code: "type IDs []int\nids := IDs{3, 1}\nslices.Sort(ids)\nids", text: "[1 3]"},
		{name: "maps and iterators", code: "m := map[string]int{\"b\": 2, \"a\": 1}\nfmt.Println(slices.Sorted(maps.Keys(m)), maps.Equal(m, maps.Clone(m)), len(maps.Collect(maps.All(m))))", stdout: "[a b] true 2"},
		{name: "iter.Seq", code: "import \"iter\"\nfunc count(s iter.Seq[int]) int { n := 0; s(func(int) bool { n++; return true }); return n }\ncount(slices.Values([]int{1, 2, 3}))", text: "3"},
		{name: "sync.OnceValue", code: "func twice() int { g := sync.OnceValue(func() int { fmt.Println(\"once\"); return 4 }); return g() + g() }\ntwice()", text: "8", stdout: "once\n"},
		{name: "atomic.Pointer", code: "import \"sync/atomic\"\nfunc ptr() int { var p atomic.Pointer[int]; v := 5; p.Store(&v); return *p.Load() }\nptr()", text: "5"},
		{name: "reflect.TypeFor", code: "reflect.TypeFor[error]().String()", text: "error"},
		{name: "unique", code: "unique.Make(\"a\") == unique.Make(\"a\")", text: "true"},
		{name: "cmp", code: "cmp.Compare(1, 2)", text: "-1"},
	})
}
