package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// Datasets larger than memory. OpenNPY and OpenIDX give a Set whose X is
// memory-mapped from a file of float32 values instead of read into memory:
// the operating system reads the pages Fit touches, batch by batch, and
// drops them again when memory is short, so a set of 10 GB trains on a
// machine with less. A float32 C-order .npy is mapped as it is; any other
// source (uint8 or float64 .npy, IDX, gzipped IDX) is first converted, in a
// stream of small chunks, to a float32 file in the temporary directory
// ($TMPDIR), which is removed as soon as it is mapped (the mapping keeps
// its pages). The mapping is private: writing to X changes only the
// process's copy, never the file. It lives as long as the process.

// OpenNPY opens a .npy file as a disk-backed set (see above): the first
// axis is the samples, as NPY reads it; uint8 arrays are scaled to [0, 1].
// It panics with a clear message on error; OpenNPYE returns it.
func OpenNPY(path string) *Set {
	s, err := OpenNPYE(path)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// OpenNPYE is OpenNPY returning an error.
func OpenNPYE(path string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	h, err := readNPYHeader(bufio.NewReader(f), path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if len(h.shape) == 0 || len(h.shape) > 4 {
		return nil, fmt.Errorf("data: %s has shape %v; a dataset needs (N, features...) with at most 4 axes", path, h.shape)
	}
	n := h.size()
	var x []float32
	if h.dtype == "<f4" {
		x, err = mapFloats(f, h.offset, n)
	} else {
		if _, err := f.Seek(h.offset, io.SeekStart); err != nil {
			return nil, fmt.Errorf("data: %s: %v", path, err)
		}
		scaled := h.dtype == "|u1" // to [0, 1], as NPY does
		x, err = convertToMapped(bufio.NewReaderSize(f, 1<<20), n, func(r io.Reader, dst []float32) error {
			if err := readElems(r, h.dtype, dst); err != nil {
				return err
			}
			if scaled {
				for i := range dst {
					dst[i] /= 255
				}
			}
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("data: %s: %v", path, err)
	}
	a := &Array{Shape: h.shape, Data: x, Dtype: "<f4"}
	if len(h.shape) == 4 && h.shape[3] <= 4 && h.shape[1] > h.shape[3] {
		return nil, fmt.Errorf("data: %s is channels-last %v; OpenNPY maps (N, C, H, W) only: transpose it with numpy (a.transpose(0, 3, 1, 2)) or load it into memory with data.NPY", path, h.shape)
	}
	s, err := setFromArray(a, filepath.Base(path))
	if err != nil {
		return nil, err
	}
	s.Name += " (on disk)"
	s.OnDisk = true
	return s, nil
}

// OpenIDX opens an IDX image file (uint8 or float32, gzipped or not) as a
// disk-backed set (see above) with the labels of labelsPath ("" for none),
// pixels of uint8 images scaled to [0, 1]. It panics with a clear message
// on error; OpenIDXE returns it.
func OpenIDX(imagesPath, labelsPath string) *Set {
	s, err := OpenIDXE(imagesPath, labelsPath)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// OpenIDXE is OpenIDX returning an error.
func OpenIDXE(imagesPath, labelsPath string) (*Set, error) {
	f, err := os.Open(imagesPath)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if strings.HasSuffix(imagesPath, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("data: %s: %v", imagesPath, gzipErr(err))
		}
		r = bufio.NewReaderSize(zr, 1<<20)
	}
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil || hdr[0] != 0 || hdr[1] != 0 {
		return nil, fmt.Errorf("data: %s: not an IDX file (magic % x); pass an MNIST-style idx3 images file, gzipped or not", imagesPath, hdr)
	}
	typ, ndim := hdr[2], int(hdr[3])
	if typ != IDXUint8 && typ != IDXFloat32 {
		return nil, fmt.Errorf("data: %s holds %s values; OpenIDX reads uint8 and float32 images (use ReadIDXFile for others)", imagesPath, idxTypeName(typ))
	}
	if ndim != 3 && ndim != 4 {
		return nil, fmt.Errorf("data: %s: images must be an N×H×W or N×C×H×W array, this one has %d dimensions", imagesPath, ndim)
	}
	dims := make([]int, ndim)
	total := 1
	for i := range dims {
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("data: %s: truncated IDX header", imagesPath)
		}
		dims[i] = int(binary.BigEndian.Uint32(b[:]))
		total *= dims[i]
	}
	if total <= 0 || total > 1<<40 {
		return nil, fmt.Errorf("data: %s: IDX dimensions %v are empty or impossibly large", imagesPath, dims)
	}
	x, err := convertToMapped(r, total, func(r io.Reader, dst []float32) error {
		if typ == IDXUint8 {
			buf := make([]byte, len(dst))
			if _, err := io.ReadFull(r, buf); err != nil {
				return err
			}
			for i, b := range buf {
				dst[i] = float32(b) / 255
			}
			return nil
		}
		buf := make([]byte, 4*len(dst))
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		for i := range dst {
			dst[i] = math.Float32frombits(binary.BigEndian.Uint32(buf[4*i:]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("data: %s: %v (the file is truncated or damaged)", imagesPath, err)
	}
	c, h, w := 1, dims[1], dims[2]
	if ndim == 4 {
		c, h, w = dims[1], dims[2], dims[3]
	}
	s := &Set{Name: filepath.Base(imagesPath) + " (on disk)", X: x, N: dims[0], D: c * h * w, C: c, H: h, W: w, OnDisk: true}
	if labelsPath != "" {
		lab, err := ReadIDXFile(labelsPath)
		if err != nil {
			return nil, err
		}
		if len(lab.Dims) != 1 || lab.Dims[0] != s.N {
			return nil, fmt.Errorf("data: %s has labels of shape %v for %d images in %s; the two files do not belong together", labelsPath, lab.Dims, s.N, imagesPath)
		}
		s.Labels = lab.Ints()
	}
	return s, s.Validate()
}

// convertChunk is how many values convertToMapped converts at a time.
const convertChunk = 1 << 18

// convertToMapped converts n values from r, chunk by chunk with read, into
// a float32 file in the temporary directory, maps it and removes it.
func convertToMapped(r io.Reader, n int, read func(r io.Reader, dst []float32) error) ([]float32, error) {
	tmp, err := os.CreateTemp("", "latent-data-*.f32")
	if err != nil {
		return nil, fmt.Errorf("cannot create the float32 copy in %s: %v; set TMPDIR to a disk with room for %d MB", os.TempDir(), err, 4*n>>20)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	w := bufio.NewWriterSize(tmp, 1<<20)
	chunk := make([]float32, convertChunk)
	var b [4]byte
	for lo := 0; lo < n; lo += convertChunk {
		part := chunk[:min(convertChunk, n-lo)]
		if err := read(r, part); err != nil {
			return nil, err
		}
		for _, v := range part {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			w.Write(b[:])
		}
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("cannot write the float32 copy in %s: %v; set TMPDIR to a disk with room for %d MB", os.TempDir(), err, 4*n>>20)
	}
	return mapFloats(tmp, 0, n)
}
