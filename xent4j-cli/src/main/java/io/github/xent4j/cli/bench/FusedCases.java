package io.github.xent4j.cli.bench;

import io.github.xent4j.LinearCrossEntropyLoss;
import io.github.xent4j.LinearCrossEntropyLoss.FloatOutputs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;

/**
 * The fused linear + cross-entropy cases of {@code xent bench} (issue 9, item 8): xent4j's
 * {@link LinearCrossEntropyLoss} forward+backward (loss, dH, dW) and loss-only, against naive
 * PyTorch ({@code H @ W.T}, {@code F.cross_entropy}, backward) with OpenBLAS preloaded, on the same
 * data and thread counts; the memory each side adds; and the GEMM's throughput on one vocabulary
 * tile next to the machine's measured FMA peak. Each call takes seconds at the real sizes, so a
 * measurement is one warm-up call and then the best of at least two.
 */
final class FusedCases {

    /** One line of the fused table. */
    record Row(int n, int d, int v, String mode, int threads, double xentMs, double xentMb, double planMb,
               double torchReuseMs, double torchDefaultMs, double torchExtraMb, double torchTransientMb) {
        double flops() {
            return (mode.equals("fwd+bwd") ? 6.0 : 2.0) * n * d * v;
        }
    }

    /** GEMM GFLOP/s of the three products of one vocabulary tile, and the FMA peak, on {@code threads}. */
    record GemmRow(int n, int d, int vt, int threads, String gemm, double fwd, double dH, double dW, double peak) {
        double worst() {
            return Math.min(fwd, Math.min(dH, dW));
        }
    }

    /** Vocabulary tile of the GEMM probe (flce-notes section 4.1). */
    static final int GEMM_TILE = 4096;

    private volatile double sink;

