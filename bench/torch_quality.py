"""PyTorch reference for Latent's learning-quality benchmark (bench/quality.sh).

Trains the dense autoencoder 784-32-784 (ReLU code, sigmoid output,
per-pixel binary cross-entropy, Adam lr 1e-3, batch 256, shuffled every
epoch) on MNIST from seeds 1..SEEDS with PyTorch's default initialisation,
and prints one JSON line {"torch": [test loss per seed], "torch_dead":
[code units dead on every test image, per seed]}.

usage: /usr/bin/python3 torch_quality.py MNIST_DIR SEEDS EPOCHS
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(path):
    with gzip.open(path, "rb") as f:
        buf = f.read()
    if int.from_bytes(buf[0:4], "big") != 0x803:
        sys.exit(f"torch_quality.py: {path} is not an IDX image file")
    n = int.from_bytes(buf[4:8], "big")
    return torch.from_numpy(np.frombuffer(buf, np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255.0)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: torch_quality.py MNIST_DIR SEEDS EPOCHS")
    d, seeds, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(2)
    xtr = load(os.path.join(d, "train-images-idx3-ubyte.gz"))
    xte = load(os.path.join(d, "t10k-images-idx3-ubyte.gz"))
    losses, dead = [], []
    for seed in range(1, seeds + 1):
        torch.manual_seed(seed)
        m = nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 784), nn.Sigmoid())
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        for _ in range(epochs):
            perm = torch.randperm(xtr.shape[0])
            for i in range(0, xtr.shape[0], 256):
                xb = xtr[perm[i:i + 256]]
                opt.zero_grad(set_to_none=True)
                F.binary_cross_entropy(m(xb), xb).backward()
                opt.step()
        with torch.no_grad():
            losses.append(F.binary_cross_entropy(m(xte), xte).item())
            code = m[1](m[0](xte))
            dead.append(int(((code > 0).sum(0) == 0).sum()))
    print(json.dumps({"torch": losses, "torch_dead": dead}), flush=True)


if __name__ == "__main__":
    main()
