package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;

import java.util.Arrays;

/**
 * Cross-entropy from logits, as PyTorch's {@code torch.nn.CrossEntropyLoss}: class-index targets
 * ({@code int[]}) or class-probability targets (a {@code float[]}/{@code double[]} of the input's
 * shape), with per-class {@code weight}, {@code ignore_index}, {@code label_smoothing} and
 * reductions NONE / SUM / MEAN.
 *
 * <p>Shapes (flat row-major arrays; the class dimension is 1, or 0 for a 1-D input):
 * logits (C), (N, C) or (N, C, d1, ..., dk); class-index target: one int per position, i.e.
 * N*d1*...*dk values (1 for unbatched (C)); probability target: same shape as the logits.
 *
 * <p>Value, with l = log_softmax(x) along the class dim, w = weight (1 if absent),
 * eps = label_smoothing, W = sum_c w[c], V = positions whose target is not ignore_index:
 * <pre>{@code
 * index target:   L_s = (1 - eps) * w[y_s] * (-l[s, y_s]) + (eps / C) * sum_c w[c] * (-l[s, c])   (s in V; else 0)
 *                 MEAN denominator D = sum_{s in V} w[y_s]   (no weight: |V|)  -- the same D for both terms
 * prob target:    t' = (1 - eps) * t + eps / C
 *                 L_s = -sum_c w[c] * t'[s, c] * l[s, c]
 *                 MEAN denominator D = number of positions (N*d1*...*dk), never the weights
 * }</pre>
 * Gradient with respect to the logits, p = softmax(x), g = upstream / D:
 * <pre>{@code
 * index target:   dL/dx[s, c] = g * ( p[s, c] * ((1 - eps) * w[y_s] + (eps / C) * W) - (1 - eps) * w[y_s] * [c == y_s] - (eps / C) * w[c] )
 * prob target:    dL/dx[s, c] = g * ( p[s, c] * sum_k w[k] * t'[s, k] - w[c] * t'[s, c] )
 * }</pre>
 * z-loss (PaLM; off by default, {@link Builder#zLoss(double)}): with coefficient s, every
 * non-ignored position (every position for probability targets) adds {@code s * lse(x_s)^2}, lse the
 * log-sum-exp of its logits, whose MEAN divides by the number of those positions |V| rather than by
 * D (as {@link LinearCrossEntropyLoss}); the per-position output is the sum of both terms:
 * <pre>{@code
 * L_s   = CE_s + s * lse_s^2                 NONE: these      SUM: sum_{s in V} L_s
 * MEAN  = sum_{s in V} CE_s / D  +  sum_{s in V} s * lse_s^2 / |V|
 * dL/dx[s, c] += gz * 2 * s * lse_s * p[s, c]       gz = upstream / |V| for MEAN, upstream otherwise
 * }</pre>
 * Example: the logits and targets below with {@code zLoss(0.01)}: MEAN = 1.1674846.
 * With z-loss the chunk API's pairs keep the z part as {@link LossSum#auxSum()}; a chunk's z
 * gradient scale is {@link #countedGradScale(LossSum, double)}.
 *
 * <p>Edge cases (PyTorch's): all targets ignored or an empty batch gives NaN under MEAN (see
 * {@link EmptyMeanPolicy}), 0 under SUM, zeros under NONE, and a zero gradient; an ignored position
 * whose logits contain NaN or +inf, or are all -inf, gets a NaN gradient row (pytorch#11551); a
 * -inf logit at the target class gives +inf; with label smoothing any -inf logit gives +inf; a
 * label_smoothing below 0 (or NaN) counts as 0; probability targets are not validated unless
 * {@link Builder#validateProbabilities(double)} is set.
 *
 * <p>Example: logits {@code [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]}, targets {@code [0, 2]}: MEAN =
 * 1.1465588, NONE = [1.3532865, 0.939831].
 *
 * <p>Splitting the work: {@link #denominator(int[], int[])} (targets only) and {@link #partial} per
 * chunk of the batch, merged with {@link LossSum#plus}, give this loss's value bitwise (see
 * {@link LossSum}); {@link #compute} is those steps in one call.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CrossEntropyLoss extends Loss {

    /** PyTorch's defaults: no weight, ignore_index -100, no smoothing, MEAN. */
    public static final CrossEntropyLoss DEFAULTS = builder().build();

    private final double[] weight;
    private final int ignoreIndex;
    private final double labelSmoothing;
    private final double probabilityTolerance;
    private final double zLoss;

    private CrossEntropyLoss(Builder b) {
        super(b);
        this.weight = b.weight == null ? null : b.weight.clone();
        this.ignoreIndex = b.ignoreIndex;
        this.labelSmoothing = b.labelSmoothing;
        this.probabilityTolerance = b.probabilityTolerance;
        this.zLoss = b.zLoss;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this loss's options, to derive a variant. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The target value that is skipped (default -100). */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** The label smoothing epsilon as given (values below 0 act as 0). */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    /** A copy of the class weights, or null. */
    public double[] weight() {
        return weight == null ? null : weight.clone();
    }

    /** The z-loss coefficient s (0: off, the default). */
    public double zLoss() {
        return zLoss;
    }

    // ---------------------------------------------------------------- class-index targets, float32

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(float[] logits, int[] shape, int[] target) {
        return compute(logits, shape, target, null, null, null);
    }

    /** The loss; {@code losses} is set for NONE. */
    public FloatResult forward(float[] logits, int[] shape, int[] target) {
        float[] losses = lossesFor(shape, logits.length);
        return new FloatResult(compute(logits, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient (upstream gradient 1 for every output). */
    public FloatResult forwardBackward(float[] logits, int[] shape, int[] target) {
        return forwardBackward(logits, shape, target, null);
    }

    /**
     * The loss and the gradient of {@code sum(upstream * output)}: {@code upstream} has one value per
     * position for NONE, one value for SUM/MEAN, or is null for ones.
     */
    public FloatResult forwardBackward(float[] logits, int[] shape, int[] target, float[] upstream) {
        float[] losses = lossesFor(shape, logits.length);
        float[] grad = new float[logits.length];
        return new FloatResult(compute(logits, shape, target, upstream, losses, grad), losses, grad);
    }

    /**
     * The allocation-free form: validates everything, then writes per-position losses into
     * {@code lossOut} (if not null; unreduced for every reduction) and the gradient into
     * {@code gradOut} (if not null; it may be {@code logits} itself, overwriting the logits with
     * their gradient), and returns the reduced value.
     */
    public double compute(float[] logits, int[] shape, int[] target, float[] upstream,
                          float[] lossOut, float[] gradOut) {
        ClassShape cs = classShape(logits == null ? -1 : logits.length, shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), upstream == null || upstream.length == 0 ? 1 : upstream[0]);
        float[] perPosition = reduction == Reduction.NONE ? upstream : null;
        return computeIndex(cs, target, Check.len(lossOut), Check.len(gradOut), g,
                (p, scale, zScale) -> kernel(logits, target, cs, p, lossOut, gradOut, perPosition, scale, zScale));
    }

    /**
     * One chunk of a split computation (rows of the batch dimension): validates, writes the chunk's
     * losses and gradient (scaled by {@code gradScale}, times {@code upstream[s]} when given, one per
     * position of the chunk) and returns the chunk's pair, with its own denominators.
     *
     * <p>With z-loss under MEAN and class weights the z part needs its own scale: use the form that
     * takes {@code zGradScale} (this one then throws InvalidInputException); otherwise (the z part then
     * has the same scale) this is that form with {@code zGradScale = gradScale}.
     */
    public LossSum partial(float[] logits, int[] shape, int[] target, double gradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        return partial(logits, shape, target, gradScale, sameZScale(gradScale), upstream, lossOut, gradOut);
    }

    /**
     * One chunk of a split computation with z-loss, whose z part has its own gradient scale
     * {@code zGradScale} ({@link #countedGradScale(LossSum, double)} of the merged denominators; see
     * {@link LossSum} for the two-part pair). Without z-loss {@code zGradScale} is not used.
     */
    public LossSum partial(float[] logits, int[] shape, int[] target, double gradScale, double zGradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        ClassShape cs = classShape(logits == null ? -1 : logits.length, shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        return partialIndex(cs, target, Check.len(lossOut), Check.len(gradOut), gradScale, zGradScale,
                (p, scale, zScale) -> kernel(logits, target, cs, p, lossOut, gradOut, upstream, scale, zScale));
    }

    // ---------------------------------------------------------------- class-index targets, float64

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(double[] logits, int[] shape, int[] target) {
        return compute(logits, shape, target, null, null, null);
    }

    /** The loss; {@code losses} is set for NONE. */
    public DoubleResult forward(double[] logits, int[] shape, int[] target) {
        double[] losses = lossesForDouble(shape, logits.length);
        return new DoubleResult(compute(logits, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient (upstream gradient 1 for every output). */
    public DoubleResult forwardBackward(double[] logits, int[] shape, int[] target) {
        return forwardBackward(logits, shape, target, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)}; see the float32 form. */
    public DoubleResult forwardBackward(double[] logits, int[] shape, int[] target, double[] upstream) {
        double[] losses = lossesForDouble(shape, logits.length);
        double[] grad = new double[logits.length];
        return new DoubleResult(compute(logits, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form; see the float32 form. */
    public double compute(double[] logits, int[] shape, int[] target, double[] upstream,
                          double[] lossOut, double[] gradOut) {
        ClassShape cs = classShape(logits == null ? -1 : logits.length, shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), upstream == null || upstream.length == 0 ? 1 : upstream[0]);
        double[] perPosition = reduction == Reduction.NONE ? upstream : null;
        return computeIndex(cs, target, Check.len(lossOut), Check.len(gradOut), g,
                (p, scale, zScale) -> kernel(logits, target, cs, p, lossOut, gradOut, perPosition, scale, zScale));
    }

    /** One chunk of a split computation; see the float32 form. */
    public LossSum partial(double[] logits, int[] shape, int[] target, double gradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        return partial(logits, shape, target, gradScale, sameZScale(gradScale), upstream, lossOut, gradOut);
    }

    /** One chunk of a split computation with z-loss; see the float32 class-index form. */
    public LossSum partial(double[] logits, int[] shape, int[] target, double gradScale, double zGradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        ClassShape cs = classShape(logits == null ? -1 : logits.length, shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        return partialIndex(cs, target, Check.len(lossOut), Check.len(gradOut), gradScale, zGradScale,
                (p, scale, zScale) -> kernel(logits, target, cs, p, lossOut, gradOut, upstream, scale, zScale));
    }

    // ---------------------------------------------------------------- probability targets, float32

    /** The reduced loss for probability targets of the logits' shape. */
    public double value(float[] logits, int[] shape, float[] targetProbs) {
        return compute(logits, shape, targetProbs, null, null, null);
    }

    /** The loss for probability targets; {@code losses} is set for NONE. */
    public FloatResult forward(float[] logits, int[] shape, float[] targetProbs) {
        float[] losses = lossesFor(shape, logits.length);
        return new FloatResult(compute(logits, shape, targetProbs, null, losses, null), losses, null);
    }

    /** The loss and its gradient for probability targets. */
    public FloatResult forwardBackward(float[] logits, int[] shape, float[] targetProbs) {
        return forwardBackward(logits, shape, targetProbs, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)} for probability targets. */
    public FloatResult forwardBackward(float[] logits, int[] shape, float[] targetProbs, float[] upstream) {
        float[] losses = lossesFor(shape, logits.length);
        float[] grad = new float[logits.length];
        return new FloatResult(compute(logits, shape, targetProbs, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form for probability targets; see the class-index form. */
    public double compute(float[] logits, int[] shape, float[] targetProbs, float[] upstream,
                          float[] lossOut, float[] gradOut) {
        ClassShape cs = classShape(logits == null ? -1 : logits.length, shape);
        ClassTargets.checkProbs(cs, Check.len(targetProbs), shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), upstream == null || upstream.length == 0 ? 1 : upstream[0]);
        float[] perPosition = reduction == Reduction.NONE ? upstream : null;
        if (!Double.isNaN(probabilityTolerance)) {
            validateProbabilities(cs, i -> targetProbs[i]);
        }
        return computeProbs(cs, Check.len(lossOut), Check.len(gradOut), g,
                (p, scale, zScale) -> kernelProbs(logits, targetProbs, cs, p, lossOut, gradOut, perPosition, scale, zScale));
    }

    /** One chunk of a split computation with probability targets; see the class-index form. */
    public LossSum partial(float[] logits, int[] shape, float[] targetProbs, double gradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        return partial(logits, shape, targetProbs, gradScale, gradScale, upstream, lossOut, gradOut);
    }

    /** One chunk of a split computation with z-loss; see the float32 class-index form. */
    public LossSum partial(float[] logits, int[] shape, float[] targetProbs, double gradScale, double zGradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        ClassShape cs = classShape(logits == null ? -1 : logits.length, shape);
        ClassTargets.checkProbs(cs, Check.len(targetProbs), shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        if (!Double.isNaN(probabilityTolerance)) {
            validateProbabilities(cs, i -> targetProbs[i]);
        }
        return partialProbs(cs, Check.len(lossOut), Check.len(gradOut), gradScale, zGradScale,
                (p, scale, zScale) -> kernelProbs(logits, targetProbs, cs, p, lossOut, gradOut, upstream, scale, zScale));
    }

    // ---------------------------------------------------------------- probability targets, float64

    /** The reduced loss for probability targets of the logits' shape. */
    public double value(double[] logits, int[] shape, double[] targetProbs) {
        return compute(logits, shape, targetProbs, null, null, null);
    }

    /** The loss for probability targets; {@code losses} is set for NONE. */
    public DoubleResult forward(double[] logits, int[] shape, double[] targetProbs) {
        double[] losses = lossesForDouble(shape, logits.length);
        return new DoubleResult(compute(logits, shape, targetProbs, null, losses, null), losses, null);
    }

    /** The loss and its gradient for probability targets. */
    public DoubleResult forwardBackward(double[] logits, int[] shape, double[] targetProbs) {
        return forwardBackward(logits, shape, targetProbs, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)} for probability targets. */
    public DoubleResult forwardBackward(double[] logits, int[] shape, double[] targetProbs, double[] upstream) {
        double[] losses = lossesForDouble(shape, logits.length);
        double[] grad = new double[logits.length];
        return new DoubleResult(compute(logits, shape, targetProbs, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form for probability targets; see the class-index form. */
    public double compute(double[] logits, int[] shape, double[] targetProbs, double[] upstream,
                          double[] lossOut, double[] gradOut) {
        ClassShape cs = classShape(logits == null ? -1 : logits.length, shape);
        ClassTargets.checkProbs(cs, Check.len(targetProbs), shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), upstream == null || upstream.length == 0 ? 1 : upstream[0]);
        double[] perPosition = reduction == Reduction.NONE ? upstream : null;
        if (!Double.isNaN(probabilityTolerance)) {
            validateProbabilities(cs, i -> targetProbs[i]);
        }
        return computeProbs(cs, Check.len(lossOut), Check.len(gradOut), g,
                (p, scale, zScale) -> kernelProbs(logits, targetProbs, cs, p, lossOut, gradOut, perPosition, scale, zScale));
    }

    /** One chunk of a split computation with probability targets; see the class-index form. */
    public LossSum partial(double[] logits, int[] shape, double[] targetProbs, double gradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        return partial(logits, shape, targetProbs, gradScale, gradScale, upstream, lossOut, gradOut);
    }

    /** One chunk of a split computation with z-loss; see the float32 class-index form. */
    public LossSum partial(double[] logits, int[] shape, double[] targetProbs, double gradScale, double zGradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        ClassShape cs = classShape(logits == null ? -1 : logits.length, shape);
        ClassTargets.checkProbs(cs, Check.len(targetProbs), shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        if (!Double.isNaN(probabilityTolerance)) {
            validateProbabilities(cs, i -> targetProbs[i]);
        }
        return partialProbs(cs, Check.len(lossOut), Check.len(gradOut), gradScale, zGradScale,
                (p, scale, zScale) -> kernelProbs(logits, targetProbs, cs, p, lossOut, gradOut, upstream, scale, zScale));
    }

    /**
     * The z gradient scale of a class-index chunk call that was given only the cross-entropy's scale
     * (for probability targets both MEAN denominators are the number of positions, so the scales agree).
     */
    private double sameZScale(double gradScale) {
        if (zLoss != 0 && weight != null && (reduction == Reduction.MEAN)) {
            throw Check.of("zGradScale", "is needed: with zLoss=%s, class weights and reduction=mean the z-loss part has "
                    + "its own gradient scale; call partial(..., gradScale, zGradScale, ...) with zGradScale = "
                    + "countedGradScale(denominators, upstream)", zLoss);
        }
        return gradScale;
    }

    // ---------------------------------------------------------------- denominators

    /**
     * The denominators of class-index targets for logits of {@code shape}, from the targets alone:
     * validates every target, counts positions and ignored ones, and sums {@code weight[target]}
     * over the others (their count without weights), exactly.
     *
     * @throws InvalidInputException for a target outside [0, C) that is not ignore_index
     */
    public LossSum denominator(int[] shape, int[] target) {
        ClassShape cs = Check.classShape("logits", shape);
        ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        ClassTargets.checkLength(cs, target, "logits");
        return ClassTargets.scan(target, cs.positions(), cs.classes(), ignoreIndex, weight);
    }

    /** The denominators of probability targets for logits of {@code shape}: the number of positions. */
    public LossSum denominator(int[] shape) {
        ClassShape cs = Check.classShape("logits", shape);
        return ClassTargets.count(cs.positions(), cs.positions());
    }

    // ---------------------------------------------------------------- target shapes

    /**
     * PyTorch's dispatch on the target's shape, for callers that hold shaped data (files, tensors):
     * a target of the input's shape holds class probabilities (and must be floating point);
     * otherwise it holds class indices (integers) of the input's shape without the class
     * dimension: (N) for (N, C), (N, d1..dk) for (N, C, d1..dk), a 0-d or 1-element target for an
     * unbatched (C) input.
     *
     * @param inputShape    the logits' shape
     * @param targetShape   the target's shape
     * @param integerTarget whether the target holds integers
     * @return true for probability targets, false for class indices
     * @throws InvalidInputException naming both shapes when they do not fit
     */
    public static boolean isProbabilityTarget(int[] inputShape, int[] targetShape, boolean integerTarget) {
        Check.notNull("input shape", inputShape);
        Check.notNull("target shape", targetShape);
        if (inputShape.length == 0) {
            throw Check.of("input", "must have 1 or more dimensions, got a 0-d shape ()");
        }
        if (Arrays.equals(inputShape, targetShape)) {
            if (integerTarget) {
                throw Check.of("target", "of shape %s has the input's shape, so it holds class probabilities and must be "
                        + "floating point, got integers", Check.shape(targetShape));
            }
            return true;
        }
        if (!integerTarget) {
            throw Check.of("target", "of shape %s holds class indices (its shape differs from the input's %s) and must be "
                    + "integers, got floating point", Check.shape(targetShape), Check.shape(inputShape));
        }
        ClassTargets.checkShape(inputShape, targetShape);
        return false;
    }


    // ---------------------------------------------------------------- shared

    /** Binds the parameters and the gradient scales (cross-entropy, z-loss) of a call to its kernel. */
    @FunctionalInterface
    private interface Bind {
        FamilyRun.Rows bind(CeParams p, double scale, double zScale);
    }

    private FamilyRun.Rows kernel(float[] x, int[] t, ClassShape cs, CeParams p, float[] lossOut, float[] gradOut,
                                  float[] upstream, double scale, double zScale) {
        Kernels k = Dispatch.kernels();
        double z = zLoss;
        if (z == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropy(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.crossEntropyZ(x, t, n0, n1, cs.inner(), p, z, lossOut, gradOut, upstream, scale,
                zScale, sum, aux);
    }

    private FamilyRun.Rows kernel(double[] x, int[] t, ClassShape cs, CeParams p, double[] lossOut, double[] gradOut,
                                  double[] upstream, double scale, double zScale) {
        Kernels k = Dispatch.kernels();
        double z = zLoss;
        if (z == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropy(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.crossEntropyZ(x, t, n0, n1, cs.inner(), p, z, lossOut, gradOut, upstream, scale,
                zScale, sum, aux);
    }

    private FamilyRun.Rows kernelProbs(float[] x, float[] t, ClassShape cs, CeParams p, float[] lossOut, float[] gradOut,
                                       float[] upstream, double scale, double zScale) {
        Kernels k = Dispatch.kernels();
        double z = zLoss;
        if (z == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropyProbs(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.crossEntropyProbsZ(x, t, n0, n1, cs.inner(), p, z, lossOut, gradOut, upstream, scale,
                zScale, sum, aux);
    }

    private FamilyRun.Rows kernelProbs(double[] x, double[] t, ClassShape cs, CeParams p, double[] lossOut,
                                       double[] gradOut, double[] upstream, double scale, double zScale) {
        Kernels k = Dispatch.kernels();
        double z = zLoss;
        if (z == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropyProbs(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.crossEntropyProbsZ(x, t, n0, n1, cs.inner(), p, z, lossOut, gradOut, upstream, scale,
                zScale, sum, aux);
    }

    private static ClassShape classShape(int length, int[] shape) {
        if (length < 0) {
            throw Check.of("logits", "must not be null");
        }
        return Check.classShape("logits", shape, length);
    }

    private float[] lossesFor(int[] shape, int length) {
        return reduction == Reduction.NONE ? new float[Check.classShape("logits", shape, length).positions()] : null;
    }

    private double[] lossesForDouble(int[] shape, int length) {
        return reduction == Reduction.NONE ? new double[Check.classShape("logits", shape, length).positions()] : null;
    }

    private void checkOutputs(ClassShape cs, int lossLen, int gradLen) {
        Check.optionalLength("lossOut", lossLen, cs.positions(), "one loss per position");
        Check.optionalLength("gradOut", gradLen, cs.positions() * cs.classes(), "the logits' shape");
    }

    private double computeIndex(ClassShape cs, int[] target, int lossLen, int gradLen, double upstream, Bind bind) {
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        checkOutputs(cs, lossLen, gradLen);
        ClassTargets.checkLength(cs, target, "logits");
        LossSum d = ClassTargets.scan(target, cs.positions(), cs.classes(), ignoreIndex, weight);
        checkEmpty(d);
        return reduce(run(cs, d, bind.bind(p, gradScale(d, upstream), countedGradScale(d, upstream))));
    }

    private LossSum partialIndex(ClassShape cs, int[] target, int lossLen, int gradLen, double gradScale, double zGradScale,
                                 Bind bind) {
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        checkOutputs(cs, lossLen, gradLen);
        ClassTargets.checkLength(cs, target, "logits");
        LossSum d = ClassTargets.scan(target, cs.positions(), cs.classes(), ignoreIndex, weight);
        return run(cs, d, bind.bind(p, gradScale, zGradScale));
    }

    private double computeProbs(ClassShape cs, int lossLen, int gradLen, double upstream, Bind bind) {
        LossSum d = probsDenominator(cs, lossLen, gradLen);
        checkEmpty(d);
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        return reduce(run(cs, d, bind.bind(p, gradScale(d, upstream), countedGradScale(d, upstream))));
    }

    private LossSum partialProbs(ClassShape cs, int lossLen, int gradLen, double gradScale, double zGradScale, Bind bind) {
        LossSum d = probsDenominator(cs, lossLen, gradLen);
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        return run(cs, d, bind.bind(p, gradScale, zGradScale));
    }

    private LossSum probsDenominator(ClassShape cs, int lossLen, int gradLen) {
        ClassTargets.checkProbsIgnore(ignoreIndex);
        ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        checkOutputs(cs, lossLen, gradLen);
        return ClassTargets.count(cs.positions(), cs.positions());
    }

    private LossSum run(ClassShape cs, LossSum d, FamilyRun.Rows rows) {
        return FamilyRun.run(this, cs, d, zLoss != 0, rows);
    }

    /** A probability target element, whichever the precision. */
    @FunctionalInterface
    private interface Probs {
        double at(int i);
    }

    private void validateProbabilities(ClassShape cs, Probs t) {
        int c = cs.classes();
        int inner = cs.inner();
        for (int n = 0; n < cs.outer(); n++) {
            for (int i = 0; i < inner; i++) {
                int base = n * c * inner + i;
                double sum = 0;
                for (int k = 0, idx = base; k < c; k++, idx += inner) {
                    double v = t.at(idx);
                    if (!(v >= 0 && v <= 1)) {
                        throw Check.at("targetProbs", idx, v, "must be in [0, 1] (validateProbabilities is on)");
                    }
                    sum += v;
                }
                if (Math.abs(sum - 1) > probabilityTolerance) {
                    throw Check.of("targetProbs", "position %d sums to %s; must be 1 within %s (validateProbabilities is on)",
                            n * inner + i, sum, probabilityTolerance);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "CrossEntropyLoss[weight=" + Arrays.toString(weight) + ", ignoreIndex=" + ignoreIndex
                + ", labelSmoothing=" + labelSmoothing + (zLoss != 0 ? ", zLoss=" + zLoss : "")
                + ", reduction=" + reduction.torchName() + "]";
    }

    /** Options of a {@link CrossEntropyLoss}; each defaults to PyTorch's behaviour. */
    public static final class Builder extends Loss.Builder<Builder, CrossEntropyLoss> {
        private double[] weight;
        private int ignoreIndex = -100;
        private double labelSmoothing;
        private double probabilityTolerance = Double.NaN;
        private double zLoss;

        private Builder() {
        }

        private Builder(CrossEntropyLoss from) {
            super(from);
            this.weight = from.weight;
            this.ignoreIndex = from.ignoreIndex;
            this.labelSmoothing = from.labelSmoothing;
            this.probabilityTolerance = from.probabilityTolerance;
            this.zLoss = from.zLoss;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        String torchName() {
            return "cross_entropy";
        }

        /** Per-class weights, one per class (copied); null for none. Negative weights are accepted, as PyTorch. */
        public Builder weight(double... weight) {
            this.weight = weight == null ? null : weight.clone();
            return this;
        }

        /** Per-class weights from float32 values. */
        public Builder weight(float[] weight) {
            this.weight = Check.toDouble(weight);
            return this;
        }

        /** Targets equal to this value are skipped (loss 0, not counted in MEAN). Default -100. */
        public Builder ignoreIndex(int ignoreIndex) {
            this.ignoreIndex = ignoreIndex;
            return this;
        }

        /** Label smoothing epsilon in [0, 1]; values below 0 (and NaN) act as 0, as in PyTorch. */
        public Builder labelSmoothing(double epsilon) {
            this.labelSmoothing = Check.labelSmoothing(epsilon);
            return this;
        }

        /**
         * Rejects probability targets with a value outside [0, 1] or a position whose values do not
         * sum to 1 within {@code tolerance}. Off by default (PyTorch accepts any values).
         */
        public Builder validateProbabilities(double tolerance) {
            if (!(tolerance >= 0)) {
                throw Check.value("tolerance", tolerance, "must be >= 0");
            }
            this.probabilityTolerance = tolerance;
            return this;
        }

        /**
         * The z-loss coefficient s >= 0 (PaLM's 1e-4 is typical; 0, the default, is off and gives
         * PyTorch's cross-entropy exactly): each counted position adds {@code s * lse^2}, MEAN dividing
         * that part by the number of counted positions (see the class note).
         *
         * @throws InvalidInputException for a negative, NaN or infinite s
         */
        public Builder zLoss(double s) {
            if (!(s >= 0) || Double.isInfinite(s)) {
                throw Check.value("zLoss", s, "must be >= 0 and finite (0: off)");
            }
            this.zLoss = s;
            return this;
        }

        @Override
        public CrossEntropyLoss build() {
            return new CrossEntropyLoss(this);
        }
    }
}
