package data

import (
	"bytes"
	"fmt"
	"io"
)

// maxCSVLine bounds one line of a CSV file. encoding/csv keeps reading
// until a line ends, so without a bound a file with no newline (or
// /dev/zero) would fill memory before any check could run.
const maxCSVLine = 16 << 20

// csvInput passes a CSV file through, failing at the first NUL byte (the
// file is binary or UTF-16, not CSV text) or at a line longer than
// maxCSVLine, so that LoadCSV checks what it reads as it reads it.
type csvInput struct {
	r    io.Reader
	off  int64 // bytes read so far
	line int64 // bytes since the last newline
}

func (c *csvInput) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	b := p[:n]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return 0, fmt.Errorf("a NUL byte at offset %d: the file is binary (or UTF-16), not a CSV text file; pass a UTF-8 text file", c.off+int64(i))
	}
	if j := bytes.LastIndexByte(b, '\n'); j >= 0 {
		c.line = int64(n - 1 - j)
	} else {
		c.line += int64(n)
	}
	c.off += int64(n)
	if c.line > maxCSVLine {
		return 0, fmt.Errorf("a line longer than %d MiB at offset %d: not a CSV file with one sample per line", maxCSVLine>>20, c.off-c.line)
	}
	return n, err
}
