package io.github.xent4j.spi;

/**
 * The hot loops of xent4j. Kernels trust their caller: no checks, no allocation, no calls out.
 *
 * <p>Layouts. Class losses see their input as (N, C, D) flattened row-major, D = the product of the
 * spatial dims (1 for (N, C)): a position s = n * D + i, and class c of position s sits at
 * {@code n*C*D + c*D + i}; a call covers the samples n in [n0, n1). Element-wise losses see flat
 * elements [i0, i1) of an input whose dim-0 slices have {@code slice} elements each.
 *
 * <p>Outputs: {@code lossOut[s]} (per-position or per-element loss, may be null); {@code gradOut}
 * (same layout as the input, may be null, may be the input array itself for in-place use). The
 * gradient of position s is scaled by {@code gradScale * (upstream == null ? 1 : upstream[s])}.
 *
 * <p>Sums. The loss sum goes into {@code sum}, exactly. To keep a loss bitwise the same for any
 * split of the batch (threads, chunks), every value a kernel adds to {@code sum} must depend on the
 * data of one dim-0 slice only, at offsets fixed relative to that slice: a class loss adds one value
 * per position, or one partial sum per sample n (or per fixed group of a sample's positions); an
 * element-wise loss adds one partial sum per segment, the segments of a slice being its consecutive
 * runs of {@link #SEGMENT} elements (the last one shorter). The dispatcher cuts element-wise work
 * only at segment boundaries.
 */
public interface Kernels {

    /** Elements per segment of an element-wise loss (see the class note). */
    int SEGMENT = 4096;

    /**
     * The end of the segment that starts at flat element {@code start} (a segment boundary), cut at
     * {@code end}: segments are the runs of {@link #SEGMENT} elements of each dim-0 slice of
     * {@code slice} elements, the last run of a slice shorter.
     */
    static int segmentEnd(int start, int end, int slice) {
        int inSlice = start % slice;
        return (int) Math.min(end, (long) start + Math.min(SEGMENT - inSlice % SEGMENT, slice - inSlice));
    }

    // ---------------------------------------------------------------- cross-entropy

