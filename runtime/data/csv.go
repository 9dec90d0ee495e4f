package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// CSVOptions says how to read a numeric CSV file. The zero value reads
// comma-separated numbers, detects a header line, and keeps no labels.
type CSVOptions struct {
	// Comma is the field separator; 0 means ','.
	Comma rune
	// Header is "auto" or "" (the first line is a header when one of its
	// fields is not a number), "yes" or "no".
	Header string
	// Label names the label column: a header name, or a 0-based column
	// index such as "0" or "-1" (the last column). "" means no labels.
	// Integer labels >= 0 are kept as they are; any other values are
	// treated as class names, numbered in sorted order.
	Label string
	// Name is the set's name; "" means the file's base name.
	Name string
}

// CSV loads a numeric CSV file with a detected header and the given label
// column ("" for none), panicking with a clear message on error; LoadCSV
// returns the error instead.
func CSV(path, label string) *Set {
	s, err := LoadCSV(path, CSVOptions{Label: label})
	if err != nil {
		panic(err.Error())
	}
	return s
}

// LoadCSV reads a numeric CSV file into a Set: one sample per line, every
// column but the label column a feature. Errors name the file, line and
// column.
func LoadCSV(path string, opt CSVOptions) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	if opt.Name == "" {
		opt.Name = filepath.Base(path)
	}
	s, err := readCSV(&csvInput{r: f}, opt, path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return s, nil
}

// ReadCSV is LoadCSV for any reader; errors name opt.Name (or "csv") as the
// file.
func ReadCSV(r io.Reader, opt CSVOptions) (*Set, error) {
	where := opt.Name
	if where == "" {
		where = "csv"
	}
	if r == nil {
		return nil, fmt.Errorf("data: ReadCSV of %s: the reader is nil; pass an open file or a strings.Reader", where)
	}
	s, err := readCSV(r, opt, where)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return s, nil
}

func readCSV(r io.Reader, opt CSVOptions, where string) (*Set, error) {
	cr := csv.NewReader(r)
	if opt.Comma != 0 {
		cr.Comma = opt.Comma
	}
	cr.FieldsPerRecord = 0 // every record as long as the first
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	first, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s is empty; a CSV file needs at least one line of numbers", where)
	}
	if err != nil {
		return nil, csvErr(where, err)
	}
	first = append([]string(nil), first...)
	first[0] = strings.TrimPrefix(first[0], "\ufeff") // a UTF-8 byte order mark
	ncol := len(first)
	var header []string
	switch strings.ToLower(opt.Header) {
	case "", "auto":
		for _, f := range first {
			if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err != nil {
				header = first
				break
			}
		}
	case "yes", "true":
		header = first
	case "no", "false":
	default:
		return nil, fmt.Errorf("%s: Header option %q; use \"auto\", \"yes\" or \"no\"", where, opt.Header)
	}
	labelCol, err := findLabelColumn(opt.Label, header, ncol, where)
	if err != nil {
		return nil, err
	}
	d := ncol
	if labelCol >= 0 {
		d--
	}
	s := &Set{Name: opt.Name, D: d}
	if s.Name == "" {
		s.Name = where
	}
	var rawLabels []string
	colName := func(c int) string {
		if header != nil {
			return fmt.Sprintf("column %d (%q)", c+1, header[c])
		}
		return fmt.Sprintf("column %d", c+1)
	}
	addRecord := func(rec []string) error {
		for c, f := range rec {
			if c == labelCol {
				rawLabels = append(rawLabels, strings.TrimSpace(f))
				continue
			}
			f = strings.TrimSpace(f)
			line, _ := cr.FieldPos(c)
			if f == "" {
				return fmt.Errorf("%s:%d: %s is empty; fill in missing values (or drop the line) before loading", where, line, colName(c))
			}
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return fmt.Errorf("%s:%d: %s: %q is not a number; numeric CSV needs numbers in every feature column (name a text column as the label with Label)", where, line, colName(c), f)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32 {
				return fmt.Errorf("%s:%d: %s: %q is not a finite float32; replace it before loading", where, line, colName(c), f)
			}
			s.X = append(s.X, float32(v))
		}
		s.N++
		return nil
	}
	if header == nil {
		if err := addRecord(first); err != nil {
			return nil, err
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(where, err)
		}
		if err := addRecord(rec); err != nil {
			return nil, err
		}
	}
	if s.N == 0 {
		return nil, fmt.Errorf("%s has a header but no data lines", where)
	}
	if labelCol >= 0 {
		s.Labels, s.ClassNames = encodeLabels(rawLabels)
	}
	return s, s.Validate()
}

// csvErr rewords encoding/csv's parse errors.
func csvErr(where string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fmt.Errorf("%s:%d: the line has a different number of fields than the first line; every line needs the same columns", where, pe.Line)
		}
		return fmt.Errorf("%s:%d: column %d: %v; check the quoting", where, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// findLabelColumn resolves the Label option to a column index, -1 for none.
func findLabelColumn(label string, header []string, ncol int, where string) (int, error) {
	if label == "" {
		return -1, nil
	}
	for i, h := range header {
		if strings.TrimSpace(h) == label {
			return i, nil
		}
	}
	if i, err := strconv.Atoi(label); err == nil {
		if i < 0 {
			i += ncol
		}
		if i >= 0 && i < ncol {
			return i, nil
		}
		return -1, fmt.Errorf("%s: label column %s does not exist; the file has %d columns (0..%d, or -1 for the last)", where, label, ncol, ncol-1)
	}
	if header == nil {
		return -1, fmt.Errorf("%s: label column %q: the file has no header line, so name the column by its 0-based index", where, label)
	}
	return -1, fmt.Errorf("%s: no column named %q; the header has %s", where, label, strings.Join(header, ", "))
}

// encodeLabels keeps non-negative integer labels as they are; otherwise it
// numbers the distinct values in sorted order and returns them as class
// names.
func encodeLabels(raw []string) ([]int, []string) {
	labels := make([]int, len(raw))
	numeric := true
	for i, r := range raw {
		v, err := strconv.Atoi(r)
		if err != nil || v < 0 {
			numeric = false
			break
		}
		labels[i] = v
	}
	if numeric {
		return labels, nil
	}
	seen := map[string]bool{}
	var names []string
	for _, r := range raw {
		if !seen[r] {
			seen[r] = true
			names = append(names, r)
		}
	}
	sort.Strings(names)
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	for i, r := range raw {
		labels[i] = index[r]
	}
	return labels, names
}
