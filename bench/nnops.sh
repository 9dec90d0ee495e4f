#!/usr/bin/env bash
# nnops SGEMM against OpenBLAS, measured in the same run.
#
# Prints GFLOP/s at 1 and 2 threads for nnops (GOMAXPROCS=1,2) and for
# OpenBLAS through Debian's numpy (threadpoolctl limits 1,2) and the ratio,
# by wall time and by CPU time. Each figure is the median of ROUNDS rounds;
# rounds alternate nnops and OpenBLAS so that load from other processes on
# the machine hits both alike. Two facts about the machine come with them:
# one core's fp32 FMA peak (BenchmarkPeak) and how long a cache line takes
# to go from one CPU to the other and back (BenchmarkCoreRoundTrip), which
# bounds what a second thread gains wherever threads share data.
#
# Usage: bench/nnops.sh [ROUNDS]        (default 3)
# Needs: go, /usr/bin/python3 with python3-numpy and python3-threadpoolctl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
# M,K,N: the dense autoencoder (batch 256, 784-256-64-256-784), 1024³, and the
# conv autoencoder's im2col products at batch 256 (see nnops/bench_test.go).
SHAPES="256,784,256 256,256,64 256,64,256 256,256,784 1024,1024,1024 16,9,50176 8,144,12544 72,8,12544 144,8,50176 1,144,200704"
PY=/usr/bin/python3
if ! $PY -c 'import numpy, threadpoolctl' 2>/dev/null; then
  echo "bench/nnops.sh: $PY lacks numpy or threadpoolctl; run: sudo apt-get install python3-numpy python3-threadpoolctl" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/nnops.test" ./nnops
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r/$ROUNDS..." >&2
  NNOPS_BENCH_SHAPES="$SHAPES" "$tmp/nnops.test" -test.run '^$' -test.bench '^Benchmark(Sgemm|Peak|CoreRoundTrip)$' \
    -test.cpu 1,2 -test.benchtime 0.2s >>"$tmp/go.txt"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PY bench/nnops_ref.py 1,2 $SHAPES >>"$tmp/ref.txt"
done
$PY - "$tmp/go.txt" "$tmp/ref.txt" <<'PYEOF'
import re, sys, statistics, collections
go, ref = collections.defaultdict(list), collections.defaultdict(list)
for line in open(sys.argv[1]):
    m = re.match(r'BenchmarkSgemm/(\d+)x(\d+)x(\d+)(?:-(\d+))?\s.*?([\d.]+) GFLOP/s\s+([\d.]+) cpuGFLOP/s.*?(\d+) allocs/op', line)
    if m:
        t = int(m.group(4) or 1)
        go[(t, int(m.group(1)), int(m.group(2)), int(m.group(3)))].append((float(m.group(5)), float(m.group(6)), int(m.group(7))))
peak = []
for line in open(sys.argv[1]):
    m = re.match(r'BenchmarkPeak/(\w+)\s.*?([\d.]+) GFLOP/s\s+([\d.]+) cpuGFLOP/s', line)
    if m:
        kern = m.group(1)
        peak.append(float(m.group(3)))
trips, trip_cpus = [], ""
for line in open(sys.argv[1]):
    m = re.match(r'BenchmarkCoreRoundTrip-\d+\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) cpuA\s+([\d.]+) cpuB', line)
    if m:
        trips.append(float(m.group(1)))
        trip_cpus = f"CPUs {int(float(m.group(2)))} and {int(float(m.group(3)))}"
blas = ""
for line in open(sys.argv[2]):
    if line.startswith("#"):
        blas = line[2:].strip()
        continue
    t, m, k, n, g, gc = line.split()
    ref[(int(t), int(m), int(k), int(n))].append((float(g), float(gc)))
med = lambda xs, i: statistics.median(x[i] for x in xs) if xs else float("nan")
print("OpenBLAS:", blas)
pk = statistics.median(peak) if peak else float("nan")
print(f"fp32 FMA peak of one core, measured here ({kern if peak else '-'} kernel width, CPU time): {pk:.1f} GFLOP/s")
if trips:
    print(f"cache line round trip between {trip_cpus}, measured here: {statistics.median(trips):.0f} ns (rounds: {', '.join(f'{t:.0f}' for t in trips)});")
    print("  every line one thread writes and the other reads pays about half of it (README, Performance)")
print("Figures are medians over rounds. 'wall' is GFLOP per second of elapsed time;")
print("'cpu' is GFLOP per CPU-second of the process (steadier when other jobs share")
print("the cores; shown at 1 thread, where it is comparable). allocs: nnops allocs/op.")
print()
print("| M×K×N | threads | nnops wall | OpenBLAS wall | ratio wall | nnops cpu | OpenBLAS cpu | ratio cpu | nnops cpu % of peak | allocs |")
print("|---|---|---|---|---|---|---|---|---|---|")
for key in sorted(set(go) | set(ref), key=lambda k: (k[0], k[1:])):
    t, m, k, n = key
    g, r = med(go.get(key), 0), med(ref.get(key), 0)
    row = f"| {m}×{k}×{n} | {t} | {g:.1f} | {r:.1f} | {g/r:.2f} |"
    if t == 1:
        gc, rc = med(go.get(key), 1), med(ref.get(key), 1)
        row += f" {gc:.1f} | {rc:.1f} | {gc/rc:.2f} | {100*gc/pk:.0f}% |"
    else:
        row += " | | | |"
    row += f" {max((x[2] for x in go.get(key, [])), default=0)} |"
    print(row)
print()
print("nnops 2 threads against 1 (wall; goal: never slower, >= 1.00x):")
for key in sorted(k for k in go if k[0] == 2):
    _, m, k, n = key
    one = go.get((1, m, k, n))
    if one:
        r = med(go[key], 0) / med(one, 0)
        print(f"  {m}×{k}×{n}: {r:.2f}x {'ok' if r >= 1 else 'SLOWER ON 2 THREADS'}")
PYEOF
