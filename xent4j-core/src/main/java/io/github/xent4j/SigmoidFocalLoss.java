package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.Kernels;

/**
 * The sigmoid focal loss of RetinaNet from logits, exactly {@code
 * torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none")}:
 * BCE-with-logits down-weighted by {@code (1 - p_t)^gamma} and balanced by alpha, evaluated stably.
 *
 * <p>Input x: logits, any shape; target t of the same shape (binary labels, or any value in [0, 1]).
 * <pre>{@code
 * p = sigmoid(x)
 * ce      = (1 - t) * x - log_sigmoid(x)             = BCE-with-logits(x, t); log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
 * 1 - p_t = t * sigmoid(-x) + (1 - t) * sigmoid(x)   (= 1 - (p t + (1 - p)(1 - t)), torchvision's, without its cancellation)
 * a_t     = alpha * t + (1 - alpha) * (1 - t)        (alpha >= 0; alpha < 0 disables it: a_t = 1)
 * value:    l = a_t * ce * (1 - p_t)^gamma
 * gradient: dl/dx = a_t * ( (p - t) * (1 - p_t)^gamma + gamma * ce * (1 - p_t)^gamma * (1 - 2t) * p (1 - p) / (1 - p_t) )
 * MEAN denominator: the number of elements
 * }</pre>
 * {@code p (1 - p) / (1 - p_t)} is taken as 1 where 1 - p_t is 0 (its limit there: a saturated logit
 * on the right side), so gamma below 1 gives no 0 * inf; {@code 0^0 = 1} at gamma = 0, which is
 * (alpha-weighted) BCE-with-logits. Edge cases: x = +inf with t = 1, and x = -inf, give NaN
 * (0 * inf in the BCE term), as PyTorch.
 *
 * <p>Defaults are torchvision's: alpha 0.25, gamma 2 and reduction NONE (the other losses default
 * to MEAN).
 *
 * <p>Example (checked by a test): x = [[0.5, -1, 2], [3, 0, -2]], t = [[1, 0, 1], [0, 1, 0.5]]: SUM =
 * 2.2932358 (torchvision: 2.293235837403852 in float64).
 *
 * <p>Splitting the work: {@link #denominator(int[])} and {@link #partial}, merged with
 * {@link LossSum#plus}, give this loss's value bitwise. Instances are immutable and thread-safe.
 */
public final class SigmoidFocalLoss extends ElementwiseLoss {

    /** torchvision's defaults: alpha 0.25, gamma 2, reduction NONE. */
    public static final SigmoidFocalLoss DEFAULTS = builder().build();

    private final double alpha;
    private final double gamma;

    private SigmoidFocalLoss(Builder b) {
        super(b);
        this.alpha = b.alpha;
        this.gamma = b.gamma;
    }

    /** A builder with torchvision's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this loss's options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The class-balance weight alpha of positives (default 0.25; negative: off). */
    public double alpha() {
        return alpha;
    }

    /** The focusing exponent gamma (default 2). */
    public double gamma() {
        return gamma;
    }

    @Override
    String inputName() {
        return "logits";
    }

    // ---------------------------------------------------------------- float32

    /** The reduced loss (NONE: the sum of the per-element losses). */
    @Override
    public double value(float[] logits, int[] shape, float[] target) {
        return compute(logits, shape, target, null, null, null);
    }

