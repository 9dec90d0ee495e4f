// Command genlogo draws the kernelspec logos (logo-32x32.png and
// logo-64x64.png) from the same shapes as logo-svg.svg: a rounded Go-blue
// square holding an autoencoder (two trapezoids narrowing to a bottleneck)
// with the latent code as a dot in the middle. Run it with go generate in
// package install.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

type shape struct {
	inside func(x, y float64) bool // in the 64x64 design space
	c      color.NRGBA
}

func polygon(pts ...[2]float64) func(x, y float64) bool {
	return func(x, y float64) bool {
		in := false
		for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
			xi, yi, xj, yj := pts[i][0], pts[i][1], pts[j][0], pts[j][1]
			if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
				in = !in
			}
		}
		return in
	}
}

func roundedSquare(size, r float64) func(x, y float64) bool {
	return func(x, y float64) bool {
		if x < 0 || y < 0 || x > size || y > size {
			return false
		}
		cx := math.Min(math.Max(x, r), size-r)
		cy := math.Min(math.Max(y, r), size-r)
		return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
	}
}

func circle(cx, cy, r float64) func(x, y float64) bool {
	return func(x, y float64) bool { return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r }
}

var shapes = []shape{
	{roundedSquare(64, 12), color.NRGBA{0x00, 0xAD, 0xD8, 0xFF}},
	{polygon([2]float64{10, 12}, [2]float64{30, 26}, [2]float64{30, 38}, [2]float64{10, 52}), color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}},
	{polygon([2]float64{54, 12}, [2]float64{34, 26}, [2]float64{34, 38}, [2]float64{54, 52}), color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}},
	{circle(32, 32, 5), color.NRGBA{0x0B, 0x3D, 0x4F, 0xFF}},
}

// render draws the logo at n x n pixels with 8x8 supersampling.
func render(n int) *image.NRGBA {
	const ss = 8
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	scale := 64 / float64(n)
	for py := 0; py < n; py++ {
		for px := 0; px < n; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) * scale
					y := (float64(py) + (float64(sy)+0.5)/ss) * scale
					for i := len(shapes) - 1; i >= 0; i-- {
						if shapes[i].inside(x, y) {
							c := shapes[i].c
							r, g, b, a = r+float64(c.R), g+float64(c.G), b+float64(c.B), a+1
							break
						}
					}
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(r/a + 0.5), uint8(g/a + 0.5), uint8(b/a + 0.5), uint8(255*a/(ss*ss) + 0.5)})
		}
	}
	return img
}

func main() {
	for _, n := range []int{32, 64} {
		name := fmt.Sprintf("logo-%dx%d.png", n, n)
		f, err := os.Create(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "genlogo:", err)
			os.Exit(1)
		}
		if err := png.Encode(f, render(n)); err != nil {
			fmt.Fprintln(os.Stderr, "genlogo:", name, err)
			os.Exit(1)
		}
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "genlogo:", name, err)
			os.Exit(1)
		}
	}
}
