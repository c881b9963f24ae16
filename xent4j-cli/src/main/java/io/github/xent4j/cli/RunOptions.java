package io.github.xent4j.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the commands that compute on files: threads, stack traces, and the chunk size. */
public final class RunOptions {

    /** Elements of input per chunk when streaming (about 4 MiB of float32). */
    public static final int DEFAULT_CHUNK_ELEMENTS = 1 << 20;

    @Mixin
    Threads threads = new Threads();

    @Option(names = "--verbose", order = 11, description = "Show the stack trace of an error.")
    boolean verbose;

    @Option(names = "--chunk-elements", hidden = true,
            description = "Input elements per streamed chunk (for tests).")
    int chunkElements = DEFAULT_CHUNK_ELEMENTS;

    /** The validated {@code --threads}. */
    public int threads() {
        return threads.get();
    }

    public boolean verbose() {
        return verbose;
    }

    public int chunkElements() {
        return chunkElements;
    }
}
