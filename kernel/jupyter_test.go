package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const systemPython = "/usr/bin/python3"

// jupyterEnv is a built latent binary with its kernelspec installed in a
// private Jupyter data dir, and the environment that makes Jupyter find it.
type jupyterEnv struct {
	bin string
	env []string
	dir string
}

// setupJupyter builds cmd/latent, installs the kernelspec into a temporary
// JUPYTER_DATA_DIR and returns the environment for Jupyter's Python tools.
// It skips the test when /usr/bin/python3 or jupyter_client is missing.
func setupJupyter(t *testing.T, modules ...string) *jupyterEnv {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("skipping: %s is missing; install Debian's python3-jupyter-client (make setup)", systemPython)
	}
	for _, m := range append([]string{"jupyter_client"}, modules...) {
		if err := exec.Command(systemPython, "-c", "import "+m).Run(); err != nil {
			t.Skipf("skipping: Python module %s is missing; install it with make setup (Debian packages)", m)
		}
	}
	bin := buildLatent(t)
	dir := filepath.Dir(bin)
	data := filepath.Join(dir, "jupyter-data")
	env := append(os.Environ(),
		"JUPYTER_DATA_DIR="+data,
		"JUPYTER_PATH="+data,
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(dir, "config"),
		"IPYTHONDIR="+filepath.Join(dir, "ipython"),
		"PYDEVD_DISABLE_FILE_VALIDATION=1",
		"PYTHONWARNINGS=ignore",
	)
	inst := exec.Command(bin, "install")
	inst.Env = env
	if out, err := inst.CombinedOutput(); err != nil {
		t.Fatalf("latent install: %v\n%s", err, out)
	}
	return &jupyterEnv{bin: bin, env: env, dir: dir}
}

// buildLatent builds cmd/latent into a temporary directory.
func buildLatent(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipping: the go command is not on PATH to build the latent binary")
	}
	bin := filepath.Join(t.TempDir(), "latent")
	build := exec.Command(goBin, "build", "-o", bin, "../cmd/latent")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/latent: %v\n%s", err, out)
	}
	return bin
}

