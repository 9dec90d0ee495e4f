//go:build !unix

package data

import (
	"bufio"
	"io"
	"os"
)

// mapFloats reads n float32 values of f from byte off into memory: this
// system has no mmap, so disk-backed sets are ordinary sets here.
func mapFloats(f *os.File, off int64, n int) ([]float32, error) {
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, err
	}
	x := make([]float32, n)
	return x, readElems(bufio.NewReader(f), "<f4", x)
}
