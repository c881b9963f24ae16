package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.Kernels;

import java.util.concurrent.Executor;

/**
 * softmax and log_softmax along one dimension, and their vector-Jacobian products, as
 * {@code torch.softmax} / {@code torch.log_softmax}.
 * <pre>{@code
 * m = max_j x_j,  S = sum_j exp(x_j - m)
 * softmax_j     = exp(x_j - m) / S
 * log_softmax_j = (x_j - m) - log(S)              (in this order: logits of 1e8 stay exact)
 * backward, y = the forward output, g = the upstream gradient:
 * softmax:      dx_j = y_j * (g_j - sum_k g_k * y_k)
 * log_softmax:  dx_j = g_j - exp(y_j) * sum_k g_k
 * }</pre>
 * Shapes: any; {@code dim} may be negative (counted from the end); a 0-d input is one element
 * (softmax 1, log_softmax 0). A slice holding NaN or +inf, or all -inf, gives NaN. Outputs may be
 * the input array itself. {@link F} has the same functions with the defaults.
 *
 * <p>Instances are immutable and thread-safe; {@link #DEFAULTS} runs one thread.
 */
public final class Softmax {

    /** One thread, the library's pool. */
    public static final Softmax DEFAULTS = builder().build();

    private final int threads;
    private final Executor executor;

