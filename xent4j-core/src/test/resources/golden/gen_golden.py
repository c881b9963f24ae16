#!/usr/bin/env python3
"""Generate golden test fixtures for xent4j from a real PyTorch build.

Usage (from any directory):
    /usr/bin/python3 gen_golden.py [--out DIR] [--check-only]

Writes one JSON file per function group next to this script (or into --out):
    cross_entropy.json  nll_loss.json  bce.json  bce_with_logits.json
    kl_div.json  softmax.json  info.json (entropy / cross_entropy_dist / kl_dist)

Every case is run through torch (forward + autograd).  Independently, every case is
also evaluated with a float64 NumPy implementation of the formulas in
shared/reference/pytorch-semantics.md (the "reference").  Disagreements between torch
and the reference are printed at the end.  For the function groups whose kernels changed
between the installed torch (1.13) and PyTorch 2.x (BCE: log1p(-x) instead of
log(1 - x) and a target range check; BCE-with-logits: log_sigmoid instead of the
max_val/log(exp+exp) form) the reference implements the 2.x formula; where the 1.13
run differs from it beyond a tight tolerance the expected output is replaced by the
2.x formula evaluated in float64 (rounded to the case dtype) and the case gets a
"hand_checked" note.  "Differs" means: 1.13 disagrees with the 2.x kernel evaluated op by op
in the case dtype, 1.13 is further than the noise tolerance from the float64 value, and the
2.x formula is at least 10x more accurate (so float32 rounding noise shared by both kernels
never triggers a replacement); see really_differs().  BCE targets outside [0, 1] are
accepted by 1.13 and rejected by 2.x: those cases carry the 2.x "error" instead.

Deterministic: all random data comes from numpy RandomState seeded per group;
torch.manual_seed is set as well (torch itself draws no random numbers here).
"""

import argparse
import json
import math
import os
import sys
import warnings
import zlib

import numpy as np
import torch
import torch.nn.functional as F

warnings.simplefilter("ignore")  # kl_div 'mean' UserWarning etc.
torch.manual_seed(0)
torch.set_num_threads(1)

NAN = float("nan")
BCE_EPS = float(np.float32(1e-12))  # 9.999999960041972e-13
INF = float("inf")

DT = {"float32": torch.float32, "float64": torch.float64}
NPDT = {"float32": np.float32, "float64": np.float64}
DTYPES = ("float32", "float64")
REDS = ("none", "sum", "mean")

# tolerance used to decide whether torch 1.13 "differs" from the 2.x formula
# (BCE / BCE-with-logits only) -- matches the tolerances in semantics §14.
HC_RTOL = {"float32": 1e-6, "float64": 1e-12}
NOISE_RTOL = {"float32": 1e-5, "float64": 1e-12}
# tolerance used for the informational torch-vs-reference cross check
CHK_RTOL = {"float32": 2e-5, "float64": 1e-9}


def rng_for(name):
    return np.random.RandomState(zlib.crc32(name.encode()) & 0x7FFFFFFF)


# ----------------------------------------------------------------------------------
# JSON encoding
# ----------------------------------------------------------------------------------

def _num(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def enc(t, dtype=None):
    """Encode a torch tensor / numpy array as TENSOR."""
    if t is None:
        return None
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t)
    if a.dtype == np.int64 or a.dtype == np.int32:
        return {"shape": list(a.shape), "dtype": "int64",
                "data": [int(v) for v in a.reshape(-1)]}
    if dtype is None:
        dtype = "float32" if a.dtype == np.float32 else "float64"
    a = a.astype(NPDT[dtype])  # exact values of the dtype
    return {"shape": list(a.shape), "dtype": dtype,
            "data": [_num(v) for v in a.astype(np.float64).reshape(-1)]}


# ----------------------------------------------------------------------------------
# torch runner
# ----------------------------------------------------------------------------------

def xlogy(a, b):
    return torch.special.xlogy(a, b)


def call_torch(fn, x, t, o):
    if fn == "cross_entropy":
        return F.cross_entropy(x, t, weight=o.get("weight"), ignore_index=o["ignore_index"],
                               reduction=o["reduction"], label_smoothing=o["label_smoothing"])
    if fn == "nll_loss":
        return F.nll_loss(x, t, weight=o.get("weight"), ignore_index=o["ignore_index"],
                          reduction=o["reduction"])
    if fn == "binary_cross_entropy":
        return F.binary_cross_entropy(x, t, weight=o.get("weight"), reduction=o["reduction"])
    if fn == "binary_cross_entropy_with_logits":
        return F.binary_cross_entropy_with_logits(x, t, weight=o.get("weight"),
                                                  pos_weight=o.get("pos_weight"),
                                                  reduction=o["reduction"])
    if fn == "kl_div":
        return F.kl_div(x, t, reduction=o["reduction"], log_target=o["log_target"])
    if fn == "softmax":
        return F.softmax(x, dim=o["dim"])
    if fn == "log_softmax":
        return F.log_softmax(x, dim=o["dim"])
    if fn == "entropy":
        return -xlogy(x, x).sum(dim=o["dim"])
    if fn == "cross_entropy_dist":
        return -xlogy(t, x).sum(dim=o["dim"])
    if fn == "kl_dist":
        return (xlogy(t, t) - xlogy(t, x)).sum(dim=o["dim"])
    raise ValueError(fn)


# ----------------------------------------------------------------------------------
# float64 NumPy reference (formulas of pytorch-semantics.md, PyTorch 2.x)
# ----------------------------------------------------------------------------------

class RefError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def np_log_softmax(x, axis):
    with np.errstate(all="ignore"):
        m = np.max(x, axis=axis, keepdims=True) if x.size else x
        s = np.sum(np.exp(x - m), axis=axis, keepdims=True)
        return (x - m) - np.log(s)


def np_softmax(x, axis):
    with np.errstate(all="ignore"):
        m = np.max(x, axis=axis, keepdims=True) if x.size else x
        e = np.exp(x - m)
        return e * (1.0 / np.sum(e, axis=axis, keepdims=True))


def np_xlogy(a, b):
    with np.errstate(all="ignore"):
        r = a * np.log(b)
        r = np.where((a == 0) & ~np.isnan(b), 0.0, r)
        return np.where(np.isnan(a), NAN, r)


def np_reduce(l, red, denom=None):
    if red == "none":
        return l
    s = np.sum(l)
    if red == "sum":
        return np.float64(s)
    with np.errstate(all="ignore"):
        return np.float64(s / denom)


def ref_ce_index(x, y, w, ii, eps, red, g, is_nll=False):
    cd = 0 if x.ndim == 1 else 1
    C = x.shape[cd]
    xl = np.moveaxis(x, cd, -1)  # S + (C,)
    ls = xl if is_nll else np_log_softmax(xl, -1)
    y = np.asarray(y)
    valid = y != ii
    if np.any((y[valid] < 0) | (y[valid] >= C)):
        bad = y[valid][(y[valid] < 0) | (y[valid] >= C)][0]
        raise RefError("IndexError", "Target %d is out of bounds." % bad)
    wv = np.ones(C) if w is None else w
    ys = np.where(valid, y, 0)
    with np.errstate(all="ignore"):
        picked = np.take_along_axis(ls, ys[..., None], -1)[..., 0]
        nll = np.where(valid, -wv[ys] * picked, 0.0)
        D = np.sum(np.where(valid, wv[ys], 0.0))
        if eps > 0 and not is_nll:
            smooth = np.where(valid, -np.sum(ls * wv, -1), 0.0)
            if red == "none":
                out = (1 - eps) * nll + (eps / C) * smooth
            elif red == "sum":
                out = (1 - eps) * np.sum(nll) + (eps / C) * np.sum(smooth)
            else:
                if y.size == 0:
                    out = NAN
                else:
                    out = (1 - eps) * (np.sum(nll) / D) + (eps / C) * (np.sum(smooth) / D)
        else:
            eps = 0.0
            if red == "mean" and y.size == 0:
                out = NAN
            else:
                out = np_reduce(nll, red, D)
        out = np.asarray(out, dtype=np.float64)
        # gradient (closed forms of §3.3 / §4.6)
        if red == "none":
            gs = np.asarray(g, dtype=np.float64)
            Dg = 1.0
        else:
            gs = np.ones(y.shape)
            Dg = D if red == "mean" else 1.0
        onehot = (np.arange(C) == ys[..., None]).astype(np.float64)
        wy = wv[ys][..., None]
        if is_nll:
            gr = -(gs[..., None] / Dg) * wy * onehot
        else:
            p = np.exp(ls)
            W = np.sum(wv)
            gr = (gs[..., None] / Dg) * (p * ((1 - eps) * wy + (eps / C) * W)
                                          - (1 - eps) * wy * onehot - (eps / C) * wv)
        rowbad = np.any(np.isnan(ls), -1, keepdims=True)
        gr = np.where(valid[..., None], gr, np.where(rowbad & (not is_nll), NAN, 0.0))
    return out, np.moveaxis(gr, -1, cd)


