package io.github.xent4j.cli.loss;

import io.github.xent4j.cli.RunOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The options the loss commands share, each declared once: {@code --input} (with
 * {@link RunOptions}: {@code --threads}, {@code --verbose}), and, for the commands that take them,
 * {@link Target}, {@link Weight} and {@link Reductions}. What differs between commands is text only: each
 * command's resource bundle (named after its class) may give the keys {@code input}, {@code target},
 * {@code weight} (descriptions) and {@code input.label}, {@code weight.label} (the value's name in
 * the synopsis, default X and W); without a key the description here is used.
 */
public final class LossOptions {

    @Option(names = "--input", order = 1, required = true, paramLabel = "${bundle:input.label:-X}", descriptionKey = "input",
            description = "The input (.npy float32/float64, .csv or .json).")
    Path input;

    @Mixin
    RunOptions run = new RunOptions();

    /** {@code --target T}, required (distill's optional hard labels are its own option). */
    public static final class Target {
        @Option(names = "--target", order = 2, required = true, paramLabel = "T", descriptionKey = "target",
                description = "The target.")
        Path file;
    }

    /** {@code --weight W}: a file of weights; what they weigh is the command's (its bundle's {@code weight}). */
    public static final class Weight {
        @Option(names = "--weight", order = 3, paramLabel = "${bundle:weight.label:-W}", descriptionKey = "weight",
                description = "Weights.")
        Path file;
    }

    /** {@code --reduction mean|sum|none} (kl-div, which also has batchmean, declares its own). */
    public static final class Reductions {
        @Option(names = "--reduction", order = 7, paramLabel = "R", defaultValue = "mean",
                description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
        LossReduction value;
    }
}
