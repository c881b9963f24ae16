package io.github.xent4j.cli.loss;

import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code xent bce-with-logits}: PyTorch's {@code F.binary_cross_entropy_with_logits} over files. */
@Command(name = "bce-with-logits", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Binary cross-entropy on logits, as torch.nn.functional.binary_cross_entropy_with_logits.",
                "",
                "The input X holds logits (any shape); the target T has the same shape (any real values, as PyTorch).",
                "loss = -weight * (PW * T * log(sigmoid(X)) + (1 - T) * log(1 - sigmoid(X))), evaluated stably; "
                        + "mean divides by the number of elements (weights never count).",
                "--weight and --pos-weight are broadcast to the input along its trailing dimensions: a (C) pos-weight "
                        + "for (N, C), (C, 1, 1) for (N, C, H, W).",
                "dtype, printing and streaming as for cross-entropy.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent bce-with-logits --input logits.npy --target labels01.npy",
                "  xent bce-with-logits --input logits.npy --target multilabel.npy \\",
                "      --pos-weight pw_C.npy --grad dx.npy"})
public final class BceWithLogitsCommand extends ElementwiseLossCommand {

    @Option(names = "--input", order = 1, required = true, paramLabel = "X", description = "Logits (.npy float32/float64, .csv or .json).")
    Path input;

    @Option(names = "--target", order = 2, required = true, paramLabel = "T", description = "Targets, the input's shape.")
    Path target;

    @Option(names = "--weight", order = 3, paramLabel = "W", description = "Element weights, broadcast to the input's shape.")
    Path weight;

    @Option(names = "--pos-weight", order = 4, paramLabel = "PW", description = "Weights of the positive term, broadcast to the input's shape.")
    Path posWeight;

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
        return Arrays.asList(weight, posWeight);
    }

    @Override
    Reduction reduction() {
        return reduction.core();
    }

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        Operand w = Operand.of(open(weight, closer), x, "--weight");
        Operand pw = Operand.of(open(posWeight, closer), x, "--pos-weight");
        int threads = run.threads();
        return plan(x, t, p, "binary_cross_entropy_with_logits takes a target of the input's size",
                (r0, r1, xb, tb, shape, r, up, lossOut, gradOut) -> {
                    BceWithLogitsLoss loss = BceWithLogitsLoss.builder().reduction(r).threads(threads).build();
                    if (w != null) {
                        loss = loss.toBuilder().weight(w.values(r0, r1), w.shape(r0, r1)).build();
                    }
                    if (pw != null) {
                        loss = loss.toBuilder().posWeight(pw.values(r0, r1), pw.shape(r0, r1)).build();
                    }
                    return xb instanceof float[] f
                            ? loss.compute(f, shape, (float[]) tb, (float[]) up, (float[]) lossOut, (float[]) gradOut)
                            : loss.compute((double[]) xb, shape, (double[]) tb, (double[]) up, (double[]) lossOut, (double[]) gradOut);
                });
    }
}
