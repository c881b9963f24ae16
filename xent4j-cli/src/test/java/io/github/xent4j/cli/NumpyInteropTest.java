package io.github.xent4j.cli;

import io.github.xent4j.cli.io.DType;
import io.github.xent4j.cli.io.NdArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.github.xent4j.cli.Cli.bytes;
import static io.github.xent4j.cli.Cli.fixture;
import static io.github.xent4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Files written by NumPy are read, and the files xent writes are byte for byte what numpy.save
 * writes for the same array (so NumPy reads them back): the fixtures numpy_*.npy were written by
 * NumPy (make_fixtures.py) from values that xent computes exactly.
 */
class NumpyInteropTest {

    @TempDir
    Path dir;

    @Test
    void float32NoneLossesAndMeanGradientAreWhatNumpySaves() {
        Path none = dir.resolve("none.npy");
        Path grad = dir.resolve("grad.npy");
        Path mean = dir.resolve("mean.npy");
        String x = fixture("exact_logp_f32.npy").toString();
        String y = fixture("exact_labels_i64.npy").toString();
        run("nll-loss", "--input", x, "--target", y, "--reduction", "none", "--out", none.toString()).ok();
        assertArrayEquals(bytes(fixture("numpy_nll_none_f32.npy")), bytes(none));
        assertEquals("6.75000000\n", run("nll-loss", "--input", x, "--target", y, "--grad", grad.toString(), "--out", mean.toString()).ok());
        assertArrayEquals(bytes(fixture("numpy_nll_grad_mean_f32.npy")), bytes(grad));
        assertArrayEquals(bytes(fixture("numpy_nll_mean_f32.npy")), bytes(mean), "0-d float32 scalar");
    }

    @Test
    void float64KdimNoneAndZeroDimensionalSumAreWhatNumpySaves() {
        Path none = dir.resolve("none.npy");
        Path sum = dir.resolve("sum.npy");
        String x = fixture("exact_logp_f64.npy").toString();
        String y = fixture("exact_labels_kdim_i64.npy").toString();
        run("nll-loss", "--input", x, "--target", y, "--reduction", "none", "--out", none.toString()).ok();
        assertArrayEquals(bytes(fixture("numpy_nll_none_kdim_f64.npy")), bytes(none));
        run("nll-loss", "--input", x, "--target", y, "--reduction", "sum", "--out", sum.toString()).ok();
        assertArrayEquals(bytes(fixture("numpy_nll_sum_f64.npy")), bytes(sum));
    }

    @Test
    void numpyFilesOfEveryInputKindAreRead() {
        NdArray x = Cli.read(fixture("ce_logits_f32.npy"));
        assertEquals(DType.FLOAT32, x.dtype());
        assertArrayEquals(new int[] {6, 4}, x.shape());
        assertEquals(DType.INT32, Cli.read(fixture("kdim_labels_i32.npy")).dtype());
        assertEquals(DType.INT64, Cli.read(fixture("unbatched_label_i64.npy")).dtype());
        assertEquals(0, Cli.read(fixture("unbatched_label_i64.npy")).rank());
        assertEquals(DType.FLOAT64, Cli.read(fixture("kdim_logits_f64.npy")).dtype());
    }
}
