package io.github.xent4j.cli.loss;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.LossSum;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.io.DataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;


/** {@code xent cross-entropy}: PyTorch's {@code F.cross_entropy} over files. */
@Command(name = "cross-entropy", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.CrossEntropyCommand",
        description = {"Cross-entropy from logits, as torch.nn.functional.cross_entropy.",
                "",
                "The input X holds logits of shape (C), (N, C) or (N, C, d1, ..., dk); the class dimension is 1 "
                        + "(0 for a 1-d input). The target T decides the kind, as in PyTorch:",
                "  * T of the input's shape: class probabilities (must be floating-point);",
                "  * otherwise class indices (integers) of shape (N, d1, ..., dk), or () / (1,) for a (C) input.",
                "mean divides by the sum of weight[target] over non-ignored positions (class indices) or by the "
                        + "number of positions (probabilities); no valid position gives nan.",
                "The computation uses the input's dtype (float32 or float64; text files are float64); float targets "
                        + "and weights are converted to it. A mean/sum loss is printed with 9 (float32) or 17 (float64) "
                        + "significant digits; with --reduction none and no --out, one loss per line in row-major order.",
                "A .npy input larger than memory is streamed from a memory-mapped file.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent cross-entropy --input logits.npy --target labels.npy",
                "  xent cross-entropy --input logits.npy --target labels.npy --weight w.npy \\",
                "      --label-smoothing 0.1 --reduction none --out losses.npy --grad dx.npy",
                "  xent cross-entropy --input logits.json --target probs.json  # soft targets"})
public final class CrossEntropyCommand extends LossCommand {

    @Mixin
    LossOptions.Weight weight = new LossOptions.Weight();

    @Option(names = "--ignore-index", order = 5, paramLabel = "N", defaultValue = "-100",
            description = "Class-index targets equal to N count neither in the loss nor in the mean (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Option(names = "--label-smoothing", order = 6, paramLabel = "E", defaultValue = "0",
            description = "Label smoothing in [0, 1]: the target becomes (1-E)*onehot + E/C (default ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Mixin
    LossOptions.Reductions reduction = new LossOptions.Reductions();

    /** The core loss of the options, once checkOptions has built it. */
    private CrossEntropyLoss configured;

    @Override
    void checkOptions() {
        CrossEntropyLoss.Builder b = CrossEntropyLoss.builder().ignoreIndex(ignoreIndex).reduction(reduction()).threads(threads());
        option("--label-smoothing", labelSmoothing, () -> b.labelSmoothing(labelSmoothing));
        configured = b.build();
    }

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        boolean probabilities = IndexTargets.checkShape(x, t, "cross_entropy", CrossEntropyLoss::isProbabilityTarget);
        Source ws = open(weight.file, closer);
        CrossEntropyLoss loss = configured.toBuilder().weight(IndexTargets.weights(ws, "--weight")).build();
        if (!probabilities) {
            return IndexTargets.plan(x, t, ws, ignoreIndex, loss, new IndexTargets.IndexLoss(loss::denominator,
                loss::compute, loss::compute, loss::partial, loss::partial));
        }
        return probabilities(x, t, ws, p, loss);
    }

    /** Probability targets of the input's shape; MEAN divides by the number of positions (the core's denominator). */
    private Plan probabilities(Source x, Source t, Source ws, Precision p, CrossEntropyLoss loss) {
        long[] xs = x.shape();
        boolean unbatched = xs.length == 1;
        long[] positions = unbatched ? new long[0] : Dims.without(xs, 1);
        long inner = unbatched || xs[0] == 0 ? 1 : Dims.numel(positions) / xs[0];
        IndexTargets messages = IndexTargets.of(x, t, ws, ignoreIndex);
        return new Plan(unbatched ? 1 : xs[0], unbatched ? (int) xs[0] : x.rowSize(), !unbatched, positions,
                (int) inner, loss, new Plan.Core() {
                    @Override
                    public LossSum denominator(long r0, long r1, int[] shape) {
                        return loss.denominator(shape);
                    }

                    @Override
                    public double compute(Object xb, int[] shape, Object lossOut, Object gradOut) {
                        Object tb = p.read(t, 0, t.rows(), Precision.length(xb));
                        return xb instanceof float[] f
                                ? loss.compute(f, shape, (float[]) tb, null, (float[]) lossOut, (float[]) gradOut)
                                : loss.compute((double[]) xb, shape, (double[]) tb, null, (double[]) lossOut, (double[]) gradOut);
                    }

                    @Override
                    public LossSum partial(long r0, long r1, Object xb, int[] shape, double scale, Object lossOut,
                                           Object gradOut) {
                        Object tb = p.read(t, r0, r1, Precision.length(xb));
                        return xb instanceof float[] f
                                ? loss.partial(f, shape, (float[]) tb, scale, null, (float[]) lossOut, (float[]) gradOut)
                                : loss.partial((double[]) xb, shape, (double[]) tb, scale, null, (double[]) lossOut,
                                (double[]) gradOut);
                    }

                    @Override
                    public DataException restate(InvalidInputException e, long r0) {
                        return messages.restate(e, 0);
                    }
                });
    }
}
