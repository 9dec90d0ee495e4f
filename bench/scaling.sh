#!/bin/sh
# Scaling benchmark: Latent's training step (dense 784-256-64-256-784, the
# VAE 784-400-20 and the conv AE; Fashion-MNIST, batch 256, Adam 1e-3) at
# GOMAXPROCS 1, 2, 4, 8 and 16, printing samples/s (median of the epochs
# after the warm-up), CPU seconds per epoch (scaled to 60000 samples) and
# the ratio to GOMAXPROCS=1.
#
# The kernels never run more threads than the CPUs the process may use
# (runtime.NumCPU), so on a machine with fewer cores than GOMAXPROCS the
# extra settings show what oversubscription costs: they should match the
# row at the core count. SCALING_PROCS (default "1 2 4 8 16") and
# SCALING_MODELS (default "dense vae conv") pick the settings;
# SCALING_SAMPLES (default 20000; a quarter of it for conv) is how many
# training images each epoch uses, SCALING_EPOCHS (default 3) how many
# epochs run (the first is a warm-up) and SCALING_ROUNDS (default 3) how
# many times each setting runs, the settings alternating, with the median
# printed. LATENT_THREADS=N overrides the cap, to measure oversubscription
# itself.
#
# A second table simulates more threads than the machine has cores
# (aebench -simulate, nnops.Simulate): each region is split as for N
# threads but runs on one core, its tasks timed, and the span N threads
# would take is computed from those times. It bounds what the step's split
# offers N cores (work and balance, and the serial code between regions);
# shared memory bandwidth and the cost of starting regions are not
# modelled, so real cores do worse. SCALING_SIMULATE (default "4 8 16")
# picks N; each runs once, 2 epochs.
#
# Last, the dense step's regions are timed on the real threads (aebench
# -regions, nnops.TimeRegions) at GOMAXPROCS=1 and 2, one run each on
# all 60000 images (3 epochs, the first a warm-up), and both tables are
# printed: which regions gain least from the second core. SCALING_REGIONS=0
# skips them.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && [ -z "${FASHION_MNIST_DIR:-}" ]; then
	echo "bench/scaling.sh: Fashion-MNIST is missing (Debian dataset-fashion-mnist): run make setup" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/aebench" ./runtime/ae/internal/aebench
procs=${SCALING_PROCS:-1 2 4 8 16}
models=${SCALING_MODELS:-dense vae conv}
samples=${SCALING_SAMPLES:-20000}
for model in $models; do
	n=$samples
	[ "$model" = conv ] && n=$((samples / 4))
	for round in $(seq "${SCALING_ROUNDS:-3}"); do
		for p in $procs; do
			GOMAXPROCS=$p "$tmp/aebench" -model "$model" -epochs "${SCALING_EPOCHS:-3}" -samples "$n" >>"$tmp/$model-$p.json"
		done
	done
done
sims=${SCALING_SIMULATE:-4 8 16}
for model in $models; do
	n=$samples
	[ "$model" = conv ] && n=$((samples / 4))
	for t in $sims; do
		GOMAXPROCS=1 "$tmp/aebench" -model "$model" -epochs 2 -samples "$n" -simulate "$t" >>"$tmp/$model-sim$t.json" 2>/dev/null
	done
done
echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$tmp" "$procs" "$models" "$sims" <<'PY'
import json, statistics, sys
tmp, procs, models, sims = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4].split()
one = {}
print(f"{'model':6} {'GOMAXPROCS':>10} {'threads':>7} {'samples/s':>10} {'CPU s/epoch':>12} {'x 1 core':>9}   (medians of the rounds; CPU s for 60000 samples)")
for m in models:
    base = None
    for p in procs:
        runs = [json.loads(line) for line in open(f"{tmp}/{m}-{p}.json") if line.strip()]
        sps = int(statistics.median(r["samples_per_s"] for r in runs))
        base = base or sps
        cpu = statistics.median(r["median_cpu_s"] * 60000 / r["train_samples"] for r in runs)
        goal = ""
        if m == "dense" and p == "2":
            goal = f"  goal 1.7x {'ok' if sps / base >= 1.7 else 'BELOW GOAL'}"
        print(f"{m:6} {p:>10} {runs[0]['kernel_threads']:>7} {sps:10d} {cpu:12.2f} {sps / base:8.2f}x{goal}   {[r['samples_per_s'] for r in runs]}")
    one[m] = base
if sims:
    print()
    print(f"simulated on one core, split as for N threads (a bound: memory bandwidth and region starts not modelled)")
    print(f"{'model':6} {'N':>4} {'samples/s':>10} {'x 1 core':>9} {'serial share':>13}")
    for m in models:
        for t in sims:
            r = json.loads(open(f"{tmp}/{m}-sim{t}.json").read())
            print(f"{m:6} {t:>4} {r['simulated_samples_per_s']:10d} {r['simulated_samples_per_s'] / one[m]:8.2f}x {r['simulated_serial_share']:12.1%}")
PY
if [ "${SCALING_REGIONS:-1}" != 0 ]; then
	for p in 1 2; do
		echo
		GOMAXPROCS=$p "$tmp/aebench" -model dense -epochs 3 -regions 2>&1 >/dev/null
	done
fi
