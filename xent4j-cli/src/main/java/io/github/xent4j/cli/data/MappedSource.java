package io.github.xent4j.cli.data;

import io.github.xent4j.cli.io.DType;
import io.github.xent4j.cli.io.NpyMapped;

/** A {@code .npy} file read through memory mapping: nothing is loaded until rows are asked for. */
final class MappedSource implements Source {

    private final String name;
    private final NpyMapped npy;

    MappedSource(String name, NpyMapped npy) {
        this.name = name;
        this.npy = npy;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DType dtype() {
        return npy.dtype();
    }

    @Override
    public boolean textual() {
        return false;
    }

    @Override
    public long[] shape() {
        return npy.shape();
    }

    @Override
    public long numel() {
        return npy.numel();
    }

    @Override
    public long rows() {
        return npy.rows();
    }

    @Override
    public int rowSize() {
        return npy.rowSize();
    }

    @Override
    public void read(long r0, long r1, float[] dst, int off) {
        npy.readRows(r0, r1, dst, off);
    }

    @Override
    public void read(long r0, long r1, double[] dst, int off) {
        npy.readRows(r0, r1, dst, off);
    }

    @Override
    public void read(long r0, long r1, long[] dst, int off) {
        npy.readRows(r0, r1, dst, off);
    }

    @Override
    public void close() {
        npy.close();
    }
}
