package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.TargetScan;
import io.github.xent4j.internal.Vec;

/**
 * Negative log-likelihood on log-probabilities, as PyTorch's {@code torch.nn.NLLLoss}.
 *
 * <p>Shapes as {@link CrossEntropyLoss}: logProbs (C), (N, C) or (N, C, d1, ..., dk); one class
 * index per position. The input is assumed to hold log-probabilities and is not checked.
 * <pre>{@code
 * value:     L_s = -w[y_s] * x[s, y_s]        (0 where y_s == ignore_index)
 * gradient:  dL/dx[s, c] = -w[y_s] * [c == y_s] / D    (0 on ignored positions)
 * MEAN denominator D = sum over non-ignored positions of w[y_s]   (no weight: their count)
 * }</pre>
 * All targets ignored, or an empty batch: MEAN is NaN (see {@link EmptyMeanPolicy}), the gradient
 * zero. {@code nll_loss(log_softmax(x))} equals {@code cross_entropy(x)}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class NllLoss {

    /** PyTorch's defaults: no weight, ignore_index -100, MEAN. */
    public static final NllLoss DEFAULTS = new NllLoss(null, -100, Reduction.MEAN, EmptyMeanPolicy.NAN);

    private final double[] weight;
    private final int ignoreIndex;
    private final Reduction reduction;
    private final EmptyMeanPolicy emptyMean;

    private NllLoss(double[] weight, int ignoreIndex, Reduction reduction, EmptyMeanPolicy emptyMean) {
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
        this.emptyMean = emptyMean;
    }

    /** A loss with this reduction and PyTorch's other defaults. */
    public static NllLoss of(Reduction reduction) {
        return DEFAULTS.withReduction(reduction);
    }

    /** A copy with this reduction (NONE, SUM or MEAN). */
    public NllLoss withReduction(Reduction r) {
        Reductions.requireNot(r, Reduction.BATCHMEAN, "nll_loss");
        return new NllLoss(weight, ignoreIndex, java.util.Objects.requireNonNull(r), emptyMean);
    }

    /** A copy with one weight per class (null for none). */
    public NllLoss withWeight(double... weight) {
        return new NllLoss(weight == null ? null : weight.clone(), ignoreIndex, reduction, emptyMean);
    }

    /** A copy skipping targets equal to this value (default -100). */
    public NllLoss withIgnoreIndex(int ignoreIndex) {
        return new NllLoss(weight, ignoreIndex, reduction, emptyMean);
    }

    /** What MEAN yields with no valid position (default NaN, as PyTorch). */
    public NllLoss withEmptyMean(EmptyMeanPolicy policy) {
        return new NllLoss(weight, ignoreIndex, reduction, java.util.Objects.requireNonNull(policy));
    }

    /** NONE, SUM or MEAN. */
    public Reduction reduction() {
        return reduction;
    }

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(float[] logProbs, int[] shape, int[] target) {
        return compute(logProbs, shape, target, null, null, null);
    }

    /** The loss and its gradient; {@code losses} is set for NONE. */
    public FloatResult forwardBackward(float[] logProbs, int[] shape, int[] target, float[] upstream) {
        float[] losses = reduction == Reduction.NONE ? new float[Check.classShape("logProbs", shape, logProbs.length).positions()] : null;
        float[] grad = new float[logProbs.length];
        return new FloatResult(compute(logProbs, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form, as {@link CrossEntropyLoss#compute(float[], int[], int[], float[], float[], float[])}. */
    public double compute(float[] logProbs, int[] shape, int[] target, float[] upstream, float[] lossOut, float[] gradOut) {
        return compute(Vec.of(logProbs), logProbs.length, shape, target, Vec.of(upstream), Check.len(upstream),
                Vec.of(lossOut), Check.len(lossOut), Vec.of(gradOut), Check.len(gradOut));
    }

    /** The reduced loss (NONE: the sum of the per-position losses). */
    public double value(double[] logProbs, int[] shape, int[] target) {
        return compute(logProbs, shape, target, null, null, null);
    }

    /** The loss and its gradient; {@code losses} is set for NONE. */
    public DoubleResult forwardBackward(double[] logProbs, int[] shape, int[] target, double[] upstream) {
        double[] losses = reduction == Reduction.NONE ? new double[Check.classShape("logProbs", shape, logProbs.length).positions()] : null;
        double[] grad = new double[logProbs.length];
        return new DoubleResult(compute(logProbs, shape, target, upstream, losses, grad), losses, grad);
    }

    /** The allocation-free form. */
    public double compute(double[] logProbs, int[] shape, int[] target, double[] upstream, double[] lossOut, double[] gradOut) {
        return compute(Vec.of(logProbs), logProbs.length, shape, target, Vec.of(upstream), Check.len(upstream),
                Vec.of(lossOut), Check.len(lossOut), Vec.of(gradOut), Check.len(gradOut));
    }

    private double compute(Vec x, int n, int[] shape, int[] target, Vec up, int upLen,
                           Vec lossOut, int lossLen, Vec gradOut, int gradLen) {
        ClassShape cs = Check.classShape("logProbs", shape, n);
        int classes = cs.classes();
        int inner = cs.inner();
        int positions = cs.positions();
        if (weight != null && weight.length != classes) {
            throw Check.fail("weight has %d elements but the input has C=%d classes; give one weight per class or none",
                    weight.length, classes);
        }
        Check.length("target", target.length, positions, cs.unbatched()
                ? "one class index for an unbatched (C) input" : "one class index per position, N*d1*...*dk");
        Check.optionalLength("lossOut", lossLen, positions, "one loss per position");
        Check.optionalLength("gradOut", gradLen, n, "the input's shape");
        double g = Reductions.scalarUpstream(reduction, up, upLen, positions);
        TargetScan scan = TargetScan.of(target, positions, classes, ignoreIndex, weight);
        Reductions.checkEmpty(reduction, scan.valid(), emptyMean, "no valid target (empty batch or all targets equal ignore_index)");
        double scale = reduction == Reduction.MEAN ? g / scan.denominator() : g;
        boolean perPosition = reduction == Reduction.NONE && up != null;
        double total = 0;
        for (int s = 0; s < positions; s++) {
            int base = (s / inner) * classes * inner + s % inner;
            int y = target[s];
            boolean ignored = y == ignoreIndex;
            double wy = ignored ? 0 : (weight == null ? 1 : weight[y]);
            double l = ignored ? 0 : -wy * x.get(base + y * inner);
            total += l;
            if (lossOut != null) {
                lossOut.set(s, l);
            }
            if (gradOut != null) {
                for (int c = 0; c < classes; c++) {
                    gradOut.set(base + c * inner, 0);
                }
                if (!ignored) {
                    gradOut.set(base + y * inner, -wy * (perPosition ? up.get(s) : scale));
                }
            }
        }
        return Reductions.reduce(reduction, total, scan.denominator(), scan.valid(), emptyMean);
    }
}
