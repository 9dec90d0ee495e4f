package nnops

import (
	"fmt"
	"math"
)

// Activation names an elementwise activation function.
type Activation int

// The activations the runtime uses.
const (
	Identity Activation = iota
	ReLU
	LeakyReLU // uses the slope argument for negative inputs
	Sigmoid
	Tanh
)

// BiasActivate sets x[i,j] = act(x[i,j] + bias[j]) in place for a rows×cols
// matrix. bias may be nil. slope is LeakyReLU's negative slope.
func BiasActivate(x []float32, rows, cols int, bias []float32, act Activation, slope float32) {
	needPos("BiasActivate", rows, cols)
	need("BiasActivate", "x", x, rows*cols)
	if bias != nil {
		need("BiasActivate", "bias", bias, cols)
		bias = bias[:cols]
	}
	forSegments(rows, cols, func(i, j0, j1 int) {
		var b []float32
		if bias != nil {
			b = bias[j0:j1]
		}
		biasActivate(x[i*cols+j0:i*cols+j1], b, act, slope)
	})
}

// biasActivate sets row[j] = act(row[j] + b[j]) (b may be nil).
func biasActivate(row, b []float32, act Activation, slope float32) {
	if biasActivateRow(row, b, act, slope) {
		return
	}
	for j := range row {
		v := row[j]
		if b != nil {
			v += b[j]
		}
		row[j] = activate(v, act, slope)
	}
}

// parallelElems is the element count from which elementwise kernels split
// their work over goroutines.
const parallelElems = 1 << 16

// forSegments calls fn(i, j0, j1) for segments [j0, j1) of the rows of a
// rows×cols matrix that together cover it once, spread over goroutines when
// the matrix is large. Elementwise work gives the same result however it is
// cut.
func forSegments(rows, cols int, fn func(i, j0, j1 int)) {
	t := threads()
	if t <= 1 || rows*cols < parallelElems {
		for i := 0; i < rows; i++ {
			fn(i, 0, cols)
		}
		return
	}
	if rows >= 4*t {
		parallelTasks(4*t, func(task int) {
			for i := task * rows / (4 * t); i < (task+1)*rows/(4*t); i++ {
				fn(i, 0, cols)
			}
		})
		return
	}
	// Few long rows: cut each into segments of a multiple of 16 values.
	per := (4*t + rows - 1) / rows
	seg := (cols/per + 15) &^ 15
	parts := (cols + seg - 1) / seg
	parallelTasks(rows*parts, func(task int) {
		i, p := task/parts, task%parts
		fn(i, p*seg, min((p+1)*seg, cols))
	})
}

func activate(v float32, act Activation, slope float32) float32 {
	switch act {
	case ReLU:
		if v < 0 {
			return 0
		}
	case LeakyReLU:
		if v < 0 {
			return v * slope
		}
	case Sigmoid:
		return float32(1 / (1 + math.Exp(-float64(v))))
	case Tanh:
		return float32(math.Tanh(float64(v)))
	}
	return v
}

// ActivationBackward multiplies dy in place by the derivative of act, given
// y, the activation's output: dy[i] *= act'(y[i]).
func ActivationBackward(dy, y []float32, act Activation, slope float32) {
	need("ActivationBackward", "y", y, len(dy))
	if act == Identity {
		return
	}
	forSegments(1, len(dy), func(_, j0, j1 int) { activationBackward(dy[j0:j1], y[j0:j1], act, slope) })
}

func activationBackward(dy, y []float32, act Activation, slope float32) {
	if activationGrad(dy, y, act, slope) {
		return
	}
	y = y[:len(dy)]
	for i := range dy {
		switch act {
		case ReLU:
			if y[i] <= 0 {
				dy[i] = 0
			}
		case LeakyReLU:
			if y[i] < 0 {
				dy[i] *= slope
			}
		case Sigmoid:
			dy[i] *= y[i] * (1 - y[i])
		case Tanh:
			dy[i] *= 1 - y[i]*y[i]
		}
	}
}

// SumRows sets dst[j] to the sum over rows of column j of the rows×cols
// matrix x (the bias gradient).
func SumRows(dst, x []float32, rows, cols int) {
	needPos("SumRows", rows, cols)
	need("SumRows", "x", x, rows*cols)
	need("SumRows", "dst", dst, cols)
	dst = dst[:cols]
	clear(dst)
	for i := 0; i < rows; i++ {
		addTo(dst, x[i*cols:(i+1)*cols])
	}
}

