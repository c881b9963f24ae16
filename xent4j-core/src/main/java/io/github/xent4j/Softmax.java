package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.internal.Vec;

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
 * (softmax 1, log_softmax 0). A slice holding NaN or +inf, or all -inf, gives NaN. {@code out} may
 * be {@code x} itself.
 */
public final class Softmax {

    private Softmax() {
    }

    /** softmax of x along dim, into a new array. */
    public static float[] softmax(float[] x, int[] shape, int dim) {
        float[] out = new float[x.length];
        apply(x, shape, dim, false, out);
        return out;
    }

    /** log_softmax of x along dim, into a new array. */
    public static float[] logSoftmax(float[] x, int[] shape, int dim) {
        float[] out = new float[x.length];
        apply(x, shape, dim, true, out);
        return out;
    }

    /** softmax of x along dim, into a new array. */
    public static double[] softmax(double[] x, int[] shape, int dim) {
        double[] out = new double[x.length];
        apply(x, shape, dim, false, out);
        return out;
    }

    /** log_softmax of x along dim, into a new array. */
    public static double[] logSoftmax(double[] x, int[] shape, int dim) {
        double[] out = new double[x.length];
        apply(x, shape, dim, true, out);
        return out;
    }

    /** softmax ({@code log} false) or log_softmax ({@code log} true) of x into out. */
    public static void apply(float[] x, int[] shape, int dim, boolean log, float[] out) {
        ClassShape cs = Check.alongDim("x", shape, x.length, dim);
        Check.length("out", out.length, x.length, "the input's shape");
        Dispatch.run(cs.outer(), (long) cs.classes() * cs.inner(), 1, (a, b) -> {
            Dispatch.kernels().softmax(x, a, b, cs.classes(), cs.inner(), log, out);
            return 0;
        });
    }

    /** softmax ({@code log} false) or log_softmax ({@code log} true) of x into out. */
    public static void apply(double[] x, int[] shape, int dim, boolean log, double[] out) {
        ClassShape cs = Check.alongDim("x", shape, x.length, dim);
        Check.length("out", out.length, x.length, "the input's shape");
        Dispatch.run(cs.outer(), (long) cs.classes() * cs.inner(), 1, (a, b) -> {
            Dispatch.kernels().softmax(x, a, b, cs.classes(), cs.inner(), log, out);
            return 0;
        });
    }

    /** The gradient with respect to x, given the forward output y and the upstream gradient g. */
    public static float[] backward(float[] y, float[] g, int[] shape, int dim, boolean log) {
        Check.length("upstream", g.length, y.length, "the output's shape");
        float[] dx = new float[y.length];
        backward(Vec.of(y), Vec.of(g), Vec.of(dx), Check.alongDim("y", shape, y.length, dim), log);
        return dx;
    }

    /** The gradient with respect to x, given the forward output y and the upstream gradient g. */
    public static double[] backward(double[] y, double[] g, int[] shape, int dim, boolean log) {
        Check.length("upstream", g.length, y.length, "the output's shape");
        double[] dx = new double[y.length];
        backward(Vec.of(y), Vec.of(g), Vec.of(dx), Check.alongDim("y", shape, y.length, dim), log);
        return dx;
    }

    private static void backward(Vec y, Vec g, Vec dx, ClassShape cs, boolean log) {
        int classes = cs.classes();
        int inner = cs.inner();
        for (int n = 0; n < cs.outer(); n++) {
            for (int i = 0; i < inner; i++) {
                int base = n * classes * inner + i;
                double dot = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    dot += log ? g.get(k) : g.get(k) * y.get(k);
                }
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    dx.set(k, log ? g.get(k) - Math.exp(y.get(k)) * dot : y.get(k) * (g.get(k) - dot));
                }
            }
        }
    }
}
