package io.github.xent4j.spark;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.github.xent4j.spark.XentEvaluatorTest.assertRel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XentMlEvaluatorTest {

    static final TestData D = XentEvaluatorTest.D;

    /** Spark ML's columns: label double, probability vector (the softmax of the logits), prediction. */
    static Dataset<Row> sparkMlColumns() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < D.rows; i++) {
            double[] p = new double[D.classes];
            double m = Double.NEGATIVE_INFINITY;
            int arg = 0;
            for (int c = 0; c < D.classes; c++) {
                if (D.logits[i * D.classes + c] > m) {
                    m = D.logits[i * D.classes + c];
                    arg = c;
                }
            }
            double s = 0;
            for (int c = 0; c < D.classes; c++) {
                s += p[c] = Math.exp(D.logits[i * D.classes + c] - m);
            }
            for (int c = 0; c < D.classes; c++) {
                p[c] /= s;
            }
            rows.add(RowFactory.create((double) D.labels[i], Vectors.dense(p), (double) arg));
        }
        StructType schema = new StructType().add("label", DataTypes.DoubleType)
                .add("probability", new org.apache.spark.ml.linalg.VectorUDT()).add("prediction", DataTypes.DoubleType);
        return TestSpark.session().createDataFrame(rows, schema).repartition(3);
    }

    @Test
    void crossEntropyOnProbabilitiesIsSparkMlsLogLoss() {
        Dataset<Row> df = sparkMlColumns();
        double spark = new MulticlassClassificationEvaluator().setMetricName("logLoss").evaluate(df);
        double xent = new XentMlEvaluator().evaluate(df);
        assertRel(spark, xent, 1e-9, "logLoss (no probability below the 1e-15 clip here)");
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(df);
        assertEquals(accuracy, new XentMlEvaluator().setMetricName("accuracy").evaluate(df), 1e-12);
        double ppl = new XentMlEvaluator().setMetricName("perplexity").evaluate(df);
        assertRel(Math.exp(xent), ppl, 1e-12, "perplexity");
        ClassifierReport r = XentEvaluator.on(D.read()).evaluate();
        assertEquals(r.brier(), new XentMlEvaluator().setMetricName("brier").evaluate(df), 1e-6);
        assertEquals(r.expectedCalibrationError(), new XentMlEvaluator().setMetricName("ece").evaluate(df), 1e-6);
        assertFalse(new XentMlEvaluator().isLargerBetter());
        assertTrue(new XentMlEvaluator().setMetricName("accuracy").isLargerBetter());
    }

    @Test
    void plugsIntoModelSelection() {
        List<Row> rows = new ArrayList<>();
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 300; i++) {
            int y = r.nextInt(3);
            rows.add(RowFactory.create((double) y, Vectors.dense(y + r.nextGaussian(), -y + r.nextGaussian())));
        }
        StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", new org.apache.spark.ml.linalg.VectorUDT());
        Dataset<Row> train = TestSpark.session().createDataFrame(rows, schema);
        LogisticRegression lr = new LogisticRegression().setMaxIter(5);
        ParamMap[] grid = new ParamGridBuilder().addGrid(lr.regParam(), new double[] {0.0, 10.0}).build();
        // TrainValidationSplit and CrossValidator take an Evaluator the same way; one split keeps the test short
        TrainValidationSplitModel m = new TrainValidationSplit().setEstimator(lr).setEvaluator(new XentMlEvaluator())
                .setEstimatorParamMaps(grid).setTrainRatio(0.7).setSeed(1).fit(train);
        double[] metrics = m.validationMetrics();
        assertEquals(2, metrics.length);
        assertTrue(metrics[0] < metrics[1], "strong regularisation gives the higher cross-entropy: " + metrics[0] + " vs " + metrics[1]);
        XentMlEvaluator copy = new XentMlEvaluator().setMetricName("ece").copy(ParamMap.empty());
        assertEquals("ece", copy.getOrDefault(copy.metricName()));
    }
}
