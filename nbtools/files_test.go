package nbtools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inDir runs the test in a fresh working directory.
func inDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	old, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
	return dir
}

func TestWriteFile(t *testing.T) {
	inDir(t)
	steps := []struct{ args, body, msg, content string }{
		{"a.txt", "one\n", "Writing a.txt\n", "one\n"},
		{"a.txt", "two\n", "Overwriting a.txt\n", "two\n"},
		{"-a a.txt", "three\n", "Appending to a.txt\n", "two\nthree\n"},
		{`"b c.txt"`, "x", "Writing b c.txt\n", "x"},
	}
	for _, s := range steps {
		msg, err := WriteFile(s.args, s.body)
		if err != nil || msg != s.msg {
			t.Fatalf("WriteFile(%q) = %q, %v; want %q", s.args, msg, err, s.msg)
		}
		name := strings.Trim(strings.TrimPrefix(s.args, "-a "), `"`)
		if b, _ := os.ReadFile(name); string(b) != s.content {
			t.Fatalf("after WriteFile(%q) the file holds %q, want %q", s.args, b, s.content)
		}
	}
	for _, bad := range []string{"", "-x f", "a b", "no/such/dir/f"} {
		if _, err := WriteFile(bad, "x"); err == nil {
			t.Errorf("WriteFile(%q) succeeded, want an error", bad)
		}
	}
}

func TestCd(t *testing.T) {
	dir := inDir(t)
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	var d Dirs
	if _, err := d.Cd("-"); err == nil {
		t.Fatal(`Cd("-") with no previous directory succeeded`)
	}
	got, err := d.Cd("sub")
	if err != nil || got != sub {
		t.Fatalf("Cd(sub) = %q, %v; want %q", got, err, sub)
	}
	if got, err := d.Cd("-"); err != nil || got != dir {
		t.Fatalf("Cd(-) = %q, %v; want %q", got, err, dir)
	}
	_, err = d.Cd("nowhere")
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("Cd(nowhere) = %v, want no such directory", err)
	}
	if wd, _ := os.Getwd(); wd != dir {
		t.Fatalf("a failed Cd moved to %s", wd)
	}
}

func TestLoad(t *testing.T) {
	inDir(t)
	os.WriteFile("ok.go", []byte("x := 1\n"), 0o644)
	os.WriteFile("bin", []byte{0, 1, 2}, 0o644)
	os.Mkdir("d", 0o755)
	if got, err := Load("ok.go"); err != nil || got != "x := 1\n" {
		t.Fatalf("Load(ok.go) = %q, %v", got, err)
	}
	for _, bad := range []string{"", "missing.go", "bin", "d"} {
		if _, err := Load(bad); err == nil {
			t.Errorf("Load(%q) succeeded, want an error", bad)
		}
	}
}

func TestHistory(t *testing.T) {
	cells := []string{"a := 1", "b := 2\nc := 3", "%history"}
	tests := []struct{ args, want string }{
		{"", "a := 1\nb := 2\nc := 3\n%history\n"},
		{"-n 2", "   2: b := 2\n      c := 3\n"},
		{"1-2", "a := 1\nb := 2\nc := 3\n"},
		{"-l 1", "%history\n"},
		{"2-9", "b := 2\nc := 3\n%history\n"},
	}
	for _, tt := range tests {
		if got, err := History(cells, 1, tt.args); err != nil || got != tt.want {
			t.Errorf("History(%q) = %q, %v; want %q", tt.args, got, err, tt.want)
		}
	}
	for _, bad := range []string{"x", "3-1", "-l", "-l x", "0"} {
		if _, err := History(cells, 1, bad); err == nil {
			t.Errorf("History(%q) succeeded, want an error", bad)
		}
	}
	// Inputs 1-10 are no longer kept: the cells are inputs 11-13.
	for args, want := range map[string]string{"-n 12": "  12: b := 2\n      c := 3\n", "5-11": "a := 1\n", "-l 9": "a := 1\nb := 2\nc := 3\n%history\n"} {
		if got, err := History(cells, 11, args); err != nil || got != want {
			t.Errorf("History(%q) from 11 = %q, %v; want %q", args, got, err, want)
		}
	}
	if _, err := History(cells, 11, "3-10"); err == nil || !strings.Contains(err.Error(), "from number 11") {
		t.Errorf("History of dropped inputs: %v", err)
	}
}
