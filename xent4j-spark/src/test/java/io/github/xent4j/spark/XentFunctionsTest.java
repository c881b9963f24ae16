package io.github.xent4j.spark;

import io.github.xent4j.BceLoss;
import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.KlDivLoss;
import io.github.xent4j.NllLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.Softmax;
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

import static io.github.xent4j.spark.XentEvaluatorTest.assertRel;
import static io.github.xent4j.spark.XentFunctions.crossEntropy;
import static io.github.xent4j.spark.XentFunctions.crossEntropyStats;
import static io.github.xent4j.spark.XentFunctions.perplexity;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XentFunctionsTest {

    static final TestData D = XentEvaluatorTest.D;
    static final int[] SHAPE = {D.rows, D.classes};

    @Test
    void crossEntropyAndPerplexityEqualTheCore() {
        Row r = D.read().agg(crossEntropy(col("logits"), col("label")), perplexity(col("logits"), col("label")),
                crossEntropy(Input.floats(col("logits")), col("label"), CrossEntropyLoss.DEFAULTS)).first();
        double coreDouble = CrossEntropyLoss.DEFAULTS.value(D.logitsAsDouble(), SHAPE, D.labels);
        double coreFloat = CrossEntropyLoss.DEFAULTS.value(D.logits, SHAPE, D.labels);
        assertRel(coreDouble, r.getDouble(0), 1e-12, "default: float64 over widened floats");
        assertRel(Math.exp(coreDouble), r.getDouble(1), 1e-12, "perplexity");
        assertRel(coreFloat, r.getDouble(2), 1e-12, "Input.floats: the core's float32 path");
        assertRel(coreDouble, r.getDouble(2), 1e-9, "float32 kernels vs the double reference");
    }

    @Test
    void optionsAreTheCores() {
        double[] w = {1, 2, 0.5, 1, 1, 3, 1, 1, 0.25, 1};
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(w).ignoreIndex(7).labelSmoothing(0.2).build();
        CrossEntropyLoss sum = loss.toBuilder().reduction(Reduction.SUM).build();
        Row r = D.read().agg(crossEntropy(col("logits"), col("label"), loss), crossEntropy(col("logits"), col("label"), sum)).first();
        assertRel(loss.value(D.logitsAsDouble(), SHAPE, D.labels), r.getDouble(0), 1e-12, "weighted, smoothed, ignore 7");
        assertRel(sum.value(D.logitsAsDouble(), SHAPE, D.labels), r.getDouble(1), 1e-12, "SUM");
    }

    @Test
    void repartitioningChangesNothing() {
        Column3 one = Column3.of(D.read().repartition(1));
        Column3 seven = Column3.of(D.read().repartition(7));
        assertEquals(one.ce, seven.ce, 0.0);
        assertEquals(one.stats, seven.stats);
    }

    record Column3(double ce, List<Object> stats) {
        static Column3 of(Dataset<Row> df) {
            Row r = df.agg(crossEntropy(col("logits"), col("label")), crossEntropyStats(col("logits"), col("label"))).first();
            Row s = r.getStruct(1);
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < s.size(); i++) {
                l.add(s.get(i));
            }
            return new Column3(r.getDouble(0), l);
        }
    }

    @Test
    void groupByClassAndStatsMergeExactly() {
        Dataset<Row> per = D.read().groupBy("label").agg(crossEntropyStats(col("logits"), col("label")).as("s"),
                crossEntropy(col("logits"), col("label")).as("ce"));
        List<Row> rows = per.collectAsList();
        assertEquals(10, rows.size());
        for (Row row : rows) {
            int c = row.getInt(0);
            int[] n = new int[1];
            float[] x = D.rowsOf(c, n);
            double[] xd = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                xd[i] = x[i];
            }
            int[] y = new int[n[0]];
            Arrays.fill(y, c);
            assertRel(CrossEntropyLoss.DEFAULTS.value(xd, new int[] {n[0], D.classes}, y), row.getDouble(2), 1e-12, "class " + c);
            Row s = row.getStruct(1);
            assertEquals(n[0], s.getLong(s.fieldIndex("count")));
            assertEquals((double) n[0], s.getDouble(s.fieldIndex("weight_sum")), 0.0);
        }
        assertEquals(Arrays.asList("loss_sum", "weight_sum", "count", "ignored", "mean", "null_rows"),
                Arrays.asList(per.schema().apply("s").dataType() instanceof StructType st ? st.fieldNames() : new String[0]));
        Row merged = per.agg(XentFunctions.mergeStats(col("s")).as("m")).first().getStruct(0);
        double whole = CrossEntropyLoss.DEFAULTS.value(D.logitsAsDouble(), SHAPE, D.labels);
        assertRel(whole, merged.getDouble(merged.fieldIndex("mean")), 1e-12, "merged per-class stats = the whole");
        assertEquals(D.rows, merged.getLong(merged.fieldIndex("count")));
    }

    @Test
    void anAllIgnoredGroupIsNaNAndCountsItsRows() {
        CrossEntropyLoss ignore0 = CrossEntropyLoss.builder().ignoreIndex(0).build();
        Row r = D.read().filter("label = 0").agg(crossEntropy(col("logits"), col("label"), ignore0),
                crossEntropyStats(col("logits"), col("label"), ignore0)).first();
        assertTrue(Double.isNaN(r.getDouble(0)), "PyTorch's empty mean");
        Row s = r.getStruct(1);
        assertEquals(s.getLong(s.fieldIndex("count")), s.getLong(s.fieldIndex("ignored")));
        assertTrue(s.getLong(s.fieldIndex("count")) > 0);
    }

    @Test
    void anEmptyDataFrameIsNaN() {
        Row r = D.read().limit(0).agg(crossEntropy(col("logits"), col("label"))).first();
        assertTrue(r.isNullAt(0) || Double.isNaN(r.getDouble(0)), "no rows: " + r);
    }

    @Test
    void nullRowsAreSkippedAndCounted() {
        Dataset<Row> df = D.read().limit(200).union(D.read().limit(4).withColumn("logits", lit(null).cast("array<float>")));
        Row r = df.agg(crossEntropyStats(col("logits"), col("label"))).first().getStruct(0);
        assertEquals(200, r.getLong(r.fieldIndex("count")));
        assertEquals(4, r.getLong(r.fieldIndex("null_rows")));
        Exception e = assertThrows(Exception.class, () -> df.agg(crossEntropy(XentFunctions.requireNonNull(col("logits")), col("label"))).first());
        assertTrue(String.valueOf(e.getMessage()).contains("requireNonNull"), e.getMessage());
        Dataset<Row> withNullElement = D.read().limit(20).selectExpr("label", "transform(logits, (x, i) -> IF(i = 2, NULL, x)) AS logits");
        Exception e2 = assertThrows(Exception.class, () -> withNullElement.agg(crossEntropy(
                XentFunctions.requireNoNullElements(col("logits")), col("label"))).first());
        assertTrue(String.valueOf(e2.getMessage()).contains("requireNoNullElements"), e2.getMessage());
    }

    @Test
    void float32BinaryAndVectorInputs() {
        StructType schema = new StructType().add("x", DataTypes.BinaryType).add("label", DataTypes.IntegerType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < D.rows; i++) {
            ByteBuffer b = ByteBuffer.allocate(4 * D.classes).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < D.classes; c++) {
                b.putFloat(D.logits[i * D.classes + c]);
            }
            rows.add(RowFactory.create(b.array(), D.labels[i]));
        }
        Dataset<Row> bin = TestSpark.session().createDataFrame(rows, schema).repartition(3);
        double f = bin.agg(crossEntropy(Input.float32le(col("x")), col("label"), CrossEntropyLoss.DEFAULTS)).first().getDouble(0);
        assertRel(CrossEntropyLoss.DEFAULTS.value(D.logits, SHAPE, D.labels), f, 1e-12, "binary float32 LE");
        Dataset<Row> vec = D.read().withColumn("v", org.apache.spark.ml.functions.array_to_vector(col("logits")));
        double v = vec.agg(crossEntropy(Input.vector(col("v")), col("label"), CrossEntropyLoss.DEFAULTS)).first().getDouble(0);
        assertRel(CrossEntropyLoss.DEFAULTS.value(D.logitsAsDouble(), SHAPE, D.labels), v, 1e-12, "vector");
    }

    @Test
    void nllBceAndKlEqualTheCore() {
        double[] x = D.logitsAsDouble();
        double[] logp = Softmax.DEFAULTS.logSoftmax(x, SHAPE, 1);
        double[] p = Softmax.DEFAULTS.softmax(x, SHAPE, 1);
        double[] logit = new double[D.rows];
        double[] prob = new double[D.rows];
        double[] target = new double[D.rows];
        double[] q = new double[p.length];
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < D.rows; i++) {
            logit[i] = x[i * D.classes] - x[i * D.classes + 1];
            prob[i] = 1 / (1 + Math.exp(-logit[i]));
            target[i] = D.labels[i] % 2;
            double[] lp = Arrays.copyOfRange(logp, i * D.classes, (i + 1) * D.classes);
            double[] row = new double[D.classes];
            double s = 0;
            for (int c = 0; c < D.classes; c++) {
                row[c] = 1.0 / (1 + (c + i) % 3);
                s += row[c];
            }
            for (int c = 0; c < D.classes; c++) {
                row[c] /= s;
                q[i * D.classes + c] = row[c];
            }
            rows.add(RowFactory.create(lp, D.labels[i], logit[i], prob[i], (int) target[i], row));
        }
        StructType schema = new StructType().add("logp", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.IntegerType).add("logit", DataTypes.DoubleType).add("prob", DataTypes.DoubleType)
                .add("y", DataTypes.IntegerType).add("q", DataTypes.createArrayType(DataTypes.DoubleType));
        Dataset<Row> df = TestSpark.session().createDataFrame(rows, schema).repartition(4);
        KlDivLoss batchmean = KlDivLoss.builder().reduction(Reduction.BATCHMEAN).build();
        Row r = df.agg(XentFunctions.nllLoss(col("logp"), col("label")), XentFunctions.bceWithLogits(col("logit"), col("y")),
                XentFunctions.binaryCrossEntropy(col("prob"), col("y")), XentFunctions.klDiv(col("logp"), col("q")),
                XentFunctions.klDiv(col("logp"), col("q"), batchmean)).first();
        int[] n = {D.rows};
        assertRel(NllLoss.DEFAULTS.value(logp, SHAPE, D.labels), r.getDouble(0), 1e-12, "nll");
        assertRel(BceWithLogitsLoss.DEFAULTS.value(logit, n, target), r.getDouble(1), 1e-12, "bce with logits");
        assertRel(BceLoss.DEFAULTS.value(prob, n, target), r.getDouble(2), 1e-12, "bce");
        assertRel(KlDivLoss.DEFAULTS.value(logp, SHAPE, q), r.getDouble(3), 1e-12, "kl mean");
        assertRel(batchmean.value(logp, SHAPE, q), r.getDouble(4), 1e-12, "kl batchmean");
    }

    @Test
    void aBadLabelFailsWithTheCoresMessage() {
        Dataset<Row> df = D.read().limit(30).selectExpr("logits", "label + 20 AS label");
        Exception e = assertThrows(Exception.class, () -> df.agg(crossEntropy(col("logits"), col("label"))).first());
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof IllegalArgumentException)) {
            t = t.getCause();
        }
        assertTrue(t.getMessage().contains("must be in [0, 10)"), t.getMessage());
        assertThrows(io.github.xent4j.InvalidInputException.class, () -> crossEntropy(col("logits"), col("label"),
                CrossEntropyLoss.builder().reduction(Reduction.NONE).build()));
    }

    @Test
    void sqlFunctionsTakeTheirArgumentsInTheIssuesOrder() {
        XentFunctions.register(TestSpark.session());
        D.read().createOrReplaceTempView("preds");
        Row r = TestSpark.session().sql("SELECT xent_cross_entropy(logits, label), xent_perplexity(logits, label), "
                + "xent_cross_entropy(CAST(logits AS array<double>), label), "
                + "xent_nll_loss(transform(logits, x -> CAST(x - 3 AS float)), label), "
                + "xent_bce_with_logits(element_at(logits, 1), label % 2), "
                + "xent_binary_cross_entropy(0.25 + label / 40.0, label % 2), "
                + "xent_kl_div(array(-1.0, -0.5), array(0.5, 0.5)) FROM preds").first();
        double ce = CrossEntropyLoss.DEFAULTS.value(D.logitsAsDouble(), SHAPE, D.labels);
        assertRel(ce, r.getDouble(0), 1e-12, "xent_cross_entropy");
        assertRel(Math.exp(ce), r.getDouble(1), 1e-12, "xent_perplexity");
        assertRel(ce, r.getDouble(2), 1e-12, "array<double>");
        double[] shifted = D.logitsAsDouble();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] = (float) (D.logits[i] - 3);
        }
        assertRel(NllLoss.DEFAULTS.value(shifted, SHAPE, D.labels), r.getDouble(3), 1e-12, "xent_nll_loss");
        double[] lg = new double[D.rows];
        double[] pr = new double[D.rows];
        double[] t = new double[D.rows];
        for (int i = 0; i < D.rows; i++) {
            lg[i] = D.logits[i * D.classes];
            pr[i] = 0.25 + D.labels[i] / 40.0;
            t[i] = D.labels[i] % 2;
        }
        assertRel(BceWithLogitsLoss.DEFAULTS.value(lg, new int[] {D.rows}, t), r.getDouble(4), 1e-12, "xent_bce_with_logits");
        assertRel(BceLoss.DEFAULTS.value(pr, new int[] {D.rows}, t), r.getDouble(5), 1e-12, "xent_binary_cross_entropy");
        double[] one = {-1.0, -0.5};
        double[] half = {0.5, 0.5};
        double[] many = new double[2 * D.rows];
        double[] halves = new double[2 * D.rows];
        for (int i = 0; i < D.rows; i++) {
            System.arraycopy(one, 0, many, 2 * i, 2);
            System.arraycopy(half, 0, halves, 2 * i, 2);
        }
        assertRel(KlDivLoss.DEFAULTS.value(many, new int[] {D.rows, 2}, halves), r.getDouble(6), 1e-12, "xent_kl_div");
        Row g = TestSpark.session().sql("SELECT label, xent_cross_entropy(logits, label) FROM preds GROUP BY label ORDER BY label").first();
        assertEquals(0, g.getInt(0));
    }
}
