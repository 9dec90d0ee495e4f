//go:build amd64 && !purego

package nnops

import "golang.org/x/sys/cpu"

// useAVX512 selects the AVX-512 elementwise kernels (tests switch it off to
// compare with the portable code).
var useAVX512 = cpu.X86.HasAVX512F

type ewKernel = func(x, y *float32, n int, slope float32)

var (
	biasActKernels = [...]ewKernel{Identity: biasIdentity512, ReLU: biasReLU512, LeakyReLU: biasLeakyReLU512, Sigmoid: biasSigmoid512, Tanh: biasTanh512}
	actKernels     = [...]ewKernel{Identity: nil, ReLU: actReLU512, LeakyReLU: actLeakyReLU512, Sigmoid: actSigmoid512, Tanh: actTanh512}
	gradKernels    = [...]ewKernel{Identity: nil, ReLU: gradReLU512, LeakyReLU: gradLeakyReLU512, Sigmoid: gradSigmoid512, Tanh: gradTanh512}
)

// biasActivateRow sets row[j] = act(row[j] + bias[j]) (bias may be nil) and
// reports whether it could do so with assembly.
func biasActivateRow(row, bias []float32, act Activation, slope float32) bool {
	if !useAVX512 || len(row) == 0 || act < 0 || int(act) >= len(biasActKernels) {
		return false
	}
	if bias == nil {
		if k := actKernels[act]; k != nil {
			k(&row[0], nil, len(row), slope)
		}
		return true
	}
	_ = bias[len(row)-1]
	biasActKernels[act](&row[0], &bias[0], len(row), slope)
	return true
}

// activationGrad sets dy[i] *= act'(y[i]) and reports whether it could do
// so with assembly.
func activationGrad(dy, y []float32, act Activation, slope float32) bool {
	if !useAVX512 || len(dy) == 0 || act < 0 || int(act) >= len(gradKernels) {
		return false
	}
	if k := gradKernels[act]; k != nil {
		_ = y[len(dy)-1]
		k(&dy[0], &y[0], len(dy), slope)
	}
	return true
}
