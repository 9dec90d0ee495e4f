#!/bin/sh
# Runtime benchmark: Latent's autoencoder training throughput on
# Fashion-MNIST against PyTorch (Debian python3-torch) training the same
# models in the same run, 2 threads, batch 256, Adam 1e-3, with the ratios:
#   dense 784-256-64-256-784, the VAE 784-400-20 and the reference conv AE;
#   plus the latency of encoding+decoding one image, Latent's peak memory
#   while training the dense model on the full training set, and the dense
#   step's arithmetic rate as a share of the 2-core FMA peak (one core's
#   peak measured in the same run by nnops's BenchmarkPeak, CPU time, x2)
#   and of two threads' peak measured running at once (wall time, best of
#   3; about one core's where the two CPUs are hyperthreads of one core).
# Each model is run RUNTIME_BENCH_ROUNDS times (default 3), Latent and
# PyTorch alternating, and the medians are compared; the dense model also
# runs at GOMAXPROCS=1 each round, for the 2-threads-vs-1 ratio.
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
rounds=${RUNTIME_BENCH_ROUNDS:-3}
go test -run XXX -bench 'Peak$' -benchtime 2000x -cpu 1 ./nnops | awk '/cpuGFLOP/ { for (i = 1; i < NF; i++) if ($(i+1) == "cpuGFLOP/s") print $i }' >"$tmp/peak"
# Two threads' FMA peak running at once, by wall time (best of 3): where the
# two CPUs are hyperthreads of one core it is about one core's, not two.
go test -run XXX -bench 'Peak$' -benchtime 2000x -count 3 -cpu 2 ./nnops | awk '/cpuGFLOP/ { for (i = 1; i < NF; i++) if ($(i+1) == "GFLOP/s") print $i }' | sort -g | tail -1 >"$tmp/peak2"
for model in ${RUNTIME_BENCH_MODELS:-dense vae conv}; do
	e=$epochs
	[ "$model" = conv ] && e=$(( epochs < 2 ? 2 : (epochs > 3 ? 3 : epochs) ))
	r=$rounds
	[ "$model" = conv ] && r=1 # PyTorch's conv epochs take ~30 s each
	for i in $(seq "$r"); do
		GOMAXPROCS=2 "$tmp/aebench" -model "$model" -epochs "$e" >>"$tmp/latent-$model.json"
		[ "$model" = dense ] && GOMAXPROCS=1 "$tmp/aebench" -model dense -epochs "$e" >>"$tmp/latent1-dense.json"
		env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 \
			/usr/bin/python3 bench/torch_ref.py "$model" 2 "$e" >>"$tmp/torch-$model.json"
	done
done
echo "load average before the summary: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows both sides unevenly)"
/usr/bin/python3 - "$tmp" ${RUNTIME_BENCH_MODELS:-dense vae conv} <<'PY'
import json, statistics, sys
tmp, models = sys.argv[1], sys.argv[2:]
goals = {"dense": 2.5, "vae": 2.0, "conv": 6.0}


def load(path):
    """The runs in one file, reduced to one record: medians of the numbers."""
    runs = [json.loads(line) for line in open(path) if line.strip()]
    rec = dict(runs[0])
    for k, v in rec.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            rec[k] = type(v)(statistics.median(r[k] for r in runs))
    rec["all_samples_per_s"] = [r["samples_per_s"] for r in runs]
    return rec


def round_ratios(a, b, what):
    """Prints the ratio of each round's two runs, which ran back to back:
    when the machine's speed drifts during the run, their median is
    steadier than the ratio of the two sides' medians (the verdict)."""
    rs = [x / y for x, y in zip(a["all_samples_per_s"], b["all_samples_per_s"])]
    if len(rs) > 1:
        print(f"{'':8} {what}, round by round: {', '.join(f'{x:.2f}x' for x in rs)} (median {statistics.median(rs):.2f}x)")


peak_text = open(f"{tmp}/peak").read().split()
peak = float(peak_text[0]) if peak_text else 0
peak2_text = open(f"{tmp}/peak2").read().split()
peak2 = float(peak2_text[0]) if peak2_text else 0
print(f"{'model':8} {'latent samples/s':>17} {'pytorch samples/s':>18} {'ratio':>7} {'goal':>6}   (medians; every round: latent / pytorch)")
for m in models:
    l = load(f"{tmp}/latent-{m}.json")
    t = load(f"{tmp}/torch-{m}.json")
    r = l["samples_per_s"] / t["samples_per_s"]
    print(f"{m:8} {l['samples_per_s']:17d} {t['samples_per_s']:18d} {r:6.2f}x {goals[m]:5.1f}x {'ok' if r >= goals[m] else 'BELOW GOAL'}   {l['all_samples_per_s']} / {t['all_samples_per_s']}")
    round_ratios(l, t, "latent / pytorch")
    if m == "dense" and peak > 0:
        for label, mflop in (("2.6 MFLOP/sample as the issue counts", 2.6), ("2.2 MFLOP/sample computed (no input gradient of layer 1)", 2.2036)):
            rate = l["samples_per_s"] * mflop / 1e3
            print(f"{'':8} dense step {rate:.0f} GFLOP/s = {100 * rate / (2 * peak):.0f}% of the 2-core peak ({2 * peak:.0f} GFLOP/s; {label}; goal 60%)")
        if peak2 > 0:
            rate = l["samples_per_s"] * 2.6 / 1e3
            print(f"{'':8} two threads' FMA peak measured at once: {peak2:.0f} GFLOP/s ({peak2 / peak:.2f}x one core's {peak:.0f}); the dense step (2.6 MFLOP/sample) is {100 * rate / peak2:.0f}% of it")
    if m == "dense":
        l1 = load(f"{tmp}/latent1-dense.json")
        r = l["samples_per_s"] / l1["samples_per_s"]
        print(f"{'':8} latent 2 threads vs 1 thread: {l['samples_per_s']} / {l1['samples_per_s']} samples/s = {r:.2f}x (goal 1.7x {'ok' if r >= 1.7 else 'BELOW GOAL'})   every round at 1 thread: {l1['all_samples_per_s']}")
        round_ratios(l, l1, "2 threads / 1 thread")
    cr = t["median_cpu_s"] / l["median_cpu_s"]
    print(f"{'':8} CPU s/epoch: latent {l['median_cpu_s']:.2f}, pytorch {t['median_cpu_s']:.2f} ({cr:.2f}x less CPU)")
    if m == "dense":
        lu, tu = l["encode_decode_1_us"], t["encode_decode_1_us"]
        print(f"{'1-image encode+decode':26} latent {lu:.1f} us, pytorch {tu:.1f} us ({tu/lu:.2f}x faster; goal <= 50 us {'ok' if lu <= 50 else 'ABOVE GOAL'})")
        print(f"{'  best of 7 runs':26} latent {l['encode_decode_1_us_min']:.1f} us, pytorch {t['encode_decode_1_us_min']:.1f} us")
        print(f"{'test MSE after the run':26} latent {l['test_mse']:.5f}, pytorch {t['test_mse']:.5f}")
        print(f"{'peak memory (dense, full set)':30} latent {l['peak_rss_mb']:.0f} MB (goal < 600 MB {'ok' if l['peak_rss_mb'] < 600 else 'ABOVE GOAL'})")
print("latent:", [load(f"{tmp}/latent-{m}.json")["epoch_s"] for m in models], "s/epoch (first round)")
print("pytorch:", [load(f"{tmp}/torch-{m}.json")["epoch_s"] for m in models], "s/epoch (first round)")
PY
