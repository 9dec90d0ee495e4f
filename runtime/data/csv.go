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

	"github.com/latent-ai/latent/internal/hugemem"
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
	// Columns keeps only these feature columns, in this order: header
	// names or 0-based indexes ("-1" is the last). nil keeps them all.
	Columns []string
	// Drop leaves these columns out (names or indexes).
	Drop []string
	// Rename gives columns new names in the set's Features.
	Rename map[string]string
	// SkipText leaves out every column holding text that is not a number
	// (a notice names them) instead of failing on the first such cell.
	SkipText bool
	// Missing says what to do with a missing value (an empty cell, or one
	// of MissingValues): "" fails naming the cell, "drop" drops its line,
	// "mean" fills in the column's mean, "zero" fills in 0 and "value"
	// fills in Fill. A notice says how many were dropped or filled.
	Missing string
	// Fill is the value Missing: "value" fills in.
	Fill float64
	// MissingValues are the cell texts that count as missing besides an
	// empty cell; nil means NA, N/A, NaN, nan, null, NULL, None and ?.
	MissingValues []string

	quiet bool // no notice (SeriesCSV gives its own)
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
	first, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s is empty; a CSV file needs at least one line of numbers", where)
	}
	if err != nil {
		return nil, csvErr(where, err)
	}
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
	var rows [][]string
	var lines []int
	if header == nil {
		rows, lines = append(rows, first), append(lines, 1)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(where, err)
		}
		line, _ := cr.FieldPos(0)
		rows, lines = append(rows, rec), append(lines, line)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s has a header but no data lines", where)
	}
	labelCol, err := findLabelColumn(opt.Label, header, ncol, where)
	if err != nil {
		return nil, err
	}
	cols, err := featureColumns(opt, header, ncol, labelCol, where)
	if err != nil {
		return nil, err
	}
	colName := func(c int) string {
		if header != nil {
			return fmt.Sprintf("column %d (%q)", c+1, header[c])
		}
		return fmt.Sprintf("column %d", c+1)
	}
	missing, err := missingPolicy(opt, where)
	if err != nil {
		return nil, err
	}
	isMissing := map[string]bool{"": true}
	for _, m := range opt.missingValues() {
		isMissing[m] = true
	}
	// Parse every chosen cell: NaN marks a missing value.
	vals := make([][]float64, len(rows))
	text := map[int]bool{}
	for i, rec := range rows {
		vals[i] = make([]float64, len(cols))
		for k, c := range cols {
			f := strings.TrimSpace(rec[c])
			if isMissing[f] {
				if missing == "" {
					what := "is empty"
					if f != "" {
						what = fmt.Sprintf("holds %q, a missing value", f)
					}
					return nil, fmt.Errorf("%s:%d: %s %s; set CSVOptions.Missing to \"drop\", \"mean\", \"zero\" or \"value\" (or fill in missing values before loading)", where, lines[i], colName(c), what)
				}
				vals[i][k] = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				if opt.SkipText {
					text[k] = true
					continue
				}
				return nil, fmt.Errorf("%s:%d: %s: %q is not a number; numeric CSV needs numbers in every feature column (name a text column as the label with Label, drop it with Drop, or set SkipText)", where, lines[i], colName(c), f)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32 {
				return nil, fmt.Errorf("%s:%d: %s: %q is not a finite float32; replace it before loading (or list it in CSVOptions.MissingValues)", where, lines[i], colName(c), f)
			}
			vals[i][k] = v
		}
	}
	var keep []int // indexes into cols
	var skipped []string
	for k, c := range cols {
		if text[k] {
			skipped = append(skipped, columnLabel(header, c))
		} else {
			keep = append(keep, k)
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("%s: no numeric feature columns are left (text columns skipped: %s)", where, strings.Join(skipped, ", "))
	}
	// Room for every line, on huge pages as the other loaders' sets are,
	// so that training gathers shuffled rows fast (see hugemem).
	s := &Set{Name: opt.Name, D: len(keep), X: hugemem.Float32s(len(rows) * len(keep))[:0]}
	if s.Name == "" {
		s.Name = where
	}
	for _, k := range keep {
		name := columnLabel(header, cols[k])
		if to, ok := opt.Rename[name]; ok {
			name = to
		}
		s.Features = append(s.Features, name)
	}
	fill, filled := make([]float64, len(keep)), 0
	for j, k := range keep {
		switch missing {
		case "mean":
			var sum float64
			cnt := 0
			for i := range vals {
				if v := vals[i][k]; !math.IsNaN(v) {
					sum += v
					cnt++
				}
			}
			if cnt == 0 {
				return nil, fmt.Errorf("%s: %s has no values at all, so its mean cannot fill it; drop the column", where, colName(cols[k]))
			}
			fill[j] = sum / float64(cnt)
		case "value":
			fill[j] = opt.Fill
		}
	}
	var rawLabels []string
	dropped := 0
	for i, rec := range rows {
		drop := false
		for _, k := range keep {
			if math.IsNaN(vals[i][k]) && missing == "drop" {
				drop = true
			}
		}
		if labelCol >= 0 && isMissing[strings.TrimSpace(rec[labelCol])] && missing == "drop" {
			drop = true
		}
		if drop {
			dropped++
			continue
		}
		for j, k := range keep {
			v := vals[i][k]
			if math.IsNaN(v) {
				v = fill[j]
				filled++
			}
			s.X = append(s.X, float32(v))
		}
		if labelCol >= 0 {
			rawLabels = append(rawLabels, strings.TrimSpace(rec[labelCol]))
		}
		s.N++
	}
	if s.N == 0 {
		return nil, fmt.Errorf("%s: every line has a missing value, so Missing: \"drop\" left nothing; fill them instead (\"mean\", \"zero\" or \"value\")", where)
	}
	if labelCol >= 0 {
		s.Labels, s.ClassNames = encodeLabels(rawLabels)
	}
	if (len(skipped) > 0 || dropped > 0 || filled > 0) && !opt.quiet {
		var parts []string
		if len(skipped) > 0 {
			parts = append(parts, "skipped text columns "+strings.Join(skipped, ", "))
		}
		if dropped > 0 {
			parts = append(parts, fmt.Sprintf("dropped %d lines with missing values", dropped))
		}
		if filled > 0 {
			parts = append(parts, fmt.Sprintf("filled %d missing values (%s)", filled, missing))
		}
		notice("data: %s: %s\n", where, strings.Join(parts, "; "))
	}
	return s, s.Validate()
}

// columnLabel names column c by its header, or by its 0-based index.
func columnLabel(header []string, c int) string {
	if header != nil {
		return strings.TrimSpace(header[c])
	}
	return strconv.Itoa(c)
}

// featureColumns resolves Columns and Drop to the feature columns in
// order, leaving out the label column.
func featureColumns(opt CSVOptions, header []string, ncol, labelCol int, where string) ([]int, error) {
	var cols []int
	if opt.Columns != nil {
		for _, name := range opt.Columns {
			c, err := findColumn(name, header, ncol, where)
			if err != nil {
				return nil, err
			}
			if c == labelCol {
				return nil, fmt.Errorf("%s: column %q is the label column; leave it out of Columns", where, name)
			}
			cols = append(cols, c)
		}
	} else {
		for c := 0; c < ncol; c++ {
			if c != labelCol {
				cols = append(cols, c)
			}
		}
	}
	for _, name := range opt.Drop {
		c, err := findColumn(name, header, ncol, where)
		if err != nil {
			return nil, err
		}
		out := cols[:0:0]
		for _, x := range cols {
			if x != c {
				out = append(out, x)
			}
		}
		cols = out
	}
	for old := range opt.Rename {
		if _, err := findColumn(old, header, ncol, where); err != nil {
			return nil, fmt.Errorf("%s: Rename: %w", where, err)
		}
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%s: no feature columns are left after Columns and Drop", where)
	}
	return cols, nil
}

// findColumn resolves a column named by header or by 0-based index
// (negative counts from the end).
func findColumn(name string, header []string, ncol int, where string) (int, error) {
	if name == "" {
		return -1, fmt.Errorf("%s: an empty column name; give a header name or a 0-based index", where)
	}
	c, err := findLabelColumn(name, header, ncol, where)
	if err != nil {
		return -1, errors.New(strings.Replace(err.Error(), "label column", "column", 1))
	}
	return c, nil
}

// missingPolicy checks the Missing option.
func missingPolicy(opt CSVOptions, where string) (string, error) {
	switch m := strings.ToLower(opt.Missing); m {
	case "", "drop", "mean", "zero", "value":
		if m == "zero" {
			return "value", nil
		}
		return m, nil
	}
	return "", fmt.Errorf("%s: Missing option %q; use \"\" (fail), \"drop\", \"mean\", \"zero\" or \"value\" (with Fill)", where, opt.Missing)
}

// missingValues returns the cell texts that count as missing.
func (opt CSVOptions) missingValues() []string {
	if opt.MissingValues != nil {
		return opt.MissingValues
	}
	return []string{"NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?"}
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
// numbers the distinct values in sorted order (numeric order when every
// value is a number, so that 2 comes before 10) and returns them as class
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
	sortLabelNames(names)
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	for i, r := range raw {
		labels[i] = index[r]
	}
	return labels, names
}

// sortLabelNames sorts class names numerically when every one is a
// number (equal values, such as 2 and 2.0, by their text), else as text.
func sortLabelNames(names []string) {
	vals := make(map[string]float64, len(names))
	for _, n := range names {
		v, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err != nil || math.IsNaN(v) {
			sort.Strings(names)
			return
		}
		vals[n] = v
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := vals[names[i]], vals[names[j]]
		return a < b || (a == b && names[i] < names[j])
	})
}
