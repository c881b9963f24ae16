package io.github.xent4j.spark;

import org.apache.spark.sql.Column;

import java.util.Objects;

/**
 * How a Column function reads a column of per-row arrays (logits, log-probabilities). A Column
 * function's input type is fixed when the Column is built, before Spark knows the data's type, so
 * the element type is said here:
 * <ul>
 *   <li>{@link #floats(Column)}: {@code array<float>}, scored with the core's float32 kernels (as
 *       PyTorch's float32);</li>
 *   <li>{@link #doubles(Column)}: {@code array<double>}, float64; {@code array<float>} is accepted too,
 *       widened exactly, which is the double reference computation of float data;</li>
 *   <li>{@link #float32le(Column)}: {@code binary} of float32 little-endian values (numpy's
 *       {@code tobytes()}), float32 kernels;</li>
 *   <li>{@link #vector(Column)}: a Spark ML vector, through {@code vector_to_array(col, "float64")}
 *       (needs spark-mllib, which a cluster with vector columns has).</li>
 * </ul>
 * The functions that take a plain {@link Column} read it as {@link #doubles(Column)}, which accepts
 * both array types.
 */
public final class Input {

    /** The element types. */
    public enum Kind { FLOATS, DOUBLES, FLOAT32_LE, VECTOR }

    private final Column column;
    private final Kind kind;

    private Input(Column column, Kind kind) {
        this.column = Objects.requireNonNull(column, "column");
        this.kind = kind;
    }

    /** {@code array<float>}, float32 kernels. */
    public static Input floats(Column column) {
        return new Input(column, Kind.FLOATS);
    }

    /** {@code array<double>} (or {@code array<float>}, widened), float64 kernels. */
    public static Input doubles(Column column) {
        return new Input(column, Kind.DOUBLES);
    }

    /** {@code binary} float32 little-endian, float32 kernels. */
    public static Input float32le(Column column) {
        return new Input(column, Kind.FLOAT32_LE);
    }

    /** A Spark ML vector, float64 kernels. */
    public static Input vector(Column column) {
        return new Input(column, Kind.VECTOR);
    }

    /** The column as given. */
    public Column column() {
        return column;
    }

    /** The element type. */
    public Kind kind() {
        return kind;
    }

    /** The column as the aggregate takes it (a vector becomes {@code array<double>}). */
    Column prepared() {
        return kind == Kind.VECTOR ? org.apache.spark.ml.functions.vector_to_array(column, "float64") : column;
    }
}
