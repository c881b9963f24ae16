package io.github.xent4j.spark;

/**
 * A row that xent4j cannot score: a null where a value is needed, a logits array whose length
 * differs from the other rows', a label that is not a class index. The message names the column,
 * the row (its index in the scan order of the DataFrame, and its partition), the element where one
 * is at fault, the value and what it must be:
 * <pre>{@code
 * logits: row 1041 (partition 1, row 17 of it), element 3: null; must not be null
 * label: row 7 (partition 0, row 7 of it): 12; must be in [0, 10) or equal ignore_index=-100
 * }</pre>
 */
public final class BadRowException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String column;
    private final long row;
    private final int partition;
    private final long rowInPartition;
    private final long element;
    private final String value;
    private final String requirement;

    /**
     * @param column         the column at fault
     * @param row            the row's index in the scan order, or -1 when not known
     * @param partition      the Spark partition
     * @param rowInPartition the row's index within its partition
     * @param element        the element of an array at fault, or -1
     * @param value          the offending value as text ("null" for a null)
     * @param requirement    what it must be, starting with a verb
     */
    public BadRowException(String column, long row, int partition, long rowInPartition, long element,
                           String value, String requirement) {
        super(format(column, row, partition, rowInPartition, element, value, requirement));
        this.column = column;
        this.row = row;
        this.partition = partition;
        this.rowInPartition = rowInPartition;
        this.element = element;
        this.value = value;
        this.requirement = requirement;
    }

    /** The same problem with the row's index in the scan order, once the driver knows it. */
    BadRowException withRow(long row) {
        return new BadRowException(column, row, partition, rowInPartition, element, value, requirement);
    }

    private static String format(String column, long row, int partition, long inPartition, long element,
                                 String value, String requirement) {
        StringBuilder sb = new StringBuilder(column).append(": ");
        if (row >= 0) {
            sb.append("row ").append(row).append(" (partition ").append(partition).append(", row ")
                    .append(inPartition).append(" of it)");
        } else {
            sb.append("partition ").append(partition).append(", row ").append(inPartition);
        }
        if (element >= 0) {
            sb.append(", element ").append(element);
        }
        return sb.append(": ").append(value).append("; ").append(requirement).toString();
    }

    /** The column at fault. */
    public String column() {
        return column;
    }

    /** The row's index in the DataFrame's scan order (what {@code collect()} would list), or -1. */
    public long row() {
        return row;
    }

    /** The Spark partition of the row. */
    public int partition() {
        return partition;
    }

    /** The row's index within its partition. */
    public long rowInPartition() {
        return rowInPartition;
    }

    /** The array element at fault, or -1. */
    public long element() {
        return element;
    }

    /** The offending value as text. */
    public String value() {
        return value;
    }

    /** What the value must be. */
    public String requirement() {
        return requirement;
    }
}
