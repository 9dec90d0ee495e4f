package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/latent-ai/latent/dsl"
	"github.com/latent-ai/latent/notebook"
	"github.com/latent-ai/latent/notebook/kernelclient"
)

func init() {
	register("run", "execute notebooks headless and write the executed copies (and HTML reports)", runMain)
}

const runUsage = `usage: latent run [flags] NOTEBOOK...

Executes each notebook's code cells in order, in this process, through the
same Go session the kernel uses, and writes the executed notebook (valid
nbformat 4.5, outputs as nbclient writes them). Flags may come before or
after the notebooks.

With --kernel NAME, cells run instead on an installed Jupyter kernel (any
language) over ZeroMQ, as nbclient would run them.

Output (the input is never overwritten without --inplace):
  by default     NAME.nbconvert.ipynb beside NAME.ipynb, as nbconvert does
  -o FILE        write to FILE (one notebook only; "-" writes to stdout)
  --output-dir D write D/NAME.ipynb for each notebook (D is created)
  --inplace      replace the input notebook
Files are written atomically: a run that fails or is killed leaves the old
file (or none), never a partial one. A run interrupted with Ctrl-C or
SIGTERM writes nothing.

Cell tags: "parameters" (where -p values are injected, in a new cell tagged
"injected-parameters"), "raises-exception" (an error is expected: record it
and go on), "skip-execution" (not run).

Exit status: 0 when every notebook ran (errors allowed by --allow-errors or
raises-exception count as success), 1 when a cell failed, timed out or a
notebook could not be read or written, 2 on bad flags or parameters, 130
when interrupted. Progress and errors go to stderr.

Flags:
`

// paramList collects repeated -p NAME=VALUE flags.
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
	logOutput                    bool
	timeout                      secondsFlag
	params                       paramList
	kernel                       string
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
	if err := rf.check(len(inputs)); err != nil {
		fmt.Fprintln(os.Stderr, "latent run:", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }() // a second signal kills at once

	code := 0
	for _, in := range inputs {
		c := runNotebook(ctx, in, len(inputs) > 1, &rf)
		if c > code {
			code = c
		}
		if ctx.Err() != nil {
			return 130
		}
	}
	return code
}

func (rf *runFlags) check(n int) error {
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
	}
	return nil
}

// outputPath decides where the executed copy of in goes ("-" is stdout).
func (rf *runFlags) outputPath(in string) (string, error) {
	var out string
	switch {
	case rf.output == "-":
		return "-", nil
	case rf.output != "":
		out = rf.output
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
	if rf.html == "" {
		return "", nil
	}
	p := rf.html
	st, err := os.Stat(p)
	if several || (err == nil && st.IsDir()) || strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return "", fmt.Errorf("--html %s: with several notebooks, --html names a directory: %v", p, err)
		}
		p = filepath.Join(p, strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))+".html")
	}
	return filepath.Abs(p)
}

