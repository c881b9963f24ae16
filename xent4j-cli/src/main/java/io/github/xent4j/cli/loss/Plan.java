package io.github.xent4j.cli.loss;

import io.github.xent4j.InvalidInputException;
import io.github.xent4j.Loss;
import io.github.xent4j.LossSum;
import io.github.xent4j.cli.io.DataException;

/**
 * What a loss command has worked out before reading the input: how to split it into chunks of
 * rows, the shape of its per-position output, the core loss (its reduction, gradient scale and
 * reduce) and the core calls of one chunk.
 *
 * @param rows        rows to process (dimension 0 of the input; 1 when not chunkable)
 * @param rowElements input elements per row
 * @param chunkable   false when the input must be read whole (an unbatched (C) input, a 0-d input)
 * @param lossShape   the shape of the reduction=none output
 * @param lossPerRow  per-position losses per row (1 when not chunkable)
 * @param loss        the core loss with the requested reduction
 * @param core        the core's entry points for one chunk
 */
record Plan(long rows, int rowElements, boolean chunkable, long[] lossShape, int lossPerRow, Loss loss, Core core) {

    /**
     * A loss's entry points over rows of the files. Buffers are {@code float[]} or {@code double[]}
     * (see {@link Precision}); {@code lossOut} and {@code gradOut} may be null, and {@code gradOut}
     * is the input buffer itself when set.
     */
    interface Core {
        /** The denominators of rows [r0, r1), from the targets alone (the loss's {@code denominator}). */
        LossSum denominator(long r0, long r1, int[] shape);

        /** The whole input in one call with the loss's reduction: the loss's {@code compute}. */
        double compute(Object x, int[] shape, Object lossOut, Object gradOut);

        /**
         * Rows [r0, r1) given the merged denominators of the whole run, from which the loss's
         * gradient scales ({@code gradScale}, and {@code countedGradScale} for a term that MEAN
         * divides by the counted positions) are known in advance: the loss's {@code partial}.
         */
        LossSum partial(long r0, long r1, Object x, int[] shape, LossSum denominators, Object lossOut, Object gradOut);

        /** The core's complaint about rows from {@code r0} on, in the files' terms (names, positions). */
        DataException restate(InvalidInputException e, long r0);
    }
}
