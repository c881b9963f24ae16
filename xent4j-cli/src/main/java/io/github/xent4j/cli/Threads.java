package io.github.xent4j.cli;

import picocli.CommandLine.Option;

/**
 * {@code --threads}, the one definition for every command that computes (the loss commands,
 * linear-cross-entropy, train): default the number of processors (at most {@link #MAX}); the
 * results are bitwise the same for any count. (bench's {@code --threads 1,2} is another option: the
 * list of counts to measure.)
 */
public final class Threads {

    /** The most threads a command accepts. */
    public static final int MAX = 256;

    @Option(names = "--threads", order = 10, paramLabel = "N",
            description = "Threads, in [1, " + MAX + "] (default: the number of processors, ${DEFAULT-VALUE}); "
                    + "the results are bitwise the same for any count.")
    int threads = Math.min(MAX, Runtime.getRuntime().availableProcessors());

    /**
     * The thread count.
     *
     * @throws UsageException when it is outside [1, {@link #MAX}]
     */
    public int get() {
        if (threads < 1 || threads > MAX) {
            throw new UsageException("--threads=" + threads + " must be in [1, " + MAX + "]");
        }
        return threads;
    }
}
