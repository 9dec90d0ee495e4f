package data

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// LoadNPZArrays reads every array of a NumPy .npz file (numpy.savez or
// savez_compressed), keyed by name without the .npy suffix.
func LoadNPZArrays(path string) (map[string]*Array, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("data: %s: not a NumPy .npz file (%v); write it with numpy.savez", path, err)
	}
	defer z.Close()
	out := map[string]*Array{}
	for _, f := range z.File {
		if !strings.HasSuffix(f.Name, ".npy") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("data: %s: %s: %v", path, f.Name, err)
		}
		a, err := ReadNPY(r, path+":"+f.Name)
		// Read the entry to its end, where zip checks the CRC-32: ReadNPY
		// stops after the values the header announces.
		if _, cerr := io.Copy(io.Discard, r); errors.Is(cerr, zip.ErrChecksum) {
			err = fmt.Errorf("data: %s: %s fails its CRC-32 check: the file is damaged; write it again (numpy.savez or SaveNPZ) or copy it again", path, f.Name)
		}
		r.Close()
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(f.Name, ".npy")] = a
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("data: %s holds no .npy arrays", path)
	}
	return out, nil
}

// SaveNPZArrays writes arrays to an uncompressed .npz file (what
// numpy.savez writes), in sorted key order, atomically.
func SaveNPZArrays(path string, arrays map[string]*Array) error {
	keys := make([]string, 0, len(arrays))
	for k := range arrays {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return writeFileAtomic(path, func(w io.Writer) error {
		z := zip.NewWriter(w)
		for _, k := range keys {
			fw, err := z.CreateHeader(&zip.FileHeader{Name: k + ".npy", Method: zip.Store})
			if err != nil {
				return err
			}
			if err := WriteNPY(fw, arrays[k]); err != nil {
				return err
			}
		}
		return z.Close()
	})
}

// npzFeatureKeys and npzLabelKeys are the names NPZ looks for, in order.
var (
	npzFeatureKeys = []string{"x", "X", "data", "images", "x_train", "arr_0"}
	npzLabelKeys   = []string{"y", "labels", "y_train", "arr_1"}
)

// NPZ loads a dataset from a .npz file: the features from the array named
// x (or X, data, images, x_train, arr_0, or the only array), the labels
// from y (or labels, y_train, arr_1) when present. It panics with a clear message on error; LoadNPZ returns the error.
func NPZ(path string) *Set {
	s, err := LoadNPZ(path)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// LoadNPZ is NPZ returning an error.
func LoadNPZ(path string) (*Set, error) {
	arrays, err := LoadNPZArrays(path)
	if err != nil {
		return nil, err
	}
	pick := func(keys []string) (string, *Array) {
		for _, k := range keys {
			if a, ok := arrays[k]; ok {
				return k, a
			}
		}
		return "", nil
	}
	_, x := pick(npzFeatureKeys)
	if x == nil && len(arrays) == 1 {
		for _, a := range arrays {
			x = a
		}
	}
	if x == nil {
		names := make([]string, 0, len(arrays))
		for k := range arrays {
			names = append(names, k)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("data: %s: no features array named x; it holds %s. Save the features as x (numpy.savez(path, x=..., y=...)) or load the arrays with LoadNPZArrays", path, strings.Join(names, ", "))
	}
	s, err := setFromArray(x, filepath.Base(path))
	if err != nil {
		return nil, err
	}
	if lk, y := pick(npzLabelKeys); y != nil {
		if y.Size() != s.N {
			return nil, fmt.Errorf("data: %s: %d labels in %q for %d samples", path, y.Size(), lk, s.N)
		}
		s.Labels = make([]int, s.N)
		for i, v := range y.Data {
			if v < 0 || v != float32(int(v)) {
				return nil, fmt.Errorf("data: %s: label %d is %g; labels must be whole numbers ≥ 0", path, i, v)
			}
			s.Labels[i] = int(v)
		}
	}
	return s, s.Validate()
}

// SaveNPZ writes the set to a .npz file: x (float32, shaped (N, C, H, W)
// for images, else (N, D)) and, when the set has labels, y (int64).
// numpy.load(path)["x"] reads it back.
func (s *Set) SaveNPZ(path string) error {
	arrays := map[string]*Array{"x": s.array()}
	if s.Labels != nil {
		y := &Array{Shape: []int{s.N}, Dtype: "<i8", Data: make([]float32, s.N)}
		for i, l := range s.Labels[:s.N] {
			y.Data[i] = float32(l)
		}
		arrays["y"] = y
	}
	return SaveNPZArrays(path, arrays)
}
