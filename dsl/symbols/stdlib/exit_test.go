package stdlib

import (
	"bytes"
	"errors"
	"log"
	"testing"
)

func TestLoggerFatalPanics(t *testing.T) {
	var buf bytes.Buffer
	l := logNew(&buf, "p: ", 0)
	l.SetPrefix("q: ")
	l.Println("fine")
	func() {
		defer func() {
			var e ExitError
			if err, ok := recover().(error); !ok || !errors.As(err, &e) || e.Message != "q: bye" || e.Code != 1 {
				t.Errorf("recovered %v, want ExitError{1, %q}", err, "q: bye")
			}
		}()
		l.Fatalf("bye")
	}()
	if buf.String() != "q: fine\nq: bye\n" {
		t.Errorf("logged %q", buf.String())
	}
	if _, ok := any(logDefault()).(*log.Logger); !ok {
		t.Error("log.Default is not a *log.Logger")
	}
}
