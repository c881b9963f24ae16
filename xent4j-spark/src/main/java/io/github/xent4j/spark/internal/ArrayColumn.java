package io.github.xent4j.spark.internal;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * How the evaluator reads one row's logits (or probabilities) from an {@link InternalRow}, in
 * place, into a reused buffer: {@code array<float>} and float32 little-endian {@code binary} into
 * a float buffer, {@code array<double>} and Spark ML vectors (dense or sparse) into a double
 * buffer. Null elements are reported with their index. Not API.
 */
public enum ArrayColumn {
    /** {@code array<float>}: read with {@code ArrayData.getFloat}, no boxing. */
    FLOATS(true, "array<float>"),
    /** {@code array<double>}. */
    DOUBLES(false, "array<double>"),
    /** {@code binary} holding float32 little-endian values (numpy's {@code tobytes()}). */
    FLOAT32_LE(true, "binary (float32 little-endian)"),
    /** A Spark ML vector: {@code struct<type, size, indices, values>} underneath. */
    VECTOR(false, "vector");

    private static final VarHandle LE_FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int DENSE = 1;

    /** Thrown by the readers for a null element; the caller adds the row. */
    public static final class NullElement extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int element;

        NullElement(int element) {
            super(null, null, false, false);
            this.element = element;
        }
    }

    /** Thrown by the readers for a malformed value (a binary whose length is not a multiple of 4). */
    public static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final String value;
        public final String requirement;

        Malformed(String value, String requirement) {
            super(null, null, false, false);
            this.value = value;
            this.requirement = requirement;
        }
    }

    private final boolean floats;
    private final String typeName;

    ArrayColumn(boolean floats, String typeName) {
        this.floats = floats;
        this.typeName = typeName;
    }

    /** Whether rows are read into a float buffer (float32 kernels) rather than a double one. */
    public boolean floats() {
        return floats;
    }

    /** The column type in words, for messages. */
    public String typeName() {
        return typeName;
    }

    /** The reader for a column of this Spark type, or null when the type is not supported. */
    public static ArrayColumn of(DataType t) {
        if (t instanceof ArrayType a) {
            if (a.elementType().equals(DataTypes.FloatType)) {
                return FLOATS;
            }
            if (a.elementType().equals(DataTypes.DoubleType)) {
                return DOUBLES;
            }
            return null;
        }
        if (t instanceof BinaryType) {
            return FLOAT32_LE;
        }
        if (t instanceof UserDefinedType<?> u && u.sqlType() instanceof StructType s && s.size() == 4
                && "values".equals(s.fields()[3].name()) && "indices".equals(s.fields()[2].name())) {
            return VECTOR;
        }
        return null;
    }

    /** The number of elements of the value at {@code ordinal} (not null). */
    public int length(InternalRow row, int ordinal) {
        switch (this) {
            case FLOATS:
            case DOUBLES:
                return row.getArray(ordinal).numElements();
            case FLOAT32_LE: {
                byte[] b = row.getBinary(ordinal);
                if ((b.length & 3) != 0) {
                    throw new Malformed(b.length + " bytes", "must be a multiple of 4 (float32 little-endian values)");
                }
                return b.length >> 2;
            }
            default: {
                InternalRow v = row.getStruct(ordinal, 4);
                return v.getByte(0) == DENSE ? v.getArray(3).numElements() : v.getInt(1);
            }
        }
    }

    /** Reads the value at {@code ordinal} into {@code out[off ..]} (a float reader). */
    public void read(InternalRow row, int ordinal, float[] out, int off) {
        if (this == FLOATS) {
            ArrayData a = row.getArray(ordinal);
            int n = a.numElements();
            for (int i = 0; i < n; i++) {
                if (a.isNullAt(i)) {
                    throw new NullElement(i);
                }
                out[off + i] = a.getFloat(i);
            }
        } else {
            byte[] b = row.getBinary(ordinal);
            int n = b.length >> 2;
            for (int i = 0; i < n; i++) {
                out[off + i] = (float) LE_FLOAT.get(b, i << 2);
            }
        }
    }

    /** Reads the value at {@code ordinal} into {@code out[off ..]} (a double reader). */
    public void read(InternalRow row, int ordinal, double[] out, int off) {
        if (this == DOUBLES) {
            ArrayData a = row.getArray(ordinal);
            int n = a.numElements();
            for (int i = 0; i < n; i++) {
                if (a.isNullAt(i)) {
                    throw new NullElement(i);
                }
                out[off + i] = a.getDouble(i);
            }
            return;
        }
        InternalRow v = row.getStruct(ordinal, 4);
        ArrayData values = v.getArray(3);
        if (v.getByte(0) == DENSE) {
            int n = values.numElements();
            for (int i = 0; i < n; i++) {
                out[off + i] = values.getDouble(i);
            }
        } else {
            int size = v.getInt(1);
            java.util.Arrays.fill(out, off, off + size, 0.0);
            ArrayData idx = v.getArray(2);
            for (int k = 0, n = values.numElements(); k < n; k++) {
                int i = idx.getInt(k);
                if (i < 0 || i >= size) {
                    throw new Malformed("sparse index " + i, "must be in [0, size=" + size + ")");
                }
                out[off + i] = values.getDouble(k);
            }
        }
    }
}
