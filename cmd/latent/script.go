package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl"
	"github.com/latent-ai/latent/plotting"
	"github.com/latent-ai/latent/runtime/host"
)

func init() {
	register("script", "run a Go file through the notebook engine, headless", runScript)
}

const scriptUsage = `usage: latent script FILE.go [args...] [--out DIR]

Runs FILE.go as one notebook cell: the preloaded packages (ae, data,
display, metrics, pca, plotting) need no import, a package clause is
ignored and a func main is called. Standard output passes through; rich
outputs (figures, HTML, ...) are written to DIR (default ./latent-out) and
each path is printed. The exit code is 1 when the script fails.`

// scriptArgs splits the command line: --out DIR (or --out=DIR, -out) may
// appear anywhere; the first other argument is the file, the rest are the
// script's own arguments.
func scriptArgs(args []string) (file, out string, rest []string, err error) {
	out = "latent-out"
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--out" || a == "-out" || a == "-o":
			if i+1 >= len(args) {
				return "", "", nil, errors.New("--out needs a directory")
			}
			out = args[i+1]
			i++
		case strings.HasPrefix(a, "--out=") || strings.HasPrefix(a, "-out="):
			out = a[strings.Index(a, "=")+1:]
		case file == "" && (a == "-h" || a == "--help"):
			return "", "", nil, flagHelp
		case file == "":
			file = a
		default:
			rest = append(rest, a)
		}
	}
	if file == "" {
		return "", "", nil, errors.New("no Go file given")
	}
	return file, out, rest, nil
}

var flagHelp = errors.New("help")

func runScript(args []string) int {
	file, out, rest, err := scriptArgs(args)
	if err != nil {
		if err == flagHelp {
			fmt.Println(scriptUsage)
			return 0
		}
		fmt.Fprintf(os.Stderr, "latent script: %v\n\n%s\n", err, scriptUsage)
		return 2
	}
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(os.Stderr, "latent script: %v\n", err)
		return 1
	}
	// The script owns the process: os.Args and the flag package's command
	// line are its own, and os.Exit ends the process with its code.
	os.Args = append([]string{file}, rest...)
	flag.CommandLine = flag.NewFlagSet(file, flag.ExitOnError)
	opts := dsl.Options{Args: os.Args, Exit: os.Exit}
	if isTerminal(os.Stderr) {
		opts.NewReporter = func(display.Sink) host.Reporter { return plotting.NewTerminalProgress(os.Stderr).Report }
	} else {
		opts.NewReporter = func(display.Sink) host.Reporter { return nil }
	}
	sess, err := dsl.NewWithOptions(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "latent script: %v\n", err)
		return 1
	}
	defer sess.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sink := &scriptSink{dir: out, stdout: os.Stdout, stderr: os.Stderr, stdin: bufio.NewReader(os.Stdin), ids: map[string]string{}}
	res, err := sess.Execute(ctx, dsl.ScriptCell(string(src)), sink)
	if res != nil {
		sink.Display(*res, false)
	}
	if err != nil {
		var de *display.Error
		if errors.As(err, &de) {
			fmt.Fprintf(os.Stderr, "%s: %s\n", file, de.Name)
			for _, l := range scriptTrace(de.Traceback, strings.Count(strings.TrimRight(string(src), " \t\r\n"), "\n")+1) {
				fmt.Fprintln(os.Stderr, l)
			}
		} else {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
		}
		return 1
	}
	if sink.err != nil {
		fmt.Fprintf(os.Stderr, "latent script: writing outputs: %v\n", sink.err)
		return 1
	}
	return 0
}

var (
	calledFrom = regexp.MustCompile(`^\s+called from line (\d+):`)
	quoteLine  = regexp.MustCompile(`^\s+(\d+ \||\^)`)
	// scriptMainName is what dsl.ScriptCell renames main to.
	scriptMainName = regexp.MustCompile(`\bscriptMain\b`)
)

// scriptTrace is a script's traceback as the user wrote the program: the
// frame of the call of main that dsl.ScriptCell appends after the file's
// last line is dropped, with its quoted source, and scriptMain is main.
func scriptTrace(tb []string, lines int) []string {
	var out []string
	skipping := false
	for _, l := range tb {
		if m := calledFrom.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			skipping = n > lines
		} else if skipping && !quoteLine.MatchString(l) {
			skipping = false
		}
		if !skipping {
			out = append(out, scriptMainName.ReplaceAllString(l, "main"))
		}
	}
	return out
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// scriptSink writes streams to the terminal and rich outputs to files.
type scriptSink struct {
	mu     sync.Mutex
	dir    string
	stdout io.Writer
	stderr io.Writer
	stdin  *bufio.Reader
	n      int
	ids    map[string]string // display ID -> file, so updates replace it
	err    error
}

func (s *scriptSink) Stream(name, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.stdout
	if name == "stderr" {
		w = s.stderr
	}
	io.WriteString(w, text)
}

// richTypes are written to files, best first, with their extensions.
var richTypes = []struct{ mime, ext string }{
	{"image/png", ".png"}, {"image/svg+xml", ".svg"}, {"text/html", ".html"},
	{"text/markdown", ".md"}, {"application/json", ".json"},
}

func (s *scriptSink) Display(b display.Bundle, update bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rt := range richTypes {
		v, ok := b.Data[rt.mime]
		if !ok {
			continue
		}
		path, known := s.ids[b.ID]
		if b.ID == "" || !known {
			s.n++
			path = filepath.Join(s.dir, fmt.Sprintf("output-%03d%s", s.n, rt.ext))
			if b.ID != "" {
				s.ids[b.ID] = path
			}
		}
		if err := writeRich(path, rt.mime, v); err != nil {
			if s.err == nil {
				s.err = err
			}
			fmt.Fprintf(s.stderr, "latent script: %v\n", err)
			return
		}
		if !known {
			fmt.Fprintln(s.stdout, path)
		}
		return
	}
	if t, ok := b.Data["text/plain"].(string); ok {
		fmt.Fprintln(s.stdout, t)
	}
}

func writeRich(path, mime string, v any) error {
	var data []byte
	switch x := v.(type) {
	case string:
		if mime == "image/png" {
			d, err := base64.StdEncoding.DecodeString(x)
			if err != nil {
				return fmt.Errorf("%s: bad base64 PNG: %w", path, err)
			}
			data = d
		} else {
			data = []byte(x)
		}
	case []byte:
		data = x
	default:
		d, err := json.MarshalIndent(x, "", "  ")
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		data = d
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cannot create the output directory: %w; pass --out DIR", err)
	}
	return os.WriteFile(path, data, 0o644)
}

func (s *scriptSink) Clear(bool) {}

func (s *scriptSink) Input(prompt string, password bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	io.WriteString(s.stderr, prompt)
	line, err := s.stdin.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
