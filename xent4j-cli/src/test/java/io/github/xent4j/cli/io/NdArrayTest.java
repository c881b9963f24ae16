package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NdArrayTest {

    @Test
    void shapeStringFollowsNumpy() {
        assertEquals("()", NdArray.ofDoubles(new double[] {1}).shapeString());
        assertEquals("(3,)", NdArray.ofDoubles(new double[3], 3).shapeString());
        assertEquals("(2, 3)", NdArray.ofFloats(new float[6], 2, 3).shapeString());
        assertEquals("(0, 4)", NdArray.ofLongs(new long[0], 0, 4).shapeString());
    }

    @Test
    void numelRankAndDim() {
        NdArray a = NdArray.ofFloats(new float[24], 2, 3, 4);

        assertEquals(24, a.numel());
        assertEquals(3, a.rank());
        assertEquals(3, a.dim(1));
        assertThrows(IllegalArgumentException.class, () -> a.dim(3));
        assertEquals(1, NdArray.ofDoubles(new double[] {5}).numel());
    }

    @Test
    void factoriesRejectMismatchedShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NdArray.ofFloats(new float[5], 2, 3));

        assertEquals("data.length=5 does not match shape (2, 3) with 6 elements", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NdArray.ofFloats(new float[0], -1, 0));
        assertThrows(IllegalArgumentException.class, () -> NdArray.ofFloats(new float[0], 65536, 65536, 0, 1 << 30));
    }

    @Test
    void shapeAndConversionsAreCopies() {
        float[] data = {1, 2};
        NdArray a = NdArray.ofFloats(data, 2);

        a.shape()[0] = 7;
        a.toFloat()[0] = 9;

        assertArrayEquals(new int[] {2}, a.shape());
        assertEquals(1.0, a.getDouble(0));
    }

    @Test
    void toFloatAndToDoubleConvert() {
        assertArrayEquals(new float[] {0.1f, 3f}, NdArray.ofDoubles(new double[] {0.1, 3}, 2).toFloat());
        assertArrayEquals(new double[] {0.5, -2}, NdArray.ofFloats(new float[] {0.5f, -2f}, 2).toDouble());
        assertArrayEquals(new double[] {4, -5}, NdArray.ofLongs(new long[] {4, -5}, 2).toDouble());
        assertArrayEquals(new float[] {4, -5}, NdArray.ofLongs(new long[] {4, -5}, 2).toFloat());
    }

    @Test
    void isFloatingFollowsDtype() {
        assertTrue(NdArray.ofFloats(new float[1]).isFloating());
        assertFalse(NdArray.ofLongs(new long[1]).isFloating());
    }

    @Test
    void toIntTargetsAcceptsIntegersAndWholeFloats() {
        assertArrayEquals(new int[] {0, 2, -100}, NdArray.ofLongs(new long[] {0, 2, -100}, 3).toIntTargets("target"));
        assertArrayEquals(new int[] {1, 0}, NdArray.ofDoubles(new double[] {1.0, -0.0}, 2).toIntTargets("target"));
    }

    @Test
    void toIntTargetsRejectsOverflowAndFractions() {
        NdArray big = NdArray.ofLongs(new long[] {0, 1L << 32}, 2).withSource("t.npy");
        NdArray fraction = NdArray.ofFloats(new float[] {0, 1, 2, 3, 4, 2.5f}, 2, 3).withSource("t.csv");
        NdArray nan = NdArray.ofDoubles(new double[] {Double.NaN}).withSource("--target");

        assertEquals("t.npy: target[1]=4294967296 does not fit in a 32-bit int",
                assertThrows(DataException.class, () -> big.toIntTargets("target")).getMessage());
        assertEquals("t.csv: target[1, 2]=2.5 is not a whole number",
                assertThrows(DataException.class, () -> fraction.toIntTargets("target")).getMessage());
        assertEquals("--target: target=nan is not a whole number",
                assertThrows(DataException.class, () -> nan.toIntTargets("target")).getMessage());
    }

    @Test
    void reshapeKeepsDataAndChecksSize() {
        NdArray a = NdArray.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 6).reshape(3, 2);

        assertArrayEquals(new int[] {3, 2}, a.shape());
        assertEquals(6.0, a.getDouble(5));
        assertThrows(IllegalArgumentException.class, () -> a.reshape(4));
    }

    @Test
    void toStringDescribesWithoutData() {
        assertEquals("float32 (2,) from array", NdArray.ofFloats(new float[2], 2).toString());
    }
}
