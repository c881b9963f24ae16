package io.github.xent4j.spark;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.Xent4j;
import io.github.xent4j.spark.internal.ArrayColumn;
import io.github.xent4j.spark.internal.BinaryAuc;
import io.github.xent4j.spark.internal.LabelColumn;
import io.github.xent4j.spark.internal.LossSpec;
import io.github.xent4j.spark.internal.PartitionScan;
import io.github.xent4j.spark.internal.ReportState;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.Collections;
import java.util.Objects;

import static org.apache.spark.sql.functions.col;

/**
 * A one-scan evaluation of classifier outputs in a DataFrame: the mean cross-entropy (the core's, with
 * its options), perplexity, accuracy and top-k accuracy, per-class count / loss / accuracy, expected
 * calibration error with its reliability table, the Brier score, and for binary data the log loss
 * and (aside, with one more scan) the AUC. See {@link ClassifierReport} for the definitions.
 * <pre>{@code
 * ClassifierReport r = XentEvaluator.on(preds).logits("logits").label("label")
 *         .loss(CrossEntropyLoss.builder().labelSmoothing(0.1).build()).calibrationBins(15).evaluate();
 * r.meanCrossEntropy(); r.perClass(); r.reliability(); r.toTable();
 * }</pre>
 *
 * <p>Input: logits (or, with {@link #probabilities(String)}, probabilities) as {@code array<float>}
 * (scored with the core's float32 kernels, as PyTorch's float32), {@code array<double>} or a Spark
 * ML vector (float64), or {@code binary} float32 little-endian; one row per sample, every row the
 * same length C. The label: any integer column, or float/double holding integers (as Spark ML's).
 *
 * <p>The scan runs {@code mapPartitions} over Spark's {@code InternalRow}s, reading the arrays in
 * place into a reused block: no per-element boxing. Partial results are the core's exact
 * {@link io.github.xent4j.LossSum} pairs and integer counts, merged exactly, so the report is the
 * same for any partitioning. Nulls: a null logits or label row is skipped and counted
 * ({@link NullRows#FAIL} fails instead); a null element inside an array always fails, naming its
 * row and element ({@link BadRowException}). Needs Spark's classic mode (not Spark Connect).
 *
 * <p>Instances are immutable: each setting returns a new evaluator.
 */
public final class XentEvaluator {

    private final Dataset<Row> df;
    private final String logits;
    private final boolean probabilities;
    private final String label;
    private final CrossEntropyLoss loss;
    private final int bins;
    private final int[] topK;
    private final boolean perClass;
    private final NullRows nullRows;
    private final boolean auc;

    private XentEvaluator(Dataset<Row> df, String logits, boolean probabilities, String label, CrossEntropyLoss loss,
                          int bins, int[] topK, boolean perClass, NullRows nullRows, boolean auc) {
        this.df = df;
        this.logits = logits;
        this.probabilities = probabilities;
        this.label = label;
        this.loss = loss;
        this.bins = bins;
        this.topK = topK;
        this.perClass = perClass;
        this.nullRows = nullRows;
        this.auc = auc;
    }

    /** An evaluator of {@code df} with the defaults: columns "logits" and "label", PyTorch's cross-entropy, 15 bins, top-5. */
    public static XentEvaluator on(Dataset<?> df) {
        return new XentEvaluator(Objects.requireNonNull(df, "df").toDF(), "logits", false, "label",
                CrossEntropyLoss.DEFAULTS, 15, new int[] {5}, true, NullRows.SKIP, true);
    }

    /** The column of logits (default "logits"). */
    public XentEvaluator logits(String column) {
        return new XentEvaluator(df, Objects.requireNonNull(column, "column"), false, label, loss, bins, topK, perClass,
                nullRows, auc);
    }

    /** The column holds probabilities, not logits: each row is scored as the logits log(p). */
    public XentEvaluator probabilities(String column) {
        return new XentEvaluator(df, Objects.requireNonNull(column, "column"), true, label, loss, bins, topK, perClass,
                nullRows, auc);
    }

    /** The column of class-index labels (default "label"). */
    public XentEvaluator label(String column) {
        return new XentEvaluator(df, logits, probabilities, Objects.requireNonNull(column, "column"), loss, bins, topK,
                perClass, nullRows, auc);
    }

    /** The cross-entropy (class weights, ignore_index, label smoothing, empty-mean policy; its reduction is not used). */
    public XentEvaluator loss(CrossEntropyLoss loss) {
        return new XentEvaluator(df, logits, probabilities, label, Objects.requireNonNull(loss, "loss"), bins, topK,
                perClass, nullRows, auc);
    }

