package ae_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/latent-ai/latent/runtime/ae"
	"github.com/latent-ai/latent/runtime/data"
)

// tiny returns n 4×4 "images" whose pixels follow two smooth patterns.
func tiny(n int) *data.Set {
	s := &data.Set{Name: "tiny", N: n, D: 16, C: 1, H: 4, W: 4, Labels: make([]int, n)}
	for i := 0; i < n; i++ {
		a := float32(i%7) / 7
		for j := 0; j < 16; j++ {
			s.X = append(s.X, a*float32(j%4)/4+(1-a)*float32(j/4)/4)
		}
		s.Labels[i] = i % 2
	}
	return s
}

// A dense autoencoder trained in one line; the history has a loss per epoch.
func ExampleDense() {
	train := tiny(200)
	m := ae.Dense(16, 8, 2)
	h := m.Fit(train, ae.Epochs(5), ae.Batch(32), ae.Quiet())
	fmt.Println(m)
	fmt.Println(len(h.Train), "epochs,", h.Last() < h.Train[0])
	// Output:
	// dense autoencoder 16→8→2→8→16 (mse, 322 parameters, trained 5 epochs)
	// 5 epochs, true
}

// Reconstruct returns originals and reconstructions, shaped as images.
func ExampleModel_Reconstruct() {
	m := ae.Denoising(16, 4)
	m.Fit(tiny(100), ae.Epochs(2), ae.Quiet())
	r := m.Reconstruct(tiny(3))
	fmt.Println(r.Originals.N, r.Corrupted.N, r.Reconstructions.N, r.Reconstructions.H, r.Reconstructions.W)
	// Output: 3 3 3 4 4
}

// A variational autoencoder can sample from its prior and interpolate.
func ExampleVariational() {
	v := ae.Variational(16, 8, 2)
	v.Fit(tiny(100), ae.Epochs(2), ae.Quiet())
	s := v.Sample(4)
	in := v.Interpolate(tiny(2).Row(0), tiny(2).Row(1), 5)
	fmt.Println(s.Images.N, in.Images.N)
	// Output: 4 5
}

// Anomaly scores samples by reconstruction error; labels 0/1 give AUROC.
func ExampleAnomaly() {
	m := ae.Dense(16, 4)
	train := tiny(100)
	m.Fit(train, ae.Epochs(3), ae.Quiet())
	r := ae.Anomaly(m, tiny(50), ae.Reference(train), ae.Percentile(99))
	fmt.Println(len(r.Errors), r.Threshold > 0)
	// Output: 50 true
}

// Save writes atomically; Load rebuilds the model and its weights.
func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "ae")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.ae")
	m := ae.Dense(16, 4)
	m.Save(path)
	fmt.Println(ae.Load(path))
	if _, err := ae.LoadE(filepath.Join(dir, "missing.ae")); err != nil {
		fmt.Println("error:", err != nil)
	}
	// Output:
	// dense autoencoder 16→4→16 (mse, 148 parameters)
	// error: true
}

// Checkpoint saves after every epoch; running the same Fit again resumes.
func ExampleCheckpoint() {
	dir, _ := os.MkdirTemp("", "ae")
	defer os.RemoveAll(dir)
	ck := filepath.Join(dir, "run.ae")
	m := ae.Dense(16, 4)
	m.Fit(tiny(64), ae.Epochs(2), ae.Quiet(), ae.Checkpoint(ck))
	again := ae.Dense(16, 4)
	h := again.Fit(tiny(64), ae.Epochs(3), ae.Quiet(), ae.Checkpoint(ck)) // runs epoch 3 only
	fmt.Println(len(h.Train), again.EpochsTrained())
	// Output: 3 3
}

// Encode maps samples to the latent space, keeping their labels for a
// scatter plot; Decode maps codes back.
func ExampleModel_Encode() {
	m := ae.Dense(16, 8, 2)
	m.Fit(tiny(100), ae.Epochs(2), ae.Quiet())
	c := m.Encode(tiny(10))
	fmt.Println(c.N, c.L, c.Labels[:4])
	back := m.Decode(c)
	fmt.Println(back.N, back.D)
	// Output:
	// 10 2 [0 1 0 1]
	// 10 16
}

// Sparse puts an L1 penalty on a ReLU code; WithKLSparsity uses the KL
// penalty on a sigmoid code instead.
func ExampleSparse() {
	l1 := ae.Sparse(16, 32)
	kl := ae.Sparse(16, 32).WithKLSparsity(0.05, 0.1)
	fmt.Println(l1)
	fmt.Println(kl)
	// Output:
	// sparse autoencoder 16→32→16 (mse, L1 3e-05, 1072 parameters)
	// sparse autoencoder 16→32→16 (mse, KL sparsity ρ=0.05 β=0.1, 1072 parameters)
}

// AutoRec learns to fill in a rating matrix and recommends unseen items.
func ExampleAutoRec() {
	r := data.Ratings(100, 30, 2, 0.3, 1)
	rec := ae.AutoRec(r, 20)
	rec.Fit(ae.Quiet(), ae.Epochs(20))
	top := rec.TopK(0, 3)
	fmt.Println(len(top.Items), rec.RMSE() > 0)
	// Output: 3 true
}

// TwoDecoders trains one encoder with a decoder per domain; Swap decodes
// one domain's codes with the other's decoder.
func ExampleTwoDecoders() {
	a := tiny(64)
	b := tiny(64)
	for i := range b.X {
		b.X[i] = 1 - b.X[i]
	}
	m := ae.TwoDecoders(16, 8, 2)
	h := m.Fit(a, b, ae.Epochs(3), ae.Quiet())
	s := m.Swap(a.Take(4), true)
	fmt.Println(len(h.Metrics["a"]), s.Reconstructions.N)
	// Output: 3 4
}

// A convolutional autoencoder for 1×28×28 images; any model can be made
// denoising or sparse with the With methods.
func ExampleConvolutional() {
	m := ae.Convolutional(1, 28, 28).WithNoise("masking", 0.2)
	fmt.Println(m.LatentSize(), m.InputSize())
	// Output: 392 784
}
