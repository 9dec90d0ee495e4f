package data

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes encodes a as raw IDX, failing the test on error.
func idxBytes(t testing.TB, a *IDX) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteIDX(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gzipBytes(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadIDXRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		a    *IDX
		want []float64
	}{
		{"uint8 2x3", &IDX{Type: IDXUint8, Dims: []int{2, 3}, Raw: []byte{0, 1, 2, 253, 254, 255}}, []float64{0, 1, 2, 253, 254, 255}},
		{"int8", &IDX{Type: IDXInt8, Dims: []int{3}, Raw: []byte{0xff, 0x80, 0x7f}}, []float64{-1, -128, 127}},
		{"int16", &IDX{Type: IDXInt16, Dims: []int{2}, Raw: []byte{0xff, 0xfe, 0x01, 0x00}}, []float64{-2, 256}},
		{"int32", &IDX{Type: IDXInt32, Dims: []int{1}, Raw: []byte{0, 1, 0, 0}}, []float64{65536}},
		{"float32", &IDX{Type: IDXFloat32, Dims: []int{1}, Raw: []byte{0x3f, 0xc0, 0, 0}}, []float64{1.5}},
		{"float64", &IDX{Type: IDXFloat64, Dims: []int{1}, Raw: []byte{0xc0, 0, 0, 0, 0, 0, 0, 0}}, []float64{-2}},
		{"empty", &IDX{Type: IDXUint8, Dims: []int{0, 28, 28}, Raw: []byte{}}, nil},
	}
	for _, c := range cases {
		raw := idxBytes(t, c.a)
		for _, enc := range []struct {
			name string
			b    []byte
		}{{"raw", raw}, {"gzip", gzipBytes(t, raw)}} {
			t.Run(c.name+"/"+enc.name, func(t *testing.T) {
				got, err := ReadIDX(bytes.NewReader(enc.b))
				if err != nil {
					t.Fatal(err)
				}
				if got.Type != c.a.Type || len(got.Dims) != len(c.a.Dims) || got.Len() != len(c.want) {
					t.Fatalf("got type %x dims %v, want %x %v", got.Type, got.Dims, c.a.Type, c.a.Dims)
				}
				for i, w := range c.want {
					if got.At(i) != w {
						t.Errorf("element %d = %v, want %v", i, got.At(i), w)
					}
				}
			})
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := idxBytes(t, &IDX{Type: IDXUint8, Dims: []int{2, 2, 2}, Raw: make([]byte, 8)})
	gz := gzipBytes(t, good)
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "too short for an IDX header"},
		{"one byte", []byte{0}, "too short"},
		{"wrong magic", []byte("PK\x03\x04rest of a zip"), "not an IDX file (magic 0x504b0304)"},
		{"gzip of text", gzipBytes(t, []byte("hello world")), "gzip stream does not contain an IDX file"},
		{"bad type", []byte{0, 0, 0x07, 1, 0, 0, 0, 0}, "element type 0x07"},
		{"zero dims", []byte{0, 0, 8, 0}, "0 dimensions"},
		{"too many dims", []byte{0, 0, 8, 200}, "200 dimensions"},
		{"short header", []byte{0, 0, 8, 3, 0, 0, 0, 2}, "truncated IDX header"},
		{"truncated payload", good[:len(good)-3], "truncated: the header announces [2 2 2] uint8 (8 bytes) but only 5 bytes follow"},
		{"trailing bytes", append(append([]byte{}, good...), 9), "more bytes follow"},
		{"huge dims", []byte{0, 0, 0x0E, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2}, "limit"},
		{"truncated gzip", gz[:len(gz)-10], "gzip stream is truncated"},
		{"corrupt gzip header", []byte{0x1f, 0x8b, 0, 0}, "gzip header is corrupt"},
		{"gzip trailing bytes", gzipBytes(t, append(append([]byte{}, good...), 1, 2)), "more bytes follow"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadIDX(bytes.NewReader(c.in))
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestReadIDXFileNamesPath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "train-images.gz")
	if err := os.WriteFile(p, []byte("\x1f\x8bnot really gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadIDXFile(p)
	if err == nil || !strings.HasPrefix(err.Error(), "data: "+p+": ") {
		t.Fatalf("error %v, want it to start with data: %s:", err, p)
	}
	if _, err := ReadIDXFile(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing file: error %v", err)
	}
}

func TestWriteIDXErrors(t *testing.T) {
	cases := []struct {
		name string
		a    *IDX
	}{
		{"bad type", &IDX{Type: 1, Dims: []int{1}, Raw: []byte{0}}},
		{"no dims", &IDX{Type: IDXUint8}},
		{"negative dim", &IDX{Type: IDXUint8, Dims: []int{-1}}},
		{"size mismatch", &IDX{Type: IDXInt16, Dims: []int{2}, Raw: []byte{0, 0}}},
	}
	for _, c := range cases {
		if err := WriteIDX(&bytes.Buffer{}, c.a); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// FuzzIDX feeds arbitrary bytes to ReadIDX: it must never panic, and what
// it accepts must survive a write/read round trip unchanged.
func FuzzIDX(f *testing.F) {
	good := idxBytes(f, &IDX{Type: IDXUint8, Dims: []int{2, 2, 2}, Raw: []byte{1, 2, 3, 4, 5, 6, 7, 8}})
	f.Add(good)
	f.Add(gzipBytes(f, good))
	f.Add(idxBytes(f, &IDX{Type: IDXFloat32, Dims: []int{1}, Raw: []byte{0x3f, 0xc0, 0, 0}}))
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			if a != nil {
				t.Fatal("non-nil array with an error")
			}
			return
		}
		if len(a.Raw) != a.Len()*idxElemSize(a.Type) {
			t.Fatalf("payload %d bytes for dims %v", len(a.Raw), a.Dims)
		}
		_ = a.Float32s(1)
		_ = a.Ints()
		var b bytes.Buffer
		if err := WriteIDX(&b, a); err != nil {
			t.Fatal(err)
		}
		a2, err := ReadIDX(&b)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if !bytes.Equal(a.Raw, a2.Raw) || len(a.Dims) != len(a2.Dims) {
			t.Fatal("round trip changed the array")
		}
	})
}
