package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.DistillParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;

/**
 * Knowledge distillation (Hinton et al. 2015) from the student's logits: {@code T^2 KL(q || p)} with
 * the student's p = softmax(x / T) and the teacher's q = softmax(teacher / T), optionally mixed with
 * the hard-label cross-entropy as {@code alpha KD + (1 - alpha) CE}; the gradient is with respect to
 * the student's logits (the teacher is a constant). The common PyTorch recipe
 * <pre>{@code
 * kd = F.kl_div(F.log_softmax(student / T, dim=1), F.softmax(teacher / T, dim=1), reduction="batchmean") * T * T
 * loss = alpha * kd + (1 - alpha) * F.cross_entropy(student, target)
 * }</pre>
 * is this loss with its defaults (BATCHMEAN) for (N, C) inputs.
 *
 * <p>Shapes: student logits and teacher of one shape, (C), (N, C) or (N, C, d1..dk) (the class
 * dimension is 1); target (only with alpha &lt; 1) one class index per position, with ignore_index.
 * The teacher is logits (default) or, with {@link Builder#teacherLogProbs(boolean)}, log-probabilities
 * log q used as given (already at temperature T, as {@code kl_div(log_target=True)} takes them).
 *
 * <p>Value per position s, with lp = log_softmax(x / T), lq = log q, CE_s = lse(x_s) - x[s, y_s]
 * (temperature 1; 0 for an ignored target), N the size of dimension 0 (1 for (C)), V the positions
 * whose target is not ignore_index:
 * <pre>{@code
 * KD_s  = T^2 * sum_c q[s, c] * (lq[s, c] - lp[s, c])         (a term with q = 0 is 0)
 * L_s   = alpha * KD_s + (1 - alpha) * CE_s                   NONE: these, one per position
 * SUM       = sum_s alpha KD_s + sum_{s in V} (1 - alpha) CE_s
 * BATCHMEAN = sum_s alpha KD_s / N       + sum_{s in V} (1 - alpha) CE_s / |V|      (the default)
 * MEAN      = sum_s alpha KD_s / (N C d) + sum_{s in V} (1 - alpha) CE_s / |V|      (KD / numel, as kl_div's mean)
 * }</pre>
 * The cross-entropy term is always cross-entropy's MEAN (over non-ignored positions) under BATCHMEAN
 * and MEAN. Gradient, with p = softmax(x / T), p1 = softmax(x), g = upstream / (N or N C d) and gc =
 * upstream / |V| (upstream for SUM and NONE):
 * <pre>{@code
 * dL/dx[s, c] = g * alpha * T * (p[s, c] - q[s, c])  +  gc * (1 - alpha) * (p1[s, c] - [c == y_s])
 * }</pre>
 * T = 1 and alpha = 1 is {@code kl_div(log_softmax(x), softmax(teacher), "batchmean")}.
 *
 * <p>Edge cases: NaN anywhere in a row gives NaN; every target ignored with alpha &lt; 1 leaves the
 * hard-label term out (its sum is 0). Example (checked by a test): student {@code [[0.1, 0.3, 0.6],
 * [0.3, 0.2, 0.5]]}, teacher {@code [[1, 0, 2], [0.5, 0.5, -1]]}, T = 2: BATCHMEAN = 0.2500698.
 *
 * <p>Splitting the work: {@link #denominator(int[], int[])} and {@link #partial} per chunk, merged
 * with {@link LossSum#plus} (the hard-label part is the pair's {@link LossSum#auxSum()}), give this
 * loss's value bitwise. Instances are immutable and thread-safe.
 */
public final class DistillationLoss extends Loss {

    /** T = 1, alpha = 1 (no hard labels), teacher logits, ignore_index -100, BATCHMEAN. */
    public static final DistillationLoss DEFAULTS = builder().build();

    private final double temperature;
    private final double alpha;
    private final boolean teacherLogProbs;
    private final int ignoreIndex;

    private DistillationLoss(Builder b) {
        super(b);
        this.temperature = b.temperature;
        this.alpha = b.alpha;
        this.teacherLogProbs = b.teacherLogProbs;
        this.ignoreIndex = b.ignoreIndex;
    }

    /** A builder with the defaults of {@link #DEFAULTS}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this loss's options, to derive a variant. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The temperature T (default 1). */
    public double temperature() {
        return temperature;
    }

    /** The weight of the distillation term; 1 - alpha weighs the hard-label cross-entropy (default 1). */
    public double alpha() {
        return alpha;
    }

