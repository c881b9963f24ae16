package io.github.xent4j.cli;

import picocli.CommandLine.Option;

/** Options shared by the commands that compute: threads, stack traces, and the chunk size. */
public final class RunOptions {

    /** Elements of input per chunk when streaming (about 4 MiB of float32). */
    public static final int DEFAULT_CHUNK_ELEMENTS = 1 << 20;

    @Option(names = "--threads", order = 10, paramLabel = "N",
            description = "Threads for cross-entropy and bce-with-logits (default: the number of processors, "
                    + "${DEFAULT-VALUE}); the other losses run on one. The result is bitwise the same for any count.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--verbose", order = 11, description = "Show the stack trace of an error.")
    boolean verbose;

    @Option(names = "--chunk-elements", hidden = true,
            description = "Input elements per streamed chunk (for tests).")
    int chunkElements = DEFAULT_CHUNK_ELEMENTS;

    public int threads() {
        return threads;
    }

    public boolean verbose() {
        return verbose;
    }

    public int chunkElements() {
        return chunkElements;
    }
}
