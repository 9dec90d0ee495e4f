package data

import (
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registers GIF decoding
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/latent-ai/latent/internal/hugemem"
)

// ImageOptions says how Images reads a folder. The zero value keeps each
// image's colour (grayscale when every image is gray, else RGB) and sizes
// every image to the first image's size.
type ImageOptions struct {
	// Gray reads every image as one luminance channel; RGB as three
	// channels. With neither, the set is RGB when any image has colour.
	Gray, RGB bool
	// Height and Width are the size every image is brought to (0: the
	// first image's size).
	Height, Width int
	// Crop centre-crops each image to the target's aspect ratio before
	// resizing; without it the image is stretched.
	Crop bool
	// Name is the set's name; "" means the folder's base name.
	Name string
	// Progress, when set, gets a progress line now and then for folders of
	// more than 1000 images; nil writes it to the notice writer (stderr in a
	// notebook cell).
	Progress func(line string)
}

// imageExts are the file types Images reads.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true}

// Images loads a folder of PNG, JPEG and GIF images as a dataset, pixels
// in [0, 1], channels first. When the folder holds one subfolder per class
// (and no images of its own), the subfolder names become the class names
// (sorted) and give each image its label. Images of other sizes are
// resized (bilinear) to the target size. It panics with a clear message on
// error; LoadImages returns the error.
//
//	train := data.Images("photos", data.ImageOptions{Gray: true, Height: 32, Width: 32})
func Images(dir string, opt ImageOptions) *Set {
	s, err := LoadImages(dir, opt)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// ImageFileError lists the files Images could not read.
type ImageFileError struct {
	Dir   string
	Files []string // one "path: reason" per file
}

func (e *ImageFileError) Error() string {
	const show = 10
	var b strings.Builder
	fmt.Fprintf(&b, "data: %d file(s) in %s could not be read as images; fix or remove them:", len(e.Files), e.Dir)
	for i, f := range e.Files {
		if i == show {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Files)-show)
			break
		}
		b.WriteString("\n  " + f)
	}
	return b.String()
}

// LoadImages is Images returning an error. A file it cannot decode is
// named in an *ImageFileError that lists every such file.
func LoadImages(dir string, opt ImageOptions) (*Set, error) {
	if opt.Gray && opt.RGB {
		return nil, errors.New("data: Images: set Gray or RGB, not both")
	}
	if opt.Height < 0 || opt.Width < 0 || (opt.Height == 0) != (opt.Width == 0) {
		return nil, fmt.Errorf("data: Images: size %d×%d; give both Height and Width (or neither, to use the first image's size)", opt.Height, opt.Width)
	}
	files, labels, classes, err := listImages(dir)
	if err != nil {
		return nil, err
	}
	if opt.Name == "" {
		opt.Name = filepath.Base(filepath.Clean(dir))
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(line string) { notice("%s\n", line) }
	}
	imgs := make([]image.Image, len(files))
	var bad []string
	anyColour := false
	last := time.Now()
	for i, f := range files {
		img, err := decodeImage(f)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		imgs[i] = img
		if !opt.Gray && !anyColour && !isGray(img) {
			anyColour = true
		}
		if len(files) > 1000 && (time.Since(last) > time.Second || i+1 == len(files)) {
			progress(fmt.Sprintf("data.Images: %d of %d images read from %s", i+1, len(files), dir))
			last = time.Now()
		}
	}
	if bad != nil {
		return nil, &ImageFileError{Dir: dir, Files: bad}
	}
	h, w := opt.Height, opt.Width
	if h == 0 {
		b := imgs[0].Bounds()
		h, w = b.Dy(), b.Dx()
	}
	c := 1
	if opt.RGB || (!opt.Gray && anyColour) {
		c = 3
	}
	d := c * h * w
	s := &Set{Name: opt.Name, N: len(files), D: d, C: c, H: h, W: w, X: hugemem.Float32s(len(files) * d), Labels: labels, ClassNames: classes}
	for i, img := range imgs {
		if opt.Crop {
			img = centreCrop(img, h, w)
		}
		toPixels(img, s.X[i*d:(i+1)*d], c, h, w)
	}
	return s, s.Validate()
}

