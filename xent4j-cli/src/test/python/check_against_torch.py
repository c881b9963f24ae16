#!/usr/bin/env python3
"""Checks the xent command line against live PyTorch on random cases (a dev tool; CI does not need torch).

Usage:  python3 xent4j-cli/src/test/python/check_against_torch.py [--cases N] [--seed S] [--xent ./xent]

For every loss subcommand, every reduction, float32 and float64, 1-d / 2-d / K-dim inputs, weights,
ignore_index, label smoothing, probability targets, pos_weight and log_target, it writes .npy files,
runs xent (stdout, --out, --grad) and compares with torch.nn.functional on the same arrays:
the scalar printed on stdout, the --out array (dtype and shape too) and the --grad array
(d(sum of the loss output)/d(input) from autograd). Prints one line per failure and a summary.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import warnings

import numpy as np
import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore", message="reduction: 'mean' divides the total loss")

TOL = {np.float32: (2e-5, 1e-6), np.float64: (1e-11, 1e-12)}


def run_xent(xent, args):
    p = subprocess.run(xent + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


WORST = {np.float32: 0.0, np.float64: 0.0}


def close(a, b, dtype):
    """Within tolerance; records the largest difference seen per dtype, relative to the largest |value| of the array."""
    rtol, atol = TOL[dtype]
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a) & np.isfinite(b)
    if finite.any():
        scale = max(float(np.abs(b[finite]).max()), 1e-30)
        WORST[dtype] = max(WORST[dtype], float(np.abs(a[finite] - b[finite]).max()) / scale)
    return np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


class Checker:
    def __init__(self, xent, tmp):
        self.xent = xent
        self.tmp = tmp
        self.n = 0
        self.failures = []
        self.counter = 0

    def path(self, name):
        self.counter += 1
        return os.path.join(self.tmp, "%s_%d.npy" % (name, self.counter))

    def save(self, name, a):
        p = self.path(name)
        np.save(p, a)
        return p

    def check(self, label, command, files, options, reduction, torch_fn, x, dtype):
        """files: dict option -> array; torch_fn(xt) -> loss tensor computed from the torch input xt."""
        self.n += 1
        args = [command]
        for opt, arr in files.items():
            args += [opt, self.save(opt.strip("-"), arr)]
        args += options + ["--reduction", reduction]
        out = self.path("out")
        grad = self.path("grad")
        rc, so, se = run_xent(self.xent, args + ["--out", out, "--grad", grad])
        xt = torch.tensor(x, requires_grad=True)
        expected = torch_fn(xt)
        expected.sum().backward()
        exp_loss = expected.detach().numpy()
        exp_grad = xt.grad.numpy()
        problems = []
        if rc != 0:
            problems.append("exit %d: %s" % (rc, se.strip()))
        else:
            got = np.load(out)
            g = np.load(grad)
            if got.dtype != x.dtype or got.shape != exp_loss.shape:
                problems.append("--out dtype/shape %s %s, expected %s %s" % (got.dtype, got.shape, x.dtype, exp_loss.shape))
            elif not close(got, exp_loss, dtype):
                problems.append("--out differs: max abs diff %g" % np.nanmax(np.abs(got.astype(np.float64) - exp_loss)))
            if g.dtype != x.dtype or g.shape != x.shape:
                problems.append("--grad dtype/shape %s %s" % (g.dtype, g.shape))
            elif not close(g, exp_grad, dtype):
                problems.append("--grad differs: max abs diff %g" % np.nanmax(np.abs(g.astype(np.float64) - exp_grad)))
            if reduction != "none":
                printed = float(so.strip())
                if not close(printed, exp_loss, dtype):
                    problems.append("stdout %s, torch %r" % (so.strip(), float(exp_loss)))
                if dtype is np.float32 and not np.array_equal(np.float32(printed), np.float32(got), equal_nan=True):
                    problems.append("stdout %s does not round-trip to --out %r" % (so.strip(), got))
            else:
                rc2, so2, se2 = run_xent(self.xent, args)
                values = np.array([float(v) for v in so2.split()]) if so2.strip() else np.zeros(0)
                if rc2 != 0 or not close(values, exp_loss.reshape(-1), dtype):
                    problems.append("printed none values differ (exit %d)" % rc2)
        if problems:
            self.failures.append("%s [%s %s]: %s" % (label, command, reduction, "; ".join(problems)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1, help="random cases per configuration")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--xent", default=None, help="the launcher (default: ./xent at the repository root)")
    a = ap.parse_args()
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
    xent = [a.xent or os.path.join(root, "xent")]
    rng = np.random.default_rng(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        c = Checker(xent, tmp)
        shapes = [(5,), (4, 5), (3, 4, 2), (2, 3, 2, 2), (2, 3, 1, 2, 2), (0, 3)]
        for case in range(a.cases):
            for dtype in (np.float32, np.float64):
                tdt = torch.float32 if dtype is np.float32 else torch.float64
                for shape in shapes:
                    C = shape[0] if len(shape) == 1 else shape[1]
                    x = (rng.standard_normal(shape) * 3).astype(dtype)
                    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
                    y = rng.integers(0, C, size=tshape).astype(np.int64)
                    w = rng.uniform(0.1, 2.0, size=C).astype(dtype)
                    ii = int(rng.integers(0, C))
                    probs = rng.dirichlet(np.ones(C), size=int(np.prod(tshape, dtype=np.int64))).astype(dtype)
                    probs = np.moveaxis(probs.reshape(tshape + (C,)), -1, 0 if len(shape) == 1 else 1)
                    eps = float(rng.choice([0.0, 0.1, 0.35]))
                    for red in ("mean", "sum", "none"):
                        lab = "case %d %s %s" % (case, np.dtype(dtype).name, shape)
                        yt = torch.tensor(y)
                        wt = torch.tensor(w)
                        c.check(lab + " ce index", "cross-entropy", {"--input": x, "--target": y}, [], red,
                                lambda xt: F.cross_entropy(xt, yt, reduction=red), x, dtype)
                        c.check(lab + " ce weight+ignore+smoothing", "cross-entropy",
                                {"--input": x, "--target": y, "--weight": w},
                                ["--ignore-index", str(ii), "--label-smoothing", str(eps)], red,
                                lambda xt: F.cross_entropy(xt, yt, weight=wt, ignore_index=ii, reduction=red,
                                                           label_smoothing=eps), x, dtype)
                        c.check(lab + " ce int32 target", "cross-entropy", {"--input": x, "--target": y.astype(np.int32)}, [], red,
                                lambda xt: F.cross_entropy(xt, yt, reduction=red), x, dtype)
                        pt = torch.tensor(probs)
                        c.check(lab + " ce probabilities", "cross-entropy", {"--input": x, "--target": probs, "--weight": w},
                                ["--label-smoothing", str(eps)], red,
                                lambda xt: F.cross_entropy(xt, pt, weight=wt, reduction=red, label_smoothing=eps), x, dtype)
                        logp = torch.log_softmax(torch.tensor(x), dim=0 if len(shape) == 1 else 1).numpy()
                        c.check(lab + " nll", "nll-loss", {"--input": logp, "--target": y, "--weight": w},
                                ["--ignore-index", str(ii)], red,
                                lambda xt: F.nll_loss(xt, yt, weight=wt, ignore_index=ii, reduction=red), logp, dtype)
                    # element-wise losses
                    t01 = rng.uniform(0, 1, size=shape).astype(dtype)
                    p = (1 / (1 + np.exp(-x))).astype(dtype)
                    tt = torch.tensor(t01)
                    bw_shape = (shape[-1],) if len(shape) >= 1 else ()
                    bw = rng.uniform(0.1, 2, size=bw_shape).astype(dtype)
                    per_sample = rng.uniform(0.1, 2, size=(shape[0],) + (1,) * (len(shape) - 1)).astype(dtype)
                    pw_shape = (shape[1],) + (1,) * (len(shape) - 2) if len(shape) >= 2 else (shape[0],)
                    pw = rng.uniform(0.5, 3, size=pw_shape).astype(dtype)
                    for red in ("mean", "sum", "none"):
                        lab = "case %d %s %s" % (case, np.dtype(dtype).name, shape)
                        c.check(lab + " bce", "bce", {"--input": p, "--target": t01}, [], red,
                                lambda xt: F.binary_cross_entropy(xt, tt, reduction=red), p, dtype)
                        bwt = torch.tensor(per_sample)
                        c.check(lab + " bce per-sample weight", "bce", {"--input": p, "--target": t01, "--weight": per_sample}, [], red,
                                lambda xt: F.binary_cross_entropy(xt, tt, weight=bwt, reduction=red), p, dtype)
                        bwt2 = torch.tensor(bw)
                        pwt = torch.tensor(pw)
                        c.check(lab + " bce-with-logits", "bce-with-logits",
                                {"--input": x, "--target": t01, "--weight": bw, "--pos-weight": pw}, [], red,
                                lambda xt: F.binary_cross_entropy_with_logits(xt, tt, weight=bwt2, pos_weight=pwt, reduction=red),
                                x, dtype)
                    kl_target = np.abs(rng.standard_normal(shape)).astype(dtype) + 0.01
                    kt = torch.tensor(kl_target)
                    for red in ("mean", "sum", "none", "batchmean"):
                        lab = "case %d %s %s" % (case, np.dtype(dtype).name, shape)
                        if red == "batchmean" and shape[0] == 0:
                            continue
                        c.check(lab + " kl-div", "kl-div", {"--input": x, "--target": kl_target}, [], red,
                                lambda xt: F.kl_div(xt, kt, reduction=red), x, dtype)
                        lt = np.log(kl_target)
                        ltt = torch.tensor(lt)
                        c.check(lab + " kl-div log-target", "kl-div", {"--input": x, "--target": lt}, ["--log-target"], red,
                                lambda xt: F.kl_div(xt, ltt, reduction=red, log_target=True), x, dtype)
                    for dim in range(-len(shape), len(shape)):
                        for cmd, fn in (("softmax", torch.softmax), ("log-softmax", torch.log_softmax)):
                            c.n += 1
                            xp = c.save("x", x)
                            out = c.path("y")
                            rc, so, se = run_xent(xent, [cmd, "--input", xp, "--dim", str(dim), "--out", out])
                            exp = fn(torch.tensor(x), dim=dim).numpy()
                            if rc != 0 or not close(np.load(out), exp, dtype) or np.load(out).dtype != x.dtype:
                                c.failures.append("%s %s dim %d %s: exit %d %s" % (cmd, shape, dim, np.dtype(dtype).name, rc, se.strip()))
        for f in c.failures:
            print("FAIL", f)
        print("torch %s, numpy %s: %d checks, %d failures" % (torch.__version__, np.__version__, c.n, len(c.failures)))
        print("largest difference, relative to the array's largest |value|: float32 %.3g, float64 %.3g"
              % (WORST[np.float32], WORST[np.float64]))
        return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
