#!/bin/sh
# Runs every fuzz target for a bounded time (FUZZTIME, default 10s each).
set -eu
T="${FUZZTIME:-10s}"
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
		echo "fuzz: $pkg $f ($T)"
		go test -run '^$' -fuzz "^$f\$" -fuzztime "$T" -fuzzminimizetime 5x "$pkg"
	done
done
