package io.github.xent4j.spark.internal;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.ElementwiseLoss;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.LossSum;
import io.github.xent4j.NllLoss;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.Arrays;

/**
 * The aggregation buffer of the Column functions: the core's {@link LossSum} of the rows seen so far
 * plus a block of pending rows, handed to the core's {@code partial} once the block is full (or the
 * row length changes, or the buffer is merged, finished or serialized). Batching keeps the per-row
 * cost to a copy; the exact pair makes the result independent of how Spark splits and merges.
 * Groups with few rows keep small blocks: the block grows as rows come. Not API.
 */
public final class LossBuffer implements java.io.Serializable {

    private static final long serialVersionUID = 1L;
    private static final int MAX_ELEMENTS = 1 << 16;

    private transient LossSpec spec;
    private transient String function;
    LossSum total = LossSum.ZERO;
    long nullRows;

    private transient float[] fx;
    private transient double[] dx;
    private transient int[] classTarget;
    private transient double[] valueTarget;
    private transient int width = -1;
    private transient int n;

    LossBuffer bind(LossSpec spec, String function) {
        this.spec = spec;
        this.function = function;
        return this;
    }

    void nullRow() {
        nullRows++;
    }

    /** A row of C values with a class index (cross-entropy, NLL), float32, boxed as Spark's encoder hands it. */
    void add(Float[] x, int target) {
        prepare(x.length, true);
        int off = n * width;
        for (int i = 0; i < x.length; i++) {
            Float v = x[i];
            if (v == null) {
                throw nullElement(i);
            }
            fx[off + i] = v;
        }
        classTarget[n] = target;
        advance();
    }

    /** A row of C values with a class index, float64, boxed. */
    void add(Double[] x, int target) {
        prepare(x.length, false);
        int off = n * width;
        for (int i = 0; i < x.length; i++) {
            Double v = x[i];
            if (v == null) {
                throw nullElement(i);
            }
            dx[off + i] = v;
        }
        classTarget[n] = target;
        advance();
    }

