package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;

import java.util.Arrays;

/**
 * Poly-1 cross-entropy from logits (Leng et al. 2022, "PolyLoss"), as
 * {@code optax.poly_loss_cross_entropy(logits, labels, epsilon)}: cross-entropy plus epsilon times
 * the first polynomial term {@code 1 - p_t}, with cross-entropy's options (class weights,
 * ignore_index, label smoothing) and targets (class indices, or probabilities of the logits' shape),
 * in the layout of {@link CrossEntropyLoss}.
 *
 * <p>Value, with l = log_softmax(x), p = softmax(x), w = weight (1 if absent), t' the smoothed
 * target ((1 - ls) [c == y] + ls / C for class indices; (1 - ls) t + ls / C for probabilities), a_c =
 * w_c t'_c, CE_s the per-position loss of {@link CrossEntropyLoss} with the same options:
 * <pre>{@code
 * L_s = CE_s + epsilon * sum_c a[s, c] * (1 - p[s, c])          (s in V; 0 for an ignored position)
 * class index, no smoothing:  L_s = w[y_s] * ( -l[s, y_s] + epsilon * (1 - p[s, y_s]) )
 * MEAN denominator: cross-entropy's, D = sum_{s in V} w[y_s] for class indices (no weight: |V|);
 *                   the number of positions for probability targets
 * }</pre>
 * (Optax's {@code sum_c labels_c (1 - p_c)}; for targets that sum to 1 this is {@code 1 - sum_c t_c
 * p_c}.) epsilon = 0 is {@link CrossEntropyLoss} bit for bit (the same kernel runs); epsilon may be
 * negative (the paper uses -1 in places).
 *
 * <p>Gradient, with A = sum_c a_c, B = sum_c a_c p_c and g = upstream / D (MEAN) or upstream:
 * <pre>{@code
 * dL/dx[s, j] = g * ( p[s, j] * (A + epsilon * B) - a[s, j] * (1 + epsilon * p[s, j]) )
 * }</pre>
 *
 * <p>Edge cases: as {@link CrossEntropyLoss}. Example (checked by a test): logits
 * {@code [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]}, targets {@code [0, 2]}, epsilon 2: MEAN = 2.4974753,
 * NONE = [2.8365073, 2.1584434].
 *
 * <p>Splitting the work: {@link #denominator(int[], int[])} (or {@link #denominator(int[])} for
 * probability targets) and {@link #partial} per chunk, merged with {@link LossSum#plus}, give this
 * loss's value bitwise. Instances are immutable and thread-safe.
 */
public final class PolyLoss extends Loss {

    /** Optax's default epsilon 2, PyTorch's cross-entropy defaults (no weight, ignore_index -100, no smoothing, MEAN). */
    public static final PolyLoss DEFAULTS = builder().build();

    private final double epsilon;
    private final double[] weight;
    private final int ignoreIndex;
    private final double labelSmoothing;

