package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyMappedTest {

    @TempDir
    Path dir;

    /** Writes a (rows, cols) float32 file through NpyWriter in uneven chunks and returns its data. */
    private float[] writeFloat32(Path file, int rows, int cols, long seed) {
        float[] data = new float[rows * cols];
        Random random = new Random(seed);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        try (NpyWriter w = NpyWriter.create(file, DType.FLOAT32, rows, cols)) {
            for (int off = 0; off < data.length; off += 7) {
                w.write(data, off, Math.min(7, data.length - off));
            }
            w.commit();
        }
        return data;
    }

    @Test
    void readRowsAcrossTinyWindowsMatchesTheWholeArray() {
        Path file = dir.resolve("x.npy");
        int rows = 13;
        int cols = 5;
        float[] data = writeFloat32(file, rows, cols, 42);
        // 3 elements per window: most rows straddle two or three windows.
        try (NpyMapped m = new NpyMapped(file, 12)) {
            for (int r0 = 0; r0 <= rows; r0++) {
                for (int r1 = r0; r1 <= rows; r1++) {
                    float[] got = new float[(r1 - r0) * cols + 2];
                    m.readRows(r0, r1, got, 1);

                    float[] expected = Arrays.copyOfRange(data, r0 * cols, r1 * cols);
                    assertArrayEquals(expected, Arrays.copyOfRange(got, 1, 1 + expected.length),
                            "seed=42 rows [" + r0 + ", " + r1 + ")");
                }
            }
        }
    }

    @Test
    void readRowsConvertsFloat32ToDouble() {
        Path file = dir.resolve("x.npy");
        float[] data = writeFloat32(file, 4, 3, 7);
        try (NpyMapped m = new NpyMapped(file, 20)) {
            double[] got = new double[12];

            m.readRows(0, 4, got, 0);

            for (int i = 0; i < data.length; i++) {
                assertEquals(data[i], got[i], 0.0, "seed=7 element " + i);
            }
        }
    }

    @Test
    void readRowsOfBigEndianFixtureWithTinyWindows() {
        try (NpyMapped m = new NpyMapped(Fixtures.path("npy/be_f8_2x2.npy"), 8)) {
            double[] d = new double[2];
            float[] f = new float[4];

            m.readRows(1, 2, d, 0);
            m.readRows(0, 2, f, 0);

            assertEquals(ByteOrder.BIG_ENDIAN, m.byteOrder());
            assertArrayEquals(new double[] {0.5, 1e10}, d);
            assertArrayEquals(new float[] {1f, -2f, 0.5f, 1e10f}, f);
        }
    }

    @Test
    void openExposesShapeAndHeader() {
        try (NpyMapped m = NpyMapped.open(Fixtures.path("npy/f4_2x3x4.npy"))) {
            assertEquals(DType.FLOAT32, m.dtype());
            assertArrayEquals(new long[] {2, 3, 4}, m.shape());
            assertEquals("(2, 3, 4)", m.shapeString());
            assertEquals(3, m.rank());
            assertEquals(2, m.rows());
            assertEquals(12, m.rowSize());
            assertEquals(24, m.numel());
            assertEquals(128, m.headerLength());
        }
    }

    @Test
    void readRowsOfIntegerTargets() {
        try (NpyMapped m = new NpyMapped(Fixtures.path("npy/be_i4_3.npy"), 4)) {
            long[] got = new long[3];

            m.readRows(0, 3, got, 0);

            assertArrayEquals(new long[] {1, -2, 300000}, got);
        }
    }

    @Test
    void readRowsOfIntegersRejectsFloatFile() {
        Path file = Fixtures.path("npy/f8_3.npy");
        try (NpyMapped m = NpyMapped.open(file)) {
            DataException e = assertThrows(DataException.class, () -> m.readRows(0, 1, new long[1], 0));

            assertEquals(file + ": expected integers but the dtype is float64", e.getMessage());
        }
    }

    @Test
    void readRowsOfZeroDimensionalFile() {
        try (NpyMapped m = NpyMapped.open(Fixtures.path("npy/scalar_f8.npy"))) {
            double[] got = new double[1];

            m.readRows(0, 1, got, 0);

            assertEquals(1, m.rows());
            assertEquals(3.25, got[0]);
        }
    }

    @Test
    void readRowsOfEmptyFile() {
        try (NpyMapped m = NpyMapped.open(Fixtures.path("npy/f8_0x3.npy"))) {
            m.readRows(0, 0, new double[0], 0);

            assertEquals(0, m.rows());
            assertEquals(3, m.rowSize());
        }
    }

    @Test
    void readRowsRejectsBadRanges() {
        try (NpyMapped m = NpyMapped.open(Fixtures.path("npy/f4_2x3.npy"))) {
            assertThrows(IllegalArgumentException.class, () -> m.readRows(1, 3, new float[6], 0));
            assertThrows(IllegalArgumentException.class, () -> m.readRows(1, 0, new float[6], 0));
            assertThrows(IllegalArgumentException.class, () -> m.readRows(0, 2, new float[6], 1));
        }
    }

    @Test
    void openRejectsTruncatedFile() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.path("npy/be_f8_2x2.npy"));
        Path file = dir.resolve("short.npy");
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 1));

        DataException e = assertThrows(DataException.class, () -> NpyMapped.open(file));

        assertEquals(file + ": truncated: shape (2, 2) of float64 needs 32 data bytes but only 31 follow the "
                + "128-byte header", e.getMessage());
    }

    @Test
    void openRejectsFortranFile() {
        Path fortran = Fixtures.path("npy/fortran_f8_2x3.npy");

        DataException e = assertThrows(DataException.class, () -> NpyMapped.open(fortran));

        assertEquals(fortran + ": the array is Fortran-ordered; save it with np.save(path, np.ascontiguousarray(a))",
                e.getMessage());
    }

    @Test
    void readRowsAfterCloseFails() {
        NpyMapped m = NpyMapped.open(Fixtures.path("npy/f8_3.npy"));
        m.close();

        assertThrows(IllegalStateException.class, () -> m.readRows(0, 1, new double[1], 0));
    }
}
