# OpenBLAS SGEMM reference for bench/nnops.sh: GFLOP/s of numpy.matmul on
# float32 (Debian python3-numpy, OpenBLAS) at 1 and 2 threads.
# Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/nnops_ref.py THREADS M,K,N ...
# Prints one line per shape: "threads M K N gflops cpu_gflops", medians of 5
# timed trials; cpu_gflops divides by the process's CPU time instead of wall
# time (steadier on a loaded machine; at 2 threads it counts both threads).
import sys, time, statistics, json
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

def bench(f, trials=5, mint=0.15):
    f()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            f()
        d = time.perf_counter() - t0
        if d >= mint / 4:
            n = int(n * mint / d) + 1
            break
        n *= 2
    wall, cpu = [], []
    for _ in range(trials):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            f()
        wall.append((time.perf_counter() - t0) / n)
        cpu.append((time.process_time() - c0) / n)
    return statistics.median(wall), statistics.median(cpu)

def main():
    threads = [int(t) for t in sys.argv[1].split(",")]
    shapes = [tuple(int(v) for v in s.split(",")) for s in sys.argv[2:]]
    info = [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for d in threadpool_info()]
    print("# " + json.dumps(info), flush=True)
    rng = np.random.default_rng(0)
    for nt in threads:
        with threadpool_limits(limits=nt):
            for (m, k, n) in shapes:
                a = rng.random((m, k), dtype=np.float32)
                b = rng.random((k, n), dtype=np.float32)
                c = np.empty((m, n), np.float32)
                t, tc = bench(lambda: np.matmul(a, b, out=c))
                print(f"{nt} {m} {k} {n} {2*m*k*n/t/1e9:.2f} {2*m*k*n/tc/1e9:.2f}", flush=True)

main()
