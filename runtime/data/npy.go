package data

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/latent-ai/latent/internal/atomicfile"
	"github.com/latent-ai/latent/internal/hugemem"
)

// Array is an n-dimensional array read from or written to a NumPy .npy
// file: its shape (C order, the last axis fastest) and its values as
// float32. Dtype records the element type the file held ("<f4", "<f8" or
// "|u1"); Save writes float32 unless Dtype says otherwise.
type Array struct {
	Shape []int
	Data  []float32
	Dtype string
}

// Size returns the product of the shape (1 for a scalar).
func (a *Array) Size() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// npyHeader is a parsed .npy header.
type npyHeader struct {
	dtype   string
	fortran bool
	shape   []int
	offset  int64 // where the data starts
}

// elemSize returns the byte size of one element of a supported dtype.
func (h npyHeader) elemSize() int {
	switch h.dtype {
	case "<f4":
		return 4
	case "<f8":
		return 8
	case "|u1":
		return 1
	case "<i4":
		return 4
	case "<i8":
		return 8
	}
	return 0
}

func (h npyHeader) size() int {
	n := 1
	for _, d := range h.shape {
		n *= d
	}
	return n
}

// maxNPYValues is the most values a .npy header may announce (4 TB of
// float32); more means a damaged header.
const maxNPYValues = 1 << 40

// plausibleShape reports whether shape holds at most maxNPYValues values,
// computing the product with an overflow check (a damaged header's
// (2³², 2³²) would wrap to 0).
func plausibleShape(shape []int) bool {
	n := 1
	for _, d := range shape {
		if d != 0 && n > maxNPYValues/d {
			return false
		}
		n *= d
	}
	return true
}

// readNPYHeader reads and checks the header of a .npy stream.
func readNPYHeader(r io.Reader, where string) (npyHeader, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return npyHeader{}, fmt.Errorf("%s: not a NumPy .npy file (too short); write it with numpy.save", where)
	}
	if string(pre[:6]) != npyMagic {
		return npyHeader{}, fmt.Errorf("%s: not a NumPy .npy file (it starts with %q, not \\x93NUMPY); write it with numpy.save", where, pre[:6])
	}
	var hlen int
	off := int64(10)
	switch pre[6] {
	case 1:
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		var more [2]byte
		if _, err := io.ReadFull(r, more[:]); err != nil {
			return npyHeader{}, fmt.Errorf("%s: truncated .npy header", where)
		}
		hlen = int(binary.LittleEndian.Uint32(append(pre[8:10:10], more[:]...)))
		off = 12
	default:
		return npyHeader{}, fmt.Errorf("%s: .npy format version %d.%d is not supported (1.0, 2.0 and 3.0 are)", where, pre[6], pre[7])
	}
	if hlen > 1<<20 {
		return npyHeader{}, fmt.Errorf("%s: .npy header of %d bytes is implausibly long; the file is damaged", where, hlen)
	}
	buf := make([]byte, hlen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return npyHeader{}, fmt.Errorf("%s: truncated .npy header", where)
	}
	h, err := parseNPYDict(string(buf))
	if err != nil {
		return npyHeader{}, fmt.Errorf("%s: %v", where, err)
	}
	h.offset = off + int64(hlen)
	if h.fortran {
		return npyHeader{}, fmt.Errorf("%s: the array is in Fortran order; save it in C order (numpy.ascontiguousarray(a)) and try again", where)
	}
	if h.elemSize() == 0 {
		return npyHeader{}, fmt.Errorf("%s: dtype %q is not supported; convert the array with a.astype(numpy.float32) (float32, float64 and uint8 arrays are read, and int32/int64 for labels)", where, h.dtype)
	}
	if !plausibleShape(h.shape) {
		return npyHeader{}, fmt.Errorf("%s: shape %v is impossibly large; the file is damaged", where, h.shape)
	}
	return h, nil
}

// parseNPYDict parses the Python dict literal of a .npy header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
func parseNPYDict(s string) (npyHeader, error) {
	var h npyHeader
	get := func(key string) (string, bool) {
		i := strings.Index(s, "'"+key+"'")
		if i < 0 {
			return "", false
		}
		rest := strings.TrimSpace(s[i+len(key)+2:])
		rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
		return rest, true
	}
	d, ok := get("descr")
	if !ok || len(d) < 2 || (d[0] != '\'' && d[0] != '"') {
		return h, errors.New("the .npy header has no 'descr'; the file is damaged or not a plain array (structured arrays are not read)")
	}
	end := strings.IndexByte(d[1:], d[0])
	if end < 0 {
		return h, errors.New("the .npy header's 'descr' is not a string")
	}
	h.dtype = d[1 : 1+end]
	if h.dtype == "<u1" || h.dtype == "u1" || h.dtype == ">u1" {
		h.dtype = "|u1"
	}
	f, ok := get("fortran_order")
	if !ok {
		return h, errors.New("the .npy header has no 'fortran_order'")
	}
	h.fortran = strings.HasPrefix(f, "True")
	sh, ok := get("shape")
	if !ok || !strings.HasPrefix(sh, "(") {
		return h, errors.New("the .npy header has no 'shape'")
	}
	end = strings.IndexByte(sh, ')')
	if end < 0 {
		return h, errors.New("the .npy header's 'shape' is not a tuple")
	}
	h.shape = []int{}
	for _, p := range strings.Split(sh[1:end], ",") {
		p = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(p), "L"))
		if p == "" {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return h, fmt.Errorf("the .npy shape %s is not a tuple of sizes", sh[:end+1])
		}
		h.shape = append(h.shape, v)
	}
	return h, nil
}

