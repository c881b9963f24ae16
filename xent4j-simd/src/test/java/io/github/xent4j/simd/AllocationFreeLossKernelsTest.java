package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * NLL, BCE, weighted BCE with logits, KL, the range scan, the strided softmax and the softmax backward allocate nothing
 * once compiled (see {@link Allocation}), every output combination and both precisions warmed
 * together, so that each kernel is compiled with the profile of all its callers.
 */
class AllocationFreeLossKernelsTest {

    @Test
    void compiledLossKernelsAllocateNothing() {
        Random r = new Random(9);
        int n = 24;
        int c = 203;
        int len = n * c;
        float[] x = new float[len];
        float[] p = new float[len];
        float[] t = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) r.nextGaussian();
            p[i] = r.nextFloat();
            t[i] = r.nextInt(3) == 0 ? 0f : r.nextFloat();
        }
        float[] lp = new float[len];
        TestKernels.SCALAR.softmax(x, 0, n, c, 1, true, lp);
        float[] sm = new float[len];
        TestKernels.SCALAR.softmax(x, 0, n, c, 1, false, sm);
        double[] xd = VectorKernelsTest.toD(x);
        double[] pd = VectorKernelsTest.toD(p);
        double[] td = VectorKernelsTest.toD(t);
        double[] lpd = VectorKernelsTest.toD(lp);
        double[] smd = VectorKernelsTest.toD(sm);
        float[] g = new float[len];
        float[] l = new float[len];
        double[] gd = new double[len];
        double[] ld = new double[len];
        float[] up = p.clone();
        int[] target = new int[n * 7];
        for (int i = 0; i < target.length; i++) {
            target[i] = r.nextInt(5) == 0 ? -100 : r.nextInt(29);
        }
        double[] wc = new double[c];
        java.util.Arrays.fill(wc, 0.7);
        Broadcast perClass = new Broadcast(wc, 1, c);
        Broadcast perRow = new Broadcast(new double[n], c, n);
        CeParams np = new CeParams(c, wc, -100, 0);
        CeParams nk = new CeParams(29, null, -100, 0);
        int m = Integer.MAX_VALUE;
        Kernels k = TestKernels.VECTOR;
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("nll", () -> k.nllLoss(lp, target, 0, n, 1, np, null, g, null, 1, TestKernels.SINK));
        calls.put("nll k-dim", () -> k.nllLoss(lp, target, 0, n, 7, nk, l, g, up, 1, TestKernels.SINK));
        calls.put("nll f64", () -> k.nllLoss(lpd, target, 0, n, 1, np, null, gd, null, 1, TestKernels.SINK));
        calls.put("bce value", () -> k.bce(p, t, 0, len, m, null, null, null, null, 1, TestKernels.SINK));
        calls.put("bce grad", () -> k.bce(p, t, 0, len, c, null, null, g, null, 1, TestKernels.SINK));
        calls.put("bce weight loss+grad+up", () -> k.bce(p, t, 0, len, c, perClass, l, g, up, 1, TestKernels.SINK));
        calls.put("bce row weight grad", () -> k.bce(p, t, 0, len, c, perRow, null, g, null, 1, TestKernels.SINK));
        calls.put("bce f64", () -> k.bce(pd, td, 0, len, c, perClass, null, gd, null, 1, TestKernels.SINK));
        calls.put("bce f64 loss", () -> k.bce(pd, td, 0, len, c, null, ld, null, null, 1, TestKernels.SINK));
        calls.put("bce logits pos_weight grad", () -> k.bceWithLogits(x, t, 0, len, c, null, perClass, null, g, null, 1, TestKernels.SINK));
        calls.put("bce logits both, loss+up", () -> k.bceWithLogits(x, t, 0, len, c, perRow, perClass, l, g, up, 1, TestKernels.SINK));
        calls.put("bce logits weight value", () -> k.bceWithLogits(x, t, 0, len, m, perClass, null, null, null, null, 1, TestKernels.SINK));
        calls.put("bce logits f64", () -> k.bceWithLogits(xd, td, 0, len, c, null, perClass, null, gd, null, 1, TestKernels.SINK));
        calls.put("bce logits f64 loss", () -> k.bceWithLogits(xd, td, 0, len, c, perClass, perClass, ld, gd, null, 1, TestKernels.SINK));
        calls.put("range scan", () -> k.firstOutsideUnit(p, 0, len));
        calls.put("range scan f64", () -> k.firstOutsideUnit(pd, 0, len));
        calls.put("kl grad", () -> k.klDiv(lp, t, 0, len, c, false, null, g, null, 1, TestKernels.SINK));
        calls.put("kl value", () -> k.klDiv(lp, t, 0, len, c, false, null, null, null, 1, TestKernels.SINK));
        calls.put("kl log-target grad", () -> k.klDiv(lp, lp, 0, len, c, true, null, g, null, 1, TestKernels.SINK));
        calls.put("kl log-target loss+up", () -> k.klDiv(lp, lp, 0, len, c, true, l, g, up, 1, TestKernels.SINK));
        calls.put("kl f64", () -> k.klDiv(lpd, td, 0, len, c, false, null, gd, null, 1, TestKernels.SINK));
        calls.put("kl f64 log-target", () -> k.klDiv(lpd, lpd, 0, len, c, true, ld, gd, null, 1, TestKernels.SINK));
        calls.put("softmax backward", () -> k.softmaxBackward(sm, x, 0, n, c, 1, false, g));
        calls.put("log_softmax backward", () -> k.softmaxBackward(lp, x, 0, n, c, 1, true, g));
        calls.put("softmax backward strided", () -> k.softmaxBackward(sm, x, 0, n, 7, 29, false, g));
        calls.put("log_softmax backward strided", () -> k.softmaxBackward(lp, x, 0, n, 29, 7, true, g));
        calls.put("softmax backward f64", () -> k.softmaxBackward(smd, xd, 0, n, c, 1, false, gd));
        calls.put("log_softmax backward f64 strided", () -> k.softmaxBackward(lpd, xd, 0, n, 7, 29, true, gd));
        float[] so = new float[len];
        double[] sod = new double[len];
        calls.put("softmax strided", () -> k.softmax(x, 0, n, 7, 29, false, so));
        calls.put("log_softmax strided", () -> k.softmax(x, 0, n, 7, 29, true, so));
        calls.put("softmax strided f64", () -> k.softmax(xd, 0, n, 7, 29, false, sod));
        calls.put("log_softmax strided f64", () -> k.softmax(xd, 0, n, 7, 29, true, sod));
        Allocation.assertCompiledAllocateNothing(calls);
    }
}
