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
 * <p>Two-part losses. Some losses add a second term whose MEAN divides by the number of counted
 * positions instead of the denominator: cross-entropy's z-loss ({@code s lse^2}) and the
 * hard-label cross-entropy of {@link DistillationLoss}. That term's sum is kept apart as
 * {@link #auxSum()} (also exactly); {@link #sum()} is always the whole sum, and MEAN / BATCHMEAN are
 * {@code (sum - auxSum) / denominator + auxSum / counted}. A pair without such a term has
 * {@code auxSum() == 0} and reduces exactly as before.
 *
 * <p>Immutable and thread-safe; serializable (for aggregation frameworks).
 */
public final class LossSum implements java.io.Serializable {

    private static final long serialVersionUID = 2L;

    /** Nothing: the neutral element of {@link #plus(LossSum)}. */
    public static final LossSum ZERO = new LossSum(new ExactSum(), new ExactSum(), new ExactSum(), 0, 0);

    /** The sum of the terms that MEAN divides by the denominator (the whole sum minus aux). */
    private final ExactSum sum;
    /** The sum of the terms that MEAN divides by the counted positions (0 for one-part losses). */
    private final ExactSum aux;
    private final ExactSum denominator;
    private final long positions;
    private final long ignored;

    private LossSum(ExactSum sum, ExactSum aux, ExactSum denominator, long positions, long ignored) {
        this.sum = sum;
        this.aux = aux;
        this.denominator = denominator;
        this.positions = positions;
        this.ignored = ignored;
        // canonical digits now, so that reading never writes (thread safety of the shared instances)
        sum.doubleValue();
        aux.doubleValue();
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
        return of(sum, 0, denominator, positions, ignored);
    }

    /**
     * A pair of a two-part loss from plain numbers (see the class note), exact from these doubles on.
     *
     * @param sum         the whole sum of the per-position losses, as {@link #sum()}
     * @param auxSum      the part of it that MEAN divides by the counted positions, as {@link #auxSum()}
     * @param denominator the MEAN denominator of the other part
     * @param positions   positions seen, ignored ones included (>= 0)
     * @param ignored     positions skipped as ignore_index (0 &le; ignored &le; positions)
     * @throws InvalidInputException when a count is out of range
     */
    public static LossSum of(double sum, double auxSum, double denominator, long positions, long ignored) {
        if (positions < 0) {
            throw new InvalidInputException("positions", -1, Long.toString(positions), "must be >= 0");
        }
        if (ignored < 0 || ignored > positions) {
            throw new InvalidInputException("ignored", -1, Long.toString(ignored), "must be in [0, positions=" + positions + "]");
        }
        ExactSum s = new ExactSum();
        s.add(sum);
        s.add(-auxSum);
        ExactSum a = new ExactSum();
        a.add(auxSum);
        ExactSum d = new ExactSum();
        d.add(denominator);
        return new LossSum(s, a, d, positions, ignored);
    }

    /** From kernel accumulators (taken over, not copied). */
    static LossSum wrap(ExactSum sum, ExactSum denominator, long positions, long ignored) {
        return new LossSum(sum, new ExactSum(), denominator, positions, ignored);
    }

    /** The same counts and denominator with this loss sum (a denominator pair completed by a pass over the logits). */
    LossSum withSum(ExactSum newSum) {
        return new LossSum(newSum, new ExactSum(), denominator, positions, ignored);
    }

    /** As {@link #withSum(ExactSum)} for a two-part loss: {@code main} over the denominator, {@code auxSum} over the count. */
    LossSum withSums(ExactSum main, ExactSum auxSum) {
        return new LossSum(main, auxSum, denominator, positions, ignored);
    }

    /** The sum of the per-position losses (both parts), correctly rounded from the exact sum. */
    public double sum() {
        if (aux.isZero()) {
            return sum.doubleValue();
        }
        ExactSum all = sum.copy();
        all.add(aux);
        return all.doubleValue();
    }

    /**
     * The part of {@link #sum()} that MEAN divides by {@link #counted()} rather than by the
     * denominator (z-loss, distillation's hard-label term; see the class note); 0 for one-part losses.
     */
    public double auxSum() {
        return aux.doubleValue();
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
        if (other.positions == 0 && other.sum.isZero() && other.aux.isZero() && other.denominator.isZero()) {
            return this;
        }
        if (positions == 0 && sum.isZero() && aux.isZero() && denominator.isZero()) {
            return other;
        }
        ExactSum s = sum.copy();
        s.add(other.sum);
        ExactSum a = aux.copy();
        a.add(other.aux);
        ExactSum d = denominator.copy();
        d.add(other.denominator);
        return new LossSum(s, a, d, Math.addExact(positions, other.positions), Math.addExact(ignored, other.ignored));
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
     * BATCHMEAN (for a two-part loss {@code (sum() - auxSum()) / denominator() + auxSum() / counted()},
     * each part rounded once), or what {@code emptyMean} says when {@link #isEmpty()}.
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
        if (aux.isZero()) {
            return sum.doubleValue() / denominator();
        }
        return sum.doubleValue() / denominator() + aux.doubleValue() / counted();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossSum l && positions == l.positions && ignored == l.ignored
                && sum.equals(l.sum) && aux.equals(l.aux) && denominator.equals(l.denominator);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sum, aux, denominator, positions, ignored);
    }

    @Override
    public String toString() {
        return "LossSum[sum=" + sum() + (aux.isZero() ? "" : ", auxSum=" + auxSum()) + ", denominator=" + denominator() + ", positions=" + positions
                + ", ignored=" + ignored + "]";
    }
}
