package io.github.xent4j.cli.io;

import java.util.Arrays;

/**
 * A growable list of numbers that stays exact for integers: values are kept as longs until the
 * first floating-point value arrives, then everything is converted to doubles. This is how the
 * text codecs decide between {@code INT64} and {@code FLOAT64}.
 */
final class NumberBuffer {

    private static final int MAX = Integer.MAX_VALUE - 8;

    private final String source;
    private long[] longs = new long[16];
    private double[] doubles;
    private int size;

    /** @param source the file or option named if the data grows too large */
    NumberBuffer(String source) {
        this.source = source;
    }

    int size() {
        return size;
    }

    boolean isFloating() {
        return doubles != null;
    }

    void addLong(long v) {
        if (doubles != null) {
            addDouble(v);
            return;
        }
        if (size == longs.length) {
            longs = Arrays.copyOf(longs, grow(size));
        }
        longs[size++] = v;
    }

    void addDouble(double v) {
        if (doubles == null) {
            doubles = new double[Math.max(16, longs.length)];
            for (int i = 0; i < size; i++) {
                doubles[i] = longs[i];
            }
            longs = null;
        }
        if (size == doubles.length) {
            doubles = Arrays.copyOf(doubles, grow(size));
        }
        doubles[size++] = v;
    }

    /** Reads back element {@code i} of an all-integer buffer. */
    long getLong(int i) {
        return longs[i];
    }

    /** Reads back element {@code i} as a double. */
    double getDouble(int i) {
        return doubles != null ? doubles[i] : longs[i];
    }

    /** The numbers as an array of the given shape: {@code INT64} if all were integers, else {@code FLOAT64}. */
    NdArray toArray(int[] shape, String source) {
        if (doubles != null) {
            return NdArray.of(DType.FLOAT64, shape, Arrays.copyOf(doubles, size), source);
        }
        return NdArray.of(DType.INT64, shape, Arrays.copyOf(longs, size), source);
    }

    private int grow(int size) {
        if (size >= MAX) {
            throw DataException.at(source, "more than " + MAX + " values, too many to load into memory; use .npy");
        }
        return (int) Math.min(MAX, size + (size >> 1) + 16L);
    }
}
