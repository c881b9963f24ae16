package io.github.xent4j.cli.data;

import io.github.xent4j.cli.io.DataException;
import io.github.xent4j.cli.io.FileFormat;
import io.github.xent4j.cli.io.NdArray;
import io.github.xent4j.cli.io.NpyMapped;
import io.github.xent4j.cli.io.Tensors;

import java.nio.file.Path;

/** Opens the arrays named on the command line. */
public final class Sources {

    private Sources() {
    }

    /**
     * Opens a file: a {@code .npy} file is memory-mapped (so it may be larger than the heap), a
     * {@code .csv}/{@code .txt}/{@code .json} file is parsed into memory.
     *
     * @throws DataException naming the file for a missing, unreadable or malformed file
     */
    public static Source open(Path file) {
        String name = file.toString();
        if (FileFormat.of(file) == FileFormat.NPY) {
            return new MappedSource(name, NpyMapped.open(file));
        }
        return new ArraySource(name, Tensors.read(file), true);
    }

    /**
     * Opens a file, or parses {@code spec} as an inline JSON value when it looks like one
     * ({@code [[0.1, 0.3]]}, {@code [0]}, {@code 2}).
     *
     * @param option the option's name, used in messages about inline values
     */
    public static Source openOrParse(String spec, String option) {
        if (isInline(spec)) {
            return new ArraySource(option, Tensors.parseInline(spec, option), true);
        }
        return open(Path.of(spec));
    }

    /** An in-memory array under a name. */
    public static Source of(NdArray array, String name) {
        return new ArraySource(name, array, false);
    }

    /** Whether a value given for a file option is an inline JSON literal rather than a path. */
    public static boolean isInline(String spec) {
        String s = spec.strip();
        if (s.isEmpty()) {
            return false;
        }
        // a number by the rule of the text formats (so nan as well as NaN); JSON then decides whether it is valid
        return s.charAt(0) == '[' || Tensors.parseNumber(s).isPresent();
    }

    /** The whole array as doubles (for small arrays: weights, inline values). */
    public static double[] readAllDoubles(Source s) {
        if (s.numel() > Integer.MAX_VALUE - 8) {
            throw new DataException(s.name() + ": " + s.numel() + " elements are too many to hold in memory");
        }
        double[] out = new double[(int) s.numel()];
        s.read(0, s.rows(), out, 0);
        return out;
    }
}
