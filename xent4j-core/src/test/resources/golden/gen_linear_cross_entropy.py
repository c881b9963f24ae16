#!/usr/bin/env python3
"""Golden fixtures for xent4j's LinearCrossEntropyLoss, from PyTorch 1.13 composites.

Usage (from any directory):
    /usr/bin/python3 gen_linear_cross_entropy.py [--out DIR] [--check-only]

Writes linear_cross_entropy.json next to this script (or into --out). Conventions are those of
gen_golden.py (README.md here): ids "fn/name/dtype/n", every option key listed, tensors as
{"shape","dtype","data"}, NaN/Infinity as strings, deterministic data (numpy RandomState seeded
from the group name with crc32, upstream gradients from one seeded from the case id).

PyTorch 1.13 has no linear_cross_entropy (it arrives in 2.x as F.linear_cross_entropy, without
our extra options), so each case is the composite that defines the semantics:

    u      = F.linear(input, linear_weight, linear_bias)           # (N, V); a (B, T, D) input is N = B*T rows
    z      = softcap * tanh(u / softcap)   if softcap else u
    ce     = F.cross_entropy(z, target, weight, ignore_index=, label_smoothing=, reduction="none")
    lse    = torch.logsumexp(z, dim=1)
    valid  = target != ignore_index;   tw = token_weight or ones(N);   wy = weight[target] (1 unweighted), 0 if ignored
    zl     = z_loss * lse**2 * valid
    per    = tw * (ce + zl)                                          # the per-token loss
    none:  per                 sum: per.sum()
    mean:  (tw*ce).sum() / (tw*wy).sum()  +  (tw*zl).sum() / (tw*valid).sum()

Without token weights and z-loss the mean/sum cases call F.cross_entropy with that reduction
directly, i.e. they are PyTorch's own reduction (and the composite above reproduces it; the
script checks that). Gradients with respect to input, linear_weight and linear_bias come from
autograd of the output (times `upstream` for reduction none). Extra expected results:
  z_loss      the z-loss term of the output as the reduction reduces it (none: its sum over tokens; 0 when off)
  tokens      the number of non-ignored tokens
  accuracy    mean over non-ignored tokens of (argmax(z) == target); NaN when none
  perplexity  exp(sum(tw * (lse - z[target])) / sum(tw)) over non-ignored tokens (no class weights,
              no smoothing, no z-loss): the model's perplexity
  lse         logsumexp(z) per token, 0 for ignored tokens (their logits are never computed)
  argmax_margin  the smallest gap between the two largest logits of a non-ignored row: a test
              compares accuracy only where the computation's rounding cannot flip an argmax

Errors (PyTorch's own): D mismatch, target out of bounds, bias or class weight of the wrong length.

Independently, every case is recomputed with a float64 NumPy implementation of the closed-form
value and gradient (the formulas in the javadoc of LinearCrossEntropyLoss), and disagreements are
printed at the end (there should be none).
"""

import argparse
import json
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_golden import enc, rng_for, DT, NPDT, DTYPES  # noqa: E402  (the shared conventions)

torch.manual_seed(0)
torch.set_num_threads(1)

FN = "linear_cross_entropy"
OPTION_KEYS = ("weight", "ignore_index", "label_smoothing", "reduction", "z_loss", "softcap", "token_weight")
DEFAULTS = {"weight": None, "ignore_index": -100, "label_smoothing": 0.0, "reduction": "mean",
            "z_loss": 0.0, "softcap": None, "token_weight": None}
TENSOR_OPTS = ("weight", "token_weight")
CHK_RTOL = {"float32": 2e-5, "float64": 1e-10}

CASES = []
IDS = set()
MISMATCHES = []


# ----------------------------------------------------------------------------------
# the torch composite
# ----------------------------------------------------------------------------------

