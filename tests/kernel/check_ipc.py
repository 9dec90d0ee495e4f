"""Runs a cell on the latent kernel over the ipc transport (Unix sockets)
and checks that the socket files are removed at shutdown."""
import os
import tempfile

from jupyter_client.manager import KernelManager

d = tempfile.mkdtemp()
km = KernelManager(kernel_name="latent", transport="ipc", ip=os.path.join(d, "kernel-ipc"))
km.start_kernel()
kc = km.client()
kc.start_channels()
try:
    kc.wait_for_ready(timeout=60)
    out = []
    r = kc.execute_interactive('fmt.Println("over ipc")', timeout=60, output_hook=out.append)
    assert r["content"]["status"] == "ok", r["content"]
    assert any(m["msg_type"] == "stream" and "over ipc" in m["content"]["text"] for m in out), out
finally:
    kc.stop_channels()
    km.shutdown_kernel()
left = [f for f in os.listdir(d) if f.startswith("kernel-ipc")]
assert not left, f"socket files left behind: {left}"
print("ipc transport: ok")