    /** Calibration bins (default 15). */
    public XentEvaluator calibrationBins(int bins) {
        if (bins < 1) {
            throw new InvalidInputException("calibrationBins", -1, Integer.toString(bins), "must be >= 1");
        }
        return new XentEvaluator(df, logits, probabilities, label, loss, bins, topK, perClass, nullRows, auc);
    }

    /** The k of top-k accuracy (default 5); none for no top-k. */
    public XentEvaluator topK(int... ks) {
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] < 1) {
                throw new InvalidInputException("topK", i, Integer.toString(ks[i]), "must be >= 1");
            }
        }
        return new XentEvaluator(df, logits, probabilities, label, loss, bins, ks.clone(), perClass, nullRows, auc);
    }

    /**
     * Per-class loss sums (default on): one exact pair per class and partition, about 1.2 KB each; turn
     * off for very many classes. Per-class counts and accuracy are always kept.
     */
    public XentEvaluator perClass(boolean on) {
        return new XentEvaluator(df, logits, probabilities, label, loss, bins, topK, on, nullRows, auc);
    }

    /** What to do with a row whose logits or label is null (default {@link NullRows#SKIP}). */
    public XentEvaluator nullRows(NullRows policy) {
        return new XentEvaluator(df, logits, probabilities, label, loss, bins, topK, perClass,
                Objects.requireNonNull(policy, "policy"), auc);
    }

    /** Whether binary data (C = 2) get their AUC, at the price of a second scan and a sort (default on). */
    public XentEvaluator auc(boolean on) {
        return new XentEvaluator(df, logits, probabilities, label, loss, bins, topK, perClass, nullRows, on);
    }

    /** The full report, in one scan (two for the AUC of binary data). */
    public ClassifierReport evaluate() {
        return run(false);
    }

    /** The mean cross-entropy alone: the same scan without the other metrics. */
    public double meanCrossEntropy() {
        return run(true).meanCrossEntropy();
    }

    private ClassifierReport run(boolean lossOnly) {
        StructType schema = df.schema();
        ArrayColumn kind = ArrayColumn.of(field(schema, logits).dataType());
        if (kind == null) {
            throw new InvalidInputException(logits, -1, field(schema, logits).dataType().simpleString(),
                    "is not a supported column type; use array<float>, array<double>, binary (float32 little-endian) "
                            + "or a Spark ML vector");
        }
        LabelColumn labels = LabelColumn.of(field(schema, label).dataType());
        if (labels == null) {
            throw new InvalidInputException(label, -1, field(schema, label).dataType().simpleString(),
                    "is not a supported label type; use an integer column (or float/double holding integers)");
        }
        LossSpec spec = LossSpec.of(loss);
        int[] ks = Arrays.stream(topK).distinct().sorted().toArray();
        PartitionScan scan = new PartitionScan(kind, labels, logits, label, spec, nullRows == NullRows.FAIL,
                probabilities, ks, bins, perClass, lossOnly);
        JavaRDD<InternalRow> rdd = df.select(col(logits), col(label)).queryExecution().toRdd().toJavaRDD();
        ReportState state;
        try {
            state = rdd.getNumPartitions() == 0 ? new ReportState(ks, bins, perClass, lossOnly)
                    : rdd.mapPartitionsWithIndex(scan, false).treeReduce(ReportState::merge);
        } catch (Exception e) {   // Spark's job failures are checked SparkExceptions, thrown undeclared
            throw unwrap(e, rdd);
        }
        double a = Double.NaN;
        if (!lossOnly && auc && state.classes() == 2) {
            a = BinaryAuc.of(rdd, kind, labels, spec.ignoreIndex(), probabilities);
        }
        return new ClassifierReport(state, loss.emptyMean(), spec.plain(), a, Xent4j.kernels());
    }

    private static StructField field(StructType schema, String name) {
        String[] names = schema.fieldNames();
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new InvalidInputException("column", -1, name, "is not a column of the DataFrame; its columns are "
                + Arrays.toString(names));
    }

    /** The cause a task threw, with the row's index in the scan order once the driver has counted it. */
    static RuntimeException unwrap(Exception e, JavaRDD<InternalRow> rdd) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadRowException b) {
                return b.withRow(rowsBefore(rdd, b.partition()) + b.rowInPartition());
            }
            if (t instanceof IllegalArgumentException iae && t != e) {
                return iae;
            }
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
    }

    /** Rows in the partitions before {@code p}: a count only these partitions pay, and only on a failure. */
    private static long rowsBefore(JavaRDD<InternalRow> rdd, int p) {
        if (p == 0) {
            return 0;
        }
        return rdd.mapPartitionsWithIndex((i, it) -> {
            long n = 0;
            if (i < p) {
                for (; it.hasNext(); it.next()) {
                    n++;
                }
            }
            return Collections.singletonList(n).iterator();
        }, false).reduce(Long::sum);
    }
}
