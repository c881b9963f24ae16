package io.github.xent4j.simd;

import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.Xent4j;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider is active when the module is added; results do not depend on the thread count. */
class ThreadsAndProviderTest {

    @Test
    void vectorProviderIsActiveWhenTheModuleIsAdded() {
        // surefire runs this module with --add-modules jdk.incubator.vector
        assertTrue(new VectorKernelProvider().isSupported());
        assertTrue(Xent4j.kernels().startsWith("vector-"), Xent4j.kernels());
    }

    @Test
    void lossAndGradientAreBitwiseTheSameFor1To3Threads() {
        Random r = new Random(11);
        int n = 700;
        int c = 1003; // ~11 blocks of 64k elements, rows with tails
        float[] x = new float[n * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 * r.nextGaussian());
        }
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(10) == 0 ? -100 : r.nextInt(c);
        }
        for (CrossEntropyLoss base : new CrossEntropyLoss[] {
                CrossEntropyLoss.DEFAULTS, CrossEntropyLoss.builder().labelSmoothing(0.1).reduction(Reduction.SUM).build()}) {
            double v1 = 0;
            float[] g1 = null;
            for (int threads = 1; threads <= 3; threads++) {
                float[] g = new float[x.length];
                double v = base.toBuilder().threads(threads).build().compute(x, new int[] {n, c}, t, null, null, g);
                if (threads == 1) {
                    v1 = v;
                    g1 = g;
                } else {
                    assertEquals(Double.doubleToRawLongBits(v1), Double.doubleToRawLongBits(v), "threads=" + threads);
                    assertArrayEquals(g1, g, "threads=" + threads);
                }
            }
        }
        float[] y = new float[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(2);
        }
        double b1 = BceWithLogitsLoss.DEFAULTS.value(x, new int[] {n, c}, y);
        for (int threads = 2; threads <= 3; threads++) {
            double b = BceWithLogitsLoss.builder().threads(threads).build().value(x, new int[] {n, c}, y);
            assertEquals(Double.doubleToRawLongBits(b1), Double.doubleToRawLongBits(b), "bce threads=" + threads);
        }
    }

    @Test
    void everyReductionMatchesTheScalarKernels() {
        Random r = new Random(5);
        int n = 37;
        int c = 29;
        float[] x = new float[n * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int[] t = new int[n];
        double[] w = new double[c];
        for (int i = 0; i < n; i++) {
            t[i] = i % 7 == 0 ? 3 : r.nextInt(c);
        }
        for (int i = 0; i < c; i++) {
            w[i] = 0.5 + r.nextDouble();
        }
        // reference: the scalar kernels' numerator and the MEAN denominator sum of w[y] over valid targets
        CeParams p = new CeParams(c, w, 3, 0);
        float[] gRef = new float[x.length];
        double num = TestKernels.sum(s -> TestKernels.SCALAR.crossEntropy(x, t, 0, n, 1, p, null, gRef, null, 1, s));
        double den = 0;
        for (int y : t) {
            if (y != 3) {
                den += w[y];
            }
        }
        for (Reduction red : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
            CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(w).ignoreIndex(3).reduction(red).build();
            float[] lossOut = new float[n];
            float[] g = new float[x.length];
            float[] up = red == Reduction.NONE ? null : new float[] {1f};
            double v = loss.compute(x, new int[] {n, c}, t, up, lossOut, g);
            double expected = red == Reduction.MEAN ? num / den : num;
            assertEquals(expected, v, 1e-6 * Math.abs(expected), red.toString());
            double scale = red == Reduction.MEAN ? 1 / den : 1;
            float max = 0;
            for (float v0 : gRef) {
                max = Math.max(max, Math.abs(v0));
            }
            for (int i = 0; i < g.length; i++) {
                assertEquals(gRef[i] * scale, g[i], 1e-6 * max * scale, red + " grad[" + i + "]");
            }
            assertTrue(Arrays.stream(new int[] {0}).allMatch(i -> lossOut[0] == 0f), "ignored position 0 has loss 0");
        }
    }
}
