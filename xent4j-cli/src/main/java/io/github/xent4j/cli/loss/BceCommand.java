package io.github.xent4j.cli.loss;

import io.github.xent4j.BceLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.io.DataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code xent bce}: PyTorch's {@code F.binary_cross_entropy} over files. */
@Command(name = "bce", mixinStandardHelpOptions = true, sortOptions = false,
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

    @Option(names = "--input", order = 1, required = true, paramLabel = "P", description = "Probabilities in [0, 1] (.npy float32/float64, .csv or .json).")
    Path input;

    @Option(names = "--target", order = 2, required = true, paramLabel = "T", description = "Targets in [0, 1], the input's shape.")
    Path target;

    @Option(names = "--weight", order = 3, paramLabel = "W", description = "Element weights, broadcast to the input's shape.")
    Path weight;

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
        Operand w = Operand.of(open(weight, closer), x, "--weight");
        long[] xs = x.shape();
        int rowSize = x.rowSize();
        boolean float32 = p == Precision.FLOAT32;
        return plan(x, t, p, "binary_cross_entropy takes a target of the input's size",
                (r0, r1, xb, tb, shape, r, up, lossOut, gradOut) -> {
                    checkRange(x, xb, r0 * rowSize, xs, "input", float32,
                            " is not a probability in [0, 1] (bce takes probabilities; use bce-with-logits for logits)");
                    checkRange(t, tb, r0 * rowSize, xs, "target", float32, " must be in [0, 1]");
                    BceLoss loss = BceLoss.builder().reduction(r).build();
                    if (w != null) {
                        loss = loss.toBuilder().weight(w.values(r0, r1), w.shape(r0, r1)).build();
                    }
                    return xb instanceof float[] f
                            ? loss.compute(f, shape, (float[]) tb, (float[]) up, (float[]) lossOut, (float[]) gradOut)
                            : loss.compute((double[]) xb, shape, (double[]) tb, (double[]) up, (double[]) lossOut, (double[]) gradOut);
                });
    }

    /** PyTorch rejects values outside [0, 1] (and NaN); say which element, counted in the whole file. */
    private static void checkRange(Source s, Object buffer, long offset, long[] shape, String what, boolean float32, String problem) {
        int n = Precision.length(buffer);
        for (int i = 0; i < n; i++) {
            double v = buffer instanceof float[] f ? f[i] : ((double[]) buffer)[i];
            if (!(v >= 0 && v <= 1)) {
                throw new DataException(s.name() + ": " + what + Dims.index(shape, offset + i) + "=" + Dims.value(v, float32) + problem);
            }
        }
    }
}