    private Softmax(Builder b) {
        this.threads = b.threads;
        this.executor = b.executor;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Threads one call may use. */
    public int threads() {
        return threads;
    }

    /** softmax of x along dim, into a new array. */
    public float[] softmax(float[] x, int[] shape, int dim) {
        float[] out = new float[len(x)];
        forward(x, shape, dim, false, out);
        return out;
    }

    /** softmax of x along dim into {@code out} (which may be {@code x}). */
    public void softmax(float[] x, int[] shape, int dim, float[] out) {
        forward(x, shape, dim, false, out);
    }

    /** log_softmax of x along dim, into a new array. */
    public float[] logSoftmax(float[] x, int[] shape, int dim) {
        float[] out = new float[len(x)];
        forward(x, shape, dim, true, out);
        return out;
    }

    /** log_softmax of x along dim into {@code out} (which may be {@code x}). */
    public void logSoftmax(float[] x, int[] shape, int dim, float[] out) {
        forward(x, shape, dim, true, out);
    }

    /** The gradient of softmax with respect to x, from its output y and the upstream gradient g. */
    public float[] softmaxBackward(float[] y, float[] g, int[] shape, int dim) {
        float[] dx = new float[len(y)];
        backward(y, g, shape, dim, false, dx);
        return dx;
    }

    /** The gradient of softmax into {@code dx} (which may be {@code g}). */
    public void softmaxBackward(float[] y, float[] g, int[] shape, int dim, float[] dx) {
        backward(y, g, shape, dim, false, dx);
    }

    /** The gradient of log_softmax with respect to x, from its output y and the upstream gradient g. */
    public float[] logSoftmaxBackward(float[] y, float[] g, int[] shape, int dim) {
        float[] dx = new float[len(y)];
        backward(y, g, shape, dim, true, dx);
        return dx;
    }

    /** The gradient of log_softmax into {@code dx} (which may be {@code g}). */
    public void logSoftmaxBackward(float[] y, float[] g, int[] shape, int dim, float[] dx) {
        backward(y, g, shape, dim, true, dx);
    }

    private void forward(float[] x, int[] shape, int dim, boolean log, float[] out) {
        ClassShape cs = Check.alongDim("x", shape, len(x), dim);
        Check.notNull("out", out);
        Check.length("out", out.length, x.length, "the input's shape");
        Kernels k = Dispatch.kernels();
        Dispatch.run(cs.outer(), (long) cs.classes() * cs.inner(), threads, executor,
                (a, b, unused) -> k.softmax(x, a, b, cs.classes(), cs.inner(), log, out));
    }

    private void backward(float[] y, float[] g, int[] shape, int dim, boolean log, float[] dx) {
        ClassShape cs = Check.alongDim("y", shape, len(y), dim);
        Check.notNull("upstream", g);
        Check.length("upstream", g.length, y.length, "the output's shape");
        Check.notNull("dx", dx);
        Check.length("dx", dx.length, y.length, "the output's shape");
        Kernels k = Dispatch.kernels();
        Dispatch.run(cs.outer(), (long) cs.classes() * cs.inner(), threads, executor,
                (a, b, unused) -> k.softmaxBackward(y, g, a, b, cs.classes(), cs.inner(), log, dx));
    }

    private static int len(float[] a) {
        if (a == null) {
            throw Check.of("x", "must not be null");
        }
        return a.length;
    }

    /** softmax of x along dim, into a new array. */
    public double[] softmax(double[] x, int[] shape, int dim) {
        double[] out = new double[len(x)];
        forward(x, shape, dim, false, out);
        return out;
    }

    /** softmax of x along dim into {@code out} (which may be {@code x}). */
    public void softmax(double[] x, int[] shape, int dim, double[] out) {
        forward(x, shape, dim, false, out);
    }

    /** log_softmax of x along dim, into a new array. */
    public double[] logSoftmax(double[] x, int[] shape, int dim) {
        double[] out = new double[len(x)];
        forward(x, shape, dim, true, out);
        return out;
    }

    /** log_softmax of x along dim into {@code out} (which may be {@code x}). */
    public void logSoftmax(double[] x, int[] shape, int dim, double[] out) {
        forward(x, shape, dim, true, out);
    }

    /** The gradient of softmax with respect to x, from its output y and the upstream gradient g. */
    public double[] softmaxBackward(double[] y, double[] g, int[] shape, int dim) {
        double[] dx = new double[len(y)];
        backward(y, g, shape, dim, false, dx);
        return dx;
    }

    /** The gradient of softmax into {@code dx} (which may be {@code g}). */
    public void softmaxBackward(double[] y, double[] g, int[] shape, int dim, double[] dx) {
        backward(y, g, shape, dim, false, dx);
    }

    /** The gradient of log_softmax with respect to x, from its output y and the upstream gradient g. */
    public double[] logSoftmaxBackward(double[] y, double[] g, int[] shape, int dim) {
        double[] dx = new double[len(y)];
        backward(y, g, shape, dim, true, dx);
        return dx;
    }

    /** The gradient of log_softmax into {@code dx} (which may be {@code g}). */
    public void logSoftmaxBackward(double[] y, double[] g, int[] shape, int dim, double[] dx) {
        backward(y, g, shape, dim, true, dx);
    }

    private void forward(double[] x, int[] shape, int dim, boolean log, double[] out) {
        ClassShape cs = Check.alongDim("x", shape, len(x), dim);
        Check.notNull("out", out);
        Check.length("out", out.length, x.length, "the input's shape");
        Kernels k = Dispatch.kernels();
        Dispatch.run(cs.outer(), (long) cs.classes() * cs.inner(), threads, executor,
                (a, b, unused) -> k.softmax(x, a, b, cs.classes(), cs.inner(), log, out));
    }

    private void backward(double[] y, double[] g, int[] shape, int dim, boolean log, double[] dx) {
        ClassShape cs = Check.alongDim("y", shape, len(y), dim);
        Check.notNull("upstream", g);
        Check.length("upstream", g.length, y.length, "the output's shape");
        Check.notNull("dx", dx);
        Check.length("dx", dx.length, y.length, "the output's shape");
        Kernels k = Dispatch.kernels();
        Dispatch.run(cs.outer(), (long) cs.classes() * cs.inner(), threads, executor,
                (a, b, unused) -> k.softmaxBackward(y, g, a, b, cs.classes(), cs.inner(), log, dx));
    }

    private static int len(double[] a) {
        if (a == null) {
            throw Check.of("x", "must not be null");
        }
        return a.length;
    }

    /** Options of {@link Softmax}. */
    public static final class Builder {
        private int threads = 1;
        private Executor executor;

        private Builder() {
        }

        /** Threads for one call (default 1). Results are bitwise the same for any count. */
        public Builder threads(int threads) {
            this.threads = Check.threads(threads);
            return this;
        }

        /** Runs the helper threads on this executor (null: the library's pool); see {@link Loss.Builder#executor}. */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /** The immutable instance. */
        public Softmax build() {
            return new Softmax(this);
        }
    }
}
