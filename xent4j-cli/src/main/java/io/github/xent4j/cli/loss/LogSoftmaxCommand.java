package io.github.xent4j.cli.loss;

import picocli.CommandLine.Command;

/** {@code xent log-softmax}: {@code torch.log_softmax} along one dimension, from file to file. */
@Command(name = "log-softmax", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"log_softmax along one dimension, as torch.log_softmax: (x - max) - log(sum(exp(x - max))).",
                "",
                "Without --dim, PyTorch's implicit choice for F.log_softmax(x): dimension 0 for 0-, 1- and 3-d inputs, "
                        + "1 otherwise. --dim may be negative (counted from the end). The output has the input's shape "
                        + "and dtype. A .npy input larger than memory is streamed when --dim is not 0.",
                ""},
        footerHeading = "%nExample:%n",
        footer = "  xent log-softmax --input logits.npy --dim 1 --out logp.npy")
public final class LogSoftmaxCommand extends SoftmaxCommand {

    @Override
    boolean log() {
        return true;
    }
}
