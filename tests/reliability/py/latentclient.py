"""Client helpers for Latent's black-box reliability tests.

The Go tests start the real `latent kernel` process and then run
scenarios.py with Debian's /usr/bin/python3; this module holds what the
scenarios share: a jupyter_client BlockingKernelClient bound to a connection
file, an execute helper that collects every iopub message of one request,
raw ZeroMQ sockets for hand-made (hostile) messages, and readers of
/proc/PID/status.
"""

import json
import os
import queue
import sys
import time

import zmq
from jupyter_client import BlockingKernelClient
from jupyter_client.session import Session


def log(*args):
    """Prints a progress line on stderr (the Go test shows it with -v)."""
    print("py:", *args, file=sys.stderr, flush=True)


class Fail(Exception):
    """A scenario's expectation did not hold; the message says which."""


def check(cond, msg, *args):
    """Raises Fail(msg % args) unless cond holds."""
    if not cond:
        raise Fail(msg % args if args else msg)


def load_conn(path):
    """Returns the connection file at path as a dict."""
    with open(path) as f:
        return json.load(f)


def client(conn_file, timeout=60):
    """Returns a started BlockingKernelClient that has seen kernel_info."""
    kc = BlockingKernelClient(connection_file=conn_file)
    kc.load_connection_file()
    kc.start_channels()
    kc.wait_for_ready(timeout=timeout)
    drain_iopub(kc)
    return kc


def drain_iopub(kc, wait=0.0):
    """Discards iopub messages already received (waiting up to wait s)."""
    n = 0
    while True:
        try:
            kc.get_iopub_msg(timeout=wait)
            n += 1
        except queue.Empty:
            return n


class Result:
    """What one execute_request produced: its reply and its iopub output."""

    def __init__(self, msg_id, reply):
        self.msg_id = msg_id
        self.reply = reply
        self.content = reply["content"] if reply else {}
        self.iopub = []  # every iopub message whose parent is msg_id

    @property
    def status(self):
        return self.content.get("status")

    def stream(self, name=None):
        """Concatenated text of the stream outputs (one name or all)."""
        return "".join(m["content"]["text"] for m in self.iopub
                       if m["msg_type"] == "stream"
                       and (name is None or m["content"]["name"] == name))

    def errors(self):
        """The error messages published on iopub, as content dicts."""
        return [m["content"] for m in self.iopub if m["msg_type"] == "error"]

    def bundles(self):
        """Data of execute_result and display_data outputs."""
        return [m["content"]["data"] for m in self.iopub
                if m["msg_type"] in ("execute_result", "display_data")]

    def text(self):
        """Everything a user would read: streams, results, error text."""
        parts = [self.stream()]
        for b in self.bundles():
            parts.append(str(b.get("text/plain", "")))
        for e in self.errors():
            parts.append("%s: %s\n%s" % (e.get("ename"), e.get("evalue"),
                                         "\n".join(e.get("traceback", []))))
        c = self.content
        if c.get("status") == "error":
            parts.append("%s: %s" % (c.get("ename"), c.get("evalue")))
        return "\n".join(parts)

    def summary(self):
        return "status=%r text=%r" % (self.status, self.text()[:400])


def wait_reply(kc, msg_id, timeout, channel="shell"):
    """Returns the reply whose parent is msg_id, skipping other replies."""
    deadline = time.monotonic() + timeout
    get = kc.get_shell_msg if channel == "shell" else kc.get_control_msg
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Fail("no %s reply to %s within %ss" % (channel, msg_id, timeout))
        try:
            m = get(timeout=left)
        except queue.Empty:
            continue
        if m["parent_header"].get("msg_id") == msg_id:
            return m


