package io.github.xent4j.internal;

import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.KernelProvider;
import io.github.xent4j.spi.Kernels;
import io.github.xent4j.spi.ScalarKernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the kernel provider once and runs work in fixed blocks on a pool.
 *
 * <p>Determinism: kernels add their partial sums into exact accumulators ({@link ExactSum}), so the
 * merged total does not depend on which thread ran which block, in which order, or how a caller
 * split the batch: a reduced loss is bitwise the same for any number of threads and any chunking.
 *
 * <p>Provider choice, by the system property {@code xent4j.kernels}: {@code auto} (default: the
 * supported provider of highest priority), {@code scalar} (the reference kernels), or a provider's
 * short name ({@code vector}) which must then be supported. Any other value is an error raised on
 * the first call into the library.
 */
public final class Dispatch {

    /** Elements per block: big enough to amortise scheduling, small enough to balance two cores. */
    static final int BLOCK_ELEMENTS = 1 << 16;

    private static final Choice CHOICE = choose(System.getProperty("xent4j.kernels", "auto"));

    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "xent4j-worker");
        t.setDaemon(true);
        return t;
    });

    private Dispatch() {
    }

    /** The active kernels (chosen once, at class initialisation). */
    public static Kernels kernels() {
        return CHOICE.kernels();
    }

    /** Name of the active provider. */
    public static String providerName() {
        return CHOICE.provider().name();
    }

    /** The provider chosen, or the reason the property named none (raised on use). */
    record Choice(KernelProvider provider, Kernels kernels, String error) {
        @Override
        public Kernels kernels() {
            if (error != null) {
                throw new IllegalStateException(error);
            }
            return kernels;
        }

        @Override
        public KernelProvider provider() {
            if (error != null) {
                throw new IllegalStateException(error);
            }
            return provider;
        }
    }

    static Choice choose(String property) {
        String wanted = property.trim().toLowerCase(Locale.ROOT);
        KernelProvider scalar = new ScalarProvider();
        if (wanted.equals("scalar")) {
            return new Choice(scalar, ScalarKernels.INSTANCE, null);
        }
        List<KernelProvider> found = new ArrayList<>();
        try {
            for (KernelProvider p : ServiceLoader.load(KernelProvider.class, Dispatch.class.getClassLoader())) {
                found.add(p);
            }
        } catch (java.util.ServiceConfigurationError e) {
            // no usable provider: scalar
        }
        if (wanted.isEmpty() || wanted.equals("auto")) {
            KernelProvider best = scalar;
            for (KernelProvider p : found) {
                if (supported(p) && p.priority() > best.priority()) {
                    best = p;
                }
            }
            return new Choice(best, best == scalar ? ScalarKernels.INSTANCE : best.kernels(ScalarKernels.INSTANCE), null);
        }
        for (KernelProvider p : found) {
            if (p.name().toLowerCase(Locale.ROOT).startsWith(wanted)) {
                if (!supported(p)) {
                    return new Choice(null, null, "-Dxent4j.kernels=" + property + ": that provider cannot run on this JVM: "
                            + p.name());
                }
                return new Choice(p, p.kernels(ScalarKernels.INSTANCE), null);
            }
        }
        return new Choice(null, null, "-Dxent4j.kernels=" + property + " is not valid; use auto (the default), scalar"
                + (found.isEmpty() ? "" : " or vector") + (found.isEmpty()
                ? " (no other provider is on the module or class path: add xent4j-simd for vector)" : ""));
    }

    private static boolean supported(KernelProvider p) {
        try {
            return p.isSupported();
        } catch (LinkageError | RuntimeException e) {
            return false; // a provider that cannot load on this JVM is skipped
        }
    }

    /** A unit of work over [from, to) (samples, or flat elements), adding its losses into {@code sum}. */
    @FunctionalInterface
    public interface Block {
        void run(int from, int to, ExactSum sum);
    }

    /**
     * Runs {@code block} over the samples [0, outer) in blocks of about {@value #BLOCK_ELEMENTS}
     * elements ({@code perOuter} elements per sample) on up to {@code threads} threads (the caller's
     * among them; helpers from {@code executor}, or the library's pool when it is null), and returns
     * the exact sum of everything the blocks added.
     */
    public static ExactSum run(int outer, long perOuter, int threads, Executor executor, Block block) {
        final int step = (int) Math.max(1, Math.min(Math.max(outer, 1), BLOCK_ELEMENTS / Math.max(1, perOuter)));
        final int blocks = outer <= 0 ? 0 : (int) ((outer + (long) step - 1) / step);
        return execute(blocks, threads, executor,
                (b, sum) -> block.run(b * step, (int) Math.min(outer, (long) b * step + step), sum));
    }

    /**
     * Runs {@code block} over the flat elements [0, numel) of an element-wise loss whose dim-0 slices
     * have {@code slice} elements, cutting only at segment boundaries ({@link Kernels#segmentEnd}).
     */
    public static ExactSum runElements(int numel, int slice, int threads, Executor executor, Block block) {
        if (numel <= 0) {
            return new ExactSum();
        }
        final int s = Math.max(1, slice);
        if (s <= Kernels.SEGMENT) {
            // segments are whole slices: block over slices
            return run(numel / s, s, threads, executor, (a, b, sum) -> block.run(a * s, b * s, sum));
        }
        final int perSlice = (s + Kernels.SEGMENT - 1) / Kernels.SEGMENT;
        final long units = (long) (numel / s) * perSlice;
        final int step = Math.max(1, BLOCK_ELEMENTS / Kernels.SEGMENT);
        final int blocks = (int) ((units + step - 1) / step);
        return execute(blocks, threads, executor, (b, sum) -> {
            long u0 = (long) b * step;
            long u1 = Math.min(units, u0 + step);
            block.run(unitStart(u0, units, perSlice, s, numel), unitStart(u1, units, perSlice, s, numel), sum);
        });
    }

    private static int unitStart(long u, long units, int perSlice, int slice, int numel) {
        if (u >= units) {
            return numel;
        }
        return (int) ((u / perSlice) * slice + (u % perSlice) * Kernels.SEGMENT);
    }

    /** One block by its index. */
    private interface Indexed {
        void run(int block, ExactSum sum);
    }

    private static ExactSum execute(int blocks, int threads, Executor executor, Indexed work) {
        ExactSum total = new ExactSum();
        int workers = Math.min(threads, blocks);
        if (workers <= 1) {
            for (int b = 0; b < blocks; b++) {
                work.run(b, total);
            }
            return total;
        }
        Team team = new Team(blocks, work);
        Executor ex = executor == null ? POOL : executor;
        for (int h = 0; h < workers - 1; h++) {
            ex.execute(team::help);
        }
        team.work(total);
        team.close();
        for (ExactSum s : team.sums) {
            total.add(s);
        }
        if (team.failure != null) {
            if (team.failure instanceof RuntimeException re) {
                throw re;
            }
            if (team.failure instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(team.failure);
        }
        return total;
    }

    /**
     * Blocks handed out by a counter to the caller and to helpers. The caller works too and then
     * closes the team: a helper that starts after that (an executor that queued it behind busy
     * threads, or behind the caller itself) leaves at once, so a saturated executor cannot deadlock
     * a call.
     */
    private static final class Team {
        final int blocks;
        final Indexed work;
        final AtomicInteger next = new AtomicInteger();
        final List<ExactSum> sums = new ArrayList<>();
        int active;
        boolean closed;
        volatile Throwable failure;

        Team(int blocks, Indexed work) {
            this.blocks = blocks;
            this.work = work;
        }

        void work(ExactSum sum) {
            try {
                for (int b; failure == null && (b = next.getAndIncrement()) < blocks; ) {
                    work.run(b, sum);
                }
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }

        void help() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                active++;
            }
            ExactSum sum = new ExactSum();
            try {
                work(sum);
            } finally {
                synchronized (this) {
                    sums.add(sum);
                    active--;
                    notifyAll();
                }
            }
        }

        synchronized void close() {
            closed = true;
            boolean interrupted = false;
            while (active > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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
        public Kernels kernels(Kernels reference) {
            return ScalarKernels.INSTANCE;
        }
    }
}