def torch_composite(h, W, b, y, o):
    """Returns (output, extras) for torch tensors; output keeps the autograd graph."""
    N = y.numel()
    D = h.shape[-1]
    h2 = h.reshape(N, D) if h.dim() == 3 else h
    u = F.linear(h2, W, b)
    c = o["softcap"]
    z = c * torch.tanh(u / c) if c is not None else u
    w = o["weight"]
    ii = o["ignore_index"]
    eps = o["label_smoothing"]
    red = o["reduction"]
    s = o["z_loss"]
    tw = o["token_weight"]
    yf = y.reshape(N)
    valid = yf != ii
    ce = F.cross_entropy(z, yf, weight=w, ignore_index=ii, label_smoothing=eps, reduction="none")
    lse = torch.logsumexp(z, dim=1)
    validf = valid.to(z.dtype)
    # torch.where and boolean selection, not a multiplication by the mask: an ignored token then
    # gets exactly no gradient (as in F.cross_entropy), even when a denominator is 0
    zl = torch.where(valid, s * lse * lse, torch.zeros_like(lse))
    twv = tw.reshape(N) if tw is not None else torch.ones(N, dtype=z.dtype)
    ys = torch.where(valid, yf, torch.zeros_like(yf))
    wy = (w[ys] if w is not None else torch.ones(N, dtype=z.dtype)) * validf
    per = twv * (ce + zl)
    if tw is None and s == 0 and red != "none":
        out = F.cross_entropy(z, yf, weight=w, ignore_index=ii, label_smoothing=eps, reduction=red)
        composite = per[valid].sum() if red == "sum" else (twv * ce)[valid].sum() / (twv * wy)[valid].sum()
        if not torch.allclose(out.detach().double(), composite.detach().double(), rtol=1e-5, atol=1e-6, equal_nan=True):
            raise AssertionError("the composite does not reproduce F.cross_entropy: %s vs %s" % (out, composite))
        zterm = torch.zeros((), dtype=z.dtype)
    elif red == "none":
        out = per.reshape(y.shape)
        zterm = (twv * zl)[valid].sum()
    elif red == "sum":
        out = per[valid].sum()
        zterm = (twv * zl)[valid].sum()
    elif s == 0:
        zterm = torch.zeros((), dtype=z.dtype)  # z-loss off: no term (not 0/0 when the token weights sum to 0)
        out = (twv * ce)[valid].sum() / (twv * wy)[valid].sum()
    else:
        zterm = (twv * zl)[valid].sum() / twv[valid].sum()
        out = (twv * ce)[valid].sum() / (twv * wy)[valid].sum() + zterm
    with torch.no_grad():
        nvalid = int(valid.sum())
        am = torch.argmax(z, dim=1)
        acc = float((am == yf)[valid].to(torch.float64).mean()) if nvalid else float("nan")
        zy = torch.gather(z, 1, ys[:, None])[:, 0]
        nll = (lse - zy).double()
        twd = twv.double()
        ppl = float(torch.exp((twd * nll)[valid].sum() / twd[valid].sum())) if nvalid else float("nan")
        top2 = torch.topk(z.double(), k=min(2, z.shape[1]), dim=1).values
        margin = float((top2[:, 0] - top2[:, 1])[valid].min()) if nvalid and z.shape[1] > 1 else float("inf")
        lse_out = torch.where(valid, lse, torch.zeros_like(lse)).reshape(y.shape)
    extras = {"z_loss": zterm.detach(), "tokens": nvalid, "accuracy": acc, "perplexity": ppl,
              "lse": lse_out.detach(), "argmax_margin": margin}
    return out, extras


# ----------------------------------------------------------------------------------
# float64 NumPy reference: the closed-form value and gradient
# ----------------------------------------------------------------------------------

def reference(h, W, b, y, o, up):
    N = y.size
    D = h.shape[-1]
    V = W.shape[0]
    h2 = h.reshape(N, D)
    yf = y.reshape(N)
    u = h2 @ W.T + (b if b is not None else 0.0)
    c = o["softcap"]
    z = c * np.tanh(u / c) if c is not None else u
    w = o["weight"] if o["weight"] is not None else np.ones(V)
    W_sum = w.sum()
    ii, eps, red, s = o["ignore_index"], o["label_smoothing"], o["reduction"], o["z_loss"]
    tw = o["token_weight"].reshape(N) if o["token_weight"] is not None else np.ones(N)
    valid = yf != ii
    ys = np.where(valid, yf, 0)
    m = z.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]
    p = np.exp(z - lse[:, None])
    wy = np.where(valid, w[ys], 0.0)
    zy = z[np.arange(N), ys]
    # ce_i = (1 - eps) w_y (lse - z_y) + eps / V * sum_j w_j (lse - z_j)
    ce = np.where(valid, (1 - eps) * wy * (lse - zy) + eps / V * (W_sum * lse - z @ w), 0.0)
    zl = np.where(valid, s * lse ** 2, 0.0)
    if red == "none":
        a_ce = tw * up.reshape(N)
        a_z = a_ce
        out = (tw * (ce + zl)).reshape(y.shape)
    elif red == "sum":
        a_ce = a_z = tw
        out = np.sum(tw * (ce + zl))
    else:
        with np.errstate(all="ignore"):
            d_ce = np.sum(tw * wy)
            d_z = np.sum(tw * valid)
            out = np.sum(tw * ce) / d_ce + (np.sum(tw * zl) / d_z if s != 0 else 0.0)
            a_ce = tw / d_ce
            a_z = tw / d_z
    onehot = np.zeros_like(z)
    onehot[np.arange(N), ys] = 1.0
    with np.errstate(all="ignore"):
        dce = (1 - eps) * wy[:, None] * (p - onehot) + eps / V * (W_sum * p - w[None, :])
        g = np.where(valid[:, None], a_ce[:, None] * dce + (a_z * 2 * s * lse)[:, None] * p, 0.0)
    if c is not None:
        g = g * (1 - (z / c) ** 2)
    gh = (g @ W).reshape(h.shape)
    gW = g.T @ h2
    gb = g.sum(axis=0) if b is not None else None
    return out, gh, gW, gb


