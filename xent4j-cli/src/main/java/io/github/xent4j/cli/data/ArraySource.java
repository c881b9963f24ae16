package io.github.xent4j.cli.data;

import io.github.xent4j.cli.io.DType;
import io.github.xent4j.cli.io.NdArray;

/** An array already in memory: parsed from CSV, JSON or an inline value. */
final class ArraySource implements Source {

    private final String name;
    private final NdArray array;
    private final boolean textual;
    private final long rows;
    private final int rowSize;
    private double[] values;
    private float[] floats;

    ArraySource(String name, NdArray array, boolean textual) {
        this.name = name;
        this.array = array;
        this.textual = textual;
        int[] shape = array.shape();
        this.rows = shape.length == 0 ? 1 : shape[0];
        this.rowSize = rows == 0 ? 0 : (int) (array.numel() / rows);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DType dtype() {
        return array.dtype();
    }

    @Override
    public boolean textual() {
        return textual;
    }

    @Override
    public long[] shape() {
        int[] s = array.shape();
        long[] wide = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            wide[i] = s[i];
        }
        return wide;
    }

    @Override
    public long numel() {
        return array.numel();
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public int rowSize() {
        return rowSize;
    }

    private double[] values() {
        if (values == null) {
            values = array.toDouble();
        }
        return values;
    }

    @Override
    public void read(long r0, long r1, float[] dst, int off) {
        if (array.dtype() == DType.FLOAT32) {
            if (floats == null) {
                floats = array.toFloat();
            }
            System.arraycopy(floats, (int) (r0 * rowSize), dst, off, (int) ((r1 - r0) * rowSize));
            return;
        }
        double[] v = values();
        int from = (int) (r0 * rowSize);
        int n = (int) ((r1 - r0) * rowSize);
        for (int i = 0; i < n; i++) {
            dst[off + i] = (float) v[from + i];
        }
    }

    @Override
    public void read(long r0, long r1, double[] dst, int off) {
        System.arraycopy(values(), (int) (r0 * rowSize), dst, off, (int) ((r1 - r0) * rowSize));
    }

    @Override
    public void read(long r0, long r1, long[] dst, int off) {
        double[] v = values();
        int from = (int) (r0 * rowSize);
        int n = (int) ((r1 - r0) * rowSize);
        for (int i = 0; i < n; i++) {
            dst[off + i] = (long) v[from + i];
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
