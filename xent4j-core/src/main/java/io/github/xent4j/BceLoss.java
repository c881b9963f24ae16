package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.Kernels;

/**
 * Binary cross-entropy on probabilities, as PyTorch's {@code torch.nn.BCELoss} (2.x).
 *
 * <p>Input x: probabilities in [0, 1], any shape; target y of the same shape, in [0, 1]; optional
 * {@code weight} broadcast to the input's shape (per class (C), per sample (N, 1), ...).
 * <pre>{@code
 * value:     l = w * ( (y - 1) * max(log1p(-x), -100) - y * max(log(x), -100) )
 * gradient:  dl/dx = w * (x - y) / max(x * (1 - x), eps),   eps = (float) 1e-12 = 9.999999960041972e-13
 * MEAN denominator: the number of elements (weights never count)
 * }</pre>
 * Each log is clamped at -100 before it is multiplied, so x = 0, y = 0 gives 0 and x = 0, y = 1
 * gives 100; the gradient's clamp is independent (x = 0, y = 1 gives -1.0000000039958e12). An input outside
 * [0, 1] or NaN, or a target outside [0, 1], is rejected (PyTorch 2.x). Use
 * {@link BceWithLogitsLoss} on logits: it is exact where this one clamps.
 *
 * <p>Example: x = 0.3, y = 0.7 gives 0.9497834462 and gradient -1.9047619048.
 *
 * <p>Splitting the work: {@link #denominator(int[])} and {@link #partial}, merged with
 * {@link LossSum#plus}, give this loss's value bitwise. Instances are immutable and thread-safe.
 */
public final class BceLoss extends ElementwiseLoss {

    /** PyTorch's defaults: no weight, MEAN. */
    public static final BceLoss DEFAULTS = builder().build();

    private final double[] weight;
    private final int[] weightShape;

    private BceLoss(Builder b) {
        super(b);
        this.weight = b.weight;
        this.weightShape = b.weightShape;
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
        return "probs";
    }

    // ---------------------------------------------------------------- float32

    /** The reduced loss (NONE: the sum of the per-element losses). */
    @Override
    public double value(float[] probs, int[] shape, float[] target) {
        return compute(probs, shape, target, null, null, null);
    }

