package reliability

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/latent-ai/latent/tests/internal/harness"
)

// python is Debian's interpreter, which has jupyter_client and pyzmq; the
// pyenv python3 on PATH does not.
const python = "/usr/bin/python3"

var (
	// latentBin is the binary TestMain built.
	latentBin string
	// kernelArgv is the kernelspec's argv as `latent install` wrote it,
	// with {connection_file} still in it.
	kernelArgv []string
	// kernelSpecDir is where `latent install --prefix` put the kernelspec.
	kernelSpecDir string
	// skipReason is set when a required system tool is missing.
	skipReason string
	// workDir holds everything TestMain creates.
	workDir string
)

func TestMain(m *testing.M) {
	var err error
	workDir, err = os.MkdirTemp("", "latent-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
	cleanup := func(code int) {
		if os.Getenv("LATENT_KEEP_TMP") == "" {
			os.RemoveAll(workDir)
		} else {
			fmt.Fprintln(os.Stderr, "reliability: kept", workDir)
		}
		os.Exit(code)
	}
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		cleanup(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(cleanup))
}

// setup builds the binary, installs the kernelspec into a temporary
// prefix, points every Jupyter directory at temporary ones, and checks the
// Python side.
func setup() error {
	if err := harness.IsolateJupyter(workDir); err != nil {
		return err
	}
	if out, err := exec.Command(python, "-c", "import jupyter_client, zmq").CombinedOutput(); err != nil {
		skipReason = fmt.Sprintf("%s with jupyter_client and pyzmq is required (apt-get install python3-jupyter-client; scripts/setup.sh does it): %v: %s", python, err, bytes.TrimSpace(out))
		return nil
	}
	bin, err := harness.BuildLatent(workDir)
	if err != nil {
		return err
	}
	ks, err := harness.Install(bin, filepath.Join(workDir, "prefix"))
	if err != nil {
		return err
	}
	latentBin, kernelArgv, kernelSpecDir = bin, ks.Argv, ks.Dir
	os.Setenv("JUPYTER_PATH", ks.JupyterPath)
	return nil
}

// requireTools skips t when a required system tool is missing.
func requireTools(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

// connInfo is a connection file's content.
type connInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name"`
}

func (c connInfo) ports() []int {
	return []int{c.ShellPort, c.ControlPort, c.StdinPort, c.IOPubPort, c.HBPort}
}

// freePorts returns n distinct TCP ports that were free on ip a moment ago.
func freePorts(ip string, n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for len(ports) < n {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// kernelOpts adjusts how startKernel starts a kernel.
type kernelOpts struct {
	ip        string      // default 127.0.0.1
	mode      os.FileMode // connection file mode, default 0600
	extraArgs []string    // appended to the kernelspec argv
	env       []string    // added to the environment
	dir       string      // the scenario directory; default a fresh temp dir
}

// kernel is one running `latent kernel` process.
type kernel struct {
	t        *testing.T
	cmd      *exec.Cmd
	connFile string
	info     connInfo
	dir      string // a fresh directory for this kernel's scenario files
	stderr   *harness.SyncBuffer
	done     chan struct{}
	waitErr  error
	// crashExpected is set by tests that kill the kernel on purpose, so
	// that stop does not report the crash.
	crashExpected bool
}

// writeConnFile writes a connection file with free ports and a random
// 256-bit key.
func writeConnFile(path, ip string, mode os.FileMode) (connInfo, error) {
	ports, err := freePorts(ip, 5)
	if err != nil {
		return connInfo{}, fmt.Errorf("no free ports on %s: %v", ip, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return connInfo{}, err
	}
	ci := connInfo{Transport: "tcp", IP: ip, ShellPort: ports[0], ControlPort: ports[1],
		StdinPort: ports[2], IOPubPort: ports[3], HBPort: ports[4],
		Key: hex.EncodeToString(key), SignatureScheme: "hmac-sha256", KernelName: "latent"}
	b, _ := json.MarshalIndent(ci, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return connInfo{}, err
	}
	return ci, os.Chmod(path, mode)
}

// startKernel starts the kernel as Jupyter would, from the installed
// kernelspec's argv, and registers its shutdown with t.Cleanup. The cleanup
// fails the test if the kernel's stderr shows a Go panic or fatal error.
func startKernel(t *testing.T, o kernelOpts) *kernel {
	t.Helper()
	requireTools(t)
	if o.ip == "" {
		o.ip = "127.0.0.1"
	}
	if o.mode == 0 {
		o.mode = 0o600
	}
	dir := o.dir
	if dir == "" {
		dir = t.TempDir()
	}
	k := &kernel{t: t, dir: dir, stderr: &harness.SyncBuffer{}, done: make(chan struct{})}
	k.connFile = filepath.Join(t.TempDir(), "kernel-conn.json")
	var err error
	// A port picked free can be taken before the kernel binds it; retry.
	for attempt := 0; attempt < 3; attempt++ {
		k.info, err = writeConnFile(k.connFile, o.ip, o.mode)
		if err != nil {
			t.Fatal(err)
		}
		argv := make([]string, 0, len(kernelArgv)+len(o.extraArgs))
		for _, a := range kernelArgv {
			argv = append(argv, strings.ReplaceAll(a, "{connection_file}", k.connFile))
		}
		argv[0] = latentBin
		argv = append(argv, o.extraArgs...)
		k.cmd = exec.Command(argv[0], argv[1:]...)
		k.cmd.Dir = dir
		k.cmd.Stderr = k.stderr
		k.cmd.Stdout = k.stderr
		k.cmd.Env = append(os.Environ(), o.env...)
		k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := k.cmd.Start(); err != nil {
			t.Fatalf("start kernel %q: %v", argv, err)
		}
		k.done = make(chan struct{})
		go func(cmd *exec.Cmd, done chan struct{}) {
			k.waitErr = cmd.Wait()
			close(done)
		}(k.cmd, k.done)
		if k.waitListening(30 * time.Second) {
			break
		}
		k.kill()
		if attempt == 2 {
			t.Fatalf("kernel did not listen on its 5 ports within 30 s; stderr:\n%s", k.stderr.String())
		}
	}
	t.Cleanup(func() { k.stop() })
	return k
}

// waitListening waits until the kernel listens on all five ports, or it
// exits.
func (k *kernel) waitListening(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-k.done:
			return false
		default:
		}
		ls, err := listeningSockets(k.cmd.Process.Pid)
		if err == nil {
			n := 0
			for _, p := range k.info.ports() {
				for _, l := range ls {
					if l.port == p {
						n++
						break
					}
				}
			}
			if n == 5 {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// pid is the kernel's process id.
func (k *kernel) pid() int { return k.cmd.Process.Pid }

// exited reports whether the kernel has ended.
func (k *kernel) exited() bool {
	select {
	case <-k.done:
		return true
	default:
		return false
	}
}

// waitExit waits up to d for the kernel to end and reports whether it did.
func (k *kernel) waitExit(d time.Duration) bool {
	select {
	case <-k.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (k *kernel) kill() {
	if k.cmd.Process != nil && !k.exited() {
		syscall.Kill(-k.cmd.Process.Pid, syscall.SIGKILL)
		k.cmd.Process.Kill()
	}
	<-k.done
}

// stop ends the kernel (SIGTERM, then SIGKILL after 15 s) and checks its
// stderr for Go runtime crashes.
func (k *kernel) stop() {
	if !k.exited() {
		k.cmd.Process.Signal(syscall.SIGTERM)
		if !k.waitExit(15 * time.Second) {
			k.t.Errorf("kernel ignored SIGTERM for 15 s; killed it")
		}
		k.kill()
	}
	logs := k.stderr.String()
	for _, bad := range []string{"panic: ", "fatal error: ", "DATA RACE", "goroutine 1 ["} {
		if strings.Contains(logs, bad) && !k.crashExpected {
			k.t.Errorf("kernel stderr shows %q:\n%s", bad, tail(logs, 4000))
			break
		}
	}
	if k.t.Failed() || testing.Verbose() {
		k.t.Logf("kernel stderr (tail):\n%s", tail(logs, 3000))
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// scenarioResult is the JSON a Python scenario printed.
type scenarioResult map[string]any

// num returns a numeric field of r.
func (r scenarioResult) num(key string) float64 {
	f, _ := r[key].(float64)
	return f
}

// runScenario runs py/scenarios.py NAME against k and returns its result;
// it fails t when the scenario fails.
func (k *kernel) runScenario(name string, timeout time.Duration, args ...string) scenarioResult {
	k.t.Helper()
	res, err := k.tryScenario(name, timeout, args...)
	if err != nil {
		k.t.Fatalf("scenario %s: %v", name, err)
	}
	return res
}

// tryScenario is runScenario returning the failure instead.
func (k *kernel) tryScenario(name string, timeout time.Duration, args ...string) (scenarioResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	script, _ := filepath.Abs(filepath.Join("py", "scenarios.py"))
	full := append([]string{script, name, "--conn", k.connFile, "--pid", strconv.Itoa(k.pid()), "--dir", k.dir}, args...)
	cmd := exec.CommandContext(ctx, python, full...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if testing.Verbose() || err != nil {
		k.t.Logf("scenario %s stderr:\n%s", name, tail(stderr.String(), 6000))
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("did not finish within %v (kernel alive: %v)", timeout, !k.exited())
	}
	if err != nil {
		return nil, fmt.Errorf("%v: %s (kernel alive: %v)", err, lastLine(stderr.String()), !k.exited())
	}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var res scenarioResult
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "RESULT "); ok {
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				return nil, fmt.Errorf("bad RESULT line: %v", err)
			}
		}
	}
	if res == nil {
		return nil, fmt.Errorf("printed no RESULT line; stdout: %s", tail(stdout.String(), 2000))
	}
	return res, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// exec runs one cell through a fresh client and returns its result.
func (k *kernel) exec(code string) scenarioResult {
	k.t.Helper()
	return k.runScenario("exec", 2*time.Minute, "--code", code)
}

// procStatus reads VmRSS (KiB) and Threads of pid.
func procStatus(pid int) (rssKiB, threads int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		switch k {
		case "VmRSS":
			rssKiB, _ = strconv.Atoi(f[0])
		case "Threads":
			threads, _ = strconv.Atoi(f[0])
		}
	}
	return rssKiB, threads, nil
}

// listenSock is one listening TCP socket.
type listenSock struct {
	ip   net.IP
	port int
}

// listeningSockets returns the TCP sockets in LISTEN state that pid owns,
// from /proc/net/tcp{,6} and the socket inodes in /proc/PID/fd.
func listeningSockets(pid int) ([]listenSock, error) {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return nil, err
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	var out []listenSock
	for _, tab := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, tab))
		if err != nil {
			continue
		}
		lines := strings.Split(string(b), "\n")
		for _, line := range lines[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] { // 0A: LISTEN
				continue
			}
			ip, port, err := parseProcAddr(f[1])
			if err != nil {
				return nil, err
			}
			out = append(out, listenSock{ip, port})
		}
	}
	return out, nil
}

// parseProcAddr decodes /proc/net/tcp's "0100007F:1F90" (little-endian
// 32-bit words) into an IP and port.
func parseProcAddr(s string) (net.IP, int, error) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return nil, 0, fmt.Errorf("bad address %q", s)
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return nil, 0, fmt.Errorf("bad address %q", s)
	}
	ip := make(net.IP, len(raw))
	for i := 0; i < len(raw); i += 4 {
		ip[i], ip[i+1], ip[i+2], ip[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseInt(p, 16, 32)
	if err != nil {
		return nil, 0, fmt.Errorf("bad port in %q", s)
	}
	return ip, int(port), nil
}
