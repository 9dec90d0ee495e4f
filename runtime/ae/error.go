package ae

import (
	"errors"
	"fmt"
)

// Error is what the ae package panics with (and what its E-suffixed
// methods return): the operation, what went wrong and what to do next.
type Error struct {
	Op  string // e.g. "Fit", "Load"
	Msg string // what went wrong and what to do
	Err error  // underlying error, if any
}

// Error formats the error as "ae: Op: Msg[: Err]".
func (e *Error) Error() string {
	s := "ae: " + e.Op + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

func errf(op, format string, args ...any) *Error {
	return &Error{Op: op, Msg: fmt.Sprintf(format, args...)}
}

func wrap(op string, err error, format string, args ...any) *Error {
	return &Error{Op: op, Msg: fmt.Sprintf(format, args...), Err: err}
}

// must panics with err when it is not nil.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// catch turns a panic carrying an error into *errp (wrapped as an *Error
// for op when it is not one already); other panics propagate.
func catch(op string, errp *error) {
	r := recover()
	if r == nil {
		return
	}
	var ae *Error
	if e, ok := r.(error); ok {
		if errors.As(e, &ae) {
			*errp = e
			return
		}
		*errp = &Error{Op: op, Msg: "failed", Err: e}
		return
	}
	if s, ok := r.(string); ok {
		*errp = &Error{Op: op, Msg: s}
		return
	}
	panic(r)
}
