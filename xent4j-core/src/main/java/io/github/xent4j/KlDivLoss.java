package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.Kernels;

/**
 * Kullback-Leibler divergence, as PyTorch's {@code torch.nn.KLDivLoss} (2.x): the input holds
 * log-probabilities log q, the target holds p (or log p with {@link Builder#logTarget(boolean)});
 * pointwise KL(p || q).
 * <pre>{@code
 * value:     l = xlogy(t, t) - t * x              (xlogy(0, .) = 0)
 *            l = exp(t) * (t - x)                 with logTarget
 * gradient:  dl/dx = -t                            (-exp(t) with logTarget)
 * MEAN denominator: the number of elements; BATCHMEAN: the size of dimension 0 (1 for a 0-d input)
 * }</pre>
 * Input and target have the same shape (PyTorch would broadcast; xent4j asks for equal shapes).
 * Edge cases: t = 0 with x = -inf, and t &lt; 0, give NaN, as PyTorch 2.x; MEAN averages over
 * classes too — BATCHMEAN is the mathematical KL of each row, averaged over the batch.
 *
 * <p>Example: q = [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], p = [[0.25, 0.25, 0.5], [0, 0.5, 0.5]],
 * input = log q: SUM = 0.5799226402, BATCHMEAN = 0.2899613201.
 *
 * <p>Splitting the work: {@link #denominator(int[])} and {@link #partial}, merged with
 * {@link LossSum#plus}, give this loss's value bitwise. Instances are immutable and thread-safe.
 */
public final class KlDivLoss extends ElementwiseLoss {

    /** PyTorch's defaults: MEAN, the target holds probabilities. */
    public static final KlDivLoss DEFAULTS = builder().build();

    private final boolean logTarget;

