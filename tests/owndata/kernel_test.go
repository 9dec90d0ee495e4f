package owndata

import (
	"testing"
	"time"

	"github.com/latent-ai/latent/tests/jupytertest"
)

// TestKernel builds the latent binary, installs its kernelspec into a
// temporary Jupyter directory and runs check_kernel.py, which interrupts
// training over the real protocol with Debian's jupyter_client.
func TestKernel(t *testing.T) {
	jupytertest.Require(t)
	env := jupytertest.Install(t, jupytertest.Build(t))
	jupytertest.RunScript(t, env, "check_kernel.py", 5*time.Minute)
}
