package data

import (
	"fmt"
	"math"

	"github.com/latent-ai/latent/internal/hugemem"
)

// Series is one variable measured at successive times: the values, and the
// time stamps as text when the source had them (a CSV date column).
type Series struct {
	Name   string
	Values []float32
	Times  []string // nil, or one per value
}

// Len returns the number of points.
func (s *Series) Len() int { return len(s.Values) }

// String describes the series, e.g. "temp: 8760 points from 2024-01-01 to 2024-12-31".
func (s *Series) String() string {
	txt := fmt.Sprintf("%s: %d points", s.Name, len(s.Values))
	if len(s.Times) > 0 {
		txt += fmt.Sprintf(" from %s to %s", s.Times[0], s.Times[len(s.Times)-1])
	}
	return txt
}

// SeriesCSV reads one column of a CSV file as a series, with the time
// stamps of timeColumn ("" for none). Missing values are filled from the
// previous point (the first from the next), with a notice. It panics with a
// clear message on error; LoadSeriesCSV returns it.
func SeriesCSV(path, column, timeColumn string) *Series {
	s, err := LoadSeriesCSV(path, column, timeColumn)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// LoadSeriesCSV is SeriesCSV returning an error.
func LoadSeriesCSV(path, column, timeColumn string) (*Series, error) {
	opt := CSVOptions{Columns: []string{column}, Label: timeColumn, Missing: "value", Fill: math.NaN(), quiet: true}
	set, err := LoadCSV(path, opt)
	if err != nil {
		return nil, err
	}
	s := &Series{Name: column, Values: set.X}
	if timeColumn != "" {
		s.Times = make([]string, set.N)
		for i, l := range set.Labels {
			if set.ClassNames != nil {
				s.Times[i] = set.ClassNames[l]
			} else {
				s.Times[i] = fmt.Sprint(l)
			}
		}
	}
	filled := 0
	for i, v := range s.Values {
		if v != v { // NaN: missing
			filled++
			if i > 0 {
				s.Values[i] = s.Values[i-1]
			}
		}
	}
	if filled > 0 && s.Values[0] != s.Values[0] {
		for i, v := range s.Values {
			if v == v {
				for j := 0; j < i; j++ {
					s.Values[j] = v
				}
				break
			}
		}
	}
	if s.Values[0] != s.Values[0] {
		return nil, fmt.Errorf("data: %s: column %q has no values", path, column)
	}
	if filled > 0 {
		notice("data: %s: %d missing values of %s filled from the previous point\n", path, filled, column)
	}
	return s, nil
}

// Series returns feature column as a series (a view of nothing: the values
// are copied). column is a name from Features or a 0-based index.
func (s *Set) Series(column string) *Series {
	c := -1
	for i, f := range s.Features {
		if f == column {
			c = i
		}
	}
	if c < 0 {
		if _, err := fmt.Sscan(column, &c); err != nil || c < 0 || c >= s.D {
			panic(fmt.Sprintf("data: Series(%q) on %s: no such feature; it has %v (or pass a 0-based index below %d)", column, s.describe(), s.Features, s.D))
		}
	}
	out := &Series{Name: column, Values: make([]float32, s.N)}
	for i := range out.Values {
		out.Values[i] = s.X[i*s.D+c]
	}
	return out
}

// Scaled returns the series min-max scaled to [0, 1] by lo and hi (pass
// the training part's range to scale a test part the same way), and the
// range used. With lo == hi it takes the series' own range.
func (s *Series) Scaled(lo, hi float32) (*Series, float32, float32) {
	if lo == hi {
		lo, hi = s.Values[0], s.Values[0]
		for _, v := range s.Values {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	out := &Series{Name: s.Name, Times: s.Times, Values: make([]float32, len(s.Values))}
	span := hi - lo
	if span == 0 {
		span = 1
	}
	for i, v := range s.Values {
		out.Values[i] = (v - lo) / span
	}
	return out, lo, hi
}

// Slice returns points i..j-1.
func (s *Series) Slice(i, j int) *Series {
	if i < 0 || j > len(s.Values) || i > j {
		panic(fmt.Sprintf("data: Slice(%d, %d) on a series of %d points", i, j, len(s.Values)))
	}
	out := &Series{Name: s.Name, Values: s.Values[i:j:j]}
	if s.Times != nil {
		out.Times = s.Times[i:j:j]
	}
	return out
}

// Windows cuts the series into windows of window consecutive points, one
// starting every stride points (the last window ends at or before the last
// point), as a Set of window features per sample.
func (s *Series) Windows(window, stride int) *Set {
	n := NumWindows(len(s.Values), window, stride)
	if n <= 0 {
		panic(fmt.Sprintf("data: Windows(%d, %d) on %s: need 1 <= window <= %d points and stride >= 1", window, stride, s.Name, len(s.Values)))
	}
	out := &Set{Name: fmt.Sprintf("%s windows of %d", s.Name, window), N: n, D: window, X: hugemem.Float32s(n * window)}
	for k := 0; k < n; k++ {
		copy(out.X[k*window:(k+1)*window], s.Values[k*stride:k*stride+window])
	}
	return out
}

// NumWindows returns how many windows of window points, one every stride
// points, fit in n points (0 when none do or the sizes are invalid).
func NumWindows(n, window, stride int) int {
	if window < 1 || stride < 1 || window > n {
		return 0
	}
	return (n-window)/stride + 1
}
