"""Executes hello.ipynb with `jupyter nbconvert --to notebook --execute`
using the latent kernel and checks that the outputs were kept.

usage: check_nbconvert.py OUTDIR
"""
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
outdir = sys.argv[1]
subprocess.run(
    ["/usr/bin/python3", "-m", "nbconvert", "--to", "notebook", "--execute",
     "--ExecutePreprocessor.kernel_name=latent", "--ExecutePreprocessor.timeout=60",
     "--output-dir", outdir, "--output", "hello-out", os.path.join(here, "hello.ipynb")],
    check=True,
)
nb = json.load(open(os.path.join(outdir, "hello-out.ipynb")))
c1, c2 = nb["cells"]
text = "".join(o.get("text", "") if isinstance(o.get("text"), str) else "".join(o.get("text", []))
               for o in c1["outputs"] if o["output_type"] == "stream")
assert "hello from nbconvert" in text, c1["outputs"]
results = [o for o in c2["outputs"] if o["output_type"] == "execute_result"]
assert results, c2["outputs"]
plain = results[0]["data"]["text/plain"]
plain = plain if isinstance(plain, str) else "".join(plain)
assert plain.strip() == "42", plain
assert c1["execution_count"] == 1 and c2["execution_count"] == 2, (c1["execution_count"], c2["execution_count"])
print("nbconvert kept the outputs:", repr(text.strip()), plain)
