package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.internal.TargetScan;
import io.github.xent4j.internal.Vec;
import io.github.xent4j.spi.CeParams;
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
 * Edge cases (PyTorch's): all targets ignored or an empty batch gives NaN under MEAN (see
 * {@link EmptyMeanPolicy}), 0 under SUM, zeros under NONE, and a zero gradient; an ignored position
 * whose logits contain NaN or +inf, or are all -inf, gets a NaN gradient row (pytorch#11551); a
 * -inf logit at the target class gives +inf; with label smoothing any -inf logit gives +inf; a
 * label_smoothing below 0 (or NaN) counts as 0; probability targets are not validated unless
 * {@link Builder#validateProbabilities(double)} is set.
 *
 * <p>Example: logits {@code [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]}, targets {@code [0, 2]}: MEAN =
 * 1.1465588, NONE = [1.3532865, 0.939831].
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CrossEntropyLoss {

    /** PyTorch's defaults: no weight, ignore_index -100, no smoothing, MEAN. */
    public static final CrossEntropyLoss DEFAULTS = builder().build();

    private final double[] weight;
    private final int ignoreIndex;
    private final double labelSmoothing;
    private final Reduction reduction;
    private final EmptyMeanPolicy emptyMean;
    private final double probabilityTolerance;
    private final int threads;

    private CrossEntropyLoss(Builder b) {
        this.weight = b.weight == null ? null : b.weight.clone();
        this.ignoreIndex = b.ignoreIndex;
        this.labelSmoothing = b.labelSmoothing;
        this.reduction = b.reduction;
        this.emptyMean = b.emptyMean;
        this.probabilityTolerance = b.probabilityTolerance;
        this.threads = b.threads;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this loss's options, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.weight = weight;
        b.ignoreIndex = ignoreIndex;
        b.labelSmoothing = labelSmoothing;
        b.reduction = reduction;
        b.emptyMean = emptyMean;
        b.probabilityTolerance = probabilityTolerance;
        b.threads = threads;
        return b;
    }

    /** NONE, SUM or MEAN. */
    public Reduction reduction() {
        return reduction;
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

    // ---------------------------------------------------------------- class-index targets, float32

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(float[] logits, int[] shape, int[] target) {
        return compute(logits, shape, target, null, null, null);
    }

    /** The loss; {@code losses} is set for NONE. */
    public FloatResult forward(float[] logits, int[] shape, int[] target) {
        float[] losses = reduction == Reduction.NONE ? new float[positions(shape, logits.length)] : null;
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
        float[] losses = reduction == Reduction.NONE ? new float[positions(shape, logits.length)] : null;
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
        ClassShape cs = Check.classShape("logits", shape, logits.length);
        double g = Reductions.scalarUpstream(reduction, Vec.of(upstream), Check.len(upstream), cs.positions());
        float[] perPosition = reduction == Reduction.NONE ? upstream : null;
        Kernels k = Dispatch.kernels();
        return indexPath(cs, logits.length, target, g, Check.len(lossOut), Check.len(gradOut),
                (n0, n1, inner, p, scale) -> k.crossEntropy(logits, target, n0, n1, inner, p, lossOut, gradOut, perPosition, scale));
    }

    // ---------------------------------------------------------------- class-index targets, float64

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(double[] logits, int[] shape, int[] target) {
        return compute(logits, shape, target, null, null, null);
    }

    /** The loss; {@code losses} is set for NONE. */
    public DoubleResult forward(double[] logits, int[] shape, int[] target) {
        double[] losses = reduction == Reduction.NONE ? new double[positions(shape, logits.length)] : null;
        return new DoubleResult(compute(logits, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient (upstream gradient 1 for every output). */
    public DoubleResult forwardBackward(double[] logits, int[] shape, int[] target) {
        return forwardBackward(logits, shape, target, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)}; see the float32 form. */
    public DoubleResult forwardBackward(double[] logits, int[] shape, int[] target, double[] upstream) {
        double[] losses = reduction == Reduction.NONE ? new double[positions(shape, logits.length)] : null;
        double[] grad = new double[logits.length];
        return new DoubleResult(compute(logits, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form; see the float32 form. */
    public double compute(double[] logits, int[] shape, int[] target, double[] upstream,
                          double[] lossOut, double[] gradOut) {
        ClassShape cs = Check.classShape("logits", shape, logits.length);
        double g = Reductions.scalarUpstream(reduction, Vec.of(upstream), Check.len(upstream), cs.positions());
        double[] perPosition = reduction == Reduction.NONE ? upstream : null;
        Kernels k = Dispatch.kernels();
        return indexPath(cs, logits.length, target, g, Check.len(lossOut), Check.len(gradOut),
                (n0, n1, inner, p, scale) -> k.crossEntropy(logits, target, n0, n1, inner, p, lossOut, gradOut, perPosition, scale));
    }

    // ---------------------------------------------------------------- probability targets, float32

    /** The reduced loss for probability targets of the logits' shape. */
    public double value(float[] logits, int[] shape, float[] targetProbs) {
        return compute(logits, shape, targetProbs, null, null, null);
    }

    /** The loss for probability targets; {@code losses} is set for NONE. */
    public FloatResult forward(float[] logits, int[] shape, float[] targetProbs) {
        float[] losses = reduction == Reduction.NONE ? new float[positions(shape, logits.length)] : null;
        return new FloatResult(compute(logits, shape, targetProbs, null, losses, null), losses, null);
    }

    /** The loss and its gradient for probability targets. */
    public FloatResult forwardBackward(float[] logits, int[] shape, float[] targetProbs) {
        return forwardBackward(logits, shape, targetProbs, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)} for probability targets. */
    public FloatResult forwardBackward(float[] logits, int[] shape, float[] targetProbs, float[] upstream) {
        float[] losses = reduction == Reduction.NONE ? new float[positions(shape, logits.length)] : null;
        float[] grad = new float[logits.length];
        return new FloatResult(compute(logits, shape, targetProbs, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form for probability targets; see the class-index form. */
    public double compute(float[] logits, int[] shape, float[] targetProbs, float[] upstream,
                          float[] lossOut, float[] gradOut) {
        ClassShape cs = Check.classShape("logits", shape, logits.length);
        Check.length("targetProbs", targetProbs.length, logits.length, "probability targets have the logits' shape " + Check.shape(shape));
        double g = Reductions.scalarUpstream(reduction, Vec.of(upstream), Check.len(upstream), cs.positions());
        float[] perPosition = reduction == Reduction.NONE ? upstream : null;
        if (!Double.isNaN(probabilityTolerance)) {
            validateProbabilities(cs, Vec.of(targetProbs));
        }
        Kernels k = Dispatch.kernels();
        return probPath(cs, g, Check.len(lossOut), Check.len(gradOut), logits.length,
                (n0, n1, inner, p, scale) -> k.crossEntropyProbs(logits, targetProbs, n0, n1, inner, p, lossOut, gradOut, perPosition, scale));
    }

    // ---------------------------------------------------------------- probability targets, float64

    /** The reduced loss for probability targets of the logits' shape. */
    public double value(double[] logits, int[] shape, double[] targetProbs) {
        return compute(logits, shape, targetProbs, null, null, null);
    }

    /** The loss for probability targets; {@code losses} is set for NONE. */
    public DoubleResult forward(double[] logits, int[] shape, double[] targetProbs) {
        double[] losses = reduction == Reduction.NONE ? new double[positions(shape, logits.length)] : null;
        return new DoubleResult(compute(logits, shape, targetProbs, null, losses, null), losses, null);
    }

    /** The loss and its gradient for probability targets. */
    public DoubleResult forwardBackward(double[] logits, int[] shape, double[] targetProbs) {
        return forwardBackward(logits, shape, targetProbs, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)} for probability targets. */
    public DoubleResult forwardBackward(double[] logits, int[] shape, double[] targetProbs, double[] upstream) {
        double[] losses = reduction == Reduction.NONE ? new double[positions(shape, logits.length)] : null;
        double[] grad = new double[logits.length];
        return new DoubleResult(compute(logits, shape, targetProbs, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form for probability targets; see the class-index form. */
    public double compute(double[] logits, int[] shape, double[] targetProbs, double[] upstream,
                          double[] lossOut, double[] gradOut) {
        ClassShape cs = Check.classShape("logits", shape, logits.length);
        Check.length("targetProbs", targetProbs.length, logits.length, "probability targets have the logits' shape " + Check.shape(shape));
        double g = Reductions.scalarUpstream(reduction, Vec.of(upstream), Check.len(upstream), cs.positions());
        double[] perPosition = reduction == Reduction.NONE ? upstream : null;
        if (!Double.isNaN(probabilityTolerance)) {
            validateProbabilities(cs, Vec.of(targetProbs));
        }
        Kernels k = Dispatch.kernels();
        return probPath(cs, g, Check.len(lossOut), Check.len(gradOut), logits.length,
                (n0, n1, inner, p, scale) -> k.crossEntropyProbs(logits, targetProbs, n0, n1, inner, p, lossOut, gradOut, perPosition, scale));
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
     * @throws IllegalArgumentException naming both shapes when they do not fit
     */
    public static boolean isProbabilityTarget(int[] inputShape, int[] targetShape, boolean integerTarget) {
        if (inputShape.length == 0) {
            throw Check.fail("input must have 1 or more dimensions, got a 0-d shape ()");
        }
        if (java.util.Arrays.equals(inputShape, targetShape)) {
            if (integerTarget) {
                throw Check.fail("target of shape %s has the input's shape, so it holds class probabilities and must be "
                        + "floating point, got integers", Check.shape(targetShape));
            }
            return true;
        }
        if (!integerTarget) {
            throw Check.fail("target of shape %s holds class indices (its shape differs from the input's %s) and must be "
                    + "integers, got floating point", Check.shape(targetShape), Check.shape(inputShape));
        }
        if (inputShape.length == 1) {
            if (targetShape.length > 1 || numel(targetShape) != 1) {
                throw Check.fail("target of shape %s does not fit the unbatched input of shape %s; give one class index "
                        + "(shape ())", Check.shape(targetShape), Check.shape(inputShape));
            }
            return false;
        }
        int[] expected = new int[inputShape.length - 1];
        expected[0] = inputShape[0];
        System.arraycopy(inputShape, 2, expected, 1, inputShape.length - 2);
        if (targetShape.length == 0 || targetShape[0] != inputShape[0]) {
            throw Check.fail("target of shape %s does not match the input's batch size %d; expected target shape %s",
                    Check.shape(targetShape), inputShape[0], Check.shape(expected));
        }
        if (!java.util.Arrays.equals(expected, targetShape)) {
            throw Check.fail("target of shape %s does not fit input of shape %s; expected target shape %s "
                    + "(the input's shape without the class dimension 1)", Check.shape(targetShape),
                    Check.shape(inputShape), Check.shape(expected));
        }
        return false;
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    // ---------------------------------------------------------------- shared

    /** One kernel call over outer indices [n0, n1). */
    @FunctionalInterface
    private interface RangeKernel {
        double run(int n0, int n1, int inner, CeParams p, double gradScale);
    }

    private static int positions(int[] shape, int length) {
        return Check.classShape("logits", shape, length).positions();
    }

    private CeParams params(ClassShape cs) {
        if (weight != null && weight.length != cs.classes()) {
            throw Check.fail("weight has %d elements but the logits have C=%d classes; give one weight per class or none",
                    weight.length, cs.classes());
        }
        return new CeParams(cs.classes(), weight, ignoreIndex, labelSmoothing > 0 ? labelSmoothing : 0);
    }

    private void checkOutputs(ClassShape cs, int lossLen, int gradLen, int logitsLen) {
        Check.optionalLength("lossOut", lossLen, cs.positions(), "one loss per position");
        Check.optionalLength("gradOut", gradLen, logitsLen, "the logits' shape");
    }

    private double indexPath(ClassShape cs, int logitsLen, int[] target, double g, int lossLen, int gradLen, RangeKernel kernel) {
        CeParams p = params(cs);
        checkOutputs(cs, lossLen, gradLen, logitsLen);
        int positions = cs.positions();
        if (cs.unbatched()) {
            Check.length("target", target.length, 1, "one class index for an unbatched (C) input");
        } else {
            Check.length("target", target.length, positions,
                    "one class index per position of logits, N*d1*...*dk");
        }
        TargetScan scan = TargetScan.of(target, positions, cs.classes(), ignoreIndex, weight);
        Reductions.checkEmpty(reduction, scan.valid(), emptyMean, "no valid target (empty batch or all targets equal ignore_index)");
        double scale = reduction == Reduction.MEAN ? g / scan.denominator() : g;
        double total = Dispatch.run(cs.outer(), (long) cs.classes() * cs.inner(), threads,
                (n0, n1) -> kernel.run(n0, n1, cs.inner(), p, scale));
        return Reductions.reduce(reduction, total, scan.denominator(), scan.valid(), emptyMean);
    }

    private double probPath(ClassShape cs, double g, int lossLen, int gradLen, int logitsLen, RangeKernel kernel) {
        if (ignoreIndex >= 0) {
            throw Check.fail("ignore_index=%d is not supported for probability targets; it must be negative (default -100)", ignoreIndex);
        }
        CeParams p = params(cs);
        checkOutputs(cs, lossLen, gradLen, logitsLen);
        int positions = cs.positions();
        Reductions.checkEmpty(reduction, positions, emptyMean, "an empty batch");
        double scale = reduction == Reduction.MEAN ? g / positions : g;
        double total = Dispatch.run(cs.outer(), (long) cs.classes() * cs.inner(), threads,
                (n0, n1) -> kernel.run(n0, n1, cs.inner(), p, scale));
        return Reductions.reduce(reduction, total, positions, positions, emptyMean);
    }

    private void validateProbabilities(ClassShape cs, Vec t) {
        int c = cs.classes();
        int inner = cs.inner();
        for (int n = 0; n < cs.outer(); n++) {
            for (int i = 0; i < inner; i++) {
                int base = n * c * inner + i;
                double sum = 0;
                for (int k = 0, idx = base; k < c; k++, idx += inner) {
                    double v = t.get(idx);
                    if (!(v >= 0 && v <= 1)) {
                        throw Check.fail("targetProbs[%d]=%s must be in [0, 1] (validateProbabilities is on)", idx, v);
                    }
                    sum += v;
                }
                if (Math.abs(sum - 1) > probabilityTolerance) {
                    throw Check.fail("targetProbs position %d sums to %s; must be 1 within %s (validateProbabilities is on)",
                            n * inner + i, sum, probabilityTolerance);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "CrossEntropyLoss[weight=" + Arrays.toString(weight) + ", ignoreIndex=" + ignoreIndex
                + ", labelSmoothing=" + labelSmoothing + ", reduction=" + reduction.torchName() + "]";
    }

    /** Options of a {@link CrossEntropyLoss}; each defaults to PyTorch's behaviour. */
    public static final class Builder {
        private double[] weight;
        private int ignoreIndex = -100;
        private double labelSmoothing;
        private Reduction reduction = Reduction.MEAN;
        private EmptyMeanPolicy emptyMean = EmptyMeanPolicy.NAN;
        private double probabilityTolerance = Double.NaN;
        private int threads = 1;

        private Builder() {
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
            if (epsilon > 1) {
                throw Check.fail("labelSmoothing=%s must be between 0.0 and 1.0", epsilon);
            }
            this.labelSmoothing = epsilon;
            return this;
        }

        /** NONE, SUM or MEAN (default MEAN). */
        public Builder reduction(Reduction reduction) {
            if (reduction == null || reduction == Reduction.BATCHMEAN) {
                throw Check.fail("reduction=%s is not valid for cross-entropy; use NONE, SUM or MEAN", reduction);
            }
            this.reduction = reduction;
            return this;
        }

        /** What MEAN yields with no valid position (default NaN, as PyTorch). */
        public Builder emptyMean(EmptyMeanPolicy policy) {
            this.emptyMean = java.util.Objects.requireNonNull(policy, "emptyMean");
            return this;
        }

        /**
         * Rejects probability targets with a value outside [0, 1] or a position whose values do not
         * sum to 1 within {@code tolerance}. Off by default (PyTorch accepts any values).
         */
        public Builder validateProbabilities(double tolerance) {
            if (!(tolerance >= 0)) {
                throw Check.fail("tolerance=%s must be >= 0", tolerance);
            }
            this.probabilityTolerance = tolerance;
            return this;
        }

        /** Threads for one call (default 1). The value is bitwise the same for any thread count. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw Check.fail("threads=%d must be >= 1", threads);
            }
            this.threads = threads;
            return this;
        }

        /** The immutable loss. */
        public CrossEntropyLoss build() {
            return new CrossEntropyLoss(this);
        }
    }
}
