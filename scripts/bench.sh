#!/bin/sh
# Runs every benchmark suite; each prints Latent against its reference,
# measured in the same run, with the ratio.
set -eu
for b in bench/*.sh; do
	[ -x "$b" ] || continue
	echo "== $b"
	"$b"
done
