package io.github.xent4j.cli.loss;

import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code xent bce-with-logits}: PyTorch's {@code F.binary_cross_entropy_with_logits} over files. */
@Command(name = "bce-with-logits", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.BceWithLogitsCommand",
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

    @Mixin
    LossOptions.Weight weight = new LossOptions.Weight();

    @Option(names = "--pos-weight", order = 4, paramLabel = "PW", description = "Weights of the positive term, broadcast to the input's shape.")
    Path posWeight;

    @Mixin
    LossOptions.Reductions reduction = new LossOptions.Reductions();

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        Operand w = Operand.of(open(weight.file, closer), x, "--weight");
        Operand pw = Operand.of(open(posWeight, closer), x, "--pos-weight");
        BceWithLogitsLoss loss = BceWithLogitsLoss.builder().reduction(reduction()).threads(threads()).build();
        return plan(x, t, p, "binary_cross_entropy_with_logits takes a target of the input's size", loss, (r0, r1) -> {
            BceWithLogitsLoss.Builder b = loss.toBuilder();
            if (w != null) {
                b.weight(w.values(r0, r1), w.shape(r0, r1));
            }
            if (pw != null) {
                b.posWeight(pw.values(r0, r1), pw.shape(r0, r1));
            }
            return b.build();
        }, requirement -> requirement);
    }
}