// ActivationBackwardSum is ActivationBackward on the rows×cols matrix dy
// followed by the column sums db[j] = Σᵢ dy[i,j] — a dense layer's delta
// and bias gradient — in one pass over memory. The rows are cut into
// sumChunks runs (fewer when there are fewer rows), each summed in row
// order, and the runs' sums are added in run order, so the result does
// not depend on the number of threads. The runs are split over goroutines
// by rows, like the products before and after it, so each thread works
// on the rows already in its cache.
func ActivationBackwardSum(db, dy, y []float32, rows, cols int, act Activation, slope float32) {
	needPos("ActivationBackwardSum", rows, cols)
	need("ActivationBackwardSum", "dy", dy, rows*cols)
	need("ActivationBackwardSum", "y", y, rows*cols)
	need("ActivationBackwardSum", "db", db, cols)
	sumRuns(db[:cols], false, rows, rows*cols >= parallelElems, func(p []float32, lo, hi int) {
		clear(p)
		for i := lo; i < hi; i++ {
			d := dy[i*cols : (i+1)*cols]
			if act != Identity {
				activationBackward(d, y[i*cols:(i+1)*cols], act, slope)
			}
			addTo(p, d)
		}
	})
}

// sumRuns cuts n items (rows, images) into min(n, sumChunks) runs and calls
// fill(p, lo, hi) for each, which writes into p the len(dst) sums of items
// [lo, hi); the runs go to the kernels' threads when parallel is set. The
// runs' sums are then added in run order, p₀ + p₁ + …, and stored in dst,
// or added to it when add is set: the result does not depend on the
// number of threads.
func sumRuns(dst []float32, add bool, n int, parallel bool, fill func(p []float32, lo, hi int)) {
	w, runs := len(dst), min(sumChunks, n)
	pbuf := getScratch(runs * w)
	parts := *pbuf
	run := func(r int) { fill(parts[r*w:(r+1)*w], n*r/runs, n*(r+1)/runs) }
	if parallel {
		parallelTasks(runs, run)
	} else {
		for r := range runs {
			run(r)
		}
	}
	total := parts[:w]
	for r := 1; r < runs; r++ {
		addTo(total, parts[r*w:(r+1)*w])
	}
	if add {
		addTo(dst, total)
	} else {
		copy(dst, total)
	}
	putScratch(pbuf)
}

// sumChunks is how many runs sumRuns sums apart (the rows of
// ActivationBackwardSum, the images of addChannelSums): a fixed number, so
// that the sums do not depend on the thread count, and enough for 16
// threads to get a run each.
const sumChunks = 16

// MeanRows sets dst[j] to the mean over rows of column j of the rows×cols
// matrix x.
func MeanRows(dst, x []float32, rows, cols int) {
	SumRows(dst, x, rows, cols)
	if rows > 0 {
		scale(dst[:cols], 1/float32(rows))
	}
}

// MeanCols sets dst[i] to the mean of row i of the rows×cols matrix x.
func MeanCols(dst, x []float32, rows, cols int) {
	SumCols(dst, x, rows, cols)
	if cols > 0 {
		scale(dst[:rows], 1/float32(cols))
	}
}

// SumCols sets dst[i] to the sum of row i of the rows×cols matrix x.
func SumCols(dst, x []float32, rows, cols int) {
	needPos("SumCols", rows, cols)
	need("SumCols", "x", x, rows*cols)
	need("SumCols", "dst", dst, rows)
	for i := 0; i < rows; i++ {
		dst[i] = sum(x[i*cols : (i+1)*cols])
	}
}

// Adam applies one Adam step (AdamW when weightDecay > 0: decoupled decay)
// to weights w with gradient g and moment buffers m and v, in one pass.
// step is the 1-based step count used for bias correction. Moments that
// decay below float32's smallest normal value (about 1.2e-38) become zero:
// the vector kernels run with denormals flushed, as arithmetic on them is
// some hundred times slower and changes no weight by a representable
// amount.
func Adam(w, g, m, v []float32, lr, beta1, beta2, eps, weightDecay float32, step int) {
	checkAdam(0, w, g, m, v, step)
	t := threads()
	j := adamJob{w: w, g: g[:len(w)], m: m[:len(w)], v: v[:len(w)], h: newAdamParams(lr, beta1, beta2, eps, weightDecay, step), block: adamBlock(len(w), t), shared: t > 1}
	if len(w) < parallelElems {
		adamStep(j.w, j.g, j.m, j.v, &j.h)
		return
	}
	runRegion(j.blocks(len(w)), t, task{adam: j, span: len(w)})
}