    /** Cross-entropy with class-index targets (weights, ignore_index, label smoothing). */
    void crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                      float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum);

    /** Cross-entropy with class-index targets, float64. */
    void crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                      double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum);

    /** Cross-entropy with probability targets t (the layout of x; weights and smoothing from p). */
    void crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                           float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum);

    /** Cross-entropy with probability targets, float64. */
    void crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                           double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum);

    // ---------------------------------------------------------------- nll

    /**
     * NLL on log-probabilities x with class-index targets: loss -w[y] x[s, y], gradient -w[y] g at
     * the target class and 0 elsewhere (the whole gradient row is written). {@code p.smoothing} is 0.
     */
    void nllLoss(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                 float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum);

    /** NLL, float64. */
    void nllLoss(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                 double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum);

    // ---------------------------------------------------------------- element-wise losses

    /**
     * BCE on probabilities x (validated to be in [0, 1]) against y (in [0, 1]), logs clamped at -100,
     * the gradient's denominator at (float) 1e-12; {@code weight} is a broadcast operand or null.
     */
    void bce(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight,
             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum);

    /** BCE on probabilities, float64. */
    void bce(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight,
             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum);

    /** BCE with logits; {@code weight} and {@code posWeight} are broadcast operands or null. */
    void bceWithLogits(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                       float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum);

    /** BCE with logits, float64. */
    void bceWithLogits(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                       double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum);

    /**
     * Pointwise KL divergence with log-probabilities x: {@code xlogy(t, t) - t x} (gradient -t), or
     * with {@code logTarget} {@code exp(t) (t - x)} (gradient -exp(t)).
     */
    void klDiv(float[] x, float[] t, int i0, int i1, int slice, boolean logTarget,
               float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum);

    /** KL divergence, float64. */
    void klDiv(double[] x, double[] t, int i0, int i1, int slice, boolean logTarget,
               double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum);

    /** The first index in [from, to) whose value is not in [0, 1] (NaN included), or -1. */
    int firstOutsideUnit(float[] a, int from, int to);

    /** The first index in [from, to) whose value is not in [0, 1] (NaN included), or -1. */
    int firstOutsideUnit(double[] a, int from, int to);

    // ---------------------------------------------------------------- softmax

    /** softmax ({@code log} false) or log_softmax ({@code log} true) along the class axis of (N, C, D). */
    void softmax(float[] x, int n0, int n1, int classes, int inner, boolean log, float[] out);

    /** softmax or log_softmax, float64. */
    void softmax(double[] x, int n0, int n1, int classes, int inner, boolean log, double[] out);

    /**
     * The vector-Jacobian product of softmax / log_softmax along the class axis, from the forward
     * output y and the upstream gradient g: {@code y (g - sum g y)}, or {@code g - exp(y) sum g}
     * with {@code log}. {@code dx} may be {@code g} itself.
     */
    void softmaxBackward(float[] y, float[] g, int n0, int n1, int classes, int inner, boolean log, float[] dx);

    /** softmax / log_softmax backward, float64. */
    void softmaxBackward(double[] y, double[] g, int n0, int n1, int classes, int inner, boolean log, double[] dx);

    // ---------------------------------------------------------------- the rest of the family
    // (default methods: the reference kernels of ScalarFamilyKernels, for providers that do not speed these up)

    /**
     * torchvision's sigmoid focal loss, element-wise: {@code a_t ce (1 - p_t)^gamma} with ce the BCE
     * with logits, {@code 1 - p_t = t sigmoid(-x) + (1 - t) sigmoid(x)}, {@code a_t = alpha t + (1 -
     * alpha)(1 - t)} when alpha >= 0, else 1.
     */
    default void sigmoidFocal(float[] x, float[] t, int i0, int i1, int slice, double alpha, double gamma,
                              float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        ScalarFamilyKernels.sigmoidFocal(x, t, i0, i1, slice, alpha, gamma, lossOut, gradOut, upstream, gradScale, sum);
    }

    /** Sigmoid focal loss, float64. */
    default void sigmoidFocal(double[] x, double[] t, int i0, int i1, int slice, double alpha, double gamma,
                              double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        ScalarFamilyKernels.sigmoidFocal(x, t, i0, i1, slice, alpha, gamma, lossOut, gradOut, upstream, gradScale, sum);
    }

    /**
     * Softmax focal loss with class-index targets: {@code sum_c a_c (1 - p_c)^gamma (-log p_c)}, a_c =
     * w_c t'_c with t' the (Keras-)smoothed one-hot target ({@code p.smoothing}); gamma > 0 (gamma 0
     * is cross-entropy, which the caller routes to {@link #crossEntropy}).
     */
    default void focal(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double gamma,
                       float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        ScalarFamilyKernels.focal(x, target, n0, n1, inner, p, gamma, lossOut, gradOut, upstream, gradScale, sum);
    }

    /** Softmax focal loss, float64. */
    default void focal(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double gamma,
                       double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        ScalarFamilyKernels.focal(x, target, n0, n1, inner, p, gamma, lossOut, gradOut, upstream, gradScale, sum);
    }

    /** Poly-1 with class-index targets: cross-entropy + {@code epsilon sum_c w_c t'_c (1 - p_c)}. */
    default void polyCrossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double epsilon,
                                  float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        ScalarFamilyKernels.polyCrossEntropy(x, target, n0, n1, inner, p, epsilon, lossOut, gradOut, upstream, gradScale, sum);
    }

    /** Poly-1 with class-index targets, float64. */
    default void polyCrossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double epsilon,
                                  double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        ScalarFamilyKernels.polyCrossEntropy(x, target, n0, n1, inner, p, epsilon, lossOut, gradOut, upstream, gradScale, sum);
    }

    /** Poly-1 with probability targets t (the layout of x). */
    default void polyCrossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p, double epsilon,
                                       float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        ScalarFamilyKernels.polyCrossEntropyProbs(x, t, n0, n1, inner, p, epsilon, lossOut, gradOut, upstream, gradScale, sum);
    }

    /** Poly-1 with probability targets, float64. */
    default void polyCrossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p, double epsilon,
                                       double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        ScalarFamilyKernels.polyCrossEntropyProbs(x, t, n0, n1, inner, p, epsilon, lossOut, gradOut, upstream, gradScale, sum);
    }

    /**
     * Cross-entropy (class-index targets) plus z-loss {@code zLoss lse^2} per non-ignored position:
     * the cross-entropy into {@code sum} (gradient scale {@code gradScale}), the z-loss into
     * {@code zSum} (gradient scale {@code zGradScale}); {@code lossOut} gets both.
     */
    default void crossEntropyZ(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double zLoss,
                               float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double zGradScale,
                               ExactSum sum, ExactSum zSum) {
        ScalarFamilyKernels.crossEntropyZ(x, target, n0, n1, inner, p, zLoss, lossOut, gradOut, upstream, gradScale,
                zGradScale, sum, zSum);
    }

    /** Cross-entropy plus z-loss, float64. */
    default void crossEntropyZ(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double zLoss,
                               double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double zGradScale,
                               ExactSum sum, ExactSum zSum) {
        ScalarFamilyKernels.crossEntropyZ(x, target, n0, n1, inner, p, zLoss, lossOut, gradOut, upstream, gradScale,
                zGradScale, sum, zSum);
    }

    /** Cross-entropy with probability targets plus z-loss at every position. */
    default void crossEntropyProbsZ(float[] x, float[] t, int n0, int n1, int inner, CeParams p, double zLoss,
                                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double zGradScale,
                                    ExactSum sum, ExactSum zSum) {
        ScalarFamilyKernels.crossEntropyProbsZ(x, t, n0, n1, inner, p, zLoss, lossOut, gradOut, upstream, gradScale,
                zGradScale, sum, zSum);
    }

    /** Cross-entropy with probability targets plus z-loss, float64. */
    default void crossEntropyProbsZ(double[] x, double[] t, int n0, int n1, int inner, CeParams p, double zLoss,
                                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double zGradScale,
                                    ExactSum sum, ExactSum zSum) {
        ScalarFamilyKernels.crossEntropyProbsZ(x, t, n0, n1, inner, p, zLoss, lossOut, gradOut, upstream, gradScale,
                zGradScale, sum, zSum);
    }

    /**
     * Knowledge distillation per position: {@code alpha T^2 KL(q || p)} with p = softmax(x / T) and q
     * the teacher's distribution into {@code sum} (gradient scale {@code gradScale}), plus, where
     * {@code target} is not null and alpha &lt; 1, {@code (1 - alpha)} times the cross-entropy of
     * softmax(x) at the target into {@code ceSum} (gradient scale {@code ceGradScale}; ignored
     * targets add nothing). {@code teacher} has the layout of x.
     */
    default void distillation(float[] x, float[] teacher, int[] target, int n0, int n1, int inner, DistillParams p,
                              float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double ceGradScale,
                              ExactSum sum, ExactSum ceSum) {
        ScalarFamilyKernels.distillation(x, teacher, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale,
                ceGradScale, sum, ceSum);
    }

    /** Knowledge distillation, float64. */
    default void distillation(double[] x, double[] teacher, int[] target, int n0, int n1, int inner, DistillParams p,
                              double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double ceGradScale,
                              ExactSum sum, ExactSum ceSum) {
        ScalarFamilyKernels.distillation(x, teacher, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale,
                ceGradScale, sum, ceSum);
    }
}
