package io.github.xent4j;

/**
 * How per-position losses become the result, as PyTorch's {@code reduction} argument.
 *
 * <ul>
 *   <li>{@link #NONE}: no reduction; one loss per position.</li>
 *   <li>{@link #SUM}: the sum of the per-position losses.</li>
 *   <li>{@link #MEAN}: the sum divided by the loss's MEAN denominator (for class-index
 *       cross-entropy and NLL the sum of {@code weight[target]} over non-ignored positions; for the
 *       others a count; each loss's javadoc names it).</li>
 *   <li>{@link #BATCHMEAN}: {@link KlDivLoss} only: the sum divided by the size of dimension 0.</li>
 * </ul>
 */
public enum Reduction {
    /** One loss per position. */
    NONE,
    /** The sum of the per-position losses. */
    SUM,
    /** The sum over the loss's MEAN denominator. */
    MEAN,
    /** KL divergence only: the sum over the size of dimension 0. */
    BATCHMEAN;

    /** Parses PyTorch's spelling ("none", "sum", "mean", "batchmean"), case-insensitive. */
    public static Reduction parse(String s) {
        for (Reduction r : values()) {
            if (r.name().equalsIgnoreCase(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("reduction='" + s + "' is not valid; use one of none, sum, mean, batchmean");
    }

    /** PyTorch's spelling of this reduction. */
    public String torchName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
