package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;

import java.util.Arrays;

/**
 * The softmax (multi-class) focal loss from logits (Lin et al. 2017): cross-entropy with each
 * position's loss down-weighted by {@code (1 - p_y)^gamma}, so that well-classified positions (p_y
 * near 1) count little and hard ones count almost fully; class-index targets with
 * {@code ignore_index}, per-class alpha (passed as {@code weight}, the name cross-entropy uses) and
 * label smoothing, in the layout of {@link CrossEntropyLoss}: logits (C), (N, C) or (N, C, d1..dk),
 * one target per position.
 *
 * <p>Value, with l = log_softmax(x) along the class dim (so log p never comes from a rounded p),
 * 1 - p = -expm1(l) (no cancellation near p = 1), alpha = weight (1 if absent), eps = label
 * smoothing, V = positions whose target is not ignore_index:
 * <pre>{@code
 * no smoothing:   L_s = -alpha[y_s] * (1 - p[s, y_s])^gamma * l[s, y_s]                   (s in V; else 0)
 * smoothing:      t[s, c] = (1 - eps) * [c == y_s] + eps / C
 *                 L_s = sum_c alpha[c] * t[s, c] * (1 - p[s, c])^gamma * (-l[s, c])
 * MEAN denominator D = sum_{s in V} alpha[y_s]   (no weight: |V|), as cross-entropy's weight
 * }</pre>
 * gamma = 0 is {@link CrossEntropyLoss} with the same weight, ignore_index and smoothing, bit for bit
 * (the same kernel runs). The smoothed form is Keras's {@code CategoricalFocalCrossentropy} with
 * {@code label_smoothing=eps} and per-class alpha, except that Keras computes on probabilities
 * clipped to [1e-7, 1 - 1e-7] ({@code -alpha t (1 - p)^gamma log(clip(p))}, so its loss saturates
 * near 16.1 and its gradient vanishes for p below 1e-7), where this class uses log_softmax and is
 * exact for any logits.
 *
 * <p>Gradient with respect to the logits, with f(l) = -(1 - e^l)^gamma l per class,
 * f'(l) = (1 - p)^gamma (-1 + gamma p l / (1 - p)), a[s, c] = alpha[c] t[s, c] (no smoothing:
 * alpha[y_s] at y_s, else 0) and g = upstream / D (MEAN) or upstream:
 * <pre>{@code
 * dL/dx[s, j] = g * ( a[s, j] f'(l[s, j]) - p[s, j] * sum_c a[s, c] f'(l[s, c]) )
 * no smoothing:  dL/dx[s, j] = g * alpha[y_s] * f'(l[s, y_s]) * ([j == y_s] - p[s, j])
 * }</pre>
 * f' is taken at its limits where the formula is 0/0 or 0 * inf (p = 1: l / (1 - p) = -1; p = 0:
 * p l = 0), so gamma below 1 and saturated logits give finite gradients.
 *
 * <p>Edge cases: as {@link CrossEntropyLoss} (every target ignored: NaN under MEAN, see
 * {@link EmptyMeanPolicy}; an ignored position with NaN, +inf or all -inf logits: NaN gradient row;
 * a -inf logit at the target class: +inf; with smoothing any -inf logit: +inf).
 *
 * <p>Example (checked by a test): logits {@code [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]}, targets
 * {@code [0, 2]}, gamma 2: MEAN = 0.5466023, NONE = [0.7442885, 0.348916].
 *
 * <p>Splitting the work: {@link #denominator(int[], int[])} (targets only) and {@link #partial} per
 * chunk, merged with {@link LossSum#plus}, give this loss's value bitwise; {@link #compute} is those
 * steps in one call. Instances are immutable and thread-safe.
 */
public final class FocalLoss extends Loss {

    /** gamma 2 (the paper's and Keras's), no alpha, ignore_index -100, no smoothing, MEAN. */
    public static final FocalLoss DEFAULTS = builder().build();

    private final double gamma;
    private final double[] weight;
    private final int ignoreIndex;
    private final double labelSmoothing;

    private FocalLoss(Builder b) {
        super(b);
        this.gamma = b.gamma;
        this.weight = b.weight == null ? null : b.weight.clone();
        this.ignoreIndex = b.ignoreIndex;
        this.labelSmoothing = b.labelSmoothing;
    }

    /** A builder with the defaults of {@link #DEFAULTS}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this loss's options, to derive a variant. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The focusing exponent gamma (default 2). */
    public double gamma() {
        return gamma;
    }

    /** A copy of the per-class alpha (the class weights), or null. */
    public double[] weight() {
        return weight == null ? null : weight.clone();
    }

