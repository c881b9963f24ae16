package io.github.xent4j.cli.io;

import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * The entry point for the commands: read or write an array in the format its file name implies,
 * or parse an inline value given on the command line.
 */
public final class Tensors {

    private Tensors() {
    }

    /**
     * Reads {@code file} as {@code .npy}, {@code .csv}/{@code .txt} or {@code .json}, chosen by its
     * extension.
     *
     * @throws DataException for an unknown extension or any problem reported by the codec
     */
    public static NdArray read(Path file) {
        return FileFormat.of(file).read(file);
    }

    /**
     * Writes {@code array} to {@code file} in the format its extension names, through a temporary
     * file renamed into place.
     *
     * @throws DataException for an unknown extension, a CSV of more than 2 dimensions, or an I/O error
     */
    public static void write(Path file, NdArray array) {
        FileFormat.of(file).write(file, array);
    }

    /**
     * Parses an inline JSON value, e.g. {@code "[[0.1, 0.3, 0.6]]"}.
     *
     * @param text   the option value
     * @param option the option's name for messages, e.g. {@code "--logits"}
     * @throws DataException naming {@code option} for invalid JSON or ragged nesting
     */
    public static NdArray parseInline(String text, String option) {
        return Json.parse(text, option);
    }

    /** {@link #parseInline(String, String)} with the source called "inline value". */
    public static NdArray parseInline(String text) {
        return parseInline(text, "inline value");
    }

    /**
     * Parses one number by the rule of the text formats: a decimal integer or floating-point
     * number, or {@code nan}, {@code inf}, {@code infinity} with an optional sign, in any case (what
     * Python's {@code float()} accepts, less underscores). Surrounding blanks must be removed first.
     *
     * @return the value, or empty if {@code text} is not a number
     */
    public static OptionalDouble parseNumber(String text) {
        NumberBuffer one = new NumberBuffer("value");
        return Text.parseInto(text, one) ? OptionalDouble.of(one.getDouble(0)) : OptionalDouble.empty();
    }
}
