package hugemem

import (
	"syscall"
	"unsafe"
)

const supported = true

func address(x []float32) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(x))) }

// advise marks x, which starts and ends on huge-page boundaries, with
// MADV_HUGEPAGE. Memory the Go runtime had already touched keeps its 4 KiB
// pages until the kernel's khugepaged merges them; fresh memory is faulted
// in as huge pages. A kernel without transparent huge pages refuses the
// advice, which changes nothing, so the error is ignored.
func advise(x []float32) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 4*len(x))
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
