package io.github.xent4j.spark;

import io.github.xent4j.spark.internal.Sample;
import io.github.xent4j.spark.internal.SyntheticData;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Seeded rows of classifier outputs, kept in memory (for the single-JVM reference) and written once
 * per JVM to Parquet by Spark (so the tests read what users read: {@code array<float>} with
 * {@code containsNull = true}).
 */
final class TestData {

    private static final Path DIR;
    private static final ConcurrentHashMap<String, TestData> CACHE = new ConcurrentHashMap<>();

    static {
        try {
            DIR = Files.createTempDirectory("xent4j-spark-test-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(DIR.toFile()), "delete-test-data"));
    }

    final int rows;
    final int classes;
    final long seed;
    final float[] logits;   // (rows, classes), row-major
    final int[] labels;
    final Path parquet;

    private TestData(int rows, int classes, long seed) {
        this.rows = rows;
        this.classes = classes;
        this.seed = seed;
        this.logits = new float[rows * classes];
        this.labels = new int[rows];
        List<Sample> samples = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            Sample s = SyntheticData.sample(seed, i, classes);
            samples.add(s);
            System.arraycopy(s.getLogits(), 0, logits, i * classes, classes);
            labels[i] = s.getLabel();
        }
        this.parquet = DIR.resolve("rows" + rows + "-c" + classes + "-s" + seed);
        SparkSession spark = TestSpark.session();
        spark.createDataFrame(samples, Sample.class).repartition(3).write().parquet(parquet.toString());
    }

    /** The data set (rows, classes, seed), generated and written once per JVM. */
    static TestData of(int rows, int classes, long seed) {
        return CACHE.computeIfAbsent(rows + "/" + classes + "/" + seed, k -> new TestData(rows, classes, seed));
    }

    /** The Parquet data: {@code label int, logits array<float>}. */
    Dataset<Row> read() {
        return TestSpark.session().read().parquet(parquet.toString());
    }

    /** The logits widened to double, exactly. */
    double[] logitsAsDouble() {
        double[] d = new double[logits.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = logits[i];
        }
        return d;
    }

    /** The rows of one label, as (logits, shape) for the core. */
    float[] rowsOf(int label, int[] countOut) {
        int n = 0;
        for (int y : labels) {
            n += y == label ? 1 : 0;
        }
        float[] out = new float[n * classes];
        int k = 0;
        for (int i = 0; i < rows; i++) {
            if (labels[i] == label) {
                System.arraycopy(logits, i * classes, out, k++ * classes, classes);
            }
        }
        countOut[0] = n;
        return out;
    }

    private static void delete(java.io.File f) {
        java.io.File[] kids = f.listFiles();
        if (kids != null) {
            for (java.io.File k : kids) {
                delete(k);
            }
        }
        f.delete();
    }
}