def ref_ce_prob(x, t, w, eps, red, g):
    cd = 0 if x.ndim == 1 else 1
    C = x.shape[cd]
    xl = np.moveaxis(x, cd, -1)
    tl = np.moveaxis(t, cd, -1)
    ls = np_log_softmax(xl, -1)
    wv = np.ones(C) if w is None else w
    tp = tl * (1 - eps) + eps / C if eps > 0 else tl
    with np.errstate(all="ignore"):
        l = -np.sum(wv * tp * ls, -1)
        nS = x.size // C if C else 0
        if red == "mean" and x.size == 0:
            out = np.float64(NAN)
        else:
            out = np_reduce(l, red, nS)
        gs = np.asarray(g, dtype=np.float64) if red == "none" else np.ones(l.shape)
        Dg = nS if red == "mean" else 1.0
        p = np.exp(ls)
        gr = (gs[..., None] / Dg) * (p * np.sum(wv * tp, -1, keepdims=True) - wv * tp)
    return np.asarray(out), np.moveaxis(gr, -1, cd)


def ref_bce(x, y, w, red, g):
    """PyTorch 2.x binary_cross_entropy (log1p, target range check)."""
    if np.any(~((x >= 0) & (x <= 1))):
        raise RefError("RuntimeError", "all elements of input should be between 0 and 1")
    if np.any(~((y >= 0) & (y <= 1))):
        raise RefError("RuntimeError", "all elements of target should be between 0 and 1")
    with np.errstate(all="ignore"):
        l = (y - 1) * np.maximum(np.log1p(-x), -100.0) - y * np.maximum(np.log(x), -100.0)
        wb = np.ones_like(x) if w is None else np.broadcast_to(w, x.shape)
        l = l * wb
        out = np_reduce(l, red, x.size)
        gs = np.asarray(g) if red == "none" else 1.0
        # Loss.cpp: `constexpr float EPSILON = 1e-12` -> the clamp is float(1e-12) even for double
        gr = gs * (x - y) / np.maximum((1 - x) * x, BCE_EPS) * wb
        if red == "mean":
            gr = gr / x.size
    return np.asarray(out), gr


def ref_bcel(x, y, w, pw, red, g):
    """PyTorch 2.x binary_cross_entropy_with_logits (log_sigmoid form)."""
    with np.errstate(all="ignore"):
        lsig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        if pw is not None:
            lw = (pw - 1) * y + 1
            lsig = lsig * lw
        l = (1 - y) * x - lsig
        if w is not None:
            l = l * w
        out = np_reduce(l, red, x.size)
        sig = 1.0 / (1.0 + np.exp(-x))
        if pw is not None:
            gr = (1 + (pw - 1) * y) * sig - pw * y
        else:
            gr = sig - y
        if w is not None:
            gr = gr * w
        gr = gr * (np.asarray(g) if red == "none" else 1.0)
        if red == "mean":
            gr = gr / x.size
    return np.asarray(out), np.broadcast_to(gr, x.shape)


def ref_kl(x, t, red, log_target, g):
    with np.errstate(all="ignore"):
        if log_target:
            l = np.exp(t) * (t - x)
            gr = -np.exp(t)
        else:
            l = np_xlogy(t, t) - t * x
            gr = -t
        if red == "batchmean":
            s = np.sum(l)
            out = s / x.shape[0] if x.ndim > 0 else s
        else:
            out = np_reduce(l, red, l.size)
        gr = gr * (np.asarray(g) if red == "none" else 1.0)
        if red == "mean":
            gr = gr / l.size
        elif red == "batchmean" and x.ndim > 0:
            gr = gr / x.shape[0]
    return np.asarray(out), gr


def ref_softmax(x, dim, g, log):
    if x.ndim == 0:
        x1 = x.reshape(1)
        o, gr = ref_softmax(x1, 0, np.asarray(g).reshape(1), log)
        return o.reshape(()), gr.reshape(())
    with np.errstate(all="ignore"):
        if log:
            y = np_log_softmax(x, dim)
            gr = g - np.exp(y) * np.sum(g, dim, keepdims=True)
        else:
            y = np_softmax(x, dim)
            gr = y * (g - np.sum(g * y, dim, keepdims=True))
    return y, gr


def ref_info(fn, q, p, g):
    with np.errstate(all="ignore"):
        if fn == "entropy":
            out = -np.sum(np_xlogy(q, q), -1)
            # torch.xlogy backward: d/dx xlogy(x,x) = xlogy(x!=0, x) + x/x
            gr = -np.asarray(g)[..., None] * (np_xlogy((q != 0).astype(float), q) + q / q)
        elif fn == "cross_entropy_dist":
            out = -np.sum(np_xlogy(p, q), -1)
            gr = -np.asarray(g)[..., None] * (p / q)
        else:
            out = np.sum(np_xlogy(p, p) - np_xlogy(p, q), -1)
            gr = -np.asarray(g)[..., None] * (p / q)
    return np.asarray(out), gr


def validate_index(x, t, w):
    if x.ndim == 0:
        raise RefError("ValueError", "Expected 1 or more dimensions (got 0)")
    cd = 0 if x.ndim == 1 else 1
    C = x.shape[cd]
    if x.ndim >= 2 and t.ndim >= 1 and t.shape[0] != x.shape[0]:
        raise RefError("ValueError", "Expected input batch_size (%d) to match target batch_size (%d)."
                       % (x.shape[0], t.shape[0]))
    if w is not None and w.size != C:
        raise RefError("RuntimeError", "weight tensor should be defined either for all %d classes or no "
                       "classes but got weight tensor of shape: %s" % (C, list(w.shape)))
    if x.ndim == 1 and t.ndim != 0:
        raise RefError("RuntimeError", "target shape")
    if x.ndim == 2 and t.ndim != 1:
        raise RefError("RuntimeError", "0D or 1D target tensor expected, multi-target not supported")
    if x.ndim > 2 and tuple(t.shape) != (x.shape[0],) + tuple(x.shape[2:]):
        raise RefError("RuntimeError", "Expected target size")


def reference(case_fn, x, t, o, g):
    """Returns (output, grad) as float64 numpy, or raises RefError."""
    w = o.get("weight")
    if case_fn in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        if t.shape != x.shape:
            raise RefError("ValueError", "target size differs from input size")
        for k in ("weight", "pos_weight"):
            if o.get(k) is not None:
                try:
                    np.broadcast_to(o[k] * (t if k == "pos_weight" else 1.0), x.shape)
                except ValueError:
                    raise RefError("RuntimeError", "%s not broadcastable to input" % k)
    if fn_is(case_fn, "cross_entropy"):
        if t.shape == x.shape:
            if t.dtype.kind in "iu":
                raise RefError("RuntimeError", "Expected floating point type for target with "
                               "class probabilities, got Long")
            if o["ignore_index"] >= 0:
                raise RefError("RuntimeError", "ignore_index is not supported for floating point target")
            if w is not None and w.size != x.shape[0 if x.ndim == 1 else 1]:
                raise RefError("RuntimeError", "cross_entropy: weight tensor should be defined ...")
            return ref_ce_prob(x, t, w, o["label_smoothing"], o["reduction"], g)
        validate_index(x, t, w)
        if o["label_smoothing"] > 1.0:
            raise RefError("RuntimeError", "label_smoothing must be between 0.0 and 1.0. Got: %s"
                           % o["label_smoothing"])
        return ref_ce_index(x, t, w, o["ignore_index"], max(o["label_smoothing"], 0.0),
                            o["reduction"], g)
    if case_fn == "nll_loss":
        validate_index(x, t, w)
        return ref_ce_index(x, t, w, o["ignore_index"], 0.0, o["reduction"], g, is_nll=True)
    if case_fn == "binary_cross_entropy":
        return ref_bce(x, t, w, o["reduction"], g)
    if case_fn == "binary_cross_entropy_with_logits":
        return ref_bcel(x, t, w, o.get("pos_weight"), o["reduction"], g)
    if case_fn == "kl_div":
        return ref_kl(x, t, o["reduction"], o["log_target"], g)
    if case_fn in ("softmax", "log_softmax"):
        return ref_softmax(x, o["dim"], g, case_fn == "log_softmax")
    return ref_info(case_fn, x, t, g)


