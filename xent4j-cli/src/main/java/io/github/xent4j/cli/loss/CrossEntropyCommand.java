package io.github.xent4j.cli.loss;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.LossSum;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
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
public final class CrossEntropyCommand extends TargetLossCommand {

    @Mixin
    LossOptions.Weight weight = new LossOptions.Weight();

    @Option(names = "--ignore-index", order = 5, paramLabel = "N", defaultValue = "-100",
            description = "Class-index targets equal to N count neither in the loss nor in the mean (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Option(names = "--label-smoothing", order = 6, paramLabel = "E", defaultValue = "0",
            description = "Label smoothing in [0, 1]: the target becomes (1-E)*onehot + E/C (default ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--z-loss", order = 6, paramLabel = "S", defaultValue = "0",
            description = "Adds S * logsumexp(x)^2 per non-ignored position (PaLM's z-loss; mean divides that part by the "
                    + "number of those positions; default ${DEFAULT-VALUE}: off).")
    double zLoss;

    @Mixin
    LossOptions.Reductions reduction = new LossOptions.Reductions();

    /** The core loss of the options, once checkOptions has built it. */
    private CrossEntropyLoss configured;

    @Override
    void checkOptions() {
        CrossEntropyLoss.Builder b = CrossEntropyLoss.builder().ignoreIndex(ignoreIndex).reduction(reduction()).threads(threads());
        option("--label-smoothing", labelSmoothing, () -> b.labelSmoothing(labelSmoothing));
        option("--z-loss", zLoss, () -> b.zLoss(zLoss));
        configured = b.build();
    }

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        boolean probabilities = IndexTargets.checkShape(x, t, "cross_entropy", true, CrossEntropyLoss::isProbabilityTarget);
        Source ws = open(weight.file, closer);
        CrossEntropyLoss loss = configured.toBuilder().weight(IndexTargets.weights(ws, "--weight")).build();
        if (!probabilities) {
            return IndexTargets.plan(x, t, ws, ignoreIndex, loss, new IndexTargets.IndexLoss(loss::denominator,
                loss::compute, loss::compute, loss::partial, loss::partial));
        }
        return IndexTargets.probabilities(x, t, ws, ignoreIndex, p, loss,
                new IndexTargets.ProbLoss(loss::denominator, loss::compute, loss::compute, loss::partial, loss::partial));
    }
}
