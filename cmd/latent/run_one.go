package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/latent-ai/latent/dsl"
	"github.com/latent-ai/latent/internal/atomicfile"
	"github.com/latent-ai/latent/notebook"
	"github.com/latent-ai/latent/notebook/kernelclient"
)

// stdinName is the name of a notebook read from standard input, in output
// and report file names.
const stdinName = "stdin.ipynb"

// nbResult is how the run of one notebook went, for the exit code and the
// JUnit report.
type nbResult struct {
	name    string // as given on the command line
	code    int    // its exit code
	message string // why it failed, when it did
	failure *notebook.CellError
	cells   int
	elapsed time.Duration
	junit   *junitCase // the test case a child process of -j reported
}

// runNotebook runs one notebook and says how it went.
func runNotebook(ctx context.Context, in string, several bool, rf *runFlags) *nbResult {
	start := time.Now()
	res := &nbResult{name: in}
	defer func() { res.elapsed = time.Since(start) }()
	fail := func(code int, format string, args ...any) *nbResult {
		res.code, res.message = code, fmt.Sprintf(format, args...)
		fmt.Fprintf(os.Stderr, "latent run: %s: %s\n", in, res.message)
		return res
	}
	abs, cwd := "-", ""
	if in != "-" {
		var err error
		if abs, err = filepath.Abs(in); err != nil {
			return fail(1, "%v", err)
		}
		cwd = filepath.Dir(abs)
	} else if wd, err := os.Getwd(); err == nil {
		cwd = wd
	}
	out, err := rf.outputPath(abs)
	if err != nil {
		return fail(2, "%v", err)
	}
	report, err := rf.htmlPath(abs, several)
	if err != nil {
		return fail(2, "%v", err)
	}
	if rf.cwd != "" {
		if cwd, err = filepath.Abs(rf.cwd); err != nil {
			return fail(2, "--cwd: %v", err)
		}
	}
	// Everything that can be checked about the outputs is, before any cell runs.
	switch {
	case report == "-" && out == "-":
		return fail(2, "the notebook and the --html report would both go to standard output; name a file for one of them")
	case report != "" && report != "-" && sameFile(abs, report):
		return fail(2, "--html %s is the input notebook; name another file", report)
	case report != "" && report != "-" && sameFile(out, report):
		return fail(2, "--html %s is also the notebook's output; name another file", report)
	}
	if out != "-" {
		if err := prepareOutput(out, "output"); err != nil {
			return fail(2, "%v", err)
		}
	}
	if report != "" && report != "-" {
		if err := prepareOutput(report, "--html"); err != nil {
			return fail(2, "%v", err)
		}
	}

	nb, err := loadNotebook(ctx, abs)
	if ctx.Err() != nil {
		return fail(130, "interrupted while reading the notebook; nothing written")
	}
	if err != nil {
		return fail(1, "%v", err)
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
	params, err := rf.allParams()
	if err != nil {
		return fail(2, "%v", err)
	}
	warning, err := nb.InjectParametersFor(language, params)
	if err != nil {
		return fail(2, "%v", err)
	}
	if warning != "" {
		fmt.Fprintf(os.Stderr, "latent run: %s: warning: %s\n", in, warning)
	}

	opts := notebook.Options{Name: in, Timeout: rf.timeout.d, AllowErrors: rf.allowErrors, NoTiming: rf.noTiming}
	if !rf.quiet {
		opts.Progress, opts.Heartbeat = os.Stderr, time.Minute
	}
	if rf.logOutput {
		opts.Echo = os.Stderr
	}
	if rf.autosave.d > 0 && out != "-" {
		opts.AutosaveEvery = rf.autosave.d
		opts.Autosave = func(b []byte) error { return writeOutput(ctx, out, b) }
	}
	var exec notebook.Executor
	if spec != nil {
		client, err := kernelclient.Start(ctx, spec, kernelclient.Options{Dir: cwd, StartTimeout: rf.startTimeout.d})
		if err != nil {
			if ctx.Err() != nil {
				return fail(130, "interrupted while the kernel started; nothing written")
			}
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
	run, runErr := notebook.Run(ctx, nb, exec, opts)
	if err := os.Chdir(oldwd); err != nil {
		return fail(1, "%v", err)
	}
	res.cells = run.Cells
	if ctx.Err() != nil {
		if opts.Autosave == nil {
			return fail(130, "interrupted; nothing written")
		}
		if err := writeNotebook(ctx, nb, out); err != nil {
			return fail(130, "interrupted, and the partial notebook could not be written: %v", err)
		}
		return fail(130, "interrupted; wrote the notebook as far as it got to %s", relative(out))
	}

	var ce *notebook.CellError
	if errors.As(runErr, &ce) {
		res.code, res.failure, res.message = 1, ce, ce.Error()
		fmt.Fprintf(os.Stderr, "latent run: %v\n", ce)
		for _, line := range ce.Err.Traceback {
			fmt.Fprintf(os.Stderr, "    %s\n", notebook.StripANSI(line))
		}
		if ce.Timeout && !ce.Stuck {
			fmt.Fprintf(os.Stderr, "latent run: %s: cell %d exceeded --timeout %s; raise it or make the cell faster\n", in, ce.Index, rf.timeout.d)
		}
	} else if runErr != nil {
		res.code, res.message = 1, runErr.Error()
		fmt.Fprintf(os.Stderr, "latent run: %v\n", runErr)
	}
	for _, e := range run.Errors {
		switch {
		case e == ce:
		case e.Expected && rf.quiet:
		case e.Expected:
			fmt.Fprintf(os.Stderr, "latent run: note: %v (expected: the cell is tagged raises-exception)\n", e)
		default:
			fmt.Fprintf(os.Stderr, "latent run: note: %v (allowed by --allow-errors)\n", e)
		}
	}

	code := res.code
	if err := writeNotebook(ctx, nb, out); err != nil {
		return fail(1, "%v", err)
	}
	if report != "" {
		title := filepath.Base(in)
		if in == "-" {
			title = stdinName
		}
		if report == "-" {
			_, err = os.Stdout.Write(nb.HTML(title))
		} else {
			err = atomicfile.WriteFile(report, nb.HTML(title), 0o644)
		}
		if err != nil {
			return fail(1, "%v", err)
		}
	}
	if !rf.quiet {
		dest := relative(out)
		if out == "-" {
			dest = "standard output"
		}
		switch report {
		case "":
		case "-":
			dest += " and the HTML report to standard output"
		default:
			dest += " and " + relative(report)
		}
		fmt.Fprintf(os.Stderr, "latent run: %s: wrote %s\n", in, dest)
	}
	res.code = code
	return res
}

// writeNotebook validates nb and writes it to out ("-": standard output).
func writeNotebook(ctx context.Context, nb *notebook.Notebook, out string) error {
	data, err := nb.Marshal()
	if err == nil {
		err = nb.Validate()
	}
	if err != nil {
		return fmt.Errorf("cannot write the executed notebook: %v", err)
	}
	return writeOutput(ctx, out, data)
}