// AdamTensors applies Adam to every tensor ws[i], with gradient gs[i] and
// moments ms[i] and vs[i], in one parallel region: a model's update costs
// one hand-off to the pool, not one per tensor, and its small tensors
// (biases) run beside the large ones. The result is that of Adam on each.
// Each thread first updates its own share of the weights, counted over the
// tensors in order: the share SgemmOwned gives it of gradients listed in
// the same order, so that it updates the weights whose gradients it
// computed.
func AdamTensors(ws, gs, ms, vs [][]float32, lr, beta1, beta2, eps, weightDecay float32, step int) {
	if len(gs) != len(ws) || len(ms) != len(ws) || len(vs) != len(ws) {
		panic(fmt.Sprintf("nnops.AdamTensors: %d weight tensors but %d gradients, %d first and %d second moments; give one of each per tensor", len(ws), len(gs), len(ms), len(vs)))
	}
	elems := 0
	for i, w := range ws {
		checkAdam(i, w, gs[i], ms[i], vs[i], step)
		elems += len(w)
	}
	t := threads()
	j := adamJob{ws: ws, gs: gs, ms: ms, vs: vs, h: newAdamParams(lr, beta1, beta2, eps, weightDecay, step), block: adamBlock(elems, t), shared: t > 1}
	if elems < parallelElems {
		for i, w := range ws {
			adamStep(w, gs[i][:len(w)], ms[i][:len(w)], vs[i][:len(w)], &j.h)
		}
		return
	}
	blocks := 0
	for _, w := range ws {
		blocks += j.blocks(len(w))
	}
	runRegion(blocks, t, task{adam: j, span: elems})
}

// checkAdam panics unless tensor i's gradient and moments cover its
// weights and step counts from 1.
func checkAdam(i int, w, g, m, v []float32, step int) {
	if len(g) < len(w) || len(m) < len(w) || len(v) < len(w) {
		panic(fmt.Sprintf("nnops.Adam: tensor %d has %d weights but %d gradients, %d first and %d second moments; each needs one per weight", i, len(w), len(g), len(m), len(v)))
	}
	if step < 1 {
		panic(fmt.Sprintf("nnops.Adam: step %d; steps count from 1", step))
	}
}

// The weights one task of a parallel Adam update takes: at most
// maxAdamBlock, and fewer with many threads, down to minAdamBlock.
const (
	maxAdamBlock = 1 << 14
	minAdamBlock = 1 << 12
)

// adamBlock returns how many weights one task of a parallel Adam update of
// elems weights on t threads takes: about an eighth of a thread's share,
// within [minAdamBlock, maxAdamBlock], so that with many threads a model's
// small tensors (a task each) leave no thread with a large block more than
// another. Adam is elementwise, so the blocks do not change its result.
func adamBlock(elems, t int) int {
	return min(maxAdamBlock, max(minAdamBlock, elems/(8*t)&^1023))
}

// adamJob is an Adam update of one tensor (w, g, m, v) or of a list of
// them (ws, gs, ms, vs), split into blocks of block weights.
type adamJob struct {
	w, g, m, v     []float32
	ws, gs, ms, vs [][]float32
	h              adamParams
	block          int
	shared         bool // other threads read the weights next (adamStepShared)
}

// blocks is how many tasks the update of a tensor of n weights is split
// into.
func (j *adamJob) blocks(n int) int { return max(1, (n+j.block-1)/j.block) }

// locate returns the tensor holding block t of the update (its weights,
// gradient and moments), the block's index b within it, and how many
// weights the tensors before it hold.
func (j *adamJob) locate(t int) (w, g, m, v []float32, b, off int) {
	w, g, m, v = j.w, j.g, j.m, j.v
	for i := 0; j.ws != nil; i++ {
		w, g, m, v = j.ws[i], j.gs[i], j.ms[i], j.vs[i]
		if n := j.blocks(len(w)); t >= n {
			t -= n
			off += len(w)
			continue
		}
		break
	}
	return w, g, m, v, t, off
}

// place returns the middle of block t among the weights of the update's
// tensors, counted one tensor after another (see task).
func (j *adamJob) place(t int) int {
	w, _, _, _, b, off := j.locate(t)
	return off + (b*j.block+min((b+1)*j.block, len(w)))/2
}

func (j *adamJob) run(t int) {
	w, g, m, v, b, _ := j.locate(t)
	lo, hi := b*j.block, min((b+1)*j.block, len(w))
	if j.shared {
		adamStepShared(w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], &j.h)
	} else {
		adamStep(w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], &j.h)
	}
}

// String returns the activation's name, as in "Sigmoid".
func (a Activation) String() string {
	switch a {
	case Identity:
		return "Identity"
	case ReLU:
		return "ReLU"
	case LeakyReLU:
		return "LeakyReLU"
	case Sigmoid:
		return "Sigmoid"
	case Tanh:
		return "Tanh"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// MinMax returns the smallest and largest value of x and whether every
// value is finite; lo and hi mean nothing when one is NaN or infinite.
// Empty x gives +Inf, -Inf and true. It runs on the calling goroutine,
// with the vector kernels where the CPU has them: 5 times the speed of a
// Go loop over a large set here.
func MinMax(x []float32) (lo, hi float32, finite bool) {
	lo, hi, poison := minMax(x)
	return lo, hi, poison == 0
}