// ReadNPY reads a .npy stream (float32, float64 or uint8, C order; int32
// and int64 too, for labels) into an
// Array of float32 values; where names the file in errors.
func ReadNPY(r io.Reader, where string) (*Array, error) {
	br := bufio.NewReader(r)
	h, err := readNPYHeader(br, where)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	n := h.size()
	// Grow as the values arrive rather than trusting the header with the
	// allocation: a damaged header cannot reserve absurd memory. The
	// buffers double up to the announced size and sit on huge pages, so
	// that training gathers shuffled rows from them fast (see hugemem).
	a := &Array{Shape: h.shape, Dtype: h.dtype, Data: hugemem.Float32s(min(n, 1<<20))[:0]}
	chunk := make([]float32, min(n, 1<<16))
	for len(a.Data) < n {
		part := chunk[:min(len(chunk), n-len(a.Data))]
		if err := readElems(br, h.dtype, part); err != nil {
			return nil, fmt.Errorf("data: %s: the data ends early (after %d of %d values); the file is truncated", where, len(a.Data), n)
		}
		if len(a.Data)+len(part) > cap(a.Data) {
			grown := hugemem.Float32s(min(n, 2*cap(a.Data)))[:len(a.Data)]
			copy(grown, a.Data)
			a.Data = grown
		}
		a.Data = append(a.Data, part...)
	}
	return a, nil
}

// readElems reads len(dst) elements of dtype, converting to float32.
func readElems(r io.Reader, dtype string, dst []float32) error {
	const chunk = 1 << 16
	var buf []byte
	for lo := 0; lo < len(dst); lo += chunk {
		part := dst[lo:min(lo+chunk, len(dst))]
		switch dtype {
		case "<f4":
			buf = growBytes(buf, 4*len(part))
			if _, err := io.ReadFull(r, buf); err != nil {
				return err
			}
			for i := range part {
				part[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
			}
		case "<f8":
			buf = growBytes(buf, 8*len(part))
			if _, err := io.ReadFull(r, buf); err != nil {
				return err
			}
			for i := range part {
				part[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:])))
			}
		case "|u1":
			buf = growBytes(buf, len(part))
			if _, err := io.ReadFull(r, buf); err != nil {
				return err
			}
			for i, b := range buf {
				part[i] = float32(b)
			}
		case "<i4":
			buf = growBytes(buf, 4*len(part))
			if _, err := io.ReadFull(r, buf); err != nil {
				return err
			}
			for i := range part {
				part[i] = float32(int32(binary.LittleEndian.Uint32(buf[4*i:])))
			}
		case "<i8":
			buf = growBytes(buf, 8*len(part))
			if _, err := io.ReadFull(r, buf); err != nil {
				return err
			}
			for i := range part {
				part[i] = float32(int64(binary.LittleEndian.Uint64(buf[8*i:])))
			}
		}
	}
	return nil
}

