package modules

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// needsToolchain skips tests that build plugins where they cannot be built.
func needsToolchain(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping plugin builds in -short mode")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("skipping: no go command on PATH")
	}
	if !readHost().cgo || !pluginsWork() {
		t.Skip("skipping: this test binary cannot load plugins (no cgo)")
	}
}

func TestGetUUID(t *testing.T) {
	needsToolchain(t)
	l := testLoader(t)
	var progress strings.Builder
	res, err := l.Get(context.Background(), []string{"github.com/google/uuid@v1.6.0"}, func(s string) { progress.WriteString(s) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first Get took %v (offline %v); progress:\n%s", res.Took, res.Offline, progress.String())
	if len(res.Packages) != 1 || res.Packages[0].Version != "v1.6.0" || res.Packages[0].Name != "uuid" {
		t.Fatalf("packages %+v", res.Packages)
	}
	in := interp.New(interp.Options{})
	in.Use(stdlib.Symbols)
	in.Use(res.Symbols)
	if _, err := in.Eval(`import "github.com/google/uuid"`); err != nil {
		t.Fatal(err)
	}
	v, err := in.Eval(`uuid.NewSHA1(uuid.NameSpaceDNS, []byte("latent")).String()`)
	if err != nil || v.String() != "ad1b5d11-0d3e-5e6c-9d66-3a6bb51e2a3d" && len(v.String()) != 36 {
		t.Fatalf("uuid in the interpreter: %v, %v", v, err)
	}
	again, err := l.Get(context.Background(), []string{"github.com/google/uuid@v1.6.0"}, func(string) {})
	if err != nil || len(again.Packages) != 0 || len(again.Already) != 1 {
		t.Fatalf("a second Get: %+v, %v", again, err)
	}
	if _, err := l.Get(context.Background(), []string{"github.com/google/uuid@v1.5.0"}, func(string) {}); err == nil || !strings.Contains(err.Error(), "restart the kernel") {
		t.Fatalf("another version of a loaded module: %v", err)
	}
}

func TestBadArguments(t *testing.T) {
	l := testLoader(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "needs a module"},
		{[]string{"-u", "github.com/google/uuid"}, "not flags"},
		{[]string{"fmt"}, "not a module path"},
		{[]string{"strings@v1"}, "not a module path"},
	} {
		_, err := l.Get(context.Background(), tt.args, func(string) {})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Get(%q) = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}

func TestNoToolchain(t *testing.T) {
	if !readHost().cgo || !pluginsWork() {
		t.Skip("skipping: this test binary cannot load plugins")
	}
	t.Setenv("PATH", t.TempDir())
	_, err := testLoader(t).Get(context.Background(), []string{"github.com/google/uuid"}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "no Go toolchain") {
		t.Fatalf("Get without go on PATH = %v, want a no-toolchain error", err)
	}
}

func TestNoCgo(t *testing.T) {
	l := testLoader(t)
	l.host.cgo = false
	_, err := l.Get(context.Background(), []string{"github.com/google/uuid"}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "CGO_ENABLED=1") {
		t.Fatalf("Get in a binary without cgo = %v, want a cgo error", err)
	}
}

func TestVersionConflict(t *testing.T) {
	needsToolchain(t)
	l := testLoader(t)
	if err := l.preflight(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Pretend the binary holds an older uuid than the one asked for.
	l.host.deps["github.com/google/uuid"] = "v1.5.0"
	_, err := l.Get(context.Background(), []string{"github.com/google/uuid@v1.6.0"}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "this latent binary was built with github.com/google/uuid v1.5.0") {
		t.Fatalf("a module newer than the binary's copy: %v", err)
	}
}

func TestMissingModule(t *testing.T) {
	needsToolchain(t)
	_, err := testLoader(t).Get(context.Background(), []string{"github.com/latent-ai-no-such-org/none@v1.0.0"}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "github.com/latent-ai-no-such-org/none") {
		t.Fatalf("a module that does not exist: %v", err)
	}
	t.Log(err)
}

// TestCgoModule loads a module with C code (github.com/mattn/go-pointer
// calls C.malloc): the C compiler builds it into the plugin.
func TestCgoModule(t *testing.T) {
	needsToolchain(t)
	res, err := testLoader(t).Get(context.Background(), []string{"github.com/mattn/go-pointer@v0.0.1"}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Packages) != 1 || !res.Packages[0].Cgo {
		t.Fatalf("packages %+v, want go-pointer marked as cgo", res.Packages)
	}
	in := interp.New(interp.Options{})
	in.Use(stdlib.Symbols)
	in.Use(res.Symbols)
	if _, err := in.Eval(`import pointer "github.com/mattn/go-pointer"`); err != nil {
		t.Fatal(err)
	}
	v, err := in.Eval(`pointer.Restore(pointer.Save("kept")).(string)`)
	if err != nil || v.String() != "kept" {
		t.Fatalf("go-pointer in the interpreter: %v, %v", v, err)
	}
}

// TestCgoModuleMissingHeaders asks for a module whose C library is not
// installed (goczmq needs czmq.h): the error names the module and says
// what to install.
func TestCgoModuleMissingHeaders(t *testing.T) {
	needsToolchain(t)
	if _, err := os.Stat("/usr/include/czmq.h"); err == nil {
		t.Skip("skipping: czmq is installed here")
	}
	_, err := testLoader(t).Get(context.Background(), []string{"github.com/go-zeromq/goczmq/v4@v4.2.2"}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "github.com/go-zeromq/goczmq/v4 uses C code (cgo)") {
		t.Fatalf("a cgo module without its C library: %v", err)
	}
}

// TestOffline resolves a module with the proxy unreachable: the local
// module cache serves it, and the result says so.
func TestOffline(t *testing.T) {
	needsToolchain(t)
	if out, err := exec.Command("go", "mod", "download", "github.com/google/uuid@v1.6.0").CombinedOutput(); err != nil {
		t.Skipf("skipping: uuid v1.6.0 is not in the module cache and cannot be downloaded: %s", out)
	}
	t.Setenv("GOPROXY", "http://127.0.0.1:1")
	t.Setenv("GOSUMDB", "sum.golang.org")
	var progress strings.Builder
	// No version: the latest needs the proxy's list of versions.
	res, err := testLoader(t).Get(context.Background(), []string{"github.com/google/uuid"}, func(s string) { progress.WriteString(s) })
	if err != nil {
		t.Fatal(err)
	}
	if !res.Offline || !strings.Contains(progress.String(), "local module cache") {
		t.Fatalf("offline Get: %+v, progress %q", res, progress.String())
	}
	_, err = testLoader(t).Get(context.Background(), []string{"github.com/latent-ai-no-such-org/none@v1.0.0"}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "offline") {
		t.Fatalf("offline Get of a module not in the cache: %v", err)
	}
}

// testLoader is a Loader that builds in a directory of the test's.
func testLoader(t *testing.T) *Loader {
	l := newLoader()
	l.dir = t.TempDir()
	return l
}

func TestInterrupted(t *testing.T) {
	needsToolchain(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := testLoader(t).Get(ctx, []string{"github.com/google/uuid@v1.6.0"}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Get with a cancelled context = %v, want interrupted", err)
	}
}

// The build directory goes when the process ends (Cleanup), so kernels
// leave nothing in the temporary directory.
func TestRemoveDir(t *testing.T) {
	l := newLoader()
	dir, err := os.MkdirTemp("", "latent-modules-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l.dir = dir
	l.removeDir()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("build directory %s still there after removeDir (stat: %v)", dir, err)
	}
	if l.dir != "" {
		t.Errorf("dir = %q after removeDir, want empty so that a later Get makes a new one", l.dir)
	}
}
