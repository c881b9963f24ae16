package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** The vector kernels allocate nothing once compiled (see {@link Allocation}). */
class NoAllocationTest {

    @Test
    void compiledKernelsAllocateNothing() {
        Random r = new Random(8);
        float[] x = new float[24 * 203];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        double[] xd = VectorKernelsTest.toD(x);
        float[] xs = new float[64 * 12]; // a short-row shape (L..2L classes)
        System.arraycopy(x, 0, xs, 0, xs.length);
        int[] t = new int[64];
        float[] g = new float[x.length];
        double[] gd = new double[x.length];
        float[] tp = new float[x.length];
        java.util.Arrays.fill(tp, 1f / 203);
        CeParams p = new CeParams(203, null, -100, 0);
        CeParams ps = new CeParams(203, null, -100, 0.1);
        CeParams p12 = new CeParams(12, null, -100, 0);
        Kernels k = TestKernels.VECTOR;
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("ce", () -> k.crossEntropy(x, t, 0, 24, 1, p, null, null, null, 1, TestKernels.SINK));
        calls.put("ce smoothing grad", () -> k.crossEntropy(x, t, 0, 24, 1, ps, null, g, null, 1, TestKernels.SINK));
        calls.put("ce short rows", () -> k.crossEntropy(xs, t, 0, 64, 1, p12, null, g, null, 1, TestKernels.SINK));
        calls.put("ce f64", () -> k.crossEntropy(xd, t, 0, 24, 1, p, null, gd, null, 1, TestKernels.SINK));
        calls.put("ce probs", () -> k.crossEntropyProbs(x, tp, 0, 24, 1, p, null, g, null, 1, TestKernels.SINK));
        calls.put("bce logits", () -> k.bceWithLogits(x, tp, 0, x.length, Integer.MAX_VALUE, null, null, null, g, null, 1, TestKernels.SINK));
        calls.put("bce logits f64", () -> k.bceWithLogits(xd, xd, 0, x.length, Integer.MAX_VALUE, null, null, null, gd, null, 1, TestKernels.SINK));
        calls.put("softmax", () -> k.softmax(x, 0, 24, 203, 1, false, g));
        calls.put("log_softmax", () -> k.softmax(x, 0, 24, 203, 1, true, g));
        calls.put("log_softmax f64", () -> k.softmax(xd, 0, 24, 203, 1, true, gd));
        Allocation.assertCompiledAllocateNothing(calls);
    }
}
