package io.github.xent4j.cli.bench;

import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.internal.Gemms;
import io.github.xent4j.spi.Gemm;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The GEMM throughput of the fused linear + cross-entropy loss, beside the machine's measured FMA
 * peak: the three products of one vocabulary tile (hidden N x D, a tile of Vt classifier rows)
 * through the core's active GEMM and its thread split, exactly as the loss calls them, and
 * {@link MachineProbe#fma} on the same number of threads. The benchmark runs on the class path,
 * which is why it may reach the core's internal runner.
 */
final class GemmProbe {

    /** One measured product: {@code form} is "fwd" (Z = H W^T), "dH" (G W) or "dW" (G^T H). */
    record Rate(String form, int n, int d, int vt, int threads, double ms, double gflops) {
    }

    private final int n, d, vt;
    private final float[] h, w, g, z, dh, dw;
    private final Gemm gemm = Dispatch.gemm();
    private volatile double sink;

    GemmProbe(int n, int d, int vt) {
        this.n = n;
        this.d = d;
        this.vt = vt;
        Random r = new Random(5);
        h = gaussian(r, n * d, 1);
        w = gaussian(r, vt * d, 1 / Math.sqrt(d));
        g = gaussian(r, n * vt, 1e-3);
        z = new float[n * vt];
        dh = new float[n * d];
        dw = new float[vt * d];
    }

    private static float[] gaussian(Random r, int len, double scale) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        return x;
    }

    String gemmName() {
        return gemm.name();
    }

    /** Flops of one product: 2 N D Vt. */
    double flops() {
        return 2.0 * n * d * vt;
    }

    Rate measure(String form, int threads, double seconds) throws Exception {
        float[][] work = Gemms.floatWorkspaces(gemm, threads);
        Timing.Call call = switch (form) {
            case "fwd" -> () -> Gemms.abt(gemm, null, work, n, vt, d, h, 0, d, w, 0, d, z, 0, vt, false);
            case "dH" -> () -> Gemms.ab(gemm, null, work, n, d, vt, g, 0, vt, w, 0, d, dh, 0, d, false);
            case "dW" -> () -> Gemms.atb(gemm, null, work, vt, d, n, g, 0, vt, h, 0, d, dw, 0, d, false);
            default -> throw new IllegalArgumentException("form " + form);
        };
        double ms = Timing.bestMs(call, seconds, 3);
        sink += z[0] + dh[0] + dw[0];
        return new Rate(form, n, d, vt, threads, ms, flops() / ms / 1e6);
    }

    /**
     * The float32 FMA peak in GFLOP/s on {@code threads} threads (each running independent vector
     * FMA chains), best of repeated runs of about 40 ms, or NaN without the Vector API.
     */
    static double peakGflops(ExecutorService pool, int threads, double seconds, boolean vector) throws Exception {
        if (!vector) {
            return Double.NaN;
        }
        // about 40 ms per thread and run: long enough that starting the helpers does not count
        final long steps = 1 << 24;
        for (int i = 0; i < 20; i++) {
            MachineProbe.fma(steps >> 6); // compile it first
        }
        double best = Double.POSITIVE_INFINITY;
        long start = System.nanoTime();
        for (int reps = -1; reps < 3 || System.nanoTime() - start < seconds * 1e9; reps++) {
            long t0 = System.nanoTime();
            @SuppressWarnings("unchecked")
            Future<Double>[] parts = new Future[threads - 1];
            for (int t = 1; t < threads; t++) {
                parts[t - 1] = pool.submit(() -> MachineProbe.fma(steps));
            }
            double s = MachineProbe.fma(steps);
            for (Future<Double> f : parts) {
                s += f.get();
            }
            if (reps >= 0) {
                best = Math.min(best, (System.nanoTime() - t0) / 1e9); // the first round starts the pool's threads
            }
            if (s == 42) {
                break; // never: keeps the sum alive
            }
        }
        return MachineProbe.fmaFlops(steps) * threads / best / 1e9;
    }
}
