package io.github.xent4j.simd;

import io.github.xent4j.BceLoss;
import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.KlDivLoss;
import io.github.xent4j.NllLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.Softmax;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Through the public API on the vector kernels: NLL, BCE, weighted BCE with logits, KL and the
 * softmax backward give bitwise the same value and gradient for 1 to 3 threads (several blocks of
 * the dispatcher, rows not a multiple of the vector length).
 */
class LossThreadsKernelsTest {

    static final int N = 1500;
    static final int C = 101;

    /** Runs {@code call(threads)} for 1..3 threads; each returns the value, writing its gradient into {@code grads[threads]}. */
    static void sameForAnyThreads(String id, float[][] grads, IntFunction<Double> call) {
        double v1 = call.apply(1);
        for (int threads = 2; threads <= 3; threads++) {
            double v = call.apply(threads);
            assertEquals(Double.doubleToRawLongBits(v1), Double.doubleToRawLongBits(v), id + " value, threads=" + threads);
            assertArrayEquals(grads[1], grads[threads], id + " gradient, threads=" + threads);
        }
    }

    @Test
    void everyElementwiseAndClassLossIsBitwiseTheSameForAnyThreadCount() {
        Random r = new Random(21);
        int[] shape = {N, C};
        float[] logits = new float[N * C];
        float[] probs = new float[N * C];
        float[] y = new float[N * C];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (3 * r.nextGaussian());
            probs[i] = r.nextFloat();
            y[i] = r.nextInt(3) == 0 ? r.nextFloat() : r.nextInt(2);
        }
        float[] logProbs = new float[N * C];
        Softmax.DEFAULTS.logSoftmax(logits, shape, 1, logProbs);
        int[] t = new int[N];
        for (int i = 0; i < N; i++) {
            t[i] = r.nextInt(10) == 0 ? -100 : r.nextInt(C);
        }
        double[] w = new double[C];
        for (int c = 0; c < C; c++) {
            w[c] = 0.5 + r.nextDouble();
        }
        float[][] g = new float[4][N * C];

        sameForAnyThreads("nll", g, k -> NllLoss.builder().weight(w).threads(k).build().compute(logProbs, shape, t, null, null, g[k]));
        sameForAnyThreads("bce", g, k -> BceLoss.builder().weight(w, C).threads(k).build().compute(probs, shape, y, null, null, g[k]));
        sameForAnyThreads("bce-logits", g, k -> BceWithLogitsLoss.builder().posWeight(w, C).weight(w, C).threads(k).build()
                .compute(logits, shape, y, null, null, g[k]));
        sameForAnyThreads("kl", g, k -> KlDivLoss.builder().reduction(Reduction.BATCHMEAN).threads(k).build()
                .compute(logProbs, shape, probs, null, null, g[k]));
        sameForAnyThreads("kl log-target", g, k -> KlDivLoss.builder().logTarget(true).threads(k).build()
                .compute(logProbs, shape, logProbs, null, null, g[k]));
        float[] up = logits;
        sameForAnyThreads("log_softmax backward", g, k -> {
            Softmax.builder().threads(k).build().logSoftmaxBackward(logProbs, up, shape, 1, g[k]);
            return 0.0;
        });
        int[] spatial = {N / 10, C, 10}; // the class dim strided (inner 10)
        sameForAnyThreads("softmax backward dim 1 of (N, C, 10)", g, k -> {
            Softmax.builder().threads(k).build().softmaxBackward(probs, up, spatial, 1, g[k]);
            return 0.0;
        });
    }
}
