"""Drives the latent kernel through jupyter_client and checks the notebook
tools (!cmd, %%bash, %%writefile, %cd, %pwd, %lsmagic, %history, %load,
name?, %help) and module import (%go get, import of an unknown path).

Each check prints "ok NAME"; timings print as "time NAME SECONDS". The
first failure raises. Run by tests/tools/tools_test.go with the working
directory set to a scratch directory.
"""
import os
import sys
import time
import uuid

from jupyter_client.manager import start_new_kernel


class Cell:
    def __init__(self, reply, msgs):
        self.reply = reply
        self.msgs = msgs
        self.status = reply["status"]
        self.ename = reply.get("ename", "")
        self.evalue = reply.get("evalue", "")
        self.payload = reply.get("payload", [])
        self.streams = [m["content"] for m in msgs if m["msg_type"] == "stream"]
        self.stdout = "".join(s["text"] for s in self.streams if s["name"] == "stdout")
        self.stderr = "".join(s["text"] for s in self.streams if s["name"] == "stderr")
        res = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.result = res[-1]["content"]["data"].get("text/plain") if res else None

    def __repr__(self):
        return "status=%s ename=%s evalue=%r result=%r stdout=%r stderr=%r payload=%r" % (
            self.status, self.ename, self.evalue[:400], self.result, self.stdout[:400], self.stderr[:600],
            str(self.payload)[:300])


def run(kc, code, timeout=60):
    msgs = []
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=msgs.append)
    return Cell(reply["content"], msgs)


def check(name, cond, *context):
    if not cond:
        raise AssertionError("FAIL %s: %s" % (name, " | ".join(repr(c) for c in context)))
    print("ok", name, flush=True)


def kernel():
    return start_new_kernel(kernel_name="latent", startup_timeout=60)


def magics(km, kc):
    c = run(kc, "!echo hi; echo oops >&2; exit 3")
    check("shell line", c.status == "ok" and c.stdout == "hi\n" and "oops" in c.stderr and "exit status 3" in c.stderr, c)

    c = run(kc, "!echo first; sleep 1; echo second")
    texts = [s["text"] for s in c.streams if s["name"] == "stdout"]
    check("shell output streamed", len(texts) >= 2 and texts[0] == "first\n", texts)

    c = run(kc, "// a comment first\n%%bash\nfor i in 1 2 3; do echo line $i; done\n[[ 1 == 1 ]] && echo bash")
    check("%%bash after a comment", c.status == "ok" and c.stdout == "line 1\nline 2\nline 3\nbash\n", c)
    c = run(kc, "%%sh\necho from sh; exit 5")
    check("%%sh failing is an error", c.status == "error" and "exited with status 5" in c.evalue and "from sh" in c.stdout, c)

    c = run(kc, "%%writefile helper.go\nfunc triple(v int) int { return 3 * v }\n")
    check("%%writefile", c.status == "ok" and "Writing helper.go" in c.stdout and
          open("helper.go").read() == "func triple(v int) int { return 3 * v }\n", c)
    c = run(kc, "%%writefile -a helper.go\nvar loaded = true\n")
    check("%%writefile -a", c.status == "ok" and "Appending to helper.go" in c.stdout and "loaded" in open("helper.go").read(), c)
    c = run(kc, "%%writefile\nno name")
    check("%%writefile without a file", c.status == "error" and "needs a file name" in c.evalue, c)

    c = run(kc, "%load helper.go")
    loads = [p for p in c.payload if p.get("source") == "set_next_input"]
    check("%load payload", c.status == "ok" and len(loads) == 1 and loads[0]["replace"] is True and
          loads[0]["text"].startswith("// %load helper.go\nfunc triple"), c)
    c = run(kc, loads[0]["text"])
    c2 = run(kc, "triple(14)")
    check("the loaded cell runs", c.status == "ok" and c2.result == "42", c, c2)
    c = run(kc, "%load nope.go")
    check("%load of a missing file", c.status == "error" and "nope.go" in c.evalue, c)

    here = os.getcwd()
    os.mkdir("sub")
    c = run(kc, "%cd sub\n%pwd")
    check("%cd and %pwd", c.status == "ok" and c.result == os.path.join(here, "sub"), c)
    c = run(kc, "!pwd")
    check("shell lines follow %cd", c.stdout.strip() == os.path.join(here, "sub"), c)
    c = run(kc, "%cd -")
    check("%cd -", c.status == "ok" and c.stdout.strip() == here, c)
    c = run(kc, "%cd /no/such/dir")
    check("%cd to nowhere", c.status == "error" and "no such file or directory" in c.evalue, c)

    c = run(kc, "%lsmagic")
    check("%lsmagic", all(m in c.stdout for m in ("%cd", "%pwd", "%%bash", "%%writefile", "%go", "%history", "%load")), c)
    c = run(kc, "%history -n -l 2")
    check("%history", c.status == "ok" and "%lsmagic" in c.stdout and "%history -n -l 2" in c.stdout, c)

    c = run(kc, "strings.Fields?")
    pages = [p for p in c.payload if p.get("source") == "page"]
    check("name? answers with the pager", c.status == "ok" and len(pages) == 1 and
          "Fields splits" in pages[0]["data"]["text/plain"] and pages[0]["start"] == 0 and c.stdout == "", c)
    c = run(kc, "triple??")
    pages = [p for p in c.payload if p.get("source") == "page"]
    check("name?? pages the source", len(pages) == 1 and "return 3 * v" in pages[0]["data"]["text/plain"], c)
    c = run(kc, "%help Fit")
    check("%help by part of a name", c.status == "ok" and "Fit(" in c.stdout and "FitE" in c.stdout, c)
    c = run(kc, "%help zzzNoSuchThing")
    check("%help with no match", c.status == "error" and "no help" in c.evalue, c)

    # Interrupt stops a running shell command and its children.
    interrupt(km, kc, "!echo started; sleep 60 & sleep 60; echo never", "interrupt stops !cmd")
    interrupt(km, kc, "%%bash\necho started\nsleep 60\necho never", "interrupt stops %%bash")
    c = run(kc, "1 + 1")
    check("kernel alive after the interrupt", c.result == "2", c)


