package io.github.xent4j.cli.bench;

import java.lang.management.ManagementFactory;

/** Best-of-repeats wall-clock timing, and allocation of all live threads. */
final class Timing {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Timing() {
    }

    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    /**
     * Runs {@code call} twice untimed, then repeatedly for about {@code seconds} (at least
     * {@code minReps} times), and returns the fastest call in milliseconds. The best of many is the
     * estimate least disturbed by other processes on a shared machine.
     */
    static double bestMs(Call call, double seconds, int minReps) throws Exception {
        return bestMs(call, seconds, minReps, 2);
    }

    /** As {@link #bestMs(Call, double, int)} with {@code warmups} untimed calls (calls of seconds need fewer). */
    static double bestMs(Call call, double seconds, int minReps, int warmups) throws Exception {
        for (int i = 0; i < warmups; i++) {
            call.run();
        }
        double best = Double.POSITIVE_INFINITY;
        long start = System.nanoTime();
        long budget = (long) (seconds * 1e9);
        for (int reps = 0; reps < minReps || System.nanoTime() - start < budget; reps++) {
            long t0 = System.nanoTime();
            call.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            if (reps > 100_000) {
                break;
            }
        }
        return best;
    }

    /**
     * Bytes allocated on the Java heap by all live threads during one call (the xent4j worker
     * threads included), or -1 when the JVM cannot tell.
     */
    static long allocatedBytes(Call call) throws Exception {
        if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        call.run(); // start the pool threads first, so that they are counted before and after
        long[] ids = THREADS.getAllThreadIds();
        long before = sum(THREADS.getThreadAllocatedBytes(ids));
        // the measurement's own bookkeeping allocates a little; measure it to subtract it
        long[] ids2 = THREADS.getAllThreadIds();
        long idle = sum(THREADS.getThreadAllocatedBytes(ids2)) - before;
        call.run();
        long after = sum(THREADS.getThreadAllocatedBytes(ids));
        return Math.max(0, after - before - 2 * idle);
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += Math.max(0, v);
        }
        return s;
    }
}
