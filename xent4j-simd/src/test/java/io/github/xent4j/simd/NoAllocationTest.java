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
        calls.put("ce grad", () -> k.crossEntropy(x, t, 0, 24, 1, p, null, g, null, 1, TestKernels.SINK));
        calls.put("ce smoothing grad", () -> k.crossEntropy(x, t, 0, 24, 1, ps, null, g, null, 1, TestKernels.SINK));
        calls.put("ce short rows", () -> k.crossEntropy(xs, t, 0, 64, 1, p12, null, g, null, 1, TestKernels.SINK));
        calls.put("ce f64", () -> k.crossEntropy(xd, t, 0, 24, 1, p, null, gd, null, 1, TestKernels.SINK));
        calls.put("ce probs", () -> k.crossEntropyProbs(x, tp, 0, 24, 1, p, null, g, null, 1, TestKernels.SINK));
        // K-dim (inner > 1, a tail block), rows under one vector, weighted smoothing, weighted probabilities:
        // loss-only and fused paths warmed in the same JVM
        int kd = 2 * VectorMath.LF + 3;
        float[] xk = java.util.Arrays.copyOf(x, 3 * 21 * kd);
        double[] xkd = VectorKernelsTest.toD(xk);
        int[] tk = new int[3 * kd];
        for (int i = 0; i < tk.length; i++) {
            tk[i] = i % 7 == 0 ? -100 : i % 21;
        }
        float[] gk = new float[xk.length];
        double[] gkd = new double[xk.length];
        float[] lk = new float[tk.length];
        float[] tpk = new float[xk.length];
        java.util.Arrays.fill(tpk, 1f / 21);
        double[] w21 = new double[21];
        java.util.Arrays.fill(w21, 0.5);
        double[] w203 = new double[203];
        java.util.Arrays.fill(w203, 1.5);
        CeParams pk = new CeParams(21, w21, -100, 0.1);
        CeParams pw = new CeParams(203, w203, -100, 0.1);
        CeParams p10 = new CeParams(10, null, -100, 0);
        float[] x10 = java.util.Arrays.copyOf(x, 70 * 10);
        int[] t10 = new int[70];
        calls.put("ce kdim loss", () -> k.crossEntropy(xk, tk, 0, 3, kd, pk, lk, null, null, 1, TestKernels.SINK));
        calls.put("ce kdim grad", () -> k.crossEntropy(xk, tk, 0, 3, kd, pk, null, gk, lk, 1, TestKernels.SINK));
        // the bench's K-dim case: unweighted, no smoothing, gradient only
        CeParams pk0 = new CeParams(21, null, -100, 0);
        calls.put("ce kdim plain grad", () -> k.crossEntropy(xk, tk, 0, 3, kd, pk0, null, gk, null, 1, TestKernels.SINK));
        calls.put("ce kdim f64 loss", () -> k.crossEntropy(xkd, tk, 0, 3, kd, pk, null, null, null, 1, TestKernels.SINK));
        calls.put("ce kdim f64 grad", () -> k.crossEntropy(xkd, tk, 0, 3, kd, pk, null, gkd, null, 1, TestKernels.SINK));
        calls.put("ce kdim probs loss", () -> k.crossEntropyProbs(xk, tpk, 0, 3, kd, pk, lk, null, null, 1, TestKernels.SINK));
        calls.put("ce kdim probs grad", () -> k.crossEntropyProbs(xk, tpk, 0, 3, kd, pk, null, gk, null, 1, TestKernels.SINK));
        double[] tpkd = VectorKernelsTest.toD(tpk);
        calls.put("ce kdim probs f64", () -> k.crossEntropyProbs(xkd, tpkd, 0, 3, kd, pk, null, gkd, null, 1, TestKernels.SINK));
        calls.put("ce C<L loss", () -> k.crossEntropy(x10, t10, 0, 70, 1, p10, null, null, null, 1, TestKernels.SINK));
        calls.put("ce C<L grad", () -> k.crossEntropy(x10, t10, 0, 70, 1, p10, null, g, null, 1, TestKernels.SINK));
        CeParams p3 = new CeParams(3, null, -100, 0.1);
        calls.put("ce C<L f64", () -> k.crossEntropy(xd, t10, 0, 70, 1, p3, null, gd, null, 1, TestKernels.SINK));
        calls.put("ce weighted smoothing", () -> k.crossEntropy(x, t, 0, 24, 1, pw, null, g, null, 1, TestKernels.SINK));
        calls.put("ce weighted smoothing f64", () -> k.crossEntropy(xd, t, 0, 24, 1, pw, null, gd, null, 1, TestKernels.SINK));
        calls.put("ce weighted probs", () -> k.crossEntropyProbs(x, tp, 0, 24, 1, pw, null, g, null, 1, TestKernels.SINK));
        calls.put("bce logits", () -> k.bceWithLogits(x, tp, 0, x.length, Integer.MAX_VALUE, null, null, null, g, null, 1, TestKernels.SINK));
        calls.put("bce logits f64", () -> k.bceWithLogits(xd, xd, 0, x.length, Integer.MAX_VALUE, null, null, null, gd, null, 1, TestKernels.SINK));
        calls.put("softmax", () -> k.softmax(x, 0, 24, 203, 1, false, g));
        calls.put("log_softmax", () -> k.softmax(x, 0, 24, 203, 1, true, g));
        calls.put("log_softmax f64", () -> k.softmax(xd, 0, 24, 203, 1, true, gd));
        Allocation.assertCompiledAllocateNothing(calls);
    }
}
