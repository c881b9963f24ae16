package io.github.xent4j.cli.loss;

import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.data.Sources;
import io.github.xent4j.cli.io.DataException;

/**
 * A weight broadcast to the input as PyTorch's element-wise losses do (aligned on the trailing
 * dimensions, each 1 or equal, never enlarging the input). One whose leading dimension runs along
 * the input's rows (a per-sample (N, 1) weight) is read chunk by chunk with the input; any other
 * is read once.
 */
final class Operand {

    private final Source source;
    private final long[] shape;
    private final boolean perRow;
    private final double[] whole;

    private Operand(Source source, long[] shape, boolean perRow, double[] whole) {
        this.source = source;
        this.shape = shape;
        this.perRow = perRow;
        this.whole = whole;
    }

    /** Checks that {@code w} broadcasts to the input {@code x}; null for no weight. */
    static Operand of(Source w, Source x, String option) {
        if (w == null) {
            return null;
        }
        long[] ws = w.shape();
        long[] xs = x.shape();
        for (int i = 0; i < ws.length - xs.length; i++) {
            if (ws[i] != 1) {
                throw notBroadcastable(w, x, option, "it has more dimensions than the input");
            }
        }
        int lead = Math.max(0, ws.length - xs.length);
        long[] trimmed = java.util.Arrays.copyOfRange(ws, lead, ws.length);
        for (int k = 0; k < trimmed.length; k++) {
            int d = xs.length - trimmed.length + k;
            if (trimmed[k] != 1 && trimmed[k] != xs[d]) {
                throw notBroadcastable(w, x, option, "dimension " + d + " of the input is " + xs[d] + " but the weight has "
                        + trimmed[k] + " (must be 1 or " + xs[d] + ")");
            }
        }
        boolean perRow = trimmed.length == xs.length && xs.length > 0 && trimmed[0] == xs[0] && xs[0] != 1;
        // a weight with extra leading singleton dimensions is small enough to slice in memory
        double[] whole = perRow && w.rank() == trimmed.length ? null : Sources.readAllDoubles(w);
        return new Operand(w, trimmed, perRow, whole);
    }

    private static DataException notBroadcastable(Source w, Source x, String option, String why) {
        return new DataException(w.name() + ": " + option + " of shape " + Dims.format(w.shape())
                + " cannot be broadcast to the input " + x.name() + " of shape " + Dims.format(x.shape()) + ": " + why);
    }

    /** The values for input rows [r0, r1). */
    double[] values(long r0, long r1) {
        if (!perRow) {
            return whole;
        }
        long perRowElements = Dims.numel(java.util.Arrays.copyOfRange(shape, 1, shape.length));
        if (whole != null) {
            return java.util.Arrays.copyOfRange(whole, (int) (r0 * perRowElements), (int) (r1 * perRowElements));
        }
        double[] out = new double[(int) ((r1 - r0) * perRowElements)];
        source.read(r0, r1, out, 0);
        return out;
    }

    /** The shape of {@link #values(long, long)}. */
    int[] shape(long r0, long r1) {
        return perRow ? Dims.chunk(shape, r1 - r0) : Dims.toInt(shape);
    }
}
