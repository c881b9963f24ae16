package io.github.xent4j.spark;

import io.github.xent4j.CrossEntropyLoss;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XentSparkMainTest {

    @Test
    void generatesAndEvaluatesParquetAsATableAndAsJson() throws Exception {
        TestSpark.session();
        Path dir = Files.createTempDirectory("xent4j-main");
        String data = dir.resolve("preds").toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, XentSparkMain.run(new String[] {"generate", data, "--rows", "500", "--classes", "4", "--seed", "3"},
                new PrintStream(out), new PrintStream(err)), err.toString());
        out.reset();
        assertEquals(0, XentSparkMain.run(new String[] {"evaluate", data, "--bins", "5", "--top-k", "2"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err)), err.toString());
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("rows                   500"), table);
        assertTrue(table.contains("top-2 accuracy"), table);
        assertTrue(table.contains("reliability"), table);

        float[] x = new float[500 * 4];
        int[] y = new int[500];
        for (int i = 0; i < 500; i++) {
            float[] row = new float[4];
            y[i] = io.github.xent4j.spark.internal.SyntheticData.row(3, i, row);
            System.arraycopy(row, 0, x, 4 * i, 4);
        }
        double ce = CrossEntropyLoss.DEFAULTS.value(x, new int[] {500, 4}, y);
        out.reset();
        assertEquals(0, XentSparkMain.run(new String[] {"evaluate", data, "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err)));
        String json = out.toString(StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"rows\":500,"), json);
        assertTrue(json.contains("\"meanCrossEntropy\":" + ce + ","), "the generated rows, scored by the core: " + ce + " in " + json);

        err.reset();
        assertEquals(2, XentSparkMain.run(new String[] {"evaluate", data, "--bins", "x"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(err.toString().contains("--bins takes an integer"), err.toString());
        assertEquals(1, XentSparkMain.run(new String[] {"evaluate", data, "--logits", "nope"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(err.toString().contains("nope"), err.toString());
        assertTrue(TestSpark.session().sparkContext().isStopped() == false, "the shared session is not stopped by run()");
    }
}
