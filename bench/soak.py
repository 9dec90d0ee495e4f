"""Soak benchmark for the Latent kernel (driven by bench/soak.sh).

Starts `latent kernel` through its installed kernelspec with Debian's
jupyter_client, then for DURATION seconds runs a mix of what a notebook
session does: trivial cells (timed), printing cells, rich displays, small
training runs, failing cells, interrupted cells, completion, inspection and
a second client that comes and goes. Every INTERVAL seconds it prints one
table row: elapsed time, cells run, resident memory, threads, goroutines,
live heap after a GC, and the p50/p99 round trip of the trivial cells in
that interval. It ends with a summary and a JSON line ("SOAK {...}").
With --hostile it also mixes in, every 10th round, the hostile inputs of
issue 13 in turn (tests/reliability/py/hostile.py HostileMix: peers
without the key, a replay, runaway and panicking cells, a huge result),
under a 1 GiB LATENT_MEMORY_LIMIT.

The kernel is measured, not the client: RSS and threads come from
/proc/PID/status; goroutines and the live heap from a cell that calls
runtime.NumGoroutine and runtime.ReadMemStats inside the kernel process.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "reliability", "py"))

from jupyter_client.manager import KernelManager  # noqa: E402

from latentclient import (client, execute, kernel_stats, prelude,  # noqa: E402
                          proc_status, send_control, wait_reply, collect)
from hostile import HostileMix  # noqa: E402


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * (len(xs) - 1)))))
    return xs[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=1800)
    ap.add_argument("--interval", type=float, default=60)
    ap.add_argument("--kernel", default="latent")
    ap.add_argument("--hostile", action="store_true")
    a = ap.parse_args()
    if a.hostile:
        os.environ["LATENT_MEMORY_LIMIT"] = "1GiB"  # the kernel inherits it

    km = KernelManager(kernel_name=a.kernel)
    km.start_kernel()
    pid = km.provisioner.process.pid
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    prelude(kc)
    execute(kc, "n := 0\ntrain, _ := data.DefaultFashionMNIST()\nsmall := train.Take(512)")
    mix = HostileMix(kc.connection_file, kc) if a.hostile else None

    start = time.monotonic()
    next_row = start + a.interval
    cells = 0
    errors_seen = 0
    interrupts = 0
    trainings = 0
    lat = []
    all_lat = []
    rows = []
    hdr = "%8s %8s %9s %8s %11s %10s %8s %8s" % (
        "elapsed", "cells", "RSS MiB", "threads", "goroutines", "heap MiB", "p50 ms", "p99 ms")
    print(hdr, flush=True)
    i = 0
    try:
        while time.monotonic() - start < a.seconds:
            i += 1
            t0 = time.monotonic()
            execute(kc, "n++")
            dt = time.monotonic() - t0
            lat.append(dt)
            all_lat.append(dt)
            cells += 1
            if i % 10 == 0:
                execute(kc, 'fmt.Println(strings.Repeat("soak ", 200), n)')
                cells += 1
            if i % 25 == 0:
                execute(kc, 'display.Show(display.HTML("<b>soak</b> " + fmt.Sprint(n)))')
                cells += 1
            if i % 50 == 0:
                r = execute(kc, "var bad []int\n_ = bad[n]", expect="error")
                errors_seen += 1 if r.status == "error" else 0
                cells += 1
            if i % 100 == 0:
                mid = kc.complete("fmt.Spr", 7)
                wait_reply(kc, mid, 30)
                mid = kc.inspect("fmt.Sprintf", 5)
                wait_reply(kc, mid, 30)
            if i % 200 == 0:
                mid = kc.execute("for {}")
                time.sleep(0.05)
                send_control(kc, "interrupt_request")
                rep = wait_reply(kc, mid, 60)
                collect(kc, mid, 60)
                interrupts += 1 if rep["content"]["status"] != "ok" else 0
                cells += 1
            if i % 500 == 0:
                execute(kc, "m := ae.Dense(784, 32)\nm.Fit(small, ae.Epochs(1), ae.Quiet())", timeout=300)
                trainings += 1
                cells += 1
            if i % 1000 == 0:
                other = client(kc.connection_file)
                execute(other, "fmt.Println(n)")
                other.stop_channels()
                cells += 1
            if mix is not None and i % 10 == 0:
                mix.step()
            if time.monotonic() >= next_row:
                ks = kernel_stats(kc)
                st = proc_status(pid)
                row = {"elapsed_s": round(time.monotonic() - start), "cells": cells,
                       "rss_mib": st["VmRSS"] / 1024, "threads": st["Threads"],
                       "goroutines": ks["goroutines"], "heap_mib": ks["heap"] / (1 << 20),
                       "p50_ms": 1000 * pct(lat, 50), "p99_ms": 1000 * pct(lat, 99)}
                rows.append(row)
                print("%7ds %8d %9.1f %8d %11d %10.1f %8.2f %8.2f" % (
                    row["elapsed_s"], cells, row["rss_mib"], row["threads"], row["goroutines"],
                    row["heap_mib"], row["p50_ms"], row["p99_ms"]), flush=True)
                lat = []
                next_row += a.interval
        if mix is not None:
            hostile = mix.finish()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    summary = {"seconds": round(time.monotonic() - start), "cells": cells,
               "errors_reported": errors_seen, "interrupts": interrupts, "trainings": trainings,
               "p50_ms": 1000 * pct(all_lat, 50), "p99_ms": 1000 * pct(all_lat, 99),
               "rows": rows}
    if mix is not None:
        summary.update(hostile)
        print("summary: hostile inputs %s; failures: %s" % (hostile["hostile"], hostile["hostile_failures"] or "none"), flush=True)
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        dc = max(1, last["cells"] - first["cells"])
        summary["rss_growth_mib"] = last["rss_mib"] - first["rss_mib"]
        summary["heap_growth_bytes_per_cell"] = (last["heap_mib"] - first["heap_mib"]) * (1 << 20) / dc
    print("summary: %d cells in %ds; trivial-cell round trip p50 %.2f ms, p99 %.2f ms; "
          "%d errors reported, %d interrupts, %d trainings" % (
              cells, summary["seconds"], summary["p50_ms"], summary["p99_ms"],
              errors_seen, interrupts, trainings), flush=True)
    if "rss_growth_mib" in summary:
        print("summary: after the first interval RSS %+.1f MiB, live heap %+.0f bytes per cell" % (
            summary["rss_growth_mib"], summary["heap_growth_bytes_per_cell"]), flush=True)
    print("SOAK " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
