package io.github.xent4j.cli.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Bad input or output data: a file that cannot be read, parsed or written.
 *
 * <p>The message is a complete one-line sentence meant for the user of the command line. It names
 * the file (or inline value), the position when there is one, and the problem, in the style of a
 * compiler diagnostic: {@code "logits.csv:3:2: 'abc' is not a number"}. It never contains a stack
 * trace, a line break or a control character, and it is bounded in length (see {@link Messages});
 * the {@code xent} command prints only the message and exits with code 1.
 */
public class DataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a ready-made one-line message.
     *
     * @param message the complete user-facing sentence
     */
    public DataException(String message) {
        super(oneLine(message));
    }

    /**
     * Creates an exception with a ready-made one-line message and the low-level cause.
     *
     * @param message the complete user-facing sentence
     * @param cause   the underlying exception, kept for debugging only
     */
    public DataException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** {@code "FILE: problem"}. */
    static DataException at(Object source, String problem) {
        return new DataException(source + ": " + problem);
    }

    /** {@code "FILE:LINE: problem"}. */
    static DataException at(Object source, long line, String problem) {
        return new DataException(source + ":" + line + ": " + problem);
    }

    /** {@code "FILE:LINE:COLUMN: problem"}. */
    static DataException at(Object source, long line, long column, String problem) {
        return new DataException(source + ":" + line + ":" + column + ": " + problem);
    }

    /** Wraps an I/O failure on {@code file} (a path, or what a stream is called); {@code verb} is "read" or "write". */
    static DataException io(Object file, String verb, IOException e) {
        return new DataException(file + ": cannot " + verb + ": " + reason(e), e);
    }

    /** A short lower-case reason for an I/O failure, without the Java exception class name. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "a parent is not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "the file already exists";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static String oneLine(String message) {
        return message == null ? "unknown data error" : Messages.oneLine(message);
    }
}