    private KlDivLoss(Builder b) {
        super(b);
        this.logTarget = b.logTarget;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this loss's options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether the target holds log-probabilities. */
    public boolean logTarget() {
        return logTarget;
    }

    @Override
    String inputName() {
        return "logProbs";
    }

    @Override
    double meanDenominator(int[] shape, int numel) {
        return reduction == Reduction.BATCHMEAN ? (shape.length == 0 ? 1 : shape[0]) : numel;
    }

    // ---------------------------------------------------------------- float32

    /** The reduced loss (NONE: the sum of the per-element losses). */
    @Override
    public double value(float[] logProbs, int[] shape, float[] target) {
        return compute(logProbs, shape, target, null, null, null);
    }

    /** The loss; {@code losses} (one per element) is set for NONE. */
    @Override
    public FloatResult forward(float[] logProbs, int[] shape, float[] target) {
        float[] losses = reduction == Reduction.NONE ? new float[logProbs.length] : null;
        return new FloatResult(compute(logProbs, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    @Override
    public FloatResult forwardBackward(float[] logProbs, int[] shape, float[] target) {
        return forwardBackward(logProbs, shape, target, null);
    }

    /**
     * The loss and the gradient of {@code sum(upstream * output)}: {@code upstream} has one value per
     * element for NONE, one value for a reduced loss, or is null for ones.
     */
    @Override
    public FloatResult forwardBackward(float[] logProbs, int[] shape, float[] target, float[] upstream) {
        float[] losses = reduction == Reduction.NONE ? new float[logProbs.length] : null;
        float[] grad = new float[logProbs.length];
        return new FloatResult(compute(logProbs, shape, target, upstream, losses, grad), losses, grad);
    }

    /**
     * The allocation-free form: validates everything first, then writes the per-element losses
     * into {@code lossOut} and the gradient into {@code gradOut} (each optional; {@code gradOut}
     * may be {@code logProbs} itself) and returns the reduced value.
     */
    @Override
    public double compute(float[] logProbs, int[] shape, float[] target, float[] upstream, float[] lossOut, float[] gradOut) {
        float[] up = perElement(upstream);
        return compute(Check.len(logProbs), shape, Check.len(target), Check.len(upstream), first(upstream),
                Check.len(lossOut), Check.len(gradOut), NO_VALIDATION,
                (slice, scale) -> { Kernels k = Dispatch.kernels(); return (i0, i1, sum) -> k.klDiv(logProbs, target, i0, i1, slice, logTarget, lossOut, gradOut, up, scale, sum); });
    }

    /**
     * One chunk of a split computation (rows of dimension 0): validates, writes the chunk's losses
     * and gradient (scaled by {@code gradScale}, times {@code upstream[i]} when given) and returns
     * the chunk's pair.
     */
    @Override
    public LossSum partial(float[] logProbs, int[] shape, float[] target, double gradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        float[] up = upstream;
        return partial(Check.len(logProbs), shape, Check.len(target), Check.len(upstream), Check.len(lossOut),
                Check.len(gradOut), gradScale, NO_VALIDATION,
                (slice, scale) -> { Kernels k = Dispatch.kernels(); return (i0, i1, sum) -> k.klDiv(logProbs, target, i0, i1, slice, logTarget, lossOut, gradOut, up, scale, sum); });
    }

    // ---------------------------------------------------------------- float64

    /** The reduced loss (NONE: the sum of the per-element losses). */
    @Override
    public double value(double[] logProbs, int[] shape, double[] target) {
        return compute(logProbs, shape, target, null, null, null);
    }

    /** The loss; {@code losses} (one per element) is set for NONE. */
    @Override
    public DoubleResult forward(double[] logProbs, int[] shape, double[] target) {
        double[] losses = reduction == Reduction.NONE ? new double[logProbs.length] : null;
        return new DoubleResult(compute(logProbs, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    @Override
    public DoubleResult forwardBackward(double[] logProbs, int[] shape, double[] target) {
        return forwardBackward(logProbs, shape, target, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)}; see the float32 form. */
    @Override
    public DoubleResult forwardBackward(double[] logProbs, int[] shape, double[] target, double[] upstream) {
        double[] losses = reduction == Reduction.NONE ? new double[logProbs.length] : null;
        double[] grad = new double[logProbs.length];
        return new DoubleResult(compute(logProbs, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form; see the float32 form. */
    @Override
    public double compute(double[] logProbs, int[] shape, double[] target, double[] upstream, double[] lossOut, double[] gradOut) {
        double[] up = perElement(upstream);
        return compute(Check.len(logProbs), shape, Check.len(target), Check.len(upstream), first(upstream),
                Check.len(lossOut), Check.len(gradOut), NO_VALIDATION,
                (slice, scale) -> { Kernels k = Dispatch.kernels(); return (i0, i1, sum) -> k.klDiv(logProbs, target, i0, i1, slice, logTarget, lossOut, gradOut, up, scale, sum); });
    }

    /** One chunk of a split computation; see the float32 form. */
    @Override
    public LossSum partial(double[] logProbs, int[] shape, double[] target, double gradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        double[] up = upstream;
        return partial(Check.len(logProbs), shape, Check.len(target), Check.len(upstream), Check.len(lossOut),
                Check.len(gradOut), gradScale, NO_VALIDATION,
                (slice, scale) -> { Kernels k = Dispatch.kernels(); return (i0, i1, sum) -> k.klDiv(logProbs, target, i0, i1, slice, logTarget, lossOut, gradOut, up, scale, sum); });
    }

    /** Options of a {@link KlDivLoss}; each defaults to PyTorch's behaviour. */
    public static final class Builder extends Loss.Builder<Builder, KlDivLoss> {
        private boolean logTarget;

        private Builder() {
        }

        private Builder(KlDivLoss from) {
            super(from);
            this.logTarget = from.logTarget;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        String torchName() {
            return "kl_div";
        }

        @Override
        boolean batchmean() {
            return true;
        }

        /** Whether the target holds log-probabilities log p rather than p (default false). */
        public Builder logTarget(boolean logTarget) {
            this.logTarget = logTarget;
            return this;
        }

        @Override
        public KlDivLoss build() {
            return new KlDivLoss(this);
        }
    }
}
