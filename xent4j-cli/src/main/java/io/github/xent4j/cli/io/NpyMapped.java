package io.github.xent4j.cli.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Row-by-row access to a {@code .npy} file of any size, through memory mapping.
 *
 * <p>The data section is mapped lazily in windows of at most 1 GiB (a {@link MappedByteBuffer} is
 * limited to 2 GiB); a read that crosses windows is stitched together. A <em>row</em> is one index of
 * the leading dimension: a {@code (N, C)} file has {@code N} rows of {@code C} elements, a 1-d file
 * {@code N} rows of one element, and a 0-d file one row of one element. Data is converted from the
 * file's byte order and type to the caller's array type.
 *
 * <p>The header is validated exactly as by {@link Npy#read(Path)}. Reads may run concurrently from
 * several threads. The mappings are released by the garbage collector after {@link #close()}.
 */
public final class NpyMapped implements AutoCloseable {

    /** The largest window mapped at once. */
    static final long DEFAULT_WINDOW_BYTES = 1L << 30;

    private final Path file;
    private final FileChannel channel;
    private final NpyHeader header;
    private final long rows;
    private final int rowSize;
    private final long windowBytes;
    private MappedByteBuffer[] windows;

    /** Opens {@code file} with windows of {@code windowBytes} (rounded down to whole elements). */
    NpyMapped(Path file, long windowBytes) {
        this.file = file;
        FileChannel opened = null;
        try {
            opened = FileChannel.open(file, StandardOpenOption.READ);
            this.header = NpyHeader.read(opened, file);
        } catch (IOException e) {
            closeQuietly(opened);
            throw DataException.io(file, "read", e);
        } catch (RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
        this.channel = opened;
        long[] shape = header.shape;
        this.rows = shape.length == 0 ? 1 : shape[0];
        long perRow = 1;
        for (int i = 1; i < shape.length; i++) {
            perRow *= shape[i];
            if (perRow > Integer.MAX_VALUE) {
                closeQuietly(opened);
                throw DataException.at(file, "a row of shape " + Shapes.format(shape) + " has more than "
                        + Integer.MAX_VALUE + " elements");
            }
        }
        this.rowSize = (int) perRow;
        int itemSize = header.dtype.itemSize();
        this.windowBytes = Math.max(itemSize, windowBytes / itemSize * itemSize);
        long count = (header.dataBytes() + this.windowBytes - 1) / this.windowBytes;
        this.windows = new MappedByteBuffer[(int) count];
    }

    /**
     * Opens {@code file} and validates its header; the data is mapped on first access.
     *
     * @param file a {@code .npy} file
     * @return the open file
     * @throws DataException as {@link Npy#read(Path)}, except that there is no size limit
     */
    public static NpyMapped open(Path file) {
        return new NpyMapped(file, DEFAULT_WINDOW_BYTES);
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The element type stored in the file. */
    public DType dtype() {
        return header.dtype;
    }

    /** The byte order of the data in the file. */
    public ByteOrder byteOrder() {
        return header.order;
    }

    /** A copy of the dimensions; empty for a 0-d array. */
    public long[] shape() {
        return header.shape.clone();
    }

    /** The shape as NumPy prints it, e.g. {@code (1000000, 10)}. */
    public String shapeString() {
        return Shapes.format(header.shape);
    }

    /** The number of dimensions. */
    public int rank() {
        return header.shape.length;
    }

    /** The number of elements. */
    public long numel() {
        return header.numel;
    }

    /** The size of the leading dimension; 1 for a 0-d array. */
    public long rows() {
        return rows;
    }

    /** Elements per row: the product of all but the leading dimension (1 for 0-d and 1-d files). */
    public int rowSize() {
        return rowSize;
    }

    /** Bytes before the data: magic, version, header length and header. */
    public long headerLength() {
        return header.dataOffset;
    }

    /**
     * Reads rows {@code [r0, r1)} into {@code dst} starting at {@code dstOff}, converting to float.
     *
     * @throws IllegalArgumentException if the rows are out of range or {@code dst} is too short
     * @throws DataException if the file cannot be mapped
     */
    public void readRows(long r0, long r1, float[] dst, int dstOff) {
        int n = checkRows(r0, r1, dst.length, dstOff);
        long element = r0 * rowSize;
        for (int done = 0; done < n; ) {
            ByteBuffer b = at(element + done);
            int k = Math.min(n - done, b.remaining() / header.dtype.itemSize());
            Elements.toFloats(b, header.dtype, dst, dstOff + done, k);
            done += k;
        }
    }

    /**
     * Reads rows {@code [r0, r1)} into {@code dst} starting at {@code dstOff}, converting to double.
     *
     * @throws IllegalArgumentException if the rows are out of range or {@code dst} is too short
     * @throws DataException if the file cannot be mapped
     */
    public void readRows(long r0, long r1, double[] dst, int dstOff) {
        int n = checkRows(r0, r1, dst.length, dstOff);
        long element = r0 * rowSize;
        for (int done = 0; done < n; ) {
            ByteBuffer b = at(element + done);
            int k = Math.min(n - done, b.remaining() / header.dtype.itemSize());
            Elements.toDoubles(b, header.dtype, dst, dstOff + done, k);
            done += k;
        }
    }

    /**
     * Reads rows {@code [r0, r1)} of an integer file (class indices) into {@code dst}.
     *
     * @throws IllegalArgumentException if the rows are out of range or {@code dst} is too short
     * @throws DataException if the file holds floating-point data or cannot be mapped
     */
    public void readRows(long r0, long r1, long[] dst, int dstOff) {
        if (header.dtype.isFloating()) {
            throw DataException.at(file, "expected integers but the dtype is " + header.dtype);
        }
        int n = checkRows(r0, r1, dst.length, dstOff);
        long element = r0 * rowSize;
        for (int done = 0; done < n; ) {
            ByteBuffer b = at(element + done);
            int k = Math.min(n - done, b.remaining() / header.dtype.itemSize());
            Elements.toLongs(b, header.dtype, dst, dstOff + done, k);
            done += k;
        }
    }

    /** Releases the file handle; later reads fail. */
    @Override
    public synchronized void close() {
        windows = null;
        closeQuietly(channel);
    }

    private int checkRows(long r0, long r1, int dstLength, int dstOff) {
        if (r0 < 0 || r1 < r0 || r1 > rows) {
            throw new IllegalArgumentException("rows [" + r0 + ", " + r1 + ") must lie in [0, rows=" + rows + ")");
        }
        long n = (r1 - r0) * rowSize;
        if (dstOff < 0 || dstOff > dstLength || n > dstLength - dstOff) {
            throw new IllegalArgumentException("rows [" + r0 + ", " + r1 + ") need " + n + " elements but dst.length="
                    + dstLength + " with dstOff=" + dstOff);
        }
        return (int) n;
    }

    /** A buffer in the file's byte order positioned at {@code element}, ending with its window. */
    private ByteBuffer at(long element) {
        long offset = element * header.dtype.itemSize();
        int index = (int) (offset / windowBytes);
        ByteBuffer b = window(index).duplicate().order(header.order);
        b.position((int) (offset - index * windowBytes));
        return b;
    }

    private synchronized MappedByteBuffer window(int index) {
        if (windows == null) {
            throw new IllegalStateException(file + " is closed");
        }
        MappedByteBuffer w = windows[index];
        if (w == null) {
            long start = index * windowBytes;
            long size = Math.min(windowBytes, header.dataBytes() - start);
            try {
                w = channel.map(FileChannel.MapMode.READ_ONLY, header.dataOffset + start, size);
            } catch (IOException e) {
                throw DataException.io(file, "read", e);
            }
            windows[index] = w;
        }
        return w;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only handle: nothing to lose
            }
        }
    }
}
