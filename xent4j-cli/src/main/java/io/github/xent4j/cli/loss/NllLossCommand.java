package io.github.xent4j.cli.loss;

import io.github.xent4j.NllLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code xent nll-loss}: PyTorch's {@code F.nll_loss} over files. */
@Command(name = "nll-loss", mixinStandardHelpOptions = true, sortOptions = false,
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
public final class NllLossCommand extends LossCommand {

    @Option(names = "--input", order = 1, required = true, paramLabel = "X", description = "Log-probabilities (.npy float32/float64, .csv or .json).")
    Path input;

    @Option(names = "--target", order = 2, required = true, paramLabel = "T", description = "Class indices (int64/int32 .npy, or integers in .csv/.json).")
    Path target;

    @Option(names = "--weight", order = 3, paramLabel = "W", description = "Per-class weights: a 1-d array of C values.")
    Path weight;

    @Option(names = "--ignore-index", order = 5, paramLabel = "N", defaultValue = "-100",
            description = "Targets equal to N count neither in the loss nor in the mean (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

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
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        long classes = ClassTargets.classes(x);
        double[] w = ClassTargets.weights(open(weight, closer), classes, "--weight");
        ClassTargets ct = ClassTargets.check(x, t, w, ignoreIndex, "nll_loss");
        boolean unbatched = ct.unbatched;
        long rows = unbatched ? 1 : x.shape()[0];
        return new Plan(rows, unbatched ? (int) classes : x.rowSize(), !unbatched, ct.positionsShape, unbatched ? 1 : ct.inner,
                ct.denominator(), ct.valid(), (r0, r1, xb, shape, r, up, lossOut, gradOut) -> {
                    NllLoss loss = NllLoss.builder().reduction(r).weight(w).ignoreIndex(ignoreIndex).build();
                    int[] tb = ct.read(r0, r1);
                    return xb instanceof float[] f
                            ? loss.compute(f, shape, tb, (float[]) up, (float[]) lossOut, (float[]) gradOut)
                            : loss.compute((double[]) xb, shape, tb, (double[]) up, (double[]) lossOut, (double[]) gradOut);
                });
    }
}
