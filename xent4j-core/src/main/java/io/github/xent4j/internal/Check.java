package io.github.xent4j.internal;

import io.github.xent4j.InvalidInputException;
import io.github.xent4j.spi.Broadcast;

import java.util.Locale;

/**
 * Argument validation shared by the public API. Every message names the argument, the offending
 * value and the valid range, and every check runs before any output is written.
 */
public final class Check {

    private Check() {
    }

    /** A problem at one element: {@code argument[index]=value requirement}. */
    public static InvalidInputException at(String argument, long index, Object value, String requirement, Object... args) {
        return new InvalidInputException(argument, index, text(value), String.format(Locale.ROOT, requirement, args));
    }

    /** A problem with an argument's value as a whole: {@code argument=value requirement}. */
    public static InvalidInputException value(String argument, Object value, String requirement, Object... args) {
        return new InvalidInputException(argument, -1, text(value), String.format(Locale.ROOT, requirement, args));
    }

    /** A problem with an argument that has no single value (a shape, a length): {@code argument requirement}. */
    public static InvalidInputException of(String argument, String requirement, Object... args) {
        return InvalidInputException.of(argument, String.format(Locale.ROOT, requirement, args));
    }

    private static String text(Object v) {
        return v == null ? "null" : v instanceof double[] d ? java.util.Arrays.toString(d) : String.valueOf(v);
    }

