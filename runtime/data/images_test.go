package data

import (
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeImage writes img to path in the format its extension names.
func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	switch filepath.Ext(path) {
	case ".png":
		err = png.Encode(f, img)
	case ".jpg":
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 100})
	case ".gif":
		err = gif.Encode(f, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func grayImage(w, h int, v func(x, y int) uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.SetGray(x, y, color.Gray{v(x, y)})
		}
	}
	return g
}

func TestImagesClassFolders(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, filepath.Join(dir, "circle", "a.png"), grayImage(4, 4, func(x, y int) uint8 { return uint8(x * 50) }))
	writeImage(t, filepath.Join(dir, "circle", "b.gif"), grayImage(4, 4, func(x, y int) uint8 { return 255 }))
	writeImage(t, filepath.Join(dir, "square", "c.png"), grayImage(8, 8, func(x, y int) uint8 { return 0 }))
	os.WriteFile(filepath.Join(dir, "square", "notes.txt"), []byte("not an image"), 0o644)
	s, err := LoadImages(dir, ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || s.C != 1 || s.H != 4 || s.W != 4 || len(s.ClassNames) != 2 || s.ClassNames[1] != "square" {
		t.Fatalf("got %v classes %v", s, s.ClassNames)
	}
	if want := []int{0, 0, 1}; s.Labels[0] != want[0] || s.Labels[2] != want[2] {
		t.Fatalf("labels %v", s.Labels)
	}
	if got := s.X[3]; got < 0.58 || got > 0.6 { // x=3: 150/255
		t.Fatalf("pixel (0,3) = %v, want 150/255", got)
	}
	if s.X[16] != 1 || s.X[32] != 0 {
		t.Fatalf("gif/resized pixels %v %v", s.X[16], s.X[32])
	}
}

func TestImagesRGBResizeCrop(t *testing.T) {
	dir := t.TempDir()
	rgb := image.NewRGBA(image.Rect(0, 0, 20, 10))
	for y := 0; y < 10; y++ {
		for x := 0; x < 20; x++ {
			c := color.RGBA{255, 0, 0, 255}
			if x < 5 || x >= 15 {
				c = color.RGBA{0, 0, 255, 255} // the sides a centre crop removes
			}
			rgb.Set(x, y, c)
		}
	}
	writeImage(t, filepath.Join(dir, "wide.png"), rgb)
	writeImage(t, filepath.Join(dir, "photo.jpg"), rgb)
	s, err := LoadImages(dir, ImageOptions{Height: 6, Width: 6, Crop: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.C != 3 || s.H != 6 || s.D != 108 {
		t.Fatalf("got %v", s)
	}
	png := s.Row(1)           // sorted: photo.jpg, wide.png
	for i := 0; i < 36; i++ { // all red after the crop
		if png[i] < 0.9999 || png[72+i] != 0 {
			t.Fatalf("pixel %d: r=%v b=%v", i, png[i], png[72+i])
		}
	}
	if jpg := s.Row(0); jpg[14] < 0.9 {
		t.Fatalf("jpeg centre red %v", jpg[14])
	}
	g, err := LoadImages(dir, ImageOptions{Gray: true, Height: 5, Width: 10})
	if err != nil || g.C != 1 || g.W != 10 {
		t.Fatalf("gray: %v %v", g, err)
	}
}

func TestImagesErrors(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, filepath.Join(dir, "ok.png"), grayImage(2, 2, func(x, y int) uint8 { return 9 }))
	os.WriteFile(filepath.Join(dir, "broken.png"), []byte("\x89PNG garbage"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.jpg"), nil, 0o644)
	_, err := LoadImages(dir, ImageOptions{})
	if err == nil || !strings.Contains(err.Error(), "broken.png") || !strings.Contains(err.Error(), "empty.jpg") || !strings.Contains(err.Error(), "2 file(s)") {
		t.Fatalf("got %v, want an error naming both bad files", err)
	}
	if _, err := LoadImages(t.TempDir(), ImageOptions{}); err == nil || !strings.Contains(err.Error(), "no .png") {
		t.Fatalf("empty folder: %v", err)
	}
	if _, err := LoadImages(filepath.Join(dir, "nope"), ImageOptions{}); err == nil {
		t.Fatal("missing folder: no error")
	}
	if _, err := LoadImages(dir, ImageOptions{Height: 3}); err == nil || !strings.Contains(err.Error(), "both Height and Width") {
		t.Fatalf("half a size: %v", err)
	}
}

func TestImagesProgress(t *testing.T) {
	dir := t.TempDir()
	img := grayImage(1, 1, func(x, y int) uint8 { return 1 })
	for i := 0; i < 1001; i++ {
		writeImage(t, filepath.Join(dir, "img"+itoa(i)+".png"), img)
	}
	var lines []string
	s, err := LoadImages(dir, ImageOptions{Progress: func(l string) { lines = append(lines, l) }})
	if err != nil || s.N != 1001 {
		t.Fatal(s, err)
	}
	if len(lines) == 0 || !strings.Contains(lines[len(lines)-1], "1001 of 1001") {
		t.Fatalf("progress lines %q", lines)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
