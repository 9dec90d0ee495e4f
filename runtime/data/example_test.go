package data_test

import (
	"fmt"
	"strings"

	"github.com/latent-ai/latent/runtime/data"
)

// The notebook face: load, look, split. FashionMNIST returns the full
// dataset when it is installed and the built-in subset otherwise.
func Example() {
	train, test := data.DefaultFashionMNIST()
	fmt.Println(train)
	fmt.Println(test.Take(8))
	fit, val := train.Split(0.9, 1)
	fmt.Println(fit.N, val.N)
	fmt.Println(train.ClassName(train.Labels[0]))
	// Output:
	// Fashion-MNIST (built-in subset) train: 6000 samples × 784 (1×28×28), 10 classes
	// Fashion-MNIST (built-in subset) test[0:8]: 8 samples × 784 (1×28×28), 10 classes
	// 5400 600
	// Ankle boot
}

// Anomaly detection on images: train on some classes, test on all.
func ExampleSet_WithoutLabels() {
	train, _ := data.DefaultMNIST()
	normal := train.WithoutLabels([]int{7})
	fmt.Println(normal.N, normal.Name)
	// Output: 5400 MNIST (built-in subset) train (without 7)
}

// Batches are views; a shuffled batch can be gathered without allocating.
func ExampleSet_CopyRows() {
	s, _ := data.FromRows("tiny", [][]float32{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}}, nil)
	fmt.Println(s.NumBatches(2), s.Batch(2, 2).X)
	buf := make([]float32, 2*s.D)
	order := s.Permutation(1)
	fmt.Println(len(s.CopyRows(order[:2], buf)))
	// Output:
	// 3 [4 4]
	// 4
}

// Standardize on the training data, then apply the same scaler to the test
// data.
func ExampleSet_Standardize() {
	train, _ := data.FromRows("train", [][]float32{{1, 10}, {3, 30}}, nil)
	test, _ := data.FromRows("test", [][]float32{{2, 50}}, nil)
	z, scaler := train.Standardize()
	fmt.Println(z.X, scaler.Apply(test).X)
	// Output: [-1 -1 1 1] [0 3]
}

func ExampleReadCSV() {
	in := "height,weight,species\n1.2,30,cat\n0.4,4,cat\n1.9,80,dog\n"
	s, err := data.ReadCSV(strings.NewReader(in), data.CSVOptions{Label: "species", Name: "pets"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s, s.Labels, s.ClassNames)
	_, err = data.ReadCSV(strings.NewReader("a,b\n1,2\n3,x\n"), data.CSVOptions{Name: "bad.csv"})
	fmt.Println(err)
	// Output:
	// pets: 3 samples × 2, 2 classes [0 0 1] [cat dog]
	// data: bad.csv:3: column 2 ("b"): "x" is not a number; numeric CSV needs numbers in every feature column (name a text column as the label with Label, drop it with Drop, or set SkipText)
}

// Synthetic ratings for the recommendation use.
func ExampleRatings() {
	r := data.Ratings(100, 50, 3, 0.2, 1)
	fmt.Println(r.UserVectors())
	scores := make([]float32, r.Items) // e.g. a model's predicted ratings of user 0
	for i := range scores {
		scores[i] = float32(i % 7)
	}
	for _, i := range r.TopK(0, scores, 2) {
		fmt.Println(r.ItemNames[i] != "", r.Train[i])
	}
	// Output:
	// ratings (100 users × 50 items, rank 3) users (train): 100 samples × 50
	// true false
	// true false
}

// Windows of a signal with injected anomalies, for anomaly detection.
func ExampleTimeSeries() {
	s := data.TimeSeries(500, 64, 0.05, 1)
	fmt.Println(s, s.ClassCounts())
	// Output: time series (500 windows of 64): 500 samples × 64, 2 classes [475 25]
}
