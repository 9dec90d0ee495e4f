package browser

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/latent-ai/latent/tests/internal/harness"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "copy the screenshot to docs/screenshot.png for the README")

const chromium = "/usr/bin/chromium"

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// trainingCell is the cell the browser runs: a dense autoencoder trained
// for a few epochs (its live progress ends in a loss plot) and a
// reconstruction grid.
const trainingCell = `train, test := data.FashionMNIST()
m := ae.Dense(784, 64)
m.Fit(train, ae.Epochs(5))
m.Reconstruct(test.Take(8))`

// writeNotebook writes the notebook the browser opens. It names a
// kernelspec that is not installed, so that Jupyter asks for a kernel and
// the test chooses Latent itself.
func writeNotebook(path string) error {
	nb := map[string]any{
		"cells": []map[string]any{
			{"cell_type": "markdown", "id": "intro", "metadata": map[string]any{},
				"source": "# Latent in the browser\nA dense autoencoder on Fashion-MNIST: its loss per epoch, then test images (top) and their reconstructions (bottom)."},
			{"cell_type": "code", "id": "train", "metadata": map[string]any{}, "source": trainingCell,
				"outputs": []any{}, "execution_count": nil},
		},
		"metadata": map[string]any{"kernelspec": map[string]any{
			"name": "not-installed", "display_name": "Choose a kernel", "language": "not-installed"}},
		"nbformat": 4, "nbformat_minor": 5,
	}
	b, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// requireTool skips t when name is not on PATH, and returns its path.
func requireTool(t *testing.T, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is required for the real-browser check (%s)", name, hint)
	}
	return p
}

// ensurePlaywright runs `npm ci` in dir when playwright-core is missing.
func ensurePlaywright(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err == nil {
		return
	}
	npm := requireTool(t, "npm", "apt-get install npm")
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("playwright-core is not installed and `npm ci --prefix tests/browser` failed (no registry access?): %v\n%s", err, out)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestNotebookInChromium runs a training cell on the Latent kernel in
// Jupyter Notebook in headless Chromium and checks that image outputs
// appear in the page.
func TestNotebookInChromium(t *testing.T) {
	node := requireTool(t, "node", "apt-get install nodejs")
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s is required for the real-browser check (apt-get install chromium)", chromium)
	}
	server := requireTool(t, "jupyter-notebook", "apt-get install jupyter-notebook")
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	ensurePlaywright(t, here)

	work := t.TempDir()
	if err := harness.IsolateJupyter(work); err != nil {
		t.Fatal(err)
	}
	bin, err := harness.BuildLatent(work)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := harness.Install(bin, filepath.Join(work, "prefix"))
	if err != nil {
		t.Fatal(err)
	}
	nbDir := filepath.Join(work, "notebooks")
	if err := os.MkdirAll(nbDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeNotebook(filepath.Join(nbDir, "autoencoder.ipynb")); err != nil {
		t.Fatal(err)
	}

	tok := make([]byte, 24)
	rand.Read(tok)
	token := hex.EncodeToString(tok)
	port := freePort(t)
	args := []string{"--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port), "--port-retries=0",
		"--notebook-dir=" + nbDir, "--NotebookApp.token=" + token, "--NotebookApp.password="}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	srv := exec.Command(server, args...)
	srvLog := &harness.SyncBuffer{}
	srv.Stdout, srv.Stderr = srvLog, srvLog
	srv.Env = append(os.Environ(), "JUPYTER_PATH="+ks.JupyterPath, "HOME="+filepath.Join(work, "home"), "BROWSER=true")
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	srvDone := make(chan struct{})
	go func() { srv.Wait(); close(srvDone) }()
	defer func() {
		// SIGTERM makes the server shut its kernels down; then make sure
		// nothing of its process group is left.
		srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-srvDone:
		case <-time.After(20 * time.Second):
			t.Errorf("jupyter-notebook ignored SIGTERM for 20 s")
		}
		syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
		<-srvDone
		if t.Failed() || testing.Verbose() {
			t.Logf("jupyter-notebook log:\n%s", srvLog.String())
		}
	}()

	start := time.Now()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitHTTP(base+"/api/kernelspecs?token="+token, 60*time.Second, srvDone); err != nil {
		t.Fatalf("jupyter-notebook did not come up: %v\n%s", err, srvLog.String())
	}
	if err := checkKernelspecListed(base, token, ks.Name); err != nil {
		t.Fatal(err)
	}
	t.Logf("jupyter-notebook answered after %v", time.Since(start).Round(time.Millisecond))

	shot := filepath.Join(work, "browser.png")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(here, "notebook.mjs"))
	cmd.Dir = here
	cmd.Env = append(os.Environ(),
		"LATENT_NB_URL="+base+"/notebooks/autoencoder.ipynb?token="+token,
		"LATENT_SCREENSHOT="+shot,
		"LATENT_USER_DATA_DIR="+filepath.Join(work, "chromium-profile"),
		"LATENT_CHROMIUM="+chromium,
		"LATENT_KERNEL="+ks.Name,
		"HOME="+filepath.Join(work, "home"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 10 * time.Second
	start = time.Now()
	runErr := cmd.Run()
	t.Logf("browser log (%v):\n%s", time.Since(start).Round(time.Millisecond), stderr.String())
	if runErr != nil {
		t.Fatalf("notebook.mjs: %v", runErr)
	}
	var res struct {
		Kernel string `json:"kernel"`
		Chose  string `json:"chose"`
		Images []struct {
			W int `json:"w"`
			H int `json:"h"`
		} `json:"images"`
		Errors  int     `json:"errors"`
		Seconds float64 `json:"seconds"`
	}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "RESULT "); ok {
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				t.Fatalf("bad RESULT line: %v", err)
			}
		}
	}
	if res.Kernel != ks.DisplayName {
		t.Errorf("kernel indicator shows %q, want %q", res.Kernel, ks.DisplayName)
	}
	if len(res.Images) < 2 {
		t.Errorf("want the loss plot and the reconstruction grid as images, got %d", len(res.Images))
	}
	for i, im := range res.Images {
		if im.W < 100 || im.H < 50 {
			t.Errorf("image %d is %dx%d: too small to be a figure", i, im.W, im.H)
		}
	}
	if res.Errors != 0 {
		t.Errorf("the cell shows %d error or stderr outputs", res.Errors)
	}
	t.Logf("kernel %q chosen through the %s; %d images; cell ran in %.1f s", res.Kernel, res.Chose, len(res.Images), res.Seconds)
	keepScreenshot(t, shot)
}