    /** The loss; {@code losses} (one per element) is set for NONE. */
    @Override
    public FloatResult forward(float[] probs, int[] shape, float[] target) {
        float[] losses = reduction == Reduction.NONE ? new float[probs.length] : null;
        return new FloatResult(compute(probs, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    @Override
    public FloatResult forwardBackward(float[] probs, int[] shape, float[] target) {
        return forwardBackward(probs, shape, target, null);
    }

    /**
     * The loss and the gradient of {@code sum(upstream * output)}: {@code upstream} has one value per
     * element for NONE, one value for a reduced loss, or is null for ones.
     */
    @Override
    public FloatResult forwardBackward(float[] probs, int[] shape, float[] target, float[] upstream) {
        float[] losses = reduction == Reduction.NONE ? new float[probs.length] : null;
        float[] grad = new float[probs.length];
        return new FloatResult(compute(probs, shape, target, upstream, losses, grad), losses, grad);
    }

    /**
     * The allocation-free form: validates everything first, then writes the per-element losses
     * into {@code lossOut} and the gradient into {@code gradOut} (each optional; {@code gradOut}
     * may be {@code probs} itself) and returns the reduced value.
     */
    @Override
    public double compute(float[] probs, int[] shape, float[] target, float[] upstream, float[] lossOut, float[] gradOut) {
        float[] up = perElement(upstream);
        return compute(Check.len(probs), shape, Check.len(target), Check.len(upstream), first(upstream),
                Check.len(lossOut), Check.len(gradOut), () -> checkRanges(probs, target),
                (slice, scale) -> bind(probs, target, shape, slice, lossOut, gradOut, up, scale));
    }

    /**
     * One chunk of a split computation (rows of dimension 0): validates, writes the chunk's losses
     * and gradient (scaled by {@code gradScale}, times {@code upstream[i]} when given) and returns
     * the chunk's pair.
     */
    @Override
    public LossSum partial(float[] probs, int[] shape, float[] target, double gradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        float[] up = upstream;
        return partial(Check.len(probs), shape, Check.len(target), Check.len(upstream), Check.len(lossOut),
                Check.len(gradOut), gradScale, () -> checkRanges(probs, target),
                (slice, scale) -> bind(probs, target, shape, slice, lossOut, gradOut, up, scale));
    }

    // ---------------------------------------------------------------- float64

    /** The reduced loss (NONE: the sum of the per-element losses). */
    @Override
    public double value(double[] probs, int[] shape, double[] target) {
        return compute(probs, shape, target, null, null, null);
    }

    /** The loss; {@code losses} (one per element) is set for NONE. */
    @Override
    public DoubleResult forward(double[] probs, int[] shape, double[] target) {
        double[] losses = reduction == Reduction.NONE ? new double[probs.length] : null;
        return new DoubleResult(compute(probs, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    @Override
    public DoubleResult forwardBackward(double[] probs, int[] shape, double[] target) {
        return forwardBackward(probs, shape, target, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)}; see the float32 form. */
    @Override
    public DoubleResult forwardBackward(double[] probs, int[] shape, double[] target, double[] upstream) {
        double[] losses = reduction == Reduction.NONE ? new double[probs.length] : null;
        double[] grad = new double[probs.length];
        return new DoubleResult(compute(probs, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form; see the float32 form. */
    @Override
    public double compute(double[] probs, int[] shape, double[] target, double[] upstream, double[] lossOut, double[] gradOut) {
        double[] up = perElement(upstream);
        return compute(Check.len(probs), shape, Check.len(target), Check.len(upstream), first(upstream),
                Check.len(lossOut), Check.len(gradOut), () -> checkRanges(probs, target),
                (slice, scale) -> bind(probs, target, shape, slice, lossOut, gradOut, up, scale));
    }

    /** One chunk of a split computation; see the float32 form. */
    @Override
    public LossSum partial(double[] probs, int[] shape, double[] target, double gradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        double[] up = upstream;
        return partial(Check.len(probs), shape, Check.len(target), Check.len(upstream), Check.len(lossOut),
                Check.len(gradOut), gradScale, () -> checkRanges(probs, target),
                (slice, scale) -> bind(probs, target, shape, slice, lossOut, gradOut, up, scale));
    }

    /** PyTorch 2.x: the input must hold probabilities, and so must the target. */
    private static void checkRanges(float[] x, float[] y) {
        Kernels k = Dispatch.kernels();
        int i = k.firstOutsideUnit(x, 0, x.length);
        if (i >= 0) {
            throw outside("probs", i, x[i]);
        }
        i = k.firstOutsideUnit(y, 0, y.length);
        if (i >= 0) {
            throw Check.at("target", i, y[i], "must be in [0, 1]");
        }
    }

    private static void checkRanges(double[] x, double[] y) {
        Kernels k = Dispatch.kernels();
        int i = k.firstOutsideUnit(x, 0, x.length);
        if (i >= 0) {
            throw outside("probs", i, x[i]);
        }
        i = k.firstOutsideUnit(y, 0, y.length);
        if (i >= 0) {
            throw Check.at("target", i, y[i], "must be in [0, 1]");
        }
    }

    private static InvalidInputException outside(String name, int i, double v) {
        return Check.at(name, i, v, "must be in [0, 1]: binary_cross_entropy takes probabilities "
                + "(use binary_cross_entropy_with_logits for logits)");
    }

    private Dispatch.Block bind(float[] x, float[] y, int[] shape, int slice, float[] lossOut, float[] gradOut,
                                float[] up, double scale) {
        Kernels k = Dispatch.kernels();
        Broadcast w = Check.broadcast("weight", weight, weightShape, shape);
        return (i0, i1, sum) -> k.bce(x, y, i0, i1, slice, w, lossOut, gradOut, up, scale, sum);
    }

    private Dispatch.Block bind(double[] x, double[] y, int[] shape, int slice, double[] lossOut, double[] gradOut,
                                double[] up, double scale) {
        Kernels k = Dispatch.kernels();
        Broadcast w = Check.broadcast("weight", weight, weightShape, shape);
        return (i0, i1, sum) -> k.bce(x, y, i0, i1, slice, w, lossOut, gradOut, up, scale, sum);
    }

    /** Options of a {@link BceLoss}; each defaults to PyTorch's behaviour. */
    public static final class Builder extends Loss.Builder<Builder, BceLoss> {
        private double[] weight;
        private int[] weightShape;

        private Builder() {
        }

        private Builder(BceLoss from) {
            super(from);
            this.weight = from.weight;
            this.weightShape = from.weightShape;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        String torchName() {
            return "binary_cross_entropy";
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

        @Override
        public BceLoss build() {
            return new BceLoss(this);
        }
    }
}
