package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.ExactSum;

/**
 * What the losses whose target has the input's shape and whose NONE output has one loss per element
 * share (BCE, BCE-with-logits, KL divergence, sigmoid focal): the shape rule, the denominators (a count), and the
 * one skeleton of compute and partial that each of them calls with its kernel. The public methods,
 * named after each loss's input domain, live in the subclasses.
 */
public abstract class ElementwiseLoss extends Loss {

    ElementwiseLoss(Loss.Builder<?, ?> b) {
        super(b);
    }

    /**
     * The shape rule of BCE, BCE-with-logits and (in xent4j) KL divergence, for callers that hold
     * shaped data: the target's shape must equal the input's.
     *
     * @throws InvalidInputException naming both shapes
     */
    public static void checkSameShape(int[] inputShape, int[] targetShape) {
        if (!java.util.Arrays.equals(inputShape, targetShape)) {
            throw Check.of("target", "of shape %s must have the same shape as the input %s",
                    targetShape == null ? "null" : Check.shape(targetShape), inputShape == null ? "null" : Check.shape(inputShape));
        }
    }

    // ---------------------------------------------------------------- the methods every element-wise loss has
    // (each subclass names the input after its domain: logits, probs, logProbs)

    /** The reduced loss (NONE: the sum of the per-element losses). */
    public abstract double value(float[] input, int[] shape, float[] target);

    /** The loss; {@code losses} (one per element) is set for NONE. */
    public abstract FloatResult forward(float[] input, int[] shape, float[] target);

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    public abstract FloatResult forwardBackward(float[] input, int[] shape, float[] target);

    /** The loss and the gradient of {@code sum(upstream * output)}. */
    public abstract FloatResult forwardBackward(float[] input, int[] shape, float[] target, float[] upstream);

    /** The allocation-free form: losses into {@code lossOut}, gradient into {@code gradOut} (may be the input). */
    public abstract double compute(float[] input, int[] shape, float[] target, float[] upstream, float[] lossOut, float[] gradOut);

    /** One chunk (rows of dimension 0) of a split computation, returning its pair. */
    public abstract LossSum partial(float[] input, int[] shape, float[] target, double gradScale, float[] upstream,
                                    float[] lossOut, float[] gradOut);

    /** The reduced loss (NONE: the sum of the per-element losses). */
    public abstract double value(double[] input, int[] shape, double[] target);

    /** The loss; {@code losses} (one per element) is set for NONE. */
    public abstract DoubleResult forward(double[] input, int[] shape, double[] target);

    /** The loss and its gradient with respect to the input (upstream gradient 1). */
    public abstract DoubleResult forwardBackward(double[] input, int[] shape, double[] target);

    /** The loss and the gradient of {@code sum(upstream * output)}. */
    public abstract DoubleResult forwardBackward(double[] input, int[] shape, double[] target, double[] upstream);

    /** The allocation-free form: losses into {@code lossOut}, gradient into {@code gradOut} (may be the input). */
    public abstract double compute(double[] input, int[] shape, double[] target, double[] upstream, double[] lossOut, double[] gradOut);

    /** One chunk (rows of dimension 0) of a split computation, returning its pair. */
    public abstract LossSum partial(double[] input, int[] shape, double[] target, double gradScale, double[] upstream,
                                    double[] lossOut, double[] gradOut);

    /**
     * The denominators of an input of {@code shape}: its elements, and for MEAN their number (for
     * KL's BATCHMEAN the size of dimension 0).
     */
    public LossSum denominator(int[] shape) {
        int n = Check.numel(inputName(), shape, -1);
        return ClassTargets.count(n, meanDenominator(shape, n));
    }

    /** MEAN's denominator: the number of elements. */
    double meanDenominator(int[] shape, int numel) {
        return numel;
    }

    /** The name of the input argument in messages ("logits", "probs", "logProbs"). */
    abstract String inputName();

    /** Elements per dim-0 slice: the unit a caller may split the batch by. */
    static int slice(int[] shape, int numel) {
        return shape.length == 0 || shape[0] == 0 ? Math.max(1, numel) : Math.max(1, numel / shape[0]);
    }

    /** A kernel call over the flat elements [i0, i1) with the broadcast operands of one shape and a gradient scale. */
    @FunctionalInterface
    interface Bind {
        Dispatch.Block bind(int slice, double gradScale);
    }

    /**
     * compute: checks, the optional pre-pass {@code validate} (before any output), the empty MEAN
     * policy, the kernels, the reduced value.
     */
    final double compute(int n, int[] shape, int targetLen, int upLen, double up0, int lossLen, int gradLen,
                         Runnable validate, Bind bind) {
        checkArrays(n, shape, targetLen, lossLen, gradLen);
        double g = scalarUpstream(upLen, n, up0);
        validate.run();
        LossSum d = denominator(shape);
        checkEmpty(d);
        return reduce(d.withSum(run(n, shape, bind, gradScale(d, g))));
    }

    /** partial: checks, {@code validate}, the kernels with the caller's scale, the chunk's pair. */
    final LossSum partial(int n, int[] shape, int targetLen, int upLen, int lossLen, int gradLen, double gradScale,
                          Runnable validate, Bind bind) {
        checkArrays(n, shape, targetLen, lossLen, gradLen);
        Check.optionalLength("upstream", upLen, n, "one gradient per element of the chunk");
        validate.run();
        return denominator(shape).withSum(run(n, shape, bind, gradScale));
    }

    private ExactSum run(int n, int[] shape, Bind bind, double scale) {
        return Dispatch.runElements(n, slice(shape, n), threads, executor, bind.bind(slice(shape, n), scale));
    }

    private void checkArrays(int n, int[] shape, int targetLen, int lossLen, int gradLen) {
        if (n < 0) {
            throw Check.of(inputName(), "must not be null");
        }
        Check.numel(inputName(), shape, n);
        if (targetLen < 0) {
            throw Check.of("target", "must not be null");
        }
        Check.length("target", targetLen, n, "the target has the input's shape " + Check.shape(shape));
        Check.optionalLength("lossOut", lossLen, n, "one loss per element");
        Check.optionalLength("gradOut", gradLen, n, "the input's shape");
    }

    /** The upstream to pass on to kernels: per element for NONE, else none (it is in the scale). */
    final float[] perElement(float[] upstream) {
        return reduction == Reduction.NONE ? upstream : null;
    }

    /** The upstream to pass on to kernels: per element for NONE, else none (it is in the scale). */
    final double[] perElement(double[] upstream) {
        return reduction == Reduction.NONE ? upstream : null;
    }

    static double first(float[] a) {
        return a == null || a.length == 0 ? 1 : a[0];
    }

    static double first(double[] a) {
        return a == null || a.length == 0 ? 1 : a[0];
    }

    static final Runnable NO_VALIDATION = () -> { };
}
