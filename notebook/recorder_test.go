package notebook

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/latent-ai/latent/display"
)

// event is one thing a running cell sends; the same events drive the
// recorder here and nbclient in tests/runner/nbclient_replay.py.
type event struct {
	Kind      string         `json:"kind"`
	Name      string         `json:"name,omitempty"`
	Text      string         `json:"text,omitempty"`
	Data      map[string]any `json:"data,omitempty"`
	Metadata  map[string]any `json:"metadata,omitempty"`
	ID        string         `json:"id,omitempty"`
	Update    bool           `json:"update,omitempty"`
	Count     int            `json:"count,omitempty"`
	Wait      bool           `json:"wait,omitempty"`
	EName     string         `json:"ename,omitempty"`
	EValue    string         `json:"evalue,omitempty"`
	Traceback []string       `json:"traceback,omitempty"`
}

func out(name, text string) event { return event{Kind: "stream", Name: name, Text: text} }
func show(id, text string) event {
	return event{Kind: "display", ID: id, Data: map[string]any{"text/plain": text}, Metadata: map[string]any{}}
}
func update(id, text string) event {
	e := show(id, text)
	e.Update = true
	return e
}
func clear(wait bool) event { return event{Kind: "clear", Wait: wait} }

// recorderScenarios are sequences of events per cell, with what the
// outputs must look like (checked here by hand, and against nbclient).
var recorderScenarios = []struct {
	name  string
	cells [][]event
	want  string // outputs of every cell, written as nbformat writes them
}{
	{"coalesce same stream", [][]event{{out("stdout", "a"), out("stdout", "b\n"), out("stderr", "e\n"), out("stdout", "c\n"), out("stdout", "d")}}, ""},
	{"carriage returns", [][]event{{out("stdout", "10%"), out("stdout", "\r50%"), out("stdout", "\r100%\n"), out("stdout", "x\r\ny\r")}}, ""},
	{"update replaces in place", [][]event{{show("s", "epoch 1"), out("stdout", "log\n"), update("s", "epoch 2"), update("s", "done")}}, ""},
	{"update across cells", [][]event{{show("s", "first")}, {out("stdout", "x\n"), update("s", "second")}}, ""},
	{"update of unknown id adds nothing", [][]event{{update("nope", "x"), out("stdout", "y")}}, ""},
	{"show with a used id updates the old one too", [][]event{{show("d", "one"), show("d", "two")}}, ""},
	{"clear now", [][]event{{out("stdout", "a\n"), show("", "x"), clear(false), out("stdout", "b\n")}}, ""},
	{"clear wait", [][]event{{out("stdout", "frame 0\n"), clear(true), out("stdout", "frame 1\n"), clear(true), out("stdout", "frame 2\n")}}, ""},
	{"clear wait then display", [][]event{{show("", "old"), clear(true), show("", "new")}}, ""},
	{"pending clear at the end keeps outputs", [][]event{{out("stdout", "kept\n"), clear(true)}}, ""},
	{"clear forgets display ids", [][]event{{show("s", "a"), clear(false), update("s", "b"), out("stdout", "z")}}, ""},
	{"result and error", [][]event{
		{out("stdout", "x"), {Kind: "result", Data: map[string]any{"text/plain": "42", "text/html": "<b>42</b>\n<i>x</i>"}, Metadata: map[string]any{}, Count: 3}},
		{out("stderr", "boom\n"), {Kind: "error", EName: "panic", EValue: "boom", Traceback: []string{"panic: boom", "goroutine 1"}}},
	}, ""},
	{"rich bundle", [][]event{{{Kind: "display", Data: map[string]any{
		"image/png": "iVBORw0KGgo=", "image/svg+xml": "<svg>\n</svg>\n", "text/plain": "<image>",
		"application/json": map[string]any{"a": []any{1.0, "two", nil}},
	}, Metadata: map[string]any{"image/png": map[string]any{"width": 3.0}}}}}, ""},
}

func init() {
	wants := map[string]string{
		"coalesce same stream":                        `[[{"name":"stdout","output_type":"stream","text":["ab\n"]},{"name":"stderr","output_type":"stream","text":["e\n"]},{"name":"stdout","output_type":"stream","text":["c\n","d"]}]]`,
		"carriage returns":                            `[[{"name":"stdout","output_type":"stream","text":["100%\n","x\r\n","y\r"]}]]`,
		"update replaces in place":                    `[[{"data":{"text/plain":["done"]},"metadata":{},"output_type":"display_data"},{"name":"stdout","output_type":"stream","text":["log\n"]}]]`,
		"update across cells":                         `[[{"data":{"text/plain":["second"]},"metadata":{},"output_type":"display_data"}],[{"name":"stdout","output_type":"stream","text":["x\n"]}]]`,
		"update of unknown id adds nothing":           `[[{"name":"stdout","output_type":"stream","text":["y"]}]]`,
		"show with a used id updates the old one too": `[[{"data":{"text/plain":["two"]},"metadata":{},"output_type":"display_data"},{"data":{"text/plain":["two"]},"metadata":{},"output_type":"display_data"}]]`,
		"clear now":                                   `[[{"name":"stdout","output_type":"stream","text":["b\n"]}]]`,
		"clear wait":                                  `[[{"name":"stdout","output_type":"stream","text":["frame 2\n"]}]]`,
		"clear wait then display":                     `[[{"data":{"text/plain":["new"]},"metadata":{},"output_type":"display_data"}]]`,
		"pending clear at the end keeps outputs":      `[[{"name":"stdout","output_type":"stream","text":["kept\n"]}]]`,
		"clear forgets display ids":                   `[[{"name":"stdout","output_type":"stream","text":["z"]}]]`,
	}
	for i := range recorderScenarios {
		recorderScenarios[i].want = wants[recorderScenarios[i].name]
	}
}

