package io.github.xent4j.cli.loss;

import io.github.xent4j.LossSum;
import io.github.xent4j.NllLoss;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code xent nll-loss}: PyTorch's {@code F.nll_loss} over files. */
@Command(name = "nll-loss", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.NllLossCommand",
        description = {"Negative log-likelihood on log-probabilities, as torch.nn.functional.nll_loss.",
                "",
                "The input X holds log-probabilities (for instance log-softmax output; not checked) of shape (C), "
                        + "(N, C) or (N, C, d1, ..., dk); the target T holds class indices (integers) of shape "
                        + "(N, d1, ..., dk), or () / (1,) for a (C) input. loss = -weight[t] * X[t]; mean divides by "
                        + "the sum of weight[target] over non-ignored positions (nan if there is none).",
                "dtype, printing and streaming as for cross-entropy.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent log-softmax --input logits.npy --dim 1 --out logp.npy",
                "  xent nll-loss --input logp.npy --target labels.npy",
                "      # the same value as cross-entropy on logits.npy"})
public final class NllLossCommand extends TargetLossCommand {

    @Mixin
    LossOptions.Weight weight = new LossOptions.Weight();

    @Option(names = "--ignore-index", order = 5, paramLabel = "N", defaultValue = "-100",
            description = "Targets equal to N count neither in the loss nor in the mean (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Mixin
    LossOptions.Reductions reduction = new LossOptions.Reductions();

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        IndexTargets.checkShape(x, t, "nll_loss", false, (xs, ts, integers) -> {
            NllLoss.checkTargetShape(xs, ts);
            return false;
        });
        Source ws = open(weight.file, closer);
        NllLoss loss = NllLoss.builder().weight(IndexTargets.weights(ws, "--weight")).ignoreIndex(ignoreIndex)
                .reduction(reduction()).threads(threads()).build();
        return IndexTargets.plan(x, t, ws, ignoreIndex, loss,
                IndexTargets.IndexLoss.of(loss::denominator, loss::compute, loss::compute, loss::partial, loss::partial));
    }
}
