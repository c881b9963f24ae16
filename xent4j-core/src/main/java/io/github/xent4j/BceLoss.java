package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.Vec;
import io.github.xent4j.spi.Broadcast;

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
 * <p>Instances are immutable and thread-safe.
 */
public final class BceLoss extends ElementwiseLoss {

    /** PyTorch's defaults: no weight, MEAN. */
    public static final BceLoss DEFAULTS = new BceLoss(null, null, Reduction.MEAN, EmptyMeanPolicy.NAN);

    /** PyTorch's gradient clamp: {@code constexpr float EPSILON = 1e-12}, a float even for float64 data. */
    private static final double EPSILON = 1e-12f;

    private final double[] weight;
    private final int[] weightShape;

    private BceLoss(double[] weight, int[] weightShape, Reduction reduction, EmptyMeanPolicy emptyMean) {
        super(reduction, emptyMean);
        this.weight = weight;
        this.weightShape = weightShape;
    }

    /** A loss with this reduction and no weight. */
    public static BceLoss of(Reduction reduction) {
        return DEFAULTS.withReduction(reduction);
    }

    /** A copy with this reduction (NONE, SUM or MEAN). */
    public BceLoss withReduction(Reduction r) {
        Reductions.requireNot(r, Reduction.BATCHMEAN, "binary_cross_entropy");
        return new BceLoss(weight, weightShape, r, emptyMean);
    }

    /** A copy with an element weight of shape {@code shape}, broadcast to the input as NumPy does. */
    public BceLoss withWeight(double[] weight, int... shape) {
        if (weight == null) {
            return new BceLoss(null, null, reduction, emptyMean);
        }
        Check.numel("weight", shape, weight.length);
        return new BceLoss(weight.clone(), shape.clone(), reduction, emptyMean);
    }

    /** What MEAN yields on an empty input (default NaN, as PyTorch). */
    public BceLoss withEmptyMean(EmptyMeanPolicy policy) {
        return new BceLoss(weight, weightShape, reduction, java.util.Objects.requireNonNull(policy));
    }

    @Override
    double compute(Vec x, int n, int[] shape, Vec t, int targetLen, Vec up, int upLen,
                   Vec lossOut, int lossLen, Vec gradOut, int gradLen) {
        double g = checkCommon(n, shape, targetLen, up, upLen, lossLen, gradLen);
        Broadcast w = Check.broadcast("weight", weight, weightShape, shape);
        for (int i = 0; i < n; i++) {
            double xi = x.get(i);
            if (!(xi >= 0 && xi <= 1)) {
                throw Check.fail("input[%d]=%s must be in [0, 1]: binary_cross_entropy takes probabilities "
                        + "(use binary_cross_entropy_with_logits for logits)", i, xi);
            }
            double yi = t.get(i);
            if (!(yi >= 0 && yi <= 1)) {
                throw Check.fail("target[%d]=%s must be in [0, 1]", i, yi);
            }
        }
        Reductions.checkEmpty(reduction, n, emptyMean, "an empty input");
        double scale = reduction == Reduction.MEAN ? g / n : g;
        boolean perElement = reduction == Reduction.NONE && up != null;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double xi = x.get(i);
            double yi = t.get(i);
            double wi = w == null ? 1 : w.at(i);
            double l = (yi - 1) * Math.max(Math.log1p(-xi), -100) - yi * Math.max(Math.log(xi), -100);
            l *= wi;
            total += l;
            if (lossOut != null) {
                lossOut.set(i, l);
            }
            if (gradOut != null) {
                double gi = perElement ? up.get(i) : scale;
                gradOut.set(i, gi * wi * (xi - yi) / Math.max((1 - xi) * xi, EPSILON));
            }
        }
        return Reductions.reduce(reduction, total, n, n, emptyMean);
    }
}
