package io.github.xent4j.cli.train;

/**
 * Input data that cannot be trained on. The message is one line that starts with where the
 * problem is ({@code "FILE:LINE: ..."} or {@code "FILE: ..."}) and says what is wrong, ready to be
 * shown to the user as it is.
 */
final class BadDataException extends Exception {
    private static final long serialVersionUID = 1L;

    BadDataException(String message) {
        super(message, null, false, false);
    }

    static BadDataException at(String source, long line, String format, Object... args) {
        return new BadDataException(source + ":" + line + ": " + String.format(java.util.Locale.ROOT, format, args));
    }

    static BadDataException in(String source, String format, Object... args) {
        return new BadDataException(source + ": " + String.format(java.util.Locale.ROOT, format, args));
    }
}
