package io.github.xent4j.cli;

import io.github.xent4j.cli.io.DType;
import io.github.xent4j.cli.io.NdArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.github.xent4j.cli.Cli.fixture;
import static io.github.xent4j.cli.Cli.npy;
import static io.github.xent4j.cli.Cli.run;
import static io.github.xent4j.cli.Cli.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearCrossEntropyCommandTest {

    @TempDir
    Path dir;

    private static String f(String name) {
        return fixture(name).toString();
    }

    /** The PyTorch fixture: (2, 3, 5) float32 input, V = 7, bias, class and token weights, z-loss, soft-cap. */
    private List<String> fixtureArgs(String... more) {
        List<String> a = new ArrayList<>(List.of("linear-cross-entropy", "--input", f("flce_input_f32.npy"),
                "--linear-weight", f("flce_weight_f32.npy"), "--linear-bias", f("flce_bias_f32.npy"),
                "--target", f("flce_target_i64.npy"), "--weight", f("flce_class_weight_f32.npy"),
                "--token-weight", f("flce_token_weight_f32.npy"), "--z-loss", "1e-2", "--softcap", "4"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void everyOptionAgreesWithPyTorchIncludingTheThreeGradientsAndTheStats() {
        Path gh = dir.resolve("gh.npy");
        Path gw = dir.resolve("gw.npy");
        Path gb = dir.resolve("gb.npy");
        String out = run(fixtureArgs("--grad-input", gh.toString(), "--grad-linear-weight", gw.toString(),
                "--grad-linear-bias", gb.toString(), "--stats").toArray(String[]::new)).ok();
        String[] lines = out.split("\n");
        assertEquals(5, lines.length, out);
        assertEquals(Expected.get("flce_mean"), Double.parseDouble(lines[0]), 2e-6 * Expected.get("flce_mean"));
        assertEquals("tokens: 5", lines[1]);
        assertTrue(lines[2].startsWith("perplexity: "), out);
        assertEquals(Expected.get("flce_perplexity"), Double.parseDouble(lines[2].substring(12)), 1e-5 * Expected.get("flce_perplexity"));
        assertEquals(Expected.get("flce_z_loss"), Double.parseDouble(lines[3].substring(8)), 1e-6);
        assertEquals("accuracy: " + (float) Expected.get("flce_accuracy"), "accuracy: " + Float.parseFloat(lines[4].substring(10)));
        assertClose(Cli.read(fixture("flce_expected_grad_input_f32.npy")), Cli.read(gh));
        assertClose(Cli.read(fixture("flce_expected_grad_weight_f32.npy")), Cli.read(gw));
        assertClose(Cli.read(fixture("flce_expected_grad_bias_f32.npy")), Cli.read(gb));
        NdArray ghArray = Cli.read(gh);
        assertArrayEquals(new int[] {2, 3, 5}, ghArray.shape(), "the input's shape");
        assertEquals(DType.FLOAT32, ghArray.dtype());
        assertArrayEquals(new int[] {7, 5}, Cli.read(gw).shape());
    }

    private static void assertClose(NdArray expected, NdArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toFloat();
        float[] a = actual.toFloat();
        double scale = 1;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-5 * scale, "element " + i);
        }
    }

    @Test
    void noneWritesOneLossPerTokenInTheTargetsShapeAndPrintsThemWithoutOut() {
        Path l = dir.resolve("l.npy");
        run(fixtureArgs("--reduction", "none", "--out", l.toString()).toArray(String[]::new)).ok();
        NdArray losses = Cli.read(l);
        assertArrayEquals(new int[] {2, 3}, losses.shape());
        assertEquals(0f, losses.toFloat()[3], "the ignored token");
        String printed = run(fixtureArgs("--reduction", "none").toArray(String[]::new)).ok();
        String[] lines = printed.split("\n");
        assertEquals(6, lines.length);
        for (int i = 0; i < 6; i++) {
            assertEquals(losses.toFloat()[i], Float.parseFloat(lines[i]), 0f, "line " + i);
        }
    }

    @Test
    void aStreamedLossOnlyRunPrintsExactlyWhatOneCallPrints() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 700;
        int d = 6;
        int v = 50;
        float[] h = new float[n * d];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) r.nextDouble(-2, 2);
        }
        float[] w = new float[v * d];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextDouble(-1, 1);
        }
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 9 == 0 ? -100 : r.nextInt(v);
        }
        String hp = npy(dir, "h.npy", NdArray.ofFloats(h, n, d)).toString();
        String wp = npy(dir, "w.npy", NdArray.ofFloats(w, v, d)).toString();
        String yp = npy(dir, "y.npy", NdArray.ofLongs(y, n)).toString();
        String one = run("linear-cross-entropy", "--input", hp, "--linear-weight", wp, "--target", yp, "--stats",
                "--z-loss", "1e-3").ok();
        String streamed = run("linear-cross-entropy", "--input", hp, "--linear-weight", wp, "--target", yp, "--stats",
                "--z-loss", "1e-3", "--chunk-elements", "600", "--threads", "2").ok();
        assertEquals(one, streamed);
        assertTrue(one.startsWith("4.") || one.startsWith("3.") || one.startsWith("5."), one);
        // with gradients the run is one call; its loss is the same number
        Path gw = dir.resolve("gw.npy");
        String withGrad = run("linear-cross-entropy", "--input", hp, "--linear-weight", wp, "--target", yp, "--stats",
                "--z-loss", "1e-3", "--grad-linear-weight", gw.toString()).ok();
        assertEquals(one, withGrad);
    }

    @Test
    void textFilesAreFloat64() {
        Path h = text(dir, "h.json", "[[1, 2], [0.5, -1]]");
        Path w = text(dir, "w.json", "[[0.1, 0.2], [0.3, -0.1], [-0.2, 0.4]]");
        Path y = text(dir, "y.csv", "2\n0\n");
        String out = run("linear-cross-entropy", "--input", h.toString(), "--linear-weight", w.toString(),
                "--target", y.toString()).ok();
        assertEquals(1.0414440585976812, Double.parseDouble(out.strip()), 1e-15, "PyTorch float64");
        assertEquals(18, out.strip().length() - (out.startsWith("-") ? 1 : 0), "17 significant digits: " + out);
    }

    @Test
    void badDataIsOneLineNamingTheFileAndNoOutputIsLeft() {
        Path gh = dir.resolve("gh.npy");
        String wrongD = run("linear-cross-entropy", "--input", f("flce_input_f32.npy"), "--linear-weight",
                npy(dir, "w4.npy", NdArray.ofFloats(new float[28], 7, 4)).toString(), "--target", f("flce_target_i64.npy"),
                "--grad-input", gh.toString()).badData();
        assertTrue(wrongD.contains("w4.npy: --linear-weight must have shape (V, 5) with V >= 1, the input's last dimension 5 "
                + "as its second, but its shape is (7, 4)"), wrongD);
        assertFalse(Files.exists(gh));
        String badTarget = run("linear-cross-entropy", "--input", f("flce_input_f32.npy"), "--linear-weight",
                f("flce_weight_f32.npy"), "--target", npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, 1, 7, 2, 3, 4}, 2, 3))
                        .toString()).badData();
        assertTrue(badTarget.endsWith("y.npy: target[0, 2]=7 is out of bounds for 7 classes (valid: 0..6, or the ignore "
                + "index -100)"), badTarget);
        String badTw = run("linear-cross-entropy", "--input", f("flce_input_f32.npy"), "--linear-weight",
                f("flce_weight_f32.npy"), "--target", f("flce_target_i64.npy"), "--token-weight",
                npy(dir, "tw.npy", NdArray.ofFloats(new float[6], 6)).toString()).badData();
        assertTrue(badTw.endsWith("tw.npy: --token-weight must have the target's shape (2, 3), one weight per token, but its "
                + "shape is (6,)"), badTw);
        String badBias = run("linear-cross-entropy", "--input", f("flce_input_f32.npy"), "--linear-weight",
                f("flce_weight_f32.npy"), "--linear-bias", npy(dir, "b.npy", NdArray.ofFloats(new float[6], 6)).toString(),
                "--target", f("flce_target_i64.npy")).badData();
        assertTrue(badBias.endsWith("b.npy: --linear-bias must have shape (7,), one per row of the linear weight, but its "
                + "shape is (6,)"), badBias);
    }

    @Test
    void badUsageExitsWith2() {
        String err = run("linear-cross-entropy", "--input", f("flce_input_f32.npy"), "--linear-weight", f("flce_weight_f32.npy"),
                "--target", f("flce_target_i64.npy"), "--softcap", "-1").badUsage();
        assertTrue(err.contains("--softcap=-1.0 must be > 0 and finite"), err);
        err = run("linear-cross-entropy", "--input", f("flce_input_f32.npy"), "--linear-weight", f("flce_weight_f32.npy"),
                "--target", f("flce_target_i64.npy"), "--grad-linear-bias", dir.resolve("gb.npy").toString()).badUsage();
        assertTrue(err.contains("--grad-linear-bias needs --linear-bias"), err);
        err = run(fixtureArgs("--grad-input", f("flce_input_f32.npy")).toArray(String[]::new)).badUsage();
        assertTrue(err.contains("would overwrite the input"), err);
        err = run("linear-cross-entropy", "--input", f("flce_input_f32.npy"), "--linear-weight", f("flce_weight_f32.npy"),
                "--target", f("flce_target_i64.npy"), "--z-loss", "-0.5").badUsage();
        assertTrue(err.contains("--z-loss=-0.5 must be >= 0 and finite"), err);
    }

    @Test
    void helpShowsTheOptionsOfTheIssue() {
        String help = run("linear-cross-entropy", "--help").ok();
        for (String o : new String[] {"--input", "--linear-weight", "--linear-bias", "--target", "--weight", "--token-weight",
            "--ignore-index", "--label-smoothing", "--z-loss", "--softcap", "--reduction", "--out", "--grad-input",
            "--grad-linear-weight", "--grad-linear-bias", "--stats", "--threads"}) {
            assertTrue(help.contains(o), o);
        }
    }
}
