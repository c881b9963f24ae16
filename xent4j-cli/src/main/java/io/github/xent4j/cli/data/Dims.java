package io.github.xent4j.cli.data;

import io.github.xent4j.cli.io.Shapes;

import java.util.Arrays;

/** Shapes as the command line prints and checks them. */
public final class Dims {

    private Dims() {
    }

    /** NumPy's spelling: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    public static String format(long[] shape) {
        return Shapes.format(shape);
    }

    /** The multi-index of a flat row-major position, {@code [1, 2]}; empty for a 0-d shape. */
    public static String index(long[] shape, long flat) {
        return Shapes.index(shape, flat);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The shape without dimension {@code axis}. */
    public static long[] without(long[] shape, int axis) {
        long[] out = new long[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != axis) {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    /** The shape as ints, with dimension 0 replaced by {@code rows} (when the shape has one). */
    public static int[] chunk(long[] shape, long rows) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = (int) (i == 0 ? rows : shape[i]);
        }
        return out;
    }

    public static int[] toInt(long[] shape) {
        return chunk(shape, shape.length == 0 ? 0 : shape[0]);
    }

    public static boolean equal(long[] a, long[] b) {
        return Arrays.equals(a, b);
    }

    /** A value from the data as a message shows it: whole numbers without a fraction. */
    public static String value(double v, boolean float32) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return float32 ? Float.toString((float) v) : Double.toString(v);
    }
}
