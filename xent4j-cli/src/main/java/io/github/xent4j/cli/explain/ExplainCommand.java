package io.github.xent4j.cli.explain;

import io.github.xent4j.Reduction;
import io.github.xent4j.cli.ExitCode;
import io.github.xent4j.cli.UsageException;
import io.github.xent4j.cli.Verbosity;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.data.Sources;
import io.github.xent4j.cli.io.DataException;
import io.github.xent4j.cli.loss.ClassTargets;
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
        description = {"Explains cross-entropy or bce step by step, on your data.",
                "",
                "Shows the formula, the max shift, softmax per sample with a bar chart, -log p of the true class, the "
                        + "weights and the exact mean denominator, label smoothing's target distribution, and the "
                        + "gradient rows.",
                "Inputs are files (.npy, .csv, .json) or inline JSON values, with the same meaning as for "
                        + "cross-entropy and bce. A large input is summarised (accuracy, per-class mean loss, worst "
                        + "samples) instead of listed. --lang zh explains in Chinese, the tutorial's language.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent explain --logits '[[0.1,0.3,0.6],[0.3,0.2,0.5]]' --target '[0,2]'",
                "  xent explain --logits '[[0.1,0.3,0.6]]' --target '[0]' --weight '[1,2,3]' \\",
                "      --label-smoothing 0.1 --lang zh",
                "  xent explain --probs '[0.9,0.2,0.6]' --target '[1,0,1]'     # binary",
                "  xent explain --input logits.npy --target labels.npy         # a summary"})
public final class ExplainCommand implements Callable<Integer>, Verbosity {

    /** Which loss to explain. */
    enum Loss {
        @SuppressWarnings("checkstyle:all") cross_entropy("cross-entropy"), bce("bce");

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

    @Option(names = "--target", required = true, paramLabel = "T",
            description = "Class indices or probabilities (cross-entropy), or 0/1 labels (bce): a file or an inline value such as '[0]'.")
    String target;

    @Option(names = "--loss", paramLabel = "L", converter = LossConverter.class,
            description = "cross-entropy or bce (default: bce with --probs, else cross-entropy).")
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
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "expected cross-entropy or bce but was '" + value + "'");
            };
        }
    }

    @Override
    public Integer call() {
        Reduction r = reduction.core();
        Loss which = loss;
        if (which == null) {
            which = values.probs != null ? Loss.bce : Loss.cross_entropy;
        } else if ((which == Loss.bce && values.logits != null) || (which == Loss.cross_entropy && values.probs != null)) {
            throw new UsageException("--loss " + which + " does not take " + (values.logits != null ? "--logits" : "--probs"));
        }
        if (labelSmoothing > 1) {
            throw new UsageException("--label-smoothing=" + labelSmoothing + " must be between 0.0 and 1.0");
        }
        String option = values.input != null ? "--input" : values.logits != null ? "--logits" : "--probs";
        String spec0 = values.input != null ? values.input : values.logits != null ? values.logits : values.probs;
        PrintWriter out = spec.commandLine().getOut();
        try (Closer closer = new Closer()) {
            Source x = closer.add(Sources.openOrParse(spec0, option));
            Source t = closer.add(Sources.openOrParse(target, "--target"));
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
            } else {
                explainBce(out, x, t, w, xv, shape, r, names);
            }
        }
        out.flush();
        return ExitCode.OK;
    }

    private void explainCrossEntropy(PrintWriter out, Source x, Source t, Source w, double[] xv, int[] shape,
                                     Reduction r, String names) {
        long classes = ClassTargets.classes(x);
        double[] wv = ClassTargets.weights(w, classes, "--weight");
        if (Dims.equal(t.shape(), x.shape())) {
            if (!t.isFloating()) {
                throw new DataException(t.name() + ": Expected floating point type for target with class probabilities, got "
                        + t.dtypeName() + " (write probabilities such as 1.0, or class indices of shape "
                        + Dims.format(shape.length == 1 ? new long[0] : Dims.without(x.shape(), 1)) + ")");
            }
            if (ignoreIndex >= 0) {
                throw new DataException(t.name() + ": --ignore-index " + ignoreIndex + " is not supported for probability targets");
            }
            double positions = shape.length == 1 ? 1 : Dims.numel(Dims.without(x.shape(), 1));
            new CrossEntropyExplainer(lang, out, xv, shape, null, Sources.readAllDoubles(t), wv, ignoreIndex, labelSmoothing,
                    r, positions, names).print(maxSamples);
            return;
        }
        ClassTargets ct = ClassTargets.check(x, t, wv, ignoreIndex, "cross_entropy");
        int[] y = ct.read(0, shape.length == 1 ? 1 : shape[0]);
        new CrossEntropyExplainer(lang, out, xv, shape, y, null, wv, ignoreIndex, labelSmoothing, r, ct.denominator(), names)
                .print(maxSamples);
    }

    private void explainBce(PrintWriter out, Source x, Source t, Source w, double[] xv, int[] shape, Reduction r, String names) {
        if (!Dims.equal(t.shape(), x.shape())) {
            throw new DataException(t.name() + ": target shape " + Dims.format(t.shape()) + " must equal the input shape "
                    + Dims.format(x.shape()) + " of " + x.name());
        }
        double[] tv = Sources.readAllDoubles(t);
        for (int i = 0; i < xv.length; i++) {
            if (!(xv[i] >= 0 && xv[i] <= 1)) {
                throw new DataException(x.name() + ": input" + Dims.index(x.shape(), i) + "=" + Dims.value(xv[i], false)
                        + " is not a probability in [0, 1] (bce takes probabilities)");
            }
            if (!(tv[i] >= 0 && tv[i] <= 1)) {
                throw new DataException(t.name() + ": target" + Dims.index(x.shape(), i) + "=" + Dims.value(tv[i], false)
                        + " must be in [0, 1]");
            }
        }
        double[] wv = w == null ? null : Sources.readAllDoubles(w);
        int[] ws = w == null ? null : Dims.toInt(w.shape());
        if (w != null) {
            checkBroadcast(w, x);
        }
        new BceExplainer(lang, out, xv, shape, tv, wv, ws, r, names).print(maxSamples);
    }

    private static void checkBroadcast(Source w, Source x) {
        long[] ws = w.shape();
        long[] xs = x.shape();
        boolean ok = ws.length <= xs.length;
        for (int k = 0; ok && k < ws.length; k++) {
            long d = xs[xs.length - ws.length + k];
            ok = ws[k] == 1 || ws[k] == d;
        }
        if (!ok) {
            throw new DataException(w.name() + ": --weight of shape " + Dims.format(ws) + " cannot be broadcast to the input shape "
                    + Dims.format(xs));
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
