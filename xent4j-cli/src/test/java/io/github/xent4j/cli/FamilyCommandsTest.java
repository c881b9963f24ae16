package io.github.xent4j.cli;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.DistillationLoss;
import io.github.xent4j.FocalLoss;
import io.github.xent4j.PolyLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.SigmoidFocalLoss;
import io.github.xent4j.cli.io.NdArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.github.xent4j.cli.Cli.bytes;
import static io.github.xent4j.cli.Cli.npy;
import static io.github.xent4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands of the cross-entropy family (issue 11): focal, sigmoid-focal, poly-cross-entropy,
 * distill and --z-loss, against the core's results (float64 files print 17 digits, so the values
 * round-trip exactly), streamed = one call, and their bad options.
 */
class FamilyCommandsTest {

    @TempDir
    Path dir;

    private static final int[] SHAPE = {6, 4};

    private final double[] x = Data.randomDoubles(11, SHAPE).toDouble();
    private final double[] teacher = Data.randomDoubles(12, SHAPE).toDouble();
    private final int[] y = {0, 3, -100, 2, 1, 3};
    private final double[] alpha = {0.5, 2, 1, 3};
    private final double[] bits = {1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0.5, 0, 1, 1, 0, 1, 0, 0};

    private Path x() {
        return npy(dir, "x.npy", NdArray.ofDoubles(x, SHAPE));
    }

    private Path y() {
        return npy(dir, "y.npy", NdArray.ofLongs(java.util.Arrays.stream(y).asLongStream().toArray(), 6));
    }

    private Path w() {
        return npy(dir, "w.npy", NdArray.ofDoubles(alpha, 4));
    }

    private static double value(Cli.Run r) {
        return Double.parseDouble(r.ok().strip());
    }

    private static double[] lines(Cli.Run r) {
        return r.ok().lines().mapToDouble(Double::parseDouble).toArray();
    }

    @Test
    void focalIsTheCoresFocalLoss() {
        FocalLoss loss = FocalLoss.builder().weight(alpha).gamma(0.5).labelSmoothing(0.1).build();
        String[] args = {"focal", "--input", x().toString(), "--target", y().toString(), "--weight", w().toString(),
            "--gamma", "0.5", "--label-smoothing", "0.1"};
        assertEquals(loss.value(x, SHAPE, y), value(run(args)));
        assertEquals(FocalLoss.DEFAULTS.value(x, SHAPE, y), value(run("focal", "--input", x().toString(), "--target",
                y().toString())), "--gamma defaults to 2");
        assertArrayEquals(loss.toBuilder().reduction(Reduction.NONE).build().forward(x, SHAPE, y).losses(),
                lines(run(concat(args, "--reduction", "none"))));
        streamedIsOneCall(args);
        assertEquals(0.5466023, FocalLoss.DEFAULTS.value(new double[] {0.1, 0.3, 0.6, 0.3, 0.2, 0.5}, new int[] {2, 3},
                new int[] {0, 2}), 1e-7);
    }

    @Test
    void sigmoidFocalIsTheCoresSigmoidFocalLoss() {
        Path t = npy(dir, "t.npy", NdArray.ofDoubles(bits, SHAPE));
        SigmoidFocalLoss mean = SigmoidFocalLoss.builder().reduction(Reduction.MEAN).build();
        assertEquals(mean.value(x, SHAPE, bits), value(run("sigmoid-focal", "--input", x().toString(), "--target", t.toString())));
        SigmoidFocalLoss off = SigmoidFocalLoss.builder().alpha(-1).gamma(1).reduction(Reduction.SUM).build();
        String[] args = {"sigmoid-focal", "--input", x().toString(), "--target", t.toString(), "--alpha", "-1", "--gamma", "1",
            "--reduction", "sum"};
        assertEquals(off.value(x, SHAPE, bits), value(run(args)));
        streamedIsOneCall(args);
    }

    @Test
    void polyCrossEntropyIsTheCoresPolyLoss() {
        PolyLoss loss = PolyLoss.builder().weight(alpha).epsilon(1).build();
        String[] args = {"poly-cross-entropy", "--input", x().toString(), "--target", y().toString(), "--weight",
            w().toString(), "--epsilon", "1"};
        assertEquals(loss.value(x, SHAPE, y), value(run(args)));
        assertEquals(PolyLoss.DEFAULTS.value(x, SHAPE, y), value(run("poly-cross-entropy", "--input", x().toString(),
                "--target", y().toString())), "--epsilon defaults to 2");
        streamedIsOneCall(args);
        double[] probs = io.github.xent4j.Softmax.DEFAULTS.softmax(teacher, SHAPE, 1);
        Path p = npy(dir, "p.npy", NdArray.ofDoubles(probs, SHAPE));
        assertEquals(PolyLoss.DEFAULTS.value(x, SHAPE, probs), value(run("poly-cross-entropy", "--input", x().toString(),
                "--target", p.toString())), "probability targets");
    }

