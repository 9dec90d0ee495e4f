package dsl

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"

	"github.com/latent-ai/latent/dsl/symbols/stdlib"
)

// BenchmarkTrivialCell measures a trivial cell ("x + 1") through the
// session and, in the same run, the same source through a bare yaegi
// interpreter; it reports both medians, the session's overhead (the
// difference of the medians) and their ratio.
//
//	go test -run '^$' -bench TrivialCell -benchtime 2000x ./dsl/
func BenchmarkTrivialCell(b *testing.B) {
	s := newSession(b)
	ctx := context.Background()
	sink := newRecSink()
	if _, err := s.Execute(ctx, "x := 1", sink); err != nil {
		b.Fatal(err)
	}
	raw := interp.New(interp.Options{})
	if err := raw.Use(stdlib.Symbols); err != nil {
		b.Fatal(err)
	}
	if _, err := raw.Eval("x := 1"); err != nil {
		b.Fatal(err)
	}
	sess := make([]time.Duration, 0, b.N)
	ref := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := s.Execute(ctx, "x + 1", sink); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := raw.EvalWithContext(ctx, "x + 1"); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		sess = append(sess, t1.Sub(t0))
		ref = append(ref, t2.Sub(t1))
	}
	b.StopTimer()
	ps, pr := median(sess), median(ref)
	b.ReportMetric(float64(ps.Microseconds()), "session-p50-µs")
	b.ReportMetric(float64(pr.Microseconds()), "yaegi-p50-µs")
	b.ReportMetric(float64((ps - pr).Microseconds()), "overhead-p50-µs")
	b.ReportMetric(float64(ps)/float64(pr), "ratio")
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// splitBenchCell has loops, calls, a go statement, a defer and fmt: most
// passes rewrite something in it.
const splitBenchCell = `xs := []int{3, 1, 2}
total := 0
for i, x := range xs {
	total += x * i
	if x > 1 {
		fmt.Println(i, min(x, total))
	}
}
func() {
	defer fmt.Println("done", max(total, 1))
}()
s := fmt.Sprintf("%d items", len(xs))
ys := make([]float64, len(xs))
for i := range len(ys) {
	ys[i] = float64(xs[i]) / 2
}
total`

// BenchmarkSplitCell measures the engine's part of a cell that the passes
// rewrite: one parse, the passes, and printing the program text.
func BenchmarkSplitCell(b *testing.B) {
	for b.Loop() {
		if _, err := splitCell(splitBenchCell, 1, noEnv{}); err != nil {
			b.Fatal(err)
		}
	}
}
