package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.Vec;

/**
 * The common surface of the losses whose target has the input's shape and whose NONE output has
 * one loss per element (BCE, BCE-with-logits, KL divergence): value, forward, forwardBackward and
 * the allocation-free compute, in float32 and float64.
 */
public abstract sealed class ElementwiseLoss permits BceLoss, BceWithLogitsLoss, KlDivLoss {

    final Reduction reduction;
    final EmptyMeanPolicy emptyMean;

    ElementwiseLoss(Reduction reduction, EmptyMeanPolicy emptyMean) {
        this.reduction = reduction;
        this.emptyMean = emptyMean;
    }

    /** The reduction of this loss. */
    public Reduction reduction() {
        return reduction;
    }

    /** The reduced loss (NONE: the sum of the per-element losses). */
    public double value(float[] input, int[] shape, float[] target) {
        return compute(input, shape, target, null, null, null);
    }

    /** The loss; {@code losses} (one per element) is set for NONE. */
    public FloatResult forward(float[] input, int[] shape, float[] target) {
        float[] losses = reduction == Reduction.NONE ? new float[input.length] : null;
        return new FloatResult(compute(input, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    public FloatResult forwardBackward(float[] input, int[] shape, float[] target) {
        return forwardBackward(input, shape, target, null);
    }

    /**
     * The loss and the gradient of {@code sum(upstream * output)}: {@code upstream} has one value per
     * element for NONE, one value for a reduced loss, or is null for ones.
     */
    public FloatResult forwardBackward(float[] input, int[] shape, float[] target, float[] upstream) {
        float[] losses = reduction == Reduction.NONE ? new float[input.length] : null;
        float[] grad = new float[input.length];
        return new FloatResult(compute(input, shape, target, upstream, losses, grad), losses, grad);
    }

    /**
     * The allocation-free form: validates everything first, then writes the per-element losses
     * into {@code lossOut} and the gradient into {@code gradOut} (each optional; {@code gradOut}
     * may be {@code input} itself) and returns the reduced value.
     */
    public double compute(float[] input, int[] shape, float[] target, float[] upstream, float[] lossOut, float[] gradOut) {
        return compute(Vec.of(input), input.length, shape, Vec.of(target), target.length,
                Vec.of(upstream), Check.len(upstream), Vec.of(lossOut), Check.len(lossOut), Vec.of(gradOut), Check.len(gradOut));
    }

    /** The reduced loss (NONE: the sum of the per-element losses). */
    public double value(double[] input, int[] shape, double[] target) {
        return compute(input, shape, target, null, null, null);
    }

    /** The loss; {@code losses} (one per element) is set for NONE. */
    public DoubleResult forward(double[] input, int[] shape, double[] target) {
        double[] losses = reduction == Reduction.NONE ? new double[input.length] : null;
        return new DoubleResult(compute(input, shape, target, null, losses, null), losses, null);
    }

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    public DoubleResult forwardBackward(double[] input, int[] shape, double[] target) {
        return forwardBackward(input, shape, target, null);
    }

    /** The loss and the gradient of {@code sum(upstream * output)}; see the float32 form. */
    public DoubleResult forwardBackward(double[] input, int[] shape, double[] target, double[] upstream) {
        double[] losses = reduction == Reduction.NONE ? new double[input.length] : null;
        double[] grad = new double[input.length];
        return new DoubleResult(compute(input, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form; see the float32 form. */
    public double compute(double[] input, int[] shape, double[] target, double[] upstream, double[] lossOut, double[] gradOut) {
        return compute(Vec.of(input), input.length, shape, Vec.of(target), target.length,
                Vec.of(upstream), Check.len(upstream), Vec.of(lossOut), Check.len(lossOut), Vec.of(gradOut), Check.len(gradOut));
    }

    /**
     * The shape rule of BCE, BCE-with-logits and (in xent4j) KL divergence, for callers that hold
     * shaped data: the target's shape must equal the input's.
     */
    public static void checkSameShape(int[] inputShape, int[] targetShape) {
        if (!java.util.Arrays.equals(inputShape, targetShape)) {
            throw Check.fail("target of shape %s must have the same shape as the input %s",
                    Check.shape(targetShape), Check.shape(inputShape));
        }
    }

    /** Checks shared by every element-wise loss; returns the scalar upstream gradient. */
    final double checkCommon(int n, int[] shape, int targetLen, Vec up, int upLen, int lossLen, int gradLen) {
        Check.numel("input", shape, n);
        Check.length("target", targetLen, n, "the target has the input's shape " + Check.shape(shape));
        Check.optionalLength("lossOut", lossLen, n, "one loss per element");
        Check.optionalLength("gradOut", gradLen, n, "the input's shape");
        return Reductions.scalarUpstream(reduction, up, upLen, n);
    }

    /** The MEAN (or BATCHMEAN) denominator. */
    double denominator(int n, int[] shape) {
        return n;
    }

    /** One body for both precisions. */
    abstract double compute(Vec x, int n, int[] shape, Vec t, int targetLen, Vec up, int upLen,
                            Vec lossOut, int lossLen, Vec gradOut, int gradLen);
}
