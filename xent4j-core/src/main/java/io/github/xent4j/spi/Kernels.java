package io.github.xent4j.spi;

/**
 * The hot loops of xent4j. Kernels trust their caller: no checks, no allocation.
 *
 * <p>Layout: logits of shape (N, C, D) flattened row-major (D = product of the spatial dims, 1 for
 * (N, C)); a "position" s = n * D + i; the class c of position s sits at {@code n*C*D + c*D + i}.
 * Each method processes the outer indices n in [n0, n1) and returns the sum of the per-position
 * losses it produced (the numerator of the reduction), accumulated in double.
 *
 * <p>Outputs: {@code lossOut[s]} (per-position loss, may be null); {@code gradOut} (same layout as
 * the logits, may be null, may be the logits array itself for in-place use). The gradient of
 * position s is scaled by {@code gradScale * (upstream == null ? 1 : upstream[s])}.
 */
public interface Kernels {

    /**
     * The reference scalar kernels (always present), for providers to delegate the cases they do
     * not vectorise: spatial dims (D > 1), rows with non-finite values, rare option combinations.
     */
    static Kernels scalar() {
        return io.github.xent4j.internal.ScalarKernels.INSTANCE;
    }

    /** Cross-entropy with class-index targets (weights, ignore_index, label smoothing). */
    double crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                        float[] lossOut, float[] gradOut, float[] upstream, double gradScale);

    /** Cross-entropy with class-index targets, float64. */
    double crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                        double[] lossOut, double[] gradOut, double[] upstream, double gradScale);

    /** Cross-entropy with probability targets t (same layout as x; weights and smoothing from p). */
    double crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                             float[] lossOut, float[] gradOut, float[] upstream, double gradScale);

    /** Cross-entropy with probability targets, float64. */
    double crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                             double[] lossOut, double[] gradOut, double[] upstream, double gradScale);

    /**
     * BCE with logits over the flat elements [i0, i1). {@code weight}/{@code posWeight} are
     * broadcast operands (null = absent). Here positions are elements: lossOut and upstream are
     * indexed by element.
     */
    double bceWithLogits(float[] x, float[] y, int i0, int i1, Broadcast weight, Broadcast posWeight,
                         float[] lossOut, float[] gradOut, float[] upstream, double gradScale);

    /** BCE with logits, float64. */
    double bceWithLogits(double[] x, double[] y, int i0, int i1, Broadcast weight, Broadcast posWeight,
                         double[] lossOut, double[] gradOut, double[] upstream, double gradScale);

    /** softmax (log = false) or log_softmax (log = true) along the class axis of (N, C, D). */
    void softmax(float[] x, int n0, int n1, int classes, int inner, boolean log, float[] out);

    /** softmax or log_softmax, float64. */
    void softmax(double[] x, int n0, int n1, int classes, int inner, boolean log, double[] out);
}
