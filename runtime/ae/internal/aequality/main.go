// Command aequality measures what Latent's autoencoders learn, for
// bench/quality.sh: the dense autoencoder 784-32-784 (ReLU code, sigmoid
// output, per-pixel binary cross-entropy, Adam 1e-3, batch 256) trained on
// MNIST for 10 epochs from several seeds, with the model's default
// initialisation (nn.Xavier for this model), PyTorch's (nn.TorchDefault)
// and nn.He, printing one JSON line with, per scheme, the test loss of
// every run and how many of the 32 code units it left dead (zero on every
// test image) (bench/torch_quality.py trains the same model in PyTorch).
//
//	go run ./runtime/ae/internal/aequality -seeds 10 -epochs 10
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/latent-ai/latent/runtime/ae"
	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/nn"
)

func main() {
	seeds := flag.Int("seeds", 3, "seeds to train from (1..N)")
	epochs := flag.Int("epochs", 10, "training epochs")
	flag.Parse()
	dir, err := data.FindMNIST()
	if err != nil {
		fmt.Fprintln(os.Stderr, "aequality:", err)
		os.Exit(1)
	}
	train, test, err := data.LoadMNIST(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "aequality:", err)
		os.Exit(1)
	}
	res := map[string][]float64{}
	for _, init := range []nn.Init{"", nn.TorchDefault, nn.He} {
		name := string(init)
		if name == "" {
			name = "default"
		} else if init == nn.TorchDefault {
			name = "torchinit"
		}
		for s := 1; s <= *seeds; s++ {
			m := ae.Dense(784, 32).WithCodeActivation(nn.ReLU).WithLoss(ae.BCE).WithSeed(uint64(s))
			if init != "" {
				m.WithInit(init)
			}
			m.Fit(train, ae.Epochs(*epochs), ae.Batch(256), ae.LR(1e-3), ae.Quiet())
			res[name] = append(res[name], m.Loss(test))
			res[name+"_dead"] = append(res[name+"_dead"], float64(deadUnits(m.Encode(test))))
		}
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

// deadUnits counts the code units that are zero (a dead ReLU) for every
// sample of c.
func deadUnits(c *ae.Codes) int {
	dead := 0
	for j := 0; j < c.L; j++ {
		alive := false
		for i := 0; i < c.N && !alive; i++ {
			alive = c.Z[i*c.L+j] > 0
		}
		if !alive {
			dead++
		}
	}
	return dead
}