def fn_is(a, b):
    return a == b


def emulate_2x(fn, x, t, o, dtype):
    """PyTorch 2.x CPU forward of BCE / BCE-with-logits evaluated op by op in the case dtype
    (numpy float32 or float64 arithmetic, same operation order as Loss.cpp / log_sigmoid);
    the final sum/mean is accumulated in float64 and rounded once."""
    d = NPDT[dtype]
    x = x.astype(d)
    t = t.astype(d)
    w = o.get("weight")
    w = None if w is None else w.astype(d)
    one = d(1)
    with np.errstate(all="ignore"):
        if fn == "binary_cross_entropy":
            l = (t - one) * np.maximum(np.log1p(-x), d(-100)) - t * np.maximum(np.log(x), d(-100))
        else:
            lsig = np.minimum(x, d(0)) - np.log1p(np.exp(-np.abs(x)))
            pw = o.get("pos_weight")
            if pw is not None:
                lsig = lsig * ((pw.astype(d) - one) * t + one)
            l = (one - t) * x - lsig
        if w is not None:
            l = l * w
        l = l.astype(d)
        red = o["reduction"]
        if red == "none":
            return l
        s_ = np.sum(l.astype(np.float64))
        if red == "mean":
            s_ = s_ / l.size if l.size else NAN
        return np.asarray(s_).astype(d)


def really_differs(a, b, c, dtype):
    """a = torch 1.13 output, b = 2.x formula in the case dtype, c = 2.x formula in float64.
    An element counts as a real 1.13-vs-2.x difference when 1.13 disagrees with the 2.x kernel
    (rel > HC_RTOL), 1.13 is inaccurate (rel to c > NOISE_RTOL) and 2.x is at least 10x more
    accurate -- so float32 rounding noise shared by both formulas never triggers a replacement."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    if a.size == 0:
        return False
    fa, fb, fc = np.isfinite(a), np.isfinite(b), np.isfinite(c)
    pat = lambda u: np.where(np.isnan(u), 2.0, np.where(np.isinf(u), np.sign(u), 0.0))
    if np.any((fa != fc) | (pat(a) != pat(c))) and np.all(pat(b) == pat(c)):
        return True
    m = fa & fb & fc
    a, b, c = a[m], b[m], c[m]
    with np.errstate(all="ignore"):
        e1 = np.where(c == 0, np.where(a == 0, 0.0, INF), np.abs(a - c) / np.abs(c))
        e2 = np.where(c == 0, np.where(b == 0, 0.0, INF), np.abs(b - c) / np.abs(c))
    d_ab = np.abs(a - b) > HC_RTOL[dtype] * np.maximum(np.abs(a), np.abs(b))
    return bool(np.any(d_ab & (e1 > NOISE_RTOL[dtype]) & (e1 > 10 * e2)))


def close_strict(a, b, rtol):
    """elementwise |a-b| <= rtol*max(|a|,|b|) (so 0 vs non-zero differs); NaN==NaN; inf exact."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    na, nb = np.isnan(a), np.isnan(b)
    if np.any(na != nb):
        return False
    m = ~na
    if np.any(np.isinf(a[m]) | np.isinf(b[m])):
        if np.any(a[m][np.isinf(a[m]) | np.isinf(b[m])] != b[m][np.isinf(a[m]) | np.isinf(b[m])]):
            return False
    m = m & np.isfinite(a) & np.isfinite(b)
    return bool(np.all(np.abs(a[m] - b[m]) <= rtol * np.maximum(np.abs(a[m]), np.abs(b[m]))))


