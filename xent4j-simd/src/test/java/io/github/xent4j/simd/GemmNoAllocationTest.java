package io.github.xent4j.simd;

import io.github.xent4j.spi.Gemm;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Once C2 has compiled them, the GEMM kernels allocate nothing (a boxed vector would: the Vector
 * API's silent slow path, see {@link NoAllocationTest}). Every form, both precisions, with
 * fringes and several k-blocks, for the width of this JVM ({@code -Dxent4j.simd.bits}, see
 * {@link VectorGemmTest}) when the hardware runs it natively (the emulated 512-bit path on a
 * 256-bit machine allocates by design).
 */
class GemmNoAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void compiledGemmKernelsAllocateNothing() {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported());
        Gemm g = VectorGemms.preferred();
        assumeTrue(!VectorGemmTest.emulated(g), "the 512-bit kernels are emulated on this machine");
        check(g);
    }

    private static void check(Gemm g) {
        Random r = new Random(40);
        int m = 37, n = 45, k = 300;
        float[] a = VectorGemmTest.gaussian(r, 300 * 45);
        float[] b = VectorGemmTest.gaussian(r, 300 * 45);
        float[] c = new float[45 * 45];
        double[] ad = VectorKernelsTest.toD(a);
        double[] bd = VectorKernelsTest.toD(b);
        double[] cd = new double[c.length];
        float[] w = new float[g.workspaceLength()];
        double[] wd = new double[g.workspaceLength()];
        Runnable[] each = {
            () -> g.abt(m, n, k, a, 0, k, b, 0, k, c, 0, n, false, w),
            () -> g.ab(m, n, k, a, 0, k, b, 0, n, c, 0, n, true, w),
            () -> g.atb(m, n, k, a, 0, m, b, 0, n, c, 0, n, false, w),
            () -> g.abt(m, n, k, ad, 0, k, bd, 0, k, cd, 0, n, true, wd),
            () -> g.ab(m, n, k, ad, 0, k, bd, 0, n, cd, 0, n, false, wd),
            () -> g.atb(m, n, k, ad, 0, m, bd, 0, n, cd, 0, n, true, wd),
        };
        long id = Thread.currentThread().getId();
        long deadline = System.nanoTime() + 30_000_000_000L;
        long last = -1;
        int batches = 0;
        while (System.nanoTime() < deadline) {
            long before = THREADS.getThreadAllocatedBytes(id);
            for (int rep = 0; rep < 20; rep++) {
                for (Runnable call : each) {
                    call.run();
                }
            }
            last = THREADS.getThreadAllocatedBytes(id) - before;
            batches++;
            if (last == 0 && batches > 10) {
                return;
            }
        }
        StringBuilder culprits = new StringBuilder();
        for (int i = 0; i < each.length; i++) {
            long before = THREADS.getThreadAllocatedBytes(id);
            each[i].run();
            long bytes = THREADS.getThreadAllocatedBytes(id) - before;
            if (bytes != 0) {
                culprits.append(" call#").append(i).append('=').append(bytes);
            }
        }
        fail(g.name() + ": compiled GEMM kernels still allocate after " + batches + " batches (" + last + " bytes):"
                + culprits);
    }
}