    /** "(2, 3)" — NumPy's spelling, "()" for a 0-d shape. */
    public static String shape(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /** Validates the shape against the data length (-1: no data) and returns the element count. */
    public static int numel(String name, int[] shape, int length) {
        if (shape == null) {
            throw of("shape of " + name, "must not be null");
        }
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw of("shape of " + name, "%s has dimension %d = %d; dimensions must be >= 0", shape(shape), i, shape[i]);
            }
            n *= shape[i];
            if (n > Integer.MAX_VALUE) {
                throw of(name, "of shape %s has more than %d elements (a Java array's limit)", shape(shape), Integer.MAX_VALUE);
            }
        }
        if (length >= 0 && n != length) {
            throw of(name, "has %d elements but its shape %s needs %d", length, shape(shape), n);
        }
        return (int) n;
    }

    /** The (N, C, D) view of a shape alone (no data to compare its size with). */
    public static ClassShape classShape(String name, int[] shape) {
        return classShape(name, shape, -1);
    }

    /** The (N, C, D) view of a (C), (N, C) or (N, C, d1..dk) input whose class dimension is 1 (0 if 1-D). */
    public static ClassShape classShape(String name, int[] shape, int length) {
        numel(name, shape, length);
        if (shape.length == 0) {
            throw of(name, "must have 1 or more dimensions, (C), (N, C) or (N, C, d1, ..., dk); got a 0-d shape ()");
        }
        if (shape.length == 1) {
            return new ClassShape(1, shape[0], 1, true);
        }
        int inner = 1;
        for (int i = 2; i < shape.length; i++) {
            inner *= shape[i];
        }
        return new ClassShape(shape[0], shape[1], inner, false);
    }

    /** The (outer, classes, inner) view of a softmax along {@code dim} (negative dims count from the end). */
    public static ClassShape alongDim(String name, int[] shape, int length, int dim) {
        numel(name, shape, length);
        if (shape.length == 0) {
            if (dim != 0 && dim != -1) {
                throw value("dim", dim, "is out of range for a 0-d %s; valid: [-1, 0]", name);
            }
            return new ClassShape(1, 1, 1, true);
        }
        int r = shape.length;
        if (dim < -r || dim >= r) {
            throw value("dim", dim, "is out of range for %s of shape %s; valid: [%d, %d]", name, shape(shape), -r, r - 1);
        }
        int d = dim < 0 ? dim + r : dim;
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < d; i++) {
            outer *= shape[i];
        }
        for (int i = d + 1; i < r; i++) {
            inner *= shape[i];
        }
        return new ClassShape(outer, shape[d], inner, r == 1);
    }

    public static void length(String name, int actual, int expected, String why) {
        if (actual != expected) {
            throw of(name, "has %d elements but must have %d (%s)", actual, expected, why);
        }
    }

    /** Optional output or upstream array: null, or exactly {@code expected} long. */
    public static void optionalLength(String name, int actual, int expected, String why) {
        if (actual >= 0) {
            length(name, actual, expected, why);
        }
    }

    public static int len(float[] a) {
        return a == null ? -1 : a.length;
    }

    public static int len(double[] a) {
        return a == null ? -1 : a.length;
    }

    public static int len(int[] a) {
        return a == null ? -1 : a.length;
    }

    public static void notNull(String name, Object a) {
        if (a == null) {
            throw of(name, "must not be null");
        }
    }

    /** A thread count: >= 1. */
    public static int threads(int threads) {
        if (threads < 1) {
            throw value("threads", threads, "must be >= 1");
        }
        return threads;
    }

    /** PyTorch's label_smoothing rule: at most 1; values below 0 (and NaN) act as 0. The one place it is checked. */
    public static double labelSmoothing(double epsilon) {
        if (epsilon > 1) {
            throw value("labelSmoothing", epsilon, "must be between 0.0 and 1.0");
        }
        return epsilon;
    }

    /**
     * Resolves a NumPy-style broadcast of {@code values} (shape {@code wShape}) to an input of shape
     * {@code shape} that must not enlarge the input, as PyTorch's in-place weighting requires.
     */
    public static Broadcast broadcast(String name, double[] values, int[] wShape, int[] shape) {
        if (values == null) {
            return null;
        }
        numel(name, wShape, values.length);
        int r = shape.length;
        if (wShape.length > r) {
            for (int i = 0; i < wShape.length - r; i++) {
                if (wShape[i] != 1) {
                    throw of(name, "of shape %s cannot be broadcast to input shape %s without enlarging it",
                            shape(wShape), shape(shape));
                }
            }
        }
        int first = -1;
        int last = -1;
        boolean contiguous = true;
        for (int d = 0; d < r; d++) {
            int k = d - (r - wShape.length);
            int w = k >= 0 ? wShape[k] : 1;
            if (w != 1 && w != shape[d]) {
                throw of(name, "of shape %s is not broadcastable to input shape %s: dimension %d is %d, must be 1 or %d",
                        shape(wShape), shape(shape), d, w, shape[d]);
            }
            if (w != 1) {
                if (first < 0) {
                    first = d;
                } else if (last != d - 1) {
                    contiguous = false;
                }
                last = d;
            }
        }
        if (first < 0) {
            return new Broadcast(values.length == 0 ? new double[] {0} : values, 1, 1);
        }
        if (contiguous) {
            int div = 1;
            for (int d = last + 1; d < r; d++) {
                div *= shape[d];
            }
            int mod = 1;
            for (int d = first; d <= last; d++) {
                mod *= shape[d];
            }
            return new Broadcast(values, div, mod);
        }
        return materialise(values, wShape, shape);
    }

    private static Broadcast materialise(double[] values, int[] wShape, int[] shape) {
        int r = shape.length;
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        int[] wStride = new int[r];
        int stride = 1;
        for (int d = r - 1; d >= 0; d--) {
            int k = d - (r - wShape.length);
            int w = k >= 0 ? wShape[k] : 1;
            wStride[d] = w == 1 ? 0 : stride;
            stride *= w;
        }
        double[] full = new double[n];
        int[] idx = new int[r];
        for (int i = 0; i < n; i++) {
            int off = 0;
            for (int d = 0; d < r; d++) {
                off += idx[d] * wStride[d];
            }
            full[i] = values[off];
            for (int d = r - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return new Broadcast(full, 1, Math.max(1, n));
    }

    public static double[] toDouble(float[] a) {
        if (a == null) {
            return null;
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
