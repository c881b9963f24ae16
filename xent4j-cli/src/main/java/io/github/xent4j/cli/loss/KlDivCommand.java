package io.github.xent4j.cli.loss;

import io.github.xent4j.KlDivLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code xent kl-div}: PyTorch's {@code F.kl_div} over files. */
@Command(name = "kl-div", mixinStandardHelpOptions = true, sortOptions = false,
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

    @Option(names = "--input", order = 1, required = true, paramLabel = "X", description = "Log-probabilities (.npy float32/float64, .csv or .json).")
    Path input;

    @Option(names = "--target", order = 2, required = true, paramLabel = "T", description = "Probabilities (or log-probabilities with --log-target), the input's shape.")
    Path target;

    @Option(names = "--log-target", order = 6, description = "The target holds log-probabilities.")
    boolean logTarget;

    @Option(names = "--reduction", order = 7, paramLabel = "R", defaultValue = "mean",
            description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    KlReduction reduction;

    @Override
    Path input() {
        return input;
    }

    @Override
    Path target() {
        return target;
    }

    @Override
    Reduction reduction() {
        return reduction.core;
    }

    @Override
    Plan prepare(Source x, Source t, Precision p, Closer closer) {
        Plan plan = plan(x, t, p, "kl_div takes a target of the input's shape",
                (r0, r1, xb, tb, shape, r, up, lossOut, gradOut) -> {
                    KlDivLoss loss = KlDivLoss.builder().reduction(r).logTarget(logTarget).build();
                    return xb instanceof float[] f
                            ? loss.compute(f, shape, (float[]) tb, (float[]) up, (float[]) lossOut, (float[]) gradOut)
                            : loss.compute((double[]) xb, shape, (double[]) tb, (double[]) up, (double[]) lossOut, (double[]) gradOut);
                });
        if (reduction.core == Reduction.BATCHMEAN) {
            long batch = x.rank() == 0 ? 1 : x.shape()[0];
            return new Plan(plan.rows(), plan.rowElements(), plan.chunkable(), plan.lossShape(), plan.lossPerRow(),
                    batch, batch, plan.loss());
        }
        return plan;
    }
}
