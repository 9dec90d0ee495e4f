package notebook

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzNotebook feeds arbitrary bytes to Parse. It must never panic; any
// error must be a *ParseError; and a notebook it accepts must be written
// as a valid notebook that reads back to the same bytes.
func FuzzNotebook(f *testing.F) {
	for _, path := range testdataNotebooks(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nb, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Msg == "" {
				t.Fatalf("Parse returned %T %v, want a *ParseError with a message", err, err)
			}
			return
		}
		if err := nb.Validate(); err != nil {
			t.Fatalf("Parse accepted a notebook that does not validate: %v", err)
		}
		out, err := nb.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("cannot read back what Marshal wrote: %v\n%s", err, out)
		}
		out2, err := again.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("write/read/write is not stable: %v\n%s\n---\n%s", err, out, out2)
		}
		nb.HTML("fuzz") // must not panic either
	})
}
