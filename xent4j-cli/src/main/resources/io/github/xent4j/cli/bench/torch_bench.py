"""PyTorch side of `xent bench --compare-torch`: times the same computation on the same data.

Reads raw little-endian files written by the Java side (float32 as .f32, int64 as .i64), runs the
op named by --op in the way a user writes it and, where PyTorch has out= kernels, in its best
case, and prints for each thread count lines

    RESULT op=ce mode=fwdbwd variant=reuse threads=1 ms=12.345 extra_mb=786.4 loss=6.93147

variant=default is what a user writes (F.* + autograd, fresh tensors every call); variant=reuse
calls the aten kernels autograd runs, writing into buffers allocated once (for plain
cross-entropy, nll_loss and binary_cross_entropy). The Java side runs this script under several
environments (glibc told to reuse freed memory, ATEN_CPU_CAPABILITY=avx512 on AVX-512 CPUs) and
keeps PyTorch's best.

extra_mb: peak resident memory above the resident size before the call (VmHWM after resetting it
through /proc/self/clear_refs), plus, for variant=reuse, the preallocated buffers themselves.
Times are the best of repeated calls after warm-up (time.perf_counter).

--op flce (the fused linear + cross-entropy cases of issue 9) has arguments of its own (--h, --w,
--t, --n, --d, --v, one --threads value, --variant) and runs ONE thread count per process, because
OpenBLAS reads OPENBLAS_NUM_THREADS when it loads: the Java side starts it with the environment it
wants (LD_PRELOAD=libopenblas.so.0, GLIBC_TUNABLES for variant=recycled). It reads hidden states H
(N, D) float32, the weight W (V, D) float32 and targets (N) int64, and times naive PyTorch:
logits = H @ W.T; F.cross_entropy(logits, y); backward (mode=fwdbwd; H.grad and W.grad reset each
call, as in a training step) and the same forward under no_grad (mode=fwd). extra_mb is the peak
resident memory of the first fwd+bwd call in the fresh process above the resident size once H, W
and y exist (later calls reuse freed pages); transient_mb is that minus the two gradients it
returns. An INFO line names the BLAS libraries mapped into the process and OpenBLAS's kernel
(openblas_get_corename) when it is one of them.
"""
import argparse
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_extra_mb(fn):
    """Peak resident memory added by one call of fn, in MB (-1 if the kernel cannot tell)."""
    if not reset_peak():
        return -1.0
    before = status_kb("VmRSS")
    fn()
    return max(0, status_kb("VmHWM") - before) / 1024.0


