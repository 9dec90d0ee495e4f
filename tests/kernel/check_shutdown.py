"""A shutdown_request, on control or on shell, publishes busy, shutdown_reply
and idle on iopub before the kernel process exits (the process used to exit
before zmq4 had written them)."""
import queue
import time

from jupyter_client.manager import start_new_kernel

for channel in ["control", "shell"]:
    for trial in range(3):
        km, kc = start_new_kernel(kernel_name="latent")
        try:
            # iopub is surely subscribed once a cell's output came back.
            kc.execute_interactive("x := 1", timeout=60)
            msg = kc.session.msg("shutdown_request", {"restart": False})
            getattr(kc, channel + "_channel").send(msg)
            got = []
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and ("status", "idle") not in got:
                try:
                    m = kc.get_iopub_msg(timeout=0.5)
                except queue.Empty:
                    continue
                if m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                    got.append((m["msg_type"], m["content"].get("execution_state")))
            want = [("status", "busy"), ("shutdown_reply", None), ("status", "idle")]
            assert got == want, (channel, trial, got)
            deadline = time.monotonic() + 10
            while km.is_alive() and time.monotonic() < deadline:  # it exits by itself
                time.sleep(0.05)
            assert not km.is_alive(), (channel, trial, "the kernel did not exit")
        finally:
            kc.stop_channels()
            if km.is_alive():
                km.shutdown_kernel(now=True)
print("shutdown on control and shell: iopub complete, 6 of 6")
