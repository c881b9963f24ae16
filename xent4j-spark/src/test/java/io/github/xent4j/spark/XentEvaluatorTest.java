package io.github.xent4j.spark;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.LossSum;
import io.github.xent4j.Reduction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XentEvaluatorTest {

    static final TestData D = TestData.of(3000, 10, 11);

    static void assertRel(double expected, double actual, double tol, String what) {
        double err = Math.abs(expected - actual) / Math.max(Math.abs(expected), Double.MIN_NORMAL);
        assertTrue(err <= tol, what + ": expected " + expected + ", got " + actual + " (relative error " + err + ")");
    }

    @Test
    void meanAndPerClassLossEqualTheCoreOnTheSameRows() {
        ClassifierReport r = XentEvaluator.on(D.read()).evaluate();
        int[] shape = {D.rows, D.classes};
        double core = CrossEntropyLoss.DEFAULTS.value(D.logits, shape, D.labels);
        assertRel(core, r.meanCrossEntropy(), 1e-12, "mean CE");
        assertEquals(D.rows, r.rows());
        assertEquals(10, r.classes());
        assertRel(Math.exp(core), r.perplexity(), 1e-12, "perplexity");
        CrossEntropyLoss sum = CrossEntropyLoss.builder().reduction(Reduction.SUM).build();
        long counted = 0;
        for (ClassifierReport.ClassStats c : r.perClass()) {
            int[] n = new int[1];
            float[] x = D.rowsOf(c.label(), n);
            int[] y = new int[n[0]];
            Arrays.fill(y, c.label());
            assertEquals(n[0], c.count(), "rows of class " + c.label());
            assertRel(sum.value(x, new int[] {n[0], D.classes}, y), c.loss().sum(), 1e-12, "loss of class " + c.label());
            assertRel(CrossEntropyLoss.DEFAULTS.value(x, new int[] {n[0], D.classes}, y), c.meanLoss(), 1e-12, "mean of class " + c.label());
            counted += c.count();
        }
        assertEquals(D.rows, counted);
    }

    @Test
    void metricsEqualAnIndependentComputation() {
        ClassifierReport r = XentEvaluator.on(D.read()).topK(1, 3, 5).calibrationBins(15).evaluate();
        Reference ref = new Reference(D.logitsAsDouble(), D.labels, D.classes, 15, -100);
        assertEquals(ref.accuracy(), r.accuracy(), 0.0, "accuracy is a ratio of counts");
        assertEquals(ref.accuracy(), r.topKAccuracy(1), 0.0);
        assertEquals(ref.topK(3), r.topKAccuracy(3), 0.0);
        assertEquals(ref.topK(5), r.topKAccuracy(5), 0.0);
        // probabilities come from the core's float32 softmax of float32 logits: 1e-6 of a double softmax
        assertEquals(ref.brier(), r.brier(), 1e-6);
        assertEquals(ref.ece(), r.expectedCalibrationError(), 1e-6);
        List<ClassifierReport.CalibrationBin> bins = r.reliability();
        assertEquals(15, bins.size());
        long n = 0;
        for (int b = 0; b < 15; b++) {
            n += bins.get(b).count();
            assertEquals(ref.binCount[b], bins.get(b).count(), 2, "bin " + b + " (a row on a bin edge may move)");
        }
        assertEquals(D.rows, n);
        assertTrue(r.accuracy() > 0.4 && r.accuracy() < 0.8, "the generator's classifier is right about 60% of the time");
    }

    @Test
    void doubleInputMatchesTheDoubleComputationExactly() {
        Dataset<Row> df = D.read().withColumn("logits", col("logits").cast("array<double>"));
        ClassifierReport r = XentEvaluator.on(df).evaluate();
        double[] x = D.logitsAsDouble();
        assertRel(CrossEntropyLoss.DEFAULTS.value(x, new int[] {D.rows, D.classes}, D.labels), r.meanCrossEntropy(), 1e-12, "CE");
        Reference ref = new Reference(x, D.labels, D.classes, 15, -100);
        assertRel(ref.brier(), r.brier(), 1e-12, "Brier");
        assertRel(ref.ece(), r.expectedCalibrationError(), 1e-12, "ECE");
        assertEquals(ref.accuracy(), r.accuracy(), 0.0);
    }

    @Test
    void float32BinaryAndVectorInputsAreRead() {
        StructType schema = new StructType().add("logits", DataTypes.BinaryType).add("label", DataTypes.IntegerType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < D.rows; i++) {
            ByteBuffer b = ByteBuffer.allocate(4 * D.classes).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < D.classes; c++) {
                b.putFloat(D.logits[i * D.classes + c]);
            }
            rows.add(RowFactory.create(b.array(), D.labels[i]));
        }
        Dataset<Row> bin = TestSpark.session().createDataFrame(rows, schema).repartition(4);
        double core = CrossEntropyLoss.DEFAULTS.value(D.logits, new int[] {D.rows, D.classes}, D.labels);
        assertRel(core, XentEvaluator.on(bin).evaluate().meanCrossEntropy(), 1e-12, "binary float32 LE");

        Dataset<Row> vec = D.read().withColumn("logits", org.apache.spark.ml.functions.array_to_vector(col("logits")));
        double coreD = CrossEntropyLoss.DEFAULTS.value(D.logitsAsDouble(), new int[] {D.rows, D.classes}, D.labels);
        assertRel(coreD, XentEvaluator.on(vec).evaluate().meanCrossEntropy(), 1e-12, "ML vector");
    }

    @Test
    void repartitioningChangesNothing() {
        ClassifierReport one = XentEvaluator.on(D.read().repartition(1)).evaluate();
        ClassifierReport seven = XentEvaluator.on(D.read().repartition(7)).evaluate();
        assertEquals(one.crossEntropySum(), seven.crossEntropySum(), "the exact pairs are equal");
        assertEquals(one.meanCrossEntropy(), seven.meanCrossEntropy(), 0.0);
        assertEquals(one.toJson(), seven.toJson(), "every number of the report, bit for bit");
    }

    @Test
    void optionsAreTheCoresWeightsIgnoreIndexAndSmoothing() {
        double[] w = {1, 2, 0.5, 1, 1, 3, 1, 1, 0.25, 1};
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(w).ignoreIndex(3).labelSmoothing(0.1).build();
        ClassifierReport r = XentEvaluator.on(D.read()).loss(loss).evaluate();
        assertRel(loss.value(D.logits, new int[] {D.rows, D.classes}, D.labels), r.meanCrossEntropy(), 1e-12, "weighted CE");
        long ignored = Arrays.stream(D.labels).filter(y -> y == 3).count();
        assertEquals(ignored, r.ignoredRows());
        assertEquals(D.rows - ignored, r.countedRows());
        assertEquals(0, r.perClass().get(3).count(), "ignored rows have no class");
    }

    @Test
    void nullRowsAreSkippedAndCountedOrFail() {
        Dataset<Row> df = D.read().limit(100).union(D.read().limit(3).withColumn("logits", org.apache.spark.sql.functions.lit(null).cast("array<float>")))
                .union(D.read().limit(2).withColumn("label", org.apache.spark.sql.functions.lit(null).cast("int")));
        ClassifierReport r = XentEvaluator.on(df).evaluate();
        assertEquals(100, r.rows());
        assertEquals(5, r.nullRows());
        BadRowException e = assertThrows(BadRowException.class,
                () -> XentEvaluator.on(df.repartition(1)).nullRows(NullRows.FAIL).evaluate());
        assertTrue(e.getMessage().contains("must not be null"), e.getMessage());
        assertTrue(e.row() >= 0, "the row's index in the scan order: " + e.getMessage());
    }

    @Test
    void aNullElementIsReportedWithItsRowAndElement() {
        Dataset<Row> df = D.read().limit(50).repartition(1).selectExpr("label",
                "CASE WHEN label = " + D.labels[0] + " THEN transform(logits, (x, i) -> IF(i = 4, NULL, x)) ELSE logits END AS logits");
        BadRowException e = assertThrows(BadRowException.class, () -> XentEvaluator.on(df).evaluate());
        assertEquals("logits", e.column());
        assertEquals(4, e.element());
        assertTrue(e.getMessage().contains("element 4: null"), e.getMessage());
    }

    @Test
    void aLabelOutOfRangeGetsTheCoresMessageWithTheRow() {
        Dataset<Row> df = D.read().limit(40).repartition(1).selectExpr("logits", "IF(label = " + D.labels[0] + ", 12, label) AS label");
        BadRowException e = assertThrows(BadRowException.class, () -> XentEvaluator.on(df).evaluate());
        assertEquals("label", e.column());
        assertEquals("12", e.value());
        assertTrue(e.requirement().contains("[0, 10)"), e.getMessage());
    }

    @Test
    void anEmptyDataFrameGivesNaN() {
        ClassifierReport r = XentEvaluator.on(D.read().limit(0)).evaluate();
        assertEquals(0, r.rows());
        assertTrue(Double.isNaN(r.meanCrossEntropy()));
        assertTrue(Double.isNaN(r.accuracy()));
        ClassifierReport empty = XentEvaluator.on(D.read().filter("label < 0")).evaluate();
        assertEquals(0, empty.rows());
    }

    @Test
    void meanCrossEntropyAloneIsTheSameNumber() {
        assertEquals(XentEvaluator.on(D.read()).evaluate().meanCrossEntropy(),
                XentEvaluator.on(D.read()).meanCrossEntropy(), 0.0);
    }

    /** The evaluator's metrics written out plainly in double, for comparison. */
    static final class Reference {
        final double[] x;
        final int[] y;
        final int c;
        final int bins;
        final long[] binCount;
        final double[] binConf;
        final long[] binCorrect;
        long counted;
        long correct;
        double brierSum;

        Reference(double[] x, int[] y, int c, int bins, int ignoreIndex) {
            this.x = x;
            this.y = y;
            this.c = c;
            this.bins = bins;
            binCount = new long[bins];
            binConf = new double[bins];
            binCorrect = new long[bins];
            for (int i = 0; i < y.length; i++) {
                if (y[i] == ignoreIndex) {
                    continue;
                }
                counted++;
                double m = Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int k = 0; k < c; k++) {
                    if (x[i * c + k] > m) {
                        m = x[i * c + k];
                        arg = k;
                    }
                }
                double s = 0;
                for (int k = 0; k < c; k++) {
                    s += Math.exp(x[i * c + k] - m);
                }
                double b = 0;
                for (int k = 0; k < c; k++) {
                    double p = Math.exp(x[i * c + k] - m) / s;
                    b += (p - (k == y[i] ? 1 : 0)) * (p - (k == y[i] ? 1 : 0));
                }
                brierSum += b;
                double conf = 1 / s;
                int bin = Math.min(bins - 1, Math.max(0, (int) Math.ceil(conf * bins) - 1));
                binCount[bin]++;
                binConf[bin] += conf;
                if (arg == y[i]) {
                    correct++;
                    binCorrect[bin]++;
                }
            }
        }

        double accuracy() {
            return (double) correct / counted;
        }

        double topK(int k) {
            long hits = 0;
            for (int i = 0; i < y.length; i++) {
                int above = 0;
                double xy = x[i * c + y[i]];
                for (int j = 0; j < c; j++) {
                    double v = x[i * c + j];
                    if (v > xy || (v == xy && j < y[i])) {
                        above++;
                    }
                }
                hits += above < k ? 1 : 0;
            }
            return (double) hits / counted;
        }

        double brier() {
            return brierSum / counted;
        }

        double ece() {
            double e = 0;
            for (int b = 0; b < bins; b++) {
                if (binCount[b] > 0) {
                    e += (double) binCount[b] / counted * Math.abs((double) binCorrect[b] / binCount[b] - binConf[b] / binCount[b]);
                }
            }
            return e;
        }
    }
}
