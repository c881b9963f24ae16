package io.github.xent4j.cli;

import io.github.xent4j.cli.io.DType;
import io.github.xent4j.cli.io.NdArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.github.xent4j.cli.Cli.fixture;
import static io.github.xent4j.cli.Cli.npy;
import static io.github.xent4j.cli.Cli.run;
import static io.github.xent4j.cli.Cli.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossEntropyCommandTest {

    @TempDir
    Path dir;

    private Path tutorialLogits32() {
        return npy(dir, "x.npy", NdArray.ofFloats(new float[] {0.1f, 0.3f, 0.6f, 0.3f, 0.2f, 0.5f}, 2, 3));
    }

    private Path tutorialTargets() {
        return npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, 2}, 2));
    }

    @Test
    void tutorialMeanInFloat32PrintsNineSignificantDigits() {
        String out = run("cross-entropy", "--input", tutorialLogits32().toString(), "--target", tutorialTargets().toString()).ok();
        assertEquals("1.14655876\n", out);
        assertEquals(1.1465587615966797f, Float.parseFloat(out.strip()));
    }

    @Test
    void textInputIsFloat64AndPrintsSeventeenSignificantDigits() {
        Path x = text(dir, "x.json", "[[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]");
        Path y = text(dir, "y.csv", "0\n2\n");
        String out = run("cross-entropy", "--input", x.toString(), "--target", y.toString()).ok();
        assertEquals("1.1465588080868547\n", out);
    }

    @Test
    void sumAndNonePrintedOnePerLine() {
        String x = tutorialLogits32().toString();
        String y = tutorialTargets().toString();
        assertEquals("2.29311752\n", run("cross-entropy", "--input", x, "--target", y, "--reduction", "sum").ok());
        // correctly rounded from float64 (PyTorch float32 prints 1.3532865 and 0.939831018, 1 ulp away)
        assertEquals("1.35328662\n0.939831078\n", run("cross-entropy", "--input", x, "--target", y, "--reduction", "none").ok());
    }

    @Test
    void outIsZeroDimensionalScalarAndGradHasTheInputsShapeAndDtype() {
        Path out = dir.resolve("l.npy");
        Path grad = dir.resolve("g.npy");
        String printed = run("cross-entropy", "--input", tutorialLogits32().toString(), "--target", tutorialTargets().toString(),
                "--out", out.toString(), "--grad", grad.toString()).ok();
        NdArray l = Cli.read(out);
        assertEquals(DType.FLOAT32, l.dtype());
        assertEquals(0, l.rank());
        assertEquals(Float.parseFloat(printed.strip()), (float) l.getDouble(0));
        NdArray g = Cli.read(grad);
        assertEquals(DType.FLOAT32, g.dtype());
        assertArrayEquals(new int[] {2, 3}, g.shape());
        // softmax minus one-hot, over N = 2 (PyTorch: [[-0.3708, 0.1578, 0.2130], [0.1599, 0.1447, -0.3047]])
        float[] expected = {-0.37080517f, 0.15779892f, 0.21300626f, 0.15993653f, 0.14471655f, -0.30465308f};
        assertArrayEquals(expected, g.toFloat(), 1e-7f);
    }

    @Test
    void noneWritesOneLossPerPositionAndKdimKeepsTheSpatialShape() {
        Path x = npy(dir, "x.npy", NdArray.ofDoubles(new double[] {1, 0, 2, 0, 3, 0}, 1, 3, 2));
        Path y = npy(dir, "y.npy", NdArray.ofLongs(new long[] {2, 1}, 1, 2));
        Path out = dir.resolve("l.npy");
        assertEquals("", run("cross-entropy", "--input", x.toString(), "--target", y.toString(), "--reduction", "none",
                "--out", out.toString()).ok());
        NdArray l = Cli.read(out);
        assertArrayEquals(new int[] {1, 2}, l.shape());
        assertEquals(0.4076059644443803, l.getDouble(0), 1e-15);
        assertEquals(Math.log(3), l.getDouble(1), 1e-15);
        // semantics reference, vector 12: mean 0.7531091266; with the second target ignored 0.4076059644
        assertEquals(0.7531091266, Double.parseDouble(run("cross-entropy", "--input", x.toString(), "--target", y.toString()).ok()), 1e-10);
        Path y2 = npy(dir, "y2.npy", NdArray.ofLongs(new long[] {2, -100}, 1, 2));
        assertEquals(0.4076059644, Double.parseDouble(run("cross-entropy", "--input", x.toString(), "--target", y2.toString()).ok()), 1e-10);
    }

    @Test
    void weightsSmoothingAndIgnoreIndexMatchTheReferenceGradient() {
        // semantics reference §4.6: mean 1.2191526201, ignored row's gradient exactly 0
        Path x = text(dir, "x.json", "[[2,-1,0.5,0],[0.1,0.2,0.3,0.4],[1,1,1,1]]");
        Path y = text(dir, "y.json", "[0, -100, 3]");
        Path w = text(dir, "w.json", "[1, 2, 0.5, 4]");
        Path grad = dir.resolve("g.npy");
        String out = run("cross-entropy", "--input", x.toString(), "--target", y.toString(), "--weight", w.toString(),
                "--label-smoothing", "0.2", "--grad", grad.toString()).ok();
        assertEquals(1.2191526201, Double.parseDouble(out), 1e-10);
        double[] g = Cli.read(grad).toDouble();
        double[] expected = {-0.0031265181, -0.0116918585, 0.0322345067, -0.0174161301, 0, 0, 0, 0, 0.16875, 0.15875, 0.17375, -0.50125};
        assertArrayEquals(expected, g, 1e-10);
        assertEquals(0.0, g[4]);
    }

    @Test
    void probabilityTargetsDivideByTheNumberOfPositionsNotTheWeights() {
        // semantics reference, vector 18: one-hot targets with w = [2, 4, 6]: mean 5.2991553042 (N = 2, not 10)
        Path x = text(dir, "x.json", "[[0.2,0.3,0.5],[0.5,0.2,0.3]]");
        Path t = text(dir, "t.json", "[[0.0,0.0,1.0],[0.0,1.0,0.0]]");
        Path w = text(dir, "w.json", "[2, 4, 6]");
        String out = run("cross-entropy", "--input", x.toString(), "--target", t.toString(), "--weight", w.toString()).ok();
        assertEquals(5.2991553042, Double.parseDouble(out), 1e-10);
    }

    @Test
    void unbatchedInputTakesAZeroDimensionalTargetAndWritesAZeroDimensionalNone() {
        Path out = dir.resolve("l.npy");
        String printed = run("cross-entropy", "--input", fixture("unbatched_logits_f32.npy").toString(),
                "--target", fixture("unbatched_label_i64.npy").toString()).ok();
        assertEquals(Expected.get("unbatched_mean"), Double.parseDouble(printed), 1e-7);
        run("cross-entropy", "--input", fixture("unbatched_logits_f32.npy").toString(),
                "--target", fixture("unbatched_label_i64.npy").toString(), "--reduction", "none", "--out", out.toString()).ok();
        assertEquals(0, Cli.read(out).rank());
        Path one = text(dir, "one.json", "[2]");
        assertEquals(printed, run("cross-entropy", "--input", fixture("unbatched_logits_f32.npy").toString(),
                "--target", one.toString()).ok());
    }

    @Test
    void allTargetsIgnoredGivesNanForMeanAndZeroForSum() {
        Path x = tutorialLogits32();
        Path y = npy(dir, "ign.npy", NdArray.ofLongs(new long[] {-100, -100}, 2));
        Path grad = dir.resolve("g.npy");
        assertEquals("nan\n", run("cross-entropy", "--input", x.toString(), "--target", y.toString(), "--grad", grad.toString()).ok());
        assertArrayEquals(new float[6], Cli.read(grad).toFloat());
        assertEquals("0.00000000\n", run("cross-entropy", "--input", x.toString(), "--target", y.toString(), "--reduction", "sum").ok());
    }

    @Test
    void threadCountDoesNotChangeTheValue() {
        Path x = npy(dir, "x.npy", Data.randomFloats(20_000, 7, 1));
        Path y = npy(dir, "y.npy", Data.randomLabels(20_000, 7, 2));
        String one = run("cross-entropy", "--input", x.toString(), "--target", y.toString(), "--threads", "1").ok();
        assertEquals(one, run("cross-entropy", "--input", x.toString(), "--target", y.toString(), "--threads", "2").ok());
    }

    @Test
    void streamingInChunksGivesTheSameLossesAndGradientsAsOneCall() {
        Path x = npy(dir, "x.npy", Data.randomFloats(1000, 5, 3));
        Path y = npy(dir, "y.npy", Data.randomLabels(1000, 5, 4));
        Path w = text(dir, "w.json", "[1, 2, 3, 0.5, 1]");
        for (String reduction : new String[] {"mean", "sum", "none"}) {
            Path g1 = dir.resolve("g1.npy");
            Path g2 = dir.resolve("g2.npy");
            Path l1 = dir.resolve("l1.npy");
            Path l2 = dir.resolve("l2.npy");
            String[] common = {"cross-entropy", "--input", x.toString(), "--target", y.toString(), "--weight", w.toString(),
                    "--label-smoothing", "0.1", "--ignore-index", "3", "--reduction", reduction};
            String whole = run(concat(common, "--grad", g1.toString(), "--out", l1.toString())).ok();
            String chunked = run(concat(common, "--grad", g2.toString(), "--out", l2.toString(), "--chunk-elements", "35")).ok();
            if (!reduction.equals("none")) {
                assertEquals(Float.parseFloat(whole), Float.parseFloat(chunked), 2e-7f * Float.parseFloat(whole), reduction);
            } else {
                assertArrayEquals(Cli.read(l1).toFloat(), Cli.read(l2).toFloat(), reduction);
            }
            assertArrayEquals(Cli.read(g1).toFloat(), Cli.read(g2).toFloat(), 1e-9f, reduction);
        }
    }

    @Test
    void numpyFixturesAgreeWithPytorch() {
        Path grad = dir.resolve("g.npy");
        Path none = dir.resolve("n.npy");
        String mean = run("cross-entropy", "--input", fixture("ce_logits_f32.npy").toString(),
                "--target", fixture("ce_labels_i64.npy").toString(), "--weight", fixture("ce_weight_f32.npy").toString(),
                "--label-smoothing", "0.1", "--grad", grad.toString()).ok();
        assertEquals((float) Expected.get("ce_mean"), Float.parseFloat(mean), 2e-6f);
        assertArrayEquals(Cli.read(fixture("ce_expected_grad_f32.npy")).toFloat(), Cli.read(grad).toFloat(), 1e-6f);
        run("cross-entropy", "--input", fixture("ce_logits_f32.npy").toString(),
                "--target", fixture("ce_labels_i64.npy").toString(), "--weight", fixture("ce_weight_f32.npy").toString(),
                "--label-smoothing", "0.1", "--reduction", "none", "--out", none.toString()).ok();
        assertArrayEquals(Cli.read(fixture("ce_expected_none_f32.npy")).toFloat(), Cli.read(none).toFloat(), 2e-6f);

        String sum = run("cross-entropy", "--input", fixture("kdim_logits_f64.npy").toString(),
                "--target", fixture("kdim_labels_i32.npy").toString(), "--reduction", "sum", "--grad", grad.toString()).ok();
        assertEquals(Expected.get("kdim_sum"), Double.parseDouble(sum), 1e-12);
        assertArrayEquals(Cli.read(fixture("kdim_expected_grad_f64.npy")).toDouble(), Cli.read(grad).toDouble(), 1e-14);
        assertEquals(DType.FLOAT64, Cli.read(grad).dtype());

        String prob = run("cross-entropy", "--input", fixture("prob_logits_f64.npy").toString(),
                "--target", fixture("prob_targets_f64.npy").toString()).ok();
        assertEquals(Expected.get("prob_mean"), Double.parseDouble(prob), 1e-13);
    }

    @Test
    void aTargetOutOfRangeNamesTheFileThePositionAndTheValue() {
        Path y = npy(dir, "bad.npy", NdArray.ofLongs(new long[] {0, 3}, 2));
        String err = run("cross-entropy", "--input", tutorialLogits32().toString(), "--target", y.toString()).badData();
        assertEquals("xent cross-entropy: " + y + ": target[1]=3 is out of bounds for 3 classes (valid: 0..2, or the ignore index -100)", err);
        Path neg = npy(dir, "neg.npy", NdArray.ofLongs(new long[] {-1, 0}, 2));
        assertTrue(run("cross-entropy", "--input", tutorialLogits32().toString(), "--target", neg.toString()).badData()
                .contains("target[0]=-1 is out of bounds"));
    }

    @Test
    void shapeMismatchesNameBothFilesAndShapes() {
        Path x = tutorialLogits32();
        Path y3 = npy(dir, "y3.npy", NdArray.ofLongs(new long[] {0, 1, 2}, 3));
        String err = run("cross-entropy", "--input", x.toString(), "--target", y3.toString()).badData();
        assertTrue(err.contains(y3 + ": target shape (3,) does not match the input " + x + " of shape (2, 3): expected (2,)"), err);
        assertTrue(err.contains("batch_size"), err);
        Path y21 = npy(dir, "y21.npy", NdArray.ofLongs(new long[] {0, 1}, 2, 1));
        assertTrue(run("cross-entropy", "--input", x.toString(), "--target", y21.toString()).badData()
                .contains("target shape (2, 1) does not match"));
    }

    @Test
    void targetKindErrorsFollowPytorchsDispatch() {
        Path x = tutorialLogits32();
        Path intOneHot = npy(dir, "onehot.npy", NdArray.ofLongs(new long[] {1, 0, 0, 0, 0, 1}, 2, 3));
        assertTrue(run("cross-entropy", "--input", x.toString(), "--target", intOneHot.toString()).badData()
                .contains("Expected floating point type for target with class probabilities, got int64"));
        Path floatLabels = npy(dir, "fl.npy", NdArray.ofFloats(new float[] {0, 2}, 2));
        assertTrue(run("cross-entropy", "--input", x.toString(), "--target", floatLabels.toString()).badData()
                .contains("class-index targets must be integers, but the target holds float32 of shape (2,)"));
        Path probs = npy(dir, "p.npy", NdArray.ofFloats(new float[] {1, 0, 0, 0, 0, 1}, 2, 3));
        assertTrue(run("cross-entropy", "--input", x.toString(), "--target", probs.toString(), "--ignore-index", "0").badData()
                .contains("--ignore-index 0 is not supported for probability targets"));
    }

    @Test
    void badWeightsAndDtypesAreBadData() {
        Path x = tutorialLogits32();
        Path y = tutorialTargets();
        Path w = text(dir, "w.json", "[1, 2, 3, 4]");
        assertEquals("xent cross-entropy: " + w + ": --weight must have shape (3,), one weight per class, but its shape is (4,)",
                run("cross-entropy", "--input", x.toString(), "--target", y.toString(), "--weight", w.toString()).badData());
        Path ints = npy(dir, "ints.npy", NdArray.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertEquals("xent cross-entropy: " + ints + ": unsupported dtype int64 for --input: expected float32 or float64",
                run("cross-entropy", "--input", ints.toString(), "--target", y.toString()).badData());
        Path scalar = npy(dir, "s.npy", NdArray.ofFloats(new float[] {1}));
        assertTrue(run("cross-entropy", "--input", scalar.toString(), "--target", y.toString()).badData()
                .contains("must have 1 or more dimensions"));
    }

    @Test
    void malformedTruncatedAndMissingFilesAreBadData() throws Exception {
        Path y = tutorialTargets();
        Path json = text(dir, "bad.json", "[[0.1, 0.3, 0.6], [0.3, 0.2]]");
        assertTrue(run("cross-entropy", "--input", json.toString(), "--target", y.toString()).badData().contains(json.toString()));
        Path csv = text(dir, "bad.csv", "0.1,0.3,0.6\n0.3,abc,0.5\n");
        String err = run("cross-entropy", "--input", csv.toString(), "--target", y.toString()).badData();
        assertTrue(err.contains(csv + ":2:2: 'abc' is not a number"), err);
        byte[] whole = Files.readAllBytes(tutorialLogits32());
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 5));
        assertTrue(run("cross-entropy", "--input", cut.toString(), "--target", y.toString()).badData().contains("truncated"));
        Path notNpy = text(dir, "fake.npy", "hello");
        assertTrue(run("cross-entropy", "--input", notNpy.toString(), "--target", y.toString()).badData().contains("not a .npy file"));
        assertTrue(run("cross-entropy", "--input", dir.resolve("missing.npy").toString(), "--target", y.toString()).badData()
                .contains("missing.npy: cannot read: no such file or directory"));
        assertTrue(run("cross-entropy", "--input", dir.resolve("x.parquet").toString(), "--target", y.toString()).badData()
                .contains("unknown file extension '.parquet'"));
    }

    @Test
    void verboseAddsTheStackTrace() {
        Path y = npy(dir, "bad.npy", NdArray.ofLongs(new long[] {0, 3}, 2));
        Cli.Run r = run("cross-entropy", "--input", tutorialLogits32().toString(), "--target", y.toString(), "--verbose");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void badUsageIsExitTwo() {
        String x = tutorialLogits32().toString();
        String y = tutorialTargets().toString();
        assertTrue(run("cross-entropy", "--input", x).badUsage().contains("Missing required option: '--target=T'"));
        assertTrue(run("cross-entropy", "--input", x, "--target", y, "--reduction", "avg").badUsage()
                .contains("Invalid value for option '--reduction': expected one of [mean, sum, none]"));
        assertTrue(run("cross-entropy", "--input", x, "--target", y, "--label-smoothing", "1.5").badUsage()
                .contains("--label-smoothing=1.5 must be between 0.0 and 1.0"));
        assertTrue(run("cross-entropy", "--input", x, "--target", y, "--out", "same.npy", "--grad", "same.npy").badUsage()
                .contains("--out and --grad name the same file"));
        assertTrue(run("cross-entropy", "--input", x, "--target", y, "--grad", x).badUsage().contains("would overwrite the input"));
        assertTrue(run("cross-entropy", "--input", x, "--target", y, "--bogus").badUsage().contains("Unknown option: '--bogus'"));
        assertTrue(Files.exists(Path.of(x)), "the input is never removed");
    }

    @Test
    void negativeLabelSmoothingCountsAsZeroAsInPytorch() {
        String x = tutorialLogits32().toString();
        String y = tutorialTargets().toString();
        assertEquals(run("cross-entropy", "--input", x, "--target", y).ok(),
                run("cross-entropy", "--input", x, "--target", y, "--label-smoothing", "-0.1").ok());
    }

    @Test
    void csvAndJsonOutputsWork() {
        Path out = dir.resolve("l.json");
        run("cross-entropy", "--input", tutorialLogits32().toString(), "--target", tutorialTargets().toString(),
                "--reduction", "none", "--out", out.toString()).ok();
        assertTrue(Files.exists(out));
        assertFalse(Cli.list(dir).stream().anyMatch(n -> n.endsWith(".tmp")));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
