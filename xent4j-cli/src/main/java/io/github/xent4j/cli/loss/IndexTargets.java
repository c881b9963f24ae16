package io.github.xent4j.cli.loss;

import io.github.xent4j.ClassIndices;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.Loss;
import io.github.xent4j.LossSum;
import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.data.Sources;
import io.github.xent4j.cli.io.DataException;

/**
 * A class-index target file for the class-index losses (cross-entropy, NLL and their relatives),
 * read chunk by chunk as the core's {@code int[]} ({@link ClassIndices#toInt}). The rules are the
 * core's: the shape rule ({@code CrossEntropyLoss.isProbabilityTarget}, {@code NllLoss.checkTargetShape}),
 * the range and the MEAN denominator (the loss's {@code denominator}, {@code partial},
 * {@code compute}); this class only restates the core's complaints in the files' terms.
 */
public final class IndexTargets {

    /**
     * A loss's class-index entry points, in both precisions, as method references:
     * {@code new IndexLoss(loss::denominator, loss::compute, loss::compute, loss::partial, loss::partial)}.
     */
    record IndexLoss(Denominator denominator, Compute32 compute32, Compute64 compute64, Partial32 partial32,
                     Partial64 partial64) {
    }

    @FunctionalInterface
    interface Denominator {
        LossSum of(int[] shape, int[] target);
    }

    @FunctionalInterface
    interface Compute32 {
        double compute(float[] x, int[] shape, int[] target, float[] upstream, float[] lossOut, float[] gradOut);
    }

    @FunctionalInterface
    interface Compute64 {
        double compute(double[] x, int[] shape, int[] target, double[] upstream, double[] lossOut, double[] gradOut);
    }

    @FunctionalInterface
    interface Partial32 {
        LossSum partial(float[] x, int[] shape, int[] target, double gradScale, float[] upstream, float[] lossOut,
                        float[] gradOut);
    }

    @FunctionalInterface
    interface Partial64 {
        LossSum partial(double[] x, int[] shape, int[] target, double gradScale, double[] upstream, double[] lossOut,
                        double[] gradOut);
    }

    private final Source x;
    private final Source t;
    private final Source w;
    private final int ignoreIndex;
    private final boolean unbatched;

    /** The targets of input {@code x} with weights {@code w} (or null), for reading and restating. */
    public static IndexTargets of(Source x, Source t, Source w, int ignoreIndex) {
        return new IndexTargets(x, t, w, ignoreIndex);
    }

    private IndexTargets(Source x, Source t, Source w, int ignoreIndex) {
        this.x = x;
        this.t = t;
        this.w = w;
        this.ignoreIndex = ignoreIndex;
        this.unbatched = x.rank() == 1;
    }

    /**
     * Checks the target file against the input with the core's shape rule {@code rule} and its
     * dtype (class indices are integers), restating a complaint in the files' terms.
     *
     * @param loss PyTorch's name of the loss, for messages
     * @return the rule's answer: true for probability targets
     */
    public static boolean checkShape(Source x, Source t, String loss, ShapeRule rule) {
        InvalidInputException problem = null;
        boolean probabilities = false;
        try {
            probabilities = rule.check(intShape(x), intShape(t), !t.isFloating());
        } catch (InvalidInputException e) {
            problem = e;
        }
        long[] xs = x.shape();
        long[] ts = t.shape();
        if (problem != null && problem.argument().equals("input")) {
            throw new DataException(x.name() + ": the input must have 1 or more dimensions, (C), (N, C) or "
                    + "(N, C, d1, ..., dk), but its shape is " + Dims.format(xs));
        }
        if (problem != null && Dims.equal(xs, ts) && loss.equals("cross_entropy")) {
            throw new DataException(t.name() + ": Expected floating point type for target with class probabilities, got "
                    + t.dtypeName() + " (a target of the input's shape " + Dims.format(xs)
                    + " holds probabilities; write class indices with shape " + Dims.format(positions(xs))
                    + ", or probabilities such as 1.0)");
        }
        if (t.isFloating() && (problem != null || !Dims.equal(xs, ts))) {
            throw new DataException(t.name() + ": " + loss + " class-index targets must be integers, but the target holds "
                    + t.dtypeName() + " of shape " + Dims.format(ts)
                    + (loss.equals("cross_entropy") ? "; probability targets must have the input's shape " + Dims.format(xs) : ""));
        }
        if (problem != null) {
            String why = xs.length == 1 ? ": an unbatched (C) input takes one class index, shape () or (1,)"
                    : ": expected " + Dims.format(positions(xs)) + (ts.length >= 1 && ts[0] != xs[0]
                    ? " (input batch_size " + xs[0] + " must match target batch_size " + ts[0] + ")"
                    : " (the input's shape without the class dimension 1)");
            throw new DataException(t.name() + ": target shape " + Dims.format(ts) + " does not match the input "
                    + x.name() + " of shape " + Dims.format(xs) + why);
        }
        return probabilities;
    }

