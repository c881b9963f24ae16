package io.github.xent4j.cli.loss;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.PolyLoss;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code xent poly-cross-entropy}: the poly-1 loss, {@link PolyLoss}, over files. */
@Command(name = "poly-cross-entropy", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.PolyCrossEntropyCommand",
        description = {"Poly-1 cross-entropy from logits (Leng et al. 2022), as optax.poly_loss_cross_entropy: "
                + "cross-entropy + epsilon * (1 - p_y).",
                "",
                "Input, targets (class indices or probabilities of the input's shape), --weight, --ignore-index and "
                        + "--label-smoothing as for cross-entropy. With class weights, loss = w_y * (CE + epsilon * "
                        + "(1 - p_y)) and mean divides by the sum of w[target] over non-ignored positions (cross-entropy's "
                        + "denominator); with probability targets or smoothing the poly term is epsilon * (1 - sum_c "
                        + "t_c p_c) and mean divides by the number of positions. epsilon 0 is cross-entropy.",
                "dtype, printing and streaming as for cross-entropy.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent poly-cross-entropy --input logits.npy --target labels.npy",
                "  xent poly-cross-entropy --input logits.npy --target labels.npy --epsilon 1 --grad dx.npy"})
public final class PolyCrossEntropyCommand extends TargetLossCommand {

    @Mixin
    LossOptions.Weight weight = new LossOptions.Weight();

    @Option(names = "--epsilon", order = 4, paramLabel = "EPS", defaultValue = "2",
            description = "The coefficient of the poly-1 term, finite (default ${DEFAULT-VALUE}, Optax's; 0 is "
                    + "cross-entropy).")
    double epsilon;

    @Option(names = "--ignore-index", order = 5, paramLabel = "N", defaultValue = "-100",
            description = "Class-index targets equal to N count neither in the loss nor in the mean (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Option(names = "--label-smoothing", order = 6, paramLabel = "E", defaultValue = "0",
            description = "Label smoothing in [0, 1] (default ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Mixin
    LossOptions.Reductions reduction = new LossOptions.Reductions();

    private PolyLoss configured;

    @Override
    void checkOptions() {
        PolyLoss.Builder b = PolyLoss.builder().ignoreIndex(ignoreIndex).reduction(reduction()).threads(threads());
        option("--epsilon", epsilon, () -> b.epsilon(epsilon));
        option("--label-smoothing", labelSmoothing, () -> b.labelSmoothing(labelSmoothing));
        configured = b.build();
    }

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        // cross-entropy's target dispatch: the input's shape holds probabilities, any other class indices
        boolean probabilities = IndexTargets.checkShape(x, t, "poly_cross_entropy", true, CrossEntropyLoss::isProbabilityTarget);
        Source ws = open(weight.file, closer);
        PolyLoss loss = configured.toBuilder().weight(IndexTargets.weights(ws, "--weight")).build();
        if (probabilities) {
            return IndexTargets.probabilities(x, t, ws, ignoreIndex, p, loss,
                    IndexTargets.ProbLoss.of(loss::denominator, loss::compute, loss::compute, loss::partial, loss::partial));
        }
        return IndexTargets.plan(x, t, ws, ignoreIndex, loss,
                IndexTargets.IndexLoss.of(loss::denominator, loss::compute, loss::compute, loss::partial, loss::partial));
    }
}
