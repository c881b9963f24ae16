package io.github.xent4j.cli.bench;

import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.CrossEntropyLoss;

import java.util.List;
import java.util.Random;

/**
 * The xent4j side: warms the kernels up before anything is timed, on several shapes, so that the
 * JIT compiles them for the general case and not for the first shape it happens to see (a kernel
 * compiled for one shape can fall back to a slow path on the next), and keeps results alive.
 */
final class XentSide {

    private final double seconds;
    private volatile double sink;

    XentSide(double seconds) {
        this.seconds = seconds;
    }

    void sink(double v) {
        sink += v;
    }

    /** Runs a case's call for a while before it is timed (its kernels compiled for its own shape too). */
    void warm(Timing.Call call) throws Exception {
        long end = System.nanoTime() + (long) (Math.min(0.5, seconds) * 1e9);
        for (int i = 0; i < 5 || System.nanoTime() < end; i++) {
            call.run();
        }
    }

    /** Runs forward and forward+backward over a spread of class counts and thread counts. */
    void warmUp(List<Integer> threads) {
        Random r = new Random(7);
        int[] classes = {10, 37, 100, 257, 1000, 4099, 32000};
        int rounds = seconds < 0.5 ? 8 : 25;
        for (int round = 0; round < 2; round++) {
            for (int c : classes) {
                int n = Math.max(1, (1 << 19) / c);
                float[] x = new float[n * c];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                int[] t = new int[n];
                for (int i = 0; i < n; i++) {
                    t[i] = r.nextInt(c);
                }
                float[] g = new float[x.length];
                int[] dims = {n, c};
                for (int th : threads) {
                    CrossEntropyLoss loss = CrossEntropyLoss.builder().threads(th).build();
                    BceWithLogitsLoss bce = BceWithLogitsLoss.builder().threads(th).build();
                    for (int k = 0; k < rounds; k++) {
                        sink(loss.compute(x, dims, t, null, null, null));
                        sink(loss.compute(x, dims, t, null, null, g));
                        sink(bce.compute(x, dims, g, null, null, null));
                        sink(bce.compute(x, dims, g, null, null, g));
                    }
                }
            }
        }
    }
}
