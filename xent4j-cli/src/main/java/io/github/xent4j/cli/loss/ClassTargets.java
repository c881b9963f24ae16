package io.github.xent4j.cli.loss;

import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.data.Sources;
import io.github.xent4j.cli.io.DataException;

/**
 * Class-index targets of cross-entropy and NLL: the shape rules of PyTorch, a first pass that
 * checks every index against the number of classes and sums the MEAN denominator (the targets
 * are read once before the input, in chunks, so they may be large too), and per-chunk reading.
 */
public final class ClassTargets {

    private static final int PASS_CHUNK = 1 << 20;

    public final Source target;
    public final long classes;
    public final boolean unbatched;
    /** Target positions per input row: d1*...*dk (1 for (N, C)). */
    public final int inner;
    public final long[] positionsShape;
    private long valid;
    private double denominator;

    private ClassTargets(Source target, long classes, boolean unbatched, int inner, long[] positionsShape) {
        this.target = target;
        this.classes = classes;
        this.unbatched = unbatched;
        this.inner = inner;
        this.positionsShape = positionsShape;
    }

    /** The number of classes of an input of this shape (dimension 1, or 0 for a 1-d input). */
    public static long classes(Source x) {
        long[] xs = x.shape();
        if (xs.length == 0) {
            throw new DataException(x.name() + ": the input must have 1 or more dimensions, (C), (N, C) or "
                    + "(N, C, d1, ..., dk), but its shape is ()");
        }
        return xs.length == 1 ? xs[0] : xs[1];
    }

    /**
     * Checks dtype and shape of class-index targets for input {@code x} and runs the first pass.
     *
     * @param weight per-class weights (already checked to have C entries) or null
     */
    public static ClassTargets check(Source x, Source t, double[] weight, int ignoreIndex, String loss) {
        long[] xs = x.shape();
        long classes = classes(x);
        long[] ts = t.shape();
        if (t.isFloating()) {
            throw new DataException(t.name() + ": " + loss + " class-index targets must be integers, but the target holds "
                    + t.dtypeName() + " of shape " + Dims.format(ts)
                    + (loss.equals("cross_entropy") ? "; probability targets must have the input's shape " + Dims.format(xs) : ""));
        }
        ClassTargets ct;
        if (xs.length == 1) {
            if (!(ts.length == 0 || (ts.length == 1 && ts[0] == 1))) {
                throw new DataException(t.name() + ": target shape " + Dims.format(ts) + " does not match the input "
                        + x.name() + " of shape " + Dims.format(xs) + ": an unbatched (C) input takes one class index, "
                        + "shape () or (1,)");
            }
            ct = new ClassTargets(t, classes, true, 1, new long[0]);
        } else {
            long[] expected = Dims.without(xs, 1);
            if (!Dims.equal(ts, expected)) {
                String why = ts.length >= 1 && ts[0] != xs[0]
                        ? " (input batch_size " + xs[0] + " must match target batch_size " + ts[0] + ")"
                        : " (the input's shape without the class dimension 1)";
                throw new DataException(t.name() + ": target shape " + Dims.format(ts) + " does not match the input "
                        + x.name() + " of shape " + Dims.format(xs) + ": expected " + Dims.format(expected) + why);
            }
            long inner = 1;
            for (int i = 2; i < xs.length; i++) {
                inner *= xs[i];
            }
            if (inner > Integer.MAX_VALUE) {
                throw new DataException(x.name() + ": shape " + Dims.format(xs) + " has too many positions per sample");
            }
            ct = new ClassTargets(t, classes, false, (int) inner, expected);
        }
        ct.firstPass(weight, ignoreIndex);
        return ct;
    }

    private void firstPass(double[] weight, int ignoreIndex) {
        long rows = target.rows();
        int rowSize = Math.max(1, target.rowSize());
        long step = Math.max(1, PASS_CHUNK / rowSize);
        long[] ts = target.shape();
        for (long r0 = 0; r0 < rows; r0 += step) {
            long r1 = Math.min(rows, r0 + step);
            long[] buf = new long[(int) ((r1 - r0) * target.rowSize())];
            target.read(r0, r1, buf, 0);
            for (int i = 0; i < buf.length; i++) {
                long y = buf[i];
                if (y == ignoreIndex) {
                    continue;
                }
                if (y < 0 || y >= classes) {
                    throw new DataException(target.name() + ": target" + Dims.index(ts, r0 * target.rowSize() + i) + "=" + y
                            + " is out of bounds for " + classes + " classes (valid: "
                            + (classes == 0 ? "none, the input's class dimension is empty" : "0.." + (classes - 1))
                            + ", or the ignore index " + ignoreIndex + ")");
                }
                valid++;
                denominator += weight == null ? 1 : weight[(int) y];
            }
        }
    }

    /** The number of positions whose target is not the ignore index. */
    public long valid() {
        return valid;
    }

    /** PyTorch's MEAN denominator: the sum of weight[target] over the valid positions (their count without weights). */
    public double denominator() {
        return denominator;
    }

    /** The targets of input rows [r0, r1) (all of them when unbatched). */
    public int[] read(long r0, long r1) {
        long[] buf;
        if (unbatched) {
            buf = new long[1];
            target.read(0, target.rows(), buf, 0);
        } else {
            buf = new long[(int) ((r1 - r0) * inner)];
            target.read(r0, r1, buf, 0);
        }
        int[] out = new int[buf.length];
        for (int i = 0; i < buf.length; i++) {
            out[i] = (int) buf[i];
        }
        return out;
    }

    /** Per-class weights from a file: a 1-d array of C numbers. */
    public static double[] weights(Source w, long classes, String option) {
        if (w == null) {
            return null;
        }
        long[] ws = w.shape();
        if (ws.length != 1 || ws[0] != classes) {
            throw new DataException(w.name() + ": " + option + " must have shape (" + classes + ",), one weight per class, "
                    + "but its shape is " + Dims.format(ws));
        }
        return Sources.readAllDoubles(w);
    }
}
