//go:build !amd64 || purego

package nnops

// activeKernel is the portable Go micro-kernel (no assembly on this
// platform, or the purego build tag is set).
var activeKernel = &goKernel

// availableKernels lists every kernel this build can run, for tests.
func availableKernels() []*microKernel { return []*microKernel{&goKernel} }

// fmaPeak has no assembly to run here.
func fmaPeak(n int) float64 { return 0 }
