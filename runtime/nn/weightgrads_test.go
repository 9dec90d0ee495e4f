package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/latent-ai/latent/nnops"
)

// TestBackwardDeferred checks that leaving the dense layers' weight
// gradients to a WeightGrads gives the same gradients, bit for bit, as
// computing them layer by layer, through a chain with layers that pass
// the gradient on unchanged (reshape) or copy it (activation) between
// dense layers, and that on more than one thread the products are
// really deferred to Run.
func TestBackwardDeferred(t *testing.T) {
	nnops.Simulate(2) // split as for two threads, whatever the machine
	defer nnops.Simulate(0)
	build := func() *Sequential {
		s, err := NewSequential(NewDense("a", 50, 40, ReLU), NewReshape(Flat(40), Shape{10, 2, 2}),
			NewReshape(Shape{10, 2, 2}, Flat(40)), NewDense("b", 40, 30, Tanh), NewAct(Flat(30), Sigmoid),
			NewDense("c", 30, 60, Identity))
		if err != nil {
			t.Fatal(err)
		}
		if err := Initialize(s.Layers, Xavier, NewRNG(1)); err != nil {
			t.Fatal(err)
		}
		return s
	}
	const n = 37
	x, dy := randVec(n*50, -1, 1, 2), randVec(n*60, -1, 1, 3)
	now, later := build(), build()
	now.Forward(x, n, true)
	wantDx := slices.Clone(now.Backward(slices.Clone(dy), n, true))
	later.Forward(x, n, true)
	var wg WeightGrads
	gotDx := later.BackwardDeferred(slices.Clone(dy), n, true, &wg)
	if len(wg.ps) != 3 {
		t.Fatalf("%d products deferred, want the 3 dense layers'", len(wg.ps))
	}
	wg.Run()
	if len(wg.ps) != 0 {
		t.Fatal("Run kept its products")
	}
	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
			}
		}
	}
	same("dx", gotDx, wantDx)
	for i, p := range later.Params() {
		same(p.Name+" gradient", p.G, now.Params()[i].G)
	}
}

// TestWeightGradsReset checks that Reset drops collected products unrun:
// a step that a panic ended before Run must not leave its products to
// overwrite the next step's gradients.
func TestWeightGradsReset(t *testing.T) {
	nnops.Simulate(2)
	defer nnops.Simulate(0)
	d := NewDense("d", 4, 3, Identity)
	x, dy := randVec(2*4, -1, 1, 1), randVec(2*3, -1, 1, 2)
	d.Forward(x, 2, true)
	var wg WeightGrads
	d.backward(dy, 2, false, &wg)
	wg.Reset()
	wg.Run()
	for i, g := range d.W.G {
		if g != 0 {
			t.Fatalf("dW[%d] = %g after Reset and Run, want the untouched 0", i, g)
		}
	}
}