    /** The target value that is skipped (default -100). */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** The label smoothing epsilon as given (values below 0 act as 0). */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    // ---------------------------------------------------------------- class-index targets, float32

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(float[] logits, int[] shape, int[] target) {
        return compute(logits, shape, target, null, null, null);
    }

    /** The loss; {@code losses} is set for NONE. */
    public FloatResult forward(float[] logits, int[] shape, int[] target) {
        float[] losses = FamilyRun.lossesFor(this, "logits", shape, logits.length);
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
        float[] losses = FamilyRun.lossesFor(this, "logits", shape, logits.length);
        float[] grad = new float[logits.length];
        return new FloatResult(compute(logits, shape, target, upstream, losses, grad), losses, grad);
    }

    /**
     * The allocation-free form: validates everything, then writes per-position losses into
     * {@code lossOut} (if not null; unreduced for every reduction) and the gradient into
     * {@code gradOut} (if not null; it may be {@code logits} itself, overwriting them with
     * their gradient), and returns the reduced value.
     */
    public double compute(float[] logits, int[] shape, int[] target, float[] upstream, float[] lossOut, float[] gradOut) {
        ClassShape cs = FamilyRun.classShape("logits", Check.len(logits), shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), FamilyRun.first(upstream));
        float[] perPosition = reduction == Reduction.NONE ? upstream : null;
        LossSum d = checked(cs, target, Check.len(lossOut), Check.len(gradOut));
        checkEmpty(d);
        return reduce(FamilyRun.run(this, cs, d, false,
                rows(logits, target, cs, lossOut, gradOut, perPosition, gradScale(d, g))));
    }

    /**
     * One chunk of a split computation (rows of the batch dimension): validates, writes the chunk's
     * losses and gradient (scaled by {@code gradScale}, times {@code upstream[s]} when given, one per
     * position of the chunk) and returns the chunk's pair, with its own denominators.
     */
    public LossSum partial(float[] logits, int[] shape, int[] target, double gradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        ClassShape cs = FamilyRun.classShape("logits", Check.len(logits), shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        LossSum d = checked(cs, target, Check.len(lossOut), Check.len(gradOut));
        return FamilyRun.run(this, cs, d, false, rows(logits, target, cs, lossOut, gradOut, upstream, gradScale));
    }

    // ---------------------------------------------------------------- class-index targets, float64

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(double[] logits, int[] shape, int[] target) {
        return compute(logits, shape, target, null, null, null);
    }

    /** The loss; {@code losses} is set for NONE. */
    public DoubleResult forward(double[] logits, int[] shape, int[] target) {
        double[] losses = FamilyRun.lossesForDouble(this, "logits", shape, logits.length);
        return new DoubleResult(compute(logits, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient (upstream gradient 1 for every output). */
    public DoubleResult forwardBackward(double[] logits, int[] shape, int[] target) {
        return forwardBackward(logits, shape, target, null);
    }

    /**
     * The loss and the gradient of {@code sum(upstream * output)}: {@code upstream} has one value per
     * position for NONE, one value for SUM/MEAN, or is null for ones; see the float32 form.
     */
    public DoubleResult forwardBackward(double[] logits, int[] shape, int[] target, double[] upstream) {
        double[] losses = FamilyRun.lossesForDouble(this, "logits", shape, logits.length);
        double[] grad = new double[logits.length];
        return new DoubleResult(compute(logits, shape, target, upstream, losses, grad), losses, grad);
    }

    /**
     * The allocation-free form: validates everything, then writes per-position losses into
     * {@code lossOut} (if not null; unreduced for every reduction) and the gradient into
     * {@code gradOut} (if not null; it may be {@code logits} itself, overwriting them with
     * their gradient), and returns the reduced value.
     */
    public double compute(double[] logits, int[] shape, int[] target, double[] upstream, double[] lossOut, double[] gradOut) {
        ClassShape cs = FamilyRun.classShape("logits", Check.len(logits), shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), FamilyRun.first(upstream));
        double[] perPosition = reduction == Reduction.NONE ? upstream : null;
        LossSum d = checked(cs, target, Check.len(lossOut), Check.len(gradOut));
        checkEmpty(d);
        return reduce(FamilyRun.run(this, cs, d, false,
                rows(logits, target, cs, lossOut, gradOut, perPosition, gradScale(d, g))));
    }

    /**
     * One chunk of a split computation (rows of the batch dimension): validates, writes the chunk's
     * losses and gradient (scaled by {@code gradScale}, times {@code upstream[s]} when given, one per
     * position of the chunk) and returns the chunk's pair, with its own denominators.
     */
    public LossSum partial(double[] logits, int[] shape, int[] target, double gradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        ClassShape cs = FamilyRun.classShape("logits", Check.len(logits), shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        LossSum d = checked(cs, target, Check.len(lossOut), Check.len(gradOut));
        return FamilyRun.run(this, cs, d, false, rows(logits, target, cs, lossOut, gradOut, upstream, gradScale));
    }

    // ---------------------------------------------------------------- denominators

    /**
     * The denominators of class-index targets for logits of {@code shape}, from the targets alone:
     * validates every target and sums alpha[target] over the non-ignored ones (their count without
     * alpha), exactly.
     *
     * @throws InvalidInputException for a target outside [0, C) that is not ignore_index
     */
    public LossSum denominator(int[] shape, int[] target) {
        ClassShape cs = Check.classShape("logits", shape);
        ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        ClassTargets.checkLength(cs, target, "logits");
        return ClassTargets.scan(target, cs.positions(), cs.classes(), ignoreIndex, weight);
    }

    // ---------------------------------------------------------------- shared

    /** Validates options against the shape, the outputs and the targets; the denominators. */
    private LossSum checked(ClassShape cs, int[] target, int lossLen, int gradLen) {
        ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        FamilyRun.checkOutputs(cs, lossLen, gradLen);
        ClassTargets.checkLength(cs, target, "logits");
        return ClassTargets.scan(target, cs.positions(), cs.classes(), ignoreIndex, weight);
    }

    private FamilyRun.Rows rows(float[] x, int[] t, ClassShape cs, float[] lossOut, float[] gradOut,
                                float[] upstream, double scale) {
        Kernels k = Dispatch.kernels();
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        double gm = gamma;
        if (gm == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropy(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.focal(x, t, n0, n1, cs.inner(), p, gm, lossOut, gradOut, upstream, scale, sum);
    }

    private FamilyRun.Rows rows(double[] x, int[] t, ClassShape cs, double[] lossOut, double[] gradOut,
                                double[] upstream, double scale) {
        Kernels k = Dispatch.kernels();
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        double gm = gamma;
        if (gm == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropy(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.focal(x, t, n0, n1, cs.inner(), p, gm, lossOut, gradOut, upstream, scale, sum);
    }

    @Override
    public String toString() {
        return "FocalLoss[gamma=" + gamma + ", weight=" + Arrays.toString(weight) + ", ignoreIndex=" + ignoreIndex
                + ", labelSmoothing=" + labelSmoothing + ", reduction=" + reduction.torchName() + "]";
    }

    /** Options of a {@link FocalLoss}. */
    public static final class Builder extends Loss.Builder<Builder, FocalLoss> {
        private double gamma = 2;
        private double[] weight;
        private int ignoreIndex = -100;
        private double labelSmoothing;

        private Builder() {
        }

        private Builder(FocalLoss from) {
            super(from);
            this.gamma = from.gamma;
            this.weight = from.weight;
            this.ignoreIndex = from.ignoreIndex;
            this.labelSmoothing = from.labelSmoothing;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        String torchName() {
            return "focal_loss";
        }

        /**
         * The focusing exponent gamma >= 0 (default 2; 0 is cross-entropy).
         *
         * @throws InvalidInputException for a negative, NaN or infinite gamma
         */
        public Builder gamma(double gamma) {
            this.gamma = FamilyRun.gamma(gamma);
            return this;
        }

        /**
         * Per-class alpha, one per class (copied); null for none (alpha 1). MEAN divides by the sum
         * of alpha[target] over non-ignored positions, as cross-entropy's weight.
         */
        public Builder weight(double... weight) {
            this.weight = weight == null ? null : weight.clone();
            return this;
        }

        /** Per-class alpha from float32 values. */
        public Builder weight(float[] weight) {
            this.weight = Check.toDouble(weight);
            return this;
        }

        /** Targets equal to this value are skipped (loss 0, not counted in MEAN). Default -100. */
        public Builder ignoreIndex(int ignoreIndex) {
            this.ignoreIndex = ignoreIndex;
            return this;
        }

        /** Label smoothing epsilon in [0, 1] (Keras's smoothed targets); values below 0 (and NaN) act as 0. */
        public Builder labelSmoothing(double epsilon) {
            this.labelSmoothing = Check.labelSmoothing(epsilon);
            return this;
        }

        @Override
        public FocalLoss build() {
            return new FocalLoss(this);
        }
    }
}
