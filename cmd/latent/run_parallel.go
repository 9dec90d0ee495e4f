package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runParallel runs the notebooks rf.jobs at a time, each in a child
// `latent run` process (so each has its own session, working directory and
// memory), and prints one line per notebook as it ends. Unless GOMAXPROCS
// is set, each child gets an equal share of the processors (at least one),
// so that N runs do not fight over the cores with N sets of threads; the
// numeric kernels give bit-identical results for any GOMAXPROCS, so the
// outputs do not change. A child's errors
// come through as it prints them; lines of its cells' output (--log-output)
// are prefixed with the notebook's name.
func runParallel(ctx context.Context, inputs []string, rf *runFlags) []*nbResult {
	self, err := os.Executable()
	if err != nil {
		r := &nbResult{name: inputs[0], code: 1, message: "cannot find the latent binary to run notebooks in parallel: " + err.Error()}
		fmt.Fprintln(os.Stderr, "latent run:", r.message)
		return []*nbResult{r}
	}
	tmp, err := os.MkdirTemp("", "latent-run-j-")
	if err != nil {
		r := &nbResult{name: inputs[0], code: 1, message: err.Error()}
		fmt.Fprintln(os.Stderr, "latent run:", r.message)
		return []*nbResult{r}
	}
	defer os.RemoveAll(tmp)
	common, err := rf.childArgs()
	if err != nil {
		r := &nbResult{name: inputs[0], code: 2, message: err.Error()}
		fmt.Fprintln(os.Stderr, "latent run:", r.message)
		return []*nbResult{r}
	}

	results := make([]*nbResult, len(inputs))
	var stderrMu sync.Mutex
	slots := make(chan struct{}, rf.jobs)
	var wg sync.WaitGroup
	for i, in := range inputs {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			results[i] = &nbResult{name: in, code: 130, message: "not run: interrupted"}
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			junit := filepath.Join(tmp, strconv.Itoa(i)+".xml")
			args := append([]string{"run"}, common...)
			args = append(args, "--junit", junit, "--", in)
			results[i] = runChild(ctx, self, args, childEnv(rf.jobs), in, junit, &stderrMu)
			if !rf.quiet {
				stderrMu.Lock()
				fmt.Fprintln(os.Stderr, progressLine(results[i]))
				stderrMu.Unlock()
			}
		}()
	}
	wg.Wait()
	return results
}

// runChild runs one child process and reads back its JUnit test case.
func runChild(ctx context.Context, self string, args, env []string, name, junit string, mu *sync.Mutex) *nbResult {
	start := time.Now()
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	cmd.Stdout = os.Stdout // only with -o -, which -j excludes
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "latent run:") && !strings.HasPrefix(line, "    ") {
				line = "[" + name + "] " + line
			}
			mu.Lock()
			fmt.Fprintln(os.Stderr, line)
			mu.Unlock()
		}
		io.Copy(io.Discard, pr)
	}()
	err := cmd.Run()
	pw.Close()
	<-copied
	r := &nbResult{name: name, elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
		if r.code < 0 { // killed by a signal
			r.code = 130
		}
	case err != nil:
		r.code, r.message = 1, "cannot run: "+err.Error()
	}
	if cases, err := readJUnitCases(junit); err == nil && len(cases) == 1 {
		r.junit = &cases[0]
		r.cells = cases[0].Assertions
		switch {
		case cases[0].Failure != nil:
			r.message = cases[0].Failure.Message
		case cases[0].Error != nil:
			r.message = cases[0].Error.Message
		}
	} else if r.message == "" && r.code != 0 {
		r.message = fmt.Sprintf("exited with status %d", r.code)
	}
	return r
}

// childEnv is the environment of a child of -j N: this one, with
// GOMAXPROCS set to the child's share of the processors unless it is set.
func childEnv(jobs int) []string {
	env := os.Environ()
	if _, set := os.LookupEnv("GOMAXPROCS"); set {
		return env
	}
	return append(env, "GOMAXPROCS="+strconv.Itoa(max(1, runtime.GOMAXPROCS(0)/jobs)))
}

// progressLine is the one line -j prints about a notebook that ended.
func progressLine(r *nbResult) string {
	took := r.elapsed.Round(10 * time.Millisecond)
	switch r.code {
	case 0:
		return fmt.Sprintf("latent run: %s: ok, %d code cells in %s", r.name, r.cells, took)
	case 130:
		return fmt.Sprintf("latent run: %s: interrupted after %s", r.name, took)
	}
	return fmt.Sprintf("latent run: %s: FAILED after %s (exit %d): %s", r.name, took, r.code, r.message)
}

// childArgs are the flags that a child of -j gets: the same run, for one
// notebook, without progress lines, and with paths made absolute.
func (rf *runFlags) childArgs() ([]string, error) {
	args := []string{"-q"}
	abs := func(flag, p string) error {
		a, err := filepath.Abs(p)
		if err == nil {
			args = append(args, flag, a)
		}
		return err
	}
	if rf.outputDir != "" {
		if err := abs("--output-dir", rf.outputDir); err != nil {
			return nil, err
		}
	}
	if rf.inplace {
		args = append(args, "--inplace")
	}
	if rf.html != "" {
		if err := os.MkdirAll(rf.html, 0o755); err != nil {
			return nil, fmt.Errorf("--html %s: with several notebooks, --html names a directory: %v", rf.html, err)
		}
		dir, err := filepath.Abs(rf.html)
		if err != nil {
			return nil, err
		}
		args = append(args, "--html", dir+string(filepath.Separator))
	}
	if rf.cwd != "" {
		if err := abs("--cwd", rf.cwd); err != nil {
			return nil, err
		}
	}
	for _, f := range rf.paramFiles {
		if err := abs("-f", f); err != nil {
			return nil, err
		}
	}
	for _, p := range rf.params {
		if p.Kind == 0 {
			args = append(args, "-p", p.Name+"="+p.Value)
		} else {
			args = append(args, "-r", p.Name, p.Value)
		}
	}
	for flag, on := range map[string]bool{"--allow-errors": rf.allowErrors, "--log-output": rf.logOutput, "--no-timing": rf.noTiming} {
		if on {
			args = append(args, flag)
		}
	}
	for flag, d := range map[string]time.Duration{"--timeout": rf.timeout.d, "--start-timeout": rf.startTimeout.d, "--autosave": rf.autosave.d} {
		if d > 0 {
			args = append(args, flag, d.String())
		}
	}
	if rf.kernel != "" {
		args = append(args, "--kernel", rf.kernel)
	}
	return args, nil
}
