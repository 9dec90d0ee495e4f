package ae

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/nn"
)

// TestExportsInPython trains small models of each family, exports them as
// .npz, .safetensors and .onnx, and has Debian's Python (numpy, torch,
// onnx) rebuild each and reproduce Latent's reconstructions to 1e-5.
func TestExportsInPython(t *testing.T) {
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy, onnx").Run(); err != nil {
		t.Skip("Debian's python3 with numpy and onnx is needed (scripts/setup.sh installs python3-numpy python3-onnx)")
	}
	models := map[string]func() *Model{
		"dense":         func() *Model { return Dense(64, 32, 8) },
		"leaky-bce":     func() *Model { return Dense(64, 16).WithHiddenActivation(nn.LeakyReLU).WithLoss(BCE) },
		"variational":   func() *Model { return Variational(64, 32, 4) },
		"convolutional": func() *Model { return Convolutional(1, 8, 8) },
		"conv-vae":      func() *Model { return ConvVariational(1, 8, 8, 4) },
		"pool-upsample": func() *Model {
			in := nn.Shape{C: 1, H: 8, W: 8}
			c := nn.NewConv2D("enc1", in, 4, 3, 1, 1, nn.ReLU)
			p := nn.NewMaxPool(c.OutShape(), 2)
			u := nn.NewUpsample(p.OutShape(), 2)
			d := nn.NewConv2D("dec1", u.OutShape(), 1, 3, 1, 1, nn.Sigmoid)
			return FromLayers([]nn.Layer{c, p}, []nn.Layer{u, d})
		},
	}
	train := blobs("train", 128, 1, 8, 8, 1)
	x := train.Take(16)
	for name, mk := range models {
		t.Run(name, func(t *testing.T) {
			m := mk()
			m.Fit(train, Epochs(2), Batch(32), Quiet())
			dir := t.TempDir()
			m.SaveNPZ(filepath.Join(dir, "model.npz"))
			m.SaveSafetensors(filepath.Join(dir, "model.safetensors"))
			m.SaveONNX(filepath.Join(dir, "model.onnx"))
			if err := x.SaveNPY(filepath.Join(dir, "x.npy")); err != nil {
				t.Fatal(err)
			}
			r := m.Reconstruct(x).Reconstructions
			if err := data.SaveArray(filepath.Join(dir, "recon.npy"), &data.Array{Shape: []int{r.N, r.D}, Data: r.X}); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(py, "testdata/check_export.py", dir).CombinedOutput()
			t.Logf("%s", out)
			if err != nil {
				t.Fatalf("check_export.py: %v", err)
			}
			if want := 2; strings.Count(string(out), " ok") < want {
				t.Fatalf("fewer than %d checks ran", want)
			}
		})
	}
}

func TestExportRoundTripAndErrors(t *testing.T) {
	train := blobs("train", 64, 1, 4, 4, 1)
	m := Dense(16, 4)
	m.Fit(train, Epochs(1), Quiet())
	dir := t.TempDir()
	for _, ext := range []string{".npz", ".safetensors"} {
		p := filepath.Join(dir, "w"+ext)
		if ext == ".npz" {
			m.SaveNPZ(p)
		} else {
			m.SaveSafetensors(p)
		}
		m2 := Dense(16, 4).WithSeed(9)
		m2.LoadWeights(p)
		if m2.Loss(train) != m.Loss(train) {
			t.Fatalf("%s: weights differ after LoadWeights", ext)
		}
		if err := Dense(16, 5).LoadWeightsE(p); err == nil || !strings.Contains(err.Error(), "shape") {
			t.Fatalf("%s into another model: %v", ext, err)
		}
	}
	if err := m.LoadWeightsE(filepath.Join(dir, "w.bin")); err == nil || !strings.Contains(err.Error(), ".npz or .safetensors") {
		t.Fatalf("unknown extension: %v", err)
	}
	custom := FromLayers([]nn.Layer{newScale(16), nn.NewDense("e", 16, 4, nn.Identity)}, []nn.Layer{nn.NewDense("d", 4, 16, nn.Sigmoid)})
	if _, err := custom.ONNXE(); err == nil || !strings.Contains(err.Error(), "no ONNX form") {
		t.Fatalf("ONNX of a custom layer: %v", err)
	}
}
