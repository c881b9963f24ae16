package io.github.xent4j.cli.loss;

import io.github.xent4j.SigmoidFocalLoss;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code xent sigmoid-focal}: torchvision's {@code sigmoid_focal_loss}, {@link SigmoidFocalLoss}, over files. */
@Command(name = "sigmoid-focal", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.SigmoidFocalCommand",
        description = {"Sigmoid focal loss from logits, as torchvision.ops.sigmoid_focal_loss.",
                "",
                "The input X holds logits (any shape); the target T has the same shape (0/1 labels, or values in "
                        + "[0, 1]). loss = BCE-with-logits * (1 - p_t)^gamma * (alpha * T + (1 - alpha) * (1 - T)), "
                        + "evaluated stably from logits; a negative alpha turns the balancing off. mean divides by the "
                        + "number of elements. (torchvision's default reduction is none; xent's is mean, as for its other "
                        + "losses.)",
                "dtype, printing and streaming as for cross-entropy.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent sigmoid-focal --input logits.npy --target labels01.npy",
                "  xent sigmoid-focal --input logits.npy --target labels01.npy --alpha -1 --gamma 1 --reduction sum"})
public final class SigmoidFocalCommand extends ElementwiseLossCommand {

    @Option(names = "--alpha", order = 4, paramLabel = "A", defaultValue = "0.25",
            description = "The weight of positives, in [0, 1] (negatives get 1 - A); negative: no balancing "
                    + "(default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--gamma", order = 5, paramLabel = "G", defaultValue = "2",
            description = "The focusing exponent, >= 0 (default ${DEFAULT-VALUE}).")
    double gamma;

    @Mixin
    LossOptions.Reductions reduction = new LossOptions.Reductions();

    private SigmoidFocalLoss configured;

    @Override
    void checkOptions() {
        SigmoidFocalLoss.Builder b = SigmoidFocalLoss.builder().reduction(reduction()).threads(threads());
        option("--alpha", alpha, () -> b.alpha(alpha));
        option("--gamma", gamma, () -> b.gamma(gamma));
        configured = b.build();
    }

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        return plan(x, t, p, "sigmoid_focal_loss takes a target of the input's shape", configured, (r0, r1) -> configured,
                requirement -> requirement);
    }
}
