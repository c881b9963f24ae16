package io.github.xent4j.cli.train;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.Xent4j;
import io.github.xent4j.cli.Threads;
import io.github.xent4j.cli.io.DataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code xent train}: trains multinomial logistic regression or a one-hidden-layer MLP with
 * xent4j's fused cross-entropy gradient, on the bundled 8x8 digits or on the user's CSV, and reports
 * the test accuracy and mean cross-entropy, with a CSV log and a PNG chart per epoch.
 */
@Command(name = "train", sortOptions = false, usageHelpAutoWidth = true,
        description = {
                "Train a classifier by minimising xent4j's mean cross-entropy: multinomial logistic regression "
                        + "or an MLP with one hidden ReLU layer, with SGD (momentum) or Adam.",
                "Without --data it trains on the bundled 8x8 handwritten digits (1,797 images, 10 classes; "
                        + "UCI \"Optical Recognition of Handwritten Digits\", E. Alpaydin and C. Kaynak, CC BY 4.0).",
                "Features are standardised with the training split's mean and standard deviation; the split "
                        + "is stratified and seeded: the same seed gives the same numbers."},
        footer = {"", "Outputs: the test accuracy and mean cross-entropy on stdout, progress on stderr, "
                + "and train-log.csv and train-chart.png in --out-dir.",
                "Exit codes: 0 trained, 1 bad data (or the loss diverged), 2 bad usage.",
                "Examples:", "  xent train", "  xent train --model mlp",
                "  xent train --data iris.csv --label-column species --optimizer adam"})
public final class TrainCommand implements Callable<Integer> {

    /** Trained models. */
    public enum ModelKind { logreg, mlp }

    /** Optimisers. */
    public enum OptimizerKind { sgd, adam }

    /** Class weights for the loss. */
    public enum ClassWeight { none, balanced }

