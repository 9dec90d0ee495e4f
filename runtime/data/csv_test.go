package data

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadCSV(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		opt     CSVOptions
		n, d    int
		x       []float32
		labels  []int
		classes []string
	}{
		{"no header", "1,2\n3,4\n", CSVOptions{}, 2, 2, []float32{1, 2, 3, 4}, nil, nil},
		{"auto header", "a,b\n1,2\n", CSVOptions{}, 1, 2, []float32{1, 2}, nil, nil},
		{"forced header", "1,2\n3,4\n", CSVOptions{Header: "yes"}, 1, 2, []float32{3, 4}, nil, nil},
		{"label by name", "x,y,kind\n1,2,cat\n3,4,dog\n5,6,cat\n", CSVOptions{Label: "kind"}, 3, 2, []float32{1, 2, 3, 4, 5, 6}, []int{0, 1, 0}, []string{"cat", "dog"}},
		{"label by index", "0,1.5\n2,2.5\n", CSVOptions{Label: "0"}, 2, 1, []float32{1.5, 2.5}, []int{0, 2}, nil},
		{"last column", "1,2,7\n", CSVOptions{Label: "-1"}, 1, 2, []float32{1, 2}, []int{7}, nil},
		{"semicolons and spaces", "1; 2\n 3;4\n", CSVOptions{Comma: ';'}, 2, 2, []float32{1, 2, 3, 4}, nil, nil},
		{"bom and CRLF", "\ufeffa,b\r\n1,2\r\n", CSVOptions{Label: "a"}, 1, 1, []float32{2}, []int{1}, nil},
		{"scientific", "1e-3,-2E2\n", CSVOptions{}, 1, 2, []float32{0.001, -200}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ReadCSV(strings.NewReader(c.in), c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if s.N != c.n || s.D != c.d {
				t.Fatalf("got %d×%d, want %d×%d", s.N, s.D, c.n, c.d)
			}
			if diff := cmp.Diff(c.x, s.X); diff != "" {
				t.Errorf("X (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.labels, s.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.classes, s.ClassNames); diff != "" {
				t.Errorf("class names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		opt  CSVOptions
		want string
	}{
		{"empty", "", CSVOptions{}, "data: t.csv is empty"},
		{"header only", "a,b\n", CSVOptions{}, "has a header but no data lines"},
		{"not a number", "a,b\n1,2\n3,x\n", CSVOptions{}, `t.csv:3: column 2 ("b"): "x" is not a number`},
		{"missing value", "1,2\n3,\n", CSVOptions{}, "t.csv:2: column 2 is empty"},
		{"ragged", "1,2\n3,4,5\n", CSVOptions{}, "t.csv:2: the line has a different number of fields"},
		{"bad quote", "1,2\n\"3,4\n", CSVOptions{}, "check the quoting"},
		{"NaN", "1,NaN\n", CSVOptions{}, `column 2 holds "NaN", a missing value; set CSVOptions.Missing`},
		{"Inf", "1,Inf\n", CSVOptions{}, "not a finite float32"},
		{"too big", "1,1e300\n", CSVOptions{}, "not a finite float32"},
		{"unknown label", "a,b\n1,2\n", CSVOptions{Label: "c"}, `no column named "c"; the header has a, b`},
		{"label index", "1,2\n", CSVOptions{Label: "5"}, "label column 5 does not exist; the file has 2 columns"},
		{"label name without header", "1,2\n", CSVOptions{Label: "kind"}, "no header line"},
		{"header option", "1\n", CSVOptions{Header: "maybe"}, `Header option "maybe"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opt.Name = "t.csv"
			_, err := ReadCSV(strings.NewReader(c.in), c.opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestLoadCSVFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "iris.csv")
	os.WriteFile(p, []byte("len,width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n"), 0o644)
	s := CSV(p, "species")
	if s.Name != "iris.csv" || s.N != 2 || s.ClassName(s.Labels[1]) != "versicolor" {
		t.Fatalf("got %v, labels %v", s, s.Labels)
	}
	if _, err := LoadCSV(p+".missing", CSVOptions{}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing file: %v", err)
	}
	os.WriteFile(p, []byte("1,2\n3,oops\n"), 0o644)
	defer func() {
		if r, _ := recover().(string); !strings.Contains(r, "iris.csv:2: column 2") {
			t.Fatalf("panic %q", r)
		}
	}()
	CSV(p, "")
}

// FuzzCSV: ReadCSV must never panic, and what it accepts is a valid set.
func FuzzCSV(f *testing.F) {
	f.Add("a,b,label\n1,2,x\n3,4,y\n", "label")
	f.Add("1,2\n3,4\n", "")
	f.Add("1;2\n", "-1")
	f.Add("\"1\",\"2\"\n", "0")
	f.Add("x\n", "x")
	f.Fuzz(func(t *testing.T, in, label string) {
		s, err := ReadCSV(strings.NewReader(in), CSVOptions{Label: label})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "data: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCSVOptions(t *testing.T) {
	const in = "date,temp,city,humidity,wind\n" +
		"2024-01-01,3.5,Oslo,80,NA\n" +
		"2024-01-02,,Oslo,82,5\n" +
		"2024-01-03,4.5,Bergen,?,7\n"
	var notes strings.Builder
	SetNoticeWriter(&notes)
	defer SetNoticeWriter(nil)
	cases := []struct {
		name     string
		opt      CSVOptions
		n        int
		x        []float32
		features []string
		note     string
	}{
		{"skip text, fill mean", CSVOptions{SkipText: true, Missing: "mean"}, 3, []float32{3.5, 80, 6, 4, 82, 5, 4.5, 81, 7}, []string{"temp", "humidity", "wind"}, "skipped text columns date, city; filled 3 missing values (mean)"},
		{"choose, rename, drop lines", CSVOptions{Columns: []string{"wind", "temp"}, Rename: map[string]string{"temp": "t"}, Missing: "drop"}, 1, []float32{7, 4.5}, []string{"wind", "t"}, "dropped 2 lines"},
		{"drop columns, fill zero", CSVOptions{Drop: []string{"date", "city", "0"}, Missing: "zero"}, 3, []float32{3.5, 80, 0, 0, 82, 5, 4.5, 0, 7}, []string{"temp", "humidity", "wind"}, "filled 3"},
		{"fill value, index columns", CSVOptions{Columns: []string{"1", "-1"}, Missing: "value", Fill: -1}, 3, []float32{3.5, -1, -1, 5, 4.5, 7}, []string{"temp", "wind"}, "filled 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			notes.Reset()
			c.opt.Name = "w.csv"
			s, err := ReadCSV(strings.NewReader(in), c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if s.N != c.n {
				t.Fatalf("N = %d, want %d", s.N, c.n)
			}
			if diff := cmp.Diff(c.x, s.X); diff != "" {
				t.Errorf("X (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.features, s.Features); diff != "" {
				t.Errorf("features (-want +got):\n%s", diff)
			}
			if !strings.Contains(notes.String(), c.note) {
				t.Errorf("notice %q, want %q", notes.String(), c.note)
			}
		})
	}
	errs := []struct {
		opt  CSVOptions
		want string
	}{
		{CSVOptions{}, `w.csv:2: column 1 ("date"): "2024-01-01" is not a number`},
		{CSVOptions{SkipText: true}, `w.csv:2: column 5 ("wind") holds "NA", a missing value`},
		{CSVOptions{SkipText: true, Missing: "guess"}, `Missing option "guess"`},
		{CSVOptions{Columns: []string{"pressure"}}, `no column named "pressure"`},
		{CSVOptions{Drop: []string{"9"}}, "column 9 does not exist"},
		{CSVOptions{Columns: []string{"city"}, Label: "city"}, "is the label column"},
		{CSVOptions{Columns: []string{"date"}, SkipText: true}, "no numeric feature columns are left"},
		{CSVOptions{Rename: map[string]string{"nope": "x"}, SkipText: true, Missing: "mean"}, `Rename: w.csv: no column named "nope"`},
		{CSVOptions{Columns: []string{"temp", "humidity"}, Missing: "drop", MissingValues: []string{"", "?"}}, ""},
	}
	for _, e := range errs {
		e.opt.Name = "w.csv"
		_, err := ReadCSV(strings.NewReader(in), e.opt)
		if e.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", e.opt, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("%+v: error %v, want %q", e.opt, err, e.want)
		}
	}
}

// TestLabelClassOrder checks that numeric labels that are not all whole
// numbers ≥ 0 become classes in numeric order (2 before 10), and text
// labels in text order.
func TestLabelClassOrder(t *testing.T) {
	labels, names := encodeLabels([]string{"2", "10", "-1", "2.5", "2"})
	if want := []string{"-1", "2", "2.5", "10"}; !reflect.DeepEqual(names, want) {
		t.Errorf("numeric class names %v, want %v", names, want)
	}
	if want := []int{1, 3, 0, 2, 1}; !reflect.DeepEqual(labels, want) {
		t.Errorf("numeric labels %v, want %v", labels, want)
	}
	if _, names := encodeLabels([]string{"b", "10", "a", "2"}); !reflect.DeepEqual(names, []string{"10", "2", "a", "b"}) {
		t.Errorf("mixed class names %v, want text order", names)
	}
}
