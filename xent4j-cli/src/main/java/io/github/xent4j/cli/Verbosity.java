package io.github.xent4j.cli;

/** A command that can be asked for stack traces with {@code --verbose}. */
public interface Verbosity {
    boolean verbose();
}