    /** A core shape rule: true for probability targets; throws {@link InvalidInputException} when the shapes do not fit. */
    @FunctionalInterface
    public interface ShapeRule {
        boolean check(int[] inputShape, int[] targetShape, boolean integerTarget);
    }

    /** The per-class weights of a file: a 1-d array (the core checks that it has C entries). */
    public static double[] weights(Source w, String option) {
        if (w == null) {
            return null;
        }
        if (w.rank() != 1) {
            throw new DataException(w.name() + ": " + option + " must be a 1-d array, one weight per class, "
                    + "but its shape is " + Dims.format(w.shape()));
        }
        return Sources.readAllDoubles(w);
    }

    /**
     * The plan of a class-index loss over an input and a target whose shapes the core accepted.
     *
     * @param w the --weight file, or null (for messages)
     */
    static Plan plan(Source x, Source t, Source w, int ignoreIndex, Loss loss, IndexLoss core) {
        IndexTargets it = of(x, t, w, ignoreIndex);
        long[] xs = x.shape();
        boolean unbatched = it.unbatched;
        long rows = unbatched ? 1 : xs[0];
        int inner = unbatched ? 1 : (int) Dims.numel(java.util.Arrays.copyOfRange(xs, 2, xs.length));
        return new Plan(rows, unbatched ? (int) xs[0] : x.rowSize(), !unbatched, positions(xs), inner, loss,
                new Plan.Core() {
                    @Override
                    public LossSum denominator(long r0, long r1, int[] shape) {
                        return core.denominator().of(shape, it.read(r0, r1));
                    }

                    @Override
                    public double compute(Object xb, int[] shape, Object lossOut, Object gradOut) {
                        int[] y = it.read(0, rows);
                        return xb instanceof float[] f
                                ? core.compute32().compute(f, shape, y, null, (float[]) lossOut, (float[]) gradOut)
                                : core.compute64().compute((double[]) xb, shape, y, null, (double[]) lossOut, (double[]) gradOut);
                    }

                    @Override
                    public LossSum partial(long r0, long r1, Object xb, int[] shape, double scale, Object lossOut,
                                           Object gradOut) {
                        int[] y = it.read(r0, r1);
                        return xb instanceof float[] f
                                ? core.partial32().partial(f, shape, y, scale, null, (float[]) lossOut, (float[]) gradOut)
                                : core.partial64().partial((double[]) xb, shape, y, scale, null, (double[]) lossOut,
                                (double[]) gradOut);
                    }

                    @Override
                    public DataException restate(InvalidInputException e, long r0) {
                        return it.restate(e, r0 * inner);
                    }
                });
    }

    /** Every target, narrowed by the core (for a small input read whole). */
    public int[] readAll() {
        return read(0, unbatched ? 1 : x.shape()[0]);
    }

    /** The targets of input rows [r0, r1) (the one target when unbatched), narrowed by the core. */
    private int[] read(long r0, long r1) {
        long[] buf = new long[unbatched ? 1 : (int) ((r1 - r0) * Math.max(1, t.rowSize()))];
        if (unbatched) {
            t.read(0, t.rows(), buf, 0);
        } else {
            t.read(r0, r1, buf, 0);
        }
        return ClassIndices.toInt(buf);
    }

    /** The core's complaint about a chunk whose first target is at flat position {@code p0} of the file. */
    public DataException restate(InvalidInputException e, long p0) {
        long classes = unbatched ? x.shape()[0] : x.shape()[1];
        if (e.argument().equals("target") && e.index() >= 0) {
            return new DataException(t.name() + ": target" + Dims.index(t.shape(), p0 + e.index()) + "=" + e.value()
                    + " is out of bounds for " + classes + " classes (" + (classes == 0
                    ? "the input has no class to choose; only the ignore index " + ignoreIndex + " is valid)"
                    : "valid: 0.." + (classes - 1) + ", or the ignore index " + ignoreIndex + ")"));
        }
        if (e.argument().equals("weight") && w != null) {
            return new DataException(w.name() + ": --weight must have shape (" + classes + ",), one weight per class, "
                    + "but its shape is " + Dims.format(w.shape()));
        }
        if (e.argument().equals("ignoreIndex")) {
            return new DataException(t.name() + ": --ignore-index " + ignoreIndex + " is not supported for probability "
                    + "targets (the target has the input's shape " + Dims.format(x.shape()) + "); PyTorch: ignore_index "
                    + "is not supported for floating point target");
        }
        return new DataException(x.name() + ": " + e.getMessage());
    }

    /** The positions of an input shape: without the class dimension 1; () for an unbatched (C). */
    private static long[] positions(long[] xs) {
        return xs.length <= 1 ? new long[0] : Dims.without(xs, 1);
    }

    /** A file's shape as the core's int[]; a dimension beyond int is more than one call can take. */
    static int[] intShape(Source s) {
        long[] shape = s.shape();
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw new DataException(s.name() + ": shape " + Dims.format(shape) + " has a dimension above "
                        + Integer.MAX_VALUE + ", more than this command handles");
            }
            out[i] = (int) shape[i];
        }
        return out;
    }
}
