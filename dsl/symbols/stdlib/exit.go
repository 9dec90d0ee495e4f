package stdlib

import (
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"strings"
)

// The generated tables of os and log name these functions instead of the
// ones that would end the process (yaegi's extract substitutes them): a
// cell must never exit the kernel.

// ExitError is what os.Exit and the Fatal functions of log raise in a cell.
type ExitError struct {
	Code    int
	Message string // what a log Fatal call printed, if any
}

func (e ExitError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("log.Fatal: %s (the program would exit with status %d here)", e.Message, e.Code)
	}
	return fmt.Sprintf("os.Exit(%d) called", e.Code)
}

func osExit(code int) { panic(ExitError{Code: code}) }

func osFindProcess(pid int) (*os.Process, error) { return os.FindProcess(pid) }

func logFatal(v ...any) { panic(ExitError{1, strings.TrimSuffix(fmt.Sprint(v...), "\n")}) }
func logFatalf(f string, v ...any) {
	panic(ExitError{1, strings.TrimSuffix(fmt.Sprintf(f, v...), "\n")})
}
func logFatalln(v ...any) { panic(ExitError{1, strings.TrimSuffix(fmt.Sprintln(v...), "\n")}) }

// logLogger is the real log.Logger: cells get every method (SetPrefix,
// ...) and can pass a logger to compiled code.
type logLogger = log.Logger

// logNew is log.New with a writer that stops a Fatal call of the logger
// before it exits the process: the message is written, then the cell fails
// with an ExitError. (A logger whose output is changed later with
// SetOutput loses the guard.)
func logNew(out io.Writer, prefix string, flag int) *log.Logger {
	return log.New(fatalGuard{out}, prefix, flag)
}

// logDefault stands for log.Default: a logger with the standard logger's
// output, prefix and flags whose Fatal methods fail the cell. (The
// standard logger itself would exit the kernel.)
func logDefault() *log.Logger {
	return log.New(fatalGuard{log.Writer()}, log.Prefix(), log.Flags())
}

type fatalGuard struct{ w io.Writer }

func (g fatalGuard) Write(p []byte) (int, error) {
	n, err := g.w.Write(p)
	if inFatal() {
		panic(ExitError{1, strings.TrimSuffix(string(p), "\n")})
	}
	return n, err
}

// inFatal reports whether a Fatal method of log.Logger is on the stack.
func inFatal() bool {
	pc := make([]uintptr, 16)
	frames := runtime.CallersFrames(pc[:runtime.Callers(3, pc)])
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "log.(*Logger).Fatal") {
			return true
		}
		if !more {
			return false
		}
	}
}
