package io.github.xent4j.simd;

import java.lang.management.ManagementFactory;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Once C2 has compiled them, kernels allocate nothing. This is the visible symptom of the Vector
 * API's silent slow path: a vector that C2 cannot keep in a register (passed to a method it did not
 * inline, or merged from two branches) is boxed on the heap, still giving right answers 10-250x
 * slower. The interpreter and C1 box every vector, so {@link #assertCompiledAllocateNothing} runs
 * batches until one allocates nothing, and fails naming the kernels that still allocate if none
 * does within the time limit. Each kernel family's test hands in its own named calls.
 */
final class Allocation {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocation() {
    }

    static void assertCompiledAllocateNothing(Map<String, Runnable> kernels) {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported());
        long id = Thread.currentThread().getId();
        long deadline = System.nanoTime() + 30_000_000_000L;
        long last = -1;
        int batches = 0;
        while (System.nanoTime() < deadline) {
            long before = THREADS.getThreadAllocatedBytes(id);
            for (int rep = 0; rep < 50; rep++) {
                kernels.values().forEach(Runnable::run);
            }
            last = THREADS.getThreadAllocatedBytes(id) - before;
            batches++;
            if (last == 0 && batches > 20) {
                return;
            }
        }
        StringBuilder culprits = new StringBuilder();
        for (Map.Entry<String, Runnable> e : kernels.entrySet()) {
            long before = THREADS.getThreadAllocatedBytes(id);
            e.getValue().run();
            long bytes = THREADS.getThreadAllocatedBytes(id) - before;
            if (bytes != 0) {
                culprits.append(' ').append(e.getKey()).append('=').append(bytes);
            }
        }
        fail("compiled kernels still allocate after " + batches + " batches:" + culprits);
    }
}