    /** Whether the teacher is given as log-probabilities (used as they are) rather than logits. */
    public boolean teacherLogProbs() {
        return teacherLogProbs;
    }

    /** The target value the hard-label term skips (default -100). */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    // ---------------------------------------------------------------- float32

    /** The reduced distillation loss without hard labels (alpha must be 1). */
    public double value(float[] studentLogits, int[] shape, float[] teacher) {
        return compute(studentLogits, shape, teacher, null, null, null, null);
    }

    /** The reduced loss; {@code target} (one class index per position) may be null when alpha is 1. */
    public double value(float[] studentLogits, int[] shape, float[] teacher, int[] target) {
        return compute(studentLogits, shape, teacher, target, null, null, null);
    }

    /** The loss; {@code losses} (one per position) is set for NONE. */
    public FloatResult forward(float[] studentLogits, int[] shape, float[] teacher, int[] target) {
        float[] losses = FamilyRun.lossesFor(this, "studentLogits", shape, studentLogits.length);
        return new FloatResult(compute(studentLogits, shape, teacher, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the student's logits (upstream gradient 1). */
    public FloatResult forwardBackward(float[] studentLogits, int[] shape, float[] teacher, int[] target) {
        return forwardBackward(studentLogits, shape, teacher, target, null);
    }

    /**
     * The loss and the gradient of {@code sum(upstream * output)} with respect to the student's
     * logits: {@code upstream} has one value per position for NONE, one value otherwise, or is null.
     */
    public FloatResult forwardBackward(float[] studentLogits, int[] shape, float[] teacher, int[] target, float[] upstream) {
        float[] losses = FamilyRun.lossesFor(this, "studentLogits", shape, studentLogits.length);
        float[] grad = new float[studentLogits.length];
        return new FloatResult(compute(studentLogits, shape, teacher, target, upstream, losses, grad), losses, grad);
    }

    /**
     * The allocation-free form: validates everything, then writes per-position losses into
     * {@code lossOut} (if not null) and the gradient into {@code gradOut} (if not null; it may be
     * {@code studentLogits} itself) and returns the reduced value. {@code target} may be null when
     * alpha is 1.
     */
    public double compute(float[] studentLogits, int[] shape, float[] teacher, int[] target, float[] upstream,
                          float[] lossOut, float[] gradOut) {
        ClassShape cs = FamilyRun.classShape("studentLogits", Check.len(studentLogits), shape);
        checkTeacher(cs, Check.len(teacher), shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), FamilyRun.first(upstream));
        float[] perPosition = reduction == Reduction.NONE ? upstream : null;
        LossSum d = checked(cs, target, Check.len(lossOut), Check.len(gradOut));
        checkEmpty(d);
        return reduce(FamilyRun.run(this, cs, d, usesTarget(),
                rows(studentLogits, teacher, target, cs, lossOut, gradOut, perPosition, gradScale(d, g), countedGradScale(d, g))));
    }

    /**
     * One chunk of a split computation (rows of the batch dimension): the distillation term's
     * gradient is scaled by {@code gradScale} ({@link #gradScale(LossSum, double)} of the merged
     * denominators), the hard-label term's by {@code ceGradScale}
     * ({@link #countedGradScale(LossSum, double)}), each times {@code upstream[s]} when given;
     * returns the chunk's pair (the hard-label term as its {@link LossSum#auxSum()}).
     */
    public LossSum partial(float[] studentLogits, int[] shape, float[] teacher, int[] target, double gradScale,
                           double ceGradScale, float[] upstream, float[] lossOut, float[] gradOut) {
        ClassShape cs = FamilyRun.classShape("studentLogits", Check.len(studentLogits), shape);
        checkTeacher(cs, Check.len(teacher), shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        LossSum d = checked(cs, target, Check.len(lossOut), Check.len(gradOut));
        return FamilyRun.run(this, cs, d, usesTarget(),
                rows(studentLogits, teacher, target, cs, lossOut, gradOut, upstream, gradScale, ceGradScale));
    }

    // ---------------------------------------------------------------- float64

    /** The reduced distillation loss without hard labels (alpha must be 1). */
    public double value(double[] studentLogits, int[] shape, double[] teacher) {
        return compute(studentLogits, shape, teacher, null, null, null, null);
    }

    /** The reduced loss; {@code target} (one class index per position) may be null when alpha is 1. */
    public double value(double[] studentLogits, int[] shape, double[] teacher, int[] target) {
        return compute(studentLogits, shape, teacher, target, null, null, null);
    }

    /** The loss; {@code losses} (one per position) is set for NONE. */
    public DoubleResult forward(double[] studentLogits, int[] shape, double[] teacher, int[] target) {
        double[] losses = FamilyRun.lossesForDouble(this, "studentLogits", shape, studentLogits.length);
        return new DoubleResult(compute(studentLogits, shape, teacher, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the student's logits (upstream gradient 1). */
    public DoubleResult forwardBackward(double[] studentLogits, int[] shape, double[] teacher, int[] target) {
        return forwardBackward(studentLogits, shape, teacher, target, null);
    }

    /**
     * The loss and the gradient of {@code sum(upstream * output)} with respect to the student's
     * logits: {@code upstream} has one value per position for NONE, one value otherwise, or is null; see the float32 form.
     */
    public DoubleResult forwardBackward(double[] studentLogits, int[] shape, double[] teacher, int[] target, double[] upstream) {
        double[] losses = FamilyRun.lossesForDouble(this, "studentLogits", shape, studentLogits.length);
        double[] grad = new double[studentLogits.length];
        return new DoubleResult(compute(studentLogits, shape, teacher, target, upstream, losses, grad), losses, grad);
    }

    /**
     * The allocation-free form: validates everything, then writes per-position losses into
     * {@code lossOut} (if not null) and the gradient into {@code gradOut} (if not null; it may be
     * {@code studentLogits} itself) and returns the reduced value. {@code target} may be null when
     * alpha is 1.
     */
    public double compute(double[] studentLogits, int[] shape, double[] teacher, int[] target, double[] upstream,
                          double[] lossOut, double[] gradOut) {
        ClassShape cs = FamilyRun.classShape("studentLogits", Check.len(studentLogits), shape);
        checkTeacher(cs, Check.len(teacher), shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), FamilyRun.first(upstream));
        double[] perPosition = reduction == Reduction.NONE ? upstream : null;
        LossSum d = checked(cs, target, Check.len(lossOut), Check.len(gradOut));
        checkEmpty(d);
        return reduce(FamilyRun.run(this, cs, d, usesTarget(),
                rows(studentLogits, teacher, target, cs, lossOut, gradOut, perPosition, gradScale(d, g), countedGradScale(d, g))));
    }

    /**
     * One chunk of a split computation (rows of the batch dimension): the distillation term's
     * gradient is scaled by {@code gradScale} ({@link #gradScale(LossSum, double)} of the merged
     * denominators), the hard-label term's by {@code ceGradScale}
     * ({@link #countedGradScale(LossSum, double)}), each times {@code upstream[s]} when given;
     * returns the chunk's pair (the hard-label term as its {@link LossSum#auxSum()}).
     */
    public LossSum partial(double[] studentLogits, int[] shape, double[] teacher, int[] target, double gradScale,
                           double ceGradScale, double[] upstream, double[] lossOut, double[] gradOut) {
        ClassShape cs = FamilyRun.classShape("studentLogits", Check.len(studentLogits), shape);
        checkTeacher(cs, Check.len(teacher), shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        LossSum d = checked(cs, target, Check.len(lossOut), Check.len(gradOut));
        return FamilyRun.run(this, cs, d, usesTarget(),
                rows(studentLogits, teacher, target, cs, lossOut, gradOut, upstream, gradScale, ceGradScale));
    }

    // ---------------------------------------------------------------- denominators

    /**
     * The denominators for inputs of {@code shape}: BATCHMEAN's N (dimension 0; 1 for (C)), or the
     * number of elements for MEAN, SUM and NONE; positions; and, with a target, the ignored ones (the
     * hard-label term's MEAN divides by {@link LossSum#counted()}). {@code target} may be null when
     * alpha is 1 (it is then validated but not used).
     *
     * @throws InvalidInputException for a target outside [0, C) that is not ignore_index, or a
     *                               missing target with alpha &lt; 1
     */
    public LossSum denominator(int[] shape, int[] target) {
        ClassShape cs = Check.classShape("studentLogits", shape);
        return denominators(cs, target);
    }

    // ---------------------------------------------------------------- shared

    private boolean usesTarget() {
        return alpha < 1;
    }

    private LossSum denominators(ClassShape cs, int[] target) {
        if (target == null && usesTarget()) {
            throw Check.of("target", "is required with alpha=%s < 1 (the hard-label cross-entropy term)", alpha);
        }
        long ignored = 0;
        if (target != null) {
            ClassTargets.checkLength(cs, target, "studentLogits");
            ignored = ClassTargets.scan(target, cs.positions(), cs.classes(), ignoreIndex, null).ignored();
        }
        ExactSum d = new ExactSum();
        d.add(reduction == Reduction.BATCHMEAN ? cs.outer() : (double) cs.positions() * cs.classes());
        return LossSum.wrap(new ExactSum(), d, cs.positions(), usesTarget() ? ignored : 0);
    }

    private LossSum checked(ClassShape cs, int[] target, int lossLen, int gradLen) {
        FamilyRun.checkOutputs(cs, lossLen, gradLen);
        return denominators(cs, target);
    }

    private static void checkTeacher(ClassShape cs, int teacherLen, int[] shape) {
        if (teacherLen < 0) {
            throw Check.of("teacher", "must not be null");
        }
        Check.length("teacher", teacherLen, cs.positions() * cs.classes(),
                "the teacher has the student's shape " + Check.shape(shape));
    }

    private DistillParams params(ClassShape cs) {
        return new DistillParams(cs.classes(), temperature, teacherLogProbs, alpha, ignoreIndex);
    }

    private FamilyRun.Rows rows(float[] x, float[] teacher, int[] target, ClassShape cs, float[] lossOut, float[] gradOut,
                                float[] upstream, double scale, double ceScale) {
        Kernels k = Dispatch.kernels();
        DistillParams p = params(cs);
        int[] t = usesTarget() ? target : null;
        return (n0, n1, sum, aux) -> k.distillation(x, teacher, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream,
                scale, ceScale, sum, aux);
    }

    private FamilyRun.Rows rows(double[] x, double[] teacher, int[] target, ClassShape cs, double[] lossOut,
                                double[] gradOut, double[] upstream, double scale, double ceScale) {
        Kernels k = Dispatch.kernels();
        DistillParams p = params(cs);
        int[] t = usesTarget() ? target : null;
        return (n0, n1, sum, aux) -> k.distillation(x, teacher, t, n0, n1, cs.inner(), p, lossOut, gradOut, upstream,
                scale, ceScale, sum, aux);
    }

    @Override
    public String toString() {
        return "DistillationLoss[temperature=" + temperature + ", alpha=" + alpha + ", teacherLogProbs=" + teacherLogProbs
                + ", ignoreIndex=" + ignoreIndex + ", reduction=" + reduction.torchName() + "]";
    }

    /** Options of a {@link DistillationLoss}. */
    public static final class Builder extends Loss.Builder<Builder, DistillationLoss> {
        private double temperature = 1;
        private double alpha = 1;
        private boolean teacherLogProbs;
        private int ignoreIndex = -100;

        private Builder() {
            this.reduction = Reduction.BATCHMEAN;
        }

        private Builder(DistillationLoss from) {
            super(from);
            this.temperature = from.temperature;
            this.alpha = from.alpha;
            this.teacherLogProbs = from.teacherLogProbs;
            this.ignoreIndex = from.ignoreIndex;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        String torchName() {
            return "distillation";
        }

        @Override
        boolean batchmean() {
            return true;
        }

        /**
         * The temperature T > 0 (default 1): both distributions are softened as softmax(logits / T),
         * and the distillation term is scaled by T^2 so that its gradient keeps its size.
         *
         * @throws InvalidInputException for T &le; 0, NaN or infinite
         */
        public Builder temperature(double temperature) {
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw Check.value("temperature", temperature, "must be > 0 and finite");
            }
            this.temperature = temperature;
            return this;
        }

        /**
         * The weight alpha in [0, 1] of the distillation term; below 1 the hard-label cross-entropy
         * gets 1 - alpha and a target is required. Default 1.
         *
         * @throws InvalidInputException for alpha outside [0, 1] or NaN
         */
        public Builder alpha(double alpha) {
            if (!(alpha >= 0 && alpha <= 1)) {
                throw Check.value("alpha", alpha, "must be in [0, 1]");
            }
            this.alpha = alpha;
            return this;
        }

        /** Whether the teacher holds log-probabilities, used as they are (default false: logits, softened by T). */
        public Builder teacherLogProbs(boolean logProbs) {
            this.teacherLogProbs = logProbs;
            return this;
        }

        /** Targets equal to this value are skipped by the hard-label term. Default -100. */
        public Builder ignoreIndex(int ignoreIndex) {
            this.ignoreIndex = ignoreIndex;
            return this;
        }

        @Override
        public DistillationLoss build() {
            return new DistillationLoss(this);
        }
    }
}
