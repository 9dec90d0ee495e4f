//go:build !amd64 || purego

package nnops

// useAVX512 is always false without assembly.
var useAVX512 = false

func biasActivateRow(row, bias []float32, act Activation, slope float32) bool { return false }

func activationGrad(dy, y []float32, act Activation, slope float32) bool { return false }
