package io.github.xent4j;

import io.github.xent4j.spi.ExactSum;

import java.util.Objects;

/**
 * The mergeable state of a reduction: the sum of per-position losses, PyTorch's MEAN denominator,
 * and the counts of positions and of ignored positions, over some part of a batch. Every loss
 * reduces to this pair; merging the pairs of the parts with {@link #plus(LossSum)} gives the pair
 * of the whole, so a caller that streams a file in chunks, splits a batch over threads or
 * aggregates across machines gets exactly the one-call result:
 * <pre>{@code
 * LossSum d = LossSum.ZERO;                                  // 1. denominators, from the targets alone
 * for (Chunk c : chunks) d = d.plus(loss.denominator(c.shape, c.target));
 * double scale = loss.gradScale(d, 1.0);                     //    the gradient scale, known before any logits
 * LossSum total = LossSum.ZERO;                              // 2. one pass over the logits
 * for (Chunk c : chunks) total = total.plus(loss.partial(c.logits, c.shape, c.target, scale, null, null, c.grad));
 * double mean = loss.reduce(total);                          // = loss.value(all logits, all targets), bitwise
 * }</pre>
 *
 * <p>Both sums are kept exactly (as an integer multiple of 2^-1074, see the SPI's
 * {@code ExactSum}) and rounded only when read, so {@code plus} is associative and commutative
 * bit for bit: the result does not depend on how the batch was split or in which order the parts
 * were merged. The denominator is the sum of {@code weight[target]} over non-ignored positions for
 * class-index cross-entropy and NLL, and a count for the others (positions, elements, or the batch
 * size for KL's BATCHMEAN); each loss's javadoc names it.
 *
 * <p>Immutable and thread-safe; serializable (for aggregation frameworks).
 */
public final class LossSum implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** Nothing: the neutral element of {@link #plus(LossSum)}. */
    public static final LossSum ZERO = new LossSum(new ExactSum(), new ExactSum(), 0, 0);

    private final ExactSum sum;
    private final ExactSum denominator;
    private final long positions;
    private final long ignored;

    private LossSum(ExactSum sum, ExactSum denominator, long positions, long ignored) {
        this.sum = sum;
        this.denominator = denominator;
        this.positions = positions;
        this.ignored = ignored;
        // canonical digits now, so that reading never writes (thread safety of the shared instances)
        sum.doubleValue();
        denominator.doubleValue();
    }

    /**
     * A pair from plain numbers, e.g. re-read from a table column: exact from these doubles on.
     *
     * @param sum         the sum of the per-position losses
     * @param denominator the MEAN denominator of these positions
     * @param positions   positions seen, ignored ones included ({@code >= 0})
     * @param ignored     positions skipped as ignore_index ({@code 0 <= ignored <= positions})
     * @throws InvalidInputException when a count is out of range
     */
    public static LossSum of(double sum, double denominator, long positions, long ignored) {
        if (positions < 0) {
            throw new InvalidInputException("positions", -1, Long.toString(positions), "must be >= 0");
        }
        if (ignored < 0 || ignored > positions) {
            throw new InvalidInputException("ignored", -1, Long.toString(ignored), "must be in [0, positions=" + positions + "]");
        }
        ExactSum s = new ExactSum();
        s.add(sum);
        ExactSum d = new ExactSum();
        d.add(denominator);
        return new LossSum(s, d, positions, ignored);
    }

    /** From kernel accumulators (taken over, not copied). */
    static LossSum wrap(ExactSum sum, ExactSum denominator, long positions, long ignored) {
        return new LossSum(sum, denominator, positions, ignored);
    }

    /** The same counts and denominator with this loss sum (a denominator pair completed by a pass over the logits). */
    LossSum withSum(ExactSum newSum) {
        return new LossSum(newSum, denominator, positions, ignored);
    }

    /** The sum of the per-position losses, correctly rounded from the exact sum. */
    public double sum() {
        return sum.doubleValue();
    }

    /** PyTorch's MEAN denominator over these positions, correctly rounded from the exact sum. */
    public double denominator() {
        return denominator.doubleValue();
    }

    /** Positions seen, ignored ones included. */
    public long positions() {
        return positions;
    }

    /** Positions whose class-index target was ignore_index. */
    public long ignored() {
        return ignored;
    }

    /** Positions that count: {@code positions() - ignored()}. */
    public long counted() {
        return positions - ignored;
    }

    /** The pair of both parts: exact, associative and commutative. */
    public LossSum plus(LossSum other) {
        Objects.requireNonNull(other, "other");
        if (other.positions == 0 && other.sum.isZero() && other.denominator.isZero()) {
            return this;
        }
        if (positions == 0 && sum.isZero() && denominator.isZero()) {
            return other;
        }
        ExactSum s = sum.copy();
        s.add(other.sum);
        ExactSum d = denominator.copy();
        d.add(other.denominator);
        return new LossSum(s, d, Math.addExact(positions, other.positions), Math.addExact(ignored, other.ignored));
    }

    /**
     * Whether MEAN has nothing to average: no position counts and the denominator is 0 (an empty
     * batch, or every target ignored). A denominator that is 0 for other reasons (class weights
     * summing to 0) is not empty: MEAN is then 0/0 = NaN, as in PyTorch.
     */
    public boolean isEmpty() {
        return counted() == 0 && denominator.isZero();
    }

    /** The reduced value with PyTorch's empty MEAN (NaN). */
    public double value(Reduction reduction) {
        return value(reduction, EmptyMeanPolicy.NAN);
    }

    /**
     * The reduced value: {@link #sum()} for NONE and SUM; {@code sum() / denominator()} for MEAN and
     * BATCHMEAN, or what {@code emptyMean} says when {@link #isEmpty()}.
     *
     * @throws InvalidInputException for {@link EmptyMeanPolicy#THROW} on an empty MEAN
     */
    public double value(Reduction reduction, EmptyMeanPolicy emptyMean) {
        Objects.requireNonNull(reduction, "reduction");
        Objects.requireNonNull(emptyMean, "emptyMean");
        if (reduction == Reduction.NONE || reduction == Reduction.SUM) {
            return sum();
        }
        if (isEmpty()) {
            return switch (emptyMean) {
                case NAN -> Double.NaN;
                case ZERO -> 0.0;
                case THROW -> throw new InvalidInputException("reduction", -1, reduction.torchName(),
                        "has nothing to average (an empty batch, or every target equal to ignore_index) and emptyMean=THROW");
            };
        }
        return sum() / denominator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossSum l && positions == l.positions && ignored == l.ignored
                && sum.equals(l.sum) && denominator.equals(l.denominator);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sum, denominator, positions, ignored);
    }

    @Override
    public String toString() {
        return "LossSum[sum=" + sum() + ", denominator=" + denominator() + ", positions=" + positions
                + ", ignored=" + ignored + "]";
    }
}
