"""Drives the latent kernel with Debian's jupyter_client and checks, over
the real protocol, that interrupting `h := m.Fit(...)` keeps the history in
h, and that a cell ending in m.Fit(...) shows its loss curve once.

Prints "ok NAME" per check; the first failure raises. Run by
tests/owndata/kernel_test.go.
"""
import time

from jupyter_client.manager import start_new_kernel


def run(kc, code, timeout=120):
    msgs = []
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=msgs.append)
    return reply["content"], msgs


def result(msgs):
    res = [m for m in msgs if m["msg_type"] == "execute_result"]
    return res[-1]["content"]["data"] if res else {}


def check(name, cond, *context):
    if not cond:
        raise AssertionError("FAIL %s: %s" % (name, " | ".join(repr(c)[:500] for c in context)))
    print("ok", name, flush=True)


def images(msgs):
    """Images a frontend ends up showing: the last bundle of each display
    id (live progress updates replace each other) plus the result."""
    last, anon = {}, []
    for m in msgs:
        if m["msg_type"] not in ("display_data", "update_display_data", "execute_result"):
            continue
        c = m["content"]
        did = c.get("transient", {}).get("display_id")
        if did:
            last[did] = c["data"]
        else:
            anon.append(c["data"])
    n = 0
    for d in list(last.values()) + anon:
        if "image/png" in d:
            n += 1
        elif "<img" in d.get("text/html", ""):
            n += d["text/html"].count("<img")
    return n


def main():
    km, kc = start_new_kernel(kernel_name="latent", startup_timeout=60)
    try:
        c, _ = run(kc, "train, _ := data.FashionMNIST()\ntrain = train.Take(1500)\nm := ae.Dense(784, 64)")
        check("setup", c["status"] == "ok", c)

        c, msgs = run(kc, "m.Fit(train, ae.Epochs(2))")
        check("a cell ending in m.Fit shows one loss curve", c["status"] == "ok" and images(msgs) == 1, images(msgs), c)

        for k in range(4):
            msg_id = kc.execute("h%d := m.Fit(train, ae.Epochs(1000), ae.Batch(32))" % k)
            # interrupt once training is under way
            while True:
                m = kc.get_iopub_msg(timeout=60)
                if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] in ("display_data", "update_display_data"):
                    break
            time.sleep(0.1 * k)
            km.interrupt_kernel()
            while True:
                reply = kc.get_shell_msg(timeout=60)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            check("try %d: the Fit cell is interrupted" % k, reply["content"].get("ename") == "Interrupted", reply["content"])
            c, msgs = run(kc, 'h%d != nil && strings.HasPrefix(h%d.Stopped, "interrupted")' % (k, k))
            check("try %d: h keeps the history after the interrupt" % k, result(msgs).get("text/plain") == "true", c, result(msgs))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
