"""PyTorch side of `xent bench --compare-torch`: times the same computation on the same data.

Reads raw little-endian files written by the Java side (logits float32, targets int64 for
cross_entropy or float32 for BCE), then for each thread count prints lines

    RESULT op=ce mode=fwdbwd variant=reuse threads=1 ms=12.345 extra_mb=786.4 loss=6.93147

variant=default is what a user writes (F.cross_entropy + autograd: fresh tensors every call, which
on glibc means fresh pages for buffers above 32 MB); variant=reuse is PyTorch's best case: the same
aten kernels autograd runs (_log_softmax, nll_loss_forward, nll_loss_backward,
_log_softmax_backward_data) writing into buffers allocated once.

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--op", choices=["ce", "bce"], required=True)
    ap.add_argument("--x", required=True)
    ap.add_argument("--t", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--c", type=int, required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--max-reps", type=int, default=200)
    a = ap.parse_args()

    n, c = a.n, a.c
    x = torch.from_numpy(np.fromfile(a.x, dtype="<f4", count=n * c).reshape(n, c))
    if a.op == "ce":
        t = torch.from_numpy(np.fromfile(a.t, dtype="<i8", count=n))
    else:
        t = torch.from_numpy(np.fromfile(a.t, dtype="<f4", count=n * c).reshape(n, c))
    print("INFO torch=%s numpy=%s" % (torch.__version__, np.__version__), flush=True)

    nbytes = x.numel() * x.element_size()
    for threads in [int(v) for v in a.threads.split(",")]:
        torch.set_num_threads(threads)
        cases = []
        if a.op == "ce":
            xr = x.clone().requires_grad_(True)

            def fwd_default():
                with torch.no_grad():
                    return F.cross_entropy(x, t)

            def fwdbwd_default():
                xr.grad = None
                loss = F.cross_entropy(xr, t)
                loss.backward()
                return loss

            lsm = torch.empty_like(x)
            glsm = torch.empty_like(x)
            grad = torch.empty_like(x)
            out = torch.empty(())
            total_weight = torch.empty(())
            one = torch.ones(())
            lsm.zero_()
            glsm.zero_()
            grad.zero_()

            def fwd_reuse():
                torch._log_softmax(x, 1, False, out=lsm)
                torch.ops.aten.nll_loss_forward.output(lsm, t, None, 1, -100, output=out, total_weight=total_weight)
                return out

            def fwdbwd_reuse():
                fwd_reuse()
                torch.ops.aten.nll_loss_backward.grad_input(one, lsm, t, None, 1, -100, total_weight, grad_input=glsm)
                torch.ops.aten._log_softmax_backward_data.out(glsm, lsm, 1, torch.float32, out=grad)
                return out

            cases = [("fwd", "default", fwd_default, 0), ("fwd", "reuse", fwd_reuse, nbytes),
                     ("fwdbwd", "default", fwdbwd_default, 0), ("fwdbwd", "reuse", fwdbwd_reuse, 3 * nbytes)]
        else:
            xr = x.clone().requires_grad_(True)

            def bce_fwd():
                with torch.no_grad():
                    return F.binary_cross_entropy_with_logits(x, t)

            def bce_fwdbwd():
                xr.grad = None
                loss = F.binary_cross_entropy_with_logits(xr, t)
                loss.backward()
                return loss

            cases = [("fwd", "default", bce_fwd, 0), ("fwdbwd", "default", bce_fwdbwd, 0)]

        for mode, variant, fn, prealloc in cases:
            loss = float(fn())
            ms = best_ms(fn, a.seconds, 3, a.max_reps)
            extra = peak_extra_mb(fn)
            if extra >= 0:
                extra += prealloc / 2**20
            print("RESULT op=%s mode=%s variant=%s threads=%d ms=%.4f extra_mb=%.1f loss=%.9g"
                  % (a.op, mode, variant, threads, ms, extra, loss), flush=True)


if __name__ == "__main__":
    main()
