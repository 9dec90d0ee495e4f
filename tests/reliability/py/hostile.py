"""Scenarios of unauthenticated peers (issue 13): raw ZMTP floods, many
partial frames, subscription floods, half-open and garbage connections,
and replays long after the original. scenarios.py imports them."""

import os
import socket
import struct
import time

from latentclient import (RawShell, check, client, emit, execute, heartbeat, kernel_stats,
                          load_conn, prelude, proc_status)


def zmtp_greeting():
    """The 64-byte ZMTP 3.0 greeting of a NULL-mechanism client."""
    return (b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL" + b"\x00" * 16
            + b"\x00" + b"\x00" * 31)


def ready_command(sock_type):
    """A ZMTP READY command announcing sock_type."""
    name, value = b"Socket-Type", sock_type
    body = b"\x05READY" + bytes([len(name)]) + name + struct.pack(">I", len(value)) + value
    return b"\x04" + bytes([len(body)]) + body


def raw_peer(conn, port, sock_type=b"DEALER", timeout=10):
    """A TCP connection that has done the ZMTP handshake as sock_type."""
    s = socket.create_connection((conn["ip"], port), timeout=timeout)
    s.sendall(zmtp_greeting() + ready_command(sock_type))
    got = b""
    deadline = time.monotonic() + timeout
    while len(got) < 64 and time.monotonic() < deadline:  # the kernel's greeting
        b = s.recv(4096)
        if not b:
            break
        got += b
    return s


def send_until_closed(s, chunk, limit_bytes, seconds):
    """Sends chunk repeatedly until the peer closes, limit_bytes have gone
    or seconds pass; returns (bytes sent, closed by the peer)."""
    sent = 0
    s.settimeout(5)
    deadline = time.monotonic() + seconds
    try:
        while sent < limit_bytes and time.monotonic() < deadline:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        return sent, True
    # Everything went out: did the kernel close the connection since?
    try:
        s.settimeout(2)
        return sent, s.recv(4096) == b""
    except socket.timeout:
        return sent, False
    except OSError:
        return sent, True


def rss(pid):
    return proc_status(pid)["VmRSS"]


def scenario_empty_frames(a):
    """An endless message of empty frames (a.n bytes of them at most) is
    cut off early; the kernel's memory stays flat."""
    conn = load_conn(a.conn)
    kc = client(a.conn)
    prelude(kc)
    before = rss(a.pid)
    s = raw_peer(conn, conn["shell_port"])
    sent, closed = send_until_closed(s, b"\x01\x00" * 32768, a.n, 60)
    s.close()
    time.sleep(0.5)
    after = rss(a.pid)
    r = execute(kc, 'fmt.Println("still", 1+1)')
    check("still 2" in r.stream(), "kernel not serving after empty frames: %s", r.summary())
    emit({"sent_bytes": sent, "closed": closed, "rss_before_kib": before, "rss_after_kib": after})


