package io.github.xent4j.cli.io;

/**
 * The element types the codecs read, named as in NumPy.
 *
 * <p>{@link #FLOAT32} and {@link #FLOAT64} hold floating-point data; every other type is an
 * integer type whose values an {@link NdArray} widens to {@code long}. Files can only be written as
 * {@code FLOAT32}, {@code FLOAT64} or {@code INT64}; the narrow integer types exist so that a
 * {@code .npy} file of class indices saved as {@code uint8} or {@code int32} can be read.
 */
public enum DType {
    /** NumPy {@code bool} ({@code '|b1'}), read as 0 or 1. */
    BOOL("bool", 1, false),
    /** NumPy {@code int8} ({@code '|i1'}). */
    INT8("int8", 1, false),
    /** NumPy {@code uint8} ({@code '|u1'}). */
    UINT8("uint8", 1, false),
    /** NumPy {@code int16} ({@code '<i2'}). */
    INT16("int16", 2, false),
    /** NumPy {@code uint16} ({@code '<u2'}). */
    UINT16("uint16", 2, false),
    /** NumPy {@code int32} ({@code '<i4'}). */
    INT32("int32", 4, false),
    /** NumPy {@code uint32} ({@code '<u4'}). */
    UINT32("uint32", 4, false),
    /** NumPy {@code int64} ({@code '<i8'}); PyTorch's {@code torch.long}. */
    INT64("int64", 8, false),
    /** NumPy {@code float32} ({@code '<f4'}). */
    FLOAT32("float32", 4, true),
    /** NumPy {@code float64} ({@code '<f8'}). */
    FLOAT64("float64", 8, true);

    private final String numpyName;
    private final int itemSize;
    private final boolean floating;

    DType(String numpyName, int itemSize, boolean floating) {
        this.numpyName = numpyName;
        this.itemSize = itemSize;
        this.floating = floating;
    }

    /** The NumPy name of the type, e.g. {@code "float32"}. */
    public String numpyName() {
        return numpyName;
    }

    /** Bytes per element in a {@code .npy} file. */
    public int itemSize() {
        return itemSize;
    }

    /** Whether the type holds floating-point values (as opposed to integers or booleans). */
    public boolean isFloating() {
        return floating;
    }

    /** Whether files of this type can be written ({@code FLOAT32}, {@code FLOAT64}, {@code INT64}). */
    public boolean isWritable() {
        return this == FLOAT32 || this == FLOAT64 || this == INT64;
    }

    /** The NumPy name, e.g. {@code "float32"}. */
    @Override
    public String toString() {
        return numpyName;
    }
}
