"""Checks Latent's model exports with Debian's Python: rebuilds the model
from the .npz (numpy only), from the .safetensors (torch, parsed by hand:
8-byte header length, JSON header, raw float32) and from the .onnx
(onnx.load + onnx.checker, then evaluated node by node with torch ops), and
compares each reconstruction with Latent's to 1e-5.

usage: check_export.py DIR   (DIR holds model.npz, model.safetensors,
model.onnx, x.npy and recon.npy). Prints one line per check."""
import json
import struct
import sys

import numpy as np

TOL = 1e-5
d = sys.argv[1]
x = np.load(d + "/x.npy").astype(np.float32)
N = x.shape[0]
x = x.reshape(N, -1)  # the exports take flat rows [N, D]
want = np.load(d + "/recon.npy")


def act_np(y, a, slope):
    if a in ("", "identity", None):
        return y
    if a == "relu":
        return np.maximum(y, 0)
    if a == "sigmoid":
        return 1 / (1 + np.exp(-y))
    if a == "tanh":
        return np.tanh(y)
    if a == "leakyrelu":
        return np.where(y > 0, y, y * (slope or 0.01))
    raise SystemExit("unknown activation " + a)


def report(name, got):
    err = float(np.max(np.abs(got.reshape(want.shape) - want)))
    print(f"{name}: max abs diff {err:.3g}", "ok" if err <= TOL else "FAIL")
    if err > TOL:
        sys.exit(1)


# --- npz with numpy alone (dense models) ---
z = np.load(d + "/model.npz")
desc = json.loads(bytes(z["__config__"]).decode())
cfg = desc["config"]
dense_only = all(l["type"] in ("dense", "act", "reshape", "noise") for l in desc["encoder"] + desc["decoder"])


def run_np(layers, h):
    for l in layers:
        if l["type"] == "dense":
            h = act_np(h.reshape(N, -1) @ z[l["name"] + ".w"] + z[l["name"] + ".b"], l.get("act"), l.get("slope"))
        elif l["type"] == "act":
            h = act_np(h, l.get("act"), l.get("slope"))
    return h


if dense_only:
    h = run_np(desc["encoder"], x)
    if cfg.get("variational"):
        h = h[:, : cfg["latent"]]
    y = run_np(desc["decoder"], h)
    if cfg["loss"] == "bce":
        y = 1 / (1 + np.exp(-y))
    report("npz+numpy", y)

# --- safetensors into torch modules ---
try:
    import torch
except ImportError:
    torch = None
    print("safetensors+torch: skipped (no torch)")
if torch is not None:
    torch.set_num_threads(1)
    raw = open(d + "/model.safetensors", "rb").read()
    (hl,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + hl])
    body = raw[8 + hl :]
    T = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        T[k] = torch.from_numpy(np.frombuffer(body[a:b], dtype="<f4").reshape(v["shape"]).copy())
    meta = json.loads(header["__metadata__"]["latent_config"])

    def act_mod(a, slope):
        return {"relu": torch.nn.ReLU(), "sigmoid": torch.nn.Sigmoid(), "tanh": torch.nn.Tanh(),
                "leakyrelu": torch.nn.LeakyReLU(slope or 0.01)}.get(a, torch.nn.Identity())

    def shape(s):
        return [s["C"]] if s["H"] == 1 and s["W"] == 1 else [s["C"], s["H"], s["W"]]

    def build(layers):
        mods = [torch.nn.Unflatten(1, shape(layers[0]["in"]))] if shape(layers[0]["in"]) != [layers[0]["in"]["C"]] else []
        for l in layers:
            t = l["type"]
            if t == "dense":
                lin = torch.nn.Linear(l["in"]["C"] * l["in"]["H"] * l["in"]["W"], l["out"])
                lin.weight.data = T[l["name"] + ".w"].T.contiguous()
                lin.bias.data = T[l["name"] + ".b"]
                mods += [torch.nn.Flatten(), lin, act_mod(l.get("act"), l.get("slope"))]
            elif t in ("conv", "convt"):
                C = torch.nn.Conv2d if t == "conv" else torch.nn.ConvTranspose2d
                kw = dict(stride=l.get("stride", 1), padding=l.get("pad", 0))
                if t == "convt":
                    kw["output_padding"] = l.get("outpad", 0)
                c = C(l["in"]["C"], l["out"], l["k"], **kw)
                c.weight.data, c.bias.data = T[l["name"] + ".w"], T[l["name"] + ".b"]
                mods += [c, act_mod(l.get("act"), l.get("slope"))]
            elif t == "reshape":
                mods += [torch.nn.Flatten()] + ([torch.nn.Unflatten(1, shape(l["to"]))] if len(shape(l["to"])) > 1 else [])
            elif t == "act":
                mods += [act_mod(l.get("act"), l.get("slope"))]
            elif t == "maxpool":
                mods += [torch.nn.MaxPool2d(l["k"])]
            elif t == "upsample":
                mods += [torch.nn.Upsample(scale_factor=l["k"], mode="nearest")]
        return torch.nn.Sequential(*mods)

    enc, dec = build(meta["encoder"]), build(meta["decoder"])
    with torch.no_grad():
        h = enc(torch.from_numpy(x)).reshape(N, -1)
        if meta["config"].get("variational"):
            h = h[:, : meta["config"]["latent"]]
        y = dec(h)
        if meta["config"]["loss"] == "bce":
            y = torch.sigmoid(y)
    report("safetensors+torch", y.reshape(N, -1).numpy())

# --- onnx: the official parser and checker, evaluated with torch ops ---
import onnx
from onnx import numpy_helper

m = onnx.load(d + "/model.onnx")
onnx.checker.check_model(m)
if torch is not None:
    import torch.nn.functional as F

    env = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    env["x"] = torch.from_numpy(x)
    for n in m.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
        ins = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Gemm":
            y = ins[0] @ ins[1] + ins[2]
        elif op == "Relu":
            y = torch.relu(ins[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(ins[0])
        elif op == "Tanh":
            y = torch.tanh(ins[0])
        elif op == "LeakyRelu":
            y = F.leaky_relu(ins[0], a["alpha"])
        elif op == "Reshape":
            y = ins[0].reshape([int(v) for v in ins[1]])
        elif op == "Slice":
            y = ins[0][:, int(ins[1][0]) : int(ins[2][0])]
        elif op == "Conv":
            y = F.conv2d(ins[0], ins[1], ins[2], stride=a["strides"][0], padding=a["pads"][0])
        elif op == "ConvTranspose":
            y = F.conv_transpose2d(ins[0], ins[1], ins[2], stride=a["strides"][0], padding=a["pads"][0],
                                   output_padding=a.get("output_padding", [0])[0])
        elif op == "MaxPool":
            y = F.max_pool2d(ins[0], a["kernel_shape"][0])
        elif op == "Resize":
            y = F.interpolate(ins[0], scale_factor=float(ins[2][2]), mode="nearest")
        elif op == "Identity":
            y = ins[0]
        else:
            raise SystemExit("unexpected op " + op)
        env[n.output[0]] = y
    report("onnx(checker ok)+torch", env[m.graph.output[0].name].numpy())
else:
    print("onnx: checker ok; evaluation skipped (no torch)")