func growBytes(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// WriteNPY writes a as a version 1.0 .npy file in C order, as float32
// ("<f4", the default), float64 ("<f8"), uint8 ("|u1", values rounded and
// clamped to 0..255) or int32/int64 ("<i4", "<i8", rounded) according to
// a.Dtype.
func WriteNPY(w io.Writer, a *Array) error {
	dtype := a.Dtype
	if dtype == "" {
		dtype = "<f4"
	}
	h := npyHeader{dtype: dtype, shape: a.Shape}
	if h.elemSize() == 0 {
		return fmt.Errorf("data: WriteNPY: dtype %q; use \"<f4\", \"<f8\", \"|u1\", \"<i4\" or \"<i8\"", dtype)
	}
	if a.Size() != len(a.Data) {
		return fmt.Errorf("data: WriteNPY: shape %v holds %d values but Data has %d", a.Shape, a.Size(), len(a.Data))
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.Write(npyHeaderBytes(dtype, a.Shape)); err != nil {
		return err
	}
	var b [8]byte
	for _, v := range a.Data {
		switch dtype {
		case "<f4":
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			bw.Write(b[:4])
		case "<f8":
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(float64(v)))
			bw.Write(b[:8])
		case "|u1":
			bw.WriteByte(byte(math.Round(math.Min(255, math.Max(0, float64(v))))))
		case "<i4":
			binary.LittleEndian.PutUint32(b[:], uint32(int32(math.Round(float64(v)))))
			bw.Write(b[:4])
		case "<i8":
			binary.LittleEndian.PutUint64(b[:], uint64(int64(math.Round(float64(v)))))
			bw.Write(b[:8])
		}
	}
	return bw.Flush()
}

// npyHeaderBytes returns the magic, version and padded header dict.
func npyHeaderBytes(dtype string, shape []int) []byte {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	sh := strings.Join(parts, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", dtype, sh)
	total := 10 + len(dict) + 1
	pad := (64 - total%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.Write([]byte{1, 0})
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	return b.Bytes()
}

// LoadArray reads a .npy file.
func LoadArray(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	return ReadNPY(f, path)
}

// SaveArray writes a to a .npy file, atomically.
func SaveArray(path string, a *Array) error {
	return writeFileAtomic(path, func(w io.Writer) error { return WriteNPY(w, a) })
}

// writeFileAtomic writes a file through a temporary file and a rename, so
// that a failed write leaves no partial file; a symbolic link is written
// through and stays a link.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	if err := atomicfile.Write(path, 0o644, write); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// setFromArray makes a Set of a's first axis as samples and the rest as
// features; arrays of 3 axes (N, H, W) or 4 (N, C, H, W or N, H, W, C with
// C of 1, 3 or 4 last) keep their image shape. uint8 arrays are scaled to
// [0, 1].
func setFromArray(a *Array, name string) (*Set, error) {
	if len(a.Shape) == 0 {
		return nil, fmt.Errorf("data: %s is a scalar; a dataset needs an array of samples (N, features...)", name)
	}
	n := a.Shape[0]
	d := 1
	for _, x := range a.Shape[1:] {
		d *= x
	}
	s := &Set{Name: name, X: a.Data, N: n, D: d}
	if a.Dtype == "|u1" {
		for i, v := range s.X {
			s.X[i] = v / 255
		}
	}
	switch len(a.Shape) {
	case 3:
		s.C, s.H, s.W = 1, a.Shape[1], a.Shape[2]
	case 4:
		if c := a.Shape[3]; c <= 4 && a.Shape[1] > c {
			// channels last (N, H, W, C): move to channels first
			h, w := a.Shape[1], a.Shape[2]
			s.X = hwcToCHW(s.X, n, h, w, c)
			s.C, s.H, s.W = c, h, w
		} else {
			s.C, s.H, s.W = a.Shape[1], a.Shape[2], a.Shape[3]
		}
	}
	return s, s.Validate()
}

// hwcToCHW reorders n images from height×width×channels to
// channels×height×width.
func hwcToCHW(x []float32, n, h, w, c int) []float32 {
	out := hugemem.Float32s(len(x))
	sz := h * w * c
	for k := 0; k < n; k++ {
		src, dst := x[k*sz:(k+1)*sz], out[k*sz:(k+1)*sz]
		for i := 0; i < h*w; i++ {
			for ch := 0; ch < c; ch++ {
				dst[ch*h*w+i] = src[i*c+ch]
			}
		}
	}
	return out
}

// NPY loads a .npy file as a dataset: the first axis is the samples, the
// rest the features (images keep their shape: (N, H, W), (N, C, H, W) or
// (N, H, W, C)); uint8 arrays are scaled to [0, 1]. It panics with a clear
// message on error; LoadNPY returns the error.
func NPY(path string) *Set {
	s, err := LoadNPY(path)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// LoadNPY is NPY returning an error.
func LoadNPY(path string) (*Set, error) {
	a, err := LoadArray(path)
	if err != nil {
		return nil, err
	}
	return setFromArray(a, filepath.Base(path))
}

// SaveNPY writes the set's samples to a .npy file as float32, shaped
// (N, C, H, W) for images and (N, D) otherwise. Labels are not written;
// use SaveNPZ to keep them.
func (s *Set) SaveNPY(path string) error {
	return SaveArray(path, s.array())
}

// array returns the set's samples as an Array (sharing memory).
func (s *Set) array() *Array {
	shape := []int{s.N, s.D}
	if s.H > 0 && s.W > 0 && s.C*s.H*s.W == s.D {
		shape = []int{s.N, s.C, s.H, s.W}
	}
	return &Array{Shape: shape, Data: s.X[:s.N*s.D], Dtype: "<f4"}
}

// WriteNPYHeader writes the header of a float32 C-order .npy file of the
// given shape; the caller then writes the values, little-endian, to w. It
// lets a program write an array larger than memory in pieces (OpenNPY then
// reads it back without loading it).
func WriteNPYHeader(w io.Writer, shape []int) error {
	_, err := w.Write(npyHeaderBytes("<f4", shape))
	return err
}
