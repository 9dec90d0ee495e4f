"""Drives the latent kernel through jupyter_client as a frontend does:
input over stdin, interrupt_request (the kernelspec's interrupt_mode is
message) on a busy loop, a second client attaching after the first left
(a browser reload) and finding the state intact, a restart, and SIGTERM
during a running cell, which must end the process cleanly."""
import signal
import sys
import time

from jupyter_client.manager import start_new_kernel


def run(kc, code, outputs=None, **kw):
    out = [] if outputs is None else outputs
    reply = kc.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(m), **kw)
    text = "".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream")
    return reply["content"], text


def interrupt_busy_loop(kc, interrupt):
    msg_id = kc.execute("for {}")
    time.sleep(0.5)
    t0 = time.monotonic()
    interrupt()
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    assert reply["content"]["status"] == "error", reply["content"]
    return time.monotonic() - t0, reply["content"]["ename"]


km, kc = start_new_kernel(kernel_name="latent")
try:
    assert km.kernel_spec.interrupt_mode == "message", km.kernel_spec.interrupt_mode

    c, text = run(kc, 'var name string\nfmt.Scanln(&name)\nfmt.Println("hello", name)',
                  allow_stdin=True, stdin_hook=lambda m: kc.input("gopher"))
    assert c["status"] == "ok" and "hello gopher" in text, (c, text)

    c, text = run(kc, 'var n string\n_, err := fmt.Scanln(&n)\nfmt.Println(err != nil)', allow_stdin=False)
    assert "true" in text, (c, text)

    for how, interrupt in [("interrupt_request", km.interrupt_kernel),
                           ("SIGINT", lambda: km.signal_kernel(signal.SIGINT))]:
        took, ename = interrupt_busy_loop(kc, interrupt)
        print(f"{how} stopped `for {{}}` after {took:.3f}s: {ename}")
        c, text = run(kc, 'fmt.Println("after interrupt")')
        assert c["status"] == "ok" and "after interrupt" in text, (how, c, text)

    out = []
    c, _ = run(kc, 'display.ShowWithID("progress", display.Text("step 1"))\n'
                   'display.Update("progress", display.Text("step 2"))', outputs=out)
    kinds = [(m["msg_type"], m["content"].get("transient", {}).get("display_id")) for m in out
             if m["msg_type"] in ("display_data", "update_display_data")]
    assert kinds == [("display_data", "progress"), ("update_display_data", "progress")], (c, kinds)

    run(kc, "x := 41")
    kc.stop_channels()
    kc = km.client()  # a new client, as after a browser reload
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    c, _ = run(kc, "x + 1")
    assert c["status"] == "ok", ("state lost when the client reconnected", c)

    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=60)
    c, _ = run(kc, "x + 1")
    assert c["status"] == "error", ("state survived a restart", c)
    c, text = run(kc, 'fmt.Println("after restart")')
    assert c["status"] == "ok" and "after restart" in text, (c, text)

    kc.execute("for {}")
    time.sleep(0.5)
    km.signal_kernel(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while km.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not km.is_alive(), "kernel still running 10 s after SIGTERM during a cell"
    code = km.provisioner.process.returncode
    assert code == 0, f"exit code {code} after SIGTERM"
    print("stdin, interrupt, reconnect, restart and SIGTERM during a cell: ok")
finally:
    kc.stop_channels()
    if km.is_alive():
        km.shutdown_kernel(now=False)
        if km.is_alive():
            sys.exit("kernel still alive after shutdown_kernel")
