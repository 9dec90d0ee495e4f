"""Drive the installed Latent kernel with jupyter_client: run a training
cell and check that its live progress is one display_data followed by
update_display_data messages with the same display_id, rate-limited.

Prints one JSON object with what it saw; exits 1 with a reason on failure."""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel

CELL = """
train := data.TimeSeries(20000, 32, 0.05, 1)
m := ae.Dense(32, 16, 4)
h := m.Fit(train, ae.Epochs(25), ae.Batch(16), ae.Seed(1))
len(h.Train)
"""


def fail(msg, **extra):
    print(json.dumps(dict(ok=False, reason=msg, **extra)))
    sys.exit(1)


km, kc = start_new_kernel(kernel_name=sys.argv[1], startup_timeout=60)
try:
    msg_id = kc.execute(CELL)
    seen = []  # (msg_type, time, display_id)
    result = None
    while True:
        msg = kc.get_iopub_msg(timeout=300)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t = msg["msg_type"]
        c = msg["content"]
        if t in ("display_data", "update_display_data"):
            seen.append((t, time.monotonic(), c.get("transient", {}).get("display_id")))
        elif t == "execute_result":
            result = c["data"].get("text/plain")
        elif t == "error":
            fail("the training cell failed", error=c)
        elif t == "status" and c["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=60)
    if reply["content"]["status"] != "ok":
        fail("execute_reply is not ok", reply=reply["content"])
    if not seen:
        fail("no display_data at all: the live training display is missing")
    if seen[0][0] != "display_data":
        fail("the first display message is %s, want display_data" % seen[0][0])
    ids = {d for _, _, d in seen}
    if len(ids) != 1 or None in ids:
        fail("display messages carry display_ids %r, want one shared id" % sorted(map(str, ids)))
    kinds = [k for k, _, _ in seen]
    if kinds.count("display_data") != 1:
        fail("%d display_data messages, want exactly one followed by updates" % kinds.count("display_data"))
    updates = kinds.count("update_display_data")
    if updates < 1:
        fail("no update_display_data: the display never updated in place")
    span = seen[-1][1] - seen[0][1]
    # At most about 5 updates a second, plus the first and the final one.
    limit = 5 * span + 3
    if updates > limit:
        fail("%d updates in %.2f s exceeds the rate limit of about 5/s" % (updates, span))
    print(json.dumps(dict(ok=True, display_data=1, updates=updates, seconds=span, result=result)))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