def interrupt(km, kc, code, name):
    """Runs code, interrupts it once it printed "started", and checks that
    the cell ends with an interrupted error and prints nothing more."""
    kc.execute(code)
    t0 = time.time()
    while time.time() - t0 < 30:
        m = kc.get_iopub_msg(timeout=30)
        if m["msg_type"] == "stream" and "started" in m["content"]["text"]:
            break
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=30)
    check(name, reply["content"]["status"] == "error" and "interrupted" in reply["content"]["evalue"], reply["content"])


def go_get(km, kc):
    run(kc, "x := 42")
    t0 = time.time()
    c = run(kc, "%go get github.com/google/uuid@v1.6.0", timeout=600)
    took = time.time() - t0
    print("time first-go-get %.1f" % took, flush=True)
    check("%go get", c.status == "ok" and 'import "github.com/google/uuid"' in c.stdout, c)
    want = str(uuid.uuid5(uuid.NAMESPACE_DNS, "latent"))
    c = run(kc, 'import "github.com/google/uuid"\nuuid.NewSHA1(uuid.NameSpaceDNS, []byte("latent")).String()')
    check("module is compiled and importable", c.status == "ok" and c.result.strip('"') == want, c, want)
    c = run(kc, "x")
    check("variables survive %go get", c.result == "42", c)
    msg_id = kc.complete("uuid.NewS", 9)
    rep = kc.get_shell_msg(timeout=30)["content"]
    check("completion of a module's names", any("NewSHA1" in m for m in rep["matches"]), rep)
    c = run(kc, "%help uuid.")
    check("%help lists a module's names", c.status == "ok" and "NewSHA1" in c.stdout and "MustParse" in c.stdout, c)
    c = run(kc, "%help NewSHA")
    check("%help searches modules", c.status == "ok" and "uuid.NewSHA1" in c.stdout, c)
    c = run(kc, "uuid.NewString?")
    pages = [p for p in c.payload if p.get("source") == "page"]
    check("name? on a module symbol", len(pages) == 1 and "func() string" in pages[0]["data"]["text/plain"], c)
    c = run(kc, "%go get github.com/google/uuid@v1.5.0", timeout=300)
    check("another version of a loaded module", c.status == "error" and "restart the kernel" in c.evalue, c)
    c = run(kc, "%go get fmt")
    check("%go get of a standard package", c.status == "error" and "not a module path" in c.evalue, c)
    c = run(kc, "%go get github.com/latent-ai-no-such-org/no-such-module@v1.0.0", timeout=300)
    check("%go get of a missing module", c.status == "error" and c.ename == "ModuleError" and
          "github.com/latent-ai-no-such-org/no-such-module" in c.evalue, c)
    c = run(kc, "%go build")
    check("%go other than get", c.status == "error" and "!go" in c.evalue, c)
    c = run(kc, "%reset\nimport \"github.com/google/uuid\"\nint(uuid.Must(uuid.Parse(\"" + want + "\")).Version())")
    check("modules stay loaded after %reset", c.status == "ok" and c.result == "5" and "not built into" not in c.stderr, c)


def import_unknown(km, kc):
    t0 = time.time()
    c = run(kc, 'import "github.com/google/uuid"\nuuid.MustParse("' + str(uuid.UUID(int=7)) + '").String()', timeout=600)
    print("time repeat-import %.1f" % (time.time() - t0), flush=True)
    check("import of an unknown path fetches it with a notice", c.status == "ok" and "not built into Latent" in c.stderr and
          c.result.strip('"') == str(uuid.UUID(int=7)), c)


def main():
    which = sys.argv[1:] or ["magics", "go_get", "import_unknown"]
    for name in which:
        km, kc = kernel()
        try:
            globals()[name](km, kc)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
