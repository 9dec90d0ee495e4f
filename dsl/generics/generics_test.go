package generics_test

import (
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"

	"github.com/latent-ai/latent/dsl/generics"
	"github.com/latent-ai/latent/dsl/symbols/stdlib"
)

func newInterp(t testing.TB) *interp.Interpreter {
	in := interp.New(interp.Options{})
	if err := in.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := generics.Load(in); err != nil {
		t.Fatal(err)
	}
	return in
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		newInterp(b)
	}
}

func BenchmarkUseStdlib(b *testing.B) {
	for b.Loop() {
		in := interp.New(interp.Options{})
		if err := in.Use(stdlib.Symbols); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLoadTime(t *testing.T) {
	t0 := time.Now()
	newInterp(t)
	t.Log(time.Since(t0))
}
