"""Feeds a cell to `jupyter console --kernel latent` on standard input and
checks that the kernel's answer is printed."""
import subprocess
import sys

cell = 'fmt.Println("console says", 6*7)\n'
p = subprocess.run(
    ["/usr/bin/python3", "-m", "jupyter_console", "--kernel", "latent", "--simple-prompt",
     "--ZMQTerminalInteractiveShell.kernel_timeout=60"],
    input=cell, capture_output=True, text=True, timeout=120,
)
if "console says 42" not in p.stdout:
    print("stdout:", p.stdout, "\nstderr:", p.stderr, file=sys.stderr)
    sys.exit(1)
print("jupyter console answered:", [l for l in p.stdout.splitlines() if "console says" in l][0])
