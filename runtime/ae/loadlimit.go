package ae

import (
	"encoding/binary"
	"io"
	"os"

	"github.com/latent-ai/latent/runtime/host"
)

// maxFileBytes is the largest file the format allows: the longest header
// and every float of the largest model with Adam's two moments.
const maxFileBytes = 16 + maxHeader + 3*4*maxFileFloats + 4

// readModelFile reads a model file, checking what it can before reading
// the rest: the magic and header length from the first 16 bytes, then the
// file's size against what the format allows and the memory available. A
// wrong file (even a huge one, or /dev/zero) is refused after 16 bytes.
func readModelFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, wrap("Load", err, "cannot read %s", path)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil || string(head[:8]) != fileMagic || binary.LittleEndian.Uint32(head[12:]) > maxHeader {
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return nil, wrap("Load", err, "cannot read %s", path)
		}
		_, derr := decode(head[:n], path) // says what is wrong with it
		return nil, derr
	}
	st, err := f.Stat()
	if err != nil {
		return nil, wrap("Load", err, "cannot read %s", path)
	}
	if !st.Mode().IsRegular() { // a pipe or device: read up to the limit
		rest, err := io.ReadAll(io.LimitReader(f, maxFileBytes-16+1))
		if err != nil {
			return nil, wrap("Load", err, "cannot read %s", path)
		}
		if int64(len(rest)) > maxFileBytes-16 {
			return nil, errf("Load", "%s: longer than any model file can be (%d bytes); the file is corrupt", path, int64(maxFileBytes))
		}
		return append(head, rest...), nil
	}
	size := st.Size()
	if size > maxFileBytes {
		return nil, errf("Load", "%s: %d bytes, more than any model file can hold (%d); the file is corrupt", path, size, int64(maxFileBytes))
	}
	if err := host.CheckAlloc("loading "+path, size); err != nil {
		return nil, err
	}
	b := make([]byte, size)
	copy(b, head)
	if _, err := io.ReadFull(f, b[16:]); err != nil {
		return nil, wrap("Load", err, "cannot read %s (it changed while being read?)", path)
	}
	return b, nil
}
