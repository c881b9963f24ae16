package io.github.xent4j.spark;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.spark.internal.Sample;
import io.github.xent4j.spark.internal.SyntheticData;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;

import static org.apache.spark.sql.functions.col;

/**
 * The Spark benchmark of issue 10 (not a timed test): on one Parquet data set per C (label, logits
 * array<float>, and Spark ML's probability vector and prediction of the same rows), the time of
 * <ul>
 *   <li>Spark ML's {@code MulticlassClassificationEvaluator(logLoss)} on the probabilities;</li>
 *   <li>the mean cross-entropy alone ({@link XentEvaluator#meanCrossEntropy()}, the InternalRow scan);</li>
 *   <li>the Column function ({@link XentFunctions#crossEntropy}, Aggregator + udaf), float32 and default;</li>
 *   <li>the evaluator's full report (15 bins, per class, top-5);</li>
 *   <li>and, the data loaded into memory first (not timed), the core's cross-entropy on 2 threads and a plain
 *       2-thread scalar Java loop.</li>
 * </ul>
 * Each is run {@code warmup} times, then {@code reps} times; the table gives the best time, rows/s,
 * elements/s (rows x C), the speed-up over Spark ML, the full report over the mean alone, and the
 * fraction of the in-memory loops reached. Numbers on a shared machine move by up to 2x between runs.
 */
final class SparkBench {

    record Result(String method, double seconds, long rows, int classes, double value) {
        double rowsPerSecond() {
            return rows / seconds;
        }

        double elementsPerSecond() {
            return (double) rows * classes / seconds;
        }
    }

    private SparkBench() {
    }

