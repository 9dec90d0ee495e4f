package nn

import (
	"math"
	"testing"
)

// TestFastMath checks expNeg and log1pUnit against the math package.
func TestFastMath(t *testing.T) {
	for x := -700.0; x <= 0; x += 0.0137 {
		want := math.Exp(x)
		if got := expNeg(x); math.Abs(got-want) > 1e-11*want {
			t.Fatalf("expNeg(%v) = %v, want %v", x, got, want)
		}
	}
	for e := 0.0; e <= 1; e += 1e-4 {
		if got, want := log1pUnit(e), math.Log1p(e); math.Abs(got-want) > 2e-9 {
			t.Fatalf("log1pUnit(%v) = %v, want %v", e, got, want)
		}
	}
}
