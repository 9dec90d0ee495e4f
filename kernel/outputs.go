package kernel

import "github.com/latent-ai/latent/display"

// boundOutput bounds one result or display, one message, to the kernel's
// MaxOutputBytes as it is published (display.Bound), and logs what it cut.
func (k *Kernel) boundOutput(data map[string]any) map[string]any {
	out, cut := display.Bound(data, k.cfg.MaxOutputBytes)
	if cut {
		k.log.Printf("an output over the %.1f MiB limit was cut before publishing", float64(k.cfg.MaxOutputBytes)/(1<<20))
	}
	return out
}
