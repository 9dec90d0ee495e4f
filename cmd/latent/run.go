package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/latent-ai/latent/notebook"
)

func init() {
	register("run", "execute notebooks headless and write the executed copies (and HTML reports)", runMain)
}

const runUsage = `usage: latent run [flags] NOTEBOOK...
       latent run --help-notebook NOTEBOOK

Executes each notebook's code cells in order, in this process, through the
same Go session the kernel uses, and writes the executed notebook (valid
nbformat 4.5, outputs and metadata.execution timings as nbclient writes
them). Flags may come before or after the notebooks; "-" as the notebook
reads it from standard input (and writes it to standard output unless -o
or --output-dir say otherwise).

With --kernel NAME, cells run instead on an installed Jupyter kernel (any
language) over ZeroMQ, as nbclient would run them.

Output (the input is never overwritten without --inplace):
  by default     NAME.nbconvert.ipynb beside NAME.ipynb, as nbconvert does
  -o FILE        write to FILE (one notebook only; "-" writes to stdout)
  --output-dir D write D/NAME.ipynb for each notebook (D is created)
  --inplace      replace the input notebook
  --html FILE    also write the HTML report to FILE ("-": stdout)
Missing directories of these files are created, as nbconvert does, and
each place is checked to take a new file before any cell runs.
Files are written atomically: a run that fails or is killed leaves the old
file (or none), never a partial one; an output that is a symbolic link is
written through, never replaced. A run interrupted with Ctrl-C or SIGTERM
writes nothing, unless --autosave is given: then it writes the notebook as
far as it got, with a note at the top saying where it stopped (as it does
for a failed cell).

Parameters: -p NAME=VALUE is read as the type the parameters cell gives
NAME; -r NAME VALUE passes VALUE as a string; -f FILE reads a YAML or JSON
map of name to value (strings, numbers, booleans). Later ones win. A value
that does not fit its parameter's type exits 2. --help-notebook lists a
notebook's parameters, with their types, defaults and comments.

Several notebooks run one after another, or -j N at a time, each in its own
process and session, with one progress line per notebook. --junit FILE
writes a JUnit XML report with one test case per notebook.

Cell tags: "parameters" (where -p values are injected, in a new cell tagged
"injected-parameters"), "raises-exception" (an error is expected: record it
and go on), "skip-execution" (not run).

Exit status: 0 when every notebook ran (errors allowed by --allow-errors or
raises-exception count as success), 1 when a cell failed, timed out or a
notebook could not be read or written, 2 on bad flags or parameters or an
output that cannot be written (checked before any cell runs), 130 when
interrupted. Progress and errors go to stderr.

Flags:
`

// paramList collects repeated -p NAME=VALUE and -r NAME VALUE flags, in
// order.
type paramList []notebook.Param

func (p *paramList) String() string { return fmt.Sprint(*p) }
func (p *paramList) Set(s string) error {
	param, err := notebook.ParseParam(s)
	if err != nil {
		return err
	}
	*p = append(*p, param)
	return nil
}

// rawParams adds -r values (rewritten to NAME=VALUE by joinRaw) to a
// paramList as strings.
type rawParams struct{ list *paramList }

func (r rawParams) String() string { return "" }
func (r rawParams) Set(s string) error {
	param, err := notebook.ParseParam(s)
	if err != nil {
		return fmt.Errorf("want -r NAME VALUE, e.g. -r label 'a b'")
	}
	param.Kind = notebook.ValueString
	*r.list = append(*r.list, param)
	return nil
}

// joinRaw rewrites each "-r NAME VALUE" in args as "-r NAME=VALUE", since a
// flag takes one argument; args after "--" are left alone.
func joinRaw(args []string) ([]string, error) {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...), nil
		}
		if a != "-r" && a != "--r" {
			out = append(out, a)
			continue
		}
		if i+2 >= len(args) {
			return nil, fmt.Errorf("-r takes two arguments, NAME and VALUE, e.g. -r label 'a b'")
		}
		out = append(out, a, args[i+1]+"="+args[i+2])
		i += 2
	}
	return out, nil
}

// fileList collects repeated -f FILE flags.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(s string) error { *f = append(*f, s); return nil }

// secondsFlag is a timeout given in seconds ("90", "1.5") or as a Go
// duration ("2m").
type secondsFlag struct{ d time.Duration }

