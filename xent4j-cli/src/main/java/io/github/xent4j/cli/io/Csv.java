package io.github.xent4j.cli.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes numeric CSV files: one line per sample, one field per column.
 *
 * <p>Reading rules:
 * <ul>
 *   <li>The separator is a comma, a semicolon or a tab, whichever appears (alone) on the first
 *       line; whitespace-separated text such as {@code numpy.savetxt} output is accepted too.</li>
 *   <li>The first line is a header of column names only when the file has two or more columns,
 *       none of the first line's fields is a number and at least one is not empty. Otherwise it is
 *       data, so a typo there ({@code O.6}) is an error naming line 1, and a one-column file (one
 *       class index per line) never has a header: write a name line as a {@code #} comment.
 *       Training data, which may have text labels, has its own rule: see
 *       {@link LabeledCsv}.</li>
 *   <li>Blank lines and lines starting with {@code #} are skipped; a UTF-8 byte order mark is
 *       ignored; gzip-compressed data (a {@code .csv.gz} file) is decompressed, whatever the
 *       file is called.</li>
 *   <li>Numbers are decimal integers or floating-point numbers, plus {@code nan}, {@code inf},
 *       {@code -inf} and {@code infinity} in any case, as Python's {@code float()} reads them.</li>
 *   <li>The text must be UTF-8; an invalid byte is an error naming its line and position.</li>
 *   <li>A file with one column reads as shape {@code (N)}, e.g. one class index per line; otherwise
 *       {@code (N, C)}. If every field is an integer the array is {@code INT64}, so that class targets
 *       keep their integer type; otherwise {@code FLOAT64}.</li>
 * </ul>
 * Errors name the position as {@code FILE:LINE:COLUMN}, with 1-based physical lines and fields.
 */
public final class Csv {

    private Csv() {
    }

    /**
     * Reads a numeric CSV file, skipping its header if it has one.
     *
     * @param file the file
     * @return shape {@code (N)} or {@code (N, C)}, {@code INT64} or {@code FLOAT64}
     * @throws DataException for an unreadable or empty file, a malformed or empty field, or a row
     *                       with the wrong number of fields
     */
    public static NdArray read(Path file) {
        return readTable(file).data();
    }

    /**
     * Reads a numeric CSV file with its column names.
     *
     * @param file the file
     * @return the header (possibly empty) and the data as in {@link #read(Path)}
     * @throws DataException as {@link #read(Path)}
     */
    public static CsvTable readTable(Path file) {
        return CsvLines.read(file, Csv::parseTable);
    }

    /** {@link #readTable(Path)} on a string, for tests and inline data. */
    static CsvTable parseTable(String text, String source) {
        return CsvLines.parse(text, source, Csv::parseTable);
    }

    private static CsvTable parseTable(CsvLines lines) throws IOException {
        String source = lines.source();
        List<String> first = lines.first();
        boolean header = isHeader(first);
        long shapeLine = lines.lineNumber();
        int columns = first.size();
        NumberBuffer values = new NumberBuffer(source);
        int rows = 0;
        if (!header) {
            try {
                lines.addNumbers(first, values, -1, false, shapeLine);
            } catch (DataException e) {
                if (!e.getMessage().endsWith(" is not a number")) {
                    throw e;
                }
                throw new DataException(e.getMessage() + (columns == 1
                        ? " (a one-column file has no header line; make it a comment with #)"
                        : " (line " + shapeLine + " is data: a header line holds no numbers)"), e);
            }
            rows++;
        }
        for (List<String> fields = lines.next(); fields != null; fields = lines.next()) {
            lines.checkColumns(fields, columns, shapeLine, header);
            lines.addNumbers(fields, values, -1, false, lines.lineNumber());
            rows++;
        }
        int[] shape = columns == 1 ? new int[] {rows} : new int[] {rows, columns};
        return new CsvTable(header ? first : List.of(), values.toArray(shape, source));
    }

    /**
     * The header rule of {@link #read(Path)}: line 1 names the columns only when there are two or
     * more, none of its fields is a number, and at least one is not empty. Anything else is data, so
     * a typo in line 1 is reported, not dropped.
     */
    private static boolean isHeader(List<String> fields) {
        if (fields.size() < 2) {
            return false;
        }
        boolean named = false;
        for (String f : fields) {
            if (Text.isNumber(f)) {
                return false;
            }
            named |= !f.isEmpty();
        }
        return named;
    }

    /**
     * Writes a 0-d, 1-d or 2-d array as CSV without a header: one line per row.
     *
     * @throws DataException for a higher rank or if the file cannot be written
     */
    public static void write(Path file, NdArray array) {
        write(file, array, List.of());
    }

    /**
     * Writes a 0-d, 1-d or 2-d array as CSV with a header line of column names (none if the list is
     * empty). Floating values are written with the fewest digits that read back exactly, and
     * non-finite ones as {@code nan}, {@code inf}, {@code -inf}.
     *
     * @param columnNames empty, or one name per column
     * @throws IllegalArgumentException if the number of names does not match the columns
     * @throws DataException for a rank above 2 or if the file cannot be written
     */
    public static void write(Path file, NdArray array, List<String> columnNames) {
        if (array.rank() > 2) {
            throw DataException.at(file, "CSV holds at most 2 dimensions but the array has shape "
                    + array.shapeString() + "; write .npy or .json instead");
        }
        int columns = array.rank() == 2 ? array.dim(1) : 1;
        if (!columnNames.isEmpty() && columnNames.size() != columns) {
            throw new IllegalArgumentException("columnNames.size()=" + columnNames.size()
                    + " must equal the " + columns + " columns of shape " + array.shapeString());
        }
        try (AtomicOutput out = AtomicOutput.create(file)) {
            Writer w = new BufferedWriter(new OutputStreamWriter(out.stream(), StandardCharsets.UTF_8));
            if (!columnNames.isEmpty()) {
                List<String> quoted = new ArrayList<>();
                for (String name : columnNames) {
                    quoted.add(quoteName(name));
                }
                w.write(String.join(",", quoted));
                w.write('\n');
            }
            int numel = array.numel();
            for (int i = 0; i < numel; i++) {
                w.write(format(array, i));
                w.write((i + 1) % columns == 0 ? '\n' : ',');
            }
            w.flush();
            out.commit();
        } catch (IOException e) {
            throw DataException.io(file, "write", e);
        }
    }

    /** One element in the form the text writers use. */
    static String format(NdArray array, int i) {
        float[] floats = array.floatsOrNull();
        if (floats != null) {
            return Text.number(floats[i]);
        }
        double[] doubles = array.doublesOrNull();
        return doubles != null ? Text.number(doubles[i]) : Long.toString(array.longsOrNull()[i]);
    }

    private static String quoteName(String name) {
        boolean plain = !name.isEmpty() && name.strip().equals(name)
                && name.chars().noneMatch(c -> c == ',' || c == '"' || c == ';' || c == '\t' || c == '\n');
        return plain ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
