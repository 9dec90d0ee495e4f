package dsl

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	s := newSession(t)
	if _, err := s.Execute(context.Background(), "type Model2 struct{ Width int; name string }\nfunc (m Model2) Fit2() {}\nmy := Model2{Width: 3}\nset := data.TimeSeries(16, 8, 0, 1)\nimport \"strings\"\nnumber := 4", newRecSink()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		code       string
		cursor     int // -1: end of code
		want       []string
		start, end int
		not        []string // must not be offered
	}{
		{code: "ae.De", cursor: -1, want: []string{"Dense", "Denoising"}, start: 3, end: 5},
		{code: "x := strings.Spl", cursor: -1, want: []string{"Split", "SplitN"}, start: 13, end: 16},
		{code: "set.", cursor: -1, want: []string{"Row", "N", "Labels"}, start: 4, end: 4},
		{code: "my.", cursor: -1, want: []string{"Width", "Fit2"}, start: 3, end: 3},
		{code: "num", cursor: -1, want: []string{"number"}, start: 0, end: 3},
		{code: "fo", cursor: -1, want: []string{"for"}, start: 0, end: 2},
		{code: "localVar := 1\nlocalV", cursor: -1, want: []string{"localVar"}, start: 14, end: 20},
		{code: "tim", cursor: -1, want: []string{"time"}, start: 0, end: 3},
		// Code points, not bytes: "é" is one code point.
		{code: "s := \"é\"; numb", cursor: -1, want: []string{"number"}, start: 10, end: 14},
		{code: "disp + 1", cursor: 4, want: []string{"display"}, start: 0, end: 4},
		{code: "", cursor: -1, want: []string{"fmt", "number"}, not: []string{".", ""}, start: 0, end: 0},
		{code: "fmt.Println(", cursor: -1, want: []string{"number"}, not: []string{"."}, start: 12, end: 12},
		{code: "import \"encoding/js", cursor: -1, want: []string{"encoding/json"}, not: []string{"string", "struct"}, start: 8, end: 19},
		{code: "import (\n\tm \"str", cursor: -1, want: []string{"strings", "strconv"}, not: []string{"string"}, start: 13, end: 16},
		{code: "import \"github.com/latent-ai/latent/runtime/a", cursor: -1, want: []string{"github.com/latent-ai/latent/runtime/ae"}, start: 8, end: 45},
		{code: "%he", cursor: -1, want: []string{"help"}, not: []string{"heap", "hex"}, start: 1, end: 3},
		{code: "x := 1\n%%ti", cursor: -1, want: []string{"time"}, start: 9, end: 11},
	}
	for _, c := range cases {
		cur := c.cursor
		if cur < 0 {
			cur = len([]rune(c.code))
		}
		got, start, end := s.Complete(c.code, cur)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Complete(%q): %v lacks %q", c.code, got, w)
			}
		}
		for _, n := range c.not {
			if slices.Contains(got, n) {
				t.Errorf("Complete(%q) offers %q", c.code, n)
			}
		}
		if start != c.start || end != c.end {
			t.Errorf("Complete(%q): range [%d,%d), want [%d,%d)", c.code, start, end, c.start, c.end)
		}
	}
}

func TestInspect(t *testing.T) {
	s := newSession(t)
	if _, err := s.Execute(context.Background(), "count := 42\nfunc helper(a int) int { return a }\nmodel := ae.Dense(4, 2)", newRecSink()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		code   string
		cursor int
		want   []string // substrings of text/plain; nil: nothing found
	}{
		{"strings.Split(a, b)", 10, []string{"func Split(s, sep string) []string"}}, // before its import
		{"fmt.Println(x)", 6, []string{"func Println(a ...any)", "Println formats"}},
		{"ae.Dense(", 5, []string{"func Dense", "autoencoder"}},
		{"count", 2, []string{"count int = 42"}},
		{"helper(1)", 3, []string{"func helper(a int) int"}},
		{"data", 2, []string{"package data"}},
		{"   ", 1, nil},
		{"model.Fit(x)", 7, []string{"func (m *Model) Fit(", "Fit trains"}},
	}
	for _, c := range cases {
		b, ok := s.Inspect(c.code, c.cursor, 0)
		if c.want == nil {
			if ok {
				t.Errorf("Inspect(%q): found %v, want nothing", c.code, b.Data)
			}
			continue
		}
		text, _ := b.Data["text/plain"].(string)
		for _, w := range c.want {
			if !ok || !strings.Contains(text, w) {
				t.Errorf("Inspect(%q) = %q, %v; want %q", c.code, text, ok, w)
			}
		}
	}
}

func TestIsComplete(t *testing.T) {
	s := newSession(t)
	cases := []struct{ code, status string }{
		{"x := 1", "complete"},
		{"func f() {", "incomplete"},
		{"fmt.Println(1,", "incomplete"},
		{"s := `raw\nstring", "incomplete"},
		{"x := [", "incomplete"},
		{"x := 1 +", "incomplete"},
		{"x := )", "invalid"},
		{"}", "invalid"},
		{"x := \"unterminated", "invalid"},
		{"%who", "complete"},
		{"%%time", "incomplete"},
		{"%%time\nfor {", "incomplete"},
		{"%%time\nfor {\n}", "complete"},
		{"%time x := 1\nfunc f() {", "incomplete"},
		{"", "complete"},
		// A trailing label: its statement is still to come. (The parser's
		// implicit empty statement after it ends past the cell, which once
		// made the printer slice past the text: a panic the fuzz test
		// found.)
		{"x := min(1, 2)\np :", "incomplete"},
		// A label nothing names is Go's compile error.
		{"L:\nfor {\n}", "invalid"},
	}
	for _, c := range cases {
		if got, _ := s.IsComplete(c.code); got != c.status {
			t.Errorf("IsComplete(%q) = %s, want %s", c.code, got, c.status)
		}
	}
}
