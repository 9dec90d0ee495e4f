package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/latent-ai/latent/internal/hugemem"
)

// IDX element types, as stored in the third byte of an IDX file's magic.
const (
	IDXUint8   byte = 0x08 // unsigned byte
	IDXInt8    byte = 0x09 // signed byte
	IDXInt16   byte = 0x0B // big-endian int16
	IDXInt32   byte = 0x0C // big-endian int32
	IDXFloat32 byte = 0x0D // big-endian IEEE float32
	IDXFloat64 byte = 0x0E // big-endian IEEE float64
)

// MaxIDXBytes is the largest IDX payload ReadIDX accepts (2 GiB), so that a
// corrupt header cannot make it reserve absurd amounts of memory.
const MaxIDXBytes = 1 << 31

// maxIDXDims bounds the number of dimensions of an IDX array.
const maxIDXDims = 16

// IDX is one decoded IDX array: its element type, its dimensions (outermost
// first, as in the file) and its raw big-endian payload.
type IDX struct {
	Type byte   // one of IDXUint8 ... IDXFloat64
	Dims []int  // e.g. [60000 28 28] for MNIST training images
	Raw  []byte // payload, len == Len()*elemSize(Type), big-endian
}

// idxElemSize returns the size in bytes of one element of type t, or 0 when
// t is not an IDX type.
func idxElemSize(t byte) int {
	switch t {
	case IDXUint8, IDXInt8:
		return 1
	case IDXInt16:
		return 2
	case IDXInt32, IDXFloat32:
		return 4
	case IDXFloat64:
		return 8
	}
	return 0
}

// idxTypeName names an IDX element type for messages.
func idxTypeName(t byte) string {
	switch t {
	case IDXUint8:
		return "uint8"
	case IDXInt8:
		return "int8"
	case IDXInt16:
		return "int16"
	case IDXInt32:
		return "int32"
	case IDXFloat32:
		return "float32"
	case IDXFloat64:
		return "float64"
	}
	return fmt.Sprintf("unknown type 0x%02x", t)
}

// Len returns the number of elements (the product of the dimensions).
func (a *IDX) Len() int {
	n := 1
	for _, d := range a.Dims {
		n *= d
	}
	return n
}

// At returns element i as a float64, whatever the element type.
func (a *IDX) At(i int) float64 {
	b := a.Raw
	switch a.Type {
	case IDXUint8:
		return float64(b[i])
	case IDXInt8:
		return float64(int8(b[i]))
	case IDXInt16:
		return float64(int16(binary.BigEndian.Uint16(b[2*i:])))
	case IDXInt32:
		return float64(int32(binary.BigEndian.Uint32(b[4*i:])))
	case IDXFloat32:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b[4*i:])))
	case IDXFloat64:
		return math.Float64frombits(binary.BigEndian.Uint64(b[8*i:]))
	}
	panic(fmt.Sprintf("data: IDX array has %s", idxTypeName(a.Type)))
}

// Float32s returns every element divided by div, as float32 (for example
// div 255 turns uint8 pixels into [0,1] intensities, rounded exactly as
// numpy's float32 x/255).
func (a *IDX) Float32s(div float32) []float32 {
	n := a.Len()
	out := hugemem.Float32s(n)
	if a.Type == IDXUint8 {
		var lut [256]float32
		for i := range lut {
			lut[i] = float32(i) / div
		}
		for i, v := range a.Raw[:n] {
			out[i] = lut[v]
		}
		return out
	}
	for i := range out {
		out[i] = float32(a.At(i)) / div
	}
	return out
}

// Ints returns every element as an int (floats are truncated toward zero).
func (a *IDX) Ints() []int {
	out := make([]int, a.Len())
	for i := range out {
		out[i] = int(a.At(i))
	}
	return out
}

// ReadIDX decodes one IDX array from r. Gzip-compressed input is detected by
// its magic and decompressed. It checks the magic, the element type, the
// dimensions, and that the payload is exactly as long as the header says.
func ReadIDX(r io.Reader) (*IDX, error) {
	if r == nil {
		return nil, fmt.Errorf("ReadIDX of a nil reader; pass an open file")
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(2)
	if len(head) < 2 {
		if err == nil || err == io.EOF {
			return nil, fmt.Errorf("empty or %d-byte input, too short for an IDX header; check that the file was copied completely", len(head))
		}
		return nil, err
	}
	var src io.Reader = br
	zipped := head[0] == 0x1f && head[1] == 0x8b
	if zipped {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip header is corrupt (%v); the file is damaged, copy it again", err)
		}
		defer zr.Close()
		src = zr
	}
	a, err := readIDXRaw(src, zipped)
	if err != nil {
		return nil, err
	}
	if zipped {
		// Drain the gzip stream so its checksum is verified.
		var one [1]byte
		n, err := io.ReadFull(src, one[:])
		if n > 0 {
			return nil, fmt.Errorf("more bytes follow the %v %s array than its header announces; the file is not a single IDX array", a.Dims, idxTypeName(a.Type))
		}
		if err != nil && err != io.EOF {
			return nil, gzipErr(err)
		}
	}
	return a, nil
}

