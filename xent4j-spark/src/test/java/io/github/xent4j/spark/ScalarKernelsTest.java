package io.github.xent4j.spark;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.Xent4j;
import org.junit.jupiter.api.Test;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Runs in a JVM without {@code --add-modules jdk.incubator.vector} (a Surefire execution of its own),
 * as executors of Spark 3.5 start by default: the scalar kernels are chosen, nothing throws
 * NoClassDefFoundError, and the results are the core's.
 */
class ScalarKernelsTest {

    @Test
    void withoutTheVectorModuleTheScalarKernelsRun() {
        assertFalse(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "this JVM runs without the module");
        assertEquals("scalar", Xent4j.kernels());
        TestData d = TestData.of(500, 10, 11);
        double core = CrossEntropyLoss.DEFAULTS.value(d.logits, new int[] {d.rows, d.classes}, d.labels);
        assertEquals(core, XentEvaluator.on(d.read()).evaluate().meanCrossEntropy(), Math.abs(core) * 1e-12);
        double viaColumn = d.read().agg(XentFunctions.crossEntropy(Input.floats(col("logits")), col("label"),
                CrossEntropyLoss.DEFAULTS)).first().getDouble(0);
        assertEquals(core, viaColumn, Math.abs(core) * 1e-12);
    }
}
