package io.github.xent4j;

import io.github.xent4j.internal.Check;

/**
 * Class-index targets held as {@code long} (NumPy's and PyTorch's int64) for the losses, which take
 * {@code int[]}: every class index and every ignore_index is an {@code int}, so a value outside the
 * int range can be neither and is rejected here, never wrapped into a valid-looking class. The range
 * rule itself, {@code [0, C)} or ignore_index, is the loss's and is checked by its
 * {@code denominator}, {@code partial} and {@code compute}.
 */
public final class ClassIndices {

    private ClassIndices() {
    }

    /**
     * The targets as {@code int}s, exactly.
     *
     * @param target class indices (or ignore_index), one per position
     * @return a new array of the same values
     * @throws InvalidInputException naming the first value outside
     *         [{@value Integer#MIN_VALUE}, {@value Integer#MAX_VALUE}], with its index
     */
    public static int[] toInt(long[] target) {
        Check.notNull("target", target);
        int[] out = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            long y = target[i];
            if (y != (int) y) {
                throw Check.at("target", i, y, "is outside the int range [%d, %d], so it is neither a class index "
                        + "nor ignore_index", Integer.MIN_VALUE, Integer.MAX_VALUE);
            }
            out[i] = (int) y;
        }
        return out;
    }
}
