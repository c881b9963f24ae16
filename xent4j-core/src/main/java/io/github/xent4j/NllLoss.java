package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;

import java.util.Arrays;

/**
 * Negative log-likelihood on log-probabilities, as PyTorch's {@code torch.nn.NLLLoss}.
 *
 * <p>Shapes as {@link CrossEntropyLoss}: logProbs (C), (N, C) or (N, C, d1, ..., dk); one class
 * index per position. The input is assumed to hold log-probabilities and is not checked.
 * <pre>{@code
 * value:     L_s = -w[y_s] * x[s, y_s]        (0 where y_s == ignore_index)
 * gradient:  dL/dx[s, c] = -w[y_s] * [c == y_s] * g     (0 on ignored positions), g = upstream / D
 * MEAN denominator D = sum over non-ignored positions of w[y_s]   (no weight: their count)
 * }</pre>
 * All targets ignored, or an empty batch: MEAN is NaN (see {@link EmptyMeanPolicy}), the gradient
 * zero. {@code nll_loss(log_softmax(x))} equals {@code cross_entropy(x)}.
 *
 * <p>Example: logProbs {@code log([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])}, targets {@code [2, 0]}: MEAN
 * = (-log 0.5 - log 0.1) / 2 = 1.4978661.
 *
 * <p>Splitting the work: {@link #denominator(int[], int[])} and {@link #partial}, merged with
 * {@link LossSum#plus}, give this loss's value bitwise. Instances are immutable and thread-safe.
 */
public final class NllLoss extends Loss {

    /** PyTorch's defaults: no weight, ignore_index -100, MEAN. */
    public static final NllLoss DEFAULTS = builder().build();

    private final double[] weight;
    private final int ignoreIndex;

