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

    /** A loss's {@code compute} for one precision X and one kind of target T. */
    @FunctionalInterface
    interface Compute<X, T> {
        double compute(X x, int[] shape, T target, X upstream, X lossOut, X gradOut);
    }

    /** A loss's {@code partial}; {@code countedScale} scales a term whose MEAN divides by the counted positions (z-loss). */
    @FunctionalInterface
    interface Partial<X, T> {
        LossSum partial(X x, int[] shape, T target, double gradScale, double countedScale, X upstream, X lossOut, X gradOut);
    }

    /** A loss's {@code partial} with one gradient scale. */
    @FunctionalInterface
    interface OneScale<X, T> {
        LossSum partial(X x, int[] shape, T target, double gradScale, X upstream, X lossOut, X gradOut);

        default Partial<X, T> partial() {
            return (x, shape, t, g, gc, up, lo, go) -> partial(x, shape, t, g, up, lo, go);
        }
    }

    /**
     * A loss's class-index entry points, in both precisions, as method references:
     * {@code new IndexLoss(loss::denominator, loss::compute, loss::compute, loss::partial, loss::partial)}
     * for a loss with a counted term (cross-entropy's z-loss); {@link #of} for the others.
     */
    record IndexLoss(Denominator denominator, Compute<float[], int[]> compute32, Compute<double[], int[]> compute64,
                     Partial<float[], int[]> partial32, Partial<double[], int[]> partial64) {

        /** A loss whose chunk call takes one gradient scale. */
        static IndexLoss of(Denominator d, Compute<float[], int[]> c32, Compute<double[], int[]> c64,
                            OneScale<float[], int[]> p32, OneScale<double[], int[]> p64) {
            return new IndexLoss(d, c32, c64, p32.partial(), p64.partial());
        }
    }

    /** The denominators of a chunk of class-index targets. */
    @FunctionalInterface
    interface Denominator {
        LossSum of(int[] shape, int[] target);
    }

    /** A loss's probability-target entry points, in both precisions; see {@link IndexLoss}. */
    record ProbLoss(java.util.function.Function<int[], LossSum> denominator, Compute<float[], float[]> compute32,
                    Compute<double[], double[]> compute64, Partial<float[], float[]> partial32,
                    Partial<double[], double[]> partial64) {

        static ProbLoss of(java.util.function.Function<int[], LossSum> d, Compute<float[], float[]> c32,
                           Compute<double[], double[]> c64, OneScale<float[], float[]> p32, OneScale<double[], double[]> p64) {
            return new ProbLoss(d, c32, c64, p32.partial(), p64.partial());
        }
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
     * @param loss          PyTorch's name of the loss, for messages
     * @param probabilities whether the loss also takes probability targets of the input's shape
     * @return the rule's answer: true for probability targets
     */
    public static boolean checkShape(Source x, Source t, String loss, boolean probabilities, ShapeRule rule) {
        InvalidInputException problem = null;
        boolean isProbabilities = false;
        try {
            isProbabilities = rule.check(intShape(x), intShape(t), !t.isFloating());
        } catch (InvalidInputException e) {
            problem = e;
        }
        long[] xs = x.shape();
        long[] ts = t.shape();
        if (problem != null && problem.argument().equals("input")) {
            throw noClassDimension(x);
        }
        if (problem != null && Dims.equal(xs, ts) && probabilities) {
            throw new DataException(t.name() + ": Expected floating point type for target with class probabilities, got "
                    + t.dtypeName() + " (a target of the input's shape " + Dims.format(xs)
                    + " holds probabilities; write class indices with shape " + Dims.format(positions(xs))
                    + ", or probabilities such as 1.0)");
        }
        if (t.isFloating() && (problem != null || !Dims.equal(xs, ts))) {
            throw new DataException(t.name() + ": " + loss + " class-index targets must be integers, but the target holds "
                    + t.dtypeName() + " of shape " + Dims.format(ts)
                    + (probabilities ? "; probability targets must have the input's shape " + Dims.format(xs) : ""));
        }
        if (problem != null) {
            String why = xs.length == 1 ? ": an unbatched (C) input takes one class index, shape () or (1,)"
                    : ": expected " + Dims.format(positions(xs)) + (ts.length >= 1 && ts[0] != xs[0]
                    ? " (input batch_size " + xs[0] + " must match target batch_size " + ts[0] + ")"
                    : " (the input's shape without the class dimension 1)");
            throw new DataException(t.name() + ": target shape " + Dims.format(ts) + " does not match the input "
                    + x.name() + " of shape " + Dims.format(xs) + why);
        }
        return isProbabilities;
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
                    public LossSum partial(long r0, long r1, Object xb, int[] shape, LossSum d, Object lossOut,
                                           Object gradOut) {
                        int[] y = it.read(r0, r1);
                        double g = loss.gradScale(d, 1.0);
                        double gc = loss.countedGradScale(d, 1.0);
                        return xb instanceof float[] f
                                ? core.partial32().partial(f, shape, y, g, gc, null, (float[]) lossOut, (float[]) gradOut)
                                : core.partial64().partial((double[]) xb, shape, y, g, gc, null, (double[]) lossOut,
                                (double[]) gradOut);
                    }

                    @Override
                    public DataException restate(InvalidInputException e, long r0) {
                        return it.restate(e, r0 * inner);
                    }
                });
    }

    /**
     * The plan of a loss over probability targets of the input's shape (the core accepted them);
     * MEAN divides by the number of positions, the core's denominator.
     */
    static Plan probabilities(Source x, Source t, Source w, int ignoreIndex, Precision p, Loss loss, ProbLoss core) {
        IndexTargets it = of(x, t, w, ignoreIndex);
        long[] xs = x.shape();
        boolean unbatched = it.unbatched;
        long[] positions = positions(xs);
        long inner = unbatched || xs[0] == 0 ? 1 : Dims.numel(positions) / xs[0];
        return new Plan(unbatched ? 1 : xs[0], unbatched ? (int) xs[0] : x.rowSize(), !unbatched, positions,
                (int) inner, loss, new Plan.Core() {
                    @Override
                    public LossSum denominator(long r0, long r1, int[] shape) {
                        return core.denominator().apply(shape);
                    }

                    @Override
                    public double compute(Object xb, int[] shape, Object lossOut, Object gradOut) {
                        Object tb = p.read(t, 0, t.rows(), Precision.length(xb));
                        return xb instanceof float[] f
                                ? core.compute32().compute(f, shape, (float[]) tb, null, (float[]) lossOut, (float[]) gradOut)
                                : core.compute64().compute((double[]) xb, shape, (double[]) tb, null, (double[]) lossOut,
                                (double[]) gradOut);
                    }

                    @Override
                    public LossSum partial(long r0, long r1, Object xb, int[] shape, LossSum d, Object lossOut,
                                           Object gradOut) {
                        Object tb = p.read(t, r0, r1, Precision.length(xb));
                        double g = loss.gradScale(d, 1.0);
                        double gc = loss.countedGradScale(d, 1.0);
                        return xb instanceof float[] f
                                ? core.partial32().partial(f, shape, (float[]) tb, g, gc, null, (float[]) lossOut, (float[]) gradOut)
                                : core.partial64().partial((double[]) xb, shape, (double[]) tb, g, gc, null, (double[]) lossOut,
                                (double[]) gradOut);
                    }

                    @Override
                    public DataException restate(InvalidInputException e, long r0) {
                        return it.restate(e, 0);
                    }
                });
    }

    /** Every target, narrowed by the core (for a small input read whole). */
    public int[] readAll() {
        return read(0, unbatched ? 1 : x.shape()[0]);
    }

    /** The targets of input rows [r0, r1) (the one target when unbatched), narrowed by the core. */
    int[] read(long r0, long r1) {
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
        if (e.argument().equals("target") || e.argument().equals("weight")) {
            return restate(e, t, t.shape(), p0, classes, ignoreIndex, w, x);
        }
        if (e.argument().equals("ignoreIndex")) {
            return new DataException(t.name() + ": --ignore-index " + ignoreIndex + " is not supported for probability "
                    + "targets (the target has the input's shape " + Dims.format(x.shape()) + "); PyTorch: ignore_index "
                    + "is not supported for floating point target");
        }
        return new DataException(x.name() + ": " + e.getMessage());
    }

    /**
     * A complaint about class-index targets (a value out of range, or beyond int) or about the
     * per-class weights (one per class), in the files' terms; any other under the input's name.
     *
     * @param targetShape the target file's shape, for the position's multi-index
     * @param p0          the flat position in the file of the call's first target
     * @param w           the --weight file, or null
     */
    static DataException restate(InvalidInputException e, Source t, long[] targetShape, long p0, long classes,
                                 int ignoreIndex, Source w, Source x) {
        if (e.argument().equals("target") && e.index() >= 0) {
            return new DataException(t.name() + ": target" + Dims.index(targetShape, p0 + e.index()) + "=" + e.value()
                    + " is out of bounds for " + classes + " classes (" + (classes == 0
                    ? "the input has no class to choose; only the ignore index " + ignoreIndex + " is valid)"
                    : "valid: 0.." + (classes - 1) + ", or the ignore index " + ignoreIndex + ")"));
        }
        if (e.argument().equals("weight") && w != null) {
            return new DataException(w.name() + ": --weight must have shape (" + classes + ",), one weight per class, "
                    + "but its shape is " + Dims.format(w.shape()));
        }
        return new DataException(x.name() + ": " + e.getMessage());
    }

    /** The input must have a class dimension: (C), (N, C) or (N, C, d1, ..., dk). */
    static DataException noClassDimension(Source x) {
        return new DataException(x.name() + ": the input must have 1 or more dimensions, (C), (N, C) or "
                + "(N, C, d1, ..., dk), but its shape is " + Dims.format(x.shape()));
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
