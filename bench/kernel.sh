#!/bin/sh
# Kernel benchmark: startup (process start to first kernel_info_reply) and
# 1,000 trivial execute round trips (p50, p99) for Latent and for Debian's
# ipykernel, driven by the same jupyter_client code in the same run, with
# the ratios. KERNEL_BENCH_N sets the number of round trips.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/latent" ./cmd/latent
JUPYTER_DATA_DIR="$tmp/data" "$tmp/latent" install >/dev/null
if ! /usr/bin/python3 -c 'import ipykernel' 2>/dev/null; then
	echo "bench/kernel.sh: ipykernel is missing (Debian python3-ipykernel): run make setup" >&2
	exit 1
fi
JUPYTER_PATH="$tmp/data" JUPYTER_DATA_DIR="$tmp/data" JUPYTER_RUNTIME_DIR="$tmp/runtime" \
	IPYTHONDIR="$tmp/ipython" PYDEVD_DISABLE_FILE_VALIDATION=1 \
	/usr/bin/python3 -Xfrozen_modules=off bench/kernel_bench.py --n "${KERNEL_BENCH_N:-1000}" --kernels latent,python3
