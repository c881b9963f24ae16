package io.github.xent4j.cli.io;

import java.util.StringJoiner;

/** Shape arithmetic and formatting shared by the codecs (and, for messages, by the rest of the command line). */
public final class Shapes {

    private Shapes() {
    }

    /** NumPy's repr of a shape tuple: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    public static String format(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringJoiner joiner = new StringJoiner(", ", "(", ")");
        for (long d : shape) {
            joiner.add(Long.toString(d));
        }
        return joiner.toString();
    }

    static String format(int[] shape) {
        return format(widen(shape));
    }

    static long[] widen(int[] shape) {
        long[] wide = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            wide[i] = shape[i];
        }
        return wide;
    }

    /** The number of elements, or -1 when it overflows a long. Dimensions must be non-negative. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        for (long d : shape) {
            if (n > Long.MAX_VALUE / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /** Checks that the shape has no negative dimension and returns its number of elements. */
    static int checkedNumel(int[] shape) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(
                        "shape[" + i + "]=" + shape[i] + " must be >= 0 in shape " + format(shape));
            }
            n *= shape[i];
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "shape " + format(shape) + " has more than " + Integer.MAX_VALUE + " elements");
            }
        }
        return (int) n;
    }

    static String index(int[] shape, long flat) {
        return index(widen(shape), flat);
    }

    /** The multi-index of a flat row-major position, written {@code [1, 2]}; empty for 0-d. */
    public static String index(long[] shape, long flat) {
        if (shape.length == 0) {
            return "";
        }
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            long d = Math.max(shape[axis], 1);
            idx[axis] = rest % d;
            rest /= d;
        }
        StringJoiner joiner = new StringJoiner(", ", "[", "]");
        for (long i : idx) {
            joiner.add(Long.toString(i));
        }
        return joiner.toString();
    }
}
