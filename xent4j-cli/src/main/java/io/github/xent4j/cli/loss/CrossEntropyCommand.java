package io.github.xent4j.cli.loss;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.cli.UsageException;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.io.DataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code xent cross-entropy}: PyTorch's {@code F.cross_entropy} over files. */
@Command(name = "cross-entropy", mixinStandardHelpOptions = true, sortOptions = false,
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

    @Option(names = "--input", order = 1, required = true, paramLabel = "X", description = "Logits (.npy float32/float64, .csv or .json).")
    Path input;

    @Option(names = "--target", order = 2, required = true, paramLabel = "T",
            description = "Class indices (int64/int32 .npy, or integers in .csv/.json) or class probabilities of the input's shape.")
    Path target;

    @Option(names = "--weight", order = 3, paramLabel = "W", description = "Per-class weights: a 1-d array of C values.")
    Path weight;

    @Option(names = "--ignore-index", order = 5, paramLabel = "N", defaultValue = "-100",
            description = "Class-index targets equal to N count neither in the loss nor in the mean (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Option(names = "--label-smoothing", order = 6, paramLabel = "E", defaultValue = "0",
            description = "Label smoothing in [0, 1]: the target becomes (1-E)*onehot + E/C (default ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--reduction", order = 7, paramLabel = "R", defaultValue = "mean",
            description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    LossReduction reduction;

    @Override
    Path input() {
        return input;
    }

    @Override
    Path target() {
        return target;
    }

    @Override
    List<Path> otherInputs() {
        return Arrays.asList(weight);
    }

    @Override
    Reduction reduction() {
        return reduction.core();
    }

    @Override
    void checkOptions() {
        if (labelSmoothing > 1) {
            throw new UsageException("--label-smoothing=" + labelSmoothing + " must be between 0.0 and 1.0");
        }
    }

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        long classes = ClassTargets.classes(x);
        double[] w = ClassTargets.weights(open(weight, closer), classes, "--weight");
        long[] xs = x.shape();
        boolean unbatched = xs.length == 1;
        int threads = run.threads();
        if (Dims.equal(t.shape(), xs)) {
            return probabilities(x, t, p, w, unbatched, threads);
        }
        ClassTargets ct = ClassTargets.check(x, t, w, ignoreIndex, "cross_entropy");
        long rows = unbatched ? 1 : xs[0];
        int rowElements = unbatched ? (int) classes : x.rowSize();
        return new Plan(rows, rowElements, !unbatched, ct.positionsShape, unbatched ? 1 : ct.inner,
                ct.denominator(), ct.valid(), (r0, r1, xb, shape, r, up, lossOut, gradOut) -> {
                    CrossEntropyLoss loss = builder(w, threads).ignoreIndex(ignoreIndex).reduction(r).build();
                    int[] tb = ct.read(r0, r1);
                    return xb instanceof float[] f
                            ? loss.compute(f, shape, tb, (float[]) up, (float[]) lossOut, (float[]) gradOut)
                            : loss.compute((double[]) xb, shape, tb, (double[]) up, (double[]) lossOut, (double[]) gradOut);
                });
    }

    private Plan probabilities(Source x, Source t, Precision p, double[] w, boolean unbatched, int threads) {
        long[] xs = x.shape();
        if (!t.isFloating()) {
            throw new DataException(t.name() + ": Expected floating point type for target with class probabilities, got "
                    + t.dtypeName() + " (a target of the input's shape " + Dims.format(xs)
                    + " holds probabilities; write class indices with shape " + Dims.format(unbatched ? new long[0] : Dims.without(xs, 1))
                    + ", or probabilities such as 1.0)");
        }
        if (ignoreIndex >= 0) {
            throw new DataException(t.name() + ": --ignore-index " + ignoreIndex + " is not supported for probability targets "
                    + "(the target has the input's shape " + Dims.format(xs) + "); PyTorch: ignore_index is not supported for "
                    + "floating point target");
        }
        long[] positions = unbatched ? new long[0] : Dims.without(xs, 1);
        long count = Dims.numel(positions);
        long inner = unbatched ? 1 : (xs[0] == 0 ? 0 : count / xs[0]);
        return new Plan(unbatched ? 1 : xs[0], unbatched ? (int) xs[0] : x.rowSize(), !unbatched, positions,
                unbatched ? 1 : (int) inner, count, count, (r0, r1, xb, shape, r, up, lossOut, gradOut) -> {
                    CrossEntropyLoss loss = builder(w, threads).ignoreIndex(ignoreIndex).reduction(r).build();
                    int n = Precision.length(xb);
                    Object tb = unbatched ? p.read(t, 0, t.rows(), n) : p.read(t, r0, r1, n);
                    return xb instanceof float[] f
                            ? loss.compute(f, shape, (float[]) tb, (float[]) up, (float[]) lossOut, (float[]) gradOut)
                            : loss.compute((double[]) xb, shape, (double[]) tb, (double[]) up, (double[]) lossOut, (double[]) gradOut);
                });
    }

    private CrossEntropyLoss.Builder builder(double[] w, int threads) {
        return CrossEntropyLoss.builder().weight(w).labelSmoothing(labelSmoothing).threads(threads);
    }
}
