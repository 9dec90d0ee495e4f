"""Drives the latent kernel through jupyter_client and checks the notebook
session's rules over the real protocol: cell splitting, re-imports,
redefinition, results, goroutine panics, log.Panic, interrupts, stdin, an
output flood, completion, inspection, is_complete and every magic.

Each check prints one line "ok NAME"; the first failure raises with the
messages that were seen. Run by tests/dsl/protocol_test.go.
"""
import sys
import time

from jupyter_client.manager import start_new_kernel


class Cell:
    """The outcome of one execute_request."""

    def __init__(self, reply, msgs):
        self.reply = reply
        self.msgs = msgs
        self.status = reply["status"]
        self.ename = reply.get("ename", "")
        self.evalue = reply.get("evalue", "")
        self.stdout = "".join(m["content"]["text"] for m in msgs
                              if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")
        self.stderr = "".join(m["content"]["text"] for m in msgs
                              if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
        res = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.result = res[-1]["content"]["data"].get("text/plain") if res else None
        self.errors = [m["content"] for m in msgs if m["msg_type"] == "error"]
        self.displays = [m for m in msgs if m["msg_type"] in ("display_data", "update_display_data")]

    def __repr__(self):
        return "status=%s ename=%s evalue=%r result=%r stdout=%r stderr=%r" % (
            self.status, self.ename, self.evalue[:300], self.result, self.stdout[:300], self.stderr[:300])


def run(kc, code, timeout=60, **kw):
    msgs = []
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=msgs.append, **kw)
    return Cell(reply["content"], msgs)


def check(name, cond, *context):
    if not cond:
        raise AssertionError("FAIL %s: %s" % (name, " | ".join(repr(c) for c in context)))
    print("ok", name, flush=True)


def main():
    km, kc = start_new_kernel(kernel_name="latent", startup_timeout=60)
    try:
        checks(km, kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def checks(km, kc):
    c = run(kc, 'x := 20\nfunc twice(v int) int { return 2 * v }\nimport "strings"\nstrings.Repeat("-", 2) + fmt.Sprint(twice(x) + 2)')
    check("mixed cell", c.status == "ok" and c.result == "--42", c)

    c = run(kc, 'import "strings"\nimport (\n\t"math"\n\t"strings"\n)\nstrings.ToUpper("ok") + fmt.Sprint(math.Floor(1.5))')
    check("re-import is a no-op", c.status == "ok" and c.result == "OK1", c)

    c = run(kc, "y := 5")
    check("statement shows nothing", c.status == "ok" and c.result is None, c)
    c = run(kc, "y * 2")
    check("last expression is the result", c.result == "10", c)
    c = run(kc, 'fmt.Println("printed")')
    check("fmt.Println streams and shows no result", c.stdout == "printed\n" and c.result is None, c)

    run(kc, "func base() int { return 1 }\nfunc caller() int { return base() * 10 }")
    run(kc, "func base() int { return 2 }")
    c = run(kc, "caller()")
    check("function redefinition seen by an earlier caller", c.result == "20", c)

    run(kc, "type Shape struct{ W int }\nfunc area(s Shape) string { return fmt.Sprintf(\"%+v\", s) }")
    c = run(kc, "type Shape struct{ W, H int }\narea(Shape{2, 3})")
    check("type redefinition seen by an earlier caller", c.result == "{W:2 H:3}", c)

    run(kc, "type Dog struct{}\nfunc (Dog) Sound() string { return \"woof\" }\nfunc speak(d Dog) string { return d.Sound() }\nrex := Dog{}")
    run(kc, "func (Dog) Sound() string { return \"WOOF\" }")
    c = run(kc, "speak(rex)")
    check("method redefinition seen by an earlier caller", c.result == "WOOF", c)
    c = run(kc, "x")
    check("variables survive a redefinition", c.result == "20", c)

    c = run(kc, 'import "time"\ngo func() { panic("goroutine boom") }()\ntime.Sleep(200 * time.Millisecond)')
    check("goroutine panic is an error, not a crash", c.status == "error" and c.ename == "GoroutinePanic" and "goroutine boom" in c.evalue, c)
    c = run(kc, "1 + 1")
    check("kernel alive after goroutine panic", c.result == "2", c)

    c = run(kc, 'import "log"\nlog.Panic("log panic")')
    check("log.Panic inside yaegi", c.status == "error" and "log panic" in c.evalue and "log panic" in c.stderr, c)

    c = run(kc, "var s []int\ns[3] = 1")
    check("panic names its line", c.status == "error" and c.ename == "runtime error" and "line 2" in c.evalue, c)
    c = run(kc, "z := 1\nw := z + \"s\"")
    check("compile error names its line", c.status == "error" and "line 2:" in c.evalue, c)
    check("error output carries the traceback", c.errors and c.errors[0]["traceback"], c)

    c = run(kc, "for i := range 3 { fmt.Print(i) }\nmin(4, 2)")
    check("range over int and min", c.stdout == "012" and c.result == "2", c)

    # Interrupt a busy loop: state survives.
    run(kc, "kept := 7\nn := 0")
    msg_id = kc.execute("for {\n\tn++\n}")
    time.sleep(0.5)
    t0 = time.monotonic()
    km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    took = time.monotonic() - t0
    check("interrupt stops a busy loop", reply["content"]["status"] == "error" and reply["content"]["ename"] == "Interrupted", reply["content"])
    print("  interrupt answered in %.0f ms" % (took * 1000))
    c = run(kc, "kept + 0*n")
    check("state survives an interrupt", c.result == "7", c)

    # stdin
    c = run(kc, 'var name string\nfmt.Scanln(&name)\n"hello " + name', allow_stdin=True,
            stdin_hook=lambda msg: kc.input("gopher"))
    check("stdin through input_request", c.result == "hello gopher", c)
    c = run(kc, '_, err := fmt.Scanln(&name)\nerr != nil', allow_stdin=False)
    check("stdin refused clearly when not allowed", c.result == "true" and "does not accept input" in c.stderr, c)

    # 100 MB flood.
    t0 = time.monotonic()
    c = run(kc, 'flood := strings.Repeat("y", 1<<20)\nfor i := 0; i < 100; i++ { fmt.Print(flood) }\nfmt.Print("END-OF-FLOOD")', timeout=120)
    took = time.monotonic() - t0
    streams = [m for m in c.msgs if m["msg_type"] == "stream"]
    check("100 MB print is bounded", len(c.stdout) < 2 << 20 and "truncated" in c.stdout and c.stdout.endswith("END-OF-FLOOD"), len(c.stdout), c.stdout[-200:])
    print("  flood: %d bytes in %d stream messages, %.1f s" % (len(c.stdout), len(streams), took))
    t0 = time.monotonic()
    c = run(kc, "3")
    check("responsive after the flood", c.result == "3", c)

    # Completion and inspection.
    run(kc, "type Point struct{ X, Y float64 }\npt := Point{1, 2}")
    rep = kc.complete("ae.De", 5, reply=True)["content"]
    check("complete package member", "Dense" in rep["matches"] and rep["cursor_start"] == 3 and rep["cursor_end"] == 5, rep)
    rep = kc.complete("pt.", 3, reply=True)["content"]
    check("complete fields of a variable", "X" in rep["matches"] and "Y" in rep["matches"], rep)
    code = 'é := 1; ke'
    rep = kc.complete(code, len(code), reply=True)["content"]
    check("complete counts code points", "kept" in rep["matches"] and rep["cursor_start"] == len(code) - 2, rep)
    rep = kc.inspect("fmt.Println", 6, reply=True)["content"]
    check("inspect stdlib symbol", rep["found"] and "Println" in rep["data"]["text/plain"], rep)
    rep = kc.inspect("ae.Dense", 4, reply=True)["content"]
    check("inspect preloaded symbol", rep["found"] and "func Dense" in rep["data"]["text/plain"], rep)
    rep = kc.inspect("kept", 2, reply=True)["content"]
    check("inspect variable", rep["found"] and "kept int = 7" in rep["data"]["text/plain"], rep)
    for code, want in [("x := 1", "complete"), ("func f() {", "incomplete"), ("x := )", "invalid")]:
        kc.is_complete(code)
        rep = kc.get_shell_msg(timeout=10)["content"]
        check("is_complete %r" % code, rep["status"] == want, rep)

    # Magics.
    c = run(kc, "%help")
    check("%help", "ae:" in c.stdout and "display" in c.stdout, c)
    c = run(kc, "%help ae.Dense")
    check("%help NAME", "func Dense" in c.stdout, c)
    c = run(kc, "%who")
    check("%who", "kept" in c.stdout and "int" in c.stdout, c)
    c = run(kc, "%time kept * 2")
    check("%time", c.result == "14" and "time:" in c.stdout, c)
    c = run(kc, "%%time\nkept * 3")
    check("%%time", c.result == "21" and "time:" in c.stdout, c)
    c = run(kc, "%env LATENT_DSL_TEST=on")
    c = run(kc, 'import "os"\nos.Getenv("LATENT_DSL_TEST")')
    check("%env", c.result == "on", c)
    c = run(kc, "%frobnicate")
    check("unknown magic", c.status == "error" and "%help" in c.evalue, c)
    c = run(kc, "%reset")
    c = run(kc, "kept")
    check("%reset", c.status == "error" and "undefined" in c.evalue, c)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
