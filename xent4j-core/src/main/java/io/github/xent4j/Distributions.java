package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.spi.ScalarKernels;

/**
 * The information-theoretic quantities of the tutorial, on probability distributions along the
 * last dimension of a (C) or (N, C) array (one value per row), with 0 * log 0 = 0:
 * <pre>{@code
 * entropy         H(p)      = -sum_c p_c log p_c
 * cross-entropy   H(p, q)   = -sum_c p_c log q_c          dH/dq_c  = -p_c / q_c
 * KL divergence   KL(p||q)  =  sum_c p_c (log p_c - log q_c)   dKL/dq_c = -p_c / q_c
 * }</pre>
 * p is the true distribution ({@code targetProbs}), q the predicted one ({@code probs}); H(p, q) =
 * H(p) + KL(p || q). Nothing is validated beyond shapes: feed probabilities. Example: p = [0, 1, 0],
 * q = [0.2, 0.5, 0.3] gives H(p, q) = -log 0.5 = 0.6931472.
 */
public final class Distributions {

    private Distributions() {
    }

    /** H(p) per row. */
    public static double[] entropy(double[] p, int[] shape) {
        return rows(p, null, rowShape(shape, p.length), 0);
    }

    /** H(p, q) per row: the cross-entropy of the prediction q against the truth p. */
    public static double[] crossEntropy(double[] probs, int[] shape, double[] targetProbs) {
        Check.length("targetProbs", targetProbs.length, probs.length, "the shape of probs");
        return rows(targetProbs, probs, rowShape(shape, probs.length), 1);
    }

    /** KL(p || q) per row. */
    public static double[] klDivergence(double[] probs, int[] shape, double[] targetProbs) {
        Check.length("targetProbs", targetProbs.length, probs.length, "the shape of probs");
        return rows(targetProbs, probs, rowShape(shape, probs.length), 2);
    }

    /** H(p) per row, float32 input. */
    public static double[] entropy(float[] p, int[] shape) {
        return rows(Check.toDouble(p), null, rowShape(shape, p.length), 0);
    }

    /** H(p, q) per row, float32 input. */
    public static double[] crossEntropy(float[] probs, int[] shape, float[] targetProbs) {
        Check.length("targetProbs", targetProbs.length, probs.length, "the shape of probs");
        return rows(Check.toDouble(targetProbs), Check.toDouble(probs), rowShape(shape, probs.length), 1);
    }

    /** KL(p || q) per row, float32 input. */
    public static double[] klDivergence(float[] probs, int[] shape, float[] targetProbs) {
        Check.length("targetProbs", targetProbs.length, probs.length, "the shape of probs");
        return rows(Check.toDouble(targetProbs), Check.toDouble(probs), rowShape(shape, probs.length), 2);
    }

    /**
     * The gradient of sum_rows(upstream * H(p, q)) (or of KL, which has the same gradient) with
     * respect to q: -upstream * p / q.
     */
    public static double[] crossEntropyGradient(double[] probs, int[] shape, double[] targetProbs, double[] upstream) {
        ClassShape cs = rowShape(shape, probs.length);
        Check.length("targetProbs", targetProbs.length, probs.length, "the shape of probs");
        Check.length("upstream", upstream.length, cs.outer(), "one value per row");
        double[] grad = new double[probs.length];
        for (int i = 0; i < probs.length; i++) {
            grad[i] = -upstream[i / cs.classes()] * targetProbs[i] / probs[i];
        }
        return grad;
    }

    /** The gradient of sum_rows(upstream * H(p)) with respect to p: -upstream * (log p + 1), NaN at p = 0 as torch's xlogy. */
    public static double[] entropyGradient(double[] p, int[] shape, double[] upstream) {
        ClassShape cs = rowShape(shape, p.length);
        Check.length("upstream", upstream.length, cs.outer(), "one value per row");
        double[] grad = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            grad[i] = -upstream[i / cs.classes()] * (ScalarKernels.xlogy(p[i] != 0 ? 1 : 0, p[i]) + p[i] / p[i]);
        }
        return grad;
    }

    private static ClassShape rowShape(int[] shape, int length) {
        Check.numel("p", shape, length);
        if (shape.length == 0 || shape.length > 2) {
            throw Check.of("p", "must have shape (C) or (N, C), got %s", Check.shape(shape));
        }
        return Check.alongDim("p", shape, length, -1);
    }

    /** kind 0: H(p); 1: H(p, q); 2: KL(p || q). */
    private static double[] rows(double[] p, double[] q, ClassShape cs, int kind) {
        double[] out = new double[cs.outer()];
        int classes = cs.classes();
        for (int r = 0; r < cs.outer(); r++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                int i = r * classes + c;
                double pi = p[i];
                double plogp = ScalarKernels.xlogy(pi, pi);
                switch (kind) {
                    case 0 -> sum -= plogp;
                    case 1 -> sum -= ScalarKernels.xlogy(pi, q[i]);
                    default -> sum += plogp - ScalarKernels.xlogy(pi, q[i]);
                }
            }
            out[r] = sum;
        }
        return out;
    }
}
