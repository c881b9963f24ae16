package io.github.xent4j.cli;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.FloatResult;
import io.github.xent4j.Reduction;
import io.github.xent4j.cli.io.DType;
import io.github.xent4j.cli.io.NpyMapped;
import io.github.xent4j.cli.io.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 240 MB input streamed by a JVM with a 64 MB heap: the cross-entropy mean and the gradient file
 * agree with an in-memory computation. The rows repeat with a period of P rows, so the mean over
 * all N rows equals the mean over one period, and row i's gradient is row (i mod P)'s of the
 * period's SUM gradient divided by N.
 */
class StreamingTest {

    private static final int N = 6_000_000;
    private static final int C = 10;
    private static final int P = 1000;
    private static final String HEAP = "-Xmx64m";

    @TempDir
    Path dir;

    private static float logit(int row, int c) {
        int r = row % P;
        return (float) (((r * 31 + c * 17) % 23) / 4.0 - 2.5);
    }

    private static int label(int row) {
        return (row % P * 7) % C;
    }

    @Test
    void anInputLargerThanTheHeapIsStreamedForTheMeanAndTheGradient() throws Exception {
        Path x = dir.resolve("logits.npy");
        Path y = dir.resolve("labels.npy");
        Path g = dir.resolve("grad.npy");
        int rowsPerWrite = 50_000;
        float[] block = new float[rowsPerWrite * C];
        long[] labels = new long[rowsPerWrite];
        try (NpyWriter wx = NpyWriter.create(x, DType.FLOAT32, N, C); NpyWriter wy = NpyWriter.create(y, DType.INT64, N)) {
            for (int r0 = 0; r0 < N; r0 += rowsPerWrite) {
                for (int i = 0; i < rowsPerWrite; i++) {
                    for (int c = 0; c < C; c++) {
                        block[i * C + c] = logit(r0 + i, c);
                    }
                    labels[i] = label(r0 + i);
                }
                wx.write(block);
                wy.write(labels);
            }
            wx.commit();
            wy.commit();
        }
        long heap = 64L << 20;
        assertTrue(Files.size(x) > 3 * heap, "the input is larger than the heap");

        String out = runJava(HEAP, "cross-entropy", "--input", x.toString(), "--target", y.toString(), "--grad", g.toString(), "--threads", "2");

        float[] period = new float[P * C];
        int[] periodLabels = new int[P];
        for (int r = 0; r < P; r++) {
            for (int c = 0; c < C; c++) {
                period[r * C + c] = logit(r, c);
            }
            periodLabels[r] = label(r);
        }
        double expectedMean = CrossEntropyLoss.builder().build().value(period, new int[] {P, C}, periodLabels);
        assertEquals(expectedMean, Float.parseFloat(out.strip()), 2e-6 * expectedMean, out);

        FloatResult sum = CrossEntropyLoss.builder().reduction(Reduction.SUM).build().forwardBackward(period, new int[] {P, C}, periodLabels);
        try (NpyMapped grad = NpyMapped.open(g)) {
            assertEquals(DType.FLOAT32, grad.dtype());
            assertEquals(N, grad.rows());
            assertEquals(C, grad.rowSize());
            float[] row = new float[C];
            for (long r : new long[] {0, 1, 999, 1000, N / 2 + 7, N - 1}) {
                grad.readRows(r, r + 1, row, 0);
                for (int c = 0; c < C; c++) {
                    double expected = sum.gradient()[(int) (r % P) * C + c] / (double) N;
                    assertEquals(expected, row[c], 1e-6 * Math.abs(expected) + 1e-15, "grad[" + r + ", " + c + "]");
                }
            }
        }
    }

    @Test
    void perPositionLossesOfALargeInputAreStreamedToTheOutput() throws Exception {
        int n = 2_500_000;
        Path x = dir.resolve("logits.npy");
        Path y = dir.resolve("labels.npy");
        Path l = dir.resolve("losses.npy");
        try (NpyWriter wx = NpyWriter.create(x, DType.FLOAT64, n, C); NpyWriter wy = NpyWriter.create(y, DType.INT64, n)) {
            double[] row = new double[C];
            long[] one = new long[1];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < C; c++) {
                    row[c] = logit(r, c);
                }
                wx.write(row);
                one[0] = label(r);
                wy.write(one);
            }
            wx.commit();
            wy.commit();
        }
        assertTrue(Files.size(x) > 2 * (64L << 20), "the input is larger than the heap");
        assertEquals("", runJava(HEAP, "cross-entropy", "--input", x.toString(), "--target", y.toString(),
                "--reduction", "none", "--out", l.toString()));
        double[] period = new double[P * C];
        int[] periodLabels = new int[P];
        for (int r = 0; r < P; r++) {
            for (int c = 0; c < C; c++) {
                period[r * C + c] = logit(r, c);
            }
            periodLabels[r] = label(r);
        }
        double[] expected = CrossEntropyLoss.builder().reduction(Reduction.NONE).build().forward(period, new int[] {P, C}, periodLabels).losses();
        try (NpyMapped losses = NpyMapped.open(l)) {
            assertEquals(DType.FLOAT64, losses.dtype());
            assertEquals(1, losses.rank());
            assertEquals(n, losses.rows());
            double[] v = new double[1];
            for (long r : new long[] {0, 999, 1000, n / 2 + 3, n - 1}) {
                losses.readRows(r, r + 1, v, 0);
                assertEquals(expected[(int) (r % P)], v[0], "loss[" + r + "]");
            }
        }
    }

    /** Runs the command line in a fresh JVM and returns stdout; fails on a non-zero exit. */
    static String runJava(String heap, String... args) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(heap);
        cmd.add("-cp");
        cmd.add(cp.replace(File.pathSeparator + File.pathSeparator, File.pathSeparator));
        cmd.add("io.github.xent4j.cli.Main");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] stdout = p.getInputStream().readAllBytes();
        byte[] stderr = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        String err = new String(stderr, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        return new String(stdout, StandardCharsets.UTF_8);
    }
}
