package reliability

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// memoryLimits bounds the live heap a cell of each kind may leave behind
// for good (bytes per cell). yaegi v0.16.1 keeps every evaluated source's
// syntax tree (about 2 KB for a one-liner), so no kind can be zero; a hard
// limit far above that is a leak. Kinds with known is set leak today: their
// figure is reported as a KNOWN ISSUE, and fails only with LATENT_STRICT=1.
var memoryLimits = map[string]struct {
	limit float64
	known string
}{
	"trivial":       {4 << 10, ""},
	"print-1k":      {16 << 10, ""},
	"display-html":  {16 << 10, ""},
	"runtime-error": {16 << 10, ""},
	"compile-error": {16 << 10, ""},
	"define-func":   {16 << 10, ""},
	"assign-256k":   {16 << 10, ""},
	"refit-tiny":    {32 << 10, ""},
	"interrupt":     {16 << 10, ""},
	"complete":      {4 << 10, ""},
	"inspect":       {4 << 10, ""},
	"is-complete":   {4 << 10, ""},
	"redefine-var":  {16 << 10, "re-running `m := ae.Dense(...)` keeps every earlier model alive: yaegi gives a redeclared top-level name a new global slot and the old one keeps its value"},
	"redefine-256k": {16 << 10, "re-running `big := make([]byte, 1<<18)` keeps every earlier slice alive (same cause)"},
	"train-tiny":    {32 << 10, "re-running a cell that declares and trains a model keeps every earlier model alive (same cause)"},
}

// TestMemoryPerCellKind runs 300 cells of each kind a notebook session has
// (trivial, printing, rich display, runtime and compile errors,
// redefinitions, assignments, trainings, interrupted loops, completion,
// inspection and is_complete requests) and measures
// the kernel's live heap after a forced GC: each kind must retain at most
// its bound per cell.
func TestMemoryPerCellKind(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	n := 300
	if testing.Short() {
		n = 100
	}
	strict := os.Getenv("LATENT_STRICT") == "1"
	res := k.runScenario("memory", 10*time.Minute, "--n", strconv.Itoa(n))
	kinds, _ := res["kinds"].([]any)
	for _, x := range kinds {
		m := x.(map[string]any)
		name, _ := m["kind"].(string)
		per, _ := m["bytes_per_cell"].(float64)
		l, ok := memoryLimits[name]
		if !ok {
			t.Errorf("kind %s has no limit", name)
			continue
		}
		t.Logf("%-14s %+9.0f bytes per cell (limit %.0f)", name, per, l.limit)
		if per <= l.limit {
			continue
		}
		msg := fmt.Sprintf("%s cells leave %.0f bytes each on the live heap (limit %.0f): %.1f MiB per 1,000 cells", name, per, l.limit, per*1000/(1<<20))
		if l.known != "" && !strict {
			t.Logf("KNOWN ISSUE: %s; %s", msg, l.known)
			continue
		}
		t.Error(msg)
	}
}
