package dsl

import (
	"fmt"
	"html"
	"strings"

	"github.com/traefik/yaegi/interp"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl/generics"
	"github.com/latent-ai/latent/dsl/symbols/gonum"
	"github.com/latent-ai/latent/plotting"
)

// useLibraries gives interpreter in the compiled gonum and gonum/plot
// packages and the generic functions of the standard library, which
// yaegi's symbol tables cannot hold (package generics).
func useLibraries(in *interp.Interpreter) error {
	if err := in.Use(gonum.Symbols); err != nil {
		return fmt.Errorf("dsl: loading gonum: %w", err)
	}
	if err := generics.Load(in); err != nil {
		return fmt.Errorf("dsl: loading the generic standard library: %w", err)
	}
	return nil
}

// Largest matrix shown whole; bigger ones show their corners.
const (
	matShowRows = 24
	matShowCols = 12
	matCorner   = 4 // rows and columns shown at each corner of a big matrix
)

// formatGonum shows a *plot.Plot as its picture and a mat.Matrix as a
// table (text/plain and text/html).
func formatGonum(v any) (display.Bundle, bool) {
	switch x := v.(type) {
	case *plot.Plot:
		if x == nil {
			return display.Bundle{}, false
		}
		return plotting.Plot(x).Render(), true
	case mat.Matrix:
		r, c, ok := dims(x)
		switch {
		case !ok:
			return display.Bundle{}, false
		case r == 0 || c == 0:
			return display.Text(fmt.Sprintf("%T (empty)", x)), true
		}
		return matrixBundle(x), true
	}
	return display.Bundle{}, false
}

// dims returns m's size; ok is false when Dims panics (a nil pointer).
func dims(m mat.Matrix) (r, c int, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	r, c = m.Dims()
	return r, c, true
}

// matrixBundle formats m as gonum's bracketed text and as an HTML table;
// a matrix larger than matShowRows×matShowCols shows its corners.
func matrixBundle(m mat.Matrix) display.Bundle {
	r, c := m.Dims()
	head := fmt.Sprintf("%T %d×%d", m, r, c)
	opts := []mat.FormatOption{mat.Squeeze()}
	if r > matShowRows || c > matShowCols {
		opts = append(opts, mat.Excerpt(matCorner))
	}
	text := head + "\n" + fmt.Sprintf("%.6g", mat.Formatted(m, opts...))
	b := display.HTML(matrixHTML(m, head))
	b.Data["text/plain"] = text
	return b
}

// matrixHTML is m as an HTML table captioned head.
func matrixHTML(m mat.Matrix, head string) string {
	r, c := m.Dims()
	rows, cols := shown(r, matShowRows), shown(c, matShowCols)
	var b strings.Builder
	b.WriteString(`<table class="latent-matrix" style="font-family:monospace;text-align:right">`)
	fmt.Fprintf(&b, "<caption style=\"text-align:left\">%s</caption>", html.EscapeString(head))
	for _, i := range rows {
		b.WriteString("<tr>")
		for _, j := range cols {
			switch {
			case i < 0 && j < 0:
				b.WriteString("<td>⋱</td>")
			case i < 0:
				b.WriteString("<td>⋮</td>")
			case j < 0:
				b.WriteString("<td>…</td>")
			default:
				fmt.Fprintf(&b, "<td>%.6g</td>", m.At(i, j))
			}
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// shown lists the indices of n shown when at most max fit: all of them, or
// matCorner at each end with -1 for the gap.
func shown(n, max int) []int {
	var idx []int
	for i := 0; i < n; i++ {
		if n > max && i == matCorner {
			idx = append(idx, -1)
			i = n - matCorner - 1
			continue
		}
		idx = append(idx, i)
	}
	return idx
}
