package io.github.xent4j.spark;

import io.github.xent4j.CrossEntropyLoss;
import org.junit.jupiter.api.Test;

import static io.github.xent4j.spark.XentEvaluatorTest.assertRel;
import static org.apache.spark.sql.functions.col;

/** Float32 inputs at C = 1000: every float path agrees with the double computation over the widened floats to 1e-9. */
class FloatPrecisionTest {

    @Test
    void floatPathsAgreeWithTheDoubleReferenceAtLargeC() {
        TestData d = TestData.of(400, 1000, 7);
        int[] shape = {d.rows, d.classes};
        double reference = CrossEntropyLoss.DEFAULTS.value(d.logitsAsDouble(), shape, d.labels);
        double evaluator = XentEvaluator.on(d.read()).evaluate().meanCrossEntropy();
        double column = d.read().agg(XentFunctions.crossEntropy(Input.floats(col("logits")), col("label"),
                CrossEntropyLoss.DEFAULTS)).first().getDouble(0);
        double columnDouble = d.read().agg(XentFunctions.crossEntropy(col("logits"), col("label"))).first().getDouble(0);
        assertRel(reference, evaluator, 1e-9, "evaluator, float32 kernels");
        assertRel(reference, column, 1e-9, "Column, float32 kernels");
        assertRel(reference, columnDouble, 1e-12, "Column, default (float64 over the widened floats)");
        assertRel(CrossEntropyLoss.DEFAULTS.value(d.logits, shape, d.labels), evaluator, 1e-12, "evaluator = the core's float32 call");
    }
}