    /** Runs the benchmark for each (rows, C) and returns the markdown table. */
    static String run(SparkSession spark, long[] rows, int[] classes, int warmup, int reps, Path dir) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Spark %s, %s, local[%s], kernels %s, warm-up %d, best of %d%n%n", spark.version(),
                System.getProperty("java.version"), spark.sparkContext().defaultParallelism(), io.github.xent4j.Xent4j.kernels(),
                warmup, reps));
        md.append("| C | rows | method | best time | rows/s | elements/s | vs Spark ML | note |\n|---|---|---|---|---|---|---|---|\n");
        for (int k = 0; k < rows.length; k++) {
            List<Result> results = one(spark, rows[k], classes[k], warmup, reps, dir.resolve("c" + classes[k] + "-rows" + rows[k]));
            Map<String, Result> by = new LinkedHashMap<>();
            results.forEach(r -> by.put(r.method(), r));
            Result ml = by.get("Spark ML logLoss");
            Result mean = by.get("xent4j mean CE (XentEvaluator)");
            Result loop = by.get("plain Java loop, 2 threads, in memory");
            Result core = by.get("xent4j core, 2 threads, in memory");
            for (Result r : results) {
                String note = "";
                if (r.method().startsWith("xent4j full report")) {
                    note = String.format(Locale.ROOT, "%.2fx the mean CE alone", r.seconds() / mean.seconds());
                } else if (r == mean) {
                    note = String.format(Locale.ROOT, "%.0f%% of the plain loop, %.0f%% of the core in memory",
                            100 * loop.seconds() / r.seconds(), 100 * core.seconds() / r.seconds());
                }
                md.append(String.format(Locale.ROOT, "| %d | %d | %s | %.3f s | %.3g | %.3g | %s | %s |%n", r.classes(), r.rows(),
                        r.method(), r.seconds(), r.rowsPerSecond(), r.elementsPerSecond(),
                        r.method().contains("in memory") ? "" : String.format(Locale.ROOT, "%.2fx", ml.seconds() / r.seconds()), note));
            }
        }
        return md.toString();
    }

    /** One data set: writes it, times every method, checks that they agree. */
    static List<Result> one(SparkSession spark, long n, int c, int warmup, int reps, Path path) throws Exception {
        write(spark, n, c, path);
        Dataset<Row> df = spark.read().parquet(path.toString());
        List<Result> out = new ArrayList<>();
        MulticlassClassificationEvaluator ml = new MulticlassClassificationEvaluator().setMetricName("logLoss");
        out.add(time("Spark ML logLoss", n, c, warmup, reps, () -> ml.evaluate(df.select("label_d", "probability", "prediction")
                .withColumnRenamed("label_d", "label"))));
        Dataset<Row> preds = df.select("logits", "label");
        out.add(time("xent4j mean CE (XentEvaluator)", n, c, warmup, reps, () -> XentEvaluator.on(preds).meanCrossEntropy()));
        out.add(time("xent4j crossEntropy Column, Input.floats", n, c, warmup, reps, () -> preds.agg(XentFunctions.crossEntropy(
                Input.floats(col("logits")), col("label"), CrossEntropyLoss.DEFAULTS)).first().getDouble(0)));
        out.add(time("xent4j crossEntropy Column, default (float64)", n, c, warmup, reps,
                () -> preds.agg(XentFunctions.crossEntropy(col("logits"), col("label"))).first().getDouble(0)));
        out.add(time("xent4j full report (XentEvaluator)", n, c, warmup, reps,
                () -> XentEvaluator.on(preds).calibrationBins(15).topK(5).evaluate().meanCrossEntropy()));

        // the same rows in memory (loading is not timed)
        float[] x = new float[Math.toIntExact(n * c)];
        int[] y = new int[(int) n];
        float[] row = new float[c];
        for (int i = 0; i < n; i++) {
            y[i] = SyntheticData.row(42, i, row);
            System.arraycopy(row, 0, x, i * c, c);
        }
        CrossEntropyLoss two = CrossEntropyLoss.builder().threads(2).build();
        out.add(time("xent4j core, 2 threads, in memory", n, c, warmup, reps, () -> two.value(x, new int[] {(int) n, c}, y)));
        out.add(time("plain Java loop, 2 threads, in memory", n, c, warmup, reps, () -> plainLoop(x, y, c)));

        double ref = out.get(1).value();
        for (Result r : out) {
            if (Math.abs(r.value() - ref) > 1e-9 * Math.abs(ref)) {
                throw new AssertionError(r.method() + " gave " + r.value() + ", the mean CE " + ref);
            }
        }
        return out;
    }

    /** A plain loop: per row max, log-sum-exp in double, on two threads, summed in order. */
    static double plainLoop(float[] x, int[] y, int c) {
        int n = y.length;
        double[] part = new double[2];
        Thread t = new Thread(() -> part[1] = plainRange(x, y, c, n / 2, n));
        t.start();
        part[0] = plainRange(x, y, c, 0, n / 2);
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return (part[0] + part[1]) / n;
    }

    static double plainRange(float[] x, int[] y, int c, int from, int to) {
        double total = 0;
        for (int i = from; i < to; i++) {
            int base = i * c;
            double m = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                m = Math.max(m, x[base + k]);
            }
            double s = 0;
            for (int k = 0; k < c; k++) {
                s += Math.exp(x[base + k] - m);
            }
            total += m + Math.log(s) - x[base + y[i]];
        }
        return total;
    }

    static Result time(String method, long n, int c, int warmup, int reps, DoubleSupplier f) {
        double v = Double.NaN;
        for (int i = 0; i < warmup; i++) {
            v = f.getAsDouble();
        }
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            v = f.getAsDouble();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return new Result(method, best, n, c, v);
    }

    /** label int, logits array<float>, and for Spark ML: label_d double, probability vector, prediction double. */
    static void write(SparkSession spark, long n, int c, Path path) throws Exception {
        if (Files.exists(path.resolve("_SUCCESS"))) {
            return;
        }
        StructType schema = new StructType().add("label", DataTypes.IntegerType)
                .add("logits", DataTypes.createArrayType(DataTypes.FloatType)).add("label_d", DataTypes.DoubleType)
                .add("probability", new VectorUDT()).add("prediction", DataTypes.DoubleType);
        spark.range(0, n, 1, Math.max(2, (int) Math.min(16, n * c / 4_000_000 + 2)))
                .map((MapFunction<Long, Row>) id -> {
                    Sample s = SyntheticData.sample(42, id, c);
                    float[] x = s.getLogits();
                    double m = Double.NEGATIVE_INFINITY;
                    int arg = 0;
                    for (int k = 0; k < c; k++) {
                        if (x[k] > m) {
                            m = x[k];
                            arg = k;
                        }
                    }
                    double[] p = new double[c];
                    double sum = 0;
                    for (int k = 0; k < c; k++) {
                        sum += p[k] = Math.exp(x[k] - m);
                    }
                    for (int k = 0; k < c; k++) {
                        p[k] /= sum;
                    }
                    return RowFactory.create(s.getLabel(), x, (double) s.getLabel(), Vectors.dense(p), (double) arg);
                }, Encoders.row(schema))
                .write().mode("overwrite").parquet(path.toString());
    }

    /** {@code -Dxent4j.bench.rows=2000000,100000 -Dxent4j.bench.classes=10,1000 -Dxent4j.bench.reps=3}. */
    static long[] rows(String s) {
        return Arrays.stream(s.split(",")).mapToLong(Long::parseLong).toArray();
    }

    static int[] classes(String s) {
        return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