// record plays the events through a recorder and returns the outputs of
// each cell as nbformat writes them.
func record(t testing.TB, cells [][]event) string {
	rec := newRecorder()
	var list []*Cell
	for _, events := range cells {
		c := &Cell{Type: CodeCell}
		list = append(list, c)
		rec.begin(c, 1)
		for _, e := range events {
			b := display.Bundle{Data: e.Data, Metadata: e.Metadata, ID: e.ID}
			switch e.Kind {
			case "stream":
				rec.Stream(e.Name, e.Text)
			case "display":
				rec.Display(b, e.Update)
			case "result":
				rec.result(b, e.Count)
			case "clear":
				rec.Clear(e.Wait)
			case "error":
				rec.fail(&display.Error{Name: e.EName, Value: e.EValue, Traceback: e.Traceback})
			default:
				t.Fatalf("unknown event kind %q", e.Kind)
			}
		}
	}
	rec.close()
	var tree []any
	for _, c := range list {
		outs := []any{}
		for _, o := range c.Outputs {
			outs = append(outs, o.tree())
		}
		tree = append(tree, outs)
	}
	var buf bytes.Buffer
	if err := encodeJSON(&buf, tree, 0); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func compact(t testing.TB, s string) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return buf.String()
}

func TestRecorderScenarios(t *testing.T) {
	for _, sc := range recorderScenarios {
		if sc.want == "" {
			continue // checked against nbclient only
		}
		t.Run(sc.name, func(t *testing.T) {
			if got := compact(t, record(t, sc.cells)); got != sc.want {
				t.Errorf("outputs:\n got %s\nwant %s", got, sc.want)
			}
		})
	}
}

// python3WithModules returns Debian's python3 when it can import every
// module, and skips the test otherwise.
func python3WithModules(t testing.TB, modules ...string) string {
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skipf("%s not found; install Debian's python3 to cross-check with Jupyter", py)
	}
	cmd := exec.Command(py, "-c", "import "+strings.Join(modules, ", "))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("python3 lacks %v (apt-get install python3-nbformat python3-nbclient python3-nbconvert): %s", modules, out)
	}
	return py
}

// TestRecorderMatchesNbclient replays every scenario through nbclient (and
// nbconvert's coalesce_streams) and requires byte-identical outputs.
func TestRecorderMatchesNbclient(t *testing.T) {
	py := python3WithModules(t, "nbformat", "nbclient", "nbconvert")
	var specs []any
	for _, sc := range recorderScenarios {
		specs = append(specs, map[string]any{"cells": sc.cells})
	}
	input, err := json.Marshal(specs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "../tests/runner/nbclient_replay.py")
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("nbclient replay: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(stdout)), "\n")
	if len(lines) != len(recorderScenarios) {
		t.Fatalf("nbclient replay printed %d results for %d scenarios:\n%s", len(lines), len(recorderScenarios), stdout)
	}
	for i, sc := range recorderScenarios {
		var want string
		if err := json.Unmarshal([]byte(lines[i]), &want); err != nil {
			t.Fatalf("scenario %q: bad replay output: %v", sc.name, err)
		}
		if got := record(t, sc.cells); got != want {
			t.Errorf("%s: latent and nbclient disagree\nlatent:   %s\nnbclient: %s", sc.name, got, want)
		}
	}
}

func TestRecorderInputAndLateOutput(t *testing.T) {
	rec := newRecorder()
	if _, err := rec.Input("name? ", false); !errors.Is(err, display.ErrNoStdin) {
		t.Errorf("Input: got %v, want ErrNoStdin", err)
	}
	rec.Stream("stdout", "before any cell") // dropped: no cell yet
	c := &Cell{Type: CodeCell}
	rec.begin(c, 1)
	rec.Stream("weird", "x")
	rec.close()
	rec.Stream("stdout", "after close")
	if len(c.Outputs) != 1 || c.Outputs[0].Name != "stdout" || c.Outputs[0].Text != "x" {
		t.Errorf("outputs: %+v", c.Outputs)
	}
}

func TestBundleOutputSanitizes(t *testing.T) {
	type point struct{ X, Y int }
	o, warn := bundleOutput(DisplayDataOutput, display.Bundle{
		Data: map[string]any{
			"application/json":     point{1, 2},
			"text/plain":           7,
			"application/vnd+json": make(chan int),
		},
		Metadata: map[string]any{"scale": 0.5},
	})
	got := compact(t, func() string {
		var buf bytes.Buffer
		encodeJSON(&buf, o.tree(), 0)
		return buf.String()
	}())
	want := `{"data":{"application/json":{"X":1,"Y":2},"text/plain":["7"]},"metadata":{"scale":0.5},"output_type":"display_data"}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if !strings.Contains(warn, "application/vnd+json not saved") {
		t.Errorf("warning %q does not name the dropped MIME type", warn)
	}
}

// TestBundleOutputBounded: a huge result is cut as the kernel cuts what it
// publishes (display.Bound), so latent run saves what Jupyter would show.
func TestBundleOutputBounded(t *testing.T) {
	o, _ := bundleOutput(ExecuteResultOutput, display.Bundle{Data: map[string]any{"text/plain": strings.Repeat("y", 20<<20)}})
	s := o.Data["text/plain"].(string)
	if len(s) > 2<<20 || !strings.Contains(s, "An output over 16 MiB") {
		t.Fatalf("a 20 MiB result kept %d bytes", len(s))
	}
}
