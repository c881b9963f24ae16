package io.github.xent4j.cli.io;

import java.util.List;
import java.util.Objects;

/**
 * A numeric CSV file: its column names, if it has a header line, and its data.
 *
 * @param columnNames the names from the header line in file order; empty when there is none
 * @param data        shape {@code (N)} for one column, {@code (N, C)} otherwise; {@code INT64} when
 *                    every field is an integer, else {@code FLOAT64}
 */
public record CsvTable(List<String> columnNames, NdArray data) {

    /** Copies the names. */
    public CsvTable {
        columnNames = List.copyOf(columnNames);
        Objects.requireNonNull(data, "data");
    }

    /** Whether the file began with a header line. */
    public boolean hasHeader() {
        return !columnNames.isEmpty();
    }
}
