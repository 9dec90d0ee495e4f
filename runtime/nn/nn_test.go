package nn

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/latent-ai/latent/runtime/host"
)

// TestLayerGradients checks every layer type's Backward against finite
// differences (input and parameter gradients).
func TestLayerGradients(t *testing.T) {
	img := Shape{2, 6, 6}
	tests := []struct {
		name  string
		layer func() Layer
		opts  GradCheckOptions
	}{
		{"dense identity", func() Layer { return NewDense("d", 5, 4, Identity) }, GradCheckOptions{}},
		{"dense relu", func() Layer { return NewDense("d", 5, 4, ReLU) }, GradCheckOptions{}},
		{"dense leakyrelu", func() Layer { return NewDense("d", 5, 4, LeakyReLU) }, GradCheckOptions{}},
		{"dense sigmoid", func() Layer { return NewDense("d", 5, 4, Sigmoid) }, GradCheckOptions{}},
		{"dense tanh", func() Layer { return NewDense("d", 5, 4, Tanh) }, GradCheckOptions{}},
		{"act relu", func() Layer { return NewAct(Flat(7), ReLU) }, GradCheckOptions{}},
		{"act sigmoid", func() Layer { return NewAct(Flat(7), Sigmoid) }, GradCheckOptions{}},
		{"act tanh", func() Layer { return NewAct(Flat(7), Tanh) }, GradCheckOptions{}},
		{"act leakyrelu", func() Layer { return NewAct(Flat(7), LeakyReLU) }, GradCheckOptions{}},
		{"act identity", func() Layer { return NewAct(Flat(7), Identity) }, GradCheckOptions{}},
		{"reshape", func() Layer { return NewReshape(img, Flat(72)) }, GradCheckOptions{}},
		{"dropout train", func() Layer { return NewNoise(Flat(9), NoiseDropout, 0.3, 1) }, GradCheckOptions{Train: true}},
		{"dropout eval", func() Layer { return NewNoise(Flat(9), NoiseDropout, 0.3, 1) }, GradCheckOptions{}},
		{"gaussian noise", func() Layer { return NewNoise(Flat(9), NoiseGaussian, 0.2, 1) }, GradCheckOptions{Train: true}},
		{"masking noise", func() Layer { return NewNoise(Flat(9), NoiseMasking, 0.3, 1) }, GradCheckOptions{Train: true}},
		{"salt and pepper", func() Layer { return NewNoise(Flat(9), NoiseSaltPepper, 0.3, 1) }, GradCheckOptions{Train: true}},
		{"conv 3x3 s1 p1 relu", func() Layer { return NewConv2D("c", img, 3, 3, 1, 1, ReLU) }, GradCheckOptions{}},
		{"conv 3x3 s2 p1", func() Layer { return NewConv2D("c", img, 3, 3, 2, 1, Identity) }, GradCheckOptions{}},
		{"conv 1x1 sigmoid", func() Layer { return NewConv2D("c", img, 2, 1, 1, 0, Sigmoid) }, GradCheckOptions{}},
		{"convT 3x3 s2 p1 op1", func() Layer { return NewConvTranspose2D("t", Shape{2, 3, 3}, 3, 3, 2, 1, 1, Identity) }, GradCheckOptions{}},
		{"convT 2x2 s2 relu", func() Layer { return NewConvTranspose2D("t", Shape{2, 3, 3}, 2, 2, 2, 0, 0, ReLU) }, GradCheckOptions{}},
		{"maxpool 2", func() Layer { return NewMaxPool(img, 2) }, GradCheckOptions{}},
		{"upsample 2", func() Layer { return NewUpsample(Shape{2, 3, 3}, 2) }, GradCheckOptions{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(0); seed < 3; seed++ {
				tc.opts.Seed = seed
				if err := GradCheck(tc.layer(), tc.opts); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
		})
	}
}

// TestSequentialGradients checks a whole chain (a small conv autoencoder).
func TestSequentialGradients(t *testing.T) {
	in := Shape{1, 8, 8}
	c1 := NewConv2D("c1", in, 4, 3, 2, 1, ReLU)
	c2 := NewConvTranspose2D("t1", c1.OutShape(), 2, 3, 2, 1, 1, ReLU)
	f := Flatten(c2.OutShape())
	d := NewDense("d", f.OutShape().Size(), 5, Sigmoid)
	checkChain(t, c1, c2, f, d)
}

// checkChain checks the gradients of the layers run one after the other,
// initialised with PyTorch's scheme. Torch init draws non-zero biases:
// with zero biases, positions whose inputs are all ReLU zeros sit exactly
// on the next ReLU's kink.
func checkChain(t *testing.T, layers ...Layer) {
	t.Helper()
	s, err := NewSequential(layers...)
	if err != nil {
		t.Fatal(err)
	}
	if err := Initialize(s.Layers, TorchDefault, NewRNG(3)); err != nil {
		t.Fatal(err)
	}
	if err := GradCheck(seqLayer{s}, GradCheckOptions{Seed: 5}); err != nil {
		t.Fatal(err)
	}
}

// TestDenseChainGradients checks a chain of dense layers with every
// activation against finite differences.
func TestDenseChainGradients(t *testing.T) {
	acts := []Activation{ReLU, LeakyReLU, Tanh, Sigmoid, Identity, ReLU}
	ls := make([]Layer, len(acts))
	for i, a := range acts {
		ls[i] = NewDense(fmt.Sprint("d", i), 6+i, 7+i, a)
	}
	checkChain(t, ls...)
}

// seqLayer adapts a Sequential to the Layer interface for GradCheck.
type seqLayer struct{ *Sequential }

func (s seqLayer) Spec() Spec { return Spec{Type: "sequential"} }

func randVec(n int, lo, hi float32, seed uint64) []float32 {
	x := make([]float32, n)
	NewRNG(seed).FillUniform(x, lo, hi)
	return x
}

// TestLossGradients checks every loss and penalty against finite
// differences.
func TestLossGradients(t *testing.T) {
	const n, d = 3, 4
	target := randVec(n*d, 0, 1, 1)
	mask := make([]float32, n*d)
	for i := range mask {
		if i%3 != 0 {
			mask[i] = 1
		}
	}
	other := randVec(n*d, -1, 1, 9)
	tests := []struct {
		name   string
		f      LossFunc
		lo, hi float32
	}{
		{"mse mean", func(p, g []float32) float64 { return MSE(p, target, g, 1.0/(n*d)) }, -1, 2},
		{"mae", func(p, g []float32) float64 { return MAE(p, target, g, 0.5) }, -1, 2},
		{"bce with logits", func(p, g []float32) float64 { return BCEWithLogits(p, target, g, 1.0/n) }, -30, 60},
		{"masked mse", func(p, g []float32) float64 { l, _ := MaskedMSE(p, target, mask, g, 1); return l }, -1, 2},
		{"l1 activity", func(p, g []float32) float64 { clear(g); return L1Activity(p, g, 0.3, 1.0/n) }, -1, 2},
		{"kl sparsity", func(p, g []float32) float64 { clear(g); return KLSparsity(p, n, d, 0.05, 2, g) }, 0.05, 0.9},
		{"gaussian kl (mu)", func(p, g []float32) float64 {
			clear(g)
			return GaussianKL(p, other, g, make([]float32, len(p)), 1.0/n)
		}, -2, 4},
		{"gaussian kl (logvar)", func(p, g []float32) float64 {
			clear(g)
			return GaussianKL(other, p, make([]float32, len(p)), g, 1.0/n)
		}, -2, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := randVec(n*d, tc.lo, tc.hi, 4)
			if err := GradCheckLoss(tc.name, tc.f, p, 1e-3, 2e-2); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestBCEStable checks that BCE with logits stays finite for huge logits.
func TestBCEStable(t *testing.T) {
	g := make([]float32, 2)
	l := BCEWithLogits([]float32{1e4, -1e4}, []float32{0, 1}, g, 1)
	if math.IsNaN(l) || math.IsInf(l, 0) || math.Abs(l-2e4) > 1 {
		t.Fatalf("BCE of extreme logits = %v, want 2e4", l)
	}
	if g[0] != 1 || g[1] != -1 {
		t.Fatalf("gradients %v, want [1 -1]", g)
	}
}

// TestOptimizers checks that each optimizer minimises a quadratic and that
// clipping bounds the gradient norm, and that Validate refuses settings
// that cannot train (momentum ≥ 1, negative weight decay, ...).
func TestOptimizers(t *testing.T) {
	tests := []struct {
		name string
		opt  *Optimizer
	}{
		{"sgd", SGD(0.1, 0)},
		{"sgd momentum", SGD(0.05, 0.9)},
		{"adam", Adam(0.05)},
		{"adamw", AdamW(0.05, 1e-4)},
		{"adam clipped", func() *Optimizer { o := Adam(0.05); o.ClipNorm = 0.1; return o }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewParam("p", 4)
			copy(p.W, []float32{3, -2, 1, 5})
			for i := 0; i < 500; i++ {
				for j, w := range p.W { // f = Σ (w-1)²
					p.G[j] = 2 * (w - 1)
				}
				tc.opt.Step([]*Param{p}, 1)
			}
			for _, w := range p.W {
				if math.Abs(float64(w-1)) > 0.05 {
					t.Fatalf("weights %v did not converge to 1", p.W)
				}
			}
		})
	}
	if err := (&Optimizer{Kind: "rmsprop", LR: 1}).Validate(); err == nil || !strings.Contains(err.Error(), "adam") {
		t.Fatalf("unknown optimizer: got %v", err)
	}
	for _, tc := range []struct {
		o    *Optimizer
		want string
	}{
		{SGD(0.1, 1.5), "momentum"},
		{SGD(0.1, float32(math.NaN())), "momentum"},
		{AdamW(1e-3, -1), "weight decay"},
		{&Optimizer{Kind: "adam", LR: 1, Beta1: 1, Beta2: 0.999, Eps: 1e-8}, "β1 and β2"},
		{&Optimizer{Kind: "sgd", LR: 1, ClipNorm: -1}, "ClipNorm"},
	} {
		if err := tc.o.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want an error about %s", *tc.o, err, tc.want)
		}
	}
	if err := AdamW(1e-3, 0.01).Validate(); err != nil {
		t.Errorf("AdamW's usual settings refused: %v", err)
	}
}

// TestSchedules checks the learning-rate schedules' end points.
func TestSchedules(t *testing.T) {
	if got := StepDecay(2, 0.5)(5); got != 0.25 {
		t.Errorf("StepDecay(2,0.5)(5) = %v, want 0.25", got)
	}
	c := Cosine(11, 0.1)
	if c(0) != 1 || math.Abs(c(10)-0.1) > 1e-12 {
		t.Errorf("Cosine ends = %v, %v", c(0), c(10))
	}
}

// TestBuildRoundTrip rebuilds every layer from its Spec.
func TestBuildRoundTrip(t *testing.T) {
	img := Shape{1, 8, 8}
	layers := []Layer{NewDense("d", 3, 2, Tanh), NewAct(Flat(3), LeakyReLU), NewReshape(img, Flat(64)),
		NewNoise(img, NoiseMasking, 0.2, 0), NewConv2D("c", img, 2, 3, 2, 1, ReLU),
		NewConvTranspose2D("t", img, 2, 3, 2, 1, 1, Sigmoid), NewMaxPool(img, 2), NewUpsample(img, 2)}
	leaky := NewDense("l", 3, 2, LeakyReLU)
	leaky.Slope = 0.2
	leakyConv := NewConv2D("lc", img, 2, 3, 1, 1, LeakyReLU)
	leakyConv.Slope = 0.3
	layers = append(layers, leaky, leakyConv)
	for _, l := range layers {
		b, err := Build(l.Spec())
		if err != nil {
			t.Fatalf("%s: %v", Describe(l), err)
		}
		if b.Spec() != l.Spec() {
			t.Errorf("rebuilt %+v, want %+v", b.Spec(), l.Spec())
		}
	}
	if _, err := Build(Spec{Type: "dense", In: Flat(0), Out: 3}); err == nil {
		t.Error("zero-width dense layer built without error")
	}
	if _, err := Build(Spec{Type: "conv", In: Shape{1, 2, 2}, Out: 1, K: 5}); err == nil {
		t.Error("oversized kernel built without error")
	}
}

// TestNewParamBeyondMemory: a parameter larger than the machine's memory
// is refused with an error, before Go would end the process.
func TestNewParamBeyondMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("available memory is read on Linux only")
	}
	defer func() {
		var ae *host.AllocError
		if err, _ := recover().(error); !errors.As(err, &ae) {
			t.Fatalf("recovered %v, want a *host.AllocError", err)
		}
	}()
	NewParam("huge.w", 1<<30, 1<<30)
}