    static final String LOG_FILE = "train-log.csv";
    static final String CHART_FILE = "train-chart.png";
    static final double SGD_LR = 0.03;
    static final double ADAM_LR = 0.001;

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE.csv",
            description = "Train on this CSV (.csv or .csv.gz) instead of the bundled digits: numeric feature "
                    + "columns and one label column; a row with an empty label is unlabeled (ignore_index).")
    Path data;

    @Option(names = "--label-column", paramLabel = "NAME",
            description = "The label column of --data: a header name, or a 0-based index for a file without a "
                    + "header. Default: the last column.")
    String labelColumn;

    @Option(names = "--model", defaultValue = "logreg", paramLabel = "MODEL",
            description = "${COMPLETION-CANDIDATES}: logistic regression, or a hidden ReLU layer. Default: ${DEFAULT-VALUE}.")
    ModelKind model;

    @Option(names = "--hidden", defaultValue = "128", paramLabel = "N",
            description = "Hidden units of --model mlp, >= 1. Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--optimizer", defaultValue = "sgd", paramLabel = "OPT",
            description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    OptimizerKind optimizer;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate, > 0. Default: " + SGD_LR + " for sgd, " + ADAM_LR + " for adam.")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0.9", paramLabel = "MU",
            description = "SGD momentum, in [0, 1). Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0.001", paramLabel = "L2",
            description = "L2 penalty added to the gradient (torch.optim weight_decay), >= 0. Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--epochs", defaultValue = "30", paramLabel = "N",
            description = "Passes over the training set, >= 1. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N",
            description = "Examples per gradient step, >= 1. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--label-smoothing", defaultValue = "0", paramLabel = "EPS",
            description = "Cross-entropy label smoothing, in [0, 1]. Default: ${DEFAULT-VALUE}.")
    double labelSmoothing;

    @Option(names = "--class-weight", defaultValue = "none", paramLabel = "W",
            description = "${COMPLETION-CANDIDATES}: balanced weighs class c by n / (C * n_c) over the training "
                    + "labels. Default: ${DEFAULT-VALUE}.")
    ClassWeight classWeight;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Share of each class held out for testing, in (0, 1). Default: ${DEFAULT-VALUE}.")
    double testFraction;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of the split, the initialisation and the batch order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    Threads threadCount = new Threads();

    /** The validated --threads (the loss and the matrix products). */
    private int threads;

    @Option(names = "--out-dir", defaultValue = "xent-train-out", paramLabel = "DIR",
            description = "Where " + LOG_FILE + " and " + CHART_FILE + " go. Default: ${DEFAULT-VALUE}.")
    Path outDir;

    @Option(names = "--no-plot", description = "Do not draw " + CHART_FILE + ".")
    boolean noPlot;

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "HOW",
            description = "${COMPLETION-CANDIDATES}: auto is a bar on a terminal, else one line per epoch. "
                    + "Default: ${DEFAULT-VALUE}.")
    Progress.Mode progress;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        double rate = lr != null ? lr : optimizer == OptimizerKind.sgd ? SGD_LR : ADAM_LR;
        try {
            // Bad data is a DataException, which Main reports as one line with exit code 1.
            LabeledTable table = data == null ? LabeledTable.digits() : LabeledTable.read(data, labelColumn);
            Split split = Split.stratified(table, testFraction, seed);
            if (split.test().labeled() == 0) {
                throw new DataException(String.format(Locale.ROOT,
                        "%s: too few labeled rows to hold any out for testing (%d labeled); add rows or raise --test-fraction",
                        table.source(), table.labeledRows()));
            }
            try {
                // Fail before training, not after it, when the outputs cannot be written.
                java.nio.file.Files.createDirectories(outDir);
            } catch (IOException e) {
                throw new IOException("cannot create --out-dir " + outDir + ": " + reason(e), e);
            }
            return train(table, split, rate, out, err);
        } catch (IOException e) {
            err.println("xent train: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private int train(LabeledTable table, Split split, double rate, PrintWriter out, PrintWriter err) throws IOException {
        int classes = table.classes();
        double[] weight = classWeight == ClassWeight.balanced ? balancedWeights(split.train(), classes) : null;
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(weight).ignoreIndex(LabeledTable.UNLABELED)
                .labelSmoothing(labelSmoothing).threads(threads).build();
        Model m = model == ModelKind.mlp ? new Mlp(table.cols(), hidden, classes) : new LogisticRegression(table.cols(), classes);
        double[] params = new double[m.parameterCount()];
        m.initialize(params, new Random(seed ^ 0x5DEECE66DL));
        Optimizer opt = optimizer == OptimizerKind.sgd
                ? new Optimizer.Sgd(params.length, rate, momentum, weightDecay)
                : new Optimizer.Adam(params.length, rate, weightDecay);

        long trainUnlabeled = split.train().rows() - split.train().labeled();
        out.printf(Locale.ROOT, "data: %s: %d rows, %d features, %d classes%n", table.source(), table.rows(), table.cols(), classes);
        out.printf(Locale.ROOT, "split: %d train%s, %d test (stratified, seed %d)%n", split.train().rows(),
                trainUnlabeled > 0 ? " (" + trainUnlabeled + " unlabeled, ignored by the loss)" : "",
                split.test().rows(), seed);
        out.printf(Locale.ROOT, "model: %s, %d parameters; %s; batch %d; %d epoch%s; loss %s; kernels %s%n", m.describe(),
                params.length, opt.describe(), batchSize, epochs, epochs == 1 ? "" : "s", describeLoss(), Xent4j.kernels());
        out.flush();

        List<EpochRecord> history = new ArrayList<>();
        Progress bar = Progress.create(progress, err, epochs);
        Random order = new Random(seed ^ 0x2545F4914F6CDD1DL);
        Trainer.Metrics test = null;
        long start = System.nanoTime();
        try (Parallel par = new Parallel(threads)) {
            Trainer trainer = new Trainer(m, params, opt, loss, batchSize, par);
            for (int e = 1; e <= epochs; e++) {
                long t0 = System.nanoTime();
                final int epoch = e;
                trainer.epoch(split.train(), order, (done, total, l, a) -> bar.batch(epoch, done, total, l, a));
                Trainer.Metrics train = trainer.evaluate(split.train());
                test = trainer.evaluate(split.test());
                EpochRecord r = new EpochRecord(e, train.loss(), train.accuracy(), test.loss(), test.accuracy());
                history.add(r);
                bar.epoch(r, (System.nanoTime() - t0) / 1e9);
                if (!Double.isFinite(train.loss())) {
                    writeOutputs(history, m, opt, out, err);
                    err.printf(Locale.ROOT, "xent train: the training loss became %s at epoch %d; lower --lr (now %s)%n",
                            train.loss(), e, rate);
                    err.flush();
                    return 1;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "test accuracy: %.1f%%%n", 100 * test.accuracy());
        out.printf(Locale.ROOT, "test mean cross-entropy: %.4f%n", test.plainCrossEntropy());
        if (weight != null || labelSmoothing > 0) {
            out.printf(Locale.ROOT, "test training objective (%s): %.4f%n", describeLoss(), test.loss());
        }
        out.printf(Locale.ROOT, "trained in %.1f s (%d thread%s, %s kernels)%n", seconds, threads, threads == 1 ? "" : "s",
                Xent4j.kernels());
        writeOutputs(history, m, opt, out, err);
        out.flush();
        return 0;
    }

    private void writeOutputs(List<EpochRecord> history, Model m, Optimizer opt, PrintWriter out, PrintWriter err)
            throws IOException {
        Path log = outDir.resolve(LOG_FILE);
        try {
            TrainOutputs.writeLog(log, history);
        } catch (IOException e) {
            throw new IOException("cannot write " + log + ": " + reason(e), e);
        }
        out.println("log: " + log);
        if (noPlot) {
            return;
        }
        Path chart = outDir.resolve(CHART_FILE);
        String name = data == null ? "digits" : String.valueOf(data.getFileName());
        try {
            ensureHeadless();
            TrainOutputs.writeChart(chart, history, name + ", " + m.describe() + ", " + opt.describe().split(" ")[0]);
            out.println("chart: " + chart);
        } catch (IOException e) {
            throw new IOException("cannot write " + chart + ": " + reason(e), e);
        } catch (RuntimeException | LinkageError | java.awt.AWTError e) {
            // No usable AWT (fonts, native libraries): the numbers stand without the picture.
            err.println("xent train: warning: no chart drawn (" + e + "); use --no-plot to skip it");
        }
    }

    /** "permission denied", "not a directory"...: what went wrong, without the stack trace. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException f) {
            return f.getFile() + " exists and is not a directory";
        }
        if (e instanceof java.nio.file.NoSuchFileException f) {
            return "no such file or directory: " + f.getFile();
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return f.getReason() != null ? f.getReason() : e.getClass().getSimpleName() + " on " + f.getFile();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private String describeLoss() {
        StringBuilder s = new StringBuilder("mean cross-entropy");
        if (classWeight == ClassWeight.balanced) {
            s.append(", balanced class weights");
        }
        if (labelSmoothing > 0) {
            s.append(", label smoothing ").append(labelSmoothing);
        }
        return s.toString();
    }

    /** w_c = n / (C * n_c) over the labeled training rows (scikit-learn's "balanced"); 0 for an absent class. */
    static double[] balancedWeights(Examples train, int classes) {
        long[] count = new long[classes];
        long n = 0;
        for (int y : train.target()) {
            if (y != LabeledTable.UNLABELED) {
                count[y]++;
                n++;
            }
        }
        double[] w = new double[classes];
        for (int c = 0; c < classes; c++) {
            w[c] = count[c] == 0 ? 0 : (double) n / ((double) classes * count[c]);
        }
        return w;
    }

    private void validate() {
        var parsed = spec.commandLine().getParseResult();
        require(epochs >= 1 && epochs <= 1_000_000, "--epochs=%d must be in [1, 1000000]", epochs);
        require(batchSize >= 1, "--batch-size=%d must be >= 1", batchSize);
        require(hidden >= 1 && hidden <= 1 << 16, "--hidden=%d must be in [1, 65536]", hidden);
        require(lr == null || (lr > 0 && Double.isFinite(lr)), "--lr=%s must be a finite number > 0", lr);
        require(momentum >= 0 && momentum < 1, "--momentum=%s must be in [0, 1)", momentum);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay=%s must be a finite number >= 0", weightDecay);
        require(labelSmoothing >= 0 && labelSmoothing <= 1, "--label-smoothing=%s must be in [0, 1]", labelSmoothing);
        require(testFraction > 0 && testFraction < 1, "--test-fraction=%s must be in (0, 1)", testFraction);
        threads = threadCount.get();
        require(model == ModelKind.mlp || !parsed.hasMatchedOption("--hidden"),
                "--hidden applies to --model mlp only (the model is %s)", model);
        require(optimizer == OptimizerKind.sgd || !parsed.hasMatchedOption("--momentum"),
                "--momentum applies to --optimizer sgd only (the optimizer is %s)", optimizer);
        require(data != null || labelColumn == null, "--label-column needs --data (the bundled digits have their label last)");
    }

    private void require(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT, format, args));
        }
    }
}
