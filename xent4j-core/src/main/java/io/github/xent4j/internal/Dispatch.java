package io.github.xent4j.internal;

import io.github.xent4j.spi.Gemm;
import io.github.xent4j.spi.KernelProvider;
import io.github.xent4j.spi.Kernels;

import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Picks the kernel provider once and runs work in fixed blocks on a pool.
 *
 * <p>Determinism: the block boundaries depend on the problem size only, never on the thread count,
 * and the blocks' partial sums are merged in block order, so a reduced loss is bitwise the same for
 * any number of threads (the mergeable (numerator, denominator) pair of ARCHITECTURE.md).
 */
public final class Dispatch {

    /** Elements per block: big enough to amortise scheduling, small enough to balance two cores. */
    private static final int BLOCK_ELEMENTS = 1 << 16;

    private static final KernelProvider PROVIDER = choose();

    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "xent4j-worker");
        t.setDaemon(true);
        return t;
    });

    private Dispatch() {
    }

    /** The active kernels (chosen once, at class initialisation). */
    public static Kernels kernels() {
        return PROVIDER.kernels();
    }

    /** Name of the active provider. */
    public static String providerName() {
        return PROVIDER.name();
    }

    private static KernelProvider choose() {
        KernelProvider best = new ScalarProvider();
        if ("scalar".equalsIgnoreCase(System.getProperty("xent4j.kernels", ""))) {
            return best;
        }
        try {
            for (KernelProvider p : ServiceLoader.load(KernelProvider.class, Dispatch.class.getClassLoader())) {
                try {
                    if (p.priority() > best.priority() && p.isSupported()) {
                        best = p;
                    }
                } catch (LinkageError | RuntimeException e) {
                    // a provider that cannot load on this JVM is skipped; the scalar kernels remain
                }
            }
        } catch (java.util.ServiceConfigurationError e) {
            // no usable provider: scalar
        }
        return best;
    }

    /** A unit of work over the outer indices [from, to), returning its partial numerator. */
    @FunctionalInterface
    public interface Block {
        double run(int from, int to);
    }

    /**
     * Runs {@code block} over [0, outer) in fixed blocks of about {@value #BLOCK_ELEMENTS} elements
     * ({@code perOuter} elements per outer index) on up to {@code threads} threads, and returns the
     * partial sums added in block order.
     */
    public static double run(int outer, long perOuter, int threads, Block block) {
        if (outer <= 0) {
            return 0;
        }
        final int step = (int) Math.max(1, Math.min(outer, BLOCK_ELEMENTS / Math.max(1, perOuter)));
        final int blocks = (outer + step - 1) / step;
        if (threads <= 1 || blocks == 1) {
            double total = 0;
            for (int b = 0; b < blocks; b++) {
                int from = b * step;
                total += block.run(from, Math.min(outer, from + step));
            }
            return total;
        }
        final double[] partial = new double[blocks];
        final AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int b; (b = next.getAndIncrement()) < blocks; ) {
                int from = b * step;
                partial[b] = block.run(from, Math.min(outer, from + step));
            }
        };
        int helpers = Math.min(threads, blocks) - 1;
        Future<?>[] futures = new Future<?>[helpers];
        for (int h = 0; h < helpers; h++) {
            futures[h] = POOL.submit(worker);
        }
        worker.run();
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for xent4j workers", e);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
        double total = 0;
        for (double v : partial) {
            total += v;
        }
        return total;
    }

    /** The active GEMM (the provider's, else the scalar reference), chosen once, when first asked for. */
    public static Gemm gemm() {
        return GemmHolder.GEMM;
    }

    /** Lazy, so that the losses that need no GEMM never load its kernels. */
    private static final class GemmHolder {
        static final Gemm GEMM = chooseGemm();

        private static Gemm chooseGemm() {
            try {
                return PROVIDER.gemm(ScalarGemm.INSTANCE);
            } catch (LinkageError e) {
                return ScalarGemm.INSTANCE;
            }
        }
    }

    /**
     * Runs {@code task.accept(0 .. tasks-1)}, each index once, on the calling thread and on up to
     * {@code tasks - 1} helpers submitted to {@code executor} (null: the library's daemon pool), and
     * returns when every index has finished. The caller claims indices too, so the call completes
     * even if the executor never runs a helper. The first failure is rethrown.
     */
    public static void forEach(int tasks, Executor executor, IntConsumer task) {
        if (tasks <= 1) {
            if (tasks == 1) {
                task.accept(0);
            }
            return;
        }
        final AtomicInteger next = new AtomicInteger();
        final CountDownLatch done = new CountDownLatch(tasks);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < tasks; ) {
                try {
                    task.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            }
        };
        Executor ex = executor != null ? executor : POOL;
        for (int h = 1; h < tasks; h++) {
            try {
                ex.execute(worker);
            } catch (RejectedExecutionException e) {
                break; // the caller does the rest
            }
        }
        worker.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for xent4j workers", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** The always-present reference provider. */
    static final class ScalarProvider implements KernelProvider {
        @Override
        public String name() {
            return "scalar";
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public boolean isSupported() {
            return true;
        }

        @Override
        public Kernels kernels() {
            return ScalarKernels.INSTANCE;
        }
    }
}
