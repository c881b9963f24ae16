package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.internal.Vec;
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
 * <p>Instances are immutable and thread-safe.
 */
public final class BceWithLogitsLoss extends ElementwiseLoss {

    /** PyTorch's defaults: no weights, MEAN. */
    public static final BceWithLogitsLoss DEFAULTS = new BceWithLogitsLoss(null, null, null, null, Reduction.MEAN, EmptyMeanPolicy.NAN, 1);

    private final double[] weight;
    private final int[] weightShape;
    private final double[] posWeight;
    private final int[] posWeightShape;
    private final int threads;

    private BceWithLogitsLoss(double[] weight, int[] weightShape, double[] posWeight, int[] posWeightShape,
                              Reduction reduction, EmptyMeanPolicy emptyMean, int threads) {
        super(reduction, emptyMean);
        this.weight = weight;
        this.weightShape = weightShape;
        this.posWeight = posWeight;
        this.posWeightShape = posWeightShape;
        this.threads = threads;
    }

    /** A loss with this reduction and no weights. */
    public static BceWithLogitsLoss of(Reduction reduction) {
        return DEFAULTS.withReduction(reduction);
    }

    /** A copy with this reduction (NONE, SUM or MEAN). */
    public BceWithLogitsLoss withReduction(Reduction r) {
        Reductions.requireNot(r, Reduction.BATCHMEAN, "binary_cross_entropy_with_logits");
        return new BceWithLogitsLoss(weight, weightShape, posWeight, posWeightShape, r, emptyMean, threads);
    }

    /** A copy with an element weight of shape {@code shape} (broadcast to the input), or none for null. */
    public BceWithLogitsLoss withWeight(double[] weight, int... shape) {
        if (weight != null) {
            Check.numel("weight", shape, weight.length);
        }
        return new BceWithLogitsLoss(weight == null ? null : weight.clone(), weight == null ? null : shape.clone(),
                posWeight, posWeightShape, reduction, emptyMean, threads);
    }

    /** A copy with a positive-class weight of shape {@code shape} (broadcast to the input), or none for null. */
    public BceWithLogitsLoss withPosWeight(double[] posWeight, int... shape) {
        if (posWeight != null) {
            Check.numel("posWeight", shape, posWeight.length);
        }
        return new BceWithLogitsLoss(weight, weightShape, posWeight == null ? null : posWeight.clone(),
                posWeight == null ? null : shape.clone(), reduction, emptyMean, threads);
    }

    /** What MEAN yields on an empty input (default NaN, as PyTorch). */
    public BceWithLogitsLoss withEmptyMean(EmptyMeanPolicy policy) {
        return new BceWithLogitsLoss(weight, weightShape, posWeight, posWeightShape, reduction,
                java.util.Objects.requireNonNull(policy), threads);
    }

    /** Threads for one call (default 1); the value is bitwise the same for any count. */
    public BceWithLogitsLoss withThreads(int threads) {
        if (threads < 1) {
            throw Check.fail("threads=%d must be >= 1", threads);
        }
        return new BceWithLogitsLoss(weight, weightShape, posWeight, posWeightShape, reduction, emptyMean, threads);
    }

    @Override
    public double compute(float[] input, int[] shape, float[] target, float[] upstream, float[] lossOut, float[] gradOut) {
        float[] perElement = reduction == Reduction.NONE ? upstream : null;
        Kernels k = Dispatch.kernels();
        return run(input.length, shape, target.length, Vec.of(upstream), Check.len(upstream), Check.len(lossOut), Check.len(gradOut),
                (i0, i1, w, pw, scale) -> k.bceWithLogits(input, target, i0, i1, w, pw, lossOut, gradOut, perElement, scale));
    }

    @Override
    public double compute(double[] input, int[] shape, double[] target, double[] upstream, double[] lossOut, double[] gradOut) {
        double[] perElement = reduction == Reduction.NONE ? upstream : null;
        Kernels k = Dispatch.kernels();
        return run(input.length, shape, target.length, Vec.of(upstream), Check.len(upstream), Check.len(lossOut), Check.len(gradOut),
                (i0, i1, w, pw, scale) -> k.bceWithLogits(input, target, i0, i1, w, pw, lossOut, gradOut, perElement, scale));
    }

    /** One kernel call over the elements [i0, i1). */
    @FunctionalInterface
    private interface RangeKernel {
        double run(int i0, int i1, Broadcast weight, Broadcast posWeight, double gradScale);
    }

    private double run(int n, int[] shape, int targetLen, Vec up, int upLen, int lossLen, int gradLen, RangeKernel kernel) {
        double g = checkCommon(n, shape, targetLen, up, upLen, lossLen, gradLen);
        Broadcast w = Check.broadcast("weight", weight, weightShape, shape);
        Broadcast pw = Check.broadcast("posWeight", posWeight, posWeightShape, shape);
        Reductions.checkEmpty(reduction, n, emptyMean, "an empty input");
        double scale = reduction == Reduction.MEAN ? g / n : g;
        double total = Dispatch.run(n, 1, threads, (i0, i1) -> kernel.run(i0, i1, w, pw, scale));
        return Reductions.reduce(reduction, total, n, n, emptyMean);
    }

    @Override
    double compute(Vec x, int n, int[] shape, Vec t, int targetLen, Vec up, int upLen,
                   Vec lossOut, int lossLen, Vec gradOut, int gradLen) {
        throw new AssertionError("both precisions are overridden");
    }
}
