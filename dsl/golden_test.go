package dsl

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latent-ai/latent/display"
)

// TestGoldenCells runs every file of testdata/cells, one behaviour each, in
// the style of yaegi's _test files: the file is one or more cells (cut at
// lines "// next cell"), followed by what the last cell must give:
//
//	// Program:      the program text the passes make of the last cell
//	//               (its parts' text without line tracking), line by line
//	// Output:       stdout, then the result's text/plain, line by line
//	// Error: TEXT   the last cell fails with an error whose value holds TEXT
//	// Stderr: TEXT  stderr holds TEXT
//	// Not: TEXT     the error (if any) does not hold TEXT
//	// Stdout: TEXT  stdout holds TEXT (for output that varies)
//
// Every cell before the last must succeed.
func TestGoldenCells(t *testing.T) {
	files, err := filepath.Glob("testdata/cells/*.cell")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cells: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".cell"), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			g := parseGolden(string(src))
			if g.program != nil {
				chunks, err := splitCell(g.cells[len(g.cells)-1], 1, noEnv{})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, c := range chunks {
					got = append(got, c.body)
				}
				if p := strings.Join(got, "\n") + "\n"; p != *g.program {
					t.Fatalf("program\n%s\nwant\n%s", p, *g.program)
				}
			}
			s := newSession(t)
			for i, cell := range g.cells {
				sink := newRecSink()
				b, err := s.Execute(context.Background(), cell, sink)
				if i < len(g.cells)-1 {
					if err != nil {
						t.Fatalf("cell %d: %v", i+1, err)
					}
					continue
				}
				var de *display.Error
				if g.err != "" {
					if !errors.As(err, &de) || !strings.Contains(de.Value, g.err) {
						t.Fatalf("want an error with %q, got %v", g.err, err)
					}
				} else if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if g.not != "" && err != nil && strings.Contains(err.Error(), g.not) {
					t.Fatalf("the error %q holds %q", err, g.not)
				}
				got := sink.out("stdout")
				if b != nil {
					got += b.Data["text/plain"].(string) + "\n"
				}
				if g.output != nil && got != *g.output {
					t.Fatalf("output\n%q\nwant\n%q", got, *g.output)
				}
				if !strings.Contains(sink.out("stdout"), g.stdout) {
					t.Fatalf("stdout %q lacks %q", sink.out("stdout"), g.stdout)
				}
				if !strings.Contains(sink.out("stderr"), g.stderr) {
					t.Fatalf("stderr %q lacks %q", sink.out("stderr"), g.stderr)
				}
			}
		})
	}
}

// golden is a parsed testdata/cells file.
type golden struct {
	cells   []string
	output  *string // nil: not checked
	program *string // nil: not checked
	err     string
	stderr  string
	stdout  string
	not     string
}

func parseGolden(src string) golden {
	var g golden
	var code, out, prog []string
	inOut, inProg := false, false
	for _, l := range strings.Split(strings.TrimRight(src, "\n"), "\n") {
		switch {
		case l == "// Program:":
			inProg = true
		case l == "// Output:":
			inOut, inProg = true, false
			empty := ""
			g.output = &empty
		case strings.HasPrefix(l, "// Error: "):
			g.err = strings.TrimPrefix(l, "// Error: ")
		case strings.HasPrefix(l, "// Stderr: "):
			g.stderr = strings.TrimPrefix(l, "// Stderr: ")
		case strings.HasPrefix(l, "// Not: "):
			g.not = strings.TrimPrefix(l, "// Not: ")
		case strings.HasPrefix(l, "// Stdout: "):
			g.stdout = strings.TrimPrefix(l, "// Stdout: ")
		case inProg:
			prog = append(prog, strings.TrimPrefix(strings.TrimPrefix(l, "//"), " "))
		case inOut:
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(l, "//"), " "))
		case l == "// next cell":
			g.cells = append(g.cells, strings.Join(code, "\n"))
			code = nil
		default:
			code = append(code, l)
		}
	}
	g.cells = append(g.cells, strings.Join(code, "\n"))
	if len(prog) > 0 {
		p := strings.Join(prog, "\n") + "\n"
		g.program = &p
	}
	if g.output != nil && len(out) > 0 {
		o := strings.Join(out, "\n") + "\n"
		g.output = &o
	}
	return g
}
