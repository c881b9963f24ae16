package io.github.xent4j.simd;

import io.github.xent4j.spi.ScalarLinearCeKernels;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Once compiled, the vector soft-cap allocates nothing (no boxed vector; see {@link NoAllocationTest}). */
class LinearCeKernelsNoAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void compiledSoftcapAllocatesNothing() {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported());
        VectorLinearCeKernels k = new VectorLinearCeKernels(ScalarLinearCeKernels.INSTANCE);
        Random r = new Random(70);
        float[] x = new float[3001];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (10 * r.nextGaussian());
        }
        long id = Thread.currentThread().getId();
        long deadline = System.nanoTime() + 30_000_000_000L;
        long last = -1;
        int batches = 0;
        while (System.nanoTime() < deadline) {
            long before = THREADS.getThreadAllocatedBytes(id);
            for (int rep = 0; rep < 200; rep++) {
                k.softcap(x, 0, x.length, 30f);
                k.softcap(x, 1, 17, 30f);
            }
            last = THREADS.getThreadAllocatedBytes(id) - before;
            if (++batches > 10 && last == 0) {
                return;
            }
        }
        fail("the compiled soft-cap still allocates " + last + " bytes per batch after " + batches + " batches");
    }
}
