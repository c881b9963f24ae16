package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Once C2 has compiled them, the kernels allocate nothing. This is the visible symptom of the Vector
 * API's silent slow path: a vector that C2 cannot keep in a register (passed to a method it did not
 * inline, or merged from two branches) is boxed on the heap, still giving right answers 10-250x
 * slower. The interpreter and C1 box every vector, so the test runs batches until one allocates
 * nothing, and fails if none does within the time limit.
 */
class NoAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void compiledKernelsAllocateNothing() {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported());
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
        Runnable batch = () -> {
            for (int rep = 0; rep < 50; rep++) {
                k.crossEntropy(x, t, 0, 24, 1, p, null, null, null, 1, TestKernels.SINK);
                k.crossEntropy(x, t, 0, 24, 1, ps, null, g, null, 1, TestKernels.SINK);
                k.crossEntropy(xs, t, 0, 64, 1, p12, null, g, null, 1, TestKernels.SINK);
                k.crossEntropy(xd, t, 0, 24, 1, p, null, gd, null, 1, TestKernels.SINK);
                k.crossEntropyProbs(x, tp, 0, 24, 1, p, null, g, null, 1, TestKernels.SINK);
                k.bceWithLogits(x, tp, 0, x.length, Integer.MAX_VALUE, null, null, null, g, null, 1, TestKernels.SINK);
                k.bceWithLogits(xd, xd, 0, x.length, Integer.MAX_VALUE, null, null, null, gd, null, 1, TestKernels.SINK);
                k.softmax(x, 0, 24, 203, 1, false, g);
                k.softmax(x, 0, 24, 203, 1, true, g);
                k.softmax(xd, 0, 24, 203, 1, true, gd);
            }
        };
        long id = Thread.currentThread().getId();
        long deadline = System.nanoTime() + 30_000_000_000L;
        long last = -1;
        int batches = 0;
        while (System.nanoTime() < deadline) {
            long before = THREADS.getThreadAllocatedBytes(id);
            batch.run();
            last = THREADS.getThreadAllocatedBytes(id) - before;
            batches++;
            if (last == 0 && batches > 20) {
                break;
            }
        }
        if (last != 0) {
            // name the kernels that still allocate
            StringBuilder culprits = new StringBuilder();
            Runnable[] each = {
                () -> k.crossEntropy(x, t, 0, 24, 1, p, null, null, null, 1, TestKernels.SINK),
                () -> k.crossEntropy(x, t, 0, 24, 1, ps, null, g, null, 1, TestKernels.SINK),
                () -> k.crossEntropy(xs, t, 0, 64, 1, p12, null, g, null, 1, TestKernels.SINK),
                () -> k.crossEntropy(xd, t, 0, 24, 1, p, null, gd, null, 1, TestKernels.SINK),
                () -> k.crossEntropyProbs(x, tp, 0, 24, 1, p, null, g, null, 1, TestKernels.SINK),
                () -> k.bceWithLogits(x, tp, 0, x.length, Integer.MAX_VALUE, null, null, null, g, null, 1, TestKernels.SINK),
                () -> k.bceWithLogits(xd, xd, 0, x.length, Integer.MAX_VALUE, null, null, null, gd, null, 1, TestKernels.SINK),
                () -> k.softmax(x, 0, 24, 203, 1, false, g),
                () -> k.softmax(x, 0, 24, 203, 1, true, g),
                () -> k.softmax(xd, 0, 24, 203, 1, true, gd)};
            for (int i = 0; i < each.length; i++) {
                long before = THREADS.getThreadAllocatedBytes(id);
                each[i].run();
                long bytes = THREADS.getThreadAllocatedBytes(id) - before;
                if (bytes != 0) {
                    culprits.append(" kernel#").append(i).append('=').append(bytes);
                }
            }
            last = last + 0;
            org.junit.jupiter.api.Assertions.fail("compiled kernels still allocate after " + batches + " batches:" + culprits);
        }
        assertTrue(batches > 20);
    }
}