    private PolyLoss(Builder b) {
        super(b);
        this.epsilon = b.epsilon;
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

    /** The coefficient epsilon of the poly-1 term (default 2). */
    public double epsilon() {
        return epsilon;
    }

    /** A copy of the class weights, or null. */
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

    // ---------------------------------------------------------------- probability targets, float32

    /** The reduced loss for probability targets of the logits' shape. */
    public double value(float[] logits, int[] shape, float[] targetProbs) {
        return compute(logits, shape, targetProbs, null, null, null);
    }

    /** The loss for probability targets; {@code losses} is set for NONE. */
    public FloatResult forward(float[] logits, int[] shape, float[] targetProbs) {
        float[] losses = FamilyRun.lossesFor(this, "logits", shape, logits.length);
        return new FloatResult(compute(logits, shape, targetProbs, null, losses, null), losses, null);
    }

    /** The loss and its gradient for probability targets. */
    public FloatResult forwardBackward(float[] logits, int[] shape, float[] targetProbs) {
        return forwardBackward(logits, shape, targetProbs, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)} for probability targets. */
    public FloatResult forwardBackward(float[] logits, int[] shape, float[] targetProbs, float[] upstream) {
        float[] losses = FamilyRun.lossesFor(this, "logits", shape, logits.length);
        float[] grad = new float[logits.length];
        return new FloatResult(compute(logits, shape, targetProbs, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form for probability targets; see the class-index form. */
    public double compute(float[] logits, int[] shape, float[] targetProbs, float[] upstream, float[] lossOut, float[] gradOut) {
        ClassShape cs = FamilyRun.classShape("logits", Check.len(logits), shape);
        ClassTargets.checkProbs(cs, Check.len(targetProbs), shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), FamilyRun.first(upstream));
        float[] perPosition = reduction == Reduction.NONE ? upstream : null;
        LossSum d = checkedProbs(cs, Check.len(lossOut), Check.len(gradOut));
        checkEmpty(d);
        return reduce(FamilyRun.run(this, cs, d, false,
                rowsProbs(logits, targetProbs, cs, lossOut, gradOut, perPosition, gradScale(d, g))));
    }

    /** One chunk of a split computation with probability targets; see the class-index form. */
    public LossSum partial(float[] logits, int[] shape, float[] targetProbs, double gradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        ClassShape cs = FamilyRun.classShape("logits", Check.len(logits), shape);
        ClassTargets.checkProbs(cs, Check.len(targetProbs), shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        LossSum d = checkedProbs(cs, Check.len(lossOut), Check.len(gradOut));
        return FamilyRun.run(this, cs, d, false, rowsProbs(logits, targetProbs, cs, lossOut, gradOut, upstream, gradScale));
    }

    // ---------------------------------------------------------------- probability targets, float64

    /** The reduced loss for probability targets of the logits' shape. */
    public double value(double[] logits, int[] shape, double[] targetProbs) {
        return compute(logits, shape, targetProbs, null, null, null);
    }

    /** The loss for probability targets; {@code losses} is set for NONE. */
    public DoubleResult forward(double[] logits, int[] shape, double[] targetProbs) {
        double[] losses = FamilyRun.lossesForDouble(this, "logits", shape, logits.length);
        return new DoubleResult(compute(logits, shape, targetProbs, null, losses, null), losses, null);
    }

    /** The loss and its gradient for probability targets. */
    public DoubleResult forwardBackward(double[] logits, int[] shape, double[] targetProbs) {
        return forwardBackward(logits, shape, targetProbs, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)} for probability targets. */
    public DoubleResult forwardBackward(double[] logits, int[] shape, double[] targetProbs, double[] upstream) {
        double[] losses = FamilyRun.lossesForDouble(this, "logits", shape, logits.length);
        double[] grad = new double[logits.length];
        return new DoubleResult(compute(logits, shape, targetProbs, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form for probability targets; see the class-index form. */
    public double compute(double[] logits, int[] shape, double[] targetProbs, double[] upstream, double[] lossOut, double[] gradOut) {
        ClassShape cs = FamilyRun.classShape("logits", Check.len(logits), shape);
        ClassTargets.checkProbs(cs, Check.len(targetProbs), shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), FamilyRun.first(upstream));
        double[] perPosition = reduction == Reduction.NONE ? upstream : null;
        LossSum d = checkedProbs(cs, Check.len(lossOut), Check.len(gradOut));
        checkEmpty(d);
        return reduce(FamilyRun.run(this, cs, d, false,
                rowsProbs(logits, targetProbs, cs, lossOut, gradOut, perPosition, gradScale(d, g))));
    }

    /** One chunk of a split computation with probability targets; see the class-index form. */
    public LossSum partial(double[] logits, int[] shape, double[] targetProbs, double gradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        ClassShape cs = FamilyRun.classShape("logits", Check.len(logits), shape);
        ClassTargets.checkProbs(cs, Check.len(targetProbs), shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        LossSum d = checkedProbs(cs, Check.len(lossOut), Check.len(gradOut));
        return FamilyRun.run(this, cs, d, false, rowsProbs(logits, targetProbs, cs, lossOut, gradOut, upstream, gradScale));
    }

    // ---------------------------------------------------------------- denominators

    /**
     * The denominators of class-index targets for logits of {@code shape}, from the targets alone
     * (cross-entropy's: the exact sum of weight[target] over non-ignored positions).
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

    // ---------------------------------------------------------------- shared

    private LossSum checked(ClassShape cs, int[] target, int lossLen, int gradLen) {
        ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        FamilyRun.checkOutputs(cs, lossLen, gradLen);
        ClassTargets.checkLength(cs, target, "logits");
        return ClassTargets.scan(target, cs.positions(), cs.classes(), ignoreIndex, weight);
    }

    private LossSum checkedProbs(ClassShape cs, int lossLen, int gradLen) {
        ClassTargets.checkProbsIgnore(ignoreIndex);
        ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        FamilyRun.checkOutputs(cs, lossLen, gradLen);
        return ClassTargets.count(cs.positions(), cs.positions());
    }

    private FamilyRun.Rows rows(float[] x, int[] t, ClassShape cs, float[] lossOut, float[] gradOut,
                                float[] upstream, double scale) {
        Kernels k = Dispatch.kernels();
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        double e = epsilon;
        if (e == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropy(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.polyCrossEntropy(x, t, n0, n1, cs.inner(), p, e, lossOut, gradOut, upstream, scale, sum);
    }

    private FamilyRun.Rows rows(double[] x, int[] t, ClassShape cs, double[] lossOut, double[] gradOut,
                                double[] upstream, double scale) {
        Kernels k = Dispatch.kernels();
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        double e = epsilon;
        if (e == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropy(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.polyCrossEntropy(x, t, n0, n1, cs.inner(), p, e, lossOut, gradOut, upstream, scale, sum);
    }

    private FamilyRun.Rows rowsProbs(float[] x, float[] t, ClassShape cs, float[] lossOut, float[] gradOut,
                                     float[] upstream, double scale) {
        Kernels k = Dispatch.kernels();
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        double e = epsilon;
        if (e == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropyProbs(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.polyCrossEntropyProbs(x, t, n0, n1, cs.inner(), p, e, lossOut, gradOut, upstream, scale, sum);
    }

    private FamilyRun.Rows rowsProbs(double[] x, double[] t, ClassShape cs, double[] lossOut, double[] gradOut,
                                     double[] upstream, double scale) {
        Kernels k = Dispatch.kernels();
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, labelSmoothing, "logits");
        double e = epsilon;
        if (e == 0) {
            return (n0, n1, sum, aux) -> k.crossEntropyProbs(x, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum);
        }
        return (n0, n1, sum, aux) -> k.polyCrossEntropyProbs(x, t, n0, n1, cs.inner(), p, e, lossOut, gradOut, upstream, scale, sum);
    }

    @Override
    public String toString() {
        return "PolyLoss[epsilon=" + epsilon + ", weight=" + Arrays.toString(weight) + ", ignoreIndex=" + ignoreIndex
                + ", labelSmoothing=" + labelSmoothing + ", reduction=" + reduction.torchName() + "]";
    }

    /** Options of a {@link PolyLoss}. */
    public static final class Builder extends Loss.Builder<Builder, PolyLoss> {
        private double epsilon = 2;
        private double[] weight;
        private int ignoreIndex = -100;
        private double labelSmoothing;

        private Builder() {
        }

        private Builder(PolyLoss from) {
            super(from);
            this.epsilon = from.epsilon;
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
            return "poly_cross_entropy";
        }

        /**
         * The coefficient of the poly-1 term (default 2, Optax's; 0 is cross-entropy).
         *
         * @throws InvalidInputException for NaN or an infinite epsilon
         */
        public Builder epsilon(double epsilon) {
            if (!Double.isFinite(epsilon)) {
                throw Check.value("epsilon", epsilon, "must be finite (0: plain cross-entropy)");
            }
            this.epsilon = epsilon;
            return this;
        }

        /** Per-class weights, one per class (copied); null for none. */
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

        @Override
        public PolyLoss build() {
            return new PolyLoss(this);
        }
    }
}