def best_ms(fn, seconds, min_reps, max_reps):
    fn()
    fn()
    best = float("inf")
    reps = 0
    start = time.perf_counter()
    while reps < min_reps or (time.perf_counter() - start < seconds and reps < max_reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        reps += 1
    return best * 1e3


def load(path, shape, dtype):
    n = int(np.prod(shape))
    return torch.from_numpy(np.fromfile(path, dtype=dtype, count=n).reshape(shape))


def autograd_pair(x, loss_of):
    """(forward without grad, forward + backward with fresh tensors) for loss_of(input)."""
    xr = x.clone().requires_grad_(True)

    def fwd():
        with torch.no_grad():
            return loss_of(x)

    def fwdbwd():
        xr.grad = None
        loss = loss_of(xr)
        loss.backward()
        return loss

    return fwd, fwdbwd


def cases(a):
    """[(mode, variant, fn, preallocated bytes)] for the op."""
    shape = [int(v) for v in a.shape.split(",")]
    x = load(a.x, shape, "<f4")
    nbytes = x.numel() * x.element_size()
    w = load(a.w, [shape[1]], "<f4") if a.w else None
    out = []
    if a.op in ("ce", "nll"):
        probs = a.t.endswith(".f32")
        t = load(a.t, shape, "<f4") if probs else load(a.t, [shape[0]] + shape[2:], "<i8")
        if a.op == "ce":
            fwd, fwdbwd = autograd_pair(x, lambda v: F.cross_entropy(v, t, weight=w, label_smoothing=a.label_smoothing))
        else:
            fwd, fwdbwd = autograd_pair(x, lambda v: F.nll_loss(v, t, weight=w))
        out += [("fwd", "default", fwd, 0), ("fwdbwd", "default", fwdbwd, 0)]
        plain = not probs and w is None and a.label_smoothing == 0 and len(shape) == 2
        if plain:
            lsm = torch.zeros_like(x)
            glsm = torch.zeros_like(x)
            grad = torch.zeros_like(x)
            res = torch.empty(())
            total_weight = torch.empty(())
            one = torch.ones(())
            logp = x if a.op == "nll" else lsm

            def fwd_reuse():
                if a.op == "ce":
                    torch._log_softmax(x, 1, False, out=lsm)
                torch.ops.aten.nll_loss_forward.output(logp, t, None, 1, -100, output=res, total_weight=total_weight)
                return res

            def fwdbwd_reuse():
                fwd_reuse()
                target = glsm if a.op == "ce" else grad
                torch.ops.aten.nll_loss_backward.grad_input(one, logp, t, None, 1, -100, total_weight, grad_input=target)
                if a.op == "ce":
                    torch.ops.aten._log_softmax_backward_data.out(glsm, lsm, 1, torch.float32, out=grad)
                return res

            buffers = 3 if a.op == "ce" else 1
            out += [("fwd", "reuse", fwd_reuse, nbytes if a.op == "ce" else 0),
                    ("fwdbwd", "reuse", fwdbwd_reuse, buffers * nbytes)]
    elif a.op == "bce":
        t = load(a.t, shape, "<f4")
        fwd, fwdbwd = autograd_pair(x, lambda v: F.binary_cross_entropy(v, t))
        out += [("fwd", "default", fwd, 0), ("fwdbwd", "default", fwdbwd, 0)]
        res = torch.empty(())
        grad = torch.zeros_like(x)
        one = torch.ones(())

        def fwd_reuse():
            torch.ops.aten.binary_cross_entropy.out(x, t, None, 1, out=res)
            return res

        def fwdbwd_reuse():
            fwd_reuse()
            torch.ops.aten.binary_cross_entropy_backward.grad_input(one, x, t, None, 1, grad_input=grad)
            return res

        out += [("fwd", "reuse", fwd_reuse, 0), ("fwdbwd", "reuse", fwdbwd_reuse, nbytes)]
    elif a.op == "bce_logits":
        t = load(a.t, shape, "<f4")
        pw = load(a.pw, [shape[-1]], "<f4") if a.pw else None
        fwd, fwdbwd = autograd_pair(x, lambda v: F.binary_cross_entropy_with_logits(v, t, pos_weight=pw))
        out += [("fwd", "default", fwd, 0), ("fwdbwd", "default", fwdbwd, 0)]
    elif a.op == "kl":
        t = load(a.t, shape, "<f4")
        fwd, fwdbwd = autograd_pair(x, lambda v: F.kl_div(v, t, reduction=a.reduction))
        out += [("fwd", "default", fwd, 0), ("fwdbwd", "default", fwdbwd, 0)]
    elif a.op == "sigmoid_focal":
        # torchvision.ops.sigmoid_focal_loss, written out (its code), with reduction="mean"
        t = load(a.t, shape, "<f4")

        def sigmoid_focal(v):
            p = torch.sigmoid(v)
            ce = F.binary_cross_entropy_with_logits(v, t, reduction="none")
            p_t = p * t + (1 - p) * (1 - t)
            loss = ce * ((1 - p_t) ** a.gamma)
            if a.alpha >= 0:
                loss = (a.alpha * t + (1 - a.alpha) * (1 - t)) * loss
            return loss.mean()

        fwd, fwdbwd = autograd_pair(x, sigmoid_focal)
        out += [("fwd", "default", fwd, 0), ("fwdbwd", "default", fwdbwd, 0)]
    elif a.op == "focal":
        # softmax focal loss from log_softmax: -(1 - p_y)^gamma log p_y, mean
        t = load(a.t, [shape[0]] + shape[2:], "<i8")

        def focal(v):
            lpy = F.log_softmax(v, 1).gather(1, t.unsqueeze(1)).squeeze(1)
            return (-((-torch.expm1(lpy)) ** a.gamma) * lpy).mean()

        fwd, fwdbwd = autograd_pair(x, focal)
        out += [("fwd", "default", fwd, 0), ("fwdbwd", "default", fwdbwd, 0)]
    elif a.op == "distill":
        # Hinton distillation: T^2 kl_div(log_softmax(s / T), softmax(t / T), batchmean), mixed with cross-entropy
        t = load(a.t, [shape[0]] + shape[2:], "<i8")
        teacher = load(a.teacher, shape, "<f4")
        temp = a.temperature

        def distill(v):
            kd = F.kl_div(F.log_softmax(v / temp, 1), F.softmax(teacher / temp, 1), reduction="batchmean") * temp * temp
            return a.alpha * kd + (1 - a.alpha) * F.cross_entropy(v, t)

        fwd, fwdbwd = autograd_pair(x, distill)
        out += [("fwd", "default", fwd, 0), ("fwdbwd", "default", fwdbwd, 0)]
    else:
        raise SystemExit("unknown op " + a.op)
    return out


def blas_info():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if "blas" in p or "lapack" in p:
                libs.add(p)
    core = None
    for p in libs:
        if "openblas" in p:
            try:
                import ctypes
                lib = ctypes.CDLL(p)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                core = lib.openblas_get_corename().decode()
            except (OSError, AttributeError):
                core = "?"
    return sorted(libs), core


def flce_main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--op", required=True)
    ap.add_argument("--h", required=True)
    ap.add_argument("--w", required=True)
    ap.add_argument("--t", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--d", type=int, required=True)
    ap.add_argument("--v", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--variant", default="default")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--min-reps", type=int, default=2)
    ap.add_argument("--max-reps", type=int, default=50)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    n, d, v = a.n, a.d, a.v
    h = load(a.h, (n, d), "<f4")
    w = load(a.w, (v, d), "<f4")
    y = load(a.t, (n,), "<i8")
    libs, core = blas_info()
    print("INFO torch=%s blas=%s openblas_core=%s" % (torch.__version__, ",".join(libs) or "none", core), flush=True)
    hr = h.clone().requires_grad_(True)
    wr = w.clone().requires_grad_(True)
    del h, w

    def fwdbwd():
        hr.grad = None
        wr.grad = None
        loss = F.cross_entropy(hr @ wr.t(), y)
        loss.backward()
        return loss

    def fwd():
        with torch.no_grad():
            return F.cross_entropy(hr @ wr.t(), y)

    # memory first, in the fresh process
    reset_peak()
    before = status_kb("VmRSS")
    loss = float(fwdbwd())
    extra = max(0, status_kb("VmHWM") - before) / 1024.0
    outputs = (n * d + v * d) * 4 / 2**20
    for mode, fn in (("fwdbwd", fwdbwd), ("fwd", fwd)):
        fn()  # warm-up: a call takes seconds at the real sizes
        best = float("inf")
        reps = 0
        start = time.perf_counter()
        while reps < a.min_reps or (time.perf_counter() - start < a.seconds and reps < a.max_reps):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
            reps += 1
        print("RESULT op=flce mode=%s variant=%s threads=%d ms=%.4f extra_mb=%.1f transient_mb=%.1f loss=%.9g reps=%d"
              % (mode, a.variant, a.threads, best * 1e3, extra if mode == "fwdbwd" else -1.0,
                 extra - outputs if mode == "fwdbwd" else -1.0, loss, reps), flush=True)


def main():
    argv = sys.argv[1:]
    if "--op" in argv[:-1] and argv[argv.index("--op") + 1] == "flce":
        flce_main()
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--op", required=True)
    ap.add_argument("--shape", required=True, help="comma-separated input shape")
    ap.add_argument("--x", required=True)
    ap.add_argument("--t", required=True)
    ap.add_argument("--w")
    ap.add_argument("--pw")
    ap.add_argument("--teacher")
    ap.add_argument("--gamma", type=float, default=2.0)
    ap.add_argument("--alpha", type=float, default=0.25)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--label-smoothing", type=float, default=0.0)
    ap.add_argument("--reduction", default="mean")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--max-reps", type=int, default=200)
    a = ap.parse_args()
    print("INFO torch=%s numpy=%s capability=%s" % (torch.__version__, np.__version__,
                                                   torch.backends.cpu.get_cpu_capability()
                                                   if hasattr(torch.backends, "cpu") else "?"), flush=True)
    for threads in [int(v) for v in a.threads.split(",")]:
        torch.set_num_threads(threads)
        for mode, variant, fn, prealloc in cases(a):
            loss = float(fn())
            ms = best_ms(fn, a.seconds, 3, a.max_reps)
            extra = peak_extra_mb(fn)
            if extra >= 0:
                extra += prealloc / 2**20
            print("RESULT op=%s mode=%s variant=%s threads=%d ms=%.4f extra_mb=%.1f loss=%.9g"
                  % (a.op, mode, variant, threads, ms, extra, loss), flush=True)


if __name__ == "__main__":
    main()
