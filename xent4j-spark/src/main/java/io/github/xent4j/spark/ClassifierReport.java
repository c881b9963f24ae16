package io.github.xent4j.spark;

import io.github.xent4j.EmptyMeanPolicy;
import io.github.xent4j.LossSum;
import io.github.xent4j.Reduction;
import io.github.xent4j.spark.internal.ReportState;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What {@link XentEvaluator} found in one scan of a DataFrame of classifier outputs.
 *
 * <p>Definitions, over the counted rows (not null, label not ignore_index), with p = softmax of the
 * logits and the predicted class the first one of highest logit:
 * <pre>{@code
 * mean cross-entropy   the core's MEAN of its cross-entropy (class weights, smoothing and ignore_index as the loss says)
 * perplexity           exp(mean cross-entropy)
 * accuracy             share of rows whose predicted class is the label
 * top-k accuracy       share of rows whose label is among the k highest logits (ties: the lower class index first)
 * calibration          B bins of confidence = max_c p_c: bin b holds ((b)/B, (b+1)/B], bin 0 also 0;
 *                      per bin: count, mean confidence, accuracy
 * ECE                  sum over bins of count_b / N * |accuracy_b - confidence_b|
 * Brier                mean over rows of sum_c (p_c - [c == label])^2   (for C = 2 twice sklearn's brier_score_loss)
 * binary log loss      C = 2 only: mean of -log p_label (the plain cross-entropy, whatever the loss's options)
 * AUC                  C = 2 only: ROC AUC of the margin x1 - x0, ties counted one half (computed aside, one more scan)
 * }</pre>
 * An empty result (no counted row) gives NaN, or what the loss's {@link EmptyMeanPolicy} says for the
 * cross-entropy.
 */
public final class ClassifierReport {

    /** One class: its rows, their loss (the core's exact pair and its MEAN) and their accuracy. */
    public record ClassStats(int label, long count, LossSum loss, double meanLoss, long correct, double accuracy) {
    }

    /** One calibration bin: confidences in (lower, upper]. */
    public record CalibrationBin(double lower, double upper, long count, double meanConfidence, double accuracy) {
    }

    private final ReportState s;
    private final EmptyMeanPolicy emptyMean;
    private final boolean plainLoss;
    private final double auc;
    private final String kernels;

    ClassifierReport(ReportState s, EmptyMeanPolicy emptyMean, boolean plainLoss, double auc, String kernels) {
        this.s = s;
        this.emptyMean = emptyMean;
        this.plainLoss = plainLoss;
        this.auc = auc;
        this.kernels = kernels;
    }

    /** Rows scored, ignored ones included (null rows are not). */
    public long rows() {
        return s.rows();
    }

    /** Rows skipped because their logits or label was null. */
    public long nullRows() {
        return s.nullRows();
    }

    /** Rows whose label was the loss's ignore_index. */
    public long ignoredRows() {
        return crossEntropySum().ignored();
    }

    /** Rows that count: scored and not ignored. */
    public long countedRows() {
        return crossEntropySum().counted();
    }

    /** C, the number of classes (length of each logits row); 0 for an empty input. */
    public int classes() {
        return Math.max(0, s.classes());
    }

    /** The core's exact pair of the cross-entropy over every scored row: mergeable with other reports' pairs. */
    public LossSum crossEntropySum() {
        return s.totalLoss();
    }

    /** The mean cross-entropy, as the core's MEAN reduction of its pair. */
    public double meanCrossEntropy() {
        return crossEntropySum().value(Reduction.MEAN, emptyMean);
    }

    /** exp(mean cross-entropy). */
    public double perplexity() {
        return Math.exp(meanCrossEntropy());
    }

    private boolean metrics() {
        return !s.lossOnly();
    }

    private long counted() {
        long n = 0;
        for (int c = 0; c < classes(); c++) {
            n += s.count(c);
        }
        return n;
    }

    /** Share of counted rows whose predicted class is the label. */
    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < classes(); c++) {
            correct += s.correct(c);
        }
        return ratio(correct, counted());
    }

    /** The k of {@link #topKAccuracy(int)} that were computed. */
    public int[] topK() {
        return s.topK();
    }

    /** Share of counted rows whose label is among the k highest logits; k must be one of {@link #topK()}. */
    public double topKAccuracy(int k) {
        int[] ks = s.topK();
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] == k) {
                return ratio(s.topKHits(i), counted());
            }
        }
        throw new IllegalArgumentException("k=" + k + " was not computed; the evaluator's topK were "
                + java.util.Arrays.toString(ks));
    }

    /** Per class: count, loss, accuracy (empty when per-class sums were turned off). */
    public List<ClassStats> perClass() {
        if (classes() == 0 || s.classLoss(0) == null) {
            return Collections.emptyList();
        }
        List<ClassStats> out = new ArrayList<>();
        for (int c = 0; c < classes(); c++) {
            LossSum l = s.classLoss(c);
            out.add(new ClassStats(c, s.count(c), l, l.value(Reduction.MEAN, EmptyMeanPolicy.NAN), s.correct(c),
                    ratio(s.correct(c), s.count(c))));
        }
        return out;
    }

    /** The reliability table: one row per calibration bin. */
    public List<CalibrationBin> reliability() {
        List<CalibrationBin> out = new ArrayList<>();
        int b = s.bins();
        for (int i = 0; i < b; i++) {
            long n = s.binCount(i);
            out.add(new CalibrationBin((double) i / b, (double) (i + 1) / b, n,
                    n == 0 ? Double.NaN : s.binConfidenceSum(i) / n, ratio(s.binCorrect(i), n)));
        }
        return out;
    }

    /** Expected calibration error over the reliability table's bins. */
    public double expectedCalibrationError() {
        long total = counted();
        if (total == 0) {
            return Double.NaN;
        }
        double e = 0;
        for (CalibrationBin bin : reliability()) {
            if (bin.count() > 0) {
                e += (double) bin.count() / total * Math.abs(bin.accuracy() - bin.meanConfidence());
            }
        }
        return e;
    }

    /** The multi-class Brier score: mean over rows of sum_c (p_c - [c == label])^2. */
    public double brier() {
        long n = counted();
        return n == 0 ? Double.NaN : s.brierSum() / n;
    }

    /** Whether the data are binary (C = 2): {@link #binaryLogLoss()} and {@link #auc()} apply. */
    public boolean binary() {
        return classes() == 2;
    }

    /** C = 2: the mean of -log p_label (NaN otherwise). */
    public double binaryLogLoss() {
        return binary() ? s.binaryLogLoss(plainLoss).value(Reduction.MEAN, EmptyMeanPolicy.NAN) : Double.NaN;
    }

    /** C = 2: the ROC AUC, NaN when not computed or without both classes. */
    public double auc() {
        return auc;
    }

    /** The kernels the executors used, as the driver's JVM chose them (each executor logs its own). */
    public String kernels() {
        return kernels;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    /** The report as a plain-text table. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        line(sb, "rows", Long.toString(rows()));
        line(sb, "null rows skipped", Long.toString(nullRows()));
        line(sb, "ignored rows", Long.toString(ignoredRows()));
        line(sb, "classes", Integer.toString(classes()));
        line(sb, "mean cross-entropy", num(meanCrossEntropy()));
        line(sb, "perplexity", num(perplexity()));
        if (metrics()) {
            line(sb, "accuracy", num(accuracy()));
            for (int k : topK()) {
                line(sb, "top-" + k + " accuracy", num(topKAccuracy(k)));
            }
            line(sb, "ECE (" + s.bins() + " bins)", num(expectedCalibrationError()));
            line(sb, "Brier", num(brier()));
            if (binary()) {
                line(sb, "binary log loss", num(binaryLogLoss()));
                line(sb, "AUC", num(auc()));
            }
            sb.append("\nreliability\n");
            sb.append(String.format(Locale.ROOT, "  %-13s %10s %12s %10s%n", "confidence", "rows", "mean conf.", "accuracy"));
            for (CalibrationBin b : reliability()) {
                sb.append(String.format(Locale.ROOT, "  (%.3f,%.3f] %10d %12s %10s%n", b.lower(), b.upper(), b.count(),
                        num(b.meanConfidence()), num(b.accuracy())));
            }
            List<ClassStats> pc = perClass();
            if (!pc.isEmpty()) {
                sb.append("\nper class\n");
                sb.append(String.format(Locale.ROOT, "  %6s %10s %14s %10s%n", "class", "rows", "mean loss", "accuracy"));
                for (ClassStats c : pc) {
                    sb.append(String.format(Locale.ROOT, "  %6d %10d %14s %10s%n", c.label(), c.count(), num(c.meanLoss()),
                            num(c.accuracy())));
                }
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String k, String v) {
        sb.append(String.format(Locale.ROOT, "%-22s %s%n", k, v));
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.10g", v);
    }

    /** The report as one JSON object (numbers in full precision; NaN and infinities as null). */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "rows", rows());
        field(sb, "nullRows", nullRows());
        field(sb, "ignoredRows", ignoredRows());
        field(sb, "classes", classes());
        field(sb, "lossSum", crossEntropySum().sum());
        field(sb, "weightSum", crossEntropySum().denominator());
        field(sb, "meanCrossEntropy", meanCrossEntropy());
        field(sb, "perplexity", perplexity());
        if (metrics()) {
            field(sb, "accuracy", accuracy());
            sb.append("\"topK\":{");
            int[] ks = topK();
            for (int i = 0; i < ks.length; i++) {
                sb.append(i == 0 ? "" : ",").append('"').append(ks[i]).append("\":").append(json(topKAccuracy(ks[i])));
            }
            sb.append("},");
            field(sb, "ece", expectedCalibrationError());
            field(sb, "brier", brier());
            if (binary()) {
                field(sb, "binaryLogLoss", binaryLogLoss());
                field(sb, "auc", auc());
            }
            sb.append("\"reliability\":[");
            List<CalibrationBin> bins = reliability();
            for (int i = 0; i < bins.size(); i++) {
                CalibrationBin b = bins.get(i);
                sb.append(i == 0 ? "" : ",").append("{\"lower\":").append(json(b.lower())).append(",\"upper\":")
                        .append(json(b.upper())).append(",\"count\":").append(b.count()).append(",\"meanConfidence\":")
                        .append(json(b.meanConfidence())).append(",\"accuracy\":").append(json(b.accuracy())).append('}');
            }
            sb.append("],\"perClass\":[");
            List<ClassStats> pc = perClass();
            for (int i = 0; i < pc.size(); i++) {
                ClassStats c = pc.get(i);
                sb.append(i == 0 ? "" : ",").append("{\"label\":").append(c.label()).append(",\"count\":").append(c.count())
                        .append(",\"lossSum\":").append(json(c.loss().sum())).append(",\"meanLoss\":").append(json(c.meanLoss()))
                        .append(",\"accuracy\":").append(json(c.accuracy())).append('}');
            }
            sb.append("],");
        }
        sb.append("\"kernels\":\"").append(kernels.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"}");
        return sb.toString();
    }

    private static void field(StringBuilder sb, String k, double v) {
        sb.append('"').append(k).append("\":").append(json(v)).append(',');
    }

    private static void field(StringBuilder sb, String k, long v) {
        sb.append('"').append(k).append("\":").append(v).append(',');
    }

    private static String json(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    @Override
    public String toString() {
        return toTable();
    }
}
