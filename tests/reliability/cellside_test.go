package reliability

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cellCases are cells that, before issue 13, ended the kernel or gave a
// false error. Each must give its report (want) and leave the session
// alive with its state.
var cellCases = []struct{ name, code, status, want string }{
	{"append-loop", "func() { var g []int64; for { g = append(g, 1) } }()", "error", "out of memory"},
	{"growing-map", "func() { m := map[int]int{}; for i := 0; ; i++ { m[i] = i } }()", "error", "out of memory"},
	{"strings-repeat", `s := strings.Repeat("x", 1<<40)` + "\nfmt.Println(len(s))", "error", "out of memory"},
	{"bytes-repeat", `b := bytes.Repeat([]byte("ab"), 1<<40)` + "\nfmt.Println(len(b))", "error", "out of memory"},
	{"sample-huge", "v := ae.Variational(16, 8, 2)\nv.Sample(1 << 40)", "error", "out of memory"},
	{"interpolate-huge", "v2 := ae.Variational(16, 8, 2)\nv2.Interpolate(make([]float32, 16), make([]float32, 16), 1<<40)", "error", "out of memory"},
	{"new-huge-array", "p := new([1 << 40]byte)\nfmt.Println(len(p))", "error", "out of memory"},
	{"var-huge-array", "var ga [1 << 20][1 << 20]int64\nfmt.Println(len(ga))", "error", "out of memory"},
	{"literal-huge-array", "la := [1 << 40]byte{}\nfmt.Println(len(la))", "error", "out of memory"},
	{"make-struct-elements", "type rec1k struct{ data [128]float64 }\nrs := make([]rec1k, 10_000_000)\nfmt.Println(len(rs))", "error", "out of memory"},
	{"make-array-elements", "ra := make([][1024]byte, 10_000_000)\nfmt.Println(len(ra))", "error", "out of memory"},
	{"builder-grow", "var sb strings.Builder\nsb.Grow(1 << 40)", "error", "out of memory"},
	{"buffer-grow", "var bb bytes.Buffer\nbb.Grow(1 << 40)", "error", "out of memory"},
	{"time-afterfunc", `time.AfterFunc(time.Millisecond, func() { panic("boom-afterfunc") })` + "\ntime.Sleep(300 * time.Millisecond)", "error", "boom-afterfunc"},
	{"context-afterfunc", "ctx, cancel := context.WithCancel(context.Background())\n" + `context.AfterFunc(ctx, func() { panic("boom-ctx") })` + "\ncancel()\ntime.Sleep(300 * time.Millisecond)", "error", "boom-ctx"},
	{"waitgroup-go", "var wg sync.WaitGroup\n" + `wg.Go(func() { panic("boom-wg") })` + "\nwg.Wait()\ntime.Sleep(100 * time.Millisecond)", "error", "boom-wg"},
	{"http-handler", `http.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) { panic("boom-http") })` + "\n" +
		`l, _ := net.Listen("tcp", "127.0.0.1:0")` + "\ngo func() { http.Serve(l, nil) }()\n" +
		`resp, err := http.Get("http://" + l.Addr().String() + "/boom")` + "\nfmt.Println(err, resp.StatusCode)\ntime.Sleep(100 * time.Millisecond)", "error", "boom-http"},
	{"blocked-goroutines", "ch := make(chan int)\nfunc wait1(c chan int) { <-c }\nfunc spawn(c chan int) { wait1(c) }\n" +
		"for i := 0; i < 25000; i++ { go spawn(ch) }\ntime.Sleep(time.Second)\n" +
		"func fib(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nfmt.Println(fib(15))\nclose(ch)", "ok", "610"},
	{"load-huge-wrong-file", `_, err1 := ae.LoadE(HUGE)` + "\nfmt.Println(err1)", "ok", "not a Latent model file"},
	{"load-dev-zero", `_, err2 := ae.LoadE("/dev/zero")` + "\nfmt.Println(err2)", "ok", "not a Latent model file"},
	{"csv-dev-zero", `_, err3 := data.LoadCSV("/dev/zero", data.CSVOptions{})` + "\nfmt.Println(err3)", "ok", "NUL byte"},
	{"fit-and-fit", "tr := data.TimeSeries(512, 16, 0, 1)\nm := ae.Dense(16, 8, 4)\ndone := make(chan error)\nfctx, stop := context.WithCancel(context.Background())\n" +
		"go func() { _, err := m.FitE(tr, ae.Epochs(1000000), ae.Quiet(), ae.Context(fctx)); done <- err }()\ntime.Sleep(300 * time.Millisecond)\n" +
		"_, err4 := m.FitE(tr, ae.Epochs(1), ae.Quiet())\nfmt.Println(err4)\nrec := m.Reconstruct(tr)\nstop()\nfmt.Println(<-done, rec.MSE > 0)", "ok", "being trained by another Fit"},
}

