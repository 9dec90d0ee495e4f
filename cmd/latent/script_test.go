package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestScriptArgs(t *testing.T) {
	cases := []struct {
		args       []string
		file, out  string
		rest       []string
		wantErrSub string
	}{
		{args: []string{"a.go"}, file: "a.go", out: "latent-out"},
		{args: []string{"a.go", "x", "--out", "d", "y"}, file: "a.go", out: "d", rest: []string{"x", "y"}},
		{args: []string{"--out=d", "a.go"}, file: "a.go", out: "d"},
		{args: []string{"a.go", "--out"}, wantErrSub: "needs a directory"},
		{args: nil, wantErrSub: "no Go file"},
	}
	for _, c := range cases {
		file, out, rest, err := scriptArgs(c.args)
		if c.wantErrSub != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErrSub) {
				t.Errorf("%q: error %v, want %q", c.args, err, c.wantErrSub)
			}
			continue
		}
		if err != nil || file != c.file || out != c.out || strings.Join(rest, ",") != strings.Join(c.rest, ",") {
			t.Errorf("%q: got %q %q %q %v", c.args, file, out, rest, err)
		}
	}
}

// TestScript runs the real binary on small scripts.
func TestScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "latent")
	if msg, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, msg)
	}
	cases := []struct {
		name, src string
		args      []string
		stdin     string
		code      int
		stdout    []string
		stderr    []string
		absent    []string // in neither stream
		files     []string
	}{
		{name: "program with main and rich output", src: "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello\")\n\tdisplay.Show(display.HTML(\"<b>x</b>\"))\n}\n",
			stdout: []string{"hello\n", "output-001.html"}, files: []string{"output-001.html"}},
		{name: "error names its line", src: "x := 1\nfmt.Println(x)\nvar s []int\ns[x] = 1\n", code: 1,
			stdout: []string{"1\n"}, stderr: []string{"index out of range", "line 4"}},
		{name: "compile error", src: "y := undefinedName\n", code: 1, stderr: []string{"line 1"}},
		{name: "a panic's trace names main and stops at it", src: "package main\n\nfunc f(m map[string]int) { m[\"a\"] = 1 }\n\nfunc main() {\n\tf(nil)\n}\n\n",
			code: 1, stderr: []string{"in f at line 3:28", "called from main"}, absent: []string{"scriptMain", "line 9"}},
		{name: "lines count from the file's first line after a blank line under package", src: "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar m map[string]int\n\tfmt.Println(\"before\")\n\tm[\"x\"] = 1\n}\n",
			code: 1, stderr: []string{"in main at line 8:2", "m[\"x\"] = 1"}, absent: []string{"scriptMain", "line 10"}},
		{name: "args and stdin", src: "import \"os\"\nvar n int\nfmt.Scanln(&n)\nfmt.Println(n*2, os.Args[1:])\n", args: []string{"a"}, stdin: "21\n",
			stdout: []string{"42 [a]"}},
		{name: "os.Exit ends the process with its code, without deferred calls",
			src:  "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tdefer fmt.Println(\"deferred\")\n\tfmt.Println(\"before\")\n\tos.Exit(3)\n}\n",
			code: 3, stdout: []string{"before\n"}, absent: []string{"deferred", "cannot end"}},
		{name: "os.Exit(0) is success", src: "import \"os\"\nfmt.Println(\"done\")\nos.Exit(0)\nfmt.Println(\"after\")\n",
			stdout: []string{"done\n"}, absent: []string{"after"}},
		{name: "log.Fatal logs and exits 1", src: "import \"log\"\nlog.SetFlags(0)\nlog.Fatalf(\"bad %d\", 3)\nfmt.Println(\"after\")\n",
			code: 1, stderr: []string{"bad 3\n"}, absent: []string{"after", "panic", "Exit"}},
		{name: "flag parses the script's arguments", src: "import \"flag\"\nv := flag.Bool(\"v\", false, \"verbose\")\nflag.Parse()\nfmt.Println(*v, flag.Args())\n",
			args: []string{"-v", "x"}, stdout: []string{"true [x]"}},
		{name: "a bad flag exits 2 with the usage", src: "import \"flag\"\nflag.Bool(\"v\", false, \"verbose\")\nflag.Parse()\nfmt.Println(\"parsed\")\n",
			args: []string{"-bogus"}, code: 2, stderr: []string{"-bogus", "verbose"}, absent: []string{"parsed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wd := t.TempDir()
			if err := os.WriteFile(filepath.Join(wd, "s.go"), []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, append([]string{"script", "s.go"}, c.args...)...)
			cmd.Dir = wd
			cmd.Stdin = strings.NewReader(c.stdin)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout.String(), stderr.String())
			}
			for _, w := range c.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout %q lacks %q", stdout.String(), w)
				}
			}
			for _, w := range c.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q lacks %q", stderr.String(), w)
				}
			}
			for _, w := range c.absent {
				if strings.Contains(stdout.String()+stderr.String(), w) {
					t.Errorf("output has %q:\nstdout: %s\nstderr: %s", w, stdout.String(), stderr.String())
				}
			}
			for _, f := range c.files {
				if _, err := os.Stat(filepath.Join(wd, "latent-out", f)); err != nil {
					t.Errorf("output file: %v", err)
				}
			}
		})
	}
}
