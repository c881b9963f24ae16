package io.github.xent4j.cli.data;

import io.github.xent4j.cli.io.DType;
import io.github.xent4j.cli.io.DataException;
import io.github.xent4j.cli.io.FileFormat;
import io.github.xent4j.cli.io.NdArray;
import io.github.xent4j.cli.io.NpyWriter;
import io.github.xent4j.cli.io.Tensors;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An output array written in row-major order by pieces and published only by {@link #commit()}:
 * a {@code .npy} file is streamed through a temporary file, a {@code .csv}/{@code .json} file is
 * collected in memory first. Closing without a commit leaves nothing behind.
 */
public final class Sink implements AutoCloseable {

    private final Path file;
    private final DType dtype;
    private final long[] shape;
    private final NpyWriter npy;
    private final float[] floats;
    private final double[] doubles;
    private int filled;

    private Sink(Path file, DType dtype, long[] shape, NpyWriter npy, float[] floats, double[] doubles) {
        this.file = file;
        this.dtype = dtype;
        this.shape = shape;
        this.npy = npy;
        this.floats = floats;
        this.doubles = doubles;
    }

    /**
     * Checks that {@code file} names a format that can hold an array of this rank; call before any
     * work so that a bad output name fails early.
     */
    public static void checkWritable(Path file, int rank) {
        if (Files.isDirectory(file)) {
            throw new DataException(file + ": cannot write: it is a directory");
        }
        FileFormat format = FileFormat.of(file);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new DataException(file + ": cannot write: the directory " + dir + " does not exist");
        }
        if (format == FileFormat.CSV && rank > 2) {
            throw new DataException(file + ": CSV holds at most 2 dimensions but the output has " + rank
                    + "; write .npy or .json instead");
        }
    }

    /** Starts an output of {@code dtype} (FLOAT32 or FLOAT64) and {@code shape}. */
    public static Sink open(Path file, DType dtype, long[] shape) {
        checkWritable(file, shape.length);
        if (FileFormat.of(file) == FileFormat.NPY) {
            return new Sink(file, dtype, shape.clone(), NpyWriter.create(file, dtype, shape), null, null);
        }
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new DataException(file + ": " + n + " elements are too many for a text file; write .npy instead");
        }
        return dtype == DType.FLOAT32
                ? new Sink(file, dtype, shape.clone(), null, new float[(int) n], null)
                : new Sink(file, dtype, shape.clone(), null, null, new double[(int) n]);
    }

    public Path file() {
        return file;
    }

    public void write(float[] src, int off, int len) {
        if (npy != null) {
            npy.write(src, off, len);
        } else if (floats != null) {
            System.arraycopy(src, off, floats, filled, len);
            filled += len;
        } else {
            for (int i = 0; i < len; i++) {
                doubles[filled++] = src[off + i];
            }
        }
    }

    public void write(double[] src, int off, int len) {
        if (npy != null) {
            npy.write(src, off, len);
        } else if (doubles != null) {
            System.arraycopy(src, off, doubles, filled, len);
            filled += len;
        } else {
            for (int i = 0; i < len; i++) {
                floats[filled++] = (float) src[off + i];
            }
        }
    }

    /** Moves the complete file into place. */
    public void commit() {
        if (npy != null) {
            npy.commit();
            return;
        }
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (int) shape[i];
        }
        NdArray array = floats != null ? NdArray.ofFloats(floats, s) : NdArray.ofDoubles(doubles, s);
        Tensors.write(file, array);
    }

    @Override
    public void close() {
        if (npy != null) {
            npy.close();
        }
    }
}
