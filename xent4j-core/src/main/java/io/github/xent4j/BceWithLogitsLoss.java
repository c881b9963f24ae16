package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.Kernels;

/**
 * Binary cross-entropy on logits, as PyTorch's {@code torch.nn.BCEWithLogitsLoss}: the sigmoid and
 * the BCE in one stable expression.
 *
 * <p>Input x: logits, any shape; target y of the same shape (any real value, as PyTorch);
 * optional {@code weight} and {@code posWeight}, each broadcast to the input's shape along its
 * trailing dimensions (a (C) pos_weight for (N, C); (C, 1, 1) for (N, C, H, W)).
 * <pre>{@code
 * log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
 * value:     l = w * ( (1 - y) * x - (1 + (pw - 1) * y) * log_sigmoid(x) )
 *              = -w * ( pw * y * log(sigmoid(x)) + (1 - y) * log(1 - sigmoid(x)) )
 * gradient:  dl/dx = w * ( (1 + (pw - 1) * y) * sigmoid(x) - pw * y )      (= w * (sigmoid(x) - y) without pw)
 * MEAN denominator: the number of elements (weights never count)
 * }</pre>
 * Edge cases: x = +inf with y = 1, and x = -inf, give NaN (0 * inf), as PyTorch; the gradient stays
 * finite.
 *
 * <p>Example: x = [[0.5, -1, 2], [3, 0, -2]], y = [[1, 0, 1], [0, 1, 0.5]]: MEAN = 0.9638215377.
 *
 * <p>Splitting the work: {@link #denominator(int[])} and {@link #partial}, merged with
 * {@link LossSum#plus}, give this loss's value bitwise. Instances are immutable and thread-safe.
 */
public final class BceWithLogitsLoss extends ElementwiseLoss {

    /** PyTorch's defaults: no weights, MEAN. */
    public static final BceWithLogitsLoss DEFAULTS = builder().build();

    private final double[] weight;
    private final int[] weightShape;
    private final double[] posWeight;
    private final int[] posWeightShape;

    private BceWithLogitsLoss(Builder b) {
        super(b);
        this.weight = b.weight;
        this.weightShape = b.weightShape;
        this.posWeight = b.posWeight;
        this.posWeightShape = b.posWeightShape;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this loss's options. */
    public Builder toBuilder() {
        return new Builder(this);
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
                (slice, scale) -> bind(logits, target, shape, slice, lossOut, gradOut, up, scale));
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
                (slice, scale) -> bind(logits, target, shape, slice, lossOut, gradOut, up, scale));
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
                (slice, scale) -> bind(logits, target, shape, slice, lossOut, gradOut, up, scale));
    }

    /** One chunk of a split computation; see the float32 form. */
    @Override
    public LossSum partial(double[] logits, int[] shape, double[] target, double gradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        double[] up = upstream;
        return partial(Check.len(logits), shape, Check.len(target), Check.len(upstream), Check.len(lossOut),
                Check.len(gradOut), gradScale, NO_VALIDATION,
                (slice, scale) -> bind(logits, target, shape, slice, lossOut, gradOut, up, scale));
    }

    private Dispatch.Block bind(float[] x, float[] y, int[] shape, int slice, float[] lossOut, float[] gradOut,
                                float[] up, double scale) {
        Kernels k = Dispatch.kernels();
        Broadcast w = Check.broadcast("weight", weight, weightShape, shape);
        Broadcast pw = Check.broadcast("posWeight", posWeight, posWeightShape, shape);
        return (i0, i1, sum) -> k.bceWithLogits(x, y, i0, i1, slice, w, pw, lossOut, gradOut, up, scale, sum);
    }

    private Dispatch.Block bind(double[] x, double[] y, int[] shape, int slice, double[] lossOut, double[] gradOut,
                                double[] up, double scale) {
        Kernels k = Dispatch.kernels();
        Broadcast w = Check.broadcast("weight", weight, weightShape, shape);
        Broadcast pw = Check.broadcast("posWeight", posWeight, posWeightShape, shape);
        return (i0, i1, sum) -> k.bceWithLogits(x, y, i0, i1, slice, w, pw, lossOut, gradOut, up, scale, sum);
    }

    /** Options of a {@link BceWithLogitsLoss}; each defaults to PyTorch's behaviour. */
    public static final class Builder extends Loss.Builder<Builder, BceWithLogitsLoss> {
        private double[] weight;
        private int[] weightShape;
        private double[] posWeight;
        private int[] posWeightShape;

        private Builder() {
        }

        private Builder(BceWithLogitsLoss from) {
            super(from);
            this.weight = from.weight;
            this.weightShape = from.weightShape;
            this.posWeight = from.posWeight;
            this.posWeightShape = from.posWeightShape;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        String torchName() {
            return "binary_cross_entropy_with_logits";
        }

        /** An element weight of shape {@code shape}, broadcast to the input as NumPy does (null: none). */
        public Builder weight(double[] weight, int... shape) {
            if (weight != null) {
                Check.numel("weight", shape, weight.length);
            }
            this.weight = weight == null ? null : weight.clone();
            this.weightShape = weight == null ? null : shape.clone();
            return this;
        }

        /** A positive-class weight of shape {@code shape}, broadcast to the input (null: none). */
        public Builder posWeight(double[] posWeight, int... shape) {
            if (posWeight != null) {
                Check.numel("posWeight", shape, posWeight.length);
            }
            this.posWeight = posWeight == null ? null : posWeight.clone();
            this.posWeightShape = posWeight == null ? null : shape.clone();
            return this;
        }

        @Override
        public BceWithLogitsLoss build() {
            return new BceWithLogitsLoss(this);
        }
    }
}
