package io.github.xent4j.cli.data;

import io.github.xent4j.cli.io.DType;

/**
 * An array read by rows of its leading dimension, wherever it lives: a memory-mapped {@code .npy}
 * file of any size, or a small array parsed from CSV, JSON or an inline value.
 *
 * <p>A row is one index of dimension 0: {@code (N, C, d1..dk)} has N rows of {@code C*d1*...*dk}
 * elements, a 1-d array N rows of one element, a 0-d array one row of one element. Reads convert
 * to the destination's type.
 */
public interface Source extends AutoCloseable {

    /** What the user called it (the file name as given, or the option of an inline value). */
    String name();

    /** The element type; text sources report INT64 or FLOAT64. */
    DType dtype();

    /** Whether the data came from text (CSV, JSON, inline), which has no float32/float64 of its own. */
    boolean textual();

    /** A copy of the dimensions; empty for 0-d. */
    long[] shape();

    /** The number of elements. */
    long numel();

    /** The size of dimension 0; 1 for a 0-d array. */
    long rows();

    /** Elements per row. */
    int rowSize();

    /** Rows [r0, r1) as float, into dst from off. */
    void read(long r0, long r1, float[] dst, int off);

    /** Rows [r0, r1) as double, into dst from off. */
    void read(long r0, long r1, double[] dst, int off);

    /** Rows [r0, r1) of an integer array, into dst from off. */
    void read(long r0, long r1, long[] dst, int off);

    default int rank() {
        return shape().length;
    }

    /** Whether the element type is floating-point. */
    default boolean isFloating() {
        return dtype().isFloating();
    }

    /** The dtype as a user should read it in a message: "int64", or "integers (text)". */
    default String dtypeName() {
        if (textual()) {
            return dtype().isFloating() ? "floating-point numbers (text)" : "integers (text)";
        }
        return dtype().numpyName();
    }

    @Override
    void close();
}
