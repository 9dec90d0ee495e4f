//go:build unix

package data

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// mapFloats maps n little-endian float32 values of f starting at byte off,
// privately (copy on write) and read-write, so that writes never reach the
// file and never fault.
func mapFloats(f *os.File, off int64, n int) ([]float32, error) {
	if n == 0 {
		return nil, nil
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if need := off + 4*int64(n); st.Size() < need {
		return nil, fmt.Errorf("the file holds %d bytes, its header announces %d; it is truncated", st.Size(), need)
	}
	page := int64(os.Getpagesize())
	start := off / page * page
	b, err := syscall.Mmap(int(f.Fd()), start, int(off-start)+4*n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("cannot map the file: %v", err)
	}
	if off%4 != 0 {
		return nil, fmt.Errorf("the data starts at byte %d, not a multiple of 4; write the file with numpy.save", off)
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[off-start])), n), nil
}
