package io.github.xent4j.cli.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes NumPy {@code .npy} files that fit in memory.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0, little- and big-endian data and the types
 * of {@link DType}; Fortran-ordered arrays with more than one non-trivial axis are rejected, since
 * their memory layout is not row-major. Writing produces the bytes {@code numpy.save} produces for a
 * little-endian C-ordered array of type {@code float32}, {@code float64} or {@code int64}. For files
 * larger than the heap use {@link NpyMapped} and {@link NpyWriter}.
 */
public final class Npy {

    private static final int CHUNK_BYTES = 1 << 20;

    private Npy() {
    }

    /**
     * Reads a whole {@code .npy} file.
     *
     * @param file the file
     * @return the array, with {@link NdArray#source()} set to {@code file}
     * @throws DataException naming the file for a missing or unreadable file, bad magic, unsupported
     *                       version or dtype, Fortran order, a truncated data section, or an array
     *                       with more than {@code Integer.MAX_VALUE} elements
     */
    public static NdArray read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyHeader header = NpyHeader.read(channel, file);
            int[] shape = toIntShape(header, file);
            int numel = (int) header.numel;
            Object data = Elements.allocate(header.dtype, numel);
            int itemSize = header.dtype.itemSize();
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(header.order);
            long position = header.dataOffset;
            for (int done = 0; done < numel; ) {
                int n = Math.min(numel - done, CHUNK_BYTES / itemSize);
                buffer.clear().limit(n * itemSize);
                NpyHeader.readFully(channel, buffer, position);
                if (buffer.hasRemaining()) {
                    throw DataException.at(file, "truncated: the file shrank while it was being read");
                }
                buffer.flip();
                Elements.decode(buffer, header.dtype, data, done, n);
                done += n;
                position += (long) n * itemSize;
            }
            return NdArray.of(header.dtype, shape, data, file.toString());
        } catch (IOException e) {
            throw DataException.io(file, "read", e);
        }
    }

    /**
     * Writes {@code array} to {@code file} through a temporary file that replaces {@code file} only
     * once complete. {@code FLOAT32} and {@code FLOAT64} data keep their type; integer data of any
     * {@link DType} is written as {@code int64}.
     *
     * @param file  the output path
     * @param array the data
     * @throws DataException if the file cannot be written
     */
    public static void write(Path file, NdArray array) {
        DType type = array.isFloating() ? array.dtype() : DType.INT64;
        try (NpyWriter writer = NpyWriter.create(file, type, Shapes.widen(array.shape()))) {
            if (array.floatsOrNull() != null) {
                writer.write(array.floatsOrNull());
            } else if (array.doublesOrNull() != null) {
                writer.write(array.doublesOrNull());
            } else {
                writer.write(array.longsOrNull());
            }
            writer.commit();
        }
    }

    private static int[] toIntShape(NpyHeader header, Path file) {
        if (header.numel > Integer.MAX_VALUE) {
            throw DataException.at(file, "shape " + Shapes.format(header.shape) + " has " + header.numel
                    + " elements, more than fit in memory at once (" + Integer.MAX_VALUE + ")");
        }
        int[] shape = new int[header.shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (header.shape[i] > Integer.MAX_VALUE) {
                throw DataException.at(file, "dimension " + i + " of shape " + Shapes.format(header.shape)
                        + " is larger than " + Integer.MAX_VALUE);
            }
            shape[i] = (int) header.shape[i];
        }
        return shape;
    }
}