    /**
     * Compiles the fused path (GEMM kernels and packing, the row epilogue) on a small shape, every
     * mode and thread count, before anything is timed: a first big call would otherwise time the
     * interpreter and on-stack-replacement code. Fewer rounds for short runs (tests, --quick).
     */
    void warmUp(List<Integer> threads, double seconds) {
        final int rounds = (int) Math.max(2, Math.min(15, Math.round(seconds * 15)));
        SplittableRandom r = new SplittableRandom(3);
        int n = 300;
        int d = 96;
        int v = 1000;
        float[] h = uniform(r, n * d, 1);
        float[] w = uniform(r, v * d, 0.2);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(v);
        }
        float[] gi = new float[n * d];
        float[] gw = new float[v * d];
        for (int t : threads) {
            LinearCrossEntropyLoss loss = LinearCrossEntropyLoss.builder().threads(t).build();
            for (int k = 0; k < rounds; k++) {
                sink += loss.compute(h, new int[] {n, d}, w, new int[] {v, d}, null, y, null, null,
                        FloatOutputs.gradients(gi, gw, null)).value();
                sink += loss.value(h, new int[] {n, d}, w, new int[] {v, d}, null, y);
            }
        }
    }

    /** xent4j (and PyTorch, when {@code torch} is not null) on one shape, every mode and thread count. */
    List<Row> run(int n, int d, int v, List<Integer> threads, TorchSide torch, String openblas, double seconds,
                  List<String> notes) throws Exception {
        SplittableRandom r = new SplittableRandom(31L * n + 7L * d + v);
        float[] h = uniform(r, n * d, Math.sqrt(3));                      // unit variance
        float[] w = uniform(r, v * d, Math.sqrt(3.0 / d));                // variance 1/D: logits of unit variance
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(v);
        }
        float[] gi = new float[n * d];
        float[] gw = new float[v * d];
        int[] hs = {n, d};
        int[] ws = {v, d};
        List<TorchSide.FusedResult> tr = torch == null ? List.of() : torch.flce(h, w, y, n, d, v, threads, seconds, openblas);
        List<Row> rows = new ArrayList<>();
        double xentLoss = Double.NaN;
        for (String mode : List.of("fwd+bwd", "loss-only")) {
            boolean backward = mode.equals("fwd+bwd");
            for (int t : threads) {
                LinearCrossEntropyLoss loss = LinearCrossEntropyLoss.builder().threads(t).build();
                FloatOutputs out = backward ? FloatOutputs.gradients(gi, gw, null) : FloatOutputs.none();
                Timing.Call call = () -> sink += loss.compute(h, hs, w, ws, null, y, null, null, out).value();
                double ms = Timing.bestMs(call, seconds, 2, 1);
                double mb = Timing.allocatedBytes(call) / (double) (1 << 20);
                double planMb = loss.plan(hs, ws).totalBytes() / (double) (1 << 20);
                xentLoss = loss.value(h, hs, w, ws, null, y);
                TorchSide.FusedResult reuse = find(tr, backward ? "fwdbwd" : "fwd", "recycled", t);
                TorchSide.FusedResult dflt = find(tr, backward ? "fwdbwd" : "fwd", "default", t);
                rows.add(new Row(n, d, v, mode, t, ms, mb, planMb,
                        reuse == null ? Double.NaN : reuse.ms(), dflt == null ? Double.NaN : dflt.ms(),
                        reuse == null || reuse.extraMb() < 0 ? Double.NaN : reuse.extraMb(),
                        reuse == null || reuse.transientMb() < 0 ? Double.NaN : reuse.transientMb()));
            }
        }
        if (!tr.isEmpty()) {
            double theirs = tr.get(0).loss();
            double rel = Math.abs(xentLoss - theirs) / Math.abs(theirs);
            notes.add(String.format(Locale.ROOT, "linear_cross_entropy %dx%dx%d: loss xent4j %.7f, torch %.7f (relative "
                    + "difference %.1e)%s", n, d, v, xentLoss, theirs, rel, rel > 1e-5 ? "  <-- MISMATCH" : ""));
        }
        return rows;
    }

    /** The GEMM probe at (n, d, GEMM_TILE) and the FMA peak, per thread count. */
    List<GemmRow> gemm(int n, int d, List<Integer> threads, ExecutorService pool, boolean vector, double seconds)
            throws Exception {
        GemmProbe probe = new GemmProbe(n, d, GEMM_TILE);
        List<GemmRow> rows = new ArrayList<>();
        for (int t : threads) {
            double fwd = probe.measure("fwd", t, seconds).gflops();
            double dh = probe.measure("dH", t, seconds).gflops();
            double dw = probe.measure("dW", t, seconds).gflops();
            rows.add(new GemmRow(n, d, GEMM_TILE, t, probe.gemmName(), fwd, dh, dw,
                    GemmProbe.peakGflops(pool, t, seconds, vector)));
        }
        return rows;
    }

    private static float[] uniform(SplittableRandom r, int len, double half) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) ((2 * r.nextDouble() - 1) * half);
        }
        return a;
    }

    private static TorchSide.FusedResult find(List<TorchSide.FusedResult> results, String mode, String variant, int threads) {
        for (TorchSide.FusedResult r : results) {
            if (r.mode().equals(mode) && r.variant().equals(variant) && r.threads() == threads) {
                return r;
            }
        }
        return null;
    }

    /** The fused tables (markdown) and the line of targets. */
    static String render(List<Row> rows, List<GemmRow> gemms, String torchBlas) {
        StringBuilder sb = new StringBuilder();
        if (!rows.isEmpty()) {
            sb.append("| op | N x D x V | pass | thr | xent s | GFLOP/s | torch s (recycled / default) | vs torch (recycled / default) "
                    + "| xent MB allocated (plan) | torch MB extra (transient) |\n");
            sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row r : rows) {
                sb.append(String.format(Locale.ROOT, "| linear_cross_entropy | %dx%dx%d | %s | %d | %s | %.0f | %s / %s | %s / %s | "
                                + "%.1f (%.1f) | %s (%s) |%n", r.n(), r.d(), r.v(), r.mode(), r.threads(), s(r.xentMs()),
                        r.flops() / r.xentMs() / 1e6, s(r.torchReuseMs()), s(r.torchDefaultMs()),
                        ratio(r.torchReuseMs(), r.xentMs()), ratio(r.torchDefaultMs(), r.xentMs()), r.xentMb(), r.planMb(),
                        mb(r.torchExtraMb()), mb(r.torchTransientMb())));
            }
            sb.append('\n');
            sb.append("vs torch: PyTorch's time over xent4j's (above 1: xent4j is faster); torch (recycled): glibc told to "
                    + "reuse freed memory, (default): plain malloc; GFLOP/s counts 6NDV for fwd+bwd, 2NDV for loss-only. "
                    + "xent MB: heap allocated by one call (the gradients are the caller's arrays), plan: "
                    + "LinearCrossEntropyLoss.plan. torch MB: peak resident memory of one fwd+bwd in a fresh process; "
                    + "transient: that minus the dH and dW it returns.  \n");
            if (torchBlas != null) {
                sb.append("torch BLAS: ").append(torchBlas).append("  \n");
            }
            sb.append('\n');
        }
        if (!gemms.isEmpty()) {
            sb.append("| GEMM | N x D x Vt | thr | fwd Z=HW^T | dH=GW | dW=G^TH | FMA peak | worst / peak |\n");
            sb.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (GemmRow g : gemms) {
                sb.append(String.format(Locale.ROOT, "| %s | %dx%dx%d | %d | %.1f | %.1f | %.1f | %.1f | %s |%n", g.gemm(), g.n(),
                        g.d(), g.vt(), g.threads(), g.fwd(), g.dH(), g.dW(), g.peak(),
                        Double.isNaN(g.peak()) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * g.worst() / g.peak())));
            }
            sb.append('\n');
            sb.append("GEMM: GFLOP/s (2 N D Vt per product) through the core's GEMM and thread split; FMA peak: "
                    + "12 independent vector FMA chains per thread, measured in this run.  \n\n");
        }
        return sb.toString();
    }

    /** The targets, evaluated on the largest vocabulary measured. */
    static String targets(List<Row> rows, List<GemmRow> gemms) {
        int vmax = rows.stream().mapToInt(Row::v).max().orElse(-1);
        if (vmax < 0) {
            return "summary fused: not run (--fused none)";
        }
        StringBuilder sb = new StringBuilder("summary fused at V=" + vmax + ":");
        for (int t : new int[] {1, 2}) {
            Row fb = find(rows, vmax, "fwd+bwd", t);
            Row lo = find(rows, vmax, "loss-only", t);
            if (fb == null) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, " %dT fwd+bwd xent/torch(recycled) %s (target <= 1.0), torch(default)/xent %s "
                            + "(target >= 1.5), fwd+bwd/loss-only %s (target >= 2.8), transient xent/torch %s (target <= 0.05);",
                    t, ratio(fb.xentMs(), fb.torchReuseMs()), ratio(fb.torchDefaultMs(), fb.xentMs()),
                    lo == null ? "-" : ratio(fb.xentMs(), lo.xentMs()),
                    Double.isNaN(fb.torchTransientMb()) ? "-" : String.format(Locale.ROOT, "%.3f", fb.xentMb() / fb.torchTransientMb())));
        }
        for (GemmRow g : gemms) {
            sb.append(String.format(Locale.ROOT, " GEMM %dT %s of peak (target >= 75%%);", g.threads(),
                    Double.isNaN(g.peak()) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * g.worst() / g.peak())));
        }
        return sb.toString();
    }

    private static Row find(List<Row> rows, int v, String mode, int threads) {
        for (Row r : rows) {
            if (r.v() == v && r.mode().equals(mode) && r.threads() == threads) {
                return r;
            }
        }
        return null;
    }

    private static String s(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, ms >= 10_000 ? "%.1f" : "%.3f", ms / 1000);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private static String mb(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
