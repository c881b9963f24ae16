package io.github.xent4j.cli.loss;

import io.github.xent4j.Reduction;

/**
 * What a loss command has worked out before reading the input: how to split it into chunks of
 * rows, the shape of its per-position output, the MEAN denominator (known from the targets alone)
 * and the function that computes one chunk with the core.
 *
 * @param rows        rows to process (dimension 0 of the input; 1 when not chunkable)
 * @param rowElements input elements per row
 * @param chunkable   false when the input must be read whole (an unbatched (C) input)
 * @param lossShape   the shape of the reduction=none output
 * @param lossPerRow  per-position losses per row (1 when not chunkable)
 * @param denominator the MEAN (or BATCHMEAN) denominator
 * @param counted     how many positions count towards MEAN (0 gives NaN)
 * @param loss        computes one chunk
 */
record Plan(long rows, int rowElements, boolean chunkable, long[] lossShape, int lossPerRow,
            double denominator, long counted, ChunkLoss loss) {

    /** One chunk of the computation. */
    @FunctionalInterface
    interface ChunkLoss {
        /**
         * Computes rows [r0, r1) whose input is {@code x} of shape {@code shape} with the core and
         * returns the core's value (the sum for NONE and SUM).
         *
         * @param upstream null, or the scalar upstream gradient for SUM
         * @param lossOut  null, or the per-position losses to fill (NONE)
         * @param gradOut  null, or the gradient to fill (it is {@code x} itself)
         */
        double compute(long r0, long r1, Object x, int[] shape, Reduction reduction, Object upstream,
                       Object lossOut, Object gradOut);
    }

    /** The reduced value of a streamed computation from the sum of its chunks. */
    double reduce(Reduction r, double total) {
        if (r == Reduction.NONE || r == Reduction.SUM) {
            return total;
        }
        return counted == 0 ? Double.NaN : total / denominator;
    }

    /** The upstream gradient each streamed chunk gets: 1 for SUM, 1/D for MEAN and BATCHMEAN. */
    double scale(Reduction r) {
        return r == Reduction.SUM ? 1.0 : 1.0 / denominator;
    }
}
