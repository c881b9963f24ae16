package io.github.xent4j.cli.io;

import java.util.Objects;

/**
 * A dense row-major array read from or written to a file: a {@link DType}, a shape and the data.
 *
 * <p>The data is held as exactly one of {@code float[]} ({@link DType#FLOAT32}), {@code double[]}
 * ({@link DType#FLOAT64}) or {@code long[]} (every integer type, widened). The layout is that of a
 * C-contiguous NumPy array: the element at index {@code (i, j)} of a {@code (rows, cols)} array is
 * at {@code i * cols + j}. A 0-d array (shape {@code ()}) holds one element.
 *
 * <p>Instances are immutable as far as this class goes: the factories take ownership of the array
 * they are given (do not modify it afterwards) and every accessor returns a copy. They are therefore
 * thread-safe. {@link #source()} names where the data came from, for error messages.
 */
public final class NdArray {

    private static final String NO_SOURCE = "array";

    private final DType dtype;
    private final int[] shape;
    private final int numel;
    private final float[] floats;
    private final double[] doubles;
    private final long[] longs;
    private final String source;

    private NdArray(DType dtype, int[] shape, float[] floats, double[] doubles, long[] longs, String source) {
        this.dtype = dtype;
        this.shape = shape;
        this.numel = Shapes.checkedNumel(shape);
        this.floats = floats;
        this.doubles = doubles;
        this.longs = longs;
        this.source = source;
        int length = floats != null ? floats.length : doubles != null ? doubles.length : longs.length;
        if (length != numel) {
            throw new IllegalArgumentException("data.length=" + length + " does not match shape "
                    + Shapes.format(shape) + " with " + numel + " elements");
        }
    }

    /**
     * A {@link DType#FLOAT32} array that takes ownership of {@code data}.
     *
     * @param data  the row-major elements; not copied
     * @param shape the dimensions; none negative, product equal to {@code data.length}
     * @return the array
     * @throws IllegalArgumentException if the shape does not match the data
     */
    public static NdArray ofFloats(float[] data, int... shape) {
        return new NdArray(DType.FLOAT32, shape.clone(), Objects.requireNonNull(data, "data"), null, null, NO_SOURCE);
    }

    /**
     * A {@link DType#FLOAT64} array that takes ownership of {@code data}.
     *
     * @param data  the row-major elements; not copied
     * @param shape the dimensions; none negative, product equal to {@code data.length}
     * @return the array
     * @throws IllegalArgumentException if the shape does not match the data
     */
    public static NdArray ofDoubles(double[] data, int... shape) {
        return new NdArray(DType.FLOAT64, shape.clone(), null, Objects.requireNonNull(data, "data"), null, NO_SOURCE);
    }

    /**
     * An {@link DType#INT64} array that takes ownership of {@code data}.
     *
     * @param data  the row-major elements; not copied
     * @param shape the dimensions; none negative, product equal to {@code data.length}
     * @return the array
     * @throws IllegalArgumentException if the shape does not match the data
     */
    public static NdArray ofLongs(long[] data, int... shape) {
        return new NdArray(DType.INT64, shape.clone(), null, null, Objects.requireNonNull(data, "data"), NO_SOURCE);
    }

    /** Package-private factory for codecs: {@code data} is a float[], double[] or long[] matching {@code dtype}. */
    static NdArray of(DType dtype, int[] shape, Object data, String source) {
        switch (dtype) {
            case FLOAT32:
                return new NdArray(dtype, shape, (float[]) data, null, null, source);
            case FLOAT64:
                return new NdArray(dtype, shape, null, (double[]) data, null, source);
            default:
                return new NdArray(dtype, shape, null, null, (long[]) data, source);
        }
    }

    /** The same data and shape, with another {@link #source()}. */
    NdArray withSource(String newSource) {
        return new NdArray(dtype, shape, floats, doubles, longs, Objects.requireNonNull(newSource));
    }

    /**
     * A view of the same data with another shape of the same number of elements.
     *
     * @param newShape the dimensions; product equal to {@link #numel()}
     * @return the reshaped array, sharing this array's data
     * @throws IllegalArgumentException if the number of elements differs
     */
    public NdArray reshape(int... newShape) {
        int[] copy = newShape.clone();
        if (Shapes.checkedNumel(copy) != numel) {
            throw new IllegalArgumentException("cannot reshape " + shapeString() + " with " + numel
                    + " elements to " + Shapes.format(copy));
        }
        return new NdArray(dtype, copy, floats, doubles, longs, source);
    }

