package io.github.xent4j.cli;

import io.github.xent4j.cli.io.NdArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.github.xent4j.cli.Cli.npy;
import static io.github.xent4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failed run leaves no partial output, no temporary file and no stale result from an earlier run. */
class FailedRunTest {

    @TempDir
    Path dir;

    @Test
    void aFailureHalfWayThroughAStreamedRunLeavesNoFile() {
        // 1000 rows of probabilities, the last one out of range: the gradient of the first 999 rows
        // has been streamed to the temporary file when the error is found.
        double[] p = new double[2000];
        double[] t = new double[2000];
        for (int i = 0; i < p.length; i++) {
            p[i] = 0.25;
            t[i] = i % 2;
        }
        p[1999] = 1.25;
        Path x = npy(dir, "p.npy", NdArray.ofDoubles(p, 1000, 2));
        Path y = npy(dir, "t.npy", NdArray.ofDoubles(t, 1000, 2));
        List<String> before = Cli.list(dir);
        String err = run("bce", "--input", x.toString(), "--target", y.toString(), "--reduction", "none",
                "--out", dir.resolve("l.npy").toString(), "--grad", dir.resolve("g.npy").toString(), "--chunk-elements", "64").badData();
        assertTrue(err.contains("input[999, 1]=1.25 is not a probability"), err);
        assertEquals(before, Cli.list(dir), "no output and no temporary file");
    }

    @Test
    void aFailedRunRemovesTheResultOfAnEarlierRun() throws Exception {
        Path x = npy(dir, "x.npy", NdArray.ofFloats(new float[] {0.1f, 0.3f, 0.6f, 0.3f, 0.2f, 0.5f}, 2, 3));
        Path good = npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, 2}, 2));
        Path bad = npy(dir, "bad.npy", NdArray.ofLongs(new long[] {0, 7}, 2));
        Path out = dir.resolve("l.npy");
        Path grad = dir.resolve("g.npy");
        run("cross-entropy", "--input", x.toString(), "--target", good.toString(), "--out", out.toString(), "--grad", grad.toString()).ok();
        assertTrue(Files.exists(out) && Files.exists(grad));
        run("cross-entropy", "--input", x.toString(), "--target", bad.toString(), "--out", out.toString(), "--grad", grad.toString()).badData();
        assertFalse(Files.exists(out), "a stale --out would look like this run's result");
        assertFalse(Files.exists(grad), "a stale --grad would look like this run's result");
        assertEquals(List.of("bad.npy", "x.npy", "y.npy"), Cli.list(dir));
    }

    @Test
    void anUnwritableOutputFailsBeforeAnythingIsWritten() {
        Path x = npy(dir, "x.npy", NdArray.ofFloats(new float[] {0.1f, 0.3f, 0.6f}, 1, 3));
        Path y = npy(dir, "y.npy", NdArray.ofLongs(new long[] {0}, 1));
        Path grad = dir.resolve("g.npy");
        String err = run("cross-entropy", "--input", x.toString(), "--target", y.toString(), "--grad", grad.toString(),
                "--out", dir.resolve("no/such/dir/l.npy").toString()).badData();
        assertTrue(err.contains("does not exist"), err);
        assertEquals(List.of("x.npy", "y.npy"), Cli.list(dir));
    }

    @Test
    void aFailedSoftmaxLeavesNoFile() {
        Path x = npy(dir, "x.npy", NdArray.ofDoubles(new double[] {1, 2, 3, 4}, 2, 2));
        run("softmax", "--input", x.toString(), "--dim", "5", "--out", dir.resolve("y.npy").toString()).badData();
        assertEquals(List.of("x.npy"), Cli.list(dir));
    }
}
