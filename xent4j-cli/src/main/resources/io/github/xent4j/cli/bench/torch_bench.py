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
"""
import argparse
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
    else:
        raise SystemExit("unknown op " + a.op)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--op", required=True)
    ap.add_argument("--shape", required=True, help="comma-separated input shape")
    ap.add_argument("--x", required=True)
    ap.add_argument("--t", required=True)
    ap.add_argument("--w")
    ap.add_argument("--pw")
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
