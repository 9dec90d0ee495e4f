"""Drives the latent kernel through jupyter_client and checks that gonum,
gonum/plot, the one-call plots and the standard library work in cells and
show themselves. Prints "ok NAME" per check; the first failure raises.
Run by tests/imports/imports_test.go.
"""
import base64

from jupyter_client.manager import start_new_kernel


def run(kc, code):
    msgs = []
    reply = kc.execute_interactive(code, timeout=120, output_hook=msgs.append)
    res = [m["content"]["data"] for m in msgs if m["msg_type"] == "execute_result"]
    out = "".join(m["content"]["text"] for m in msgs
                  if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")
    return reply["content"], (res[-1] if res else {}), out


def check(name, cond, *context):
    if not cond:
        raise AssertionError("FAIL %s: %s" % (name, " | ".join(repr(c)[:400] for c in context)))
    print("ok", name, flush=True)


def png(data):
    b = base64.b64decode(data.get("image/png", ""))
    return b.startswith(b"\x89PNG") and len(b) > 2000


def main():
    km, kc = start_new_kernel(kernel_name="latent", startup_timeout=60)
    try:
        r, d, _ = run(kc, 'import "gonum.org/v1/gonum/mat"\nmat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})')
        check("matrix shows as text and HTML", r["status"] == "ok" and "⎡1  2  3⎤" in d.get("text/plain", "")
              and "<table" in d.get("text/html", ""), r, d)

        r, d, _ = run(kc, 'import (\n"gonum.org/v1/plot"\n"gonum.org/v1/plot/plotter"\n"gonum.org/v1/plot/plotutil"\n)\n'
                          'p := plot.New()\np.Title.Text = "squares"\n'
                          'err := plotutil.AddLinePoints(p, "y", plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}, {X: 2, Y: 4}})\np')
        check("a *plot.Plot shows as PNG", r["status"] == "ok" and png(d), r, d.keys())

        r, d, _ = run(kc, 'import "gonum.org/v1/gonum/stat"\nstat.Mean([]float64{1, 2, 3, 6}, nil)')
        check("stat runs", d.get("text/plain") == "3", r, d)

        for call in ['plotting.Line(nil, []float64{1, 4, 9})', 'plotting.Scatter([]float64{1, 2}, []float64{2, 1})',
                     'plotting.Bar([]string{"a", "b"}, []float64{1, 2})', 'plotting.Hist([]float64{1, 2, 2, 3}, 0)']:
            r, d, _ = run(kc, call)
            check(call, r["status"] == "ok" and png(d), r, d.keys())

        r, d, _ = run(kc, 'plotting.Line([]float64{1}, []float64{1, 2})')
        check("bad plot input says what to do", "pass one x per y" in d.get("text/plain", ""), r, d)

        r, d, _ = run(kc, 'import "os/exec"\nout, _ := exec.Command("echo", "from exec").Output()\nstring(out)')
        check("os/exec", "from exec" in d.get("text/plain", ""), r, d)

        r, d, _ = run(kc, 'import "syscall"\nsyscall.Getpid() > 0')
        check("syscall", d.get("text/plain") == "true", r, d)

        r, d, out = run(kc, 'lg := log.New(os.Stdout, "a: ", 0)\nlg.SetPrefix("b: ")\nlg.Println("logged")')
        check("(*log.Logger).SetPrefix", "b: logged" in out, r, out)

        r, d, _ = run(kc, 'lg.Fatal("bye")')
        check("Logger.Fatal fails the cell", r["status"] == "error" and "bye" in r.get("evalue", ""), r)
        r, d, _ = run(kc, '1 + 1')
        check("the kernel lives on", d.get("text/plain") == "2", r, d)

        r, d, _ = run(kc, 'slices.IsSorted([]int{1, 2, 3})')
        check("slices.IsSorted", d.get("text/plain") == "true", r, d)

        r, d, out = run(kc, 'm := map[string]int{"b": 2, "a": 1}\nfmt.Println(slices.Sorted(maps.Keys(m)), slices.Max([]int{4, 9, 2}))')
        check("generic slices and maps", "[a b] 9" in out, r, out)

        r, d, _ = run(kc, 'import (\n"io/fs"\n"iter"\n)\n'
                          'func describe(err error) string { pe, ok := errors.AsType[*fs.PathError](err); return fmt.Sprint(ok, " ", pe.Op) }\n'
                          'func count(s iter.Seq[int]) int { n := 0; s(func(int) bool { n++; return true }); return n }\n'
                          '_, err := os.Open("/no/such/file")\ndescribe(err) + fmt.Sprint(" ", count(slices.Values([]int{1, 2})))')
        check("errors.AsType and iter", d.get("text/plain") == "true open 2", r, d)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
