package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/latent-ai/latent/internal/atomicfile"
	"github.com/latent-ai/latent/notebook"
	"github.com/latent-ai/latent/runtime/host"
)

// notebookMemoryFactor is how many times its size in memory a notebook
// takes while it is parsed, run and written again (the bytes read, the
// decoded cells, the bytes written), measured with large base64 outputs.
const notebookMemoryFactor = 4

// prepareOutput checks, before any cell runs, that a file can be written
// at path (through a symbolic link at path): its directory is created when
// missing, as nbconvert does, and must take a new file.
func prepareOutput(path, what string) error {
	target, err := atomicfile.Target(path)
	if err != nil {
		return fmt.Errorf("%s %s: %v", what, path, err)
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s %s: cannot create its directory: %v", what, path, err)
	}
	if st, err := os.Stat(target); err == nil && st.IsDir() {
		return fmt.Errorf("%s %s is a directory; name a file", what, path)
	}
	// The file is written through a temporary file beside it: try one.
	f, err := os.CreateTemp(dir, ".latent-check-*")
	if err != nil {
		return fmt.Errorf("%s %s: the directory %s does not take new files (%v); choose another place", what, path, dir, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// loadNotebook reads and parses the notebook at path ("-": standard input).
// A notebook too large for the memory available is refused before it is
// read (Go cannot recover from running out of memory), and a named pipe
// that no one opens does not hold off Ctrl-C or SIGTERM.
func loadNotebook(ctx context.Context, path string) (*notebook.Notebook, error) {
	var data []byte
	err := interruptible(ctx, func() error {
		var err error
		data, err = readAll(path)
		return err
	})
	if err != nil {
		return nil, err
	}
	nb, err := notebook.Parse(data)
	var pe *notebook.ParseError
	if errors.As(err, &pe) && path != "-" {
		pe.File = path
	}
	return nb, err
}

// readAll reads path ("-": standard input), refusing more than the memory
// available can hold.
func readAll(path string) ([]byte, error) {
	f := os.Stdin
	name := "standard input"
	if path != "-" {
		name = path
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read notebook: %w", err)
		}
		if err := tooLarge(name, st.Size()); err != nil {
			return nil, err
		}
		if f, err = os.Open(path); err != nil { // a named pipe blocks here until a writer opens it
			return nil, fmt.Errorf("cannot read notebook: %w", err)
		}
		defer f.Close()
	}
	var buf bytes.Buffer
	for {
		n, err := io.CopyN(&buf, f, 64<<20)
		if err := tooLarge(name, int64(buf.Len())); err != nil {
			return nil, err
		}
		if err == io.EOF || (err == nil && n == 0) {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read notebook %s: %w", name, err)
		}
	}
}

// tooLarge refuses a notebook of size bytes that would not fit in memory.
func tooLarge(name string, size int64) error {
	if err := host.CheckAlloc("the notebook "+name+" ("+mib(size)+")", size*notebookMemoryFactor); err != nil {
		return fmt.Errorf("cannot run %s: %v", name, err)
	}
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// interruptible runs f, which may block in a system call (opening a named
// pipe), and returns early with ctx's error when ctx ends first; f then
// finishes on its own, or with the process.
func interruptible(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeOutput writes data to out: standard output for "-", straight into
// a named pipe or device, and atomically (through symbolic links) into a
// file.
func writeOutput(ctx context.Context, out string, data []byte) error {
	if out == "-" {
		if _, err := os.Stdout.Write(data); err != nil {
			return fmt.Errorf("cannot write to stdout: %v", err)
		}
		return nil
	}
	if st, err := os.Stat(out); err == nil && st.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) != 0 {
		return interruptible(ctx, func() error {
			f, err := os.OpenFile(out, os.O_WRONLY, 0) // a named pipe blocks here until a reader opens it
			if err != nil {
				return err
			}
			_, err = f.Write(data)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			return err
		})
	}
	return atomicfile.WriteFile(out, data, 0o644)
}
