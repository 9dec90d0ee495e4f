"""Kernel startup and round-trip benchmark: Latent against ipykernel, with
the same jupyter_client code driving both, measured in the same run.

startup:    process start to the first kernel_info_reply (median of runs)
round trip: execute_request of a trivial cell to both its execute_reply and
            its idle status (what a frontend waits for), p50 and p99

usage: kernel_bench.py [--n 1000] [--starts 5] [--kernels latent,python3]
"""
import argparse
import statistics
import sys
import time

from jupyter_client.manager import KernelManager

CODE = "1+1"


def startup(name):
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - t0
    return elapsed, km, kc


def round_trip(kc):
    t0 = time.perf_counter()
    msg_id = kc.execute(CODE)
    got_reply = got_idle = False
    while not got_idle:
        msg = kc.get_iopub_msg(timeout=60)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            got_idle = True
    while not got_reply:
        reply = kc.get_shell_msg(timeout=60)
        got_reply = reply["parent_header"].get("msg_id") == msg_id
    if reply["content"]["status"] != "ok":
        raise SystemExit(f"trivial cell failed: {reply['content']}")
    return time.perf_counter() - t0


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=False)


def percentile(xs, p):
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def measure(name, n, starts):
    times = []
    km = kc = None
    for i in range(starts):
        t, km, kc = startup(name)
        times.append(t)
        if i < starts - 1:
            stop(km, kc)
    for _ in range(min(50, n)):  # warm up
        round_trip(kc)
    rts = [round_trip(kc) for _ in range(n)]
    stop(km, kc)
    return {
        "startup": statistics.median(times),
        "p50": percentile(rts, 50),
        "p99": percentile(rts, 99),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--kernels", default="latent,python3")
    a = ap.parse_args()
    names = a.kernels.split(",")
    res = {}
    for name in names:
        print(f"measuring {name}: {a.starts} starts, {a.n} round trips of {CODE!r} ...", file=sys.stderr, flush=True)
        res[name] = measure(name, a.n, a.starts)
    ms = lambda s: f"{s * 1000:9.2f} ms"
    print(f"{'kernel':<10} {'startup':>12} {'p50 rt':>12} {'p99 rt':>12}")
    for name in names:
        r = res[name]
        print(f"{name:<10} {ms(r['startup'])} {ms(r['p50'])} {ms(r['p99'])}")
    if len(names) == 2:
        a_, b_ = res[names[0]], res[names[1]]
        print(f"ratio {names[1]}/{names[0]}: startup {b_['startup'] / a_['startup']:.1f}x (goal >= 5x), "
              f"p50 {b_['p50'] / a_['p50']:.1f}x (goal >= 3x), p99 {b_['p99'] / a_['p99']:.1f}x")


if __name__ == "__main__":
    main()
