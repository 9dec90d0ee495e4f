package host

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestCheckAlloc(t *testing.T) {
	if err := CheckAlloc("small", 1<<20); err != nil {
		t.Fatalf("1 MiB refused: %v", err)
	}
	if runtime.GOOS != "linux" {
		t.Skip("available memory is read on Linux only")
	}
	err := CheckAlloc("a slice of everything", 1<<62)
	var ae *AllocError
	if !errors.As(err, &ae) || ae.Available <= 0 {
		t.Fatalf("4 EiB: got %v, want an AllocError with the available memory", err)
	}
	if !strings.Contains(err.Error(), "a slice of everything needs") || !strings.Contains(err.Error(), "make it smaller") {
		t.Errorf("message %q does not say what and what to do", err)
	}
}