    /** A row of C values with a target of the same length (KL), boxed. */
    void add(Double[] x, Double[] t) {
        double[] a = new double[x.length];
        double[] b = new double[t.length];
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null) {
                throw nullElement(i);
            }
            a[i] = x[i];
        }
        for (int i = 0; i < t.length; i++) {
            if (t[i] == null) {
                throw new IllegalArgumentException("xent4j " + function + ": element " + i
                        + " of a row's target is null; elements must not be null");
            }
            b[i] = t[i];
        }
        add(a, b);
    }

    private IllegalArgumentException nullElement(int i) {
        return new IllegalArgumentException("xent4j " + function + ": element " + i + " of a row's input is null; "
                + "elements must not be null (a row with a hole has no loss; XentEvaluator names the row)");
    }

    /** A row of C values with a class index (cross-entropy, NLL), float32. */
    void add(float[] x, int target) {
        prepare(x.length, true);
        System.arraycopy(x, 0, fx, n * width, width);
        classTarget[n] = target;
        advance();
    }

    /** A row of C values with a class index, float64. */
    void add(double[] x, int target) {
        prepare(x.length, false);
        System.arraycopy(x, 0, dx, n * width, width);
        classTarget[n] = target;
        advance();
    }

    /** A row of C values with a target of the same length (KL), float64. */
    void add(double[] x, double[] t) {
        if (t.length != x.length) {
            // the core's word on the shapes, with its message
            partial(x, new int[] {1, x.length}, t);
            throw new IllegalStateException("the core accepted a target of " + t.length + " for " + x.length + " values");
        }
        prepare(x.length, false);
        System.arraycopy(x, 0, dx, n * width, width);
        System.arraycopy(t, 0, valueTarget, n * width, width);
        advance();
    }

    /** One value with its target (BCE), float64. */
    void add(double x, double t) {
        prepare(1, false);
        dx[n] = x;
        valueTarget[n] = t;
        advance();
    }

    private void prepare(int w, boolean floats) {
        if (n > 0 && w != width) {
            flush();
        }
        width = w;
        int rows = n + 1;
        long need = (long) rows * Math.max(1, w);
        int have = floats ? (fx == null ? 0 : fx.length) : (dx == null ? 0 : dx.length);
        if (need > have) {
            int cap = (int) Math.min(Math.max(MAX_ELEMENTS, need), Math.max(need, Math.max(16L, (long) have * 2)));
            int capRows = Math.max(rows, cap / Math.max(1, w));
            if (floats) {
                fx = fx == null ? new float[capRows * w] : Arrays.copyOf(fx, capRows * w);
            } else {
                dx = dx == null ? new double[capRows * w] : Arrays.copyOf(dx, capRows * w);
            }
            if (spec.classTargets()) {
                classTarget = classTarget == null ? new int[capRows] : Arrays.copyOf(classTarget, capRows);
            } else {
                valueTarget = valueTarget == null ? new double[capRows * w] : Arrays.copyOf(valueTarget, capRows * w);
            }
        }
    }

    private void advance() {
        if ((long) ++n * Math.max(1, width) >= MAX_ELEMENTS) {
            flush();
        }
    }

    /** Hands the pending rows to the core. */
    void flush() {
        if (n == 0) {
            return;
        }
        int w = width;
        boolean scalar = spec.family() == LossSpec.Family.BCE || spec.family() == LossSpec.Family.BCE_WITH_LOGITS;
        int[] shape = scalar ? new int[] {n} : new int[] {n, w};
        int len = n * w;
        LossSum part;
        if (spec.classTargets()) {
            int[] t = classTarget.length == n ? classTarget : Arrays.copyOf(classTarget, n);
            // one aggregator reads one precision, so one of the two blocks is in use
            part = fx != null ? classPartial(fit(fx, len), shape, t) : classPartial(fit(dx, len), shape, t);
        } else {
            part = partial(fit(dx, len), shape, fit(valueTarget, len));
        }
        total = total.plus(part);
        n = 0;
    }

    private LossSum classPartial(float[] x, int[] shape, int[] t) {
        try {
            return spec.family() == LossSpec.Family.NLL
                    ? ((NllLoss) spec.loss()).partial(x, shape, t, 1.0, null, null, null)
                    : ((CrossEntropyLoss) spec.loss()).partial(x, shape, t, 1.0, null, null, null);
        } catch (InvalidInputException e) {
            throw context(e);
        }
    }

    private LossSum classPartial(double[] x, int[] shape, int[] t) {
        try {
            return spec.family() == LossSpec.Family.NLL
                    ? ((NllLoss) spec.loss()).partial(x, shape, t, 1.0, null, null, null)
                    : ((CrossEntropyLoss) spec.loss()).partial(x, shape, t, 1.0, null, null, null);
        } catch (InvalidInputException e) {
            throw context(e);
        }
    }

    private LossSum partial(double[] x, int[] shape, double[] t) {
        try {
            return ((ElementwiseLoss) spec.loss()).partial(x, shape, t, 1.0, null, null, null);
        } catch (InvalidInputException e) {
            throw context(e);
        }
    }

    private IllegalArgumentException context(InvalidInputException e) {
        String what = "label".equals(e.argument()) || "target".equals(e.argument()) ? "a row's target " : "";
        return new IllegalArgumentException("xent4j " + function + ": " + what + e.getMessage()
                + " (the Column functions see values, not row positions: XentEvaluator names the row)", e);
    }

    private static float[] fit(float[] a, int len) {
        return a.length == len ? a : Arrays.copyOf(a, len);
    }

    private static double[] fit(double[] a, int len) {
        return a.length == len ? a : Arrays.copyOf(a, len);
    }

    /** Adds another buffer (both flushed first). */
    LossBuffer merge(LossBuffer o) {
        flush();
        if (o.spec == null) {
            o.bind(spec, function);
        }
        o.flush();
        total = total.plus(o.total);
        nullRows += o.nullRows;
        return this;
    }

    LossSum finish() {
        flush();
        return total;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        if (spec != null) {
            flush();
        }
        out.defaultWriteObject();
    }
}
