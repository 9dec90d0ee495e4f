package pca_test

import (
	"fmt"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/pca"
)

// The PCA baseline on the built-in Fashion-MNIST subset: fit 64 components
// on the training images, then measure the per-pixel test reconstruction
// error an autoencoder has to beat.
func Example() {
	train, test := data.DefaultFashionMNIST()
	p := pca.Fit(train, 64)
	codes := p.Transform(test)
	fmt.Println(codes.N, "codes of", codes.D, "numbers")
	fmt.Printf("test MSE per pixel: %.3f\n", p.MSE(test))
	fmt.Printf("variance explained: %.2f\n", p.Explained())
	// Output:
	// 1000 codes of 64 numbers
	// test MSE per pixel: 0.011
	// variance explained: 0.88
}