def collect(kc, msg_id, timeout):
    """Returns the iopub messages of msg_id up to its status idle."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Fail("no status idle for %s within %ss (got %d iopub messages)"
                       % (msg_id, timeout, len(out)))
        try:
            m = kc.get_iopub_msg(timeout=left)
        except queue.Empty:
            continue
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return out


def execute(kc, code, timeout=60, expect="ok"):
    """Runs code, returns its Result; checks the reply status unless
    expect is None."""
    msg_id = kc.execute(code, store_history=True, allow_stdin=False,
                        stop_on_error=False)
    r = Result(msg_id, wait_reply(kc, msg_id, timeout))
    r.iopub = collect(kc, msg_id, timeout)
    if expect is not None:
        check(r.status == expect, "cell %r: want status %s, got %s",
              code[:120], expect, r.summary())
    return r


def send_control(kc, msg_type, content=None):
    """Sends a request on the control channel and returns its msg_id."""
    msg = kc.session.msg(msg_type, content or {})
    kc.control_channel.send(msg)
    return msg["header"]["msg_id"]


def heartbeat(conn, timeout=10.0):
    """Pings the heartbeat once; returns the round trip in seconds or None
    when no echo came within timeout."""
    ctx = zmq.Context.instance()
    s = ctx.socket(zmq.REQ)
    s.setsockopt(zmq.LINGER, 0)
    s.connect("%s://%s:%d" % (conn["transport"], conn["ip"], conn["hb_port"]))
    try:
        t0 = time.monotonic()
        s.send(b"ping")
        if s.poll(int(timeout * 1000)):
            check(s.recv() == b"ping", "heartbeat echoed something else")
            return time.monotonic() - t0
        return None
    finally:
        s.close()


class RawShell:
    """A DEALER socket on the shell port that sends hand-made frames."""

    def __init__(self, conn, key=None):
        self.conn = conn
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect("%s://%s:%d" % (conn["transport"], conn["ip"], conn["shell_port"]))
        k = conn["key"] if key is None else key
        self.session = Session(key=k.encode(), signature_scheme=conn.get("signature_scheme", "hmac-sha256"))

    def frames(self, msg_type, content):
        """Returns the signed frames (from the delimiter on) and the msg_id."""
        msg = self.session.msg(msg_type, content)
        return self.session.serialize(msg), msg["header"]["msg_id"]

    def send_frames(self, frames):
        self.sock.send_multipart(frames)

    def recv(self, timeout):
        """Returns the next reply (deserialized, signature checked) or None."""
        if not self.sock.poll(int(timeout * 1000)):
            return None
        frames = self.sock.recv_multipart()
        _, msg = self.session.feed_identities(frames)
        return self.session.deserialize(msg)

    def close(self):
        self.sock.close()


def proc_status(pid):
    """Returns VmRSS (KiB) and Threads of a process from /proc."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "Threads"):
                out[k] = int(v.split()[0])
    return out


def kernel_stats(kc):
    """Asks the kernel's interpreter (the cell runs in the kernel process)
    for runtime.NumGoroutine() and, after a forced GC that returns memory
    to the OS, the live heap; returns {"goroutines", "heap"}."""
    r = execute(kc, 'runtime.GC()\ndebug.FreeOSMemory()\nvar ms runtime.MemStats\n'
                    'runtime.ReadMemStats(&ms)\n'
                    'fmt.Println("stats", runtime.NumGoroutine(), ms.HeapAlloc)')
    for line in r.stream("stdout").splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == "stats":
            return {"goroutines": int(f[1]), "heap": int(f[2])}
    raise Fail("no stats in %s" % r.summary())


def goroutines(kc):
    """The kernel's goroutine count (see kernel_stats)."""
    return kernel_stats(kc)["goroutines"]


PRELUDE = 'import (\n\t"fmt"\n\t"os"\n\t"runtime"\n\t"runtime/debug"\n\t"strings"\n\t"time"\n)'


def prelude(kc):
    """Imports the packages the scenarios' cells use."""
    execute(kc, PRELUDE)
    return execute(kc, 'fmt.Println("pid", os.Getpid(), len(strings.Repeat("x", 2)), time.Second, debug.SetGCPercent(100))')


def emit(result):
    """Prints the scenario's result as the last line of stdout."""
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