# ----------------------------------------------------------------------------------
# case collection
# ----------------------------------------------------------------------------------

def close(a, b, rtol):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(b[np.isfinite(b)]))) if np.any(np.isfinite(b)) else 1.0)
    same_special = np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(np.isinf(a) & (a > 0), np.isinf(b) & (b > 0))
    fin = np.isfinite(a) & np.isfinite(b)
    return same_special and bool(np.all(np.abs(a[fin] - b[fin]) <= rtol * scale))


def add(name, dtype, h, W, y, b=None, note=None, **opts):
    npd = NPDT[dtype]
    o = {k: opts.get(k, DEFAULTS[k]) for k in OPTION_KEYS}
    for k in opts:
        if k not in OPTION_KEYS:
            raise KeyError(k)
    h = np.asarray(h, dtype=np.float64).astype(npd)
    W = np.asarray(W, dtype=np.float64).astype(npd)
    b = None if b is None else np.asarray(b, dtype=np.float64).astype(npd)
    y = np.asarray(y).astype(np.int64)
    for k in TENSOR_OPTS:
        if o[k] is not None:
            o[k] = np.asarray(o[k], dtype=np.float64).astype(npd)
    if o["softcap"] is not None:
        o["softcap"] = float(npd(o["softcap"]))
    o["label_smoothing"] = float(o["label_smoothing"])
    o["z_loss"] = float(o["z_loss"])

    n = 0
    while "%s/%s/%s/%d" % (FN, name, dtype, n) in IDS:
        n += 1
    cid = "%s/%s/%s/%d" % (FN, name, dtype, n)
    IDS.add(cid)

    ht = torch.tensor(h, dtype=DT[dtype]).requires_grad_(True)
    Wt = torch.tensor(W, dtype=DT[dtype]).requires_grad_(True)
    bt = None if b is None else torch.tensor(b, dtype=DT[dtype]).requires_grad_(True)
    yt = torch.tensor(y)
    ot = dict(o)
    for k in TENSOR_OPTS:
        if ot[k] is not None:
            ot[k] = torch.tensor(ot[k], dtype=DT[dtype])
    err = None
    upstream = None
    try:
        out, ex = torch_composite(ht, Wt, bt, yt, ot)
    except (RuntimeError, IndexError, ValueError) as e:
        err = {"kind": type(e).__name__, "message": str(e).split("\n")[0]}
    case = {"id": cid, "fn": FN, "dtype": dtype, "input": enc(h, dtype), "linear_weight": enc(W, dtype),
            "linear_bias": enc(b, dtype) if b is not None else None, "target": enc(y),
            "options": {k: (enc(v, dtype) if k in TENSOR_OPTS and v is not None else v) for k, v in o.items()}}
    if err is None:
        if o["reduction"] == "none":
            r = np.random.RandomState(zlib.crc32(cid.encode()) & 0x7FFFFFFF)
            upstream = r.standard_normal(tuple(out.shape)).astype(npd)
            gt = torch.tensor(upstream, dtype=DT[dtype])
        else:
            gt = torch.ones((), dtype=DT[dtype])
        inputs = [ht, Wt] + ([bt] if bt is not None else [])
        grads = torch.autograd.grad(out, inputs, gt, allow_unused=True)
        grads = [torch.zeros_like(t) if g is None else g for t, g in zip(inputs, grads)]
        case["upstream"] = enc(upstream, dtype) if upstream is not None else None
        case["expected"] = {
            "output": enc(out.detach(), dtype),
            "grad_input": enc(grads[0], dtype),
            "grad_linear_weight": enc(grads[1], dtype),
            "grad_linear_bias": enc(grads[2], dtype) if bt is not None else None,
            "z_loss": enc(ex["z_loss"], dtype),
            "tokens": ex["tokens"],
            "accuracy": enc(np.float64(ex["accuracy"]), "float64"),
            "perplexity": enc(np.float64(ex["perplexity"]), "float64"),
            "lse": enc(ex["lse"], dtype),
            "argmax_margin": enc(np.float64(ex["argmax_margin"]), "float64"),
        }
        ro = {k: (v.astype(np.float64) if isinstance(v, np.ndarray) else v) for k, v in o.items()}
        r_out, r_gh, r_gW, r_gb = reference(h.astype(np.float64), W.astype(np.float64),
                                            None if b is None else b.astype(np.float64), y, ro,
                                            None if upstream is None else upstream.astype(np.float64))
        rt = CHK_RTOL[dtype]
        checks = [("output", out.detach().numpy(), r_out), ("grad_input", grads[0].numpy(), r_gh),
                  ("grad_linear_weight", grads[1].numpy(), r_gW)]
        if bt is not None:
            checks.append(("grad_linear_bias", grads[2].numpy(), r_gb))
        for what, got, ref in checks:
            if not close(got, ref, rt * (10 if what != "output" and dtype == "float32" else 1)):
                MISMATCHES.append((cid, "%s torch %s reference %s" % (what, np.ravel(got)[:4], np.ravel(ref)[:4])))
    else:
        case["upstream"] = None
        case["error"] = err
    if note:
        case["note"] = note
    CASES.append(case)
    return case


