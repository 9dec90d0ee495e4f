package plotting

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latent-ai/latent/runtime/data"
)

func TestSave(t *testing.T) {
	dir := t.TempDir()
	f := Loss([]float64{3, 2, 1}, nil)
	for _, name := range []string{"a.png", "b.svg", "C.PNG"} {
		path := filepath.Join(dir, name)
		if err := f.Save(path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		isPNG := bytes.HasPrefix(b, []byte("\x89PNG"))
		if isPNG != strings.HasSuffix(strings.ToLower(name), ".png") {
			t.Errorf("%s: wrong format (PNG=%v)", name, isPNG)
		}
	}
	if err := f.Save(filepath.Join(dir, "x.jpg")); err == nil || !strings.Contains(err.Error(), ".png or .svg") {
		t.Errorf("Save .jpg: %v, want an error naming the supported extensions", err)
	}
	if err := f.Save(filepath.Join(dir, "missing", "x.png")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestSaveThroughSymlink: Save writes the file a symbolic link points to
// and leaves the link in place, as the runner's -o does (issue 13).
func TestSaveThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.png")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "fig.png")
	if err := os.Symlink("real.png", link); err != nil {
		t.Fatal(err)
	}
	if err := Loss([]float64{3, 2, 1}, nil).Save(link); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(target); !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("the link's target holds %q, not the PNG", b[:min(len(b), 8)])
	}
}

func TestSVGUsesFallbackFonts(t *testing.T) {
	s, err := Loss([]float64{3, 2, 1}, nil).SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s, "font-family:'Liberation Sans',Arial") {
		t.Error("SVG does not name Arial as fallback for Liberation Sans")
	}
}

func TestRenderFormats(t *testing.T) {
	f := Loss([]float64{3, 2, 1}, nil)
	b := f.Render()
	if b.Data["image/png"] == nil || b.Metadata["image/png"] == nil {
		t.Fatalf("default Render = %v, want PNG with size metadata", b.Data)
	}
	if err := SetFormat("svg"); err != nil {
		t.Fatal(err)
	}
	defer SetFormat("png")
	if b := f.Render(); b.Data["image/svg+xml"] == nil {
		t.Errorf("Render after SetFormat(svg) = %v", b.Data)
	}
	if err := SetFormat("gif"); err == nil {
		t.Error("SetFormat(gif) succeeded")
	}
}

func TestWithSize(t *testing.T) {
	f := Loss([]float64{3, 2, 1}, nil).WithSize(400, 300)
	if w, h := f.Size(); w != 400 || h != 300 {
		t.Errorf("size %d×%d, want 400×300", w, h)
	}
	png, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	// Width and height sit at bytes 16..24 of a PNG.
	w := int(png[16])<<24 | int(png[17])<<16 | int(png[18])<<8 | int(png[19])
	if w != 400 {
		t.Errorf("PNG is %d px wide, want 400", w)
	}
	// A grid keeps its aspect: a narrower width gives a shorter figure.
	g := ImageGrid(mnistShape, synthImages(8), 4)
	_, h1 := g.Size()
	_, h2 := g.WithSize(300, 100).Size()
	if h2 >= h1 {
		t.Errorf("narrower grid is %d px high, not less than %d", h2, h1)
	}
}

func TestSetAdapters(t *testing.T) {
	imgs := synthImages(6)
	s := &data.Set{Name: "synthetic", X: imgs, N: 6, D: 784, C: 1, H: 28, W: 28}
	flat := &data.Set{Name: "flat", X: imgs, N: 6, D: 784} // no shape recorded: square
	codes := &data.Set{X: []float32{0, 1, 1, 0, 2, 2}, N: 3, D: 2, Labels: []int{0, 1, 1}, ClassNames: []string{"a", "b"}}
	odd := &data.Set{Name: "odd", X: make([]float32, 10), N: 2, D: 5}
	tests := []struct {
		name string
		fig  *Figure
		want string // error text, empty for none
	}{
		{"images", ImagesOf(s, 4, 4), ""},
		{"square", ImagesOf(flat, 0, 3), ""},
		{"recon", ReconstructionsOf(s, nil, s, 3), ""},
		{"denoise", ReconstructionsOf(s, s, s, 3), ""},
		{"latent", LatentOf(codes), ""},
		{"not images", ImagesOf(odd, 2, 2), "not images"},
		{"nil", ImagesOf(nil, 2, 2), "nil set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fig.Err()
			if tt.want == "" && err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Err() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPNGScale(t *testing.T) {
	if err := SetPNGScale(2); err != nil {
		t.Fatal(err)
	}
	defer SetPNGScale(1)
	checkGolden(t, "samples_2x", Samples(mnistShape, synthImages(8), 4))
	f := Loss([]float64{3, 2, 1}, nil)
	png, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	if w := int(png[16])<<24 | int(png[17])<<16 | int(png[18])<<8 | int(png[19]); w != 2*DefaultWidth {
		t.Errorf("PNG at scale 2 is %d px wide, want %d", w, 2*DefaultWidth)
	}
	if md := f.Render().Metadata["image/png"].(map[string]any); md["width"] != DefaultWidth {
		t.Errorf("Render metadata width %v, want the CSS width %d", md["width"], DefaultWidth)
	}
	if err := SetPNGScale(5); err == nil {
		t.Error("SetPNGScale(5) succeeded")
	}
}

func TestCompactIsLossless(t *testing.T) {
	grey := image.NewRGBA(image.Rect(0, 0, 3, 2))
	few := image.NewRGBA(image.Rect(0, 0, 3, 2))
	many := image.NewRGBA(image.Rect(0, 0, 20, 20))
	for i := range 6 {
		x, y := i%3, i/3
		grey.SetRGBA(x, y, color.RGBA{uint8(40 * i), uint8(40 * i), uint8(40 * i), 255})
		few.SetRGBA(x, y, Palette[i%2])
	}
	for i := range 400 {
		many.SetRGBA(i%20, i/20, color.RGBA{uint8(i), uint8(i >> 8), 7, 255})
	}
	tests := []struct {
		name string
		img  *image.RGBA
		want string
	}{
		{"grey", grey, "*image.Gray"},
		{"few colours", few, "*image.Paletted"},
		{"many colours", many, "*image.RGBA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compact(tt.img)
			if got := fmt.Sprintf("%T", c); got != tt.want {
				t.Errorf("compact gave %s, want %s", got, tt.want)
			}
			b := tt.img.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					r1, g1, b1, a1 := tt.img.At(x, y).RGBA()
					r2, g2, b2, a2 := c.At(x, y).RGBA()
					if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
						t.Fatalf("pixel %d,%d changed", x, y)
					}
				}
			}
		})
	}
}
