package io.github.xent4j.cli;

/**
 * The exit codes of {@code xent}: 0 success, 1 bad data (a file or value that cannot be read,
 * parsed, validated or written, standard output included), 2 bad usage (an unknown or malformed
 * option, a missing one, a value out of range). Either failure prints exactly one line on stderr.
 */
public final class ExitCode {

    /** The command did what it was asked. */
    public static final int OK = 0;
    /** Bad data: {@link io.github.xent4j.cli.io.DataException}, or an I/O failure. */
    public static final int BAD_DATA = 1;
    /** Bad usage: picocli's parse errors and {@link UsageException}. */
    public static final int BAD_USAGE = 2;

    private ExitCode() {
    }
}
