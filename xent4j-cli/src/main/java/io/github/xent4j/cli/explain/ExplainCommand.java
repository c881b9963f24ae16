package io.github.xent4j.cli.explain;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.DistillationLoss;
import io.github.xent4j.FocalLoss;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.NllLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.cli.ExitCode;
import io.github.xent4j.cli.UsageException;
import io.github.xent4j.cli.Verbosity;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.data.Sources;
import io.github.xent4j.cli.io.DataException;
import io.github.xent4j.cli.loss.IndexTargets;
import io.github.xent4j.cli.loss.LossCommand;
import io.github.xent4j.cli.loss.LossReduction;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code xent explain}: a loss computed step by step, as the tutorial teaches it. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explains cross-entropy, bce, focal loss or distillation step by step, on your data.",
                "",
                "Shows the formula, the max shift, softmax per sample with a bar chart, -log p of the true class, the "
                        + "weights and the exact mean denominator, label smoothing's target distribution, and the "
                        + "gradient rows.",
                "--loss focal shows how the factor (1 - p_y)^gamma down-weights easy samples next to cross-entropy; "
                        + "--loss distill shows how the temperature T softens the teacher (--teacher) and the student.",
                "Inputs are files (.npy, .csv, .json) or inline JSON values, with the same meaning as for "
                        + "cross-entropy and bce. A large input is summarised (accuracy, per-class mean loss, worst "
                        + "samples) instead of listed. --lang zh explains in Chinese, the tutorial's language.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent explain --logits '[[0.1,0.3,0.6],[0.3,0.2,0.5]]' --target '[0,2]'",
                "  xent explain --logits '[[0.1,0.3,0.6]]' --target '[0]' --weight '[1,2,3]' \\",
                "      --label-smoothing 0.1 --lang zh",
                "  xent explain --probs '[0.9,0.2,0.6]' --target '[1,0,1]'     # binary",
                "  xent explain --loss focal --gamma 2 --logits '[[2,0,-1],[0.2,0.3,0.1]]' --target '[0,2]'",
                "  xent explain --loss distill --temperature 4 --logits '[[1,2,0.5]]' --teacher '[[3,1,0]]'",
                "  xent explain --input logits.npy --target labels.npy         # a summary"})
public final class ExplainCommand implements Callable<Integer>, Verbosity {

    /** Which loss to explain. */
    enum Loss {
        @SuppressWarnings("checkstyle:all") cross_entropy("cross-entropy"), bce("bce"), focal("focal"), distill("distill");

        final String label;

        Loss(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** The values: exactly one of --input, --logits, --probs. */
    static final class Values {
        @Option(names = "--input", paramLabel = "X", description = "Logits (cross-entropy) or probabilities (bce): a file or an inline value.")
        String input;

        @Option(names = "--logits", paramLabel = "X", description = "Logits, for cross-entropy: a file or an inline value such as '[[0.1,0.3,0.6]]'.")
        String logits;

        @Option(names = "--probs", paramLabel = "P", description = "Probabilities, for bce: a file or an inline value such as '[0.9,0.2]'.")
        String probs;
    }

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Values values;

    @Option(names = "--target", paramLabel = "T",
            description = "Class indices or probabilities (cross-entropy), class indices (focal), or 0/1 labels (bce): a file or "
                    + "an inline value such as '[0]'. Required except for distill.")
    String target;

    @Option(names = "--gamma", paramLabel = "G", defaultValue = "2", description = "focal: the focusing exponent gamma >= 0 (default ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--teacher", paramLabel = "T", description = "distill: the teacher's logits, of the student's shape: a file or an inline value.")
    String teacher;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "2", description = "distill: the temperature T > 0 (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--loss", paramLabel = "L", converter = LossConverter.class,
            description = "cross-entropy, bce, focal or distill (default: bce with --probs, else cross-entropy).")
    Loss loss;

    @Option(names = "--weight", paramLabel = "W", description = "Weights: per class (cross-entropy) or broadcast per element (bce).")
    String weight;

