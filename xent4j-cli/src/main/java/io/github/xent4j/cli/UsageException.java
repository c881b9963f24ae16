package io.github.xent4j.cli;

/**
 * Bad usage found after parsing (conflicting options, an option value out of range): exit code 2
 * with a one-line message, as picocli's own parse errors.
 */
public final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