// TestCellHardening runs cellCases on one kernel whose memory limit is
// 512 MiB. Its address space is capped at 4 GiB too, so that a runaway
// cell on a kernel without the watchdog dies there instead of taking the
// machine's memory.
func TestCellHardening(t *testing.T) {
	k := startKernel(t, kernelOpts{env: []string{"LATENT_MEMORY_LIMIT=512MiB"}})
	if out, err := exec.Command("prlimit", "--pid", strconv.Itoa(k.pid()), "--as=4294967296").CombinedOutput(); err != nil {
		t.Skipf("cannot cap the kernel's address space (util-linux prlimit): %v: %s", err, out)
	}
	huge := filepath.Join(k.dir, "huge.bin")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(30 << 30); err != nil {
		t.Skipf("no sparse files: %v", err)
	}
	f.Close()
	k.exec("alive := 0")
	for i, c := range cellCases {
		code := strings.ReplaceAll(c.code, "HUGE", strconv.Quote(huge))
		res, err := k.tryScenario("exec", 3*time.Minute, "--code", code)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		text, _ := res["text"].(string)
		if res["status"] != c.status || !strings.Contains(text, c.want) {
			t.Errorf("%s: status %v, want %s with %q:\n%s", c.name, res["status"], c.status, c.want, tail(text, 600))
		}
		res, err = k.tryScenario("exec", time.Minute, "--code", "alive++\nfmt.Println(\"alive\", alive)")
		if err != nil || strings.TrimSpace(res["stdout"].(string)) != "alive "+strconv.Itoa(i+1) {
			t.Fatalf("after %s the session lost its state or died: %v %v", c.name, res, err)
		}
	}
	rss, _, _ := procStatus(k.pid())
	t.Logf("%d hostile cells, session alive with its state; RSS at the end %d MiB", len(cellCases), rss>>10)
}

// TestGoroutineGrowthStopped checks Go's soft memory limit (90% of the
// session's) and starts, under a 512 MiB limit, a goroutine
// that outlives its cell and grows the heap without end: the watchdog must
// stop it between cells, the next cell reports "out of memory", and the
// session keeps its state.
func TestGoroutineGrowthStopped(t *testing.T) {
	k := startKernel(t, kernelOpts{env: []string{"LATENT_MEMORY_LIMIT=512MiB"}})
	if out, err := exec.Command("prlimit", "--pid", strconv.Itoa(k.pid()), "--as=4294967296").CombinedOutput(); err != nil {
		t.Skipf("cannot cap the kernel's address space (util-linux prlimit): %v: %s", err, out)
	}
	soft := 0.9
	if res := k.exec("fmt.Println(debug.SetMemoryLimit(-1))"); strings.TrimSpace(res["stdout"].(string)) != strconv.Itoa(int(float64(512<<20)*soft)) {
		t.Errorf("Go's soft memory limit is %v, want 90%% of LATENT_MEMORY_LIMIT", res["stdout"])
	}
	k.exec("kept := 41\ngo func() { var g [][]byte; for { g = append(g, make([]byte, 1<<16)) } }()")
	var text string
	for i := 0; i < 60 && !strings.Contains(text, "out of memory"); i++ {
		time.Sleep(500 * time.Millisecond)
		res, err := k.tryScenario("exec", time.Minute, "--code", "kept++")
		if err != nil || k.exited() {
			t.Fatalf("the kernel died: %v", err)
		}
		text, _ = res["text"].(string)
	}
	if !strings.Contains(text, "out of memory") {
		t.Fatalf("the growing goroutine was not reported:\n%s", tail(text, 600))
	}
	res := k.exec("fmt.Println(kept > 41, runtime.NumGoroutine() < 100)")
	if strings.TrimSpace(res["stdout"].(string)) != "true true" {
		t.Fatalf("the session lost its state: %v", res)
	}
	rss, _, _ := procStatus(k.pid())
	t.Logf("the growing goroutine was stopped and reported (between cells: %v); RSS after it %d MiB", strings.Contains(text, "goroutines that earlier cells"), rss>>10)
}

// TestHeartbeatDuringLoad pings the heartbeat every 50 ms while a cell
// loads a 100 MB CSV file: no ping may go unanswered for 5 s.
func TestHeartbeatDuringLoad(t *testing.T) {
	k := startKernel(t, kernelOpts{})
	path := filepath.Join(k.dir, "big.csv")
	var b strings.Builder
	row := strings.Repeat("0.123456,", 63) + "0.5\n"
	for b.Len() < 100<<20 {
		b.WriteString(row)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	res := k.runScenario("load-heartbeat", 10*time.Minute, "--code", path)
	t.Logf("a 100 MB CSV loaded in %.1f s; %v pings answered, %v missed, slowest %.3f s", res.num("load_s"), res["pings"], res["missed"], res.num("max_rtt_s"))
	if res.num("missed") > 0 {
		t.Errorf("%v heartbeats went unanswered during the load", res["missed"])
	}
}
