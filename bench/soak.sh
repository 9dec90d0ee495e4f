#!/bin/sh
# Soak benchmark for the Latent kernel: runs a notebook-like mix of requests
# against one kernel for DURATION (default 30m; Go duration syntax or
# seconds) and prints, every INTERVAL (default 60s), the kernel's RSS,
# threads, goroutines, live heap and the p50/p99 round trip of trivial
# cells. A benchmark, not a test: it asserts nothing and is not run by CI.
#
#   bench/soak.sh            # 30 minutes
#   bench/soak.sh 10m 30s    # 10 minutes, a row every 30 s
#   bench/soak.sh 10m 60s hostile  # with issue 13's hostile inputs mixed in
#
# It builds bin/latent, installs its kernelspec into a temporary prefix and
# drives it with Debian's jupyter_client (/usr/bin/python3).
set -eu
cd "$(dirname "$0")/.."

to_seconds() {
	case "$1" in
	*h) echo $(( ${1%h} * 3600 )) ;;
	*m) echo $(( ${1%m} * 60 )) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}
DURATION=$(to_seconds "${1:-30m}")
INTERVAL=$(to_seconds "${2:-60s}")
HOSTILE=""
[ "${3:-}" = hostile ] && HOSTILE="--hostile"

if ! /usr/bin/python3 -c 'import jupyter_client, zmq' 2>/dev/null; then
	echo "soak: /usr/bin/python3 with jupyter_client and pyzmq is required (scripts/setup.sh installs them)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
go build -o "$tmp/latent" ./cmd/latent
"$tmp/latent" install --prefix "$tmp/prefix" >/dev/null
mkdir -p "$tmp/data" "$tmp/config" "$tmp/runtime"

echo "soak: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $("$tmp/latent" version | head -1)"
echo "soak: ${DURATION}s, a row every ${INTERVAL}s"
JUPYTER_PATH="$tmp/prefix/share/jupyter" JUPYTER_DATA_DIR="$tmp/data" \
JUPYTER_CONFIG_DIR="$tmp/config" JUPYTER_RUNTIME_DIR="$tmp/runtime" \
PYTHONDONTWRITEBYTECODE=1 \
	/usr/bin/python3 bench/soak.py --seconds "$DURATION" --interval "$INTERVAL" $HOSTILE
