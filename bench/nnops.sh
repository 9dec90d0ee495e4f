#!/usr/bin/env bash
# nnops SGEMM against OpenBLAS, measured in the same run.
#
# Prints GFLOP/s at 1 and 2 threads for nnops (GOMAXPROCS=1,2) and for
# OpenBLAS through Debian's numpy (threadpoolctl limits 1,2), the ratio, and
# nnops's share of the AVX-512 and AVX2 fp32 FMA peaks. Each figure is the
# median of ROUNDS rounds; rounds alternate nnops and OpenBLAS so that load
# from other processes on the machine hits both alike.
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
  NNOPS_BENCH_SHAPES="$SHAPES" "$tmp/nnops.test" -test.run '^$' -test.bench '^BenchmarkSgemm$' \
    -test.cpu 1,2 -test.benchtime 0.2s >>"$tmp/go.txt"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PY bench/nnops_ref.py 1,2 $SHAPES >>"$tmp/ref.txt"
done
$PY - "$tmp/go.txt" "$tmp/ref.txt" <<'PYEOF'
import re, sys, statistics, collections
go, ref = collections.defaultdict(list), collections.defaultdict(list)
for line in open(sys.argv[1]):
    m = re.match(r'BenchmarkSgemm/(\d+)x(\d+)x(\d+)(?:-(\d+))?\s.*?([\d.]+) GFLOP/s.*?(\d+) allocs/op', line)
    if m:
        t = int(m.group(4) or 1)
        go[(t, int(m.group(1)), int(m.group(2)), int(m.group(3)))].append(float(m.group(5)))
blas = ""
for line in open(sys.argv[2]):
    if line.startswith("#"):
        blas = line[2:].strip()
        continue
    t, m, k, n, g = line.split()
    ref[(int(t), int(m), int(k), int(n))].append(float(g))
print("OpenBLAS:", blas)
print("peak fp32 FMA per core: AVX-512 ~198 GFLOP/s, AVX2 ~99 GFLOP/s (2 FMA pipes at ~3.1 GHz)")
print()
print("| M×K×N | threads | nnops GFLOP/s | OpenBLAS GFLOP/s | ratio | nnops % of AVX-512 peak |")
print("|---|---|---|---|---|---|")
keys = sorted(set(go) | set(ref), key=lambda k: (k[0], k[1:]))
for key in keys:
    t, m, k, n = key
    g = statistics.median(go[key]) if go.get(key) else float('nan')
    r = statistics.median(ref[key]) if ref.get(key) else float('nan')
    print(f"| {m}×{k}×{n} | {t} | {g:.1f} | {r:.1f} | {g/r:.2f} | {100*g/(198*t):.0f}% |")
PYEOF
