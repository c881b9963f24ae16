package io.github.xent4j.cli.io;

import java.nio.ByteBuffer;

/**
 * Conversion between the bytes of a {@code .npy} data section and Java arrays. Every method reads
 * or writes {@code n} elements at the buffer's position, in the buffer's byte order, and advances
 * the position. Callers have checked the sizes.
 */
final class Elements {

    private Elements() {
    }

    static void toFloats(ByteBuffer src, DType type, float[] dst, int off, int n) {
        switch (type) {
            case FLOAT32:
                src.asFloatBuffer().get(dst, off, n);
                skip(src, n, 4);
                break;
            case FLOAT64:
                for (int i = 0; i < n; i++) {
                    dst[off + i] = (float) src.getDouble();
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    dst[off + i] = integer(src, type);
                }
        }
    }

    static void toDoubles(ByteBuffer src, DType type, double[] dst, int off, int n) {
        switch (type) {
            case FLOAT64:
                src.asDoubleBuffer().get(dst, off, n);
                skip(src, n, 8);
                break;
            case FLOAT32:
                for (int i = 0; i < n; i++) {
                    dst[off + i] = src.getFloat();
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    dst[off + i] = integer(src, type);
                }
        }
    }

    /** Integer types only. */
    static void toLongs(ByteBuffer src, DType type, long[] dst, int off, int n) {
        if (type == DType.INT64) {
            src.asLongBuffer().get(dst, off, n);
            skip(src, n, 8);
            return;
        }
        for (int i = 0; i < n; i++) {
            dst[off + i] = integer(src, type);
        }
    }

    /** Decodes into the array type that matches {@code type}: float[], double[] or long[]. */
    static void decode(ByteBuffer src, DType type, Object dst, int off, int n) {
        if (type == DType.FLOAT32) {
            toFloats(src, type, (float[]) dst, off, n);
        } else if (type == DType.FLOAT64) {
            toDoubles(src, type, (double[]) dst, off, n);
        } else {
            toLongs(src, type, (long[]) dst, off, n);
        }
    }

    /** A new array of the Java type that holds {@code type}. */
    static Object allocate(DType type, int n) {
        if (type == DType.FLOAT32) {
            return new float[n];
        }
        return type == DType.FLOAT64 ? new double[n] : new long[n];
    }

    private static long integer(ByteBuffer src, DType type) {
        switch (type) {
            case BOOL:
                return src.get() != 0 ? 1 : 0;
            case INT8:
                return src.get();
            case UINT8:
                return src.get() & 0xFFL;
            case INT16:
                return src.getShort();
            case UINT16:
                return src.getShort() & 0xFFFFL;
            case INT32:
                return src.getInt();
            case UINT32:
                return src.getInt() & 0xFFFFFFFFL;
            case INT64:
                return src.getLong();
            default:
                throw new AssertionError(type);
        }
    }

    static void fromFloats(float[] src, int off, int n, DType type, ByteBuffer dst) {
        if (type == DType.FLOAT32) {
            dst.asFloatBuffer().put(src, off, n);
            skip(dst, n, 4);
        } else {
            for (int i = 0; i < n; i++) {
                dst.putDouble(src[off + i]);
            }
        }
    }

    static void fromDoubles(double[] src, int off, int n, DType type, ByteBuffer dst) {
        if (type == DType.FLOAT64) {
            dst.asDoubleBuffer().put(src, off, n);
            skip(dst, n, 8);
        } else {
            for (int i = 0; i < n; i++) {
                dst.putFloat((float) src[off + i]);
            }
        }
    }

    static void fromLongs(long[] src, int off, int n, DType type, ByteBuffer dst) {
        switch (type) {
            case INT64:
                dst.asLongBuffer().put(src, off, n);
                skip(dst, n, 8);
                break;
            case FLOAT64:
                for (int i = 0; i < n; i++) {
                    dst.putDouble(src[off + i]);
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    dst.putFloat(src[off + i]);
                }
        }
    }

    private static void skip(ByteBuffer buffer, int n, int itemSize) {
        buffer.position(buffer.position() + n * itemSize);
    }
}