def close(a, b, rtol):
    """elementwise |a-b| <= rtol*max(|b|, tiny); NaN==NaN, inf must match exactly."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    if a.size == 0:
        return True
    na, nb = np.isnan(a), np.isnan(b)
    if np.any(na != nb):
        return False
    fa, fb = np.isfinite(a), np.isfinite(b)
    if np.any(fa != fb):
        return False
    if np.any(a[~fa & ~na] != b[~fb & ~nb]):
        return False
    m = fa & fb
    scale = np.max(np.abs(b[m])) if np.any(m) else 0.0
    tol = rtol * np.maximum(np.abs(b[m]), 1e-3 * scale) + (1e-7 if rtol > 1e-6 else 1e-15)
    return bool(np.all(np.abs(a[m] - b[m]) <= tol))


# ----------------------------------------------------------------------------------
# case collection
# ----------------------------------------------------------------------------------

OPTION_KEYS = {
    "cross_entropy": ("weight", "ignore_index", "label_smoothing", "reduction"),
    "nll_loss": ("weight", "ignore_index", "reduction"),
    "binary_cross_entropy": ("weight", "reduction"),
    "binary_cross_entropy_with_logits": ("weight", "pos_weight", "reduction"),
    "kl_div": ("reduction", "log_target"),
    "softmax": ("dim",),
    "log_softmax": ("dim",),
    "entropy": ("dim",),
    "cross_entropy_dist": ("dim",),
    "kl_dist": ("dim",),
}
DEFAULTS = {"weight": None, "pos_weight": None, "ignore_index": -100, "label_smoothing": 0.0,
            "reduction": "mean", "log_target": False, "dim": -1}
TENSOR_OPTS = ("weight", "pos_weight")
NO_TARGET = ("softmax", "log_softmax", "entropy")
BCE_FAMILY = ("binary_cross_entropy", "binary_cross_entropy_with_logits")


class Group:
    def __init__(self, fname):
        self.fname = fname
        self.cases = []
        self.ids = set()
        self.mismatches = []  # (id, what)
        self.hand_checked = []  # (id, note)


GROUPS = {}
CURRENT = [None]


def group(fname):
    g = GROUPS.setdefault(fname, Group(fname))
    CURRENT[0] = g
    return g


def add(fn, name, dtype, x, t=None, rng=None, hand_checked=None, target_dtype=None, **opts):
    """x, t: numpy arrays (float64 values; cast to dtype here) or python lists."""
    grp = CURRENT[0]
    npd = NPDT[dtype]
    o = {k: opts.get(k, DEFAULTS[k]) for k in OPTION_KEYS[fn]}
    for k in opts:
        if k not in OPTION_KEYS[fn]:
            raise KeyError("option %s not valid for %s" % (k, fn))
    x = np.asarray(x, dtype=np.float64).astype(npd)
    if t is not None:
        t = np.asarray(t)
        if target_dtype == "int64" or (target_dtype is None and t.dtype.kind in "iu"):
            t = t.astype(np.int64)
        else:
            t = t.astype(np.float64).astype(npd)
    for k in TENSOR_OPTS:
        if k in o and o[k] is not None:
            o[k] = np.asarray(o[k], dtype=np.float64).astype(npd)

    # unique id
    n = 0
    while "%s/%s/%s/%d" % (fn, name, dtype, n) in grp.ids:
        n += 1
    cid = "%s/%s/%s/%d" % (fn, name, dtype, n)
    grp.ids.add(cid)

    # ---- torch
    xt = torch.tensor(x, dtype=DT[dtype]).requires_grad_(True)
    tt = None
    if t is not None:
        tt = torch.tensor(t) if t.dtype == np.int64 else torch.tensor(t, dtype=DT[dtype])
    ot = dict(o)
    for k in TENSOR_OPTS:
        if k in ot and ot[k] is not None:
            ot[k] = torch.tensor(ot[k], dtype=DT[dtype])
    err = None
    out = grad = upstream = None
    try:
        out = call_torch(fn, xt, tt, ot)
    except Exception as e:  # noqa: BLE001 -- we record PyTorch's exception
        err = {"kind": type(e).__name__, "message": str(e).split("\n")[0]}
    if err is None:
        needs_up = fn in ("softmax", "log_softmax", "entropy", "cross_entropy_dist", "kl_dist") \
            or o.get("reduction") == "none"
        if needs_up:
            r = rng if rng is not None else np.random.RandomState(zlib.crc32(cid.encode()) & 0x7FFFFFFF)
            upstream = np.asarray(r.standard_normal(tuple(out.shape))).astype(npd)
            gt = torch.tensor(upstream, dtype=DT[dtype])
        else:
            gt = torch.ones((), dtype=DT[dtype])
        if out.requires_grad:
            (gx,) = torch.autograd.grad(out, xt, gt, allow_unused=True)
            grad = torch.zeros_like(xt) if gx is None else gx
        else:
            grad = torch.zeros_like(xt)
        out = out.detach().numpy()
        grad = grad.detach().numpy()

    # ---- reference
    ref_err = None
    ref_out = ref_grad = None
    try:
        ro = {k: (v.astype(np.float64) if isinstance(v, np.ndarray) else v) for k, v in o.items()}
        ref_out, ref_grad = reference(fn, x.astype(np.float64),
                                      None if t is None else (t if t.dtype == np.int64 else t.astype(np.float64)),
                                      ro, None if upstream is None else upstream.astype(np.float64))
    except RefError as e:
        ref_err = {"kind": e.kind, "message": e.message}
    except Exception as e:  # noqa: BLE001 -- reference bug; reported as mismatch
        ref_err = {"kind": "ReferenceFailure", "message": "%s: %s" % (type(e).__name__, e)}

    case = {"id": cid, "fn": fn, "dtype": dtype, "input": enc(x, dtype)}
    if fn not in NO_TARGET:
        case["target"] = enc(t, None if t.dtype == np.int64 else dtype)
    case["options"] = {k: (enc(v, dtype) if k in TENSOR_OPTS and v is not None else v)
                       for k, v in o.items()}
    case["upstream"] = enc(upstream, dtype) if upstream is not None else None

    notes = []
    if fn in BCE_FAMILY:
        # PyTorch 2.x semantics win where 1.13 differs
        if err is None and ref_err is not None:
            err = dict(ref_err)
            notes.append("PyTorch 1.13 accepted this input and returned %s; PyTorch 2.x rejects it "
                         "(%s: %s; target range check added after pytorch/pytorch#87373, "
                         "semantics §5.2/§8)." % (_fmt(out), ref_err["kind"], ref_err["message"]))
        elif err is None and ref_err is None:
            emu = emulate_2x(fn, x.astype(np.float64), t.astype(np.float64), o, dtype)
            emu64 = emulate_2x(fn, x.astype(np.float64), t.astype(np.float64), o, "float64")
            if really_differs(out, emu, emu64, dtype):
                why = ("1.13 computes log(1 - x) where 2.x computes log1p(-x)"
                       if fn == "binary_cross_entropy" else
                       "1.13 computes log(exp(-m) + exp(-x - m)) + m (m = max(-x, 0)) where 2.x "
                       "computes log_sigmoid(x) = min(x,0) - log1p(exp(-|x|))")
                notes.append("output replaced by the PyTorch 2.x CPU formula (semantics §%s) evaluated "
                             "in float64 NumPy and rounded to %s: %s. PyTorch 1.13 returned %s; "
                             "2.x formula in float64: %s (max rel diff %.3g); 2.x formula evaluated "
                             "op by op in %s: %s. Gradient is from the 1.13 autograd run (backward "
                             "formula unchanged in 2.x)."
                             % ("5.2" if fn == "binary_cross_entropy" else "6.2", dtype, why,
                                _fmt(out), _fmt(emu64), _maxrel(out, emu64), dtype, _fmt(emu)))
                out = np.asarray(emu64).astype(npd)
    if hand_checked:
        notes.append(hand_checked)

    if err is not None:
        case["error"] = err
        if ref_err is None or ref_err["kind"] != err["kind"]:
            grp.mismatches.append((cid, "torch error %s but reference %s" % (err, ref_err or _fmt(ref_out))))
    else:
        case["expected"] = {"output": enc(out, dtype), "grad": enc(grad, dtype)}
        if ref_err is not None:
            grp.mismatches.append((cid, "torch ok %s but reference error %s" % (_fmt(out), ref_err)))
        else:
            if not close(out, ref_out, CHK_RTOL[dtype]):
                grp.mismatches.append((cid, "output torch %s ref %s" % (_fmt(out), _fmt(ref_out))))
            if not close(grad, ref_grad, CHK_RTOL[dtype] * (10 if dtype == "float32" else 1)):
                grp.mismatches.append((cid, "grad torch %s ref %s" % (_fmt(grad), _fmt(ref_grad))))
    if notes:
        case["hand_checked"] = " ".join(notes)
        grp.hand_checked.append((cid, case["hand_checked"]))
    grp.cases.append(case)
    return case


def _fmt(a):
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    s = ", ".join(repr(float(v)) for v in a[:6])
    return "[" + s + (", ...]" if a.size > 6 else "]")


def _maxrel(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(all="ignore"):
        d = np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
    d = d[np.isfinite(d)]
    return float(np.max(d)) if d.size else float("nan")


# ----------------------------------------------------------------------------------
# generators per group
# ----------------------------------------------------------------------------------

def rand_logits(r, shape, k):
    scale = (1.0, 3.0, 10.0, 0.1)[k % 4]
    return r.standard_normal(shape) * scale


def rand_weights(r, C):
    return r.uniform(0.2, 3.0, size=C)


def index_targets(r, N_shape, C, mode):
    """mode: none | some | class0 | custom255 ; returns (target array, ignore_index)."""
    flat = np.asarray(r.randint(0, C, size=N_shape), dtype=np.int64).reshape(-1).copy()
    if mode == "none":
        return flat.reshape(N_shape), -100
    if mode == "class0":
        if flat.size >= 2:
            flat[0] = 0
            if C > 1 and np.all(flat == 0):
                flat[-1] = C - 1
        return flat.reshape(N_shape), 0
    ii = -100 if mode == "some" else 255
    if flat.size == 1:
        flat[0] = ii
    elif flat.size > 1:
        m = r.rand(flat.size) < 0.35
        m[0] = True
        m[-1] = False
        flat[m] = ii
    return flat.reshape(N_shape), ii


CE_SHAPES = [  # (tag, input shape)
    ("unbatched_C", (5,)),
    ("NC", (4, 5)),
    ("NCd1", (3, 4, 3)),
    ("NCd1d2", (2, 3, 2, 3)),
    ("NCd1d2d3", (2, 3, 2, 2, 2)),
]


def target_shape(xshape):
    if len(xshape) == 1:
        return ()
    return (xshape[0],) + tuple(xshape[2:])


def gen_cross_entropy():
    group("cross_entropy.json")
    r = rng_for("cross_entropy")
    k = 0
    # ---- full grid, class-index targets
    for dtype in DTYPES:
        for tag, shp in CE_SHAPES:
            C = shp[0] if len(shp) == 1 else shp[1]
            for wmode in ("noweight", "weighted"):
                for imode in ("none", "some", "class0", "custom255"):
                    for ls in (0.0, 0.1, 1.0):
                        for red in REDS:
                            x = rand_logits(r, shp, k)
                            k += 1
                            y, ii = index_targets(r, target_shape(shp), C, imode)
                            w = rand_weights(r, C) if wmode == "weighted" else None
                            name = "index_%s_%s_ignore-%s_ls%s_%s" % (tag, wmode, imode, ls, red)
                            add("cross_entropy", name, dtype, x, y, weight=w, ignore_index=ii,
                                label_smoothing=ls, reduction=red)
    # ---- class-index edge cases
    for dtype in DTYPES:
        for red in REDS:
            for ls in (0.0, 0.1):
                # C = 1
                add("cross_entropy", "index_C1_ls%s_%s" % (ls, red), dtype,
                    rand_logits(r, (4, 1), 1), np.zeros(4, np.int64), label_smoothing=ls, reduction=red)
                add("cross_entropy", "index_C1_weighted_ls%s_%s" % (ls, red), dtype,
                    rand_logits(r, (3, 1, 2), 2), np.zeros((3, 2), np.int64), weight=[2.5],
                    label_smoothing=ls, reduction=red)
                # empty batch
                add("cross_entropy", "index_empty_N0C_ls%s_%s" % (ls, red), dtype,
                    np.zeros((0, 4)), np.zeros(0, np.int64), label_smoothing=ls, reduction=red)
                add("cross_entropy", "index_empty_N0C4_weighted_ls%s_%s" % (ls, red), dtype,
                    np.zeros((0, 3, 4)), np.zeros((0, 4), np.int64), weight=[1.0, 2.0, 3.0],
                    label_smoothing=ls, reduction=red)
            for ls in (0.0, 0.1, 1.0):
                for wmode in ("noweight", "weighted"):
                    w = [0.5, 2.0, 1.5, 3.0] if wmode == "weighted" else None
                    add("cross_entropy", "index_all_ignored_%s_ls%s_%s" % (wmode, ls, red), dtype,
                        rand_logits(r, (3, 4), 0), np.full(3, -100, np.int64), weight=w,
                        label_smoothing=ls, reduction=red)
                    add("cross_entropy", "index_all_ignored_kdim_%s_ls%s_%s" % (wmode, ls, red), dtype,
                        rand_logits(r, (2, 4, 3), 1), np.full((2, 3), 7, np.int64), weight=w,
                        ignore_index=7, label_smoothing=ls, reduction=red)
            # label_smoothing -0.1 == 0
            x = rand_logits(r, (4, 5), 1)
            y = r.randint(0, 5, 4)
            add("cross_entropy", "index_ls_negative_treated_as_zero_%s" % red, dtype, x, y,
                label_smoothing=-0.1, reduction=red)
            add("cross_entropy", "index_ls_negative_treated_as_zero_weighted_%s" % red, dtype, x, y,
                weight=rand_weights(r, 5), label_smoothing=-0.1, reduction=red)
            # §13 item 11 negative weights
            add("cross_entropy", "sec13_item11_negative_weights_2_-1_%s" % red, dtype,
                np.zeros((2, 2)), [0, 1], weight=[2.0, -1.0], reduction=red)
            add("cross_entropy", "sec13_item11_negative_weights_1_-1_zero_denominator_%s" % red, dtype,
                np.zeros((2, 2)), [0, 1], weight=[1.0, -1.0], reduction=red)
            add("cross_entropy", "negative_weights_random_ls0.1_%s" % red, dtype,
                rand_logits(r, (4, 3), 0), [0, 1, 2, 1], weight=[1.5, -0.5, 2.0],
                label_smoothing=0.1, reduction=red)
            # §13 items 13-15: large and infinite logits
            for ls in (0.0, 0.1):
                add("cross_entropy", "sec13_item13_large_logits_1e4_y1_ls%s_%s" % (ls, red), dtype,
                    [[1e4, 0.0]], [1], label_smoothing=ls, reduction=red)
                add("cross_entropy", "sec13_item13_large_logits_1e4_y0_ls%s_%s" % (ls, red), dtype,
                    [[1e4, 0.0]], [0], label_smoothing=ls, reduction=red)
                add("cross_entropy", "sec13_item13_large_logits_mixed_ls%s_%s" % (ls, red), dtype,
                    [[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [5e3, 5e3 + 1, 5e3 - 1]], [1, 2, 0],
                    label_smoothing=ls, reduction=red)
                add("cross_entropy", "sec13_item13_large_logits_1e8_both_ls%s_%s" % (ls, red), dtype,
                    [[1e8, 1e8]], [0], label_smoothing=ls, reduction=red)
                add("cross_entropy", "sec13_item14_neginf_logit_y0_ls%s_%s" % (ls, red), dtype,
                    [[0.0, -INF]], [0], label_smoothing=ls, reduction=red)
                add("cross_entropy", "sec13_item14_neginf_logit_y1_ls%s_%s" % (ls, red), dtype,
                    [[0.0, -INF]], [1], label_smoothing=ls, reduction=red)
                add("cross_entropy", "sec13_item14_neginf_logits_batch_ls%s_%s" % (ls, red), dtype,
                    [[0.5, -INF, 1.0], [-INF, 2.0, -INF], [0.1, 0.2, 0.3]], [0, 1, 2],
                    weight=[1.0, 2.0, 0.5], label_smoothing=ls, reduction=red)
                # §13 item 15: all -inf row / +inf / NaN
                add("cross_entropy", "sec13_item15_all_neginf_row_valid_ls%s_%s" % (ls, red), dtype,
                    [[-INF, -INF, -INF], [1.0, 2.0, 3.0]], [0, 2], label_smoothing=ls, reduction=red)
                add("cross_entropy", "sec13_item15_all_neginf_row_ignored_nan_grad_ls%s_%s" % (ls, red),
                    dtype, [[-INF, -INF, -INF], [1.0, 2.0, 3.0]], [-100, 2], label_smoothing=ls,
                    reduction=red)
                add("cross_entropy", "sec13_item15_posinf_row_ignored_ls%s_%s" % (ls, red), dtype,
                    [[INF, 0.0, 1.0], [1.0, 2.0, 3.0]], [-100, 1], label_smoothing=ls, reduction=red)
                add("cross_entropy", "sec13_item15_posinf_row_valid_ls%s_%s" % (ls, red), dtype,
                    [[INF, 0.0, 1.0], [1.0, 2.0, 3.0]], [0, 1], label_smoothing=ls, reduction=red)
                add("cross_entropy", "sec13_item15_nan_row_ignored_ls%s_%s" % (ls, red), dtype,
                    [[NAN, 0.0, 1.0], [1.0, 2.0, 3.0]], [-100, 1], label_smoothing=ls, reduction=red)
            # §13 item 12 K-dim example and reshape paths
            xk = np.array([[[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]]])  # (1,3,2)
            add("cross_entropy", "sec13_item12_kdim_example_%s" % red, dtype, xk, [[2, 1]], reduction=red)
            add("cross_entropy", "sec13_item12_kdim_example_ignored_%s" % red, dtype, xk, [[2, -100]],
                reduction=red)
            add("cross_entropy", "sec13_item12_kdim_example_4d_%s" % red, dtype, xk.reshape(1, 3, 1, 2),
                [[[2, 1]]], reduction=red)
            add("cross_entropy", "sec13_item12_kdim_example_5d_%s" % red, dtype,
                xk.reshape(1, 3, 1, 1, 2), [[[[2, 1]]]], reduction=red)

    # ---- worked examples (float32 and float64)
    xa = [[0.2, 0.3, 0.5], [0.5, 0.2, 0.3]]
    for dtype in DTYPES:
        for red in REDS:
            add("cross_entropy", "sec13_item1_basic_%s" % red, dtype, [[1.0, 2.0, 3.0]], [2], reduction=red)
            add("cross_entropy", "sec13_item1_basic_unbatched_%s" % red, dtype, [1.0, 2.0, 3.0],
                np.array(2, np.int64), reduction=red)
            add("cross_entropy", "sec13_item2_issue25571_weighted_%s" % red, dtype, xa, [2, 1],
                weight=[2.0, 4.0, 6.0], reduction=red)
            add("cross_entropy", "sec4_3_worked_example_sec13_item3_weighted_smoothing_%s" % red, dtype,
                xa, [2, 1], weight=[2.0, 4.0, 6.0], label_smoothing=0.1, reduction=red)
            add("cross_entropy", "sec13_item4_smoothing_0.1_noweight_%s" % red, dtype, xa, [2, 1],
                label_smoothing=0.1, reduction=red)
            add("cross_entropy", "sec13_item4_smoothing_1.0_noweight_%s" % red, dtype, xa, [2, 1],
                label_smoothing=1.0, reduction=red)
            add("cross_entropy", "sec4_6_worked_gradient_example_sec13_item5_%s" % red, dtype,
                [[2, -1, 0.5, 0], [0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1]], [0, -100, 3],
                weight=[1, 2, 0.5, 4], label_smoothing=0.2, reduction=red)
            add("cross_entropy", "sec13_item8_ignore_index_real_class0_%s" % red, dtype,
                [[0.3, 1.2, -0.4], [2.0, 0.1, 0.0], [0.5, 0.5, 1.5]], [0, 2, 1], ignore_index=0,
                weight=[1.0, 2.0, 3.0], label_smoothing=0.1, reduction=red)
            add("cross_entropy", "sec13_item9_ignore_index_255_%s" % red, dtype,
                rand_logits(r, (3, 5), 0), [255, 4, 1], ignore_index=255, reduction=red)
            add("cross_entropy", "sec13_item10_single_sample_weight_cancels_%s" % red, dtype,
                [[1.0, 2.0, 3.0]], [2], weight=[1.0, 1.0, 5.0], reduction=red)
            add("cross_entropy", "sec13_item10_single_sample_zero_weight_%s" % red, dtype,
                [[1.0, 2.0, 3.0]], [2], weight=[1.0, 1.0, 0.0], reduction=red)
            add("cross_entropy", "sec13_item17_ls_1.0_accepted_%s" % red, dtype, xa, [2, 1],
                weight=[2.0, 4.0, 6.0], label_smoothing=1.0, reduction=red)
            add("cross_entropy", "sec4_7_unbatched_ignored_%s" % red, dtype, [0.5, -1.0, 2.0],
                np.array(-100, np.int64), reduction=red)
            add("cross_entropy", "sec4_7_unbatched_weighted_ls0.1_%s" % red, dtype, [0.5, -1.0, 2.0],
                np.array(1, np.int64), weight=[1.0, 3.0, 0.5], label_smoothing=0.1, reduction=red)
    # tutorial case (float32 and float64)
    for dtype in DTYPES:
        for red in ("mean", "none", "sum"):
            add("cross_entropy", "tutorial_%s" % red, dtype,
                [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], [0, 2], reduction=red)

    # ---- probability targets
    def soft(shape, cd, kind):
        if kind == "soft":
            t = r.uniform(0.0, 1.0, size=shape)
            return t / t.sum(axis=cd, keepdims=True)
        if kind == "onehot":
            C = shape[cd]
            idx = r.randint(0, C, size=shape[:cd] + shape[cd + 1:])
            return np.moveaxis(np.eye(C)[idx], -1, cd)
        if kind == "unnormalized":
            return r.uniform(0.0, 2.0, size=shape)
        if kind == "negative":
            return r.uniform(-1.0, 1.5, size=shape)
        raise ValueError(kind)

    P_SHAPES = [("unbatched_C", (4,)), ("NC", (4, 5)), ("NCd1", (2, 4, 3)), ("NCd1d2", (2, 3, 2, 2))]
    for dtype in DTYPES:
        for tag, shp in P_SHAPES:
            cd = 0 if len(shp) == 1 else 1
            C = shp[cd]
            for kind in ("soft", "onehot", "unnormalized", "negative"):
                for wmode in ("noweight", "weighted"):
                    for ls in (0.0, 0.1):
                        for red in REDS:
                            if kind in ("unnormalized", "negative") and tag not in ("NC", "NCd1"):
                                continue
                            x = rand_logits(r, shp, k)
                            k += 1
                            w = rand_weights(r, C) if wmode == "weighted" else None
                            add("cross_entropy", "prob_%s_%s_%s_ls%s_%s" % (tag, kind, wmode, ls, red),
                                dtype, x, soft(shp, cd, kind), weight=w, label_smoothing=ls,
                                reduction=red)
        for red in REDS:
            oh = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
            add("cross_entropy", "sec13_item18_prob_onehot_weighted_%s" % red, dtype, xa, oh,
                weight=[2.0, 4.0, 6.0], reduction=red)
            add("cross_entropy", "sec13_item18_prob_onehot_weighted_ls0.1_%s" % red, dtype, xa, oh,
                weight=[2.0, 4.0, 6.0], label_smoothing=0.1, reduction=red)
            add("cross_entropy", "sec13_item19_prob_unnormalized_%s" % red, dtype, [0.0, 0.0], [2.0, 0.0],
                reduction=red)
            add("cross_entropy", "sec13_item20_prob_zero_target_at_neginf_logit_%s" % red, dtype,
                [[0.0, -INF, 1.0], [0.2, 0.3, 0.5]], [[0.5, 0.0, 0.5], [0.2, 0.2, 0.6]], reduction=red)
            add("cross_entropy", "prob_empty_N0C_%s" % red, dtype, np.zeros((0, 3)), np.zeros((0, 3)),
                reduction=red)
            add("cross_entropy", "prob_C1_%s" % red, dtype, rand_logits(r, (3, 1), 1), np.ones((3, 1)),
                label_smoothing=0.1, reduction=red)
            add("cross_entropy", "prob_ignore_index_negative_allowed_%s" % red, dtype,
                rand_logits(r, (3, 4), 0), soft((3, 4), 1, "soft"), ignore_index=-5, reduction=red)
            add("cross_entropy", "prob_large_logits_1e4_%s" % red, dtype,
                [[1e4, 0.0, -1e4], [1e8, 1e8, 0.0]], [[0.2, 0.3, 0.5], [0.5, 0.5, 0.0]], reduction=red)
            add("cross_entropy", "prob_ls_negative_treated_as_zero_%s" % red, dtype,
                rand_logits(r, (3, 4), 0), soft((3, 4), 1, "soft"), label_smoothing=-0.1, reduction=red)

    # ---- errors
    for dtype in DTYPES:
        xe = rand_logits(r, (3, 5), 0)
        add("cross_entropy", "error_target_out_of_range", dtype, xe, [1, 7, 2])
        add("cross_entropy", "error_negative_target_not_ignore_index", dtype, xe, [1, -1, 2])
        add("cross_entropy", "error_negative_target_with_ls", dtype, xe, [1, -1, 2], label_smoothing=0.1)
        add("cross_entropy", "sec13_item9_error_out_of_range_with_ignore_index_255", dtype, xe,
            [255, 7, 2], ignore_index=255)
        add("cross_entropy", "error_target_out_of_range_kdim", dtype, rand_logits(r, (2, 5, 3), 0),
            [[0, 1, 2], [3, 4, 5]])
        add("cross_entropy", "error_target_out_of_range_unbatched", dtype, [0.1, 0.2, 0.3],
            np.array(3, np.int64))
        add("cross_entropy", "error_weight_wrong_length", dtype, xe, [1, 2, 2], weight=np.ones(6))
        add("cross_entropy", "error_weight_wrong_length_prob", dtype, xe, soft((3, 5), 1, "soft"),
            weight=np.ones(4))
        add("cross_entropy", "sec13_item17_error_label_smoothing_1.5", dtype, xe, [1, 2, 2],
            label_smoothing=1.5)
        add("cross_entropy", "error_same_shape_int64_target", dtype, xe, np.zeros((3, 5), np.int64))
        add("cross_entropy", "error_C1_int_target_shape1_prob_path", dtype, [0.5], np.array([0], np.int64))
        add("cross_entropy", "error_prob_target_ignore_index_0", dtype, xe, soft((3, 5), 1, "soft"),
            ignore_index=0)
        add("cross_entropy", "error_target_N1_multi_target", dtype, xe, np.zeros((3, 1), np.int64))
        add("cross_entropy", "error_batch_size_mismatch", dtype, xe, np.zeros(4, np.int64))
        add("cross_entropy", "error_kdim_target_size_mismatch", dtype, rand_logits(r, (2, 5, 3), 0),
            np.zeros((2, 4), np.int64))


def gen_nll():
    group("nll_loss.json")
    r = rng_for("nll_loss")
    k = 0
    for dtype in DTYPES:
        for tag, shp in CE_SHAPES:
            C = shp[0] if len(shp) == 1 else shp[1]
            cd = 0 if len(shp) == 1 else 1
            for wmode in ("noweight", "weighted"):
                for imode in ("none", "some", "class0", "custom255"):
                    for red in REDS:
                        lp = torch.log_softmax(torch.tensor(rand_logits(r, shp, k)), cd).numpy()
                        k += 1
                        y, ii = index_targets(r, target_shape(shp), C, imode)
                        w = rand_weights(r, C) if wmode == "weighted" else None
                        add("nll_loss", "%s_%s_ignore-%s_%s" % (tag, wmode, imode, red), dtype, lp, y,
                            weight=w, ignore_index=ii, reduction=red)
        for red in REDS:
            for wmode in ("noweight", "weighted"):
                w = [0.5, 2.0, 1.5] if wmode == "weighted" else None
                add("nll_loss", "all_ignored_%s_%s" % (wmode, red), dtype, -r.uniform(0, 3, (3, 3)),
                    np.full(3, -100, np.int64), weight=w, reduction=red)
                add("nll_loss", "empty_N0C_%s_%s" % (wmode, red), dtype, np.zeros((0, 3)),
                    np.zeros(0, np.int64), weight=w, reduction=red)
                add("nll_loss", "empty_N0Cd_%s_%s" % (wmode, red), dtype, np.zeros((0, 3, 4)),
                    np.zeros((0, 4), np.int64), weight=w, reduction=red)
            add("nll_loss", "positive_inputs_not_checked_%s" % red, dtype, r.uniform(0, 5, (3, 4)),
                [0, 3, 1], reduction=red)
            add("nll_loss", "neginf_logprob_%s" % red, dtype, [[-INF, 0.0], [-0.5, -1.0]], [0, 1],
                reduction=red)
            add("nll_loss", "negative_weights_%s" % red, dtype, [[-1.0, -2.0], [-0.5, -0.3]], [0, 1],
                weight=[2.0, -1.0], reduction=red)
            add("nll_loss", "C1_%s" % red, dtype, [[-0.0], [-1.5], [0.0]], [0, 0, 0], reduction=red)
        xe = -r.uniform(0, 3, (3, 5))
        add("nll_loss", "error_target_out_of_range", dtype, xe, [1, 7, 2])
        add("nll_loss", "error_negative_target", dtype, xe, [1, -1, 2])
        add("nll_loss", "error_weight_wrong_length", dtype, xe, [1, 2, 2], weight=np.ones(4))
        add("nll_loss", "error_batch_size_mismatch", dtype, xe, np.zeros(2, np.int64))
        add("nll_loss", "error_target_N1", dtype, xe, np.zeros((3, 1), np.int64))


def gen_bce():
    group("bce.json")
    r = rng_for("bce")
    fn = "binary_cross_entropy"
    shapes = [
        ("N", (6,), [("none", None), ("elementwise_N", (6,)), ("scalar_1", (1,))]),
        ("NC", (4, 3), [("none", None), ("per_class_C", (3,)), ("per_sample_N1", (4, 1)),
                        ("elementwise_NC", (4, 3))]),
        ("NCH", (3, 2, 3), [("none", None), ("per_class_C1", (2, 1)), ("per_sample_N11", (3, 1, 1)),
                            ("per_H", (3,))]),
    ]
    for dtype in DTYPES:
        for tag, shp, wopts in shapes:
            for wtag, wshape in wopts:
                for tkind in ("hard", "soft"):
                    for red in REDS:
                        x = r.uniform(0.02, 0.98, shp)
                        y = (r.rand(*shp) < 0.5).astype(float) if tkind == "hard" else r.uniform(0, 1, shp)
                        w = None if wshape is None else r.uniform(0.2, 3.0, wshape)
                        add(fn, "%s_weight-%s_%s_target_%s" % (tag, wtag, tkind, red), dtype, x, y,
                            weight=w, reduction=red)
        for red in REDS:
            # exact 0 / 1 inputs and §13 item 22 clamp cases
            add(fn, "sec13_item22_clamps_%s" % red, dtype, [0.0, 1.0, 0.0, 0.0, 0.3, 1.0, -0.0],
                [1.0, 0.0, 0.0, 0.5, 0.7, 1.0, 0.0], reduction=red)
            add(fn, "exact_0_and_1_inputs_weighted_%s" % red, dtype, [[0.0, 1.0], [1.0, 0.0]],
                [[0.0, 1.0], [0.25, 0.75]], weight=[2.0, 0.5], reduction=red)
            add(fn, "tiny_inputs_clamp_%s" % red, dtype, [1e-50, 1e-30, 1e-10, 1e-5, 1.0 - 1e-7],
                [1.0, 1.0, 0.0, 0.0, 0.0], reduction=red)
            add(fn, "near_one_inputs_%s" % red, dtype, [0.999, 0.9999999, 1.0 - 2.0 ** -30, 0.5],
                [0.0, 0.0, 1.0, 0.5], reduction=red)
            add(fn, "empty_%s" % red, dtype, np.zeros((0, 3)), np.zeros((0, 3)), reduction=red)
        # errors
        add(fn, "sec13_item23_error_input_1.0001", dtype, [0.5, 1.0001], [0.0, 1.0])
        add(fn, "sec13_item23_error_input_negative", dtype, [0.5, -0.01], [0.0, 1.0])
        add(fn, "sec13_item23_error_input_nan", dtype, [0.5, NAN], [0.0, 1.0])
        add(fn, "sec13_item23_error_target_shape_mismatch", dtype, r.uniform(0, 1, (3, 1)),
            r.uniform(0, 1, (3,)))
        add(fn, "error_weight_not_broadcastable", dtype, r.uniform(0, 1, (3, 4)), r.uniform(0, 1, (3, 4)),
            weight=np.ones(5))
        # PyTorch 2.x target range check (1.13 accepts these; hand-checked)
        for tname, tv in (("1.5", 1.5), ("negative", -0.5), ("nan", NAN)):
            add(fn, "sec13_item23_error_target_%s" % tname, dtype, [0.3, 0.6], [0.0, tv])


def gen_bcel():
    group("bce_with_logits.json")
    r = rng_for("bce_with_logits")
    fn = "binary_cross_entropy_with_logits"
    shapes = [
        ("N", (5,), (5,), (1,)),
        ("NC", (4, 3), (3,), (3,)),
        ("NCHW", (2, 3, 2, 2), (3, 1, 1), (3, 1, 1)),
    ]
    for dtype in DTYPES:
        for tag, shp, wshape, pwshape in shapes:
            for mode in ("plain", "weight", "pos_weight", "both"):
                for tkind in ("hard", "soft"):
                    for red in REDS:
                        x = r.standard_normal(shp) * 3.0
                        y = (r.rand(*shp) < 0.5).astype(float) if tkind == "hard" else r.uniform(0, 1, shp)
                        w = r.uniform(0.2, 3.0, wshape) if mode in ("weight", "both") else None
                        pw = r.uniform(0.3, 4.0, pwshape) if mode in ("pos_weight", "both") else None
                        add(fn, "%s_%s_%s_target_%s" % (tag, mode, tkind, red), dtype, x, y, weight=w,
                            pos_weight=pw, reduction=red)
        xs = [[0.5, -1.0, 2.0], [3.0, 0.0, -2.0]]
        ys = [[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]]
        for red in REDS:
            add(fn, "sec6_2_worked_example_%s" % red, dtype, xs, ys, reduction=red)
            add(fn, "sec6_2_worked_example_pos_weight_%s" % red, dtype, xs, ys, pos_weight=[3.0, 1.0, 0.5],
                reduction=red)
            add(fn, "sec6_2_worked_example_pos_weight_and_weight_%s" % red, dtype, xs, ys,
                pos_weight=[3.0, 1.0, 0.5], weight=[1.0, 2.0, 0.5], reduction=red)
            add(fn, "sec13_item26_extremes_1e4_%s" % red, dtype, [1e4, -1e4, 1e4, -1e4, 50.0, -50.0],
                [0.0, 1.0, 1.0, 0.0, 0.0, 1.0], reduction=red)
            add(fn, "sec13_item26_extremes_1e4_pos_weight_%s" % red, dtype, [1e4, -1e4, 1e4, -1e4],
                [0.0, 1.0, 1.0, 0.0], pos_weight=[2.5], reduction=red)
            add(fn, "sec13_item26_inf_%s" % red, dtype, [INF, INF, -INF, -INF, INF, -INF],
                [1.0, 0.0, 0.0, 1.0, 0.5, 0.5], reduction=red)
            add(fn, "sec13_item26_inf_pos_weight_%s" % red, dtype, [INF, INF, -INF, -INF],
                [1.0, 0.0, 0.0, 1.0], pos_weight=[2.0], reduction=red)
            add(fn, "targets_outside_01_accepted_%s" % red, dtype, [0.5, -1.0, 2.0], [1.5, -0.5, 2.0],
                reduction=red)
            add(fn, "confident_correct_small_losses_%s" % red, dtype, [20.0, -20.0, 30.0, -35.0, 12.0],
                [1.0, 0.0, 1.0, 0.0, 1.0], reduction=red)
            add(fn, "empty_%s" % red, dtype, np.zeros((0, 3)), np.zeros((0, 3)), reduction=red)
        add(fn, "sec13_item27_error_pos_weight_C_on_NCHW", dtype, r.standard_normal((2, 3, 4, 4)),
            r.uniform(0, 1, (2, 3, 4, 4)), pos_weight=np.ones(3))
        add(fn, "error_target_shape_mismatch", dtype, r.standard_normal((3, 1)), r.uniform(0, 1, (3,)))
        add(fn, "error_target_shape_mismatch_NC", dtype, r.standard_normal((3, 4)), r.uniform(0, 1, (4, 3)))


def gen_kl():
    group("kl_div.json")
    r = rng_for("kl_div")
    fn = "kl_div"
    reds = ("none", "sum", "mean", "batchmean")
    shapes = [("1d", (5,)), ("2d", (4, 5)), ("3d", (2, 3, 4))]
    for dtype in DTYPES:
        for tag, shp in shapes:
            for lt in (False, True):
                for zeros in (False, True):
                    for red in reds:
                        q = r.uniform(0.05, 1.0, shp)
                        q = q / q.sum(-1, keepdims=True)
                        p = r.uniform(0.05, 1.0, shp)
                        if zeros:
                            p[r.rand(*shp) < 0.3] = 0.0
                        p = p / p.sum(-1, keepdims=True)
                        with np.errstate(divide="ignore"):
                            t = np.log(p) if lt else p
                        name = "%s_%s_%s_%s" % (tag, "log_target" if lt else "prob_target",
                                                "with_zeros" if zeros else "positive", red)
                        add(fn, name, dtype, np.log(q), t, reduction=red, log_target=lt)
        q = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
        p = np.array([[0.25, 0.25, 0.5], [0.0, 0.5, 0.5]])
        for red in reds:
            add(fn, "sec7_1_worked_example_%s" % red, dtype, np.log(q), p, reduction=red)
            with np.errstate(divide="ignore"):
                add(fn, "sec7_1_worked_example_log_target_%s" % red, dtype, np.log(q), np.log(p),
                    reduction=red, log_target=True)
            add(fn, "sec13_item29_t0_at_x_neginf_nan_%s" % red, dtype, [[-INF, -0.5, -1.0]],
                [[0.0, 0.5, 0.5]], reduction=red)
            add(fn, "sec13_item29_negative_target_nan_%s" % red, dtype, [[-1.0, -0.5, -2.0]],
                [[-0.2, 0.7, 0.5]], reduction=red)
            add(fn, "sec13_item29_log_target_neginf_nan_%s" % red, dtype, [[-1.0, -0.5, -2.0]],
                [[-INF, -0.3, -1.2]], reduction=red, log_target=True)
            add(fn, "sec13_item29_log_target_neginf_at_x_neginf_%s" % red, dtype, [[-INF, -0.5, -2.0]],
                [[-INF, -0.3, -1.2]], reduction=red, log_target=True)
            add(fn, "probabilities_instead_of_logprobs_negative_loss_%s" % red, dtype,
                [[0.2, 0.3, 0.5]], [[0.25, 0.25, 0.5]], reduction=red)
            add(fn, "sec13_item29_empty_N0C_%s" % red, dtype, np.zeros((0, 3)), np.zeros((0, 3)),
                reduction=red)
            add(fn, "sec13_item29_zero_dim_%s" % red, dtype, np.array(-0.7), np.array(0.4), reduction=red)


def gen_softmax():
    group("softmax.json")
    r = rng_for("softmax")
    cases = [
        ("1d", (6,), (0, -1)),
        ("2d", (4, 5), (0, 1, -1)),
        ("3d", (2, 3, 4), (0, 1, 2, -1)),
    ]
    for dtype in DTYPES:
        for fn in ("softmax", "log_softmax"):
            for tag, shp, dims in cases:
                for scale in (1.0, 5.0):
                    for dim in dims:
                        add(fn, "random_%s_scale%s_dim%d" % (tag, scale, dim), dtype,
                            r.standard_normal(shp) * scale, dim=dim)
            special = [
                ("large_1e4", [[1e4, 0.0, -1e4], [1e4, 1e4 - 1.0, 1e4 - 2.0], [-1e4, -1e4, -1e4]]),
                ("large_1e8", [[1e8, 1e8, 0.0], [-1e8, 1.0, 2.0]]),
                ("neginf_entries", [[-INF, 0.0, 1.0], [2.0, -INF, -INF], [0.5, 0.5, 0.5]]),
                ("all_neginf_row", [[-INF, -INF, -INF], [1.0, 2.0, 3.0]]),
                ("posinf_row", [[INF, 0.0, 1.0], [1.0, 2.0, 3.0]]),
                ("nan_row", [[NAN, 0.0, 1.0], [1.0, 2.0, 3.0]]),
                ("single_class", [[0.3], [-2.0], [1e4]]),
            ]
            for sname, xv in special:
                for dim in (1, 0, -1):
                    add(fn, "%s_dim%d" % (sname, dim), dtype, xv, dim=dim)
            add(fn, "zero_dim_input", dtype, np.array(1.7), dim=0)
            add(fn, "empty_N0C", dtype, np.zeros((0, 3)), dim=1)
            add(fn, "neginf_3d_dim1", dtype,
                [[[-INF, 0.0], [-INF, -INF], [-INF, 1.0]], [[0.0, 1.0], [2.0, -INF], [1.0, 1.0]]], dim=1)


def gen_info():
    group("info.json")
    r = rng_for("info")

    def dist(shape, zeros):
        p = r.uniform(0.05, 1.0, shape)
        if zeros:
            p[r.rand(*shape) < 0.3] = 0.0
            p[..., 0] = np.where(p.sum(-1) == 0, 1.0, p[..., 0])
        return p / p.sum(-1, keepdims=True)

    for dtype in DTYPES:
        for shp in ((5,), (4, 5), (3, 2)):
            tag = "C" if len(shp) == 1 else "NC"
            for zeros in (False, True):
                ztag = "with_zeros" if zeros else "positive"
                p = dist(shp, zeros)
                q = dist(shp, False)
                add("entropy", "%s_%s" % (tag, ztag), dtype, p)
                add("cross_entropy_dist", "%s_%s" % (tag, ztag), dtype, q, p)
                add("kl_dist", "%s_%s" % (tag, ztag), dtype, q, p)
        # tutorial example
        p = [0.0, 1.0, 0.0]
        q = [0.2, 0.5, 0.3]
        add("entropy", "tutorial_onehot_p", dtype, p)
        add("entropy", "tutorial_q", dtype, q)
        add("entropy", "uniform", dtype, [[0.25, 0.25, 0.25, 0.25], [0.5, 0.5, 0.0, 0.0]])
        add("cross_entropy_dist", "tutorial_example", dtype, q, p)
        add("kl_dist", "tutorial_example", dtype, q, p)
        add("cross_entropy_dist", "tutorial_example_batched", dtype, [q, [0.1, 0.1, 0.8]],
            [p, [0.2, 0.3, 0.5]])
        add("kl_dist", "tutorial_example_batched", dtype, [q, [0.1, 0.1, 0.8]], [p, [0.2, 0.3, 0.5]])
        add("kl_dist", "identical_distributions_zero", dtype, [[0.2, 0.3, 0.5]], [[0.2, 0.3, 0.5]])
        add("cross_entropy_dist", "q_zero_where_p_positive_inf", dtype, [[0.0, 0.5, 0.5]],
            [[0.2, 0.3, 0.5]])
        add("kl_dist", "q_zero_where_p_positive_inf", dtype, [[0.0, 0.5, 0.5]], [[0.2, 0.3, 0.5]])
        add("kl_dist", "sec7_1_example_rows", dtype, [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]],
            [[0.25, 0.25, 0.5], [0.0, 0.5, 0.5]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--check-only", action="store_true", help="do not write files")
    args = ap.parse_args()

    gen_cross_entropy()
    gen_nll()
    gen_bce()
    gen_bcel()
    gen_kl()
    gen_softmax()
    gen_info()

    tv = torch.__version__
    nv = np.__version__
    total = 0
    for fname, grp in GROUPS.items():
        doc = {"generator": "gen_golden.py", "torch_version": tv, "numpy_version": nv,
               "cases": grp.cases}
        text = json.dumps(doc, allow_nan=False, separators=(",", ":"))
        json.loads(text)
        total += len(grp.cases)
        if not args.check_only:
            with open(os.path.join(args.out, fname), "w") as f:
                f.write(text)
                f.write("\n")
        counts = {}
        for c in grp.cases:
            key = (c["fn"], c["dtype"], "error" if "error" in c else "value")
            counts[key] = counts.get(key, 0) + 1
        print("%-22s %5d cases %8.1f KB" % (fname, len(grp.cases), len(text) / 1024.0))
        for key in sorted(counts):
            print("    %-34s %-8s %-6s %4d" % (key + (counts[key],)))
    print("total cases:", total)
    print()
    print("== hand_checked cases ==")
    for grp in GROUPS.values():
        for cid, note in grp.hand_checked:
            print(cid, "::", note)
    print()
    print("== torch %s vs float64 reference (semantics file formulas) mismatches ==" % tv)
    for grp in GROUPS.values():
        for cid, what in grp.mismatches:
            print(cid, "::", what)


if __name__ == "__main__":
    sys.exit(main())
