package io.github.xent4j.cli.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Writes a {@code .npy} file of a known shape element by element, without holding it in memory:
 * for instance the gradient of an input that is larger than the heap.
 *
 * <p>The header is written first, exactly as {@code numpy.save} writes it (format 1.0 or, for very
 * long headers, 2.0; little-endian; C order); then the elements follow in row-major order through
 * any number of {@code write} calls of any length. {@link #commit()} checks that exactly
 * {@link #numel()} elements arrived and moves the file into place through an {@link AtomicOutput};
 * closing without a commit leaves no file:
 *
 * <pre>{@code
 * try (NpyWriter w = NpyWriter.create(Path.of("grad.npy"), DType.FLOAT32, rows, cols)) {
 *     for (long r = 0; r < rows; r += chunkRows) {
 *         w.write(gradChunk, 0, n);
 *     }
 *     w.commit();
 * }
 * }</pre>
 *
 * <p>{@code float[]}, {@code double[]} and {@code long[]} data are converted to the file's type;
 * floating data cannot go into an {@code INT64} file. Not thread-safe.
 */
public final class NpyWriter implements AutoCloseable {

    private static final int BUFFER_BYTES = 1 << 20;

    private final AtomicOutput output;
    private final FileChannel channel;
    private final DType dtype;
    private final long[] shape;
    private final long numel;
    private final ByteBuffer buffer;
    private long written;

    private NpyWriter(AtomicOutput output, DType dtype, long[] shape, long numel) throws IOException {
        this.output = output;
        this.channel = output.channel();
        this.dtype = dtype;
        this.shape = shape;
        this.numel = numel;
        this.buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer header = ByteBuffer.wrap(NpyHeader.encode(dtype, shape));
        while (header.hasRemaining()) {
            channel.write(header);
        }
    }

    /**
     * Starts writing {@code file}.
     *
     * @param file  the output path; replaced on commit if it exists
     * @param dtype {@link DType#FLOAT32}, {@link DType#FLOAT64} or {@link DType#INT64}
     * @param shape the dimensions, none negative; empty for a 0-d array
     * @return the writer, positioned at the first element
     * @throws IllegalArgumentException for another dtype or a negative dimension
     * @throws DataException if the file cannot be created
     */
    public static NpyWriter create(Path file, DType dtype, long... shape) {
        if (!dtype.isWritable()) {
            throw new IllegalArgumentException("dtype=" + dtype + " cannot be written; use float32, float64 or int64");
        }
        long[] dims = shape.clone();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("shape[" + i + "]=" + dims[i] + " must be >= 0");
            }
        }
        long numel = Shapes.numel(dims);
        if (numel < 0 || numel > Long.MAX_VALUE / 8) {
            throw new IllegalArgumentException("shape " + Shapes.format(dims) + " is too large");
        }
        AtomicOutput output = AtomicOutput.create(file);
        try {
            return new NpyWriter(output, dtype, dims, numel);
        } catch (IOException e) {
            output.close();
            throw DataException.io(file, "write", e);
        } catch (RuntimeException e) {
            output.close();
            throw e;
        }
    }

    /** The output path. */
    public Path file() {
        return output.target();
    }

    /** The file's element type. */
    public DType dtype() {
        return dtype;
    }

    /** A copy of the file's dimensions. */
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements the file must receive. */
    public long numel() {
        return numel;
    }

    /** The number of elements written so far. */
    public long written() {
        return written;
    }

    /** Appends all of {@code src}. */
    public void write(float[] src) {
        write(src, 0, src.length);
    }

    /**
     * Appends {@code src[off, off + len)}.
     *
     * @throws IllegalArgumentException for a bad range or an {@code INT64} file
     * @throws IllegalStateException if this would exceed {@link #numel()} elements
     */
    public void write(float[] src, int off, int len) {
        checkRange(src.length, off, len);
        requireFloating();
        int step = BUFFER_BYTES / dtype.itemSize();
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, room(step));
            Elements.fromFloats(src, off + done, n, dtype, buffer);
            done += n;
        }
        written += len;
    }

    /** Appends all of {@code src}. */
    public void write(double[] src) {
        write(src, 0, src.length);
    }

    /**
     * Appends {@code src[off, off + len)}.
     *
     * @throws IllegalArgumentException for a bad range or an {@code INT64} file
     * @throws IllegalStateException if this would exceed {@link #numel()} elements
     */
    public void write(double[] src, int off, int len) {
        checkRange(src.length, off, len);
        requireFloating();
        int step = BUFFER_BYTES / dtype.itemSize();
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, room(step));
            Elements.fromDoubles(src, off + done, n, dtype, buffer);
            done += n;
        }
        written += len;
    }

    /** Appends all of {@code src}. */
    public void write(long[] src) {
        write(src, 0, src.length);
    }

    /**
     * Appends {@code src[off, off + len)}, converting to the file's type.
     *
     * @throws IllegalArgumentException for a bad range
     * @throws IllegalStateException if this would exceed {@link #numel()} elements
     */
    public void write(long[] src, int off, int len) {
        checkRange(src.length, off, len);
        int step = BUFFER_BYTES / dtype.itemSize();
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, room(step));
            Elements.fromLongs(src, off + done, n, dtype, buffer);
            done += n;
        }
        written += len;
    }

    /**
     * Writes the remaining buffered data and moves the file into place.
     *
     * @throws IllegalStateException if fewer than {@link #numel()} elements were written
     * @throws DataException if the file cannot be written
     */
    public void commit() {
        if (written != numel) {
            throw new IllegalStateException("wrote " + written + " of the " + numel + " elements of shape "
                    + Shapes.format(shape) + " to " + file());
        }
        flush();
        output.commit();
    }

    /** Deletes the output unless it was committed. */
    @Override
    public void close() {
        output.close();
    }

    /** Makes room for at least one element and returns how many of {@code step} fit now. */
    private int room(int step) {
        if (buffer.remaining() < dtype.itemSize()) {
            flush();
        }
        return Math.min(step, buffer.remaining() / dtype.itemSize());
    }

    private void flush() {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw DataException.io(file(), "write", e);
        } finally {
            buffer.clear();
        }
    }

    private void checkRange(int length, int off, int len) {
        if (off < 0 || len < 0 || off > length - len) {
            throw new IllegalArgumentException("off=" + off + ", len=" + len + " out of bounds for length " + length);
        }
        if (len > numel - written) {
            throw new IllegalStateException("writing " + len + " elements would exceed the " + numel
                    + " elements of shape " + Shapes.format(shape) + " (" + written + " written)");
        }
    }

    private void requireFloating() {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("cannot write floating-point data to an int64 file");
        }
    }
}