def scenario_partial_frames(a):
    """a.n connections each announce a frame just under the message limit
    (--size) and send 95% of it: the total must be capped."""
    conn = load_conn(a.conn)
    kc = client(a.conn)
    prelude(kc)
    size = int(a.code)
    before = rss(a.pid)
    socks, closed = [], 0
    for _ in range(a.n):
        try:
            s = raw_peer(conn, conn["shell_port"])
            s.sendall(b"\x02" + struct.pack(">Q", size))
            part = b"y" * (size * 95 // 100)
            _, c = send_until_closed(s, part, len(part), 30)
            closed += c
            socks.append(s)
        except OSError:
            closed += 1
    time.sleep(0.5)
    peak = rss(a.pid)
    for s in socks:
        s.close()
    r = execute(kc, 'fmt.Println("still", 1+1)')
    check("still 2" in r.stream(), "kernel not serving after partial frames: %s", r.summary())
    check(heartbeat(conn) is not None, "heartbeat stopped after partial frames")
    emit({"connections": a.n, "closed_by_kernel": closed, "frame_bytes": size,
          "rss_before_kib": before, "rss_peak_kib": peak})


def timed_cells(kc, n):
    """Median seconds of n trivial cells."""
    ts = []
    for _ in range(n):
        t = time.monotonic()
        execute(kc, "1")
        ts.append(time.monotonic() - t)
    ts.sort()
    return ts[len(ts) // 2]


def scenario_subscriptions(a):
    """A subscriber that subscribes to a.n topics is cut off; cells keep
    their round trip."""
    conn = load_conn(a.conn)
    kc = client(a.conn)
    prelude(kc)
    base = timed_cells(kc, 20)
    s = raw_peer(conn, conn["iopub_port"], b"SUB")
    msgs = b"".join(b"\x00" + bytes([8]) + b"\x01t%06d" % i for i in range(4096))
    sent, closed = send_until_closed(s, msgs, a.n * 10, 60)
    after = timed_cells(kc, 20)
    s.close()
    emit({"subscriptions_sent": sent // 10, "closed": closed, "cell_s_before": base,
          "cell_s_after": after, "slowdown": after / base if base else 0})


def scenario_half_open(a):
    """a.n connections that never speak and a.n that send garbage must not
    keep a real client out; log lines about them are few."""
    conn = load_conn(a.conn)
    silent = [socket.create_connection((conn["ip"], p), timeout=10)
              for p in (conn["shell_port"], conn["control_port"], conn["hb_port"])
              for _ in range(a.n)]
    for _ in range(a.n):
        try:
            g = socket.create_connection((conn["ip"], conn["shell_port"]), timeout=10)
            g.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"\x00" * 64)
            g.close()
        except OSError:
            pass
    t = time.monotonic()
    kc = client(a.conn, timeout=60)
    r = execute(kc, 'fmt.Println("still", 1+1)', timeout=60)
    check("still 2" in r.stream(), "kernel not serving beside half-open connections: %s", r.summary())
    hb = heartbeat(conn)
    waited = time.monotonic() - t
    time.sleep(12)  # let the handshake timeout close the silent ones
    for s in silent:
        s.close()
    emit({"silent": len(silent), "garbage": a.n, "client_s": waited, "heartbeat": hb is not None})


def scenario_replay_late(a):
    """A signed execute_request replayed after a.n other messages must not
    run again."""
    conn = load_conn(a.conn)
    raw = RawShell(conn)
    marker = a.dir + "/replayed"
    code = ('f, _ := os.OpenFile("%s", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)\n'
            'f.Write([]byte("x"))\nf.Close()' % marker)
    kc = client(a.conn)
    prelude(kc)
    f, mid = raw.frames("execute_request", {"code": code, "silent": True})
    raw.send_frames(f)

    def wait_for(want, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = raw.recv(1.0)
            if r is not None and r["parent_header"].get("msg_id") == want:
                return r
        return None

    check(wait_for(mid) is not None, "the original execute_request got no reply")
    for i in range(a.n):
        fi, last = raw.frames("kernel_info_request", {})
        raw.send_frames(fi)
        if i % 500 == 499 or i == a.n - 1:  # read replies before they pile up
            check(wait_for(last) is not None, "kernel_info request %d got no reply", i)
    raw.send_frames(f)
    f2, mid2 = raw.frames("execute_request", {"code": "1", "silent": True})
    raw.send_frames(f2)
    wait_for(mid2)
    runs = os.path.getsize(marker) if os.path.exists(marker) else 0
    r = execute(kc, 'fmt.Println("still", 1+1)')
    check("still 2" in r.stream(), "kernel not serving after the replay: %s", r.summary())
    emit({"between": a.n, "runs": runs})


def scenario_huge_outputs(a):
    """A 40 MiB result and a 40 MiB HTML display are cut to a bounded size
    with a notice; the session lives on."""
    kc = client(a.conn)
    prelude(kc)
    before = rss(a.pid)
    sizes = {}
    for name, code in [("result", 'strings.Repeat("r", 40<<20)'),
                       ("display", 'display.Show(display.HTML(strings.Repeat("h", 40<<20)))')]:
        r = execute(kc, code, timeout=120)
        outs = [m for m in r.iopub if m["msg_type"] in ("execute_result", "display_data")]
        check(len(outs) == 1, "%s: %d outputs: %s", name, len(outs), r.summary())
        data = outs[0]["content"]["data"]
        sizes[name] = sum(len(v) if isinstance(v, str) else 0 for v in data.values())
        text = data.get("text/plain", "")
        # A long text is cut in place ("An output over 16 MiB ... keeps the
        # first 1 MiB and the last 64 KiB"); a large rich output is left
        # out ("one output is limited to 16.0 MiB").
        why = "An output over 16 MiB" in text or "limited to 16.0 MiB" in text
        check(why, "%s: no notice saying why it was cut: %r", name, text[-300:])
    r = execute(kc, 'fmt.Println("still", 1+1)')
    check("still 2" in r.stream(), "kernel not serving after huge outputs: %s", r.summary())
    emit({"result_bytes": sizes["result"], "display_bytes": sizes["display"],
          "rss_before_kib": before, "rss_after_kib": rss(a.pid)})


class HostileMix:
    """Hostile inputs for bench/soak.py --hostile: each call to step()
    does the next one in turn (network peers without the key, a replay,
    runaway and panicking cells, a huge result) and checks the kernel's
    answer. A benchmark helper, not a test."""

    CELLS = [
        ("oom-append", "func() { var g []int64; for { g = append(g, 1) } }()", "out of memory"),
        ("oom-repeat", 'func() { s := strings.Repeat("x", 1<<40); fmt.Println(len(s)) }()', "out of memory"),
        ("afterfunc-panic", 'time.AfterFunc(time.Millisecond, func() { panic("soak-boom") })\n'
                            'time.Sleep(100 * time.Millisecond)', "soak-boom"),
        ("huge-result", 'strings.Repeat("r", 20<<20)', "result truncated"),
    ]

    def __init__(self, conn_file, kc):
        self.conn = load_conn(conn_file)
        self.kc = kc
        self.raw = RawShell(self.conn)
        self.silent = []
        self.n = 0
        self.counts = {}
        self.failures = []
        execute(kc, "replays := 0")
        self.replay, mid = self.raw.frames("execute_request", {"code": "replays++", "silent": True})
        self.raw.send_frames(self.replay)

    def step(self):
        kinds = ["empty-frames", "partial-frame", "subscriptions", "half-open", "garbage", "replay"] + \
            [c[0] for c in self.CELLS]
        kind = kinds[self.n % len(kinds)]
        self.n += 1
        self.counts[kind] = self.counts.get(kind, 0) + 1
        c = self.conn
        try:
            if kind == "empty-frames":
                s = raw_peer(c, c["shell_port"])
                send_until_closed(s, b"\x01\x00" * 32768, 256 << 10, 10)
                s.close()
            elif kind == "partial-frame":
                s = raw_peer(c, c["shell_port"])
                s.sendall(b"\x02" + struct.pack(">Q", 1 << 20) + b"p" * (512 << 10))
                s.close()
            elif kind == "subscriptions":
                s = raw_peer(c, c["iopub_port"], b"SUB")
                msgs = b"".join(b"\x00" + bytes([8]) + b"\x01s%06d" % i for i in range(2048))
                send_until_closed(s, msgs, len(msgs), 10)
                s.close()
            elif kind == "half-open":
                self.silent.append((time.monotonic(), socket.create_connection((c["ip"], c["shell_port"]), timeout=5)))
                while self.silent and time.monotonic() - self.silent[0][0] > 30:
                    self.silent.pop(0)[1].close()
            elif kind == "garbage":
                g = socket.create_connection((c["ip"], c["control_port"]), timeout=5)
                g.sendall(b"GET / HTTP/1.1\r\n\r\n" + b"\xff" * 100)
                g.close()
            elif kind == "replay":
                self.raw.send_frames(self.replay)
            else:
                name, code, want = next(x for x in self.CELLS if x[0] == kind)
                r = execute(self.kc, code, timeout=120, expect=None)
                if want not in r.text():
                    self.failures.append("%s: %s" % (name, r.summary()[:300]))
        except OSError:
            pass  # the kernel may close a hostile connection at any point
        return kind

    def finish(self):
        for _, s in self.silent:
            s.close()
        r = execute(self.kc, "fmt.Println(replays)")
        runs = r.stream().strip()
        if runs != "1":
            self.failures.append("a replayed message ran %s times" % runs)
        return {"hostile": self.counts, "hostile_failures": self.failures}


def scenario_load_heartbeat(a):
    """Pings the heartbeat every 50 ms while a cell loads a large CSV file
    (a.code); reports the slowest echo."""
    import threading
    conn = load_conn(a.conn)
    kc = client(a.conn)
    prelude(kc)
    rtts, missed, stop = [], [0], threading.Event()

    def ping():
        while not stop.is_set():
            rt = heartbeat(conn, timeout=5.0)
            if rt is None:
                missed[0] += 1
            else:
                rtts.append(rt)
            time.sleep(0.05)

    th = threading.Thread(target=ping)
    th.start()
    t = time.monotonic()
    r = execute(kc, 'big, err := data.LoadCSV("%s", data.CSVOptions{})\nfmt.Println(err, big.N)' % a.code, timeout=600)
    took = time.monotonic() - t
    stop.set()
    th.join()
    check("<nil>" in r.stream(), "the load failed: %s", r.summary())
    emit({"load_s": took, "pings": len(rtts), "missed": missed[0], "max_rtt_s": max(rtts) if rtts else None})


def scenario_conn_churn(a):
    """a.n peers of each hostile kind connect, misbehave and go; returns the
    kernel's live heap growth per connection after their handshake timers
    have run out."""
    conn = load_conn(a.conn)
    kc = client(a.conn)
    prelude(kc)
    kinds = {
        "empty": lambda: send_until_closed(raw_peer(conn, conn["shell_port"]), b"\x01\x00" * 32768, 256 << 10, 10),
        "partial": lambda: raw_peer(conn, conn["shell_port"]).sendall(b"\x02" + struct.pack(">Q", 1 << 20) + b"p" * (512 << 10)),
        "garbage": lambda: socket.create_connection((conn["ip"], conn["control_port"]), timeout=5).sendall(
            b"GET / HTTP/1.1\r\n\r\n" + b"\xff" * 100),
    }
    out = {}
    for kind, f in kinds.items():
        h0 = kernel_stats(kc)["heap"]
        for _ in range(a.n):
            try:
                f()  # the socket is dropped (closed) when f returns
            except OSError:
                pass
        time.sleep(12)  # past the 10 s handshake deadline
        out[kind] = (kernel_stats(kc)["heap"] - h0) / a.n
    r = execute(kc, 'fmt.Println("still", 1+1)')
    check("still 2" in r.stream(), "kernel not serving after the churn: %s", r.summary())
    emit({"heap_bytes_per_conn": out})
