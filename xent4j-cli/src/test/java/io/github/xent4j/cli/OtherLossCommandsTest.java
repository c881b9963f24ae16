package io.github.xent4j.cli;

import io.github.xent4j.cli.io.DType;
import io.github.xent4j.cli.io.NdArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.github.xent4j.cli.Cli.fixture;
import static io.github.xent4j.cli.Cli.npy;
import static io.github.xent4j.cli.Cli.run;
import static io.github.xent4j.cli.Cli.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nll-loss, bce, bce-with-logits, kl-div, softmax and log-softmax. */
class OtherLossCommandsTest {

    @TempDir
    Path dir;

    @Test
    void nllLossOfLogSoftmaxEqualsCrossEntropy() {
        Path x = npy(dir, "x.npy", Data.randomDoubles(5, 6, 4));
        Path y = npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, 3, 1, 2, -100, 3}, 6));
        Path logp = dir.resolve("logp.npy");
        run("log-softmax", "--input", x.toString(), "--dim", "1", "--out", logp.toString()).ok();
        String ce = run("cross-entropy", "--input", x.toString(), "--target", y.toString()).ok();
        String nll = run("nll-loss", "--input", logp.toString(), "--target", y.toString()).ok();
        assertEquals(Double.parseDouble(ce), Double.parseDouble(nll), 1e-15);
    }

    @Test
    void nllLossErrorsNameTheFile() {
        Path x = npy(dir, "x.npy", Data.randomDoubles(5, 2, 3));
        Path y = npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, 5}, 2));
        assertEquals("xent nll-loss: " + y + ": target[1]=5 is out of bounds for 3 classes (valid: 0..2, or the ignore index -100)",
                run("nll-loss", "--input", x.toString(), "--target", y.toString()).badData());
        Path p = npy(dir, "p.npy", Data.randomDoubles(6, 2, 3));
        assertTrue(run("nll-loss", "--input", x.toString(), "--target", p.toString()).badData()
                .contains("nll_loss class-index targets must be integers"));
    }

    @Test
    void bceMatchesPytorchAndRejectsValuesOutsideZeroOne() {
        String sum = run("bce", "--input", fixture("bce_probs_f32.npy").toString(), "--target", fixture("bce_targets_f32.npy").toString(),
                "--reduction", "sum").ok();
        assertEquals(Expected.get("bce_sum"), Double.parseDouble(sum), 2e-6);
        Path p = text(dir, "p.json", "[[0.2, 0.7], [1.5, 0.1]]");
        Path t = text(dir, "t.json", "[[0, 1], [1, 0]]");
        assertEquals("xent bce: " + p + ": input[1, 0]=1.5 is not a probability in [0, 1] (bce takes probabilities; "
                + "use bce-with-logits for logits)", run("bce", "--input", p.toString(), "--target", t.toString()).badData());
        Path p2 = text(dir, "p2.json", "[[0.2, 0.7], [0.5, 0.1]]");
        Path t2 = text(dir, "t2.json", "[[0, 1], [2, 0]]");
        assertEquals("xent bce: " + t2 + ": target[1, 0]=2 must be in [0, 1]", run("bce", "--input", p2.toString(), "--target", t2.toString()).badData());
        Path t3 = text(dir, "t3.json", "[0, 1]");
        assertTrue(run("bce", "--input", p2.toString(), "--target", t3.toString()).badData()
                .contains("target shape (2,) must equal the input shape (2, 2)"));
    }

    @Test
    void bceClampsAtOneHundredAsPytorch() {
        // semantics reference, vector 22: (x, y) = (0, 1) gives 100 and gradient -1/(float) 1e-12 (PyTorch 1.13:
        // -1000000003995.8029); (0.3, 0.7) gives 0.9497834462
        Path p = text(dir, "p.json", "[0, 0.3]");
        Path t = text(dir, "t.json", "[1, 0.7]");
        Path g = dir.resolve("g.npy");
        assertEquals("100.00000000000000\n0.94978344620977500\n",
                run("bce", "--input", p.toString(), "--target", t.toString(), "--reduction", "none", "--grad", g.toString()).ok());
        assertArrayEquals(new double[] {-1000000003995.8029, -1.9047619048}, Cli.read(g).toDouble(), 1e-9);
    }

    @Test
    void bcePerSampleWeightIsStreamedWithTheRows() {
        Path p = npy(dir, "p.npy", NdArray.ofDoubles(new double[] {0.1, 0.9, 0.4, 0.6, 0.3, 0.8}, 3, 2));
        Path t = npy(dir, "t.npy", NdArray.ofDoubles(new double[] {0, 1, 1, 0, 1, 1}, 3, 2));
        Path w = npy(dir, "w.npy", NdArray.ofDoubles(new double[] {1, 2, 3}, 3, 1));
        String whole = run("bce", "--input", p.toString(), "--target", t.toString(), "--weight", w.toString()).ok();
        String chunked = run("bce", "--input", p.toString(), "--target", t.toString(), "--weight", w.toString(), "--chunk-elements", "2").ok();
        assertEquals(Double.parseDouble(whole), Double.parseDouble(chunked), 1e-15);
        Path bad = npy(dir, "bad.npy", NdArray.ofDoubles(new double[] {1, 2}, 2, 1));
        assertTrue(run("bce", "--input", p.toString(), "--target", t.toString(), "--weight", bad.toString()).badData()
                .contains("--weight of shape (2, 1) cannot be broadcast to the input " + p + " of shape (3, 2)"));
    }

    @Test
    void bceWithLogitsPosWeightMatchesPytorch() {
        String mean = run("bce-with-logits", "--input", fixture("bce_logits_f32.npy").toString(),
                "--target", fixture("bce_targets_f32.npy").toString(), "--pos-weight", fixture("bce_pos_weight_f32.npy").toString()).ok();
        assertEquals((float) Expected.get("bce_with_logits_mean"), Float.parseFloat(mean), 2e-6f);
        // semantics reference §6.2: mean 0.9638215377; pos_weight [3, 1, 0.5] 1.0226478643; also weight [1, 2, 0.5] 1.1354943412
        Path x = text(dir, "x.json", "[[0.5,-1,2],[3,0,-2]]");
        Path t = text(dir, "t.json", "[[1,0,1],[0,1,0.5]]");
        Path pw = text(dir, "pw.json", "[3, 1, 0.5]");
        Path w = text(dir, "w.json", "[1, 2, 0.5]");
        assertEquals(0.9638215377, Double.parseDouble(run("bce-with-logits", "--input", x.toString(), "--target", t.toString()).ok()), 1e-10);
        assertEquals(1.0226478643, Double.parseDouble(run("bce-with-logits", "--input", x.toString(), "--target", t.toString(),
                "--pos-weight", pw.toString()).ok()), 1e-10);
        assertEquals(1.1354943412, Double.parseDouble(run("bce-with-logits", "--input", x.toString(), "--target", t.toString(),
                "--pos-weight", pw.toString(), "--weight", w.toString()).ok()), 1e-10);
    }

    @Test
    void klDivReductionsMatchTheReference() {
        // semantics reference §7.1: sum 0.5799226402, mean 0.0966537734, batchmean 0.2899613201
        Path x = text(dir, "x.json", "[[" + Math.log(0.2) + "," + Math.log(0.3) + "," + Math.log(0.5) + "],["
                + Math.log(0.1) + "," + Math.log(0.1) + "," + Math.log(0.8) + "]]");
        Path t = text(dir, "t.json", "[[0.25,0.25,0.5],[0,0.5,0.5]]");
        assertEquals(0.5799226402, Double.parseDouble(run("kl-div", "--input", x.toString(), "--target", t.toString(), "--reduction", "sum").ok()), 1e-10);
        assertEquals(0.0966537734, Double.parseDouble(run("kl-div", "--input", x.toString(), "--target", t.toString()).ok()), 1e-10);
        assertEquals(0.2899613201, Double.parseDouble(run("kl-div", "--input", x.toString(), "--target", t.toString(), "--reduction", "batchmean").ok()), 1e-10);
        Path g = dir.resolve("g.npy");
        run("kl-div", "--input", x.toString(), "--target", t.toString(), "--reduction", "batchmean", "--grad", g.toString(),
                "--chunk-elements", "3").ok();
        assertArrayEquals(new double[] {-0.125, -0.125, -0.25, 0, -0.25, -0.25}, Cli.read(g).toDouble(), 1e-15);
        String batch = run("kl-div", "--input", fixture("kl_input_f64.npy").toString(), "--target", fixture("kl_target_f64.npy").toString(),
                "--reduction", "batchmean").ok();
        assertEquals(Expected.get("kl_batchmean"), Double.parseDouble(batch), 1e-14);
        Path lt = text(dir, "lt.json", "[[" + Math.log(0.25) + "," + Math.log(0.25) + "," + Math.log(0.5) + "],[-1e300," + Math.log(0.5) + "," + Math.log(0.5) + "]]");
        assertEquals(0.5799226402, Double.parseDouble(run("kl-div", "--input", x.toString(), "--target", lt.toString(),
                "--log-target", "--reduction", "sum").ok()), 1e-10);
        assertTrue(run("kl-div", "--input", x.toString(), "--target", x.toString(), "--reduction", "average").badUsage()
                .contains("expected one of [mean, sum, none, batchmean]"));
    }

    @Test
    void softmaxAlongEveryDimensionKeepsShapeAndDtype() {
        Path x = npy(dir, "x.npy", Data.randomFloats(4, 3, 9));
        Path y = dir.resolve("y.npy");
        run("softmax", "--input", x.toString(), "--dim", "1", "--out", y.toString()).ok();
        NdArray s = Cli.read(y);
        assertEquals(DType.FLOAT32, s.dtype());
        assertArrayEquals(new int[] {4, 3}, s.shape());
        for (int r = 0; r < 4; r++) {
            assertEquals(1.0, s.getDouble(3 * r) + s.getDouble(3 * r + 1) + s.getDouble(3 * r + 2), 1e-6);
        }
        Path y0 = dir.resolve("y0.npy");
        run("softmax", "--input", x.toString(), "--dim", "-2", "--out", y0.toString()).ok();
        double col = 0;
        for (int r = 0; r < 4; r++) {
            col += Cli.read(y0).getDouble(3 * r);
        }
        assertEquals(1.0, col, 1e-6);
        Path chunked = dir.resolve("yc.npy");
        run("softmax", "--input", x.toString(), "--dim", "1", "--out", chunked.toString(), "--chunk-elements", "4").ok();
        assertArrayEquals(s.toFloat(), Cli.read(chunked).toFloat());
    }

    @Test
    void softmaxWithoutDimFollowsPytorchsImplicitChoice() {
        Path x3 = npy(dir, "x3.npy", Data.randomDoubles(2, 2, 3, 4));
        Path a = dir.resolve("a.npy");
        Path b = dir.resolve("b.npy");
        run("log-softmax", "--input", x3.toString(), "--out", a.toString()).ok();
        run("log-softmax", "--input", x3.toString(), "--dim", "0", "--out", b.toString()).ok();
        assertArrayEquals(Cli.read(b).toDouble(), Cli.read(a).toDouble());
        Path x2 = npy(dir, "x2.npy", Data.randomDoubles(3, 3, 4));
        run("softmax", "--input", x2.toString(), "--out", a.toString()).ok();
        run("softmax", "--input", x2.toString(), "--dim", "1", "--out", b.toString()).ok();
        assertArrayEquals(Cli.read(b).toDouble(), Cli.read(a).toDouble());
    }

    @Test
    void softmaxErrors() {
        Path x = npy(dir, "x.npy", Data.randomDoubles(4, 2, 3));
        assertEquals("xent softmax: " + x + ": --dim 2 is out of range for shape (2, 3) (expected to be in range of [-2, 1])",
                run("softmax", "--input", x.toString(), "--dim", "2", "--out", dir.resolve("y.npy").toString()).badData());
        assertTrue(run("softmax", "--input", x.toString()).badUsage().contains("Missing required option: '--out=Y'"));
        Path csv = dir.resolve("y.csv");
        Path x3 = npy(dir, "x3.npy", Data.randomDoubles(4, 2, 3, 2));
        assertTrue(run("softmax", "--input", x3.toString(), "--out", csv.toString()).badData().contains("CSV holds at most 2 dimensions"));
    }
}
