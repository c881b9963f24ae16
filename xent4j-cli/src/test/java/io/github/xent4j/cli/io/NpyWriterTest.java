package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyWriterTest {

    @TempDir
    Path dir;

    @Test
    void writeInChunksProducesTheBytesOfNpSave() throws IOException {
        NdArray reference = Fixtures.array(Fixtures.entry("f4_2x3x4.npy"));
        float[] data = reference.toFloat();
        Path file = dir.resolve("g.npy");

        try (NpyWriter w = NpyWriter.create(file, DType.FLOAT32, 2, 3, 4)) {
            w.write(data, 0, 5);
            w.write(data, 5, 0);
            w.write(data, 5, 19);
            w.commit();
        }

        assertArrayEquals(Files.readAllBytes(Fixtures.path("npy/f4_2x3x4.npy")), Files.readAllBytes(file));
    }

    @Test
    void writeLargerThanTheBufferRoundTrips() {
        int n = 600_000; // 4.8 MB of float64: several buffer flushes
        double[] data = new double[n];
        for (int i = 0; i < n; i++) {
            data[i] = i * 0.5 - 7;
        }
        Path file = dir.resolve("big.npy");

        try (NpyWriter w = NpyWriter.create(file, DType.FLOAT64, n / 3, 3)) {
            w.write(data);
            w.commit();
        }

        assertArrayEquals(data, Npy.read(file).toDouble());
    }

    @Test
    void writeConvertsBetweenFloatTypes() {
        Path file = dir.resolve("c.npy");

        try (NpyWriter w = NpyWriter.create(file, DType.FLOAT32, 3)) {
            w.write(new double[] {0.1, 2});
            w.write(new long[] {5});
            w.commit();
        }

        assertArrayEquals(new float[] {0.1f, 2f, 5f}, Npy.read(file).toFloat());
    }

    @Test
    void commitWithMissingElementsFailsAndLeavesNoFile() {
        Path file = dir.resolve("partial.npy");

        try (NpyWriter w = NpyWriter.create(file, DType.FLOAT32, 2, 2)) {
            w.write(new float[] {1, 2, 3});
            IllegalStateException e = assertThrows(IllegalStateException.class, w::commit);
            assertEquals("wrote 3 of the 4 elements of shape (2, 2) to " + file, e.getMessage());
        }

        assertFalse(Files.exists(file));
        assertEquals(0, countFiles());
    }

    @Test
    void writeBeyondTheShapeFails() {
        try (NpyWriter w = NpyWriter.create(dir.resolve("x.npy"), DType.FLOAT64, 2)) {
            assertThrows(IllegalStateException.class, () -> w.write(new double[3]));
            assertEquals(0, w.written());
        }
    }

    @Test
    void writeFloatsToInt64FileFails() {
        try (NpyWriter w = NpyWriter.create(dir.resolve("x.npy"), DType.INT64, 2)) {
            assertThrows(IllegalArgumentException.class, () -> w.write(new float[2]));
        }
    }

    @Test
    void createRejectsNarrowTypes() {
        assertThrows(IllegalArgumentException.class, () -> NpyWriter.create(dir.resolve("x.npy"), DType.INT32, 2));
        assertEquals(0, countFiles());
    }

    @Test
    void closeWithoutCommitKeepsThePreviousFile() throws IOException {
        Path file = dir.resolve("keep.npy");
        Files.writeString(file, "old");

        try (NpyWriter w = NpyWriter.create(file, DType.FLOAT32, 1)) {
            w.write(new float[] {1});
        }

        assertEquals("old", Files.readString(file));
        assertEquals(1, countFiles());
    }

    @Test
    void writeZeroDimensional() throws IOException {
        Path file = dir.resolve("s.npy");

        try (NpyWriter w = NpyWriter.create(file, DType.FLOAT64)) {
            w.write(new double[] {3.25});
            w.commit();
        }

        assertArrayEquals(Files.readAllBytes(Fixtures.path("npy/scalar_f8.npy")), Files.readAllBytes(file));
    }

    private long countFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