    private NllLoss(Builder b) {
        super(b);
        this.weight = b.weight;
        this.ignoreIndex = b.ignoreIndex;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this loss's options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The target value that is skipped (default -100). */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** A copy of the class weights, or null. */
    public double[] weight() {
        return weight == null ? null : weight.clone();
    }

    /**
     * The shape rule of NLL's targets, for callers that hold shaped data: (N) for (N, C),
     * (N, d1..dk) for (N, C, d1..dk), a 0-d or 1-element target for an unbatched (C).
     *
     * @throws InvalidInputException naming both shapes when they do not fit
     */
    public static void checkTargetShape(int[] inputShape, int[] targetShape) {
        Check.notNull("input shape", inputShape);
        Check.notNull("target shape", targetShape);
        ClassTargets.checkShape(inputShape, targetShape);
    }

    // ---------------------------------------------------------------- float32

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(float[] logProbs, int[] shape, int[] target) {
        return compute(logProbs, shape, target, null, null, null);
    }

    /** The loss; {@code losses} is set for NONE. */
    public FloatResult forward(float[] logProbs, int[] shape, int[] target) {
        float[] losses = reduction == Reduction.NONE ? new float[shapeOf(logProbs.length, shape).positions()] : null;
        return new FloatResult(compute(logProbs, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient (upstream gradient 1). */
    public FloatResult forwardBackward(float[] logProbs, int[] shape, int[] target) {
        return forwardBackward(logProbs, shape, target, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)}; {@code losses} is set for NONE. */
    public FloatResult forwardBackward(float[] logProbs, int[] shape, int[] target, float[] upstream) {
        float[] losses = reduction == Reduction.NONE ? new float[shapeOf(logProbs.length, shape).positions()] : null;
        float[] grad = new float[logProbs.length];
        return new FloatResult(compute(logProbs, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form, as {@link CrossEntropyLoss#compute(float[], int[], int[], float[], float[], float[])}. */
    public double compute(float[] logProbs, int[] shape, int[] target, float[] upstream, float[] lossOut, float[] gradOut) {
        ClassShape cs = shapeOf(logProbs == null ? -1 : logProbs.length, shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), upstream == null || upstream.length == 0 ? 1 : upstream[0]);
        float[] perPosition = reduction == Reduction.NONE ? upstream : null;
        Kernels k = Dispatch.kernels();
        return run(cs, target, Check.len(lossOut), Check.len(gradOut), true, g, (p, scale) -> (n0, n1, sum) ->
                k.nllLoss(logProbs, target, n0, n1, cs.inner(), p, lossOut, gradOut, perPosition, scale, sum)).value;
    }

    /** One chunk of a split computation, as {@link CrossEntropyLoss#partial(float[], int[], int[], double, float[], float[], float[])}. */
    public LossSum partial(float[] logProbs, int[] shape, int[] target, double gradScale, float[] upstream,
                           float[] lossOut, float[] gradOut) {
        ClassShape cs = shapeOf(logProbs == null ? -1 : logProbs.length, shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        Kernels k = Dispatch.kernels();
        return run(cs, target, Check.len(lossOut), Check.len(gradOut), false, gradScale, (p, scale) -> (n0, n1, sum) ->
                k.nllLoss(logProbs, target, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum)).pair;
    }

    // ---------------------------------------------------------------- float64

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(double[] logProbs, int[] shape, int[] target) {
        return compute(logProbs, shape, target, null, null, null);
    }

    /** The loss; {@code losses} is set for NONE. */
    public DoubleResult forward(double[] logProbs, int[] shape, int[] target) {
        double[] losses = reduction == Reduction.NONE ? new double[shapeOf(logProbs.length, shape).positions()] : null;
        return new DoubleResult(compute(logProbs, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient (upstream gradient 1). */
    public DoubleResult forwardBackward(double[] logProbs, int[] shape, int[] target) {
        return forwardBackward(logProbs, shape, target, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)}; {@code losses} is set for NONE. */
    public DoubleResult forwardBackward(double[] logProbs, int[] shape, int[] target, double[] upstream) {
        double[] losses = reduction == Reduction.NONE ? new double[shapeOf(logProbs.length, shape).positions()] : null;
        double[] grad = new double[logProbs.length];
        return new DoubleResult(compute(logProbs, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form. */
    public double compute(double[] logProbs, int[] shape, int[] target, double[] upstream, double[] lossOut, double[] gradOut) {
        ClassShape cs = shapeOf(logProbs == null ? -1 : logProbs.length, shape);
        double g = scalarUpstream(Check.len(upstream), cs.positions(), upstream == null || upstream.length == 0 ? 1 : upstream[0]);
        double[] perPosition = reduction == Reduction.NONE ? upstream : null;
        Kernels k = Dispatch.kernels();
        return run(cs, target, Check.len(lossOut), Check.len(gradOut), true, g, (p, scale) -> (n0, n1, sum) ->
                k.nllLoss(logProbs, target, n0, n1, cs.inner(), p, lossOut, gradOut, perPosition, scale, sum)).value;
    }

    /** One chunk of a split computation. */
    public LossSum partial(double[] logProbs, int[] shape, int[] target, double gradScale, double[] upstream,
                           double[] lossOut, double[] gradOut) {
        ClassShape cs = shapeOf(logProbs == null ? -1 : logProbs.length, shape);
        Check.optionalLength("upstream", Check.len(upstream), cs.positions(), "one gradient per position of the chunk");
        Kernels k = Dispatch.kernels();
        return run(cs, target, Check.len(lossOut), Check.len(gradOut), false, gradScale, (p, scale) -> (n0, n1, sum) ->
                k.nllLoss(logProbs, target, n0, n1, cs.inner(), p, lossOut, gradOut, upstream, scale, sum)).pair;
    }

    /**
     * The denominators for logProbs of {@code shape}, from the targets alone (validates them); see
     * {@link CrossEntropyLoss#denominator(int[], int[])}.
     */
    public LossSum denominator(int[] shape, int[] target) {
        ClassShape cs = Check.classShape("logProbs", shape);
        ClassTargets.params(cs, weight, ignoreIndex, 0, "logProbs");
        ClassTargets.checkLength(cs, target, "logProbs");
        return ClassTargets.scan(target, cs.positions(), cs.classes(), ignoreIndex, weight);
    }

    // ---------------------------------------------------------------- shared

    @FunctionalInterface
    private interface Bind {
        Dispatch.Block bind(CeParams p, double scale);
    }

    /** A call's pair and (for compute) its reduced value. */
    private record Outcome(LossSum pair, double value) {
    }

    private Outcome run(ClassShape cs, int[] target, int lossLen, int gradLen, boolean reduceIt, double upstreamOrScale, Bind bind) {
        CeParams p = ClassTargets.params(cs, weight, ignoreIndex, 0, "logProbs");
        ClassTargets.checkLength(cs, target, "logProbs");
        Check.optionalLength("lossOut", lossLen, cs.positions(), "one loss per position");
        Check.optionalLength("gradOut", gradLen, cs.positions() * cs.classes(), "the input's shape");
        LossSum d = ClassTargets.scan(target, cs.positions(), cs.classes(), ignoreIndex, weight);
        double scale = upstreamOrScale;
        if (reduceIt) {
            checkEmpty(d);
            scale = gradScale(d, upstreamOrScale);
        }
        ExactSum s = Dispatch.run(cs.outer(), (long) cs.classes() * cs.inner(), threads, executor, bind.bind(p, scale));
        LossSum total = d.withSum(s);
        return new Outcome(total, reduceIt ? reduce(total) : Double.NaN);
    }

    private static ClassShape shapeOf(int length, int[] shape) {
        if (length < 0) {
            throw Check.of("logProbs", "must not be null");
        }
        return Check.classShape("logProbs", shape, length);
    }


    @Override
    public String toString() {
        return "NllLoss[weight=" + Arrays.toString(weight) + ", ignoreIndex=" + ignoreIndex
                + ", reduction=" + reduction.torchName() + "]";
    }

    /** Options of an {@link NllLoss}; each defaults to PyTorch's behaviour. */
    public static final class Builder extends Loss.Builder<Builder, NllLoss> {
        private double[] weight;
        private int ignoreIndex = -100;

        private Builder() {
        }

        private Builder(NllLoss from) {
            super(from);
            this.weight = from.weight;
            this.ignoreIndex = from.ignoreIndex;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        String torchName() {
            return "nll_loss";
        }

        /** Per-class weights, one per class (copied); null for none. */
        public Builder weight(double... weight) {
            this.weight = weight == null ? null : weight.clone();
            return this;
        }

        /** Targets equal to this value are skipped (loss 0, not counted in MEAN). Default -100. */
        public Builder ignoreIndex(int ignoreIndex) {
            this.ignoreIndex = ignoreIndex;
            return this;
        }

        @Override
        public NllLoss build() {
            return new NllLoss(this);
        }
    }
}
