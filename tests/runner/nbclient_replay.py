"""Replay output events through nbclient, as if a kernel had sent them.

Reads a JSON list of scenarios on stdin, each {"cells": [[event, ...], ...]},
where an event is one of
  {"kind": "stream", "name": ..., "text": ...}
  {"kind": "display", "data": {...}, "metadata": {...}, "id": "...", "update": bool}
  {"kind": "result", "data": {...}, "metadata": {...}, "id": "...", "count": n}
  {"kind": "clear", "wait": bool}
  {"kind": "error", "ename": ..., "evalue": ..., "traceback": [...]}
feeds each as the matching iopub message to nbclient's NotebookClient
(process_message, exactly as during `jupyter nbconvert --execute`), applies
nbconvert's coalesce_streams, and prints, for each scenario, one line holding
the outputs of every cell as nbformat writes them (split lines, sorted keys,
indent 1, then newlines escaped by a second JSON encoding).

Used by the Go tests of package notebook to check that `latent run` records
outputs the way nbclient does. Run with Debian's /usr/bin/python3.
"""
import json
import sys

from nbclient import NotebookClient
from nbconvert.preprocessors.coalescestreams import coalesce_streams
from nbformat.v4 import new_code_cell, new_notebook
from nbformat.v4.rwbase import split_lines


def message(event, n):
    kind = event["kind"]
    content = {}
    if kind == "stream":
        msg_type = "stream"
        content = {"name": event["name"], "text": event.get("text", "")}
    elif kind in ("display", "result"):
        content = {"data": event.get("data", {}), "metadata": event.get("metadata", {})}
        if event.get("id"):
            content["transient"] = {"display_id": event["id"]}
        if kind == "result":
            msg_type = "execute_result"
            content["execution_count"] = event.get("count", 0)
        else:
            msg_type = "update_display_data" if event.get("update") else "display_data"
    elif kind == "clear":
        msg_type = "clear_output"
        content = {"wait": event.get("wait", False)}
    elif kind == "error":
        msg_type = "error"
        content = {k: event.get(k, d) for k, d in (("ename", ""), ("evalue", ""), ("traceback", []))}
    else:
        raise ValueError("unknown event kind %r" % kind)
    return {
        "msg_type": msg_type,
        "header": {"msg_type": msg_type, "msg_id": "m%d" % n},
        "parent_header": {"msg_id": "parent"},
        "content": content,
    }


def replay(spec):
    nb = new_notebook(cells=[new_code_cell("") for _ in spec["cells"]])
    client = NotebookClient(nb)
    client.reset_execution_trackers()
    n = 0
    for index, events in enumerate(spec["cells"]):
        cell = nb.cells[index]
        cell.outputs = []
        client.clear_before_next_output = False
        for event in events:
            n += 1
            client.process_message(message(event, n), cell, index)
    coalesce_streams(nb, {})
    split_lines(nb)
    return json.dumps([c.outputs for c in nb.cells], indent=1, sort_keys=True,
                      separators=(",", ": "), ensure_ascii=False)


def main():
    for spec in json.load(sys.stdin):
        print(json.dumps(replay(spec), ensure_ascii=False))


if __name__ == "__main__":
    main()
