"""PyTorch reference for Latent's runtime benchmark (bench/runtime.sh).

Trains the same models as Latent's benchmark on Fashion-MNIST with Adam
(lr 1e-3), batch 256, on the CPU, and prints one JSON line per model:

  dense  784-256-64-256-784, ReLU, sigmoid output, per-value MSE
  vae    784-400-20-400-784 (PyTorch's examples/vae), BCE summed per image + KL
  conv   the conv autoencoder of shared/reference/torch_autoencoders.py

samples_per_s is 60000 / the median epoch time of epochs 2..EPOCHS (epoch 1
is a warm-up); median_cpu_s is the median CPU time (all threads) of those
epochs, a figure that other load on the machine disturbs less. For dense it also measures the latency of encoding and
decoding one image (median of 7 runs of 500 calls, inference mode).

usage: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 torch_ref.py MODEL THREADS EPOCHS
Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (runtime.sh does).
"""
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FMNIST = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def load_images(name):
    path = os.path.join(FMNIST, name)
    with gzip.open(path, "rb") as f:
        buf = f.read()
    if int.from_bytes(buf[0:4], "big") != 0x803:
        sys.exit(f"torch_ref.py: {path} is not an IDX image file")
    n = int.from_bytes(buf[4:8], "big")
    return np.frombuffer(buf, np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255.0


class Dense(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU())
        self.dec = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 784), nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x))

    def loss(self, x):
        return F.mse_loss(self(x), x)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar

    def loss(self, x):
        r, mu, logvar = self(x)
        bce = F.binary_cross_entropy(r, x, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (bce + kld) / x.shape[0]


class Conv(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
                                 nn.Conv2d(16, 8, 3, stride=2, padding=1), nn.ReLU())
        self.dec = nn.Sequential(nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                                 nn.ConvTranspose2d(8, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                                 nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x.view(-1, 1, 28, 28))).view(-1, 784)

    def loss(self, x):
        return F.mse_loss(self(x), x)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("dense", "vae", "conv"):
        sys.exit("usage: torch_ref.py dense|vae|conv THREADS EPOCHS")
    name, threads, epochs = sys.argv[1], int(sys.argv[2]), max(2, int(sys.argv[3]))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    xtr = torch.from_numpy(load_images("train-images-idx3-ubyte.gz"))
    xte = torch.from_numpy(load_images("t10k-images-idx3-ubyte.gz"))
    m = {"dense": Dense, "vae": VAE, "conv": Conv}[name]()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    batch = 256
    times, cpu = [], []
    loss = None
    for _ in range(epochs):
        perm = torch.randperm(xtr.shape[0])
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, xtr.shape[0], batch):
            xb = xtr[perm[i:i + batch]]
            opt.zero_grad(set_to_none=True)
            loss = m.loss(xb)
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    med = statistics.median(times[1:])
    res = dict(impl="pytorch " + torch.__version__, model=name, threads=threads, batch=batch,
               epoch_s=[round(t, 3) for t in times], median_epoch_s=round(med, 3),
               samples_per_s=round(xtr.shape[0] / med), last_loss=round(loss.item(), 5),
               cpu_s=[round(t, 3) for t in cpu], median_cpu_s=round(statistics.median(cpu[1:]), 3))
    if name == "dense":
        m.eval()
        x1 = xte[:1].clone()
        with torch.inference_mode():
            for _ in range(50):
                m(x1)
            lat = []
            for _ in range(7):
                t0 = time.perf_counter()
                for _ in range(500):
                    m(x1)
                lat.append((time.perf_counter() - t0) / 500)
            res["encode_decode_1_us"] = round(statistics.median(lat) * 1e6, 1)
            res["encode_decode_1_us_min"] = round(min(lat) * 1e6, 1)
            res["test_mse"] = round(F.mse_loss(m(xte), xte).item(), 5)
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
