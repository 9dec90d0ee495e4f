package owndata

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeShapes writes n 16×16 PNG images of each class (circles and
// squares) under dir/<class>/, with image/png, plus one broken file when
// broken is set.
func writeShapes(t *testing.T, dir string, n int, broken bool) {
	t.Helper()
	for _, class := range []string{"circle", "square"} {
		os.MkdirAll(filepath.Join(dir, class), 0o755)
		for k := 0; k < n; k++ {
			img := image.NewGray(image.Rect(0, 0, 16, 16))
			r := 3 + k%4
			for y := 0; y < 16; y++ {
				for x := 0; x < 16; x++ {
					dx, dy := x-8, y-8
					in := dx*dx+dy*dy <= r*r
					if class == "square" {
						in = dx >= -r && dx <= r && dy >= -r && dy <= r
					}
					if in {
						img.SetGray(x, y, color.Gray{255})
					}
				}
			}
			f, err := os.Create(filepath.Join(dir, class, fmt.Sprintf("%03d.png", k)))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, img)
			f.Close()
		}
	}
	if broken {
		os.WriteFile(filepath.Join(dir, "circle", "broken.png"), []byte("not a png"), 0o644)
	}
}

func TestImagesFolderInCells(t *testing.T) {
	dir := t.TempDir()
	writeShapes(t, dir, 40, false)
	s := session(t)
	b, _ := run(t, s, `shapes := data.Images("`+dir+`", data.ImageOptions{Gray: true, Height: 12, Width: 12})
shapes`)
	if _, ok := b.Data["image/png"]; !ok || !strings.Contains(plain(b), "80 samples") {
		t.Fatalf("an image folder shows as %v", plain(b))
	}
	b, _ = run(t, s, `fmt.Sprint(shapes.C, shapes.H, shapes.W, shapes.ClassNames, shapes.Labels[0], shapes.Labels[79])`)
	if plain(b) != "1 12 12 [circle square] 0 1" {
		t.Fatalf("shape and labels: %s", plain(b))
	}
	b, _ = run(t, s, `m := ae.Dense(144, 16)
m.Fit(shapes, ae.Epochs(5), ae.Quiet())
m.Reconstruct(shapes.Take(4))`)
	if _, ok := b.Data["image/png"]; !ok {
		t.Fatal("no reconstruction picture")
	}
	bad := t.TempDir()
	writeShapes(t, bad, 2, true)
	msg := runErr(t, s, `data.Images("`+bad+`", data.ImageOptions{})`)
	if !strings.Contains(msg, "broken.png") {
		t.Fatalf("a broken image: %s", msg)
	}
}

func TestNumPyArraysInCells(t *testing.T) {
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		t.Skip("Debian's python3-numpy is needed")
	}
	dir := t.TempDir()
	cmd := exec.Command(py, "-c", `
import numpy as np
rng = np.random.default_rng(1)
x = rng.random((200, 8, 8)).astype(np.float32)
np.savez("arrays.npz", x=x, y=(np.arange(200) % 3))
np.save("u8.npy", (x * 255).astype(np.uint8))
np.save("f16.npy", x.astype(np.float16))
`)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	s := session(t)
	b, _ := run(t, s, `arr := data.NPZ("`+dir+`/arrays.npz")
u := data.NPY("`+dir+`/u8.npy")
fmt.Sprint(arr.N, arr.H, arr.W, arr.Labels[:4], u.D)`)
	if plain(b) != "200 8 8 [0 1 2 0] 64" {
		t.Fatalf("arrays from numpy: %s", plain(b))
	}
	b, _ = run(t, s, `disk := data.OpenNPY("`+dir+`/u8.npy")
dm := ae.Dense(64, 8)
dh := dm.Fit(disk, ae.Epochs(2), ae.Quiet())
fmt.Sprint(disk.N, disk.H, len(dh.Train), disk.X[5] == u.X[5])`)
	if plain(b) != "200 8 2 true" {
		t.Fatalf("a disk-backed set from numpy: %s", plain(b))
	}
	msg := runErr(t, s, `data.NPY("`+dir+`/f16.npy")`)
	if !strings.Contains(msg, `dtype "<f2" is not supported`) || !strings.Contains(msg, "astype(numpy.float32)") {
		t.Fatalf("float16: %s", msg)
	}
	run(t, s, `m := ae.Dense(64, 8)
m.Fit(arr, ae.Epochs(1), ae.Quiet())
r := m.Reconstruct(arr.Take(5))
if err := r.Reconstructions.SaveNPY("`+dir+`/recon.npy"); err != nil { panic(err) }`)
	out, err := exec.Command(py, "-c", `import numpy as np; a = np.load("`+dir+`/recon.npy"); print(a.shape, a.dtype)`).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "(5, 1, 8, 8) float32" {
		t.Fatalf("numpy reads Latent's array: %s %v", out, err)
	}
}