    /** The element type: the file's type for integers, {@code FLOAT32} or {@code FLOAT64} otherwise. */
    public DType dtype() {
        return dtype;
    }

    /** A copy of the dimensions; empty for a 0-d array. */
    public int[] shape() {
        return shape.clone();
    }

    /** The number of dimensions; 0 for a scalar. */
    public int rank() {
        return shape.length;
    }

    /**
     * The size of one dimension.
     *
     * @param axis in {@code [0, rank())}
     * @return {@code shape()[axis]}
     */
    public int dim(int axis) {
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("axis=" + axis + " must be in [0, rank=" + shape.length + ")");
        }
        return shape[axis];
    }

    /** The number of elements: the product of the dimensions, 1 for a 0-d array. */
    public int numel() {
        return numel;
    }

    /** Whether the data is floating-point ({@code FLOAT32} or {@code FLOAT64}). */
    public boolean isFloating() {
        return dtype.isFloating();
    }

    /** Where the data came from (a file name or an inline option), used in error messages. */
    public String source() {
        return source;
    }

    /** The shape as NumPy prints it: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    public String shapeString() {
        return Shapes.format(shape);
    }

    /**
     * One element as a double.
     *
     * @param flatIndex the row-major position, in {@code [0, numel())}
     * @return the element; integers beyond 2^53 are rounded
     */
    public double getDouble(int flatIndex) {
        if (flatIndex < 0 || flatIndex >= numel) {
            throw new IllegalArgumentException("flatIndex=" + flatIndex + " must be in [0, numel=" + numel + ")");
        }
        if (floats != null) {
            return floats[flatIndex];
        }
        return doubles != null ? doubles[flatIndex] : (double) longs[flatIndex];
    }

    /** A new {@code float[]} with the elements, rounded to float where needed; the caller owns it. */
    public float[] toFloat() {
        if (floats != null) {
            return floats.clone();
        }
        float[] out = new float[numel];
        if (doubles != null) {
            for (int i = 0; i < numel; i++) {
                out[i] = (float) doubles[i];
            }
        } else {
            for (int i = 0; i < numel; i++) {
                out[i] = longs[i];
            }
        }
        return out;
    }

    /** A new {@code double[]} with the elements; the caller owns it. */
    public double[] toDouble() {
        if (doubles != null) {
            return doubles.clone();
        }
        double[] out = new double[numel];
        if (floats != null) {
            for (int i = 0; i < numel; i++) {
                out[i] = floats[i];
            }
        } else {
            for (int i = 0; i < numel; i++) {
                out[i] = longs[i];
            }
        }
        return out;
    }

    /**
     * The elements as {@code int} class indices, for targets.
     *
     * <p>Integer data must fit in an {@code int}; floating data must in addition hold whole
     * numbers (so {@code 2.0} is accepted and {@code 2.5} or {@code nan} is not). Whether an index
     * is in range for the number of classes is for the loss to check.
     *
     * @param what the name used in messages, e.g. {@code "target"}
     * @return a new array the caller owns
     * @throws DataException naming {@link #source()}, the element and its value, e.g.
     *                       {@code "t.npy: target[3]=2.5 is not a whole number"}
     */
    public int[] toIntTargets(String what) {
        int[] out = new int[numel];
        for (int i = 0; i < numel; i++) {
            if (longs != null) {
                long v = longs[i];
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw DataException.at(source, what + Shapes.index(shape, i) + "=" + v
                            + " does not fit in a 32-bit int");
                }
                out[i] = (int) v;
            } else {
                double v = floats != null ? floats[i] : doubles[i];
                if (v != Math.rint(v)) {
                    throw DataException.at(source, what + Shapes.index(shape, i) + "=" + Text.number(v)
                            + " is not a whole number");
                }
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw DataException.at(source, what + Shapes.index(shape, i) + "=" + Text.number(v)
                            + " does not fit in a 32-bit int");
                }
                out[i] = (int) v;
            }
        }
        return out;
    }

    /** A short description such as {@code "float32 (2, 3) from x.npy"}; not the data. */
    @Override
    public String toString() {
        return dtype + " " + shapeString() + " from " + source;
    }

    /** Package-private access to the backing arrays for the writers; exactly one is non-null. */
    float[] floatsOrNull() {
        return floats;
    }

    double[] doublesOrNull() {
        return doubles;
    }

    long[] longsOrNull() {
        return longs;
    }
}
