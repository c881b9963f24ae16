#!/usr/bin/python3
"""Accuracy reference for AccuracyTest: the mean cross-entropy of 1,000,000 x 100 float32 logits.

The data are not stored: both sides regenerate them with splitmix64 (see AccuracyTest.java), so
the logits are exact float32 values (24-bit integers times a power of two). This script records
PyTorch's float32 mean and a float64 reference mean (PyTorch in float64 on the same values).
Run: /usr/bin/python3 gen_accuracy.py > accuracy.json
"""
import json
import numpy as np
import torch

N, C = 1_000_000, 100
M = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(seed, n):
    with np.errstate(over="ignore"):
        z = (np.uint64(seed) + (np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))) & M
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & M
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & M
        return z ^ (z >> np.uint64(31))


def data():
    bits = splitmix64(42, N * C)
    # 24 random bits -> [-8, 8): exact in float32
    logits = ((bits >> np.uint64(40)).astype(np.float64) / float(1 << 24) - 0.5) * 16.0
    targets = (splitmix64(7, N) >> np.uint64(33)) % np.uint64(C)
    return logits.astype(np.float32).reshape(N, C), targets.astype(np.int64)


def main():
    x32, y = data()
    torch.set_num_threads(1)
    t32 = torch.nn.functional.cross_entropy(torch.from_numpy(x32), torch.from_numpy(y)).item()
    t64 = torch.nn.functional.cross_entropy(torch.from_numpy(x32.astype(np.float64)), torch.from_numpy(y)).item()
    json.dump({"generator": "gen_accuracy.py", "torch_version": torch.__version__, "n": N, "c": C,
               "logits_seed": 42, "targets_seed": 7,
               "first_logits": [float(v) for v in x32[0, :4]], "first_targets": [int(v) for v in y[:4]],
               "torch_float32_mean": t32, "float64_reference_mean": t64}, __import__("sys").stdout, indent=1)


if __name__ == "__main__":
    main()
