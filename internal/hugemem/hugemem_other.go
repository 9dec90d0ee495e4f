//go:build !linux

package hugemem

const supported = false

func address([]float32) uintptr { return 0 }

func advise([]float32) {}
