package notebook

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func paramsNotebook(paramsSource string) *Notebook {
	return &Notebook{Cells: []*Cell{
		{Type: MarkdownCell, Source: "# title"},
		{Type: CodeCell, Source: paramsSource, Metadata: map[string]any{"tags": []any{"parameters"}}},
		{Type: CodeCell, Source: "use()"},
	}}
}

func TestInjectParameters(t *testing.T) {
	cases := []struct {
		name, cell string
		params     []string
		want       string // the injected source without its "// Parameters" line
		err        string
	}{
		{"var untyped int", "var epochs = 3", []string{"epochs=10"}, "var epochs int = 10", ""},
		{"var typed", "var lr float32 = 0.1", []string{"lr=1"}, "var lr float32 = 1.0", ""},
		{"grouped vars", "var (\n\tepochs = 3\n\tname = \"a\"\n)", []string{"name=fashion mnist", "epochs=0x10"}, "var name string = \"fashion mnist\"\nvar epochs int = 16", ""},
		{"define", "epochs := 3\nlr := 0.5\nok := true", []string{"lr=2e-3", "ok=false", "epochs=-4"}, "lr := 0.002\nok := false\nepochs := -4", ""},
		{"define conversion", "batch := int64(32)\nscale := float32(1)", []string{"batch=64", "scale=0.25"}, "batch := int64(64)\nscale := float32(0.25)", ""},
		{"const untyped", "const lr = 0.01", []string{"lr=3"}, "const lr = 3.0", ""},
		{"const typed", "const n uint8 = 3", []string{"n=255"}, "const n uint8 = 255", ""},
		{"duration typed", "var step time.Duration = time.Second", []string{"step=1.5s"}, "var step time.Duration = 1500 * time.Millisecond", ""},
		{"duration inferred", "wait := 2 * time.Minute", []string{"wait=1h"}, "wait := time.Duration(1 * time.Hour)", ""},
		{"float expression", "var lr = 1.0 / 3", []string{"lr=0.5"}, "var lr float64 = 0.5", ""},
		{"negative", "var shift = -1", []string{"shift=-7"}, "var shift int = -7", ""},
		{"string keeps spaces", `var s = ""`, []string{"s= a b "}, `var s string = " a b "`, ""},
		{"mixed with imports", "import \"time\"\nvar step = 3 * time.Second", []string{"step=10ms"}, "var step time.Duration = 10 * time.Millisecond", ""},

		{"unknown name", "var epochs = 3\nvar lr = 0.1", []string{"epoch=5"}, "", `"epoch" is not declared in the parameters cell (cell 2), which declares epochs, lr`},
		{"bad int", "var epochs = 3", []string{"epochs=three"}, "", `parameter epochs="three" does not fit its type int: want an integer that fits int`},
		{"overflow", "var n int8 = 1", []string{"n=300"}, "", "fits int8"},
		{"negative uint", "var n uint = 1", []string{"n=-1"}, "", "non-negative"},
		{"bad bool", "var v = false", []string{"v=yes please"}, "", "want true or false"},
		{"bad float", "var lr = 0.1", []string{"lr=NaN"}, "", "finite number"},
		{"bad duration", "var d time.Duration", []string{"d=5"}, "", "duration such as 90s"},
		{"untyped call", "var data = load()", []string{"data=x"}, "", "its type cannot be told from `load(...)`; give it a type"},
		{"unsupported type", "var sizes []int", []string{"sizes=1"}, "", "type []int are not supported"},
		{"composite", "var cfg = Config{N: 1}", []string{"cfg=1"}, "", "cannot be told from `Config{...}`"},
		{"multi-value", "a, b := split()", []string{"b=1"}, "", "declares b but its value comes from a call that returns several values"},
		{"unparsable", "var = 3", []string{"x=1"}, "", "cannot be parsed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nb := paramsNotebook(c.cell)
			var params []Param
			for _, s := range c.params {
				p, err := ParseParam(s)
				if err != nil {
					t.Fatal(err)
				}
				params = append(params, p)
			}
			warning, err := nb.InjectParameters(params)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil || warning != "" {
				t.Fatalf("InjectParameters: %v (warning %q)", err, warning)
			}
			if len(nb.Cells) != 4 || !nb.Cells[2].HasTag(TagInjectedParameters) {
				t.Fatalf("no injected cell right after the parameters cell: %+v", nb.Cells)
			}
			if got := strings.TrimPrefix(nb.Cells[2].Source, "// Parameters\n"); got != c.want {
				t.Errorf("injected:\n%s\nwant:\n%s", got, c.want)
			}
			if err := nb.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestInjectParametersWithoutParametersCell(t *testing.T) {
	nb := &Notebook{Cells: []*Cell{{Type: CodeCell, Source: "x"}}}
	params := []Param{{Name: "n", Value: "3"}, {Name: "lr", Value: "0.5"}, {Name: "on", Value: "true"}, {Name: "name", Value: "abc"}, {Name: "big", Value: "1e400"}}
	warning, err := nb.InjectParameters(params)
	if err != nil || !strings.Contains(warning, "no cell is tagged \"parameters\"") {
		t.Fatalf("got warning %q, error %v", warning, err)
	}
	want := "// Parameters\nvar n = 3\nvar lr = 0.5\nvar on = true\nvar name = \"abc\"\nvar big = \"1e400\""
	if nb.Cells[0].Source != want || !nb.Cells[0].HasTag(TagInjectedParameters) {
		t.Errorf("first cell:\n%s\nwant:\n%s", nb.Cells[0].Source, want)
	}
}

func TestInjectParametersReplacesEarlierInjection(t *testing.T) {
	nb := paramsNotebook("var epochs = 3")
	for _, v := range []string{"5", "7"} {
		if _, err := nb.InjectParameters([]Param{{Name: "epochs", Value: v}}); err != nil {
			t.Fatal(err)
		}
	}
	var injected []string
	for _, c := range nb.Cells {
		if c.HasTag(TagInjectedParameters) {
			injected = append(injected, c.Source)
		}
	}
	if len(injected) != 1 || !strings.HasSuffix(injected[0], "var epochs int = 7") {
		t.Errorf("injected cells: %q; want one, with the last value", injected)
	}
	if _, err := nb.InjectParameters(nil); err != nil || len(nb.Cells) != 4 {
		t.Errorf("no parameters must leave the notebook alone")
	}
}

func TestParseParam(t *testing.T) {
	for _, bad := range []string{"epochs", "=3", "1x=3", "a b=1"} {
		if _, err := ParseParam(bad); err == nil {
			t.Errorf("ParseParam(%q) succeeded", bad)
		}
	}
	p, err := ParseParam("url=http://x/?a=b")
	if err != nil || p.Name != "url" || p.Value != "http://x/?a=b" {
		t.Errorf("ParseParam kept %+v, %v", p, err)
	}
}

func TestInjectPythonParameters(t *testing.T) {
	nb := paramsNotebook("n = 3")
	params := []Param{{Name: "n", Value: "5"}, {Name: "lr", Value: "1e-3"}, {Name: "flag", Value: "True"}, {Name: "none", Value: "None"}, {Name: "name", Value: "it's \"x\""}, {Name: "hex", Value: "0x10"}}
	if _, err := nb.InjectParametersFor("python", params); err != nil {
		t.Fatal(err)
	}
	want := "# Parameters\nn = 5\nlr = 0.001\nflag = True\nnone = None\nname = \"it's \\\"x\\\"\"\nhex = \"0x10\""
	if got := nb.Cells[2].Source; got != want {
		t.Errorf("injected:\n%s\nwant:\n%s", got, want)
	}
	if _, err := nb.InjectParametersFor("R", params); err == nil || !strings.Contains(err.Error(), "Go and Python") {
		t.Errorf("R notebook: %v", err)
	}
}

func TestReadParamFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ps, err := ReadParamFile(write("p.yaml", "lr: 1e-3\nname: \"3\"\nplain: text\nok: true\nnothing: ~\nepochs: 0x10\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Param{{"epochs", "0x10", ValueNumber}, {"lr", "1e-3", ValueNumber}, {"name", "3", ValueString},
		{"nothing", "", ValueNull}, {"ok", "true", ValueBool}, {"plain", "text", ValueString}}
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Errorf("YAML (-want +got):\n%s", diff)
	}
	ps, err = ReadParamFile(write("p.json", `{"b": 2.5, "a": "x", "c": false, "d": null}`))
	want = []Param{{"a", "x", ValueString}, {"b", "2.5", ValueNumber}, {"c", "false", ValueBool}, {"d", "", ValueNull}}
	if diff := cmp.Diff(want, ps); err != nil || diff != "" {
		t.Errorf("JSON %v (-want +got):\n%s", err, diff)
	}
	for name, body := range map[string]string{
		"list.yaml": "a: [1]", "top.yaml": "- a", "bad.json": "[1]", "name.json": `{"not a name": 1}`, "p.toml": "a = 1", "broken.yaml": "a: [",
	} {
		if _, err := ReadParamFile(write(name, body)); err == nil {
			t.Errorf("%s was accepted", name)
		}
	}
}

// TestTypedValues: values that carry a kind (-r, -f) must fit the
// parameter's type; Python gets them as literals of their kind.
func TestTypedValues(t *testing.T) {
	nb := paramsNotebook("var n = 1\nvar s = \"\"\nvar d time.Duration\nvar f = false")
	if _, err := nb.InjectParameters([]Param{{"n", "7", ValueNumber}, {"s", "12", ValueString}, {"d", "90s", ValueString}, {"f", "true", ValueBool}}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Param{{"n", "7", ValueString}, {"s", "1", ValueNumber}, {"f", "true", ValueString}, {"n", "", ValueNull}} {
		nb := paramsNotebook("var n = 1\nvar s = \"\"\nvar f = false")
		if _, err := nb.InjectParameters([]Param{bad}); err == nil || !strings.Contains(err.Error(), "does not fit its type") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	py := paramsNotebook("n = 1")
	if _, err := py.InjectParametersFor("python", []Param{{"a", "3", ValueString}, {"b", "true", ValueBool}, {"c", "", ValueNull}, {"d", "2.5", ValueNumber}}); err != nil {
		t.Fatal(err)
	}
	if src := py.Cells[2].Source; src != "# Parameters\na = \"3\"\nb = True\nc = None\nd = 2.5" {
		t.Errorf("python: %q", src)
	}
}

func TestParameters(t *testing.T) {
	nb := paramsNotebook("// Training.\n// epochs is how long\nvar epochs = 3\nlr := 0.5 // step\nconst (\n\tname = \"x\" // the name\n)")
	ps, cell, err := nb.Parameters("go")
	want := []ParamInfo{{"epochs", "int", "3", "Training.\nepochs is how long", 3}, {"lr", "float64", "0.5", "step", 4}, {"name", "string", `"x"`, "the name", 6}}
	if diff := cmp.Diff(want, ps); err != nil || cell != 2 || diff != "" {
		t.Errorf("cell %d, %v (-want +got):\n%s", cell, err, diff)
	}
	ps, _, _ = paramsNotebook("# settings\nn = 3\nlabel: str = 'a'  # shown\nx = None").Parameters("python")
	want = []ParamInfo{{"n", "int", "3", "settings", 2}, {"label", "str", "'a'", "shown", 3}, {"x", "None", "None", "", 4}}
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Errorf("python (-want +got):\n%s", diff)
	}
	// A comment after the code of a line belongs to that line only.
	ps, _, _ = paramsNotebook("a := 1 // first\nb := 2\n// about c\nc := 3").Parameters("go")
	want = []ParamInfo{{"a", "int", "1", "first", 1}, {"b", "int", "2", "", 2}, {"c", "int", "3", "about c", 4}}
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Errorf("trailing comments (-want +got):\n%s", diff)
	}
	if _, cell, _ := (&Notebook{}).Parameters("go"); cell != 0 {
		t.Error("a notebook without a parameters cell")
	}
}
