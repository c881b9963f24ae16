package io.github.xent4j.spark.internal;

/**
 * An order-independent sum of values in [0, 2^62) for the evaluator's metrics that are not losses
 * (confidences, Brier terms): each value is rounded once, to the nearest multiple of 2^-64, and the
 * multiples are added as 128-bit integers. Integer addition is associative and commutative, so the
 * total is bitwise the same for any partitioning and merge order. The only error is the per-value
 * rounding, at most 2^-65 = 2.7e-20 absolute per value; a NaN value makes the sum NaN.
 *
 * <p>Mutable, not thread-safe: one per task, merged with {@link #add(FixedSum)}.
 */
public final class FixedSum implements java.io.Serializable {

    private static final long serialVersionUID = 1L;
    private static final double TWO_64 = 0x1p64;
    private static final double LIMIT = 0x1p62;

    /** The total in units of 2^-64: {@code hi * 2^64 + (lo as unsigned)}. */
    private long hi;
    private long lo;
    private boolean nan;

    /** Adds {@code v}, which must be NaN or in [0, 2^62). */
    public void add(double v) {
        if (!(v >= 0)) {
            if (Double.isNaN(v)) {
                nan = true;
                return;
            }
            throw new IllegalArgumentException("FixedSum takes values >= 0, got " + v);
        }
        if (!(v < LIMIT)) {
            throw new IllegalArgumentException("FixedSum takes values < 2^62, got " + v);
        }
        long whole = (long) v;                  // the integer part, < 2^62
        double x = (v - whole) * TWO_64;        // both steps exact: x in [0, 2^64)
        // below 2^63, x may have a fraction (only when below 2^52): round once, ties to even;
        // from 2^63 on, x is an integer that needs the unsigned top bit
        long units = x < 0x1p63 ? (long) Math.rint(x) : (long) (x - 0x1p63) | Long.MIN_VALUE;
        long sum = lo + units;
        long carry = Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
        lo = sum;
        hi += whole + carry;
    }

    /** Adds another sum (left unchanged). */
    public void add(FixedSum o) {
        long sum = lo + o.lo;
        long carry = Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
        lo = sum;
        hi += o.hi + carry;
        nan |= o.nan;
    }

    /** The total, rounded to the nearest double. */
    public double value() {
        if (nan) {
            return Double.NaN;
        }
        return new java.math.BigDecimal(hi).add(new java.math.BigDecimal(Long.toUnsignedString(lo))
                .multiply(new java.math.BigDecimal(0x1p-64))).doubleValue();
    }
}
