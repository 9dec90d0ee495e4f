package nbtools

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"time"
)

// killGrace is how long an interrupted command's process group has between
// SIGINT and SIGKILL.
const killGrace = 2 * time.Second

// ShellError is a command that could not run, was interrupted, or (when
// the caller asks for it) exited with a non-zero status.
type ShellError struct {
	Shell  string // the shell program
	Status int    // exit status, -1 when killed by a signal or never started
	Err    error  // why it did not run or stop on its own, if so
}

func (e *ShellError) Error() string {
	switch {
	case e.Err != nil:
		return e.Err.Error()
	case e.Status < 0:
		return e.Shell + " was killed by a signal"
	}
	return fmt.Sprintf("%s exited with status %d", e.Shell, e.Status)
}

// Shell runs script with the shell program (sh, bash) in the current
// directory and environment, with no input. Its standard output and error
// reach out as they come, each write one call. The command runs in a
// process group of its own: when ctx is cancelled (an interrupt) the whole
// group gets SIGINT, and SIGKILL killGrace later. Shell returns the exit
// status, and a *ShellError when the command did not start or was
// interrupted.
func Shell(ctx context.Context, shell, script string, out func(stream, text string)) (int, error) {
	if _, err := exec.LookPath(shell); err != nil {
		return -1, &ShellError{Shell: shell, Status: -1, Err: fmt.Errorf("%s is not installed or not on PATH (%v): install it, or use %%%%sh for the POSIX shell", shell, err)}
	}
	var mu sync.Mutex
	write := func(stream string) writerFunc {
		return func(p []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			out(stream, string(p))
			return len(p), nil
		}
	}
	cmd := exec.CommandContext(ctx, shell, "-c", script)
	cmd.Stdout, cmd.Stderr = write("stdout"), write("stderr")
	ownGroup(cmd)
	// Output pipes held open by a background child (cmd &) stop being
	// read this long after the shell itself ends.
	cmd.WaitDelay = killGrace + time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return -1, &ShellError{Shell: shell, Status: -1, Err: fmt.Errorf("%s was interrupted: its processes were stopped", shell)}
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), nil
	case errors.Is(err, exec.ErrWaitDelay):
		return 0, nil // the shell ended; a background child still holds the output
	case err != nil:
		return -1, &ShellError{Shell: shell, Status: -1, Err: fmt.Errorf("%s could not run: %v", shell, err)}
	}
	return 0, nil
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
