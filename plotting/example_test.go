package plotting_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/plotting"
	"github.com/latent-ai/latent/runtime/host"
)

// A loss figure is a display.Renderer: returned from a notebook cell it shows
// inline as a PNG. Outside a notebook, save it or take its bytes.
func ExampleLoss() {
	train := []float64{0.071, 0.043, 0.031, 0.027, 0.025}
	val := []float64{0.062, 0.040, 0.033, 0.030, 0.031}
	fig := plotting.Loss(train, val)
	fmt.Println(fig)

	dir, _ := os.MkdirTemp("", "plots")
	defer os.RemoveAll(dir)
	if err := fig.Save(filepath.Join(dir, "loss.svg")); err != nil {
		fmt.Println(err)
	}
	b := fig.Render()
	_, hasPNG := b.Data["image/png"]
	fmt.Println("PNG in bundle:", hasPNG)
	// Output:
	// <loss curves 720×450: Training loss>
	// PNG in bundle: true
}

// Bad input never panics: the figure carries an error that says what to do.
func ExampleLatent_error() {
	fig := plotting.Latent([]float32{1, 2, 3}, 2, nil, nil)
	fmt.Println(fig.Err())
	// Output:
	// plotting: latent space: 3 values is not a whole, non-zero number of 2-D codes; check dim
}

// Codes wider than 2-D are projected with PCA, and the title says so.
func ExampleLatent() {
	codes := make([]float32, 0, 40*4)
	labels := make([]int, 40)
	for i := range labels {
		labels[i] = i % 2
		f := float64(i)
		codes = append(codes, float32(f), float32(2*f+float64(labels[i])*10), float32(math.Sin(f)), 0)
	}
	fig := plotting.Latent(codes, 4, labels, []string{"normal", "anomalous"})
	fmt.Println(fig.Title())
	// Output:
	// Latent space: PCA of 4-D codes (2 components keep 100% of the variance)
}

func ExampleTopK() {
	ratings := []float32{5, 0, 0, 1, 0, 4}               // 2 users × 3 items, 0 = unrated
	predicted := []float32{4.9, 3.1, 4.2, 1.2, 2.5, 3.9} // the model's reconstruction
	t := plotting.TopK(ratings, predicted, 2, 3, []string{"Alien", "Brazil", "Casablanca"}, 2, nil)
	fmt.Println(t)
	// Output:
	// Top 2 recommendations per user (predicted rating; already-rated items left out)
	// user  rated  #1                 #2
	// 0     1      Casablanca (4.20)  Brazil (3.10)
	// 1     2      Brazil (2.50)
}

// A notebook host shows training progress as one display updated in place;
// a script writes one line to standard error.
func ExampleNewLiveProgress() {
	show := func(b display.Bundle, update bool) {
		fmt.Printf("update=%v same id=%v\n", update, b.ID != "")
	}
	live := plotting.NewLiveProgress(show, time.Second)
	var report host.Reporter = live.Report
	report(host.Progress{Epoch: 1, Epochs: 2, Batch: 1, Batches: 100, Loss: 0.1, ValLoss: math.NaN()})
	report(host.Progress{Epoch: 1, Epochs: 2, Batch: 2, Batches: 100, Loss: 0.1, ValLoss: math.NaN()}) // too soon: skipped
	report(host.Progress{Epoch: 1, Epochs: 2, Done: true, Stopped: "interrupted", Loss: 0.09, ValLoss: 0.1,
		TrainHistory: []float64{0.09}, ValHistory: []float64{0.1}}) // the end always shows
	// Output:
	// update=false same id=true
	// update=true same id=true
}

func ExampleProgressLine() {
	p := host.Progress{Model: "dense", Epoch: 3, Epochs: 10, Batch: 235, Batches: 469,
		Loss: 0.02134, ValLoss: 0.0241, SamplesPerSec: 31000, Elapsed: 42 * time.Second, ETA: 98 * time.Second,
		ValHistory: []float64{0.03, 0.0241}}
	fmt.Println(plotting.ProgressLine(p))
	// Output:
	// dense [#####---------------]  25%  epoch 3/10  batch 235/469  loss 0.02134  val 0.0241  31.0k/s  ETA 1m38s  elapsed 42s
}