// gzipErr turns a decompression error into a message that says what to do.
func gzipErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("gzip stream is truncated; the file was not copied completely, copy it again")
	}
	return fmt.Errorf("gzip stream is corrupt (%v); the file is damaged, copy it again", err)
}

// readIDXRaw reads the header and payload of an uncompressed IDX stream.
func readIDXRaw(r io.Reader, zipped bool) (*IDX, error) {
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		if zipped && !errors.Is(err, io.ErrUnexpectedEOF) && err != io.EOF {
			return nil, gzipErr(err)
		}
		return nil, fmt.Errorf("only %d bytes, too short for an IDX header; check that the file was copied completely", n)
	}
	if magic[0] != 0 || magic[1] != 0 {
		hint := "IDX files start with two zero bytes; pass an MNIST-style idx1/idx3 file, gzipped or not"
		if zipped {
			hint = "the gzip stream does not contain an IDX file; " + hint
		}
		return nil, fmt.Errorf("not an IDX file (magic 0x%02x%02x%02x%02x); %s", magic[0], magic[1], magic[2], magic[3], hint)
	}
	typ, ndim := magic[2], int(magic[3])
	size := idxElemSize(typ)
	if size == 0 {
		return nil, fmt.Errorf("IDX header names element type 0x%02x, which is not one of 0x08, 0x09, 0x0B-0x0E; the file is corrupt or not IDX", typ)
	}
	if ndim < 1 || ndim > maxIDXDims {
		return nil, fmt.Errorf("IDX header announces %d dimensions (want 1 to %d); the file is corrupt or not IDX", ndim, maxIDXDims)
	}
	dimBytes := make([]byte, 4*ndim)
	if _, err := io.ReadFull(r, dimBytes); err != nil {
		if zipped && !errors.Is(err, io.ErrUnexpectedEOF) && err != io.EOF {
			return nil, gzipErr(err)
		}
		return nil, fmt.Errorf("truncated IDX header: %d dimensions announced but not all present; copy the file again", ndim)
	}
	dims := make([]int, ndim)
	total := uint64(size)
	for i := range dims {
		d := binary.BigEndian.Uint32(dimBytes[4*i:])
		dims[i] = int(d)
		if d == 0 {
			continue
		}
		total *= uint64(d)
		if total > MaxIDXBytes {
			return nil, fmt.Errorf("IDX header announces dimensions %v, more than the %d-byte limit; the file is corrupt", readDims(dimBytes), int64(MaxIDXBytes))
		}
	}
	for _, d := range dims {
		if d == 0 {
			total = 0
		}
	}
	// Read without trusting the header for the allocation size: grow as the
	// bytes actually arrive.
	var buf bytes.Buffer
	buf.Grow(int(min(total, 1<<26)))
	n, err := buf.ReadFrom(io.LimitReader(r, int64(total)))
	if err != nil {
		if zipped {
			return nil, gzipErr(err)
		}
		return nil, fmt.Errorf("reading IDX payload: %v", err)
	}
	if uint64(n) < total {
		return nil, fmt.Errorf("truncated: the header announces %v %s (%d bytes) but only %d bytes follow; the file was not copied completely, copy it again", dims, idxTypeName(typ), total, n)
	}
	if !zipped {
		var one [1]byte
		if k, _ := io.ReadFull(r, one[:]); k > 0 {
			return nil, fmt.Errorf("more bytes follow the %v %s array than its header announces; the file is not a single IDX array", dims, idxTypeName(typ))
		}
	}
	return &IDX{Type: typ, Dims: dims, Raw: buf.Bytes()}, nil
}

// readDims decodes the raw dimension bytes for an error message.
func readDims(b []byte) []uint32 {
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return out
}

// ReadIDXFile reads an IDX file, raw or gzip-compressed. Errors name the
// file and say what is wrong with it.
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	a, err := ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return a, nil
}

// WriteIDX writes a as an uncompressed IDX stream.
func WriteIDX(w io.Writer, a *IDX) error {
	size := idxElemSize(a.Type)
	if size == 0 {
		return fmt.Errorf("data: cannot write IDX element type 0x%02x; use one of the IDX* constants", a.Type)
	}
	if len(a.Dims) < 1 || len(a.Dims) > maxIDXDims {
		return fmt.Errorf("data: cannot write an IDX array of %d dimensions; want 1 to %d", len(a.Dims), maxIDXDims)
	}
	for _, d := range a.Dims {
		if d < 0 || d > math.MaxUint32 {
			return fmt.Errorf("data: cannot write IDX dimension %d; dimensions are 0 to 2^32-1", d)
		}
	}
	if len(a.Raw) != a.Len()*size {
		return fmt.Errorf("data: IDX payload has %d bytes, dimensions %v of %s need %d", len(a.Raw), a.Dims, idxTypeName(a.Type), a.Len()*size)
	}
	head := make([]byte, 4+4*len(a.Dims))
	head[2], head[3] = a.Type, byte(len(a.Dims))
	for i, d := range a.Dims {
		binary.BigEndian.PutUint32(head[4+4*i:], uint32(d))
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(a.Raw)
	return err
}
