package io.github.xent4j.cli.train;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a loop over [0, n) on a fixed number of threads, in contiguous chunks. Callers split only
 * over independent outputs (each output element is computed by one thread, in the same order as
 * single-threaded), so results are bitwise the same for any thread count.
 */
final class Parallel implements AutoCloseable {

    /** Below this many multiply-adds a loop runs on the calling thread: handing off costs more. */
    private static final long MIN_PARALLEL_WORK = 1 << 15;

    /** The body of a loop over [from, to). */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "xent-train-worker");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body} over [0, n); {@code workPerItem} (multiply-adds) decides whether to split. */
    void forRange(int n, long workPerItem, Range body) {
        int parts = (int) Math.min(threads, n);
        if (pool == null || parts <= 1 || (long) n * workPerItem < MIN_PARALLEL_WORK) {
            body.run(0, n);
            return;
        }
        Future<?>[] futures = new Future<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            futures[p - 1] = pool.submit(() -> body.run(from, to));
        }
        body.run(0, (int) ((long) n / parts));
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
