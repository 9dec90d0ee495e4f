#!/bin/sh
# Runs every fuzz target for a bounded number of executions.
#
# The budget is a count, not a duration: with a duration (-fuzztime 10s),
# Go 1.26's fuzz coordinator can report a spurious "context deadline
# exceeded" failure when the deadline lands while a worker is mid-call
# (golang/go#75804, fixed in Go 1.27). A count has no deadline to race.
# Counts are sized to about 5-10 s per target on a 2-core machine; the
# slower targets get smaller counts. FUZZTIME overrides every budget
# (a count like 500x, or a duration like 1m for a long local run).
set -eu
budget() {
	case "$1" in
	FuzzCellSource) echo 4000x ;;    # yaegi per input: ~450 execs/s
	FuzzNotebook | FuzzMarkdownHTML | FuzzHighlight) echo 30000x ;; # ~3-5k/s
	*) echo 150000x ;;               # decoders and kernels: ~30-40k/s
	esac
}
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
		T="${FUZZTIME:-$(budget "$f")}"
		echo "fuzz: $pkg $f ($T)"
		go test -run '^$' -fuzz "^$f\$" -fuzztime "$T" -fuzzminimizetime 5x "$pkg"
	done
done
