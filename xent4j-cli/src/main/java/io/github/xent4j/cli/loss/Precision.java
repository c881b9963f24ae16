package io.github.xent4j.cli.loss;

import io.github.xent4j.cli.Numbers;
import io.github.xent4j.cli.data.Sink;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.io.DType;
import io.github.xent4j.cli.io.DataException;

/**
 * The dtype of a computation, which is the input's: float32 or float64 (text input is float64).
 * Chunk buffers are {@code float[]} or {@code double[]} accordingly and passed around as Object so
 * that one engine serves both of the core's overloads.
 */
enum Precision {
    FLOAT32(DType.FLOAT32),
    FLOAT64(DType.FLOAT64);

    final DType dtype;

    Precision(DType dtype) {
        this.dtype = dtype;
    }

    /** The precision of an input: its own float dtype; float64 for text; an error for integer .npy data. */
    static Precision of(Source input, String option) {
        if (input.textual()) {
            return FLOAT64;
        }
        if (input.dtype() == DType.FLOAT32) {
            return FLOAT32;
        }
        if (input.dtype() == DType.FLOAT64) {
            return FLOAT64;
        }
        throw new DataException(input.name() + ": unsupported dtype " + input.dtype().numpyName() + " for " + option
                + ": expected float32 or float64");
    }

    Object allocate(int n) {
        return this == FLOAT32 ? new float[n] : new double[n];
    }

    /** Rows [r0, r1) of {@code s}, converted to this precision. */
    Object read(Source s, long r0, long r1, int n) {
        Object dst = allocate(n);
        if (this == FLOAT32) {
            s.read(r0, r1, (float[]) dst, 0);
        } else {
            s.read(r0, r1, (double[]) dst, 0);
        }
        return dst;
    }

    void write(Sink sink, Object src, int n) {
        if (src instanceof float[] f) {
            sink.write(f, 0, n);
        } else {
            sink.write((double[]) src, 0, n);
        }
    }

    /** A one-element upstream gradient. */
    Object scalar(double v) {
        return this == FLOAT32 ? new float[] {(float) v} : new double[] {v};
    }

    /** A scalar as printed on stdout: 9 significant digits for float32, 17 for float64. */
    String format(double v) {
        return Numbers.roundTrip(v, this == FLOAT32);
    }

    /** Element {@code i} of a buffer, printed as {@link #format}. */
    String format(Object buffer, int i) {
        return buffer instanceof float[] f ? Numbers.float32(f[i]) : Numbers.float64(((double[]) buffer)[i]);
    }

    static int length(Object buffer) {
        return buffer instanceof float[] f ? f.length : ((double[]) buffer).length;
    }
}
