package io.github.xent4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.spark.internal.SyntheticData;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster script at a small size, after {@code package} (Failsafe): a standalone master and two
 * workers on 127.0.0.1 started from the Maven jars, the evaluation submitted to them. The report
 * must be the core's result on the same generated rows, each executor must have logged its kernels,
 * and every daemon must be gone afterwards.
 */
class ClusterSmokeIT {

    static final int ROWS = 20000;
    static final int CLASSES = 10;

    @Test
    void aTwoWorkerClusterEvaluatesGeneratedParquet() throws Exception {
        Path module = Path.of(System.getProperty("xent4j.module.dir", "."));
        Path work = Files.createTempDirectory("xent4j-cluster-it");
        Path out = work.resolve("report.json");
        Path err = work.resolve("stderr.txt");
        Process p = new ProcessBuilder("bash", module.resolve("cluster/spark-cluster.sh").toString(), "--rows",
                Integer.toString(ROWS), "--classes", Integer.toString(CLASSES), "--json", "--work", work.resolve("cluster").toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean done = p.waitFor(9, TimeUnit.MINUTES);
        String log = Files.readString(err, StandardCharsets.UTF_8);
        if (!done) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(done, "the script finished within 9 minutes; its stderr:\n" + log);
        assertEquals(0, p.exitValue(), "exit code; stderr:\n" + log);

        JsonNode report = new ObjectMapper().readTree(out.toFile());
        assertEquals(ROWS, report.get("rows").asLong());
        float[] x = new float[ROWS * CLASSES];
        int[] y = new int[ROWS];
        float[] row = new float[CLASSES];
        for (int i = 0; i < ROWS; i++) {
            y[i] = SyntheticData.row(42, i, row);
            System.arraycopy(row, 0, x, i * CLASSES, CLASSES);
        }
        double core = CrossEntropyLoss.DEFAULTS.value(x, new int[] {ROWS, CLASSES}, y);
        double spark = report.get("meanCrossEntropy").asDouble();
        assertTrue(Math.abs(core - spark) <= 1e-12 * core, "cluster " + spark + " vs core " + core + " (kernels here: "
                + io.github.xent4j.Xent4j.kernels() + ", on the cluster: " + report.get("kernels") + ")");
        double[] wide = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            wide[i] = x[i];
        }
        double reference = CrossEntropyLoss.DEFAULTS.value(wide, new int[] {ROWS, CLASSES}, y);
        assertTrue(Math.abs(reference - spark) <= 1e-9 * reference, "cluster " + spark + " vs the double reference " + reference);

        long executors = log.lines().filter(l -> l.startsWith("executor: ") && l.contains("xent4j kernels:")).count();
        assertEquals(2, executors, "each of the two executors logs its kernels once:\n" + log);

        Matcher m = Pattern.compile("stopped (\\S+) \\(pid (\\d+)\\)").matcher(log);
        int stopped = 0;
        while (m.find()) {
            stopped++;
            assertFalse(ProcessHandle.of(Long.parseLong(m.group(2))).map(ProcessHandle::isAlive).orElse(false),
                    m.group(1) + " is still running");
        }
        assertEquals(3, stopped, "master and two workers stopped:\n" + log);
        deleteTree(work.toFile());
    }

    private static void deleteTree(File f) {
        File[] kids = f.listFiles();
        if (kids != null) {
            for (File k : kids) {
                deleteTree(k);
            }
        }
        f.delete();
    }
}
