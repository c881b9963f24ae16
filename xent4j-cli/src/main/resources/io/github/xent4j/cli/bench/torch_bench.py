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

--op flce (the fused linear + cross-entropy cases) runs ONE thread count and one allocator per
process, because OpenBLAS reads OPENBLAS_NUM_THREADS when it loads: the Java side starts it with
the environment it wants (LD_PRELOAD=libopenblas.so.0, GLIBC_TUNABLES for variant=reuse). It reads
hidden states H (N, D) float32, the weight W (V, D) float32 and targets (N) int64, and times naive
PyTorch: logits = H @ W.T; F.cross_entropy(logits, y); backward (mode=fwdbwd, H.grad and W.grad
reset each call, as a training step) and the same forward under no_grad (mode=fwd). extra_mb is
the peak resident memory of the first fwd+bwd call in the fresh process above the resident size
once H, W and y exist (the notes' method: later calls reuse freed pages); transient_mb is that
minus the two gradients PyTorch returns. An INFO line names the BLAS libraries mapped into the
process and OpenBLAS's kernel (openblas_get_corename) when it is one of them.
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
    ap.add_argument("--op", choices=["ce", "bce", "flce"], required=True)
    ap.add_argument("--x")
    ap.add_argument("--t", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--c", type=int)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--max-reps", type=int, default=200)
    ap.add_argument("--h")
    ap.add_argument("--w")
    ap.add_argument("--d", type=int)
    ap.add_argument("--v", type=int)
    ap.add_argument("--variant", default="default")
    ap.add_argument("--min-reps", type=int, default=3)
    a = ap.parse_args()
    if a.op == "flce":
        flce(a)
        return

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


def flce(a):
    threads = int(a.threads.split(",")[0])
    torch.set_num_threads(threads)
    n, d, v = a.n, a.d, a.v
    h = torch.from_numpy(np.fromfile(a.h, dtype="<f4", count=n * d).reshape(n, d))
    w = torch.from_numpy(np.fromfile(a.w, dtype="<f4", count=v * d).reshape(v, d))
    y = torch.from_numpy(np.fromfile(a.t, dtype="<i8", count=n))
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
        fn()  # warm-up
        best = float("inf")
        reps = 0
        start = time.perf_counter()
        while reps < a.min_reps or (time.perf_counter() - start < a.seconds and reps < a.max_reps):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
            reps += 1
        mb = extra if mode == "fwdbwd" else -1.0
        print("RESULT op=flce mode=%s variant=%s threads=%d ms=%.4f extra_mb=%.1f transient_mb=%.1f loss=%.9g reps=%d"
              % (mode, a.variant, threads, best * 1e3, mb, (extra - outputs) if mode == "fwdbwd" else -1.0, loss, reps),
              flush=True)


if __name__ == "__main__":
    main()
