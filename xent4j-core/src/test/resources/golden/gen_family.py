#!/usr/bin/env python3
"""Generate golden fixtures for the rest of the cross-entropy family from a real PyTorch build.

Usage:
    /usr/bin/python3 gen_family.py [--out DIR] [--check-only]

Writes family.json next to this script: cases of
    sigmoid_focal_loss   torchvision.ops.sigmoid_focal_loss, its formula written out (torchvision is
                         not installed here): BCE-with-logits * (1 - p_t)^gamma * alpha_t
    focal_loss           softmax focal loss -alpha_y (1 - p_y)^gamma log p_y (log_softmax, -expm1),
                         Keras-style label smoothing, ignore_index, per-class alpha
    poly_cross_entropy   optax.poly_loss_cross_entropy written out: CE + eps * sum_c w_c t_c (1 - p_c)
    cross_entropy_z      F.cross_entropy + s * logsumexp(x)^2 per non-ignored position (MEAN: / count)
    distillation         T^2 * kl_div(log_softmax(s / T), softmax(t / T)) (+ (1 - alpha) * cross_entropy)

Values are torch's forward, gradients torch's autograd, both evaluated in float64 on the case's
inputs (float32 cases: the inputs are float32 values, the expected outputs the float64 results
rounded to float32 -- the composite formulas lose most digits of 1 - p near p = 1 when run in
float32, which would test torch's rounding instead of the loss). Where autograd yields a non-finite
gradient entry and the closed form a finite one (0 * inf inside pow's or log's backward at saturated logits, at
gamma < 1, or at -inf logits) the expected gradient is the closed-form gradient of the same
formula with its limit taken (evaluated in float64 with torch ops), and the case carries a
"hand_checked" note; the script prints how many.

Deterministic: every random tensor comes from numpy RandomState seeded from the group name.
"""

import argparse
import json
import math
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(1)

NPDT = {"float32": np.float32, "float64": np.float64}
DTYPES = ("float32", "float64")
REDS = ("none", "sum", "mean")
GAMMAS = (0.0, 0.5, 1.0, 2.0, 5.0)


def rng_for(name):
    return np.random.RandomState(zlib.crc32(name.encode()) & 0x7FFFFFFF)


