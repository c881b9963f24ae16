package io.github.xent4j.cli.loss;

import io.github.xent4j.FocalLoss;
import io.github.xent4j.NllLoss;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code xent focal}: the softmax (multi-class) focal loss, {@link FocalLoss}, over files. */
@Command(name = "focal", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.FocalCommand",
        description = {"Softmax focal loss from logits (Lin et al. 2017): cross-entropy with each position's loss "
                + "down-weighted by (1 - p_y)^gamma, so that easy positions count little.",
                "",
                "The input X holds logits of shape (C), (N, C) or (N, C, d1, ..., dk); the target T class indices of "
                        + "shape (N, d1, ..., dk), or () / (1,) for a (C) input, as for cross-entropy.",
                "loss = -alpha[y] * (1 - p_y)^gamma * log p_y with log p from log_softmax; --weight holds the per-class "
                        + "alpha, and mean divides by the sum of alpha[target] over non-ignored positions (as "
                        + "cross-entropy's weight). With --label-smoothing E the target becomes (1-E)*onehot + E/C and "
                        + "the loss sums alpha_c (1 - p_c)^gamma (-t_c log p_c) over classes (Keras's "
                        + "CategoricalFocalCrossentropy, without its clipping). gamma 0 is cross-entropy.",
                "dtype, printing and streaming as for cross-entropy.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent focal --input logits.npy --target labels.npy",
                "  xent focal --input logits.npy --target labels.npy --gamma 1 --weight alpha.npy --grad dx.npy"})
public final class FocalCommand extends TargetLossCommand {

    @Mixin
    LossOptions.Weight weight = new LossOptions.Weight();

    @Option(names = "--gamma", order = 4, paramLabel = "G", defaultValue = "2",
            description = "The focusing exponent, >= 0 (default ${DEFAULT-VALUE}; 0 is cross-entropy).")
    double gamma;

    @Option(names = "--ignore-index", order = 5, paramLabel = "N", defaultValue = "-100",
            description = "Targets equal to N count neither in the loss nor in the mean (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Option(names = "--label-smoothing", order = 6, paramLabel = "E", defaultValue = "0",
            description = "Label smoothing in [0, 1] (default ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Mixin
    LossOptions.Reductions reduction = new LossOptions.Reductions();

    private FocalLoss configured;

    @Override
    void checkOptions() {
        FocalLoss.Builder b = FocalLoss.builder().ignoreIndex(ignoreIndex).reduction(reduction()).threads(threads());
        option("--gamma", gamma, () -> b.gamma(gamma));
        option("--label-smoothing", labelSmoothing, () -> b.labelSmoothing(labelSmoothing));
        configured = b.build();
    }

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        IndexTargets.checkShape(x, t, "focal_loss", false, (xs, ts, integers) -> {
            NllLoss.checkTargetShape(xs, ts); // the class-index shape rule
            return false;
        });
        Source ws = open(weight.file, closer);
        FocalLoss loss = configured.toBuilder().weight(IndexTargets.weights(ws, "--weight")).build();
        return IndexTargets.plan(x, t, ws, ignoreIndex, loss,
                IndexTargets.IndexLoss.of(loss::denominator, loss::compute, loss::compute, loss::partial, loss::partial));
    }
}
