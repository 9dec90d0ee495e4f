package ae

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/runtime/nn"
)

// SummaryRow is one layer of a Summary.
type SummaryRow struct {
	Part   string // "encoder", "code" or "decoder"
	Name   string // the layer's name (its spec name or parameter prefix)
	Type   string // e.g. "dense relu", "conv 3×3 /2 relu", or the Go type of a custom layer
	Output string // the output shape of one sample, e.g. "256" or "16×14×14"
	Params int    // trainable values
}

// Summary is a model's layers with their output shapes and parameter
// counts, as Keras prints model.summary(). It shows as a table (text and
// HTML) when it is a cell's result.
type Summary struct {
	Model  string
	Input  string
	Rows   []SummaryRow
	Total  int
	Latent int
}

// Summary returns the model's layer table.
func (m *Model) Summary() *Summary {
	s := &Summary{Model: m.String(), Input: m.cfg.Input.String(), Latent: m.cfg.Latent}
	add := func(part string, ls []nn.Layer) {
		for i, l := range ls {
			sp := l.Spec()
			name := sp.Name
			if ps := l.Params(); name == "" && len(ps) > 0 {
				name, _, _ = strings.Cut(ps[0].Name, ".")
			}
			if name == "" || sp.Type == "reshape" || sp.Type == "act" {
				name = fmt.Sprintf("%s%d", strings.ToLower(strings.TrimSpace(layerType(l)[:3])), i+1)
			}
			s.Rows = append(s.Rows, SummaryRow{Part: part, Name: name, Type: layerType(l), Output: l.OutShape().String(), Params: nn.Count(l.Params())})
			s.Total += s.Rows[len(s.Rows)-1].Params
		}
	}
	add("encoder", m.enc.Layers)
	if m.cfg.Variational {
		s.Rows = append(s.Rows, SummaryRow{Part: "code", Name: "z", Type: "sample μ + σ·ε", Output: fmt.Sprint(m.cfg.Latent)})
	}
	add("decoder", m.dec.Layers)
	return s
}

// layerType describes a layer's kind for the summary.
func layerType(l nn.Layer) string {
	sp := l.Spec()
	act := func() string {
		if sp.Act == "" || sp.Act == nn.Identity {
			return ""
		}
		return " " + string(sp.Act)
	}
	switch sp.Type {
	case "dense":
		return "dense" + act()
	case "conv", "convt":
		k := "conv"
		if sp.Type == "convt" {
			k = "conv transpose"
		}
		return fmt.Sprintf("%s %d×%d /%d%s", k, sp.K, sp.K, max(sp.Stride, 1), act())
	case "act":
		return "activation" + act()
	case "":
		return fmt.Sprintf("%T (custom)", l)
	}
	return sp.Type + act()
}

// String formats the summary as a fixed-width table.
func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\ninput: %s\n", s.Model, s.Input)
	head := [4]string{"Layer", "Type", "Output shape", "Params"}
	w := [4]int{len(head[0]), len(head[1]), len(head[2]), len(head[3])}
	cells := make([][4]string, len(s.Rows))
	for i, r := range s.Rows {
		cells[i] = [4]string{r.Part + "/" + r.Name, r.Type, r.Output, thousands(r.Params)}
		for j, c := range cells[i] {
			w[j] = max(w[j], len([]rune(c)))
		}
	}
	line := func(c [4]string) {
		for j, x := range c {
			pad := strings.Repeat(" ", w[j]-len([]rune(x)))
			if j == 3 {
				b.WriteString(pad + x)
			} else {
				b.WriteString(x + pad + "  ")
			}
		}
		b.WriteString("\n")
	}
	rule := strings.Repeat("─", w[0]+w[1]+w[2]+w[3]+6) + "\n"
	b.WriteString(rule)
	line(head)
	b.WriteString(rule)
	for _, c := range cells {
		line(c)
	}
	b.WriteString(rule)
	fmt.Fprintf(&b, "Total params: %s (%s float32)\nCode size: %d", thousands(s.Total), bytesHuman(4*s.Total), s.Latent)
	return b.String()
}

// Render shows the summary as an HTML table with the text form beside it.
func (s *Summary) Render() display.Bundle {
	var b strings.Builder
	fmt.Fprintf(&b, "<div><b>%s</b><br>input: %s<table><thead><tr><th>Layer</th><th>Type</th><th>Output shape</th><th>Params</th></tr></thead><tbody>",
		html.EscapeString(s.Model), html.EscapeString(s.Input))
	for _, r := range s.Rows {
		fmt.Fprintf(&b, "<tr><td>%s/%s</td><td>%s</td><td>%s</td><td style=\"text-align:right\">%s</td></tr>",
			html.EscapeString(r.Part), html.EscapeString(r.Name), html.EscapeString(r.Type), html.EscapeString(r.Output), thousands(r.Params))
	}
	fmt.Fprintf(&b, "</tbody></table>Total params: %s (%s float32); code size %d</div>", thousands(s.Total), bytesHuman(4*s.Total), s.Latent)
	return display.Bundle{Data: map[string]any{"text/html": b.String(), "text/plain": s.String()}}
}

// thousands formats n with comma separators, as Keras does.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func bytesHuman(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// String formats the configuration readably, one setting a line, with the
// layers listed; it is what a cell ending in m.Config() shows.
func (c Config) String() string {
	var b strings.Builder
	var kv map[string]any
	j, _ := json.Marshal(c)
	_ = json.Unmarshal(j, &kv)
	order := []string{"kind", "input", "image", "widths", "decoder", "latent", "variational", "beta", "loss", "hidden_act", "code_act", "out_act", "l1", "kl_rho", "kl_beta", "noise", "noise_p", "init", "seed"}
	fmt.Fprintf(&b, "%-12s %s\n", "kind:", c.Kind)
	for _, k := range order[1:] {
		v, ok := kv[k]
		if !ok {
			continue
		}
		switch k {
		case "input":
			v = c.Input.String()
		case "image":
			if c.Image.Size() == 0 {
				continue
			}
			v = c.Image.String()
		}
		fmt.Fprintf(&b, "%-12s %v\n", k+":", v)
	}
	layers := func(title string, specs []nn.Spec) {
		if len(specs) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s\n", title)
		for _, sp := range specs {
			t := sp.Type
			if t == "" {
				t = "custom"
			}
			fmt.Fprintf(&b, "  %-6s %-8s in %v", sp.Name, t, sp.In)
			if sp.Out > 0 {
				fmt.Fprintf(&b, " out %d", sp.Out)
			}
			if sp.K > 0 {
				fmt.Fprintf(&b, " k %d stride %d pad %d", sp.K, max(sp.Stride, 1), sp.Pad)
			}
			if sp.Act != "" {
				fmt.Fprintf(&b, " %s", sp.Act)
			}
			b.WriteString("\n")
		}
	}
	layers("encoder:", c.Encoder)
	layers("decoder:", c.DecoderSpec)
	layers("decoder B:", c.DecoderB)
	return strings.TrimRight(b.String(), "\n")
}