def _num(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def enc(a, dtype=None):
    if a is None:
        return None
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    a = np.asarray(a)
    if a.dtype in (np.int64, np.int32):
        return {"shape": list(a.shape), "dtype": "int64", "data": [int(v) for v in a.reshape(-1)]}
    dtype = dtype or "float64"
    a = a.astype(NPDT[dtype])
    return {"shape": list(a.shape), "dtype": dtype, "data": [_num(v) for v in a.astype(np.float64).reshape(-1)]}


def t64(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def reduce_(loss, red, denom):
    if red == "none":
        return loss
    if red == "sum":
        return loss.sum()
    return loss.sum() / denom


# ---------------------------------------------------------------------------------- the formulas

def sigmoid_focal(x, t, o):
    p = torch.sigmoid(x)
    ce = (1 - t) * x - F.logsigmoid(x)  # BCE with logits (PyTorch 2.x kernel; 1.13's max_val form agrees)
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * ((1 - p_t) ** o["gamma"])
    a = o["alpha"]
    if a >= 0:
        loss = (a * t + (1 - a) * (1 - t)) * loss
    return reduce_(loss, o["reduction"], loss.numel())


def sigmoid_focal_grad(x, t, o, up):
    """Closed form of d loss / dx (the limit where 1 - p_t = 0)."""
    g = o["gamma"]
    p = torch.sigmoid(x)
    pn = torch.sigmoid(-x)
    ce = (1 - t) * x - F.logsigmoid(x)
    q = t * pn + (1 - t) * p
    qg = q ** g
    r = torch.where(q > 0, p * pn / torch.where(q > 0, q, torch.ones_like(q)), torch.ones_like(q))
    d = (p - t) * qg + (ce * g * qg * (1 - 2 * t) * r if g != 0 else 0)
    a = o["alpha"]
    aw = a * t + (1 - a) * (1 - t) if a >= 0 else 1
    scale = up if o["reduction"] == "none" else (up / x.numel() if o["reduction"] == "mean" else up)
    return scale * aw * d


def onehot_smooth(y, c, eps, valid):
    t = F.one_hot(torch.where(valid, y, torch.zeros_like(y)), c).to(torch.float64)
    t = t.movedim(-1, 1)
    return t * (1 - eps) + eps / c


def class_parts(x, y, o):
    c = x.shape[1]
    valid = y != o["ignore_index"]
    w = o.get("weight")
    wt = torch.ones(c, dtype=torch.float64) if w is None else t64(w)
    ys = torch.where(valid, y, torch.zeros_like(y))
    shape = [1, c] + [1] * (x.dim() - 2)
    return c, valid, wt, ys, wt.view(shape)


def focal(x, y, o):
    c, valid, wt, ys, wv = class_parts(x, y, o)
    logp = F.log_softmax(x, dim=1)
    g = o["gamma"]
    eps = o["label_smoothing"]
    if eps == 0:
        lpy = logp.gather(1, ys.unsqueeze(1)).squeeze(1)
        loss = -wt[ys] * (-torch.expm1(lpy)) ** g * lpy
    else:
        t = onehot_smooth(y, c, eps, valid)
        loss = (wv * t * (-torch.expm1(logp)) ** g * (-logp)).sum(1)
    loss = torch.where(valid, loss, torch.zeros_like(loss))
    return reduce_(loss, o["reduction"], wt[ys][valid].sum())


def focal_slope(l, g):
    u = -torch.expm1(l)
    p = torch.exp(l)
    ug = u ** g
    if g == 0:
        return -ug
    ratio = torch.where(u > 0, l / torch.where(u > 0, u, torch.ones_like(u)), -torch.ones_like(u))
    inner = torch.where(p == 0, torch.zeros_like(p), g * p * ratio)
    return ug * (-1 + inner)


def focal_grad(x, y, o, up):
    c, valid, wt, ys, wv = class_parts(x, y, o)
    logp = F.log_softmax(x, dim=1)
    p = logp.exp()
    eps = o["label_smoothing"]
    t = onehot_smooth(y, c, eps, valid)
    a = wv * t
    fs = a * focal_slope(logp, o["gamma"])
    fs = torch.where(a == 0, torch.zeros_like(fs), fs)
    grad = fs - p * fs.sum(1, keepdim=True)
    red = o["reduction"]
    if red == "none":
        s = up
    elif red == "sum":
        s = up * torch.ones_like(y, dtype=torch.float64)
    else:
        s = up / wt[ys][valid].sum() * torch.ones_like(y, dtype=torch.float64)
    s = torch.where(valid, s, torch.zeros_like(s))
    return grad * s.unsqueeze(1)


def poly(x, y, o):
    eps = o["epsilon"]
    ls = o["label_smoothing"]
    w = o.get("weight")
    wt = None if w is None else t64(w)
    p = F.softmax(x, dim=1)
    if y.dtype == torch.int64:
        c, valid, wt1, ys, wv = class_parts(x, y, o)
        ce = F.cross_entropy(x, y, weight=wt, ignore_index=o["ignore_index"], reduction="none", label_smoothing=ls)
        t = onehot_smooth(y, c, ls, valid)
        pt = (wv * t * (1 - p)).sum(1)
        loss = torch.where(valid, ce + eps * pt, torch.zeros_like(ce))
        return reduce_(loss, o["reduction"], wt1[ys][valid].sum())
    c = x.shape[1]
    wv = torch.ones(c, dtype=torch.float64) if wt is None else wt
    wv = wv.view([1, c] + [1] * (x.dim() - 2))
    ce = F.cross_entropy(x, y, weight=wt, reduction="none", label_smoothing=ls)
    t = y * (1 - ls) + ls / c
    loss = ce + eps * (wv * t * (1 - p)).sum(1)
    return reduce_(loss, o["reduction"], loss.numel())


def cross_entropy_z(x, y, o):
    w = o.get("weight")
    wt = None if w is None else t64(w)
    s = o["z_loss"]
    lse = torch.logsumexp(x, dim=1)
    if y.dtype == torch.int64:
        valid = y != o["ignore_index"]
        ce = F.cross_entropy(x, y, weight=wt, ignore_index=o["ignore_index"], reduction="none",
                             label_smoothing=o["label_smoothing"])
    else:
        valid = torch.ones_like(lse, dtype=torch.bool)
        ce = F.cross_entropy(x, y, weight=wt, reduction="none", label_smoothing=o["label_smoothing"])
    z = torch.where(valid, s * lse ** 2, torch.zeros_like(lse))
    red = o["reduction"]
    if red == "none":
        return ce + z
    if red == "sum":
        return ce.sum() + z.sum()
    if y.dtype == torch.int64:
        cem = F.cross_entropy(x, y, weight=wt, ignore_index=o["ignore_index"], reduction="mean",
                              label_smoothing=o["label_smoothing"])
    else:
        cem = ce.sum() / ce.numel()
    return cem + z.sum() / valid.sum()


def distillation(x, teacher, y, o):
    T = o["temperature"]
    alpha = o["alpha"]
    lp = F.log_softmax(x / T, dim=1)
    if o["teacher_log_probs"]:
        kd = F.kl_div(lp, teacher, reduction="none", log_target=True).sum(1)
    else:
        kd = F.kl_div(lp, F.softmax(teacher / T, dim=1), reduction="none").sum(1)
    kd = kd * T * T
    red = o["reduction"]
    has_ce = alpha < 1
    if has_ce:
        valid = y != o["ignore_index"]
        ce = F.cross_entropy(x, y, ignore_index=o["ignore_index"], reduction="none")
    if red == "none":
        return alpha * kd + ((1 - alpha) * ce if has_ce else 0)
    if red == "sum":
        return alpha * kd.sum() + ((1 - alpha) * ce.sum() if has_ce else 0)
    denom = x.shape[0] if red == "batchmean" else x.numel()
    v = alpha * kd.sum() / denom
    if has_ce:
        v = v + (1 - alpha) * ce.sum() / valid.sum()
    return v


# ---------------------------------------------------------------------------------- cases

CASES = []
HAND = []


def finish(cid, fn, dtype, x, target, options, forward, analytic=None, teacher=None):
    """Runs forward + autograd in float64 on x (already rounded to dtype) and records the case."""
    xt = t64(x).requires_grad_(True)
    out = forward(xt)
    rng = rng_for(cid + "/upstream")
    up = rng.uniform(0.5, 1.5, size=out.shape).astype(NPDT[dtype]).astype(np.float64)
    upt = t64(up)
    (grad,) = torch.autograd.grad(out, xt, grad_outputs=upt, allow_unused=False)
    grad = grad.detach()
    note = None
    outv = out.detach()
    if analytic is not None:
        bad = ~torch.isfinite(grad)
        if bool(bad.any()):
            ag = analytic(upt)
            bad = bad & torch.isfinite(ag)
        if bool(bad.any()):
            grad = torch.where(bad, ag, grad)
            note = "autograd gives a non-finite gradient (0 * inf at a saturated logit); the limit of the closed form"
            HAND.append(cid)
    case = {"id": cid, "fn": fn, "dtype": dtype, "input": enc(x, dtype),
            "target": target, "options": options, "upstream": enc(up, dtype),
            "expected": {"output": enc(outv.numpy(), dtype), "grad": enc(grad.numpy(), dtype)}}
    if teacher is not None:
        case["teacher"] = enc(teacher, dtype)
    if note:
        case["hand_checked"] = note
    CASES.append(case)


def logits(rng, shape, dtype, kind):
    x = rng.randn(*shape) * 3
    if kind == "extreme":
        flat = x.reshape(-1)
        for i in range(0, flat.size, 3):
            flat[i] = 1e4 if (i // 3) % 2 == 0 else -1e4
    elif kind == "saturated":
        x = x * 10
    return x.astype(NPDT[dtype])


def gen_sigmoid():
    for dtype in DTYPES:
        rng = rng_for("sigmoid_focal/" + dtype)
        for shape in ((7,), (3, 5), (2, 3, 4)):
            for kind in ("normal", "saturated", "extreme"):
                for g in GAMMAS:
                    for alpha in (0.25, -1.0, 0.9):
                        for red in REDS:
                            if kind != "normal" and alpha != 0.25 and red != "none":
                                continue
                            x = logits(rng, shape, dtype, kind)
                            soft = kind == "normal" and alpha == 0.9
                            t = (rng.rand(*shape) if soft else (rng.rand(*shape) < 0.4)).astype(NPDT[dtype])
                            o = {"alpha": alpha, "gamma": g, "reduction": red}
                            tt = t64(t)
                            cid = "sigmoid_focal_loss/%s/%s/g%s/a%s/%s/%s" % ("x".join(map(str, shape)), kind, g, alpha,
                                                                                  red, dtype)
                            finish(cid, "sigmoid_focal_loss", dtype, x, enc(t, dtype), o,
                                   lambda xt: sigmoid_focal(xt, tt, o),
                                   lambda upt: sigmoid_focal_grad(t64(x), tt, o, upt))


def class_target(rng, shape, c, ignore, unbatched=False):
    n = [shape[0]] + list(shape[2:]) if not unbatched else []
    y = rng.randint(0, c, size=n).astype(np.int64)
    if ignore is not None and y.size > 2:
        y.reshape(-1)[1] = ignore
    return y


def gen_focal():
    for dtype in DTYPES:
        rng = rng_for("focal/" + dtype)
        for shape in ((4, 5), (3, 4, 2), (6, 1), (5,)):
            unb = len(shape) == 1
            c = shape[0] if unb else shape[1]
            for kind in ("normal", "extreme", "neginf"):
                for g in GAMMAS:
                    for opt in ("plain", "weight", "ignore", "smooth", "smooth_weight"):
                        for red in REDS:
                            if (kind != "normal" or opt in ("weight", "smooth_weight")) and red == "sum":
                                continue
                            if unb and opt in ("ignore",):
                                continue
                            x = logits(rng, shape, dtype, "extreme" if kind == "extreme" else "normal")
                            y = class_target(rng, shape, c, -100 if opt == "ignore" else None, unb)
                            if kind == "neginf":
                                xf = x.reshape((1,) + x.shape if unb else x.shape)
                                xf[0, (int(y.reshape(-1)[0]) + 1) % c, ...] = -np.inf  # a non-target class of row 0
                            o = {"gamma": g, "ignore_index": -100, "label_smoothing": 0.2 if "smooth" in opt else 0.0,
                                 "reduction": red}
                            if "weight" in opt:
                                o["weight"] = [float(v) for v in rng.uniform(0.2, 2.0, size=c).astype(NPDT[dtype])]
                            yt = torch.tensor(y)
                            cid = "focal_loss/%s/%s/g%s/%s/%s/%s" % ("x".join(map(str, shape)), kind, g, opt, red, dtype)

                            def fwd(xt, yt=yt, o=o, unb=unb):
                                if unb:
                                    v = focal(xt.unsqueeze(0), yt.unsqueeze(0), o)
                                    return v.squeeze(0) if o["reduction"] == "none" else v
                                return focal(xt, yt, o)

                            def ana(upt, x=x, yt=yt, o=o, unb=unb):
                                if unb:
                                    return focal_grad(t64(x).unsqueeze(0), yt.unsqueeze(0), o,
                                                      upt.unsqueeze(0) if o["reduction"] == "none" else upt).squeeze(0)
                                return focal_grad(t64(x), yt, o, upt)

                            finish(cid, "focal_loss", dtype, x, enc(y), o, fwd, ana)


def gen_poly():
    for dtype in DTYPES:
        rng = rng_for("poly/" + dtype)
        for shape in ((4, 5), (3, 4, 2)):
            c = shape[1]
            for eps in (0.0, 1.0, 2.0, -1.0):
                for opt in ("plain", "weight", "ignore", "smooth", "probs", "probs_weight_smooth"):
                    for red in REDS:
                        x = logits(rng, shape, dtype, "normal")
                        o = {"epsilon": eps, "ignore_index": -100, "reduction": red,
                             "label_smoothing": 0.1 if "smooth" in opt else 0.0}
                        if "weight" in opt:
                            o["weight"] = [float(v) for v in rng.uniform(0.2, 2.0, size=c).astype(NPDT[dtype])]
                        if opt.startswith("probs"):
                            pr = rng.rand(*shape)
                            pr = (pr / pr.sum(1, keepdims=True)).astype(NPDT[dtype])
                            tgt = enc(pr, dtype)
                            yt = t64(pr)
                        else:
                            y = class_target(rng, shape, c, -100 if opt == "ignore" else None)
                            tgt = enc(y)
                            yt = torch.tensor(y)
                        cid = "poly_cross_entropy/%s/e%s/%s/%s/%s" % ("x".join(map(str, shape)), eps, opt, red, dtype)
                        finish(cid, "poly_cross_entropy", dtype, x, tgt, o, lambda xt, yt=yt, o=o: poly(xt, yt, o))
        # extreme logits
        for red in REDS:
            x = logits(rng, (4, 6), dtype, "extreme")
            y = class_target(rng, (4, 6), 6, None)
            o = {"epsilon": 2.0, "ignore_index": -100, "reduction": red, "label_smoothing": 0.0}
            yt = torch.tensor(y)
            finish("poly_cross_entropy/4x6/extreme/%s/%s" % (red, dtype), "poly_cross_entropy", dtype, x, enc(y), o,
                   lambda xt, yt=yt, o=o: poly(xt, yt, o))


def gen_z():
    for dtype in DTYPES:
        rng = rng_for("z/" + dtype)
        for shape in ((4, 5), (3, 4, 2)):
            c = shape[1]
            for s in (0.0, 1e-4, 0.1, 1.0):
                for opt in ("plain", "weight", "ignore", "weight_ignore_smooth", "probs"):
                    for red in REDS:
                        x = logits(rng, shape, dtype, "normal")
                        o = {"z_loss": s, "ignore_index": -100, "reduction": red,
                             "label_smoothing": 0.1 if "smooth" in opt else 0.0}
                        if "weight" in opt:
                            o["weight"] = [float(v) for v in rng.uniform(0.2, 2.0, size=c).astype(NPDT[dtype])]
                        if opt == "probs":
                            pr = rng.rand(*shape)
                            pr = (pr / pr.sum(1, keepdims=True)).astype(NPDT[dtype])
                            tgt = enc(pr, dtype)
                            yt = t64(pr)
                        else:
                            y = class_target(rng, shape, c, -100 if "ignore" in opt else None)
                            tgt = enc(y)
                            yt = torch.tensor(y)
                        cid = "cross_entropy_z/%s/s%s/%s/%s/%s" % ("x".join(map(str, shape)), s, opt, red, dtype)
                        finish(cid, "cross_entropy_z", dtype, x, tgt, o, lambda xt, yt=yt, o=o: cross_entropy_z(xt, yt, o))
        for red in REDS:
            x = logits(rng, (3, 5), dtype, "extreme")
            y = class_target(rng, (3, 5), 5, None)
            o = {"z_loss": 1e-4, "ignore_index": -100, "reduction": red, "label_smoothing": 0.0}
            yt = torch.tensor(y)
            finish("cross_entropy_z/3x5/extreme/%s/%s" % (red, dtype), "cross_entropy_z", dtype, x, enc(y), o,
                   lambda xt, yt=yt, o=o: cross_entropy_z(xt, yt, o))


def gen_distill():
    for dtype in DTYPES:
        rng = rng_for("distill/" + dtype)
        for shape in ((4, 5), (3, 4, 2), (2, 9)):
            c = shape[1]
            for T in (1.0, 2.0, 4.0, 0.5):
                for alpha in (1.0, 0.5, 0.0):
                    for tlog in (False, True):
                        for red in ("batchmean", "sum", "mean", "none"):
                            if tlog and red in ("sum",):
                                continue
                            x = logits(rng, shape, dtype, "normal")
                            tl = rng.randn(*shape) * 2
                            if tlog:
                                tl = F.log_softmax(t64(tl) / T, dim=1).numpy()
                            elif alpha == 0.5 and red == "batchmean":
                                tl.reshape(-1)[0] = -np.inf  # a teacher probability of 0
                            tl = tl.astype(NPDT[dtype])
                            y = class_target(rng, shape, c, -100)
                            o = {"temperature": T, "alpha": alpha, "teacher_log_probs": tlog, "ignore_index": -100,
                                 "reduction": red}
                            tt = t64(tl)
                            yt = torch.tensor(y)
                            cid = "distillation/%s/T%s/a%s/%s/%s/%s" % ("x".join(map(str, shape)), T, alpha,
                                                                       "logq" if tlog else "logits", red, dtype)
                            finish(cid, "distillation", dtype, x, enc(y) if alpha < 1 else None, o,
                                   lambda xt, tt=tt, yt=yt, o=o: distillation(xt, tt, yt, o), teacher=tl)
        for T in (1.0, 3.0):
            x = logits(rng, (4, 6), dtype, "extreme")
            tl = logits(rng, (4, 6), dtype, "extreme")
            y = class_target(rng, (4, 6), 6, None)
            o = {"temperature": T, "alpha": 0.7, "teacher_log_probs": False, "ignore_index": -100, "reduction": "batchmean"}
            tt = t64(tl)
            yt = torch.tensor(y)
            finish("distillation/4x6/extreme/T%s/%s" % (T, dtype), "distillation", dtype, x, enc(y), o,
                   lambda xt, tt=tt, yt=yt, o=o: distillation(xt, tt, yt, o), teacher=tl)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--check-only", action="store_true")
    args = ap.parse_args()
    gen_sigmoid()
    gen_focal()
    gen_poly()
    gen_z()
    gen_distill()
    counts = {}
    for c in CASES:
        counts[c["fn"]] = counts.get(c["fn"], 0) + 1
    print("cases:", counts, "total", len(CASES))
    print("hand_checked (closed-form gradient where autograd is not finite):", len(HAND))
    if args.check_only:
        return
    doc = {"generator": "gen_family.py", "torch_version": torch.__version__, "numpy_version": np.__version__,
           "cases": CASES}
    with open(os.path.join(args.out, "family.json"), "w") as f:
        f.write(json.dumps(doc, allow_nan=False, separators=(",", ":")))
        f.write("\n")


if __name__ == "__main__":
    main()