// listImages finds the image files of dir, or of its class subfolders.
func listImages(dir string) (files []string, labels []int, classes []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("data: Images: %w", err)
	}
	var subdirs []string
	for _, e := range entries {
		switch {
		case e.IsDir() && !strings.HasPrefix(e.Name(), "."):
			subdirs = append(subdirs, e.Name())
		case !e.IsDir() && imageExts[strings.ToLower(filepath.Ext(e.Name()))]:
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) > 0 || len(subdirs) == 0 {
		if len(files) == 0 {
			return nil, nil, nil, fmt.Errorf("data: Images: %s holds no .png, .jpg, .jpeg or .gif files and no class subfolders", dir)
		}
		return files, nil, nil, nil
	}
	sort.Strings(subdirs)
	for k, sub := range subdirs {
		es, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("data: Images: %w", err)
		}
		n := 0
		for _, e := range es {
			if !e.IsDir() && imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
				files = append(files, filepath.Join(dir, sub, e.Name()))
				labels = append(labels, k)
				n++
			}
		}
		if n == 0 {
			return nil, nil, nil, fmt.Errorf("data: Images: class folder %s holds no images; remove it or add some", filepath.Join(dir, sub))
		}
	}
	return files, labels, subdirs, nil
}

func decodeImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() == 0 || b.Dy() == 0 {
		return nil, fmt.Errorf("%s: the image is empty (%d×%d)", path, b.Dx(), b.Dy())
	}
	return img, nil
}

// isGray reports whether every pixel of img has equal red, green and blue.
func isGray(img image.Image) bool {
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r != g || g != bl {
				return false
			}
		}
	}
	return true
}

// centreCrop returns the largest centred part of img with the aspect ratio
// w:h.
func centreCrop(img image.Image, h, w int) image.Image {
	b := img.Bounds()
	cw, ch := b.Dx(), b.Dy()
	if cw*h > ch*w { // too wide
		cw = ch * w / h
	} else {
		ch = cw * h / w
	}
	x0, y0 := b.Min.X+(b.Dx()-cw)/2, b.Min.Y+(b.Dy()-ch)/2
	return cropped{img, image.Rect(x0, y0, x0+cw, y0+ch)}
}

// cropped is a view of part of an image.
type cropped struct {
	image.Image
	r image.Rectangle
}

func (c cropped) Bounds() image.Rectangle { return c.r }

// toPixels writes img, resized bilinearly to h×w, into dst as c channels
// (1: luminance, 3: RGB) of values in [0, 1], channels first. Transparent
// pixels are composed over black.
func toPixels(img image.Image, dst []float32, c, h, w int) {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	at := func(x, y int) (r, g, bl float32) {
		cr, cg, cb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA() // premultiplied: over black
		return float32(cr) / 65535, float32(cg) / 65535, float32(cb) / 65535
	}
	plane := h * w
	for y := 0; y < h; y++ {
		fy := (float64(y)+0.5)*float64(sh)/float64(h) - 0.5
		y0, ty := split(fy, sh)
		y1 := min(y0+1, sh-1)
		for x := 0; x < w; x++ {
			fx := (float64(x)+0.5)*float64(sw)/float64(w) - 0.5
			x0, tx := split(fx, sw)
			x1 := min(x0+1, sw-1)
			var rgb [3]float32
			for _, p := range [4]struct {
				x, y int
				wt   float32
			}{{x0, y0, (1 - tx) * (1 - ty)}, {x1, y0, tx * (1 - ty)}, {x0, y1, (1 - tx) * ty}, {x1, y1, tx * ty}} {
				if p.wt == 0 {
					continue
				}
				r, g, bl := at(p.x, p.y)
				rgb[0] += p.wt * r
				rgb[1] += p.wt * g
				rgb[2] += p.wt * bl
			}
			i := y*w + x
			if c == 1 {
				dst[i] = 0.299*rgb[0] + 0.587*rgb[1] + 0.114*rgb[2]
			} else {
				dst[i], dst[plane+i], dst[2*plane+i] = rgb[0], rgb[1], rgb[2]
			}
		}
	}
}

// split returns the integer part of f clamped to [0, n-1] and the
// fractional weight of the next pixel.
func split(f float64, n int) (int, float32) {
	if f <= 0 {
		return 0, 0
	}
	i := int(f)
	if i >= n-1 {
		return n - 1, 0
	}
	return i, float32(f - float64(i))
}
