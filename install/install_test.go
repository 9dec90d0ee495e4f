package install

import (
	"bytes"
	"encoding/json"
	"image/png"
	"testing"
)

func TestKernelJSON(t *testing.T) {
	for _, bin := range []string{"/usr/local/bin/latent", `/tmp/odd "dir"/with\back slash/latent`, "C:\\Go\\latent.exe"} {
		b, err := KernelJSON(bin, "")
		if err != nil {
			t.Fatal(err)
		}
		var spec struct {
			Argv          []string `json:"argv"`
			DisplayName   string   `json:"display_name"`
			Language      string   `json:"language"`
			InterruptMode string   `json:"interrupt_mode"`
		}
		if err := json.Unmarshal(b, &spec); err != nil {
			t.Fatalf("%s: %v", bin, err)
		}
		want := []string{bin, "kernel", "--connection-file", "{connection_file}"}
		if len(spec.Argv) != 4 || spec.Argv[0] != want[0] || spec.Argv[3] != want[3] {
			t.Errorf("argv = %q, want %q", spec.Argv, want)
		}
		if spec.DisplayName != "Go (Latent)" || spec.Language != "go" || spec.InterruptMode != "message" {
			t.Errorf("spec = %+v", spec)
		}
	}
}

func TestLogos(t *testing.T) {
	for _, tt := range []struct {
		name string
		size int
	}{{"logo-32x32.png", 32}, {"logo-64x64.png", 64}} {
		b, err := Asset(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if r := img.Bounds(); r.Dx() != tt.size || r.Dy() != tt.size {
			t.Errorf("%s is %v", tt.name, r)
		}
	}
	svg, err := Asset("logo-svg.svg")
	if err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("logo-svg.svg: %v", err)
	}
}

func TestKernelJSONDisplayName(t *testing.T) {
	b, err := KernelJSON("/bin/latent", `Go "dev"`)
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		DisplayName string `json:"display_name"`
	}
	if err := json.Unmarshal(b, &spec); err != nil || spec.DisplayName != `Go "dev"` {
		t.Errorf("display_name %q: %v", spec.DisplayName, err)
	}
}