    /** The loss; {@code losses} (one per element) is set for NONE. */
    @Override
    public FloatResult forward(float[] logits, int[] shape, float[] target) {
        float[] losses = reduction == Reduction.NONE ? new float[logits.length] : null;
        return new FloatResult(compute(logits, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    @Override
    public FloatResult forwardBackward(float[] logits, int[] shape, float[] target) {
        return forwardBackward(logits, shape, target, null);
    }

    /**
     * The loss and the gradient of {@code sum(upstream * output)}: {@code upstream} has one value per
     * element for NONE, one value for a reduced loss, or is null for ones.
     */
    @Override
    public FloatResult forwardBackward(float[] logits, int[] shape, float[] target, float[] upstream) {
        float[] losses = reduction == Reduction.NONE ? new float[logits.length] : null;
        float[] grad = new float[logits.length];
        return new FloatResult(compute(logits, shape, target, upstream, losses, grad), losses, grad);
    }

    /**
     * The allocation-free form: validates everything first, then writes the per-element losses
     * into {@code lossOut} and the gradient into {@code gradOut} (each optional; {@code gradOut}
     * may be {@code logits} itself) and returns the reduced value.
     */
    @Override
    public double compute(float[] logits, int[] shape, float[] target, float[] upstream, float[] lossOut, float[] gradOut) {
        float[] up = perElement(upstream);
        return compute(Check.len(logits), shape, Check.len(target), Check.len(upstream), first(upstream),
                Check.len(lossOut), Check.len(gradOut), NO_VALIDATION,
                (slice, scale) -> bind(logits, target, slice, lossOut, gradOut, up, scale));
    }

    /**
     * One chunk of a split computation (rows of dimension 0): validates, writes the chunk's losses
     * and gradient (scaled by {@code gradScale}, times {@code upstream[i]} when given) and returns
     * the chunk's pair.
     */
    @Override
    public LossSum partial(float[] logits, int[] shape, float[] target, double gradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        float[] up = upstream;
        return partial(Check.len(logits), shape, Check.len(target), Check.len(upstream), Check.len(lossOut),
                Check.len(gradOut), gradScale, NO_VALIDATION,
                (slice, scale) -> bind(logits, target, slice, lossOut, gradOut, up, scale));
    }

    // ---------------------------------------------------------------- float64

    /** The reduced loss (NONE: the sum of the per-element losses). */
    @Override
    public double value(double[] logits, int[] shape, double[] target) {
        return compute(logits, shape, target, null, null, null);
    }

    /** The loss; {@code losses} (one per element) is set for NONE. */
    @Override
    public DoubleResult forward(double[] logits, int[] shape, double[] target) {
        double[] losses = reduction == Reduction.NONE ? new double[logits.length] : null;
        return new DoubleResult(compute(logits, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    @Override
    public DoubleResult forwardBackward(double[] logits, int[] shape, double[] target) {
        return forwardBackward(logits, shape, target, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)}; see the float32 form. */
    @Override
    public DoubleResult forwardBackward(double[] logits, int[] shape, double[] target, double[] upstream) {
        double[] losses = reduction == Reduction.NONE ? new double[logits.length] : null;
        double[] grad = new double[logits.length];
        return new DoubleResult(compute(logits, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form; see the float32 form. */
    @Override
    public double compute(double[] logits, int[] shape, double[] target, double[] upstream, double[] lossOut, double[] gradOut) {
        double[] up = perElement(upstream);
        return compute(Check.len(logits), shape, Check.len(target), Check.len(upstream), first(upstream),
                Check.len(lossOut), Check.len(gradOut), NO_VALIDATION,
                (slice, scale) -> bind(logits, target, slice, lossOut, gradOut, up, scale));
    }

    /** One chunk of a split computation; see the float32 form. */
    @Override
    public LossSum partial(double[] logits, int[] shape, double[] target, double gradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        double[] up = upstream;
        return partial(Check.len(logits), shape, Check.len(target), Check.len(upstream), Check.len(lossOut),
                Check.len(gradOut), gradScale, NO_VALIDATION,
                (slice, scale) -> bind(logits, target, slice, lossOut, gradOut, up, scale));
    }

    private Dispatch.Block bind(float[] x, float[] y, int slice, float[] lossOut, float[] gradOut, float[] up, double scale) {
        Kernels k = Dispatch.kernels();
        double a = alpha;
        double gm = gamma;
        return (i0, i1, sum) -> k.sigmoidFocal(x, y, i0, i1, slice, a, gm, lossOut, gradOut, up, scale, sum);
    }

    private Dispatch.Block bind(double[] x, double[] y, int slice, double[] lossOut, double[] gradOut, double[] up,
                                double scale) {
        Kernels k = Dispatch.kernels();
        double a = alpha;
        double gm = gamma;
        return (i0, i1, sum) -> k.sigmoidFocal(x, y, i0, i1, slice, a, gm, lossOut, gradOut, up, scale, sum);
    }

    @Override
    public String toString() {
        return "SigmoidFocalLoss[alpha=" + alpha + ", gamma=" + gamma + ", reduction=" + reduction.torchName() + "]";
    }

    /** Options of a {@link SigmoidFocalLoss}; each defaults to torchvision's. */
    public static final class Builder extends Loss.Builder<Builder, SigmoidFocalLoss> {
        private double alpha = 0.25;
        private double gamma = 2;

        private Builder() {
            this.reduction = Reduction.NONE;
        }

        private Builder(SigmoidFocalLoss from) {
            super(from);
            this.alpha = from.alpha;
            this.gamma = from.gamma;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        String torchName() {
            return "sigmoid_focal_loss";
        }

        /**
         * The weight of positives alpha in [0, 1] (negatives get 1 - alpha); any negative value turns
         * the balancing off, as torchvision. Default 0.25.
         *
         * @throws InvalidInputException for alpha above 1 or NaN
         */
        public Builder alpha(double alpha) {
            if (!(alpha <= 1)) {
                throw Check.value("alpha", alpha, "must be in [0, 1], or negative to turn the class balancing off");
            }
            this.alpha = alpha;
            return this;
        }

        /**
         * The focusing exponent gamma >= 0 (default 2; 0: alpha-weighted BCE-with-logits).
         *
         * @throws InvalidInputException for a negative, NaN or infinite gamma
         */
        public Builder gamma(double gamma) {
            this.gamma = FamilyRun.gamma(gamma);
            return this;
        }

        @Override
        public SigmoidFocalLoss build() {
            return new SigmoidFocalLoss(this);
        }
    }
}
