package io.github.xent4j.cli.bench;


import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The machine bound of one benchmark case, measured in the same run as the kernels: the larger of
 * the time to stream the same bytes (read the logits; for forward+backward also write a buffer of
 * the same size) and the time of one SIMD exp per element, each split over the same number of
 * threads. Both loops are plain Vector API loops ({@link MachineProbe}); when the Vector API is not
 * readable the bound falls back to scalar loops and says so.
 */
final class MachineBound {

    /** A measured bound: the two components and their maximum, in milliseconds. */
    record Bound(double streamMs, double expMs) {
        double ms() {
            return Math.max(streamMs, expMs);
        }
    }

    private final ExecutorService pool;
    private final boolean vector;
    private final float[] expBuf = new float[4096];
    private volatile double sink;

    MachineBound(ExecutorService pool, boolean vector) {
        this.pool = pool;
        this.vector = vector;
        for (int i = 0; i < expBuf.length; i++) {
            expBuf[i] = -(i % 97) * 0.25f;
        }
    }

    /** Compiles the probe loops before anything is measured (the first case would time the interpreter). */
    void warmUp() throws Exception {
        float[] a = new float[1 << 16];
        float[] b = new float[a.length];
        for (int k = 0; k < 200; k++) {
            sink += read(a, 0, a.length) + copy(a, b, 0, a.length) + exp(expBuf, 1 << 14);
        }
    }

    /** The bound for reading src (and writing dst, when not null) on {@code threads} threads. */
    Bound measure(float[] src, float[] dst, int threads, double seconds) throws Exception {
        return measure(src, new float[0][], dst, threads, seconds);
    }

    /**
     * The bound for reading src and the further inputs {@code also} (a target of the input's
     * shape, say), writing dst when not null, and one exp per element of src.
     */
    Bound measure(float[] src, float[][] also, float[] dst, int threads, double seconds) throws Exception {
        double stream = Timing.bestMs(() -> {
            parallel(threads, src.length, (from, to) -> dst == null ? read(src, from, to) : copy(src, dst, from, to));
            for (float[] a : also) {
                parallel(threads, a.length, (from, to) -> read(a, from, to));
            }
        }, seconds, 3);
        double exp = Timing.bestMs(() -> parallel(threads, src.length, (from, to) ->
                exp(expBuf, to - from)), seconds, 3);
        return new Bound(stream, exp);
    }

    private double read(float[] src, int from, int to) {
        if (vector) {
            return MachineProbe.read(src, from, to);
        }
        double s = 0;
        for (int i = from; i < to; i++) {
            s += src[i];
        }
        return s;
    }

    private double copy(float[] src, float[] dst, int from, int to) {
        if (vector) {
            return MachineProbe.copy(src, dst, from, to);
        }
        for (int i = from; i < to; i++) {
            dst[i] = src[i] * 0.5f;
        }
        return dst[from];
    }

    private double exp(float[] buf, long elements) {
        if (vector) {
            return MachineProbe.exp(buf, elements);
        }
        return scalarExp(buf, elements);
    }

    private static double scalarExp(float[] buf, long elements) {
        double acc = 0;
        for (long done = 0; done < elements; done += buf.length) {
            for (float v : buf) {
                acc += Math.exp(v);
            }
        }
        return acc;
    }

    @FunctionalInterface
    interface Range {
        double run(int from, int to);
    }

    /** Splits [0, n) into {@code threads} contiguous parts, runs them in parallel, waits. */
    void parallel(int threads, int n, Range range) throws Exception {
        if (threads <= 1) {
            sink = range.run(0, n);
            return;
        }
        @SuppressWarnings("unchecked")
        Future<Double>[] parts = new Future[threads - 1];
        int step = (n + threads - 1) / threads;
        for (int t = 1; t < threads; t++) {
            final int from = Math.min(n, t * step);
            final int to = Math.min(n, from + step);
            parts[t - 1] = pool.submit(() -> range.run(from, to));
        }
        double s = range.run(0, Math.min(n, step));
        for (Future<Double> f : parts) {
            s += f.get();
        }
        sink = s;
    }
}