// runNotebook runs one notebook and returns its exit code.
func runNotebook(ctx context.Context, in string, several bool, rf *runFlags) int {
	name := in
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "latent run: %s: %s\n", name, fmt.Sprintf(format, args...))
		return code
	}
	abs, err := filepath.Abs(in)
	if err != nil {
		return fail(1, "%v", err)
	}
	out, err := rf.outputPath(abs)
	if err != nil {
		return fail(2, "%v", err)
	}
	report, err := rf.htmlPath(abs, several)
	if err != nil {
		return fail(2, "%v", err)
	}
	cwd := filepath.Dir(abs)
	if rf.cwd != "" {
		if cwd, err = filepath.Abs(rf.cwd); err != nil {
			return fail(2, "--cwd: %v", err)
		}
	}

	nb, err := notebook.ReadFile(abs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "latent run: %v\n", err)
		return 1
	}
	if lang := notebookLanguage(nb); lang != "" && lang != "go" && rf.kernel == "" {
		return fail(1, "this is a %s notebook; latent run executes Go notebooks in-process, or others with --kernel NAME (see jupyter kernelspec list)", lang)
	}
	language := "go"
	var spec *kernelclient.Spec
	if rf.kernel != "" {
		if spec, err = kernelclient.FindSpec(rf.kernel); err != nil {
			return fail(2, "%v", err)
		}
		language = spec.Language
	}
	warning, err := nb.InjectParametersFor(language, rf.params)
	if err != nil {
		return fail(2, "%v", err)
	}
	if warning != "" {
		fmt.Fprintf(os.Stderr, "latent run: %s: warning: %s\n", name, warning)
	}

	opts := notebook.Options{Name: name, Timeout: rf.timeout.d, AllowErrors: rf.allowErrors}
	if !rf.quiet {
		opts.Progress, opts.Heartbeat = os.Stderr, time.Minute
	}
	if rf.logOutput {
		opts.Echo = os.Stderr
	}
	var exec notebook.Executor
	if spec != nil {
		client, err := kernelclient.Start(ctx, spec, kernelclient.Options{Dir: cwd})
		if err != nil {
			return fail(1, "%v", err)
		}
		defer client.Close()
		exec, opts.KernelSpec, opts.LanguageInfo = client, client.KernelSpecMetadata(), client.LanguageInfo
	} else {
		session, err := dsl.New()
		if err != nil {
			return fail(1, "cannot start the Go session: %v", err)
		}
		if c, ok := any(session).(io.Closer); ok {
			defer c.Close()
		}
		exec = session
	}
	oldwd, err := os.Getwd()
	if err != nil {
		return fail(1, "%v", err)
	}
	if err := os.Chdir(cwd); err != nil {
		return fail(2, "cannot run in %s: %v", cwd, err)
	}
	res, runErr := notebook.Run(ctx, nb, exec, opts)
	if err := os.Chdir(oldwd); err != nil {
		return fail(1, "%v", err)
	}
	if ctx.Err() != nil {
		return fail(130, "interrupted; nothing written")
	}

	code := 0
	var ce *notebook.CellError
	if errors.As(runErr, &ce) {
		code = 1
		fmt.Fprintf(os.Stderr, "latent run: %v\n", ce)
		for _, line := range ce.Err.Traceback {
			fmt.Fprintf(os.Stderr, "    %s\n", notebook.StripANSI(line))
		}
		if ce.Timeout && !ce.Stuck {
			fmt.Fprintf(os.Stderr, "latent run: %s: cell %d exceeded --timeout %s; raise it or make the cell faster\n", name, ce.Index, rf.timeout.d)
		}
	} else if runErr != nil {
		code = 1
		fmt.Fprintf(os.Stderr, "latent run: %v\n", runErr)
	}
	for _, e := range res.Errors {
		switch {
		case e == ce:
		case e.Expected && rf.quiet:
		case e.Expected:
			fmt.Fprintf(os.Stderr, "latent run: note: %v (expected: the cell is tagged raises-exception)\n", e)
		default:
			fmt.Fprintf(os.Stderr, "latent run: note: %v (allowed by --allow-errors)\n", e)
		}
	}

	data, err := nb.Marshal()
	if err == nil {
		err = nb.Validate()
	}
	if err != nil {
		return fail(1, "cannot write the executed notebook: %v", err)
	}
	if out == "-" {
		if _, err := os.Stdout.Write(data); err != nil {
			return fail(1, "cannot write to stdout: %v", err)
		}
	} else {
		if rf.outputDir != "" {
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return fail(1, "--output-dir: %v", err)
			}
		}
		if err := notebook.WriteFileAtomic(out, data, 0o644); err != nil {
			return fail(1, "%v", err)
		}
	}
	if report != "" {
		if err := notebook.WriteFileAtomic(report, nb.HTML(filepath.Base(in)), 0o644); err != nil {
			return fail(1, "%v", err)
		}
	}
	if !rf.quiet {
		dest := relative(out)
		if report != "" {
			dest += " and " + relative(report)
		}
		fmt.Fprintf(os.Stderr, "latent run: %s: wrote %s\n", name, dest)
	}
	return code
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