    @Option(names = "--ignore-index", paramLabel = "N", defaultValue = "-100", description = "cross-entropy: targets equal to N are skipped (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Option(names = "--label-smoothing", paramLabel = "E", defaultValue = "0", description = "cross-entropy: label smoothing in [0, 1] (default ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--reduction", paramLabel = "R", defaultValue = "mean", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    LossReduction reduction;

    @Option(names = "--lang", paramLabel = "LANG", defaultValue = "en", description = "${COMPLETION-CANDIDATES}: English (default) or Chinese.")
    Lang lang;

    @Option(names = "--max-samples", paramLabel = "N", defaultValue = "10", description = "Explain sample by sample up to N samples; summarise above (default ${DEFAULT-VALUE}).")
    int maxSamples;

    @Option(names = "--verbose", description = "Show the stack trace of an error.")
    boolean verbose;

    @Override
    public boolean verbose() {
        return verbose;
    }

    /** Accepts cross-entropy and bce (also with an underscore). */
    static final class LossConverter implements picocli.CommandLine.ITypeConverter<Loss> {
        @Override
        public Loss convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
                case "cross-entropy", "ce" -> Loss.cross_entropy;
                case "bce" -> Loss.bce;
                case "focal" -> Loss.focal;
                case "distill", "distillation" -> Loss.distill;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "expected cross-entropy, bce, focal or distill but was '" + value + "'");
            };
        }
    }

    @Override
    public Integer call() {
        Reduction r = reduction.core();
        Loss which = loss;
        if (which == null) {
            which = values.probs != null ? Loss.bce : Loss.cross_entropy;
        } else if ((which == Loss.bce && values.logits != null) || (which != Loss.bce && values.probs != null)) {
            throw new UsageException("--loss " + which + " does not take " + (values.logits != null ? "--logits" : "--probs"));
        }
        if (which == Loss.distill ? teacher == null : target == null) {
            throw new UsageException(which == Loss.distill ? "--loss distill needs --teacher" : "Missing required option: '--target=T'");
        }
        // the core's rules for the options
        if (which == Loss.focal) {
            LossCommand.option("--gamma", gamma, () -> FocalLoss.builder().gamma(gamma));
        }
        if (which == Loss.distill) {
            LossCommand.option("--temperature", temperature, () -> DistillationLoss.builder().temperature(temperature));
        }
        LossCommand.option("--label-smoothing", labelSmoothing, () -> CrossEntropyLoss.builder().labelSmoothing(labelSmoothing));
        String option = values.input != null ? "--input" : values.logits != null ? "--logits" : "--probs";
        String spec0 = values.input != null ? values.input : values.logits != null ? values.logits : values.probs;
        PrintWriter out = spec.commandLine().getOut();
        try (Closer closer = new Closer()) {
            Source x = closer.add(Sources.openOrParse(spec0, option));
            Source t = which == Loss.distill ? closer.add(Sources.openOrParse(teacher, "--teacher"))
                    : closer.add(Sources.openOrParse(target, "--target"));
            Source w = weight == null ? null : closer.add(Sources.openOrParse(weight, "--weight"));
            if (!x.textual() && !x.isFloating()) {
                throw new DataException(x.name() + ": unsupported dtype " + x.dtype().numpyName() + " for " + option
                        + ": expected float32 or float64");
            }
            if (x.numel() > 20_000_000) {
                throw new DataException(x.name() + ": " + x.numel() + " elements are more than explain reads into memory; "
                        + "use xent cross-entropy for the loss of a large input");
            }
            double[] xv = Sources.readAllDoubles(x);
            int[] shape = Dims.toInt(x.shape());
            String names = names(x, t, w);
            if (which == Loss.cross_entropy) {
                explainCrossEntropy(out, x, t, w, xv, shape, r, names);
            } else if (which == Loss.focal || which == Loss.distill) {
                explainFamily(which, out, x, t, w, xv, shape, r, names);
            } else {
                explainBce(out, x, t, w, xv, shape, r, names);
            }
        }
        out.flush();
        return ExitCode.OK;
    }

