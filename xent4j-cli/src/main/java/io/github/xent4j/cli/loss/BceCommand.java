package io.github.xent4j.cli.loss;

import io.github.xent4j.BceLoss;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code xent bce}: PyTorch's {@code F.binary_cross_entropy} over files. */
@Command(name = "bce", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.BceCommand",
        description = {"Binary cross-entropy on probabilities, as torch.nn.functional.binary_cross_entropy.",
                "",
                "The input P holds probabilities in [0, 1] (any shape); the target T has the same shape, values in [0, 1].",
                "loss = -weight * (T * max(log P, -100) + (1 - T) * max(log(1 - P), -100)); mean divides by the "
                        + "number of elements. The weight is broadcast to the input (per class (C), per sample (N, 1), ...).",
                "Prefer bce-with-logits on logits: it is exact where this one clamps.",
                "dtype, printing and streaming as for cross-entropy.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent bce --input probs.npy --target labels01.npy",
                "  xent bce --input p.npy --target y.npy --weight w_N1.npy --reduction none \\",
                "      --out losses.npy"})
public final class BceCommand extends ElementwiseLossCommand {

    @Mixin
    LossOptions.Weight weight = new LossOptions.Weight();

    @Mixin
    LossOptions.Reductions reduction = new LossOptions.Reductions();

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        Operand w = Operand.of(open(weight.file, closer), x, "--weight");
        BceLoss loss = BceLoss.builder().reduction(reduction()).threads(threads()).build();
        return plan(x, t, p, "binary_cross_entropy takes a target of the input's size", loss,
                (r0, r1) -> w == null ? loss : loss.toBuilder().weight(w.values(r0, r1), w.shape(r0, r1)).build(),
                requirement -> "is not a probability in [0, 1] (bce takes probabilities; use bce-with-logits for logits)");
    }
}
