package io.github.xent4j.cli.loss;

import io.github.xent4j.DistillationLoss;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.LossSum;
import io.github.xent4j.NllLoss;
import io.github.xent4j.cli.UsageException;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.data.Sources;
import io.github.xent4j.cli.io.DataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code xent distill}: knowledge distillation, {@link DistillationLoss}, over files. */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.DistillCommand",
        description = {"Knowledge distillation (Hinton et al. 2015): T^2 * KL(softmax(teacher / T) || softmax(student / T)) "
                + "per position, optionally mixed with hard-label cross-entropy as alpha * KD + (1 - alpha) * CE.",
                "",
                "The input STUDENT holds the student's logits of shape (C), (N, C) or (N, C, d1, ..., dk); the teacher has "
                        + "the same shape (logits, or log-probabilities at temperature T with --teacher-log-probs). The "
                        + "gradient (--grad) is with respect to the student's logits; the teacher is a constant.",
                "batchmean (the default) divides the KD sum by N (dimension 0), mean by all N*C*d elements (as "
                        + "kl_div's mean), sum adds, none gives one value per position. With --alpha A < 1 and "
                        + "--target Y the CE term is cross-entropy at temperature 1 with its mean (over non-ignored "
                        + "positions) under batchmean and mean.",
                "dtype, printing and streaming as for cross-entropy.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent distill --input student.npy --teacher teacher.npy --temperature 2",
                "  xent distill --input student.npy --teacher teacher.npy --temperature 4 --alpha 0.5 \\",
                "      --target labels.npy --grad dstudent.npy"})
public final class DistillCommand extends LossCommand {

    @Option(names = "--teacher", order = 2, required = true, paramLabel = "TEACHER",
            description = "The teacher's logits (or log-probabilities with --teacher-log-probs), the input's shape.")
    Path teacher;

    @Option(names = "--temperature", order = 3, required = true, paramLabel = "T",
            description = "The temperature T > 0 that softens both distributions (1: none).")
    double temperature;

    @Option(names = "--alpha", order = 4, paramLabel = "A", defaultValue = "1",
            description = "The weight in [0, 1] of the distillation term; below 1 the hard-label cross-entropy gets "
                    + "1 - A and --target is needed (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--target", order = 5, paramLabel = "Y",
            description = "Hard labels for the cross-entropy term: class indices (int64/int32 .npy, or integers in "
                    + ".csv/.json) of shape (N, d1, ..., dk).")
    Path target;

    @Option(names = "--ignore-index", order = 6, paramLabel = "N", defaultValue = "-100",
            description = "Targets equal to N count neither in the CE term nor in its mean (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Option(names = "--teacher-log-probs", order = 6,
            description = "The teacher holds log-probabilities, used as given (already at temperature T).")
    boolean teacherLogProbs;

    @Option(names = "--reduction", order = 7, paramLabel = "R", defaultValue = "batchmean",
            description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    KlReduction reduction;

    private DistillationLoss configured;

    @Override
    void checkOptions() {
        DistillationLoss.Builder b = DistillationLoss.builder().ignoreIndex(ignoreIndex).teacherLogProbs(teacherLogProbs)
                .reduction(reduction()).threads(threads());
        option("--temperature", temperature, () -> b.temperature(temperature));
        option("--alpha", alpha, () -> b.alpha(alpha));
        configured = b.build();
        if (alpha < 1 && target == null) {
            throw new UsageException("--alpha=" + alpha + " < 1 needs --target (the hard labels of the cross-entropy term)");
        }
    }

    @Override
    Plan prepare(Source x, Precision p, Closer closer) {
        Source q = closer.add(Sources.open(teacher));
        if (!Dims.equal(q.shape(), x.shape())) {
            throw new DataException(q.name() + ": --teacher shape " + Dims.format(q.shape()) + " must equal the input shape "
                    + Dims.format(x.shape()) + " of " + x.name() + " (the student's)");
        }
        Source t = target == null ? null : closer.add(Sources.open(target));
        if (t != null) {
            IndexTargets.checkShape(x, t, "distillation", false, (xs, ts, integers) -> {
                NllLoss.checkTargetShape(xs, ts); // the class-index shape rule
                return false;
            });
        } else if (x.rank() == 0) {
            throw IndexTargets.noClassDimension(x);
        }
        IndexTargets labels = t == null ? null : IndexTargets.of(x, t, null, ignoreIndex);
        DistillationLoss loss = configured;
        long[] xs = x.shape();
        boolean unbatched = xs.length == 1;
        long[] positions = unbatched ? new long[0] : Dims.without(xs, 1);
        int inner = unbatched || xs[0] == 0 ? 1 : (int) (Dims.numel(positions) / xs[0]);
        long rows = unbatched ? 1 : xs[0];
        return new Plan(rows, unbatched ? (int) xs[0] : x.rowSize(), !unbatched, positions, inner, loss, new Plan.Core() {
            @Override
            public LossSum denominator(long r0, long r1, int[] shape) {
                return loss.denominator(shape, labels == null ? null : labels.read(r0, r1));
            }

            @Override
            public double compute(Object xb, int[] shape, Object lossOut, Object gradOut) {
                Object qb = p.read(q, 0, q.rows(), Precision.length(xb));
                int[] y = labels == null ? null : labels.read(0, rows);
                return xb instanceof float[] f
                        ? loss.compute(f, shape, (float[]) qb, y, null, (float[]) lossOut, (float[]) gradOut)
                        : loss.compute((double[]) xb, shape, (double[]) qb, y, null, (double[]) lossOut, (double[]) gradOut);
            }

            @Override
            public LossSum partial(long r0, long r1, Object xb, int[] shape, LossSum d, Object lossOut, Object gradOut) {
                Object qb = p.read(q, r0, r1, Precision.length(xb));
                int[] y = labels == null ? null : labels.read(r0, r1);
                double g = loss.gradScale(d, 1.0);
                double gc = loss.countedGradScale(d, 1.0);
                return xb instanceof float[] f
                        ? loss.partial(f, shape, (float[]) qb, y, g, gc, null, (float[]) lossOut, (float[]) gradOut)
                        : loss.partial((double[]) xb, shape, (double[]) qb, y, g, gc, null, (double[]) lossOut,
                        (double[]) gradOut);
            }

            @Override
            public DataException restate(InvalidInputException e, long r0) {
                return labels != null ? labels.restate(e, r0 * inner) : new DataException(x.name() + ": " + e.getMessage());
            }
        });
    }
}
