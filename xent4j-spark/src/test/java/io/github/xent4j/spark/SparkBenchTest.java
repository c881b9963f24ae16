package io.github.xent4j.spark;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the Spark benchmark: by default once, at a tiny size, to check that every method runs and
 * agrees (no timing is asserted). The real run is the module README's command:
 * {@code -Dxent4j.bench.rows=2000000,100000 -Dxent4j.bench.classes=10,1000 -Dxent4j.bench.reps=3}; the
 * table is printed and written to target/spark-bench.md.
 */
class SparkBenchTest {

    @Test
    void everyMethodRunsAndAgrees() throws Exception {
        String rows = System.getProperty("xent4j.bench.rows", "3000,200");
        String classes = System.getProperty("xent4j.bench.classes", "10,1000");
        int reps = Integer.getInteger("xent4j.bench.reps", 1);
        int warmup = Integer.getInteger("xent4j.bench.warmup", reps > 1 ? 2 : 0);
        Path dir = Path.of(System.getProperty("xent4j.bench.dir", "target/spark-bench-data"));
        String table = SparkBench.run(TestSpark.session(), SparkBench.rows(rows), SparkBench.classes(classes), warmup, reps, dir);
        Files.writeString(Path.of("target/spark-bench.md"), table, StandardCharsets.UTF_8);
        System.out.println(table);
        assertTrue(table.contains("Spark ML logLoss") && table.contains("xent4j full report"), table);
    }
}
