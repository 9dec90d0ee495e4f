"""Kernel startup and round-trip benchmark: Latent against ipykernel, with
the same client code driving both, measured in the same run.

The client is lean on purpose (jupyter_client's Session for signing and
pyzmq sockets, no client threads), so that the figures show the kernels
rather than client overhead:

startup:    process start (KernelManager.start_kernel) to the first
            kernel_info_reply, median of --starts runs
first cell: process start to the execute_reply of a first trivial cell
            (includes starting the interpreter), median of the same runs
round trip: execute_request of a trivial cell until both its execute_reply
            and its idle status arrived (what a frontend waits for);
            p50 and p99 of --n requests after a warm-up

usage: kernel_bench.py [--n 1000] [--starts 5] [--kernels latent,python3]
"""
import argparse
import os
import statistics
import sys
import time

import zmq
from jupyter_client.manager import KernelManager

CODE = "1+1"


class Client:
    """Shell DEALER and iopub SUB sockets with a jupyter_client Session."""

    def __init__(self, km, ctx):
        self.session = km.session
        ci = km.get_connection_info()
        url = lambda port: f"{ci['transport']}://{ci['ip']}:{port}"
        # Retry connecting every 2 ms (libzmq's default is 100 ms), so that
        # startup is not rounded up to the client's reconnect interval.
        self.shell = ctx.socket(zmq.DEALER)
        self.shell.linger = 0
        self.shell.setsockopt(zmq.RECONNECT_IVL, 2)
        self.shell.connect(url(ci["shell_port"]))
        self.iopub = ctx.socket(zmq.SUB)
        self.iopub.linger = 0
        self.iopub.setsockopt(zmq.RECONNECT_IVL, 2)
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")
        self.iopub.connect(url(ci["iopub_port"]))
        self.poller = zmq.Poller()
        self.poller.register(self.shell, zmq.POLLIN)
        self.poller.register(self.iopub, zmq.POLLIN)

    def send(self, msg_type, content):
        msg = self.session.msg(msg_type, content)
        self.session.send(self.shell, msg)
        return msg["header"]["msg_id"]

    def recv(self, sock):
        _, frames = self.session.feed_identities(sock.recv_multipart(copy=True))
        return self.session.deserialize(frames, content=True)

    def wait(self, msg_id, want_reply, want_idle, timeout=60):
        """Waits for the reply to msg_id and/or its idle status."""
        deadline = time.monotonic() + timeout
        reply = None
        while want_reply or want_idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SystemExit(f"timed out waiting for the answer to {msg_id}")
            for sock, _ in self.poller.poll(left * 1000):
                msg = self.recv(sock)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if sock is self.shell:
                    reply, want_reply = msg, False
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    want_idle = False
        return reply

    def close(self):
        self.shell.close()
        self.iopub.close()


def startup(name, ctx):
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel()
    c = Client(km, ctx)
    msg_id = c.send("kernel_info_request", {})
    c.wait(msg_id, want_reply=True, want_idle=False)
    t_info = time.perf_counter() - t0
    msg_id = c.send("execute_request", execute_content())
    c.wait(msg_id, want_reply=True, want_idle=False)
    return (t_info, time.perf_counter() - t0), km, c


def execute_content():
    return {"code": CODE, "silent": False, "store_history": True,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}


def wait_iopub(c):
    """Returns once iopub delivers (PUB drops what is sent before)."""
    for _ in range(300):
        msg_id = c.send("kernel_info_request", {})
        try:
            c.wait(msg_id, want_reply=True, want_idle=True, timeout=0.2)
            return
        except SystemExit:
            continue
    raise SystemExit("iopub never delivered a status")


def round_trip(c):
    t0 = time.perf_counter()
    msg_id = c.send("execute_request", execute_content())
    reply = c.wait(msg_id, want_reply=True, want_idle=True)
    if reply["content"]["status"] != "ok":
        raise SystemExit(f"trivial cell failed: {reply['content']}")
    return time.perf_counter() - t0


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))]


def measure(name, n, starts, ctx):
    times = []
    for i in range(starts):
        t, km, c = startup(name, ctx)
        times.append(t)
        if i < starts - 1:
            c.close()
            km.shutdown_kernel(now=True)
    wait_iopub(c)
    for _ in range(min(50, n)):  # warm up
        round_trip(c)
    rts = [round_trip(c) for _ in range(n)]
    c.close()
    km.shutdown_kernel(now=False)
    return {"startup": statistics.median(t[0] for t in times),
            "first": statistics.median(t[1] for t in times), "p50": percentile(rts, 50), "p99": percentile(rts, 99)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--kernels", default="latent,python3")
    a = ap.parse_args()
    names = a.kernels.split(",")
    ctx = zmq.Context()
    res = {}
    for name in names:
        print(f"measuring {name}: {a.starts} starts, {a.n} round trips of {CODE!r} ...", file=sys.stderr, flush=True)
        res[name] = measure(name, a.n, a.starts, ctx)
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          f"(figures on a loaded machine vary from run to run; the ratios are what compares)")
    ms = lambda s: f"{s * 1000:9.2f} ms"
    print(f"{'kernel':<10} {'startup':>12} {'first cell':>12} {'p50 rt':>12} {'p99 rt':>12}")
    for name in names:
        r = res[name]
        print(f"{name:<10} {ms(r['startup'])} {ms(r['first'])} {ms(r['p50'])} {ms(r['p99'])}")
    if len(names) == 2:
        x, y = res[names[0]], res[names[1]]
        print(f"ratio {names[1]}/{names[0]}: startup {y['startup'] / x['startup']:.1f}x (goal >= 5x), "
              f"first cell {y['first'] / x['first']:.1f}x, "
              f"p50 {y['p50'] / x['p50']:.1f}x (goal >= 3x), p99 {y['p99'] / x['p99']:.1f}x")


if __name__ == "__main__":
    main()
