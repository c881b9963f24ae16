package io.github.xent4j;

import io.github.xent4j.internal.Check;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What every loss of xent4j shares: a reduction, a policy for an empty MEAN, how many threads one
 * call may use and on which executor, and the steps of the mergeable reduction that a caller who
 * splits the work composes ({@link LossSum}): each concrete loss adds {@code denominator(...)}
 * (from the targets alone) and {@code partial(...)} (one chunk of the batch, given the gradient
 * scale), and these two finish the job:
 * <ul>
 *   <li>{@link #gradScale(LossSum, double)}: the factor the gradient of each position gets, known
 *       before any logits are read;</li>
 *   <li>{@link #reduce(LossSum)}: the reduced value of the merged pairs.</li>
 * </ul>
 * Losses are immutable and thread-safe.
 */
public abstract class Loss {

    final Reduction reduction;
    final EmptyMeanPolicy emptyMean;
    final int threads;
    final Executor executor;

    Loss(Builder<?, ?> b) {
        this.reduction = b.reduction;
        this.emptyMean = b.emptyMean;
        this.threads = b.threads;
        this.executor = b.executor;
    }

    /** NONE, SUM or MEAN (BATCHMEAN for KL divergence). */
    public final Reduction reduction() {
        return reduction;
    }

    /** What MEAN yields when nothing counts (default NaN, as PyTorch). */
    public final EmptyMeanPolicy emptyMean() {
        return emptyMean;
    }

    /** Threads one call may use (default 1). */
    public final int threads() {
        return threads;
    }

    /** The executor that runs the helper threads, or null for the library's own pool. */
    public final Executor executor() {
        return executor;
    }

    /**
     * The gradient scale of every position for the total whose denominators are {@code denominator}:
     * {@code upstream / denominator.denominator()} for MEAN and BATCHMEAN, {@code upstream} for SUM
     * and NONE. Pass it to {@code partial}.
     */
    public final double gradScale(LossSum denominator, double upstream) {
        Objects.requireNonNull(denominator, "denominator");
        return reduction == Reduction.MEAN || reduction == Reduction.BATCHMEAN
                ? upstream / denominator.denominator() : upstream;
    }

    /**
     * The gradient scale of the second term of a two-part loss (cross-entropy's z-loss,
     * distillation's hard-label cross-entropy; see {@link LossSum}), whose MEAN divides by the
     * counted positions: {@code upstream / denominator.counted()} for MEAN and BATCHMEAN,
     * {@code upstream} for SUM and NONE. Pass it to the {@code partial} of such a loss.
     */
    public final double countedGradScale(LossSum denominator, double upstream) {
        Objects.requireNonNull(denominator, "denominator");
        return reduction == Reduction.MEAN || reduction == Reduction.BATCHMEAN
                ? upstream / denominator.counted() : upstream;
    }

    /** The reduced value of a total, with this loss's reduction and empty-mean policy. */
    public final double reduce(LossSum total) {
        return total.value(reduction, emptyMean);
    }

    /** Fails (before any output is written) when MEAN has nothing to average and the policy is THROW. */
    final void checkEmpty(LossSum denominator) {
        if (reduction != Reduction.NONE && reduction != Reduction.SUM && emptyMean == EmptyMeanPolicy.THROW
                && denominator.isEmpty()) {
            denominator.value(reduction, emptyMean); // throws
        }
    }

    /** The scalar upstream gradient of a compute call: 1, or upstream[0] for SUM / MEAN; checks lengths. */
    final double scalarUpstream(int upstreamLength, int positions, double first) {
        if (reduction == Reduction.NONE) {
            Check.optionalLength("upstream", upstreamLength, positions, "one gradient per loss position for reduction=none");
            return 1.0;
        }
        Check.optionalLength("upstream", upstreamLength, 1, "a scalar for reduction=" + reduction.torchName());
        return upstreamLength < 0 ? 1.0 : first;
    }

    /** The settings every loss's builder has; each loss adds its own. */
    public abstract static class Builder<B extends Builder<B, L>, L extends Loss> {
        Reduction reduction = Reduction.MEAN;
        EmptyMeanPolicy emptyMean = EmptyMeanPolicy.NAN;
        int threads = 1;
        Executor executor;

        Builder() {
        }

        Builder(Loss from) {
            this.reduction = from.reduction;
            this.emptyMean = from.emptyMean;
            this.threads = from.threads;
            this.executor = from.executor;
        }

        abstract B self();

        /** PyTorch's name of the loss, for messages. */
        abstract String torchName();

        /** Whether {@link Reduction#BATCHMEAN} is allowed (KL divergence only). */
        boolean batchmean() {
            return false;
        }

        /** How the outputs are reduced (default MEAN). */
        public final B reduction(Reduction reduction) {
            if (reduction == null || (reduction == Reduction.BATCHMEAN && !batchmean())) {
                throw Check.value("reduction", reduction == null ? null : reduction.torchName(),
                        "is not valid for %s; use none, sum or mean%s", torchName(), batchmean() ? " or batchmean" : "");
            }
            this.reduction = reduction;
            return self();
        }

        /** What MEAN yields when nothing counts (default NaN, as PyTorch). */
        public final B emptyMean(EmptyMeanPolicy policy) {
            this.emptyMean = Objects.requireNonNull(policy, "emptyMean");
            return self();
        }

        /** Threads for one call (default 1). The value is bitwise the same for any thread count. */
        public final B threads(int threads) {
            this.threads = Check.threads(threads);
            return self();
        }

        /**
         * Runs the helper threads of a call on this executor instead of the library's pool (null:
         * the pool). The calling thread always works too, and a call never waits for a helper that
         * has not started, so a busy or single-threaded executor slows a call down but cannot
         * deadlock it.
         */
        public final B executor(Executor executor) {
            this.executor = executor;
            return self();
        }

        /** The immutable loss. */
        public abstract L build();
    }
}