    @Test
    void distillIsTheCoresDistillationLoss() {
        Path q = npy(dir, "q.npy", NdArray.ofDoubles(teacher, SHAPE));
        DistillationLoss kd = DistillationLoss.builder().temperature(2).build();
        String[] args = {"distill", "--input", x().toString(), "--teacher", q.toString(), "--temperature", "2"};
        assertEquals(kd.value(x, SHAPE, teacher), value(run(args)), "batchmean by default");
        for (Reduction r : new Reduction[] {Reduction.SUM, Reduction.MEAN}) {
            assertEquals(kd.toBuilder().reduction(r).build().value(x, SHAPE, teacher),
                    value(run(concat(args, "--reduction", r.torchName()))), r.torchName());
        }
        assertArrayEquals(kd.toBuilder().reduction(Reduction.NONE).build().forward(x, SHAPE, teacher, null).losses(),
                lines(run(concat(args, "--reduction", "none"))), "one value per row");
        DistillationLoss mixed = kd.toBuilder().alpha(0.25).build();
        String[] hard = concat(args, "--alpha", "0.25", "--target", y().toString());
        assertEquals(mixed.value(x, SHAPE, teacher, y), value(run(hard)));
        Path g = dir.resolve("g.npy");
        run(concat(hard, "--grad", g.toString())).ok();
        assertArrayEquals(mixed.forwardBackward(x, SHAPE, teacher, y).gradient(), Cli.read(g).toDouble(), "d/d(student)");
        streamedIsOneCall(hard);
        streamedIsOneCall(concat(args, "--teacher-log-probs"));
    }

    @Test
    void zLossIsTheCoresCrossEntropyWithZLoss() {
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(alpha).zLoss(0.01).build();
        String[] args = {"cross-entropy", "--input", x().toString(), "--target", y().toString(), "--weight", w().toString(),
            "--z-loss", "0.01"};
        assertEquals(loss.value(x, SHAPE, y), value(run(args)));
        // weights and mean: the z part has its own gradient scale in a streamed run
        streamedIsOneCall(args);
        assertEquals(CrossEntropyLoss.builder().weight(alpha).build().value(x, SHAPE, y),
                value(run("cross-entropy", "--input", x().toString(), "--target", y().toString(), "--weight", w().toString())),
                "no --z-loss: plain cross-entropy");
    }

    @Test
    void badOptionsAreBadUsageNamingTheOption() {
        String x = x().toString();
        String y = y().toString();
        String[][] cases = {
            {"--gamma=-1.0 must be", "focal", "--input", x, "--target", y, "--gamma", "-1"},
            {"--gamma=-0.5 must be", "sigmoid-focal", "--input", x, "--target", x, "--gamma", "-0.5"},
            {"--alpha=2.0 must be in [0, 1]", "sigmoid-focal", "--input", x, "--target", x, "--alpha", "2"},
            {"--epsilon=Infinity must be finite", "poly-cross-entropy", "--input", x, "--target", y, "--epsilon", "Infinity"},
            {"--z-loss=-1.0 must be >= 0 and finite (0: off)", "cross-entropy", "--input", x, "--target", y, "--z-loss", "-1"},
            {"--temperature=0.0 must be > 0 and finite", "distill", "--input", x, "--teacher", x, "--temperature", "0"},
            {"--alpha=1.5 must be in [0, 1]", "distill", "--input", x, "--teacher", x, "--temperature", "2", "--alpha", "1.5"},
            {"--alpha=0.5 < 1 needs --target", "distill", "--input", x, "--teacher", x, "--temperature", "2", "--alpha", "0.5"},
            {"Missing required option: '--temperature=T'", "distill", "--input", x, "--teacher", x},
            {"Invalid value for option '--reduction': expected one of [mean, sum, none, batchmean]", "distill", "--input", x,
                "--teacher", x, "--temperature", "2", "--reduction", "avg"},
        };
        for (String[] c : cases) {
            String err = run(java.util.Arrays.copyOfRange(c, 1, c.length)).badUsage();
            assertTrue(err.startsWith("xent " + c[1] + ": " + c[0]), c[1] + ": " + err);
        }
        Path q3 = npy(dir, "q3.npy", Data.randomDoubles(1, 6, 3));
        assertEquals("xent distill: " + q3 + ": --teacher shape (6, 3) must equal the input shape (6, 4) of " + x
                + " (the student's)", run("distill", "--input", x, "--teacher", q3.toString(), "--temperature", "2").badData());
        Path bad = npy(dir, "bad.npy", NdArray.ofLongs(new long[] {0, 1, 2, 3, 4, 0}, 6));
        assertEquals("xent focal: " + bad + ": target[4]=4 is out of bounds for 4 classes (valid: 0..3, or the ignore "
                + "index -100)", run("focal", "--input", x, "--target", bad.toString(), "--chunk-elements", "4").badData());
    }

    @Test
    void helpShowsTheConventionsOfIssue11() {
        assertTrue(run("focal", "--help").ok().contains("--gamma=G") && run("focal", "--help").ok().contains("alpha"));
        String distill = run("distill", "--help").ok();
        for (String s : new String[] {"--input=STUDENT", "--teacher=TEACHER", "--temperature=T", "--alpha=A", "--target=Y",
            "mean, sum, none, batchmean (default batchmean)"}) {
            assertTrue(distill.replaceAll("\\s+", " ").contains(s), s + "\n" + distill);
        }
        assertTrue(run("cross-entropy", "--help").ok().contains("--z-loss=S"));
        String main = run("--help").ok();
        for (String c : new String[] {"focal", "sigmoid-focal", "poly-cross-entropy", "distill"}) {
            assertTrue(main.contains(c), c);
        }
    }

    /** The same run streamed one row per chunk: the same printed value and the same gradient bytes. */
    private void streamedIsOneCall(String[] args) {
        Path g1 = dir.resolve("one.npy");
        Path g2 = dir.resolve("streamed.npy");
        String one = run(concat(args, "--grad", g1.toString())).ok();
        String streamed = run(concat(args, "--grad", g2.toString(), "--chunk-elements", "4")).ok();
        assertEquals(one, streamed, String.join(" ", args));
        assertArrayEquals(bytes(g1), bytes(g2), "gradient of " + String.join(" ", args));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