# ----------------------------------------------------------------------------------
# the cases
# ----------------------------------------------------------------------------------

def data(r, in_shape, V, scale=1.0, bias=False):
    D = in_shape[-1]
    h = r.standard_normal(in_shape)
    W = r.standard_normal((V, D)) * (scale / np.sqrt(D))
    b = r.standard_normal(V) * 0.5 if bias else None
    return h, W, b


def targets(r, shape, V, ignored=0.0, ii=-100):
    y = r.randint(0, V, size=shape)
    if ignored > 0:
        y = np.where(r.random_sample(shape) < ignored, ii, y)
    return y


SHAPES = [  # (input shape, V): tiny, V not a multiple of any block, (B, T, D) input
    ((1, 1), 1), ((1, 3), 2), ((4, 3), 5), ((7, 1), 9), ((6, 8), 33), ((9, 5), 40), ((2, 3, 4), 11),
]
BIG_SHAPES = [  # past a k-block of the GEMM (256) in D (forward), V (input gradient) and N (weight gradient)
    ((1, 257), 2), ((6, 2), 260), ((260, 1), 3),
]


def gen():
    for dtype in DTYPES:
        r = rng_for("linear_cross_entropy/" + dtype)
        # 1. every option alone and the defaults, on every shape
        for shape, V in SHAPES + BIG_SHAPES:
            tshape = shape[:-1]
            tag = "x".join(map(str, shape)) + "_V%d" % V
            for red in ("mean", "sum", "none"):
                h, W, b = data(r, shape, V)
                add("plain_%s_%s" % (tag, red), dtype, h, W, targets(r, tshape, V), reduction=red)
            h, W, b = data(r, shape, V, bias=True)
            add("bias_" + tag, dtype, h, W, targets(r, tshape, V, 0.3), b=b)
            h, W, b = data(r, shape, V)
            add("class_weight_" + tag, dtype, h, W, targets(r, tshape, V, 0.2), weight=0.2 + 2 * r.random_sample(V))
            h, W, b = data(r, shape, V)
            add("smoothing_" + tag, dtype, h, W, targets(r, tshape, V, 0.2), label_smoothing=0.1)
            h, W, b = data(r, shape, V, scale=3.0)
            add("z_loss_" + tag, dtype, h, W, targets(r, tshape, V, 0.2), z_loss=0.01)
            h, W, b = data(r, shape, V, scale=6.0)
            add("softcap_" + tag, dtype, h, W, targets(r, tshape, V, 0.2), softcap=3.0)
            h, W, b = data(r, shape, V)
            add("token_weight_" + tag, dtype, h, W, targets(r, tshape, V, 0.2),
                token_weight=2 * r.random_sample(tshape))
        # 2. random combinations of every option and reduction
        for k in range(120):
            shape, V = SHAPES[r.randint(len(SHAPES))]
            tshape = shape[:-1]
            bias = bool(r.randint(2))
            h, W, b = data(r, shape, V, scale=float(r.choice([1.0, 4.0])), bias=bias)
            opts = {"reduction": str(r.choice(["mean", "sum", "none"]))}
            if r.randint(2):
                opts["weight"] = 0.2 + 2 * r.random_sample(V)
            if r.randint(2):
                opts["label_smoothing"] = float(r.choice([0.05, 0.2, 1.0]))
            if r.randint(2):
                opts["z_loss"] = float(r.choice([1e-4, 0.03]))
            if r.randint(2):
                opts["softcap"] = float(r.choice([2.0, 30.0]))
            if r.randint(2):
                opts["token_weight"] = r.random_sample(tshape) * 2
            ii = -100
            if r.randint(4) == 0:
                ii = int(r.randint(V))
                opts["ignore_index"] = ii
            y = targets(r, tshape, V, float(r.choice([0.0, 0.25])), ii)
            add("mixed_%d" % k, dtype, h, W, y, b=b, **opts)
        # 3. edge cases
        h, W, b = data(r, (5, 4), 6, bias=True)
        for red in ("mean", "sum", "none"):
            add("all_ignored_" + red, dtype, h, W, np.full(5, -100), b=b, reduction=red, z_loss=0.01)
            add("all_ignored_token_weight_" + red, dtype, h, W, np.full(5, -100), reduction=red,
                token_weight=np.ones(5))
        add("ignore_index_is_a_class", dtype, h, W, np.array([0, 2, 2, 5, 1]), ignore_index=2, b=b)
        add("zero_token_weights_mean", dtype, h, W, np.array([0, 1, 2, 3, 4]), token_weight=np.zeros(5))
        add("negative_token_weights", dtype, h, W, np.array([0, 1, 2, 3, 4]), token_weight=np.array([1, -1, 0.5, 2, -0.25]))
        add("smoothing_and_class_weight_and_token_weight", dtype, h, W, np.array([0, 1, -100, 3, 4]), b=b,
            weight=np.array([0.5, 1, 2, 0.1, 3, 1.5]), label_smoothing=0.3, token_weight=np.array([1, 2, 3, 4, 5]))
        h2, W2, _ = data(r, (4, 3), 5, scale=40.0)
        add("large_logits", dtype, h2, W2, np.array([0, 1, 2, 3]), z_loss=1e-3)
        add("large_logits_softcap", dtype, h2, W2, np.array([0, 1, 2, 3]), softcap=5.0, reduction="sum")
        # 4. errors PyTorch raises
        h, W, b = data(r, (3, 4), 5, bias=True)
        add("error_dim_mismatch", dtype, h, W[:, :3], np.array([0, 1, 2]))
        add("error_target_out_of_bounds", dtype, h, W, np.array([0, 5, 2]))
        add("error_negative_target", dtype, h, W, np.array([0, -1, 2]))
        add("error_bias_length", dtype, h, W, np.array([0, 1, 2]), b=b[:4])
        add("error_weight_length", dtype, h, W, np.array([0, 1, 2]), weight=np.ones(4))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--check-only", action="store_true")
    args = ap.parse_args()
    gen()
    doc = {"generator": "gen_linear_cross_entropy.py", "torch_version": torch.__version__,
           "numpy_version": np.__version__, "cases": CASES}
    text = json.dumps(doc, allow_nan=False, separators=(",", ":"))
    if not args.check_only:
        with open(os.path.join(args.out, "linear_cross_entropy.json"), "w") as f:
            f.write(text)
            f.write("\n")
    counts = {}
    for c in CASES:
        key = (c["dtype"], "error" if "error" in c else c["options"]["reduction"])
        counts[key] = counts.get(key, 0) + 1
    print("linear_cross_entropy.json %5d cases %8.1f KB" % (len(CASES), len(text) / 1024.0))
    for key in sorted(counts):
        print("    %-8s %-6s %4d" % (key + (counts[key],)))
    print("== torch %s vs float64 closed-form reference mismatches ==" % torch.__version__)
    for cid, what in MISMATCHES:
        print(cid, "::", what)
    return 1 if MISMATCHES else 0


if __name__ == "__main__":
    sys.exit(main())
