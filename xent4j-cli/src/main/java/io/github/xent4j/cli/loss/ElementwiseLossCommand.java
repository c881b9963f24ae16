package io.github.xent4j.cli.loss;

import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.io.DataException;

/** The element-wise losses (bce, bce-with-logits, kl-div): target of the input's shape, one loss per element. */
abstract class ElementwiseLossCommand extends LossCommand {

    /** The per-chunk computation once shapes are checked; {@code t} is the target chunk in the input's precision. */
    @FunctionalInterface
    interface Body {
        double compute(long r0, long r1, Object x, Object t, int[] shape, io.github.xent4j.Reduction r, Object up,
                       Object lossOut, Object gradOut);
    }

    /**
     * Checks that the target has the input's shape and builds the plan; MEAN divides by the number
     * of elements, BATCHMEAN by the size of dimension 0 (1 for a 0-d input).
     */
    static Plan plan(Source x, Source t, Precision p, String what, Body body) {
        long[] xs = x.shape();
        long[] ts = t.shape();
        if (!Dims.equal(xs, ts)) {
            throw new DataException(t.name() + ": target shape " + Dims.format(ts) + " must equal the input shape "
                    + Dims.format(xs) + " of " + x.name() + " (" + what + ")");
        }
        long numel = x.numel();
        boolean chunkable = xs.length > 0;
        long rows = x.rows();
        return new Plan(rows, x.rowSize(), chunkable, xs, x.rowSize(), numel, numel,
                (r0, r1, xb, shape, r, up, lossOut, gradOut) -> {
                    Object tb = p.read(t, r0, r1, Precision.length(xb));
                    return body.compute(r0, r1, xb, tb, shape, r, up, lossOut, gradOut);
                });
    }
}
