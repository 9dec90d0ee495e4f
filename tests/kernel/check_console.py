"""Feeds a cell to `jupyter console --kernel latent` on standard input and
checks that the kernel's answer is printed."""
import subprocess
import sys

cell = 'fmt.Println("console says", 6*7)\n'
p = subprocess.Popen(
    ["/usr/bin/python3", "-m", "jupyter_console", "--kernel", "latent", "--simple-prompt",
     "--ZMQTerminalInteractiveShell.kernel_timeout=60",
     "--ZMQTerminalInteractiveShell.confirm_exit=False"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
)
try:
    out, err = p.communicate(cell, timeout=120)
except subprocess.TimeoutExpired:
    p.kill()
    # The kernel, which shares these pipes, exits once it sees its parent gone.
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        print("jupyter console did not finish within 120 s, and its kernel kept running 30 s after it was killed", file=sys.stderr)
        sys.exit(1)
    print("jupyter console did not finish within 120 s\nstdout:", out, "\nstderr:", err, file=sys.stderr)
    sys.exit(1)
if "console says 42" not in out:
    print("stdout:", out, "\nstderr:", err, file=sys.stderr)
    sys.exit(1)
print("jupyter console answered:", [l for l in out.splitlines() if "console says" in l][0])
