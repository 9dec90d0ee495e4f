#!/bin/sh
# Runs every benchmark suite; each prints Latent against its reference,
# measured in the same run, with the ratio.
set -eu
# The soak (bench/soak.sh, 30 minutes by default) is run on its own.
for b in bench/*.sh; do
	[ -x "$b" ] || continue
	[ "$b" = bench/soak.sh ] && continue
	echo "== $b"
	"$b"
done
