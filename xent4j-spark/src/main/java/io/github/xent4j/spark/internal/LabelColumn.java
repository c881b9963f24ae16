package io.github.xent4j.spark.internal;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * How the evaluator reads a class-index label from an {@link InternalRow}: any integer type, or a
 * float/double holding an integer (Spark ML's labels are doubles). A value that is not an integer
 * in the int range is reported; whether it is a valid class is the core's to say. Not API.
 */
public enum LabelColumn {
    BYTE, SHORT, INT, LONG, FLOAT, DOUBLE;

    /** Thrown for a label that is not an int; the caller adds the row. */
    public static final class NotAnInt extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final String value;

        NotAnInt(String value) {
            super(null, null, false, false);
            this.value = value;
        }
    }

    /** The reader for a column of this type, or null when it is not numeric. */
    public static LabelColumn of(DataType t) {
        if (t.equals(DataTypes.ByteType)) {
            return BYTE;
        }
        if (t.equals(DataTypes.ShortType)) {
            return SHORT;
        }
        if (t.equals(DataTypes.IntegerType)) {
            return INT;
        }
        if (t.equals(DataTypes.LongType)) {
            return LONG;
        }
        if (t.equals(DataTypes.FloatType)) {
            return FLOAT;
        }
        if (t.equals(DataTypes.DoubleType)) {
            return DOUBLE;
        }
        return null;
    }

    /** The label at {@code ordinal} (not null). */
    public int read(InternalRow row, int ordinal) {
        switch (this) {
            case BYTE:
                return row.getByte(ordinal);
            case SHORT:
                return row.getShort(ordinal);
            case INT:
                return row.getInt(ordinal);
            case LONG: {
                long v = row.getLong(ordinal);
                if (v != (int) v) {
                    throw new NotAnInt(Long.toString(v));
                }
                return (int) v;
            }
            default: {
                double v = this == FLOAT ? row.getFloat(ordinal) : row.getDouble(ordinal);
                if (!(v == Math.rint(v) && Math.abs(v) <= Integer.MAX_VALUE)) {
                    throw new NotAnInt(Double.toString(v));
                }
                return (int) v;
            }
        }
    }
}
