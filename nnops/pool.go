package nnops

import "fmt"

// PoolOut returns the output size of a k-wide window moved by stride over
// size values: (size−k)/stride + 1 (windows never hang over the edge).
func PoolOut(size, k, stride int) int { return (size-k)/stride + 1 }

func checkPool(fn string, n, c, h, w, k, stride int) {
	if n < 0 || c <= 0 || h <= 0 || w <= 0 || k <= 0 || stride <= 0 || k > h || k > w {
		panic(fmt.Sprintf("nnops.%s: n=%d c=%d h=%d w=%d k=%d stride=%d: sizes must be positive with k <= h, w", fn, n, c, h, w, k, stride))
	}
}

// MaxPool2D takes the maximum over k×k windows moved by stride over each of
// the n·c planes of h×w values of in, writing n×c×oh×ow values to out, with
// oh = PoolOut(h, k, stride) and ow = PoolOut(w, k, stride). argmax (same
// length as out) receives the index within its h×w plane of each maximum, for
// MaxPool2DBackward. A NaN in a window is propagated (it wins).
func MaxPool2D(out []float32, argmax []int32, in []float32, n, c, h, w, k, stride int) {
	checkPool("MaxPool2D", n, c, h, w, k, stride)
	oh, ow := PoolOut(h, k, stride), PoolOut(w, k, stride)
	need("MaxPool2D", "in", in, n*c*h*w)
	need("MaxPool2D", "out", out, n*c*oh*ow)
	if len(argmax) < n*c*oh*ow {
		panic(fmt.Sprintf("nnops.MaxPool2D: argmax has %d elements, the shape needs %d", len(argmax), n*c*oh*ow))
	}
	for p := 0; p < n*c; p++ {
		plane := in[p*h*w : (p+1)*h*w]
		o := out[p*oh*ow : (p+1)*oh*ow]
		am := argmax[p*oh*ow : (p+1)*oh*ow]
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				best := y*stride*w + x*stride
				bv := plane[best]
				for dy := 0; dy < k; dy++ {
					row := (y*stride+dy)*w + x*stride
					for dx := 0; dx < k; dx++ {
						v := plane[row+dx]
						if v > bv || (v != v && bv == bv) {
							bv, best = v, row+dx
						}
					}
				}
				o[y*ow+x] = bv
				am[y*ow+x] = int32(best)
			}
		}
	}
}

// MaxPool2DBackward sets din (n×c×h×w) to the gradient of MaxPool2D: each
// dout value goes to the input position its argmax names (summed where
// windows overlap); all other positions get zero.
func MaxPool2DBackward(din, dout []float32, argmax []int32, n, c, h, w, k, stride int) {
	checkPool("MaxPool2DBackward", n, c, h, w, k, stride)
	oh, ow := PoolOut(h, k, stride), PoolOut(w, k, stride)
	need("MaxPool2DBackward", "din", din, n*c*h*w)
	need("MaxPool2DBackward", "dout", dout, n*c*oh*ow)
	if len(argmax) < n*c*oh*ow {
		panic(fmt.Sprintf("nnops.MaxPool2DBackward: argmax has %d elements, the shape needs %d", len(argmax), n*c*oh*ow))
	}
	clear(din[:n*c*h*w])
	for p := 0; p < n*c; p++ {
		plane := din[p*h*w : (p+1)*h*w]
		d := dout[p*oh*ow : (p+1)*oh*ow]
		for i, a := range argmax[p*oh*ow : (p+1)*oh*ow] {
			plane[a] += d[i]
		}
	}
}

// Upsample2D repeats every value of the n×c×h×w input scale×scale times
// (nearest neighbour), writing n×c×(h·scale)×(w·scale) values to out.
func Upsample2D(out, in []float32, n, c, h, w, scale int) {
	checkUpsample("Upsample2D", in, out, n, c, h, w, scale)
	ow := w * scale
	for p := 0; p < n*c; p++ {
		src := in[p*h*w : (p+1)*h*w]
		dst := out[p*h*w*scale*scale : (p+1)*h*w*scale*scale]
		for y := 0; y < h; y++ {
			row := dst[y*scale*ow : (y*scale+1)*ow]
			for x, v := range src[y*w : (y+1)*w] {
				for s := 0; s < scale; s++ {
					row[x*scale+s] = v
				}
			}
			for s := 1; s < scale; s++ {
				copy(dst[(y*scale+s)*ow:(y*scale+s+1)*ow], row)
			}
		}
	}
}

// Upsample2DBackward sets din (n×c×h×w) to the gradient of Upsample2D: the
// sum of the scale×scale block of dout each input value was copied to.
func Upsample2DBackward(din, dout []float32, n, c, h, w, scale int) {
	checkUpsample("Upsample2DBackward", din, dout, n, c, h, w, scale)
	ow := w * scale
	for p := 0; p < n*c; p++ {
		dst := din[p*h*w : (p+1)*h*w]
		src := dout[p*h*w*scale*scale : (p+1)*h*w*scale*scale]
		for y := 0; y < h; y++ {
			d := dst[y*w : (y+1)*w]
			for x := range d {
				var s float32
				for dy := 0; dy < scale; dy++ {
					row := src[(y*scale+dy)*ow+x*scale:]
					for dx := 0; dx < scale; dx++ {
						s += row[dx]
					}
				}
				d[x] = s
			}
		}
	}
}

// checkUpsample panics unless the sizes are positive and small (n×c×h×w)
// and big (scale² times that) hold them.
func checkUpsample(fn string, small, big []float32, n, c, h, w, scale int) {
	if n < 0 || c <= 0 || h <= 0 || w <= 0 || scale <= 0 {
		panic(fmt.Sprintf("nnops.%s: n=%d c=%d h=%d w=%d scale=%d: sizes must be positive", fn, n, c, h, w, scale))
	}
	need(fn, "the n×c×h×w side", small, n*c*h*w)
	need(fn, "the upsampled side", big, n*c*h*w*scale*scale)
}
