"""An interrupt during Fit, a read of standard input or time.Sleep ends the
cell at that statement: Fit's history is kept (h := m.Fit(...) assigns h),
and no later statement of the cell runs (it used to, when Fit returned
before the kernel had stopped the interpreter)."""
import os
import queue
import tempfile
import time

from jupyter_client.manager import start_new_kernel

marker = os.path.join(tempfile.mkdtemp(), "ran.txt")


def run(kc, km, code, interrupt_after=None, timeout=120):
    msg_id = kc.execute(code, allow_stdin=False)
    t0 = time.monotonic()
    interrupted = False
    errors = []
    while True:
        if interrupt_after is not None and not interrupted and time.monotonic() - t0 > interrupt_after:
            km.interrupt_kernel()
            interrupted = True
        try:
            m = kc.get_iopub_msg(timeout=0.1)
        except queue.Empty:
            assert time.monotonic() - t0 < timeout, ("timeout", code)
            continue
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "error":
            errors.append(m["content"]["ename"])
        if m["msg_type"] == "execute_result":
            return m["content"]["data"]["text/plain"], errors
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return None, errors


km, kc = start_new_kernel(kernel_name="latent")
try:
    run(kc, km, 'import "os"\ntrain, _ := data.FashionMNIST()\ntrain = train.Take(2000)\nm := ae.Dense(784, 64)\nx := 0')
    cells = [
        'x = 0\nh := m.Fit(train, ae.Epochs(1000), ae.Quiet())\nx = 42\nos.WriteFile(%r, []byte("ran"), 0o644)',
        'x = 0\ntime.Sleep(time.Hour)\nx = 42\nos.WriteFile(%r, []byte("ran"), 0o644)',
    ]
    for code in cells:
        for trial in range(5):
            if os.path.exists(marker):
                os.remove(marker)
            _, errors = run(kc, km, code.replace("%r", '"' + marker + '"'), interrupt_after=0.8 + 0.1 * trial)
            assert errors == ["Interrupted"], (code, trial, errors)
            x, _ = run(kc, km, "x")
            assert x == "0" and not os.path.exists(marker), (code, trial, "the cell went on after the interrupt", x)
    h, _ = run(kc, km, 'h != nil && len(h.Stopped) > 0')
    assert h == "true", ("the interrupted Fit's history", h)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print("interrupts end the cell at the interrupted statement: 10 of 10")
