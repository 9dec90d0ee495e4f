#!/bin/sh
# Runtime benchmark: Latent's autoencoder training throughput on
# Fashion-MNIST against PyTorch (Debian python3-torch) training the same
# models in the same run, 2 threads, batch 256, Adam 1e-3, with the ratios:
#   dense 784-256-64-256-784, the VAE 784-400-20 and the reference conv AE;
#   plus the latency of encoding+decoding one image and Latent's peak memory
#   while training the dense model on the full training set.
# RUNTIME_BENCH_EPOCHS (default 4; conv uses 2) sets the epochs per model;
# RUNTIME_BENCH_MODELS (default "dense vae conv") picks models.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && [ -z "${FASHION_MNIST_DIR:-}" ]; then
	echo "bench/runtime.sh: Fashion-MNIST is missing (Debian dataset-fashion-mnist): run make setup" >&2
	exit 1
fi
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	echo "bench/runtime.sh: PyTorch is missing (Debian python3-torch): run make setup" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/aebench" ./runtime/ae/internal/aebench
epochs=${RUNTIME_BENCH_EPOCHS:-4}
for model in ${RUNTIME_BENCH_MODELS:-dense vae conv}; do
	e=$epochs
	[ "$model" = conv ] && e=$(( epochs < 2 ? 2 : (epochs > 3 ? 3 : epochs) ))
	GOMAXPROCS=2 "$tmp/aebench" -model "$model" -epochs "$e" >"$tmp/latent-$model.json"
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 \
		/usr/bin/python3 bench/torch_ref.py "$model" 2 "$e" >"$tmp/torch-$model.json"
done
echo "load average before the summary: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows both sides unevenly)"
/usr/bin/python3 - "$tmp" ${RUNTIME_BENCH_MODELS:-dense vae conv} <<'PY'
import json, sys
tmp, models = sys.argv[1], sys.argv[2:]
goals = {"dense": 1.5, "vae": 1.5, "conv": 4.0}
print(f"{'model':8} {'latent samples/s':>17} {'pytorch samples/s':>18} {'ratio':>7} {'goal':>6}")
for m in models:
    l = json.load(open(f"{tmp}/latent-{m}.json"))
    t = json.load(open(f"{tmp}/torch-{m}.json"))
    r = l["samples_per_s"] / t["samples_per_s"]
    print(f"{m:8} {l['samples_per_s']:17d} {t['samples_per_s']:18d} {r:6.2f}x {goals[m]:5.1f}x {'ok' if r >= goals[m] else 'BELOW GOAL'}")
    cr = t["median_cpu_s"] / l["median_cpu_s"]
    print(f"{'':8} CPU s/epoch: latent {l['median_cpu_s']:.2f}, pytorch {t['median_cpu_s']:.2f} ({cr:.2f}x less CPU)")
    if m == "dense":
        lu, tu = l["encode_decode_1_us"], t["encode_decode_1_us"]
        print(f"{'1-image encode+decode':26} latent {lu:.1f} us, pytorch {tu:.1f} us ({tu/lu:.2f}x faster; goal <= 50 us {'ok' if lu <= 50 else 'ABOVE GOAL'})")
        print(f"{'  best of 7 runs':26} latent {l['encode_decode_1_us_min']:.1f} us, pytorch {t['encode_decode_1_us_min']:.1f} us")
        print(f"{'test MSE after the run':26} latent {l['test_mse']:.5f}, pytorch {t['test_mse']:.5f}")
        print(f"{'peak memory (dense, full set)':30} latent {l['peak_rss_mb']:.0f} MB (goal < 600 MB {'ok' if l['peak_rss_mb'] < 600 else 'ABOVE GOAL'})")
print("latent:", [json.load(open(f"{tmp}/latent-{m}.json"))["epoch_s"] for m in models], "s/epoch")
print("pytorch:", [json.load(open(f"{tmp}/torch-{m}.json"))["epoch_s"] for m in models], "s/epoch")
PY
