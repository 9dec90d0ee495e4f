package main

import (
	"bufio"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests of what CI users of latent run reach for (issue 19)
// and of the runner's hardening (issue 13): the real binary on real
// notebooks.

// cellSource is the joined source of a cell of a notebook read as JSON.
func cellSource(cell any) string {
	return strings.Join(toStrings(cell.(map[string]any)["source"]), "")
}

// cellsOf reads the cells of the notebook at path.
func cellsOf(t *testing.T, path string) []any {
	t.Helper()
	return readNotebook(t, path)["cells"].([]any)
}

func TestHelpNotebook(t *testing.T) {
	dir := t.TempDir()
	notebookJSON(t, filepath.Join(dir, "nb.ipynb"),
		"import \"time\"",
		"#parameters\n// how long to train\nvar epochs = 3\nlr := float32(0.01) // learning rate\nconst name = \"mnist\"\nvar wait time.Duration // zero by default",
		"epochs")
	r := runLatent(t, dir, "--help-notebook", "nb.ipynb")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Parameters of nb.ipynb \(cell 2`),
		regexp.MustCompile(`epochs +int +=\s3 +how long to train`),
		regexp.MustCompile(`lr +float32 += float32\(0.01\) +learning rate`),
		regexp.MustCompile(`name +string += "mnist"`),
		regexp.MustCompile(`wait +time.Duration += \(zero value\) +zero by default`),
	} {
		if !want.MatchString(r.stdout) {
			t.Errorf("--help-notebook output lacks %v:\n%s", want, r.stdout)
		}
	}
	py := filepath.Join(dir, "py.ipynb")
	copyTestdata(t, dir, "python")
	os.Rename(filepath.Join(dir, "python.ipynb"), py)
	r = runLatent(t, dir, "--help-notebook", "py.ipynb")
	if r.code != 0 || !regexp.MustCompile(`n +int += 3`).MatchString(r.stdout) || !regexp.MustCompile(`label +str += 'a'`).MatchString(r.stdout) {
		t.Errorf("Python notebook: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestParameterFilesAndRaw(t *testing.T) {
	dir := t.TempDir()
	notebookJSON(t, filepath.Join(dir, "nb.ipynb"),
		"#parameters\nvar epochs = 3\nvar lr = 0.5\nvar label = \"a\"\nvar verbose = false",
		"import \"fmt\"\nfmt.Println(epochs, lr, label, verbose)")
	os.WriteFile(filepath.Join(dir, "p.yaml"), []byte("epochs: 7\nlr: 1e-3\nlabel: \"x y\"\nverbose: true\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "p.json"), []byte(`{"epochs": 9, "label": "from json"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"epochs": "many"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "list.yaml"), []byte("epochs: [1, 2]\n"), 0o644)

	stdout := func(path string) string {
		cells := cellsOf(t, filepath.Join(dir, path))
		outs, _ := cells[len(cells)-1].(map[string]any)["outputs"].([]any)
		if len(outs) == 0 {
			return ""
		}
		return strings.Join(toStrings(outs[0].(map[string]any)["text"]), "")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", "p.yaml"}, "7 0.001 x y true\n"},
		{[]string{"-f", "p.yaml", "-f", "p.json"}, "9 0.001 from json true\n"},
		{[]string{"-f", "p.yaml", "-r", "label", "3", "-p", "epochs=4"}, "4 0.001 3 true\n"},
	} {
		r := runLatent(t, dir, append(c.args, "-q", "-o", "out.ipynb", "nb.ipynb")...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", c.args, r.code, r.stderr)
		}
		if got := stdout("out.ipynb"); got != c.want {
			t.Errorf("%v: the notebook printed %q, want %q", c.args, got, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", "bad.json"}, `parameter epochs="many" does not fit its type int`},
		{[]string{"-r", "epochs", "5"}, `parameter epochs="5" does not fit its type int: it is given as a string`},
		{[]string{"-p", "lr=fast"}, `parameter lr="fast" does not fit its type float64`},
		{[]string{"-f", "list.yaml"}, "lists and maps are not supported"},
		{[]string{"-f", "missing.yaml"}, "no such file"},
	} {
		r := runLatent(t, dir, append(c.args, "-q", "-o", "bad.ipynb", "nb.ipynb")...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, want 2 with %q:\n%s", c.args, r.code, c.want, r.stderr)
		}
	}
	if r := runLatent(t, dir, "-q", "-o", "bad.ipynb", "nb.ipynb", "-r", "label"); r.code != 2 || !strings.Contains(r.stderr, "-r takes two arguments") {
		t.Errorf("-r with one argument: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.ipynb")); err == nil {
		t.Error("a run with a bad parameter wrote a notebook")
	}
}

// timestampPattern is how nbclient writes a timestamp ('%Y-%m-%dT%H:%M:%S.%fZ').
var timestampPattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// sameTimingAsNbclient requires that every cell nbclient gave
// metadata.execution has the same keys in got, written the same way, in an
// order that makes sense, and that no other cell has any.
func sameTimingAsNbclient(t *testing.T, what string, nbclient, got map[string]any) {
	t.Helper()
	want, have := nbclient["cells"].([]any), got["cells"].([]any)
	if len(want) != len(have) {
		t.Fatalf("%s: %d cells, nbclient wrote %d", what, len(have), len(want))
	}
	executed := 0
	for i := range want {
		we, _ := want[i].(map[string]any)["metadata"].(map[string]any)["execution"].(map[string]any)
		ge, _ := have[i].(map[string]any)["metadata"].(map[string]any)["execution"].(map[string]any)
		if len(we) != len(ge) {
			t.Errorf("%s: cell %d has timing %v, nbclient wrote %v", what, i+1, ge, we)
			continue
		}
		for k := range we {
			s, _ := ge[k].(string)
			if !timestampPattern.MatchString(s) {
				t.Errorf("%s: cell %d: %s = %q, want a timestamp like nbclient's %q", what, i+1, k, ge[k], we[k])
			}
		}
		if len(ge) > 0 {
			executed++
			b, in, reply, idle := ge["iopub.status.busy"].(string), ge["iopub.execute_input"].(string), ge["shell.execute_reply"].(string), ge["iopub.status.idle"].(string)
			if !(b <= in && in <= reply && b <= idle) {
				t.Errorf("%s: cell %d: timestamps out of order: %v", what, i+1, ge)
			}
		}
	}
	if executed == 0 {
		t.Errorf("%s: no cell has timing metadata", what)
	}
}

// TestTimingLikeNbclient runs a Go notebook (in-process and on the Latent
// kernel) and a Python notebook (on ipykernel) with latent run and with
// Debian's nbclient: the same cells get metadata.execution, with the same
// four timestamps in the same format; --no-timing leaves them out.
func TestTimingLikeNbclient(t *testing.T) {
	dir := t.TempDir()
	env := nbconvertEnv(t, dir)
	copyTestdata(t, dir, "basic")
	theirs := executeWithNbconvert(t, dir, "basic", "latent", env)
	for _, args := range [][]string{nil, {"--kernel", "latent"}} {
		r := runLatentEnv(t, dir, env, append(args, "-q", "-o", "ours.ipynb", "basic.ipynb")...)
		if r.code != 0 {
			t.Fatalf("latent run %v: exit %d\n%s", args, r.code, r.stderr)
		}
		sameTimingAsNbclient(t, "latent run "+strings.Join(args, " "), theirs, readNotebook(t, filepath.Join(dir, "ours.ipynb")))
	}
	r := runLatentEnv(t, dir, env, "-q", "--no-timing", "-o", "stable.ipynb", "basic.ipynb")
	if r.code != 0 {
		t.Fatalf("--no-timing: exit %d\n%s", r.code, r.stderr)
	}
	first, _ := os.ReadFile(filepath.Join(dir, "stable.ipynb"))
	if strings.Contains(string(first), `"execution"`) {
		t.Error("--no-timing wrote metadata.execution")
	}
	runLatentEnv(t, dir, env, "-q", "--no-timing", "-o", "stable2.ipynb", "basic.ipynb")
	if second, _ := os.ReadFile(filepath.Join(dir, "stable2.ipynb")); string(first) != string(second) {
		t.Error("two runs with --no-timing wrote different bytes")
	}

	if out, err := exec.Command("/usr/bin/python3", "-c", "import ipykernel").CombinedOutput(); err != nil {
		t.Skipf("Debian's ipykernel is missing: %s", out)
	}
	copyTestdata(t, dir, "python")
	theirs = executeWithNbconvert(t, dir, "python", "python3", env)
	r = runLatentEnv(t, dir, env, "-q", "--kernel", "python3", "--start-timeout", "90", "-o", "py.ipynb", "python.ipynb")
	if r.code != 0 {
		t.Fatalf("--kernel python3: exit %d\n%s", r.code, r.stderr)
	}
	sameTimingAsNbclient(t, "latent run --kernel python3", theirs, readNotebook(t, filepath.Join(dir, "py.ipynb")))
}

// junitReportOf parses a JUnit XML report.
func junitReportOf(t *testing.T, path string) junitSuites {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("JUnit report: %v", err)
	}
	var s junitSuites
	if err := xml.Unmarshal(data, &s); err != nil {
		t.Fatalf("JUnit report %s: %v\n%s", path, err, data)
	}
	return s
}

// checkJUnitWithPython reads the report as CI systems do, with Python's
// XML parser, and checks the structure they rely on: testsuites >
// testsuite > testcase (name, classname, time) > failure (message, type,
// text), with counts that add up.
func checkJUnitWithPython(t *testing.T, path string) {
	t.Helper()
	const script = `
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
for suite in root:
    assert suite.tag == "testsuite", suite.tag
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    assert int(suite.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
    float(suite.get("time")); suite.get("timestamp")
    for c in cases:
        assert c.get("name") and c.get("classname"), c.attrib
        float(c.get("time"))
        for p in list(c):
            assert p.tag in ("failure", "error"), p.tag
            assert p.get("message") and p.get("type") and p.text, p.attrib
print("ok")
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput()
	if err != nil {
		t.Errorf("the JUnit report does not have the structure CI systems read: %v\n%s", err, out)
	}
}

// TestParallelAndJUnit runs three notebooks two at a time, one failing:
// one progress line each, the failing one's error, exit 1, every output
// as a serial run writes it, and a JUnit report with the failure's cell,
// error and traceback.
func TestParallelAndJUnit(t *testing.T) {
	dir := t.TempDir()
	notebookJSON(t, filepath.Join(dir, "a.ipynb"), "import \"time\"", "time.Sleep(300 * time.Millisecond)\n1 + 1")
	notebookJSON(t, filepath.Join(dir, "b.ipynb"), "import \"fmt\"", "fmt.Println(\"b\")\n2 + 2")
	notebookJSON(t, filepath.Join(dir, "bad.ipynb"), "x := 1\nx", "var s []int\ns[3]", "x")

	r := runLatent(t, dir, "-j", "2", "--no-timing", "--output-dir", "par", "--junit", "report.xml", "--html", "html", "a.ipynb", "b.ipynb", "bad.ipynb")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"latent run: a.ipynb: ok, 2 code cells in ", "latent run: b.ipynb: ok, 2 code cells in ",
		"latent run: bad.ipynb: FAILED after", "bad.ipynb: cell 2 (In [2]): ", "index out of range",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, "code cells in"); n != 2 {
		t.Errorf("%d ok lines, want one per notebook that passed:\n%s", n, r.stderr)
	}
	if r := runLatent(t, dir, "-q", "--no-timing", "--output-dir", "ser", "--allow-errors", "a.ipynb", "b.ipynb"); r.code != 0 {
		t.Fatalf("serial run: exit %d\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"a.ipynb", "b.ipynb"} {
		par, _ := os.ReadFile(filepath.Join(dir, "par", name))
		ser, _ := os.ReadFile(filepath.Join(dir, "ser", name))
		if len(par) == 0 || string(par) != string(ser) {
			t.Errorf("%s: -j 2 wrote other bytes than a serial run", name)
		}
		if _, err := os.Stat(filepath.Join(dir, "html", strings.TrimSuffix(name, ".ipynb")+".html")); err != nil {
			t.Errorf("report of %s: %v", name, err)
		}
	}

	rep := junitReportOf(t, filepath.Join(dir, "report.xml"))
	checkJUnitWithPython(t, filepath.Join(dir, "report.xml"))
	if rep.Tests != 3 || rep.Failures != 1 || rep.Errors != 0 || len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 3 {
		t.Fatalf("report counts: %+v", rep)
	}
	c := rep.Suites[0].Cases[2]
	if c.Name != "bad.ipynb" || c.Failure == nil || !strings.Contains(c.Failure.Message, "cell 2 (In [2])") ||
		!strings.Contains(c.Failure.Text, "index out of range") || c.Failure.Type == "" {
		t.Errorf("failing test case: %+v %+v", c, c.Failure)
	}
	if rep.Suites[0].Cases[0].Failure != nil || rep.Suites[0].Cases[0].Assertions != 2 {
		t.Errorf("passing test case: %+v", rep.Suites[0].Cases[0])
	}

	// Serial runs write the same report; a notebook that cannot be read is an error.
	r = runLatent(t, dir, "-q", "--junit", "serial.xml", "--output-dir", "ser", "b.ipynb", "missing.ipynb")
	rep = junitReportOf(t, filepath.Join(dir, "serial.xml"))
	checkJUnitWithPython(t, filepath.Join(dir, "serial.xml"))
	if r.code != 1 || rep.Tests != 2 || rep.Errors != 1 || rep.Suites[0].Cases[1].Error == nil {
		t.Errorf("serial report: exit %d, %+v", r.code, rep)
	}
}

// TestStdin reads the notebook from standard input and writes it to
// standard output.
func TestStdin(t *testing.T) {
	dir := t.TempDir()
	notebookJSON(t, filepath.Join(dir, "nb.ipynb"), "#parameters\nvar n = 1", "n * 10")
	in, _ := os.Open(filepath.Join(dir, "nb.ipynb"))
	defer in.Close()
	cmd := exec.Command(latentBinary(t), "run", "-q", "-p", "n=4", "-")
	cmd.Dir, cmd.Stdin = dir, in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("latent run -: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "out.ipynb"), out, 0o644)
	cells := cellsOf(t, filepath.Join(dir, "out.ipynb"))
	if s := resultText(cells[2]); s != "40" {
		t.Errorf("result %q, want 40", s)
	}
}

// waitFor polls until cond holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestAutosave: a run killed in a long cell leaves the notebook up to its
// last finished cell with a note at the top; SIGTERM writes it with a note
// saying it was interrupted; a run that ends writes it without a note.
func TestAutosave(t *testing.T) {
	dir := t.TempDir()
	notebookJSON(t, filepath.Join(dir, "long.ipynb"), "import \"fmt\"", "fmt.Println(\"first done\")", "n := 0\nfor {\n\tn++\n}", "n")
	out := filepath.Join(dir, "out.ipynb")
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		os.Remove(out)
		cmd := exec.Command(latentBinary(t), "run", "-q", "--autosave", "0.1", "-o", "out.ipynb", "long.ipynb")
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		saved := waitFor(20*time.Second, func() bool {
			data, _ := os.ReadFile(out)
			return strings.Contains(string(data), "first done")
		})
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		if !saved {
			t.Fatalf("%v: no autosave holding the first cell's output appeared", sig)
		}
		cells := cellsOf(t, out)
		note := cellSource(cells[0])
		switch sig {
		case syscall.SIGKILL:
			if !strings.Contains(note, "still executing this notebook when it was saved") || !strings.Contains(note, "after cell 2 of 4 (In [2]) finished") {
				t.Errorf("killed run: note %q", note)
			}
		case syscall.SIGTERM:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 {
				t.Errorf("SIGTERM: %v, want exit 130", err)
			}
			if !strings.Contains(note, "interrupted during cell 3 (In [3])") {
				t.Errorf("interrupted run: note %q", note)
			}
		}
		if cells[4].(map[string]any)["execution_count"] != nil {
			t.Errorf("%v: the cell after the endless one has run", sig)
		}
	}
	notebookJSON(t, filepath.Join(dir, "short.ipynb"), "1 + 1")
	if r := runLatent(t, dir, "-q", "--autosave", "0.05", "-o", "out.ipynb", "short.ipynb"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if data, _ := os.ReadFile(out); strings.Contains(string(data), "latent-run-note") {
		t.Error("a run that ended kept the autosave note")
	}
	if r := runLatent(t, dir, "--autosave", "1", "-o", "-", "short.ipynb"); r.code != 2 {
		t.Errorf("--autosave with -o -: exit %d, want 2", r.code)
	}
}

// TestOutputHardening covers the runner items of issue 13.
func TestOutputHardening(t *testing.T) {
	dir := t.TempDir()
	notebookJSON(t, filepath.Join(dir, "nb.ipynb"), "import \"os\"", "os.WriteFile(\"ran\", nil, 0o644)")

	t.Run("-o onto a symbolic link writes through it", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "real.ipynb"), []byte("old"), 0o644)
		os.Symlink("real.ipynb", filepath.Join(dir, "link.ipynb"))
		if r := runLatent(t, dir, "-q", "-o", "link.ipynb", "--html", "link.ipynb.html", "nb.ipynb"); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if st, err := os.Lstat(filepath.Join(dir, "link.ipynb")); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Fatal("the symbolic link was replaced")
		}
		if cells := cellsOf(t, filepath.Join(dir, "real.ipynb")); len(cells) != 2 {
			t.Errorf("the link's target holds %d cells", len(cells))
		}
	})
	t.Run("missing output directories are created, as nbconvert does", func(t *testing.T) {
		r := runLatent(t, dir, "-q", "-o", "new/a/out.ipynb", "--html", "new/b/r.html", "--junit", "new/c/j.xml", "nb.ipynb")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		for _, f := range []string{"new/a/out.ipynb", "new/b/r.html", "new/c/j.xml"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("an output that cannot be written is found before any cell runs", func(t *testing.T) {
		for _, args := range [][]string{
			{"-o", "/proc/latent-out.ipynb"}, // a directory that takes no new files, even for root
			{"--html", "/proc/latent-r.html"},
			{"--junit", "/proc/latent-j.xml"},
			{"--html", "nb.ipynb"}, // the input
			{"-o", "o.ipynb", "--html", "o.ipynb"},
			{"--inplace", "--html", "nb.ipynb"},
			{"-o", "-", "--html", "-"},
		} {
			os.Remove(filepath.Join(dir, "ran"))
			r := runLatent(t, dir, append(args, "nb.ipynb")...)
			if r.code != 2 {
				t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
				t.Errorf("%v: a cell ran before the output was refused", args)
			}
		}
		if data, err := os.ReadFile(filepath.Join(dir, "nb.ipynb")); err != nil || !strings.HasPrefix(string(data), "{") {
			t.Fatalf("the input notebook was overwritten: %.40q %v", data, err)
		}
	})
	t.Run("--html - writes the report to standard output", func(t *testing.T) {
		r := runLatent(t, dir, "-q", "-o", "o2.ipynb", "--html", "-", "nb.ipynb")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "<!DOCTYPE html>") {
			t.Fatalf("exit %d, stdout %.60q\n%s", r.code, r.stdout, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
			t.Error("a file named - was written")
		}
	})
	t.Run("a notebook too large for memory exits 1", func(t *testing.T) {
		huge := filepath.Join(dir, "huge.ipynb")
		f, err := os.Create(huge)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(1 << 40); err != nil { // a sparse terabyte
			t.Fatal(err)
		}
		f.Close()
		r := runLatent(t, dir, "huge.ipynb")
		if r.code != 1 || !strings.Contains(r.stderr, "huge.ipynb") || !strings.Contains(r.stderr, "available") || strings.Contains(r.stderr, "fatal error") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("SIGTERM while waiting to open a named pipe ends the run", func(t *testing.T) {
		for _, args := range [][]string{{"pipe.ipynb"}, {"-o", "pipe.out", "nb.ipynb"}} {
			os.Remove(filepath.Join(dir, "pipe.ipynb"))
			os.Remove(filepath.Join(dir, "pipe.out"))
			if err := syscall.Mkfifo(filepath.Join(dir, args[len(args)-1-boolInt(len(args) > 1)]), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(latentBinary(t), append([]string{"run"}, args...)...)
			cmd.Dir = dir
			stderr, _ := cmd.StderrPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewReader(stderr)
			if len(args) > 1 { // wait until the cells have run and the write blocks
				for {
					line, err := lines.ReadString('\n')
					if err != nil || strings.Contains(line, "code cells run") {
						break
					}
				}
			}
			if !waitFor(10*time.Second, func() bool { return blockedOnPipe(cmd.Process.Pid) }) {
				t.Logf("%v: could not see the process wait on the pipe; signalling anyway", args)
			}
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { io.Copy(io.Discard, lines); done <- cmd.Wait() }()
			select {
			case err := <-done:
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 130 {
					t.Errorf("%v: %v, want exit 130", args, err)
				}
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Errorf("%v: SIGTERM did not end a run waiting on a named pipe", args)
			}
		}
	})
}

// blockedOnPipe reports whether a thread of process pid is inside the
// openat system call (where opening a named pipe blocks), as
// /proc/PID/task/TID/syscall shows it.
func blockedOnPipe(pid int) bool {
	openat := map[string]string{"amd64": "257 ", "arm64": "56 "}[runtime.GOARCH]
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "syscall"))
	for _, f := range tasks {
		if w, _ := os.ReadFile(f); openat != "" && strings.HasPrefix(string(w), openat) {
			return true
		}
	}
	return false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestKernelModeCI runs a Python notebook on Debian's ipykernel with
// --kernel python3: the failure reaches the JUnit report with its cell,
// error and traceback, the HTML report colors Python as Python and keeps
// the traceback's ANSI colors, and --autosave with SIGTERM leaves the
// notebook as far as it got.
func TestKernelModeCI(t *testing.T) {
	if out, err := exec.Command("/usr/bin/python3", "-c", "import ipykernel").CombinedOutput(); err != nil {
		t.Skipf("Debian's ipykernel is missing (apt-get install python3-ipykernel): %s", out)
	}
	dir := t.TempDir()
	env := nbconvertEnv(t, dir)
	py := `{"cells": [
 {"cell_type": "markdown", "metadata": {}, "source": "# Python\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\nEnergy $E = mc^2$"},
 {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "n = 3  # how many", "outputs": [], "execution_count": null},
 {"cell_type": "code", "metadata": {}, "source": "def f(x):\n    return x / 0\nprint('before')", "outputs": [], "execution_count": null},
 {"cell_type": "code", "metadata": {}, "source": "f(n)", "outputs": [], "execution_count": null},
 {"cell_type": "code", "metadata": {}, "source": "import time\ntime.sleep(60)", "outputs": [], "execution_count": null}],
 "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}`
	os.WriteFile(filepath.Join(dir, "py.ipynb"), []byte(py), 0o644)

	r := runLatentEnv(t, dir, env, "--kernel", "python3", "--start-timeout", "120", "-q", "-o", "out.ipynb", "--junit", "j.xml", "--html", "r.html", "py.ipynb")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	checkJUnitWithPython(t, filepath.Join(dir, "j.xml"))
	rep := junitReportOf(t, filepath.Join(dir, "j.xml"))
	if r := runLatentEnv(t, dir, env, "--kernel", "python3", "--start-timeout", "0.05", "-q", "-o", "slow.ipynb", "py.ipynb"); r.code != 1 || !strings.Contains(r.stderr, "50ms") {
		t.Errorf("--start-timeout 0.05: exit %d, want 1 naming the limit\n%s", r.code, r.stderr)
	}
	c := rep.Suites[0].Cases[0]
	if rep.Failures != 1 || c.Failure == nil || c.Failure.Type != "ZeroDivisionError" || !strings.Contains(c.Failure.Message, "cell 4 (In [3])") ||
		!strings.Contains(c.Failure.Text, "return x / 0") || strings.Contains(c.Failure.Text, "\x1b") {
		t.Errorf("JUnit test case: %+v %+v", c, c.Failure)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "r.html"))
	for _, want := range []string{`<span class="k">def</span>`, `class="ansi-`, "<table>", "$E = mc^2$", "mathjax", `<div class="time"`, "latent run stopped at cell 4 (In [3])"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	cells := cellsOf(t, filepath.Join(dir, "out.ipynb"))
	if !strings.Contains(cellSource(cells[0]), "ZeroDivisionError") {
		t.Errorf("no note at the top of the failed notebook: %q", cellSource(cells[0]))
	}

	// --autosave and SIGTERM during the endless cell, with --allow-errors.
	cmd := exec.Command(latentBinary(t), "run", "--kernel", "python3", "-q", "--allow-errors", "--autosave", "0.1", "-o", "auto.ipynb", "py.ipynb")
	cmd.Dir, cmd.Env = dir, env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	saved := waitFor(60*time.Second, func() bool {
		data, _ := os.ReadFile(filepath.Join(dir, "auto.ipynb"))
		return strings.Contains(string(data), "after cell 4 of 5 (In [3]) finished")
	})
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if !saved {
		t.Fatal("no autosave after the failing cell appeared")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("SIGTERM: %v, want exit 130", err)
	}
	cells = cellsOf(t, filepath.Join(dir, "auto.ipynb"))
	if note := cellSource(cells[0]); !strings.Contains(note, "interrupted during cell 5 (In [4])") {
		t.Errorf("note %q", note)
	}
	ex, _ := cells[3].(map[string]any)["metadata"].(map[string]any)["execution"].(map[string]any)
	if len(ex) != 4 {
		t.Errorf("the cell before the interrupt has timing %v", ex)
	}
}

// TestParallelSharesProcessors: each child of -j N gets GOMAXPROCS set to
// its share of the processors, unless GOMAXPROCS is set already.
func TestParallelSharesProcessors(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.ipynb", "b.ipynb"} {
		notebookJSON(t, filepath.Join(dir, name), "import \"runtime\"", "runtime.GOMAXPROCS(0)")
	}
	for _, c := range []struct {
		env  []string
		want int
	}{{nil, max(1, runtime.GOMAXPROCS(0)/2)}, {[]string{"GOMAXPROCS=3"}, 3}} {
		r := runLatentEnv(t, dir, append(os.Environ(), c.env...), "-q", "-j", "2", "--output-dir", "out", "a.ipynb", "b.ipynb")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		for _, name := range []string{"a.ipynb", "b.ipynb"} {
			if got := resultText(cellsOf(t, filepath.Join(dir, "out", name))[1]); got != strconv.Itoa(c.want) {
				t.Errorf("%v: %s ran with GOMAXPROCS %s, want %d", c.env, name, got, c.want)
			}
		}
	}
}
