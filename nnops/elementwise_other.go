//go:build !amd64 || purego

package nnops

// Without assembly there is only the portable level.
const levelGo = 0

var ewLevel = levelGo

func availableLevels() []int { return []int{levelGo} }

func biasActivateRow(row, bias []float32, act Activation, slope float32) bool { return false }

func activationGrad(dy, y []float32, act Activation, slope float32) bool { return false }

func addTo(dst, src []float32)                     { addToGo(dst, src) }
func addScalar(x []float32, s float32)             { addScalarGo(x, s) }
func scale(x []float32, s float32)                 { scaleGo(x, s) }
func sum(x []float32) float32                      { return sumGo(x) }
func dot(x, y []float32) float32                   { return dotGo(x, y) }
func axpy(x, y []float32, s float32)               { axpyGo(x, y, s) }
func adamStep(w, g, m, v []float32, h *adamParams) { adamGo(w, g, m, v, h) }
func adamStepShared(w, g, m, v []float32, h *adamParams) {
	adamGo(w, g, m, v, h)
}
func isAMD() bool { return false }

func hasAxpy4() bool                               { return false }
func axpy4(x, y []float32, ldy int, a *[4]float32) { panic("nnops: axpy4 without assembly") }

func copyRows(dst []float32, ldd int, src []float32, lds, rows, n int) {
	copyRowsGo(dst, ldd, src, lds, rows, n)
}
func gather2(dst []float32, ldd int, src []float32, lds, rows, n int) bool      { return false }
func transposeRows(dst []float32, ldd int, src []float32, lds, rows, n int) int { return 0 }
func scatterAdd2(dst []float32, ldd int, src []float32, lds, rows, n int) bool  { return false }

func bceLogits(grad, z, t []float32, scale float32) (float32, bool)    { return 0, false }
func squaredError(grad, x, t []float32, scale float32) (float32, bool) { return 0, false }

func spinPause() {}

func minMax(x []float32) (lo, hi, poison float32) { return minMaxGo(x) }
