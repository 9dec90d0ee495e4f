package dsl

import (
	"testing"
	"time"

	"github.com/latent-ai/latent/tests/jupytertest"
)

// TestProtocol builds the latent binary, installs its kernelspec into a
// temporary Jupyter data directory and runs check_dsl.py, which drives the
// kernel with jupyter_client and checks every session rule over the wire.
func TestProtocol(t *testing.T) {
	jupytertest.Require(t)
	env := jupytertest.Install(t, jupytertest.Build(t))
	jupytertest.RunScript(t, env, "check_dsl.py", 5*time.Minute)
}
