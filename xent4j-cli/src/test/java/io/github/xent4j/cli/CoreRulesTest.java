package io.github.xent4j.cli;

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
 * The loss commands on the core's rules: one --threads, the shared options with each command's
 * texts, int64 targets narrowed by the core, the core's complaints restated in the files' terms
 * for one-call and streamed runs, and streamed runs merged by the core bitwise.
 */
class CoreRulesTest {

    @TempDir
    Path dir;

    @Test
    void int64TargetsBeyondIntAreOutOfBoundsNeverWrappedIntoAClass() {
        Path x = npy(dir, "x.npy", Data.randomFloats(2, 3, 1));
        Path y = npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, (1L << 32) + 1}, 2)); // would wrap to class 1
        for (String loss : new String[] {"cross-entropy", "nll-loss"}) {
            assertEquals("xent " + loss + ": " + y + ": target[1]=4294967297 is out of bounds for 3 classes "
                    + "(valid: 0..2, or the ignore index -100)", run(loss, "--input", x.toString(), "--target", y.toString()).badData());
        }
    }

    @Test
    void anInputWithoutClassesSaysSo() {
        Path x = npy(dir, "x0.npy", NdArray.ofFloats(new float[0], 2, 0));
        Path y = npy(dir, "y0.npy", NdArray.ofLongs(new long[] {-100, 0}, 2));
        assertEquals("xent cross-entropy: " + y + ": target[1]=0 is out of bounds for 0 classes (the input has no class to "
                + "choose; only the ignore index -100 is valid)", run("cross-entropy", "--input", x.toString(), "--target",
                y.toString()).badData());
    }

    @Test
    void aStreamedRunNamesThePositionInTheFile() {
        Path x = npy(dir, "x.npy", Data.randomFloats(6, 3, 2));
        Path y = npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, 1, 2, 0, 1, 7}, 6));
        for (String r : new String[] {"mean", "sum", "none"}) {
            // one row per chunk: MEAN fails in the denominators' pass, SUM and NONE in the last chunk's call
            assertEquals("xent cross-entropy: " + y + ": target[5]=7 is out of bounds for 3 classes (valid: 0..2, or the "
                    + "ignore index -100)", run("cross-entropy", "--input", x.toString(), "--target", y.toString(),
                    "--reduction", r, "--chunk-elements", "3").badData(), r);
        }
        Path p = npy(dir, "p.npy", NdArray.ofDoubles(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 1.5}, 3, 2));
        Path t = npy(dir, "t.npy", NdArray.ofDoubles(new double[] {0, 1, 0, 1, 0, 1}, 3, 2));
        assertEquals("xent bce: " + p + ": input[2, 1]=1.5 is not a probability in [0, 1] (bce takes probabilities; use "
                + "bce-with-logits for logits)", run("bce", "--input", p.toString(), "--target", t.toString(),
                "--chunk-elements", "2").badData());
    }

    @Test
    void streamedRunsAreTheOneCallResultBitwise() {
        Path x = npy(dir, "x.npy", Data.randomDoubles(3, 7, 4));
        Path y = npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, 3, -100, 2, 1, 3, 0}, 7));
        Path w = npy(dir, "w.npy", NdArray.ofDoubles(new double[] {0.5, 2, 1, 3}, 4));
        Path logq = npy(dir, "logq.npy", Data.randomDoubles(5, 7, 4));
        Path p = npy(dir, "p.npy", NdArray.ofDoubles(new double[28], 7, 4));
        String[][] cases = {
            {"cross-entropy", "--input", x.toString(), "--target", y.toString(), "--weight", w.toString(), "--label-smoothing", "0.1"},
            {"nll-loss", "--input", x.toString(), "--target", y.toString(), "--weight", w.toString()},
            {"kl-div", "--input", logq.toString(), "--target", p.toString(), "--reduction", "batchmean", "--log-target"},
            {"bce-with-logits", "--input", x.toString(), "--target", logq.toString()},
        };
        for (String[] c : cases) {
            Path g1 = dir.resolve(c[0] + "-g1.npy");
            Path g2 = dir.resolve(c[0] + "-g2.npy");
            String one = run(concat(c, "--grad", g1.toString())).ok();
            String streamed = run(concat(c, "--grad", g2.toString(), "--chunk-elements", "8")).ok();
            assertEquals(one, streamed, c[0]);
            assertArrayEquals(bytes(g1), bytes(g2), c[0] + " gradient");
        }
    }

    @Test
    void threadsIsOneOptionWithOneRange() {
        Path x = npy(dir, "x.npy", Data.randomFloats(2, 3, 1));
        Path y = npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, 2}, 2));
        for (String n : new String[] {"0", "257"}) {
            assertTrue(run("cross-entropy", "--input", x.toString(), "--target", y.toString(), "--threads", n).badUsage()
                    .contains(": --threads=" + n + " must be in [1, 256]"), n);
            assertTrue(run("train", "--threads", n).badUsage().contains("--threads=" + n + " must be in [1, 256]"), n);
        }
        String processors = "the number of processors, " + Math.min(256, Runtime.getRuntime().availableProcessors());
        for (String c : new String[] {"cross-entropy", "nll-loss", "bce", "bce-with-logits", "kl-div", "linear-cross-entropy", "train"}) {
            assertTrue(run(c, "--help").ok().replaceAll("\\s+", " ").contains(processors), c);
        }
    }

    @Test
    void theSharedOptionsCarryEachCommandsTexts() {
        String bce = run("bce", "--help").ok();
        assertTrue(bce.contains("--input=P") && bce.contains("Probabilities in [0, 1]") && bce.contains("broadcast"), bce);
        String nll = run("nll-loss", "--help").ok();
        assertTrue(nll.contains("--input=X") && nll.contains("Log-probabilities") && nll.contains("Per-class weights"), nll);
        String kl = run("kl-div", "--help").ok();
        assertTrue(kl.contains("(or log-probabilities with --log-target)") && !kl.contains("--weight"), kl);
        String lce = run("linear-cross-entropy", "--help").ok();
        assertTrue(lce.contains("--input=H") && lce.contains("--weight=w") && lce.contains("Hidden states"), lce);
    }

    @Test
    void explainRestatesTheCoresRules() {
        assertTrue(run("explain", "--logits", "[[0.1,0.3,0.6]]", "--target", "[[0.2,0.3,0.5]]", "--ignore-index", "0").badData()
                .contains("--ignore-index 0 is not supported for probability targets"));
        assertTrue(run("explain", "--probs", "[0.5,0.5]", "--target", "[1,2]").badData()
                .endsWith("--target: target[1]=2 must be in [0, 1]"));
        assertTrue(run("explain", "--logits", "[[0.1,0.3,0.6]]", "--target", "[0]", "--label-smoothing", "1.5").badUsage()
                .contains(": --label-smoothing=1.5 must be between 0.0 and 1.0"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