// TestCommands checks 'latent install' and 'latent version' as a user
// runs them.
func TestCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the binary tests in -short mode")
	}
	bin := buildLatent(t)
	data := t.TempDir()
	prefix := t.TempDir()
	// --sys-prefix asks the Python named on the #! line of 'jupyter' for
	// sys.prefix: a fake jupyter whose "python" answers with a temp dir.
	fakeBin, sysPrefix := t.TempDir(), t.TempDir()
	fakePython := filepath.Join(fakeBin, "python-for-test")
	if err := os.WriteFile(fakePython, []byte("#!/bin/sh\necho "+sysPrefix+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fakeBin, "jupyter"), []byte("#!"+fakePython+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		env    []string
		code   int
		output []string // substrings of stdout+stderr
		files  []string // must exist afterwards
	}{
		{"version", []string{"version"}, nil, 0, []string{"latent ", "go1.", "yaegi  v0.16.1"}, nil},
		{"install help", []string{"install", "--help"}, nil, 0, []string{"--prefix", "--sys-prefix", "--name", "JUPYTER_DATA_DIR"}, nil},
		{"install to JUPYTER_DATA_DIR", []string{"install"}, []string{"JUPYTER_DATA_DIR=" + data}, 0, []string{"installed kernelspec latent"},
			[]string{data + "/kernels/latent/kernel.json", data + "/kernels/latent/logo-64x64.png", data + "/kernels/latent/logo-32x32.png", data + "/kernels/latent/logo-svg.svg"}},
		{"install --prefix --name", []string{"install", "--prefix", prefix, "--name", "latent-dev"}, nil, 0, nil,
			[]string{prefix + "/share/jupyter/kernels/latent-dev/kernel.json"}},
		{"install --sys-prefix", []string{"install", "--sys-prefix"}, []string{"PATH=" + fakeBin + ":" + os.Getenv("PATH")}, 0, nil,
			[]string{sysPrefix + "/share/jupyter/kernels/latent/kernel.json"}},
		{"install bad name", []string{"install", "--name", "../evil"}, nil, 2, []string{"may only hold"}, nil},
		{"install both prefixes", []string{"install", "--prefix", prefix, "--sys-prefix"}, nil, 2, []string{"not both"}, nil},
		{"kernel without connection file", []string{"kernel"}, nil, 2, []string{"--connection-file"}, nil},
		{"kernel with missing file", []string{"kernel", "--connection-file", "/nonexistent/k.json"}, nil, 1, []string{"cannot open connection file"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Env = append(os.Environ(), tt.env...)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tt.code {
				t.Fatalf("exit code %d, want %d\n%s", code, tt.code, out)
			}
			for _, want := range tt.output {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			for _, f := range tt.files {
				if _, err := os.Stat(f); err != nil {
					t.Errorf("%s was not written", f)
				}
			}
		})
	}
	b, err := os.ReadFile(data + "/kernels/latent/kernel.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	argv := spec["argv"].([]any)
	if argv[0] != bin || argv[len(argv)-1] != "{connection_file}" || spec["interrupt_mode"] != "message" || spec["display_name"] != "Go (Latent)" {
		t.Errorf("kernel.json = %s", b)
	}
	// Another name is listed apart from the default kernel.
	b, err = os.ReadFile(prefix + "/share/jupyter/kernels/latent-dev/kernel.json")
	if err != nil || !strings.Contains(string(b), `"display_name": "Go (Latent) latent-dev"`) {
		t.Errorf("kernel.json of --name latent-dev = %s (%v)", b, err)
	}
}

func (j *jupyterEnv) python(t *testing.T, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, systemPython, append([]string{"-Xfrozen_modules=off"}, args...)...)
	cmd.Env = j.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestJupyterClients runs the real binary under Debian's Jupyter tools: the
// jupyter_kernel_test suite, nbconvert --execute and jupyter console.
func TestJupyterClients(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the Jupyter client tests in -short mode")
	}
	j := setupJupyter(t)

	t.Run("kernelspec", func(t *testing.T) {
		out, err := j.python(t, time.Minute, "-c", "from jupyter_client.kernelspec import KernelSpecManager as M; import json; s = M().get_kernel_spec('latent'); print(json.dumps(s.to_dict()))")
		if err != nil {
			t.Fatalf("kernelspec not found: %v\n%s", err, out)
		}
		var spec struct {
			Argv          []string `json:"argv"`
			DisplayName   string   `json:"display_name"`
			Language      string   `json:"language"`
			InterruptMode string   `json:"interrupt_mode"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(out[strings.LastIndex(out, "\n{")+1:])), &spec); err != nil {
			t.Fatalf("kernelspec JSON: %v\n%s", err, out)
		}
		if spec.Argv[0] != j.bin || spec.DisplayName != "Go (Latent)" || spec.Language != "go" || spec.InterruptMode != "message" {
			t.Fatalf("kernelspec = %+v", spec)
		}
		for _, f := range []string{"logo-32x32.png", "logo-64x64.png", "logo-svg.svg"} {
			if _, err := os.Stat(filepath.Join(j.dir, "jupyter-data", "kernels", "latent", f)); err != nil {
				t.Errorf("kernelspec lacks %s", f)
			}
		}
	})

	t.Run("jupyter_kernel_test", func(t *testing.T) {
		if err := exec.Command(systemPython, "-c", "import jupyter_kernel_test").Run(); err != nil {
			t.Skip("skipping: jupyter_kernel_test is missing; install python3-jupyter-kernel-test (make setup)")
		}
		out, err := j.python(t, 5*time.Minute, "../tests/kernel/test_latent.py", "-v")
		if err != nil {
			t.Fatalf("jupyter_kernel_test failed: %v\n%s", err, out)
		}
		t.Logf("%s", lastLines(out, 4))
	})

	t.Run("nbconvert", func(t *testing.T) {
		if err := exec.Command(systemPython, "-c", "import nbconvert").Run(); err != nil {
			t.Skip("skipping: nbconvert is missing; install python3-nbconvert (make setup)")
		}
		out, err := j.python(t, 3*time.Minute, "../tests/kernel/check_nbconvert.py", t.TempDir())
		if err != nil {
			t.Fatalf("nbconvert --execute: %v\n%s", err, out)
		}
		t.Logf("%s", lastLines(out, 1))
	})

	t.Run("console", func(t *testing.T) {
		if err := exec.Command(systemPython, "-c", "import jupyter_console").Run(); err != nil {
			t.Skip("skipping: jupyter_console is missing; install jupyter-console (make setup)")
		}
		out, err := j.python(t, 3*time.Minute, "../tests/kernel/check_console.py")
		if err != nil {
			t.Fatalf("jupyter console: %v\n%s", err, out)
		}
		t.Logf("%s", lastLines(out, 1))
	})

	t.Run("stdin interrupt restart", func(t *testing.T) {
		out, err := j.python(t, 3*time.Minute, "../tests/kernel/check_session.py")
		if err != nil {
			t.Fatalf("session check: %v\n%s", err, out)
		}
		t.Logf("%s", strings.Join(grepLines(out, "interrupt"), "\n"))
	})

	t.Run("interrupt ends the cell there", func(t *testing.T) {
		out, err := j.python(t, 5*time.Minute, "../tests/kernel/check_interrupt_stops.py")
		if err != nil {
			t.Fatalf("interrupt check: %v\n%s", err, out)
		}
		t.Logf("%s", lastLines(out, 1))
	})

	t.Run("shutdown flushes iopub", func(t *testing.T) {
		out, err := j.python(t, 3*time.Minute, "../tests/kernel/check_shutdown.py")
		if err != nil {
			t.Fatalf("shutdown check: %v\n%s", err, out)
		}
		t.Logf("%s", lastLines(out, 1))
	})

	t.Run("ipc transport", func(t *testing.T) {
		out, err := j.python(t, 2*time.Minute, "../tests/kernel/check_ipc.py")
		if err != nil {
			t.Fatalf("ipc check: %v\n%s", err, out)
		}
	})

	t.Run("process", func(t *testing.T) { testProcess(t, j) })
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// writeConnectionFile writes a connection file with free ports, mode 0600.
func writeConnectionFile(t *testing.T, dir string) string {
	t.Helper()
	p := freePorts(t, 5)
	ci := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: p[0], ControlPort: p[1], StdinPort: p[2],
		IOPubPort: p[3], HBPort: p[4], Key: "k", SignatureScheme: "hmac-sha256"}
	b, _ := json.Marshal(ci)
	path := filepath.Join(dir, fmt.Sprintf("kernel-%d.json", p[0]))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testProcess checks the kernel process's life cycle: SIGTERM ends it
// cleanly, it exits when its parent (JPY_PARENT_PID) dies, and it warns
// about a connection file others can read.
func testProcess(t *testing.T, j *jupyterEnv) {
	start := func(t *testing.T, env []string, conn string) (*exec.Cmd, *syncBuffer) {
		cmd := exec.Command(j.bin, "kernel", "--connection-file", conn)
		cmd.Env = env
		logs := &syncBuffer{}
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, logs
	}
	waitExit := func(t *testing.T, cmd *exec.Cmd, d time.Duration) error {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return err
		case <-time.After(d):
			cmd.Process.Kill()
			<-done
			t.Fatalf("kernel still running after %v", d)
			return nil
		}
	}
	waitLog := func(t *testing.T, logs *syncBuffer, want string) {
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(logs.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("log lacks %q:\n%s", want, logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	t.Run("SIGTERM", func(t *testing.T) {
		cmd, logs := start(t, j.env, writeConnectionFile(t, t.TempDir()))
		time.Sleep(500 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGTERM)
		if err := waitExit(t, cmd, 10*time.Second); err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
		waitLog(t, logs, "shutting down")
	})

	t.Run("parent watch", func(t *testing.T) {
		parent := exec.Command("sleep", "60")
		if err := parent.Start(); err != nil {
			t.Fatal(err)
		}
		env := append(append([]string(nil), j.env...), fmt.Sprintf("JPY_PARENT_PID=%d", parent.Process.Pid))
		cmd, logs := start(t, env, writeConnectionFile(t, t.TempDir()))
		time.Sleep(300 * time.Millisecond)
		// The parent stays a zombie until the kernel has gone, as a
		// frontend does whose own parent waits for the kernel's pipes.
		parent.Process.Kill()
		defer parent.Wait()
		if err := waitExit(t, cmd, 10*time.Second); err != nil {
			t.Fatalf("exit after the parent died: %v\n%s", err, logs.String())
		}
		waitLog(t, logs, "parent process")
	})

	t.Run("connection file mode warning", func(t *testing.T) {
		conn := writeConnectionFile(t, t.TempDir())
		os.Chmod(conn, 0o644)
		cmd, logs := start(t, j.env, conn)
		waitLog(t, logs, "chmod 600")
		cmd.Process.Signal(syscall.SIGTERM)
		waitExit(t, cmd, 10*time.Second)
	})
}