    private void explainCrossEntropy(PrintWriter out, Source x, Source t, Source w, double[] xv, int[] shape,
                                     Reduction r, String names) {
        boolean probabilities = IndexTargets.checkShape(x, t, "cross_entropy", true, CrossEntropyLoss::isProbabilityTarget);
        double[] wv = IndexTargets.weights(w, "--weight");
        IndexTargets targets = IndexTargets.of(x, t, w, ignoreIndex);
        try {
            // the explainer computes with the core first and prints after: the core's rules decide
            new CrossEntropyExplainer(lang, out, xv, shape, probabilities ? null : targets.readAll(),
                    probabilities ? Sources.readAllDoubles(t) : null, wv, ignoreIndex, labelSmoothing, r, names).print(maxSamples);
        } catch (InvalidInputException e) {
            throw targets.restate(e, 0);
        }
    }

    /** Focal loss and distillation, on (C) or (N, C) inputs. */
    private void explainFamily(Loss which, PrintWriter out, Source x, Source t, Source w, double[] xv, int[] shape, Reduction r,
                               String names) {
        if (shape.length < 1 || shape.length > 2) {
            throw new DataException(x.name() + ": explain --loss " + which + " takes logits of shape (C) or (N, C), got "
                    + Dims.format(x.shape()));
        }
        if (which == Loss.distill) {
            if (!Dims.equal(t.shape(), x.shape())) {
                throw new DataException(t.name() + ": --teacher of shape " + Dims.format(t.shape()) + " must have the student's shape "
                        + Dims.format(x.shape()) + " of " + x.name());
            }
            boolean explicit = spec.commandLine().getParseResult() != null
                    && spec.commandLine().getParseResult().hasMatchedOption("--reduction");
            new DistillExplainer(lang, out, xv, Sources.readAllDoubles(t), shape, temperature,
                    explicit ? r : Reduction.BATCHMEAN, names).print(maxSamples);
            return;
        }
        IndexTargets.checkShape(x, t, "focal_loss", false, (xs, ts, integers) -> {
            NllLoss.checkTargetShape(xs, ts); // the class-index shape rule
            return false;
        });
        double[] wv = IndexTargets.weights(w, "--weight");
        IndexTargets targets = IndexTargets.of(x, t, w, ignoreIndex);
        try {
            new FocalExplainer(lang, out, xv, shape, targets.readAll(), wv, ignoreIndex, gamma, r, names).print(maxSamples);
        } catch (InvalidInputException e) {
            throw targets.restate(e, 0);
        }
    }

    private void explainBce(PrintWriter out, Source x, Source t, Source w, double[] xv, int[] shape, Reduction r, String names) {
        double[] tv = Sources.readAllDoubles(t);
        double[] wv = w == null ? null : Sources.readAllDoubles(w);
        int[] ws = w == null ? null : Dims.toInt(w.shape());
        try {
            // the explainer computes with the core's BceLoss first and prints after: its rules decide
            new BceExplainer(lang, out, xv, shape, tv, wv, ws, r, names).print(maxSamples);
        } catch (InvalidInputException e) {
            throw switch (e.argument()) {
                case "probs" -> new DataException(x.name() + ": input" + Dims.index(x.shape(), e.index()) + "="
                        + Dims.value(xv[(int) e.index()], false) + " is not a probability in [0, 1] (bce takes probabilities)");
                case "target" -> e.index() < 0 ? new DataException(t.name() + ": target shape " + Dims.format(t.shape())
                        + " must equal the input shape " + Dims.format(x.shape()) + " of " + x.name())
                        : new DataException(t.name() + ": target" + Dims.index(x.shape(), e.index()) + "="
                        + Dims.value(tv[(int) e.index()], false) + " must be in [0, 1]");
                case "weight" -> new DataException(w.name() + ": --weight of shape " + Dims.format(w.shape())
                        + " cannot be broadcast to the input shape " + Dims.format(x.shape()));
                default -> new DataException(x.name() + ": " + e.getMessage());
            };
        }
    }

    private static String names(Source x, Source t, Source w) {
        StringBuilder sb = new StringBuilder("(");
        sb.append(x.name()).append(", ").append(t.name());
        if (w != null) {
            sb.append(", ").append(w.name());
        }
        return sb.append(')').toString();
    }
}