func TestPack(t *testing.T) {
	ps := []*Param{NewParam("a.w", 3, 4), NewParam("a.b", 4), NewParam("big.w", 700, 900)}
	for k, p := range ps {
		for i := range p.W {
			p.W[i], p.G[i] = float32(k*1000+i), -float32(k*1000+i)
		}
	}
	Pack(ps)
	addr := func(x []float32) uintptr { return uintptr(unsafe.Pointer(&x[0])) }
	next := addr(ps[0].W)
	for k, p := range ps {
		if len(p.W) != p.Len() || cap(p.W) != len(p.W) || cap(p.G) != len(p.G) {
			t.Fatalf("%s: lengths %d/%d, capacities %d/%d", p.Name, len(p.W), len(p.G), cap(p.W), cap(p.G))
		}
		if addr(p.W) != next || addr(p.G) != next+4*uintptr(len(p.W)) {
			t.Fatalf("%s: its values and gradient do not follow the previous tensor in one block", p.Name)
		}
		next = addr(p.G) + 4*uintptr(len(p.G))
		for i := range p.W {
			if p.W[i] != float32(k*1000+i) || p.G[i] != -float32(k*1000+i) {
				t.Fatalf("%s[%d] = %v, %v after Pack, want %v, %v", p.Name, i, p.W[i], p.G[i], float32(k*1000+i), -float32(k*1000+i))
			}
		}
		p.G[len(p.G)-1] = 7 // G must not overlap the next tensor's W
	}
	if ps[1].W[0] != 1000 || ps[2].W[0] != 2000 {
		t.Fatal("a gradient overlaps the next tensor's values")
	}
}

func TestSnapshotRestore(t *testing.T) {
	// One tensor spans several copy chunks and ends mid-chunk.
	ps := []*Param{NewParam("a.w", 3, copyChunk+5), NewParam("a.b", 7)}
	for _, p := range ps {
		for i := range p.W {
			p.W[i] = float32(i%1000) + 0.5
		}
	}
	snap := Snapshot(nil, ps)
	again := Snapshot(snap, ps)
	if &again[0][0] != &snap[0][0] {
		t.Fatal("Snapshot allocated again for a snapshot of the right shape")
	}
	for _, p := range ps {
		for i := range p.W {
			p.W[i] = -1
		}
	}
	Restore(ps, snap)
	for _, p := range ps {
		for i, v := range p.W {
			if want := float32(i%1000) + 0.5; v != want {
				t.Fatalf("%s[%d] = %v after Restore, want %v", p.Name, i, v, want)
			}
		}
	}
}