// writeSensorCSV writes an hourly temperature log with a date column, a
// text column, a few missing values and three injected faults; it returns
// the fault positions.
func writeSensorCSV(t *testing.T, path string, n int) []int {
	t.Helper()
	var b strings.Builder
	b.WriteString("time,site,temp,humidity\n")
	faults := []int{n * 6 / 10, n * 75 / 100, n * 9 / 10}
	for i := 0; i < n; i++ {
		v := 12 + 6*math.Sin(2*math.Pi*float64(i)/24) + 0.3*math.Sin(float64(i)*1.7)
		for _, f := range faults {
			if i >= f && i < f+4 {
				v += 9
			}
		}
		temp := fmt.Sprintf("%.2f", v)
		if i%97 == 50 {
			temp = "NA"
		}
		fmt.Fprintf(&b, "2024-01-%02d %02d:00,lab,%s,%d\n", 1+i/24, i%24, temp, 40+i%7)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return faults
}

func TestTimeSeriesFromCSVInCells(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sensor.csv")
	faults := writeSensorCSV(t, path, 1200)
	s := session(t)
	b, _ := run(t, s, `table, err := data.LoadCSV("`+path+`", data.CSVOptions{SkipText: true, Missing: "mean"})
if err != nil { panic(err) }
fmt.Sprint(table.N, table.Features)`)
	if plain(b) != "1200 [temp humidity]" {
		t.Fatalf("CSV with options: %s", plain(b))
	}
	run(t, s, `temp := data.SeriesCSV("`+path+`", "temp", "time")
scaled, lo, hi := temp.Scaled(0, 0)
normal := scaled.Slice(0, 600)
m := ae.Dense(24, 8).WithOutputActivation(nn.Identity)
m.Fit(normal.Windows(24, 1), ae.Epochs(40), ae.Batch(32), ae.Quiet())
_, _ = lo, hi`)
	b, _ = run(t, s, `rep := ae.SeriesAnomaly(m, scaled, 24, 1, ae.Percentile(99.5))
rep`)
	if _, ok := b.Data["image/png"]; !ok {
		t.Fatalf("the time-series report shows no figure: %s", plain(b))
	}
	b, _ = run(t, s, `fmt.Sprint(rep.Segments())`)
	segs := plain(b)
	b, _ = run(t, s, `hits := 0
for _, f := range []int{`+fmt.Sprint(faults[0])+`, `+fmt.Sprint(faults[1])+`, `+fmt.Sprint(faults[2])+`} {
	if rep.Flagged[f+1] {
		hits++
	}
}
flagged := 0
for _, f := range rep.Flagged {
	if f {
		flagged++
	}
}
fmt.Sprint(hits, " ", flagged < 200, " ", temp.Times[0])`)
	if got := plain(b); got != "3 true 2024-01-01 00:00" {
		t.Fatalf("faults found, few points flagged, times kept: %s (segments %s)", got, segs)
	}
}
