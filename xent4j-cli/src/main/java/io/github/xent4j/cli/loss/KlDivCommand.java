package io.github.xent4j.cli.loss;

import io.github.xent4j.KlDivLoss;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code xent kl-div}: PyTorch's {@code F.kl_div} over files. */
@Command(name = "kl-div", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.KlDivCommand",
        description = {"Kullback-Leibler divergence KL(target || input), as torch.nn.functional.kl_div.",
                "",
                "The input X holds log-probabilities log q; the target T holds probabilities p (or log p with "
                        + "--log-target). Input and target must have the same shape (PyTorch would broadcast; xent asks "
                        + "for equal shapes).",
                "loss = xlogy(T, T) - T * X   (with --log-target: exp(T) * (T - X)).",
                "mean divides by the number of elements (PyTorch's default, which averages over classes too); "
                        + "batchmean divides by the size of dimension 0 and is the mathematical KL per sample.",
                "dtype, printing and streaming as for cross-entropy.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent log-softmax --input logits.npy --dim 1 --out logq.npy",
                "  xent kl-div --input logq.npy --target p.npy --reduction batchmean"})
public final class KlDivCommand extends ElementwiseLossCommand {

    @Option(names = "--log-target", order = 6, description = "The target holds log-probabilities.")
    boolean logTarget;

    @Option(names = "--reduction", order = 7, paramLabel = "R", defaultValue = "mean",
            description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    KlReduction reduction;

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        KlDivLoss loss = KlDivLoss.builder().reduction(reduction()).logTarget(logTarget).threads(threads()).build();
        return plan(x, t, p, "kl_div takes a target of the input's shape", loss, (r0, r1) -> loss, requirement -> requirement);
    }
}
