package io.github.xent4j;

import io.github.xent4j.internal.Vec;

/**
 * Kullback-Leibler divergence, as PyTorch's {@code torch.nn.KLDivLoss} (2.x): the input holds
 * log-probabilities log q, the target holds p (or log p with {@code logTarget}); pointwise
 * KL(p || q).
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
 * <p>Instances are immutable and thread-safe.
 */
public final class KlDivLoss extends ElementwiseLoss {

    /** PyTorch's defaults: MEAN, target holds probabilities. */
    public static final KlDivLoss DEFAULTS = new KlDivLoss(Reduction.MEAN, false, EmptyMeanPolicy.NAN);

    private final boolean logTarget;

    private KlDivLoss(Reduction reduction, boolean logTarget, EmptyMeanPolicy emptyMean) {
        super(reduction, emptyMean);
        this.logTarget = logTarget;
    }

    /** A loss with this reduction (NONE, SUM, MEAN or BATCHMEAN); {@code logTarget}: the target holds log p. */
    public static KlDivLoss of(Reduction reduction, boolean logTarget) {
        return new KlDivLoss(java.util.Objects.requireNonNull(reduction), logTarget, EmptyMeanPolicy.NAN);
    }

    /** Whether the target holds log-probabilities. */
    public boolean logTarget() {
        return logTarget;
    }

    /** What MEAN/BATCHMEAN yield on an empty input (default NaN, as PyTorch). */
    public KlDivLoss withEmptyMean(EmptyMeanPolicy policy) {
        return new KlDivLoss(reduction, logTarget, java.util.Objects.requireNonNull(policy));
    }

    @Override
    double compute(Vec x, int n, int[] shape, Vec t, int targetLen, Vec up, int upLen,
                   Vec lossOut, int lossLen, Vec gradOut, int gradLen) {
        double g = checkCommon(n, shape, targetLen, up, upLen, lossLen, gradLen);
        Reduction r = reduction == Reduction.BATCHMEAN ? Reduction.MEAN : reduction;
        double denominator = reduction == Reduction.BATCHMEAN ? (shape.length == 0 ? 1 : shape[0]) : n;
        Reductions.checkEmpty(r, (long) denominator, emptyMean, "an empty input");
        double scale = r == Reduction.MEAN ? g / denominator : g;
        boolean perElement = reduction == Reduction.NONE && up != null;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double xi = x.get(i);
            double ti = t.get(i);
            double l;
            double dl;
            if (logTarget) {
                double e = Math.exp(ti);
                l = e * (ti - xi);
                dl = -e;
            } else {
                l = xlogy(ti, ti) - ti * xi;
                dl = -ti;
            }
            total += l;
            if (lossOut != null) {
                lossOut.set(i, l);
            }
            if (gradOut != null) {
                gradOut.set(i, (perElement ? up.get(i) : scale) * dl);
            }
        }
        return Reductions.reduce(r, total, denominator, (long) denominator, emptyMean);
    }

    /** x * log(y), 0 when x == 0 (and y is not NaN), as torch.xlogy. */
    static double xlogy(double x, double y) {
        if (Double.isNaN(y)) {
            return Double.NaN;
        }
        return x == 0 ? 0 : x * Math.log(y);
    }
}