func (s *secondsFlag) String() string { return s.d.String() }
func (s *secondsFlag) Set(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
		s.d = time.Duration(f * float64(time.Second))
		return nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		s.d = d
		return nil
	}
	return fmt.Errorf("want a number of seconds such as 60 or a duration such as 2m")
}

type runFlags struct {
	output, outputDir, html, cwd string
	inplace, allowErrors, quiet  bool
	logOutput, noTiming          bool
	timeout, startTimeout        secondsFlag
	autosave                     secondsFlag
	params                       paramList
	paramFiles                   fileList
	kernel, junit                string
	helpNotebook                 bool
	jobs                         int
}

func runMain(args []string) int {
	var rf runFlags
	fs := flag.NewFlagSet("latent run", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() {
		fmt.Fprint(os.Stderr, runUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&rf.output, "o", "", "write the executed notebook to `FILE` (\"-\": stdout)")
	fs.StringVar(&rf.output, "output", "", "write the executed notebook to `FILE` (same as -o)")
	fs.StringVar(&rf.outputDir, "output-dir", "", "write executed notebooks into `DIR`, under their own names")
	fs.BoolVar(&rf.inplace, "inplace", false, "overwrite the input notebooks with the executed ones")
	fs.Var(&rf.timeout, "timeout", "interrupt a cell that runs longer than `SECONDS` and fail (0: no limit)")
	fs.BoolVar(&rf.allowErrors, "allow-errors", false, "record failing cells and go on; exit 0")
	fs.Var(&rf.params, "p", "set parameter `NAME=VALUE` (repeatable), typed by the parameters cell")
	fs.StringVar(&rf.html, "html", "", "also write a standalone HTML report to `FILE`, or NAME.html into it when it is a directory, ends in /, or several notebooks are given")
	fs.StringVar(&rf.cwd, "cwd", "", "run cells in `DIR` (default: each notebook's directory, as Jupyter does)")
	fs.BoolVar(&rf.quiet, "q", false, "no progress lines, only errors")
	fs.BoolVar(&rf.logOutput, "log-output", false, "also copy the cells' stdout and stderr to stderr as they run (for CI logs)")
	fs.StringVar(&rf.kernel, "kernel", "", "execute on the installed Jupyter kernel `NAME` over ZeroMQ (e.g. python3) instead of in-process Go")
	fs.Var(&rf.startTimeout, "start-timeout", "with --kernel, wait up to `SECONDS` for the kernel to start (default 60)")
	fs.Var(rawParams{&rf.params}, "r", "`NAME VALUE`: set parameter NAME to the string VALUE, as it is (repeatable)")
	fs.Var(&rf.paramFiles, "f", "read parameters from a YAML or JSON `FILE` holding a map of name to value (repeatable)")
	fs.BoolVar(&rf.helpNotebook, "help-notebook", false, "list the parameters of the notebook (types, defaults, comments) and exit")
	fs.BoolVar(&rf.noTiming, "no-timing", false, "leave out the metadata.execution timestamps of each cell (byte-stable outputs)")
	fs.Var(&rf.autosave, "autosave", "save the notebook at most every `SECONDS` while it runs, so a killed run leaves its partial results")
	fs.IntVar(&rf.jobs, "j", 1, "run `N` notebooks at a time, each in its own process")
	fs.StringVar(&rf.junit, "junit", "", "write a JUnit XML report (one test case per notebook) to `FILE`")

	args, err := joinRaw(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "latent run:", err)
		return 2
	}
	var inputs []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		inputs = append(inputs, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(inputs) == 0 {
		fmt.Fprintln(os.Stderr, "latent run: no notebook given; usage: latent run [flags] NOTEBOOK... (see latent run --help)")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }() // a second signal kills at once

	if rf.helpNotebook {
		return helpNotebook(ctx, inputs, &rf)
	}
	if err := rf.check(inputs); err != nil {
		fmt.Fprintln(os.Stderr, "latent run:", err)
		return 2
	}

	var results []*nbResult
	if rf.jobs > 1 && len(inputs) > 1 {
		results = runParallel(ctx, inputs, &rf)
	} else {
		for _, in := range inputs {
			results = append(results, runNotebook(ctx, in, len(inputs) > 1, &rf))
			if ctx.Err() != nil {
				break
			}
		}
	}
	code := 0
	for _, r := range results {
		code = max(code, r.code)
	}
	if rf.junit != "" {
		if err := writeJUnit(rf.junit, results); err != nil {
			fmt.Fprintf(os.Stderr, "latent run: --junit: %v\n", err)
			code = max(code, 1)
		}
	}
	if ctx.Err() != nil {
		return 130
	}
	return code
}

func (rf *runFlags) check(inputs []string) error {
	n := len(inputs)
	stdin := 0
	for _, in := range inputs {
		if in == "-" {
			stdin++
		}
	}
	set := 0
	for _, on := range []bool{rf.output != "", rf.outputDir != "", rf.inplace} {
		if on {
			set++
		}
	}
	switch {
	case set > 1:
		return errors.New("-o, --output-dir and --inplace exclude each other; choose one")
	case rf.output != "" && n > 1:
		return fmt.Errorf("-o names one output file but %d notebooks were given; use --output-dir DIR", n)
	case stdin > 1:
		return errors.New("\"-\" (standard input) can be given once")
	case stdin > 0 && rf.inplace:
		return errors.New("--inplace cannot replace standard input; use -o FILE")
	case rf.jobs < 1:
		return fmt.Errorf("-j %d: want at least 1", rf.jobs)
	case rf.jobs > 1 && stdin > 0 && n > 1:
		return errors.New("-j runs notebooks from files; \"-\" (standard input) cannot be one of them")
	case rf.startTimeout.d > 0 && rf.kernel == "":
		return errors.New("--start-timeout applies to --kernel runs only")
	case rf.autosave.d > 0 && (rf.output == "-" || (stdin > 0 && rf.output == "" && rf.outputDir == "")):
		return errors.New("--autosave saves to a file, not to standard output; give -o FILE or --output-dir DIR")
	}
	if rf.junit != "" {
		if err := prepareOutput(rf.junit, "--junit"); err != nil {
			return err
		}
	}
	return nil
}

// outputPath decides where the executed copy of in goes ("-" is stdout,
// the default for a notebook read from standard input).
func (rf *runFlags) outputPath(in string) (string, error) {
	var out string
	switch {
	case rf.output == "-", in == "-" && rf.output == "" && rf.outputDir == "":
		return "-", nil
	case rf.output != "":
		out = rf.output
	case rf.outputDir != "" && in == "-":
		out = filepath.Join(rf.outputDir, stdinName)
	case rf.outputDir != "":
		out = filepath.Join(rf.outputDir, filepath.Base(in))
	case rf.inplace:
		return in, nil
	default:
		out = strings.TrimSuffix(in, filepath.Ext(in)) + ".nbconvert.ipynb"
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if sameFile(in, out) {
		return "", fmt.Errorf("the output %s is the input notebook; pass --inplace to overwrite it", out)
	}
	return out, nil
}

func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// htmlPath decides where the report of in goes: --html names a file, or a
// directory (with several notebooks, when it exists as one, or when it ends
// in a slash) that receives NAME.html.
func (rf *runFlags) htmlPath(in string, several bool) (string, error) {
	switch {
	case rf.html == "":
		return "", nil
	case rf.html == "-" && several:
		return "", errors.New("--html -: with several notebooks, --html names a directory")
	case rf.html == "-":
		return "-", nil
	}
	p := rf.html
	st, err := os.Stat(p)
	if several || (err == nil && st.IsDir()) || strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return "", fmt.Errorf("--html %s: with several notebooks, --html names a directory: %v", p, err)
		}
		base := filepath.Base(in)
		if in == "-" {
			base = stdinName
		}
		p = filepath.Join(p, strings.TrimSuffix(base, filepath.Ext(base))+".html")
	}
	return filepath.Abs(p)
}

// relative shortens path to one relative to the working directory when it
// lies below it.
func relative(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// notebookLanguage is the language the notebook declares, lower case, or "".
func notebookLanguage(nb *notebook.Notebook) string {
	for _, key := range []string{"kernelspec", "language_info"} {
		m, _ := nb.Metadata[key].(map[string]any)
		field := "language"
		if key == "language_info" {
			field = "name"
		}
		if s, ok := m[field].(string); ok && s != "" {
			return strings.ToLower(s)
		}
	}
	return ""
}
