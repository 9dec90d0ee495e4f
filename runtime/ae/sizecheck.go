package ae

import (
	"fmt"

	"github.com/latent-ai/latent/runtime/host"
)

// checkOutputs panics with a *host.AllocError when n generated samples
// (their codes and images) would not fit in the memory available: Go
// cannot recover from running out of memory, and v.Sample(1<<40) would
// otherwise end the session.
func (m *Model) checkOutputs(op string, n int) {
	per := float64(m.cfg.Latent+m.cfg.Input.Size()) * 4
	bytes := int64(min(float64(n)*per, 1<<62))
	if err := host.CheckAlloc(fmt.Sprintf("%s of %d samples", op, n), bytes); err != nil {
		panic(err)
	}
}