// waitHTTP polls url until it answers 200, the server exits, or d passes.
func waitHTTP(url string, d time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(d)
	client := &http.Client{Timeout: 5 * time.Second}
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("the server exited")
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				client.CloseIdleConnections()
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	client.CloseIdleConnections()
	return fmt.Errorf("no answer from %s within %v: %v", url, d, last)
}

// checkKernelspecListed asks the server's REST API whether it sees the
// kernelspec that the test installed.
func checkKernelspecListed(base, token, name string) error {
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Get(base + "/api/kernelspecs?token=" + token)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var specs struct {
		Kernelspecs map[string]any `json:"kernelspecs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&specs); err != nil {
		return fmt.Errorf("/api/kernelspecs: %v", err)
	}
	if _, ok := specs.Kernelspecs[name]; !ok {
		var names []string
		for n := range specs.Kernelspecs {
			names = append(names, n)
		}
		return fmt.Errorf("jupyter-notebook does not list the %q kernelspec (it lists %v): JUPYTER_PATH not honoured?", name, names)
	}
	return nil
}

// keepScreenshot copies the screenshot to $LATENT_ARTIFACTS/browser.png
// (default out/browser.png under the module root) and, with
// -update-screenshot, to docs/screenshot.png.
func keepScreenshot(t *testing.T, shot string) {
	t.Helper()
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot %s is not a PNG", shot)
	}
	root, err := harness.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("LATENT_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(root, "out")
	}
	dsts := []string{filepath.Join(dir, "browser.png")}
	if *updateScreenshot {
		dsts = append(dsts, filepath.Join(root, "docs", "screenshot.png"))
	}
	for _, dst := range dsts {
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", dst, len(b))
	}
}
