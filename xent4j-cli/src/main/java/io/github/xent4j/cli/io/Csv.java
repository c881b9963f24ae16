package io.github.xent4j.cli.io;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads and writes numeric CSV files: one line per sample, one field per column.
 *
 * <p>Reading rules:
 * <ul>
 *   <li>The separator is a comma, a semicolon or a tab, whichever appears (alone) on the first
 *       line; whitespace-separated text such as {@code numpy.savetxt} output is accepted too.</li>
 *   <li>If a field of the first line is not a number, that line is a header of column names.</li>
 *   <li>Blank lines and lines starting with {@code #} are skipped; a UTF-8 byte order mark is
 *       ignored.</li>
 *   <li>Numbers are decimal integers or floating-point numbers, plus {@code nan}, {@code inf},
 *       {@code -inf} and {@code infinity} in any case.</li>
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
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parseTable(reader, file.toString());
        } catch (IOException e) {
            throw DataException.io(file, "read", e);
        }
    }

    /**
     * Reads training data: every column except {@code labelColumn} is a feature.
     *
     * @param file        a CSV file with a header line
     * @param labelColumn the name of the label column, exactly as in the header
     * @return the features {@code (N, F)}, the labels {@code (N)} and which labels are missing
     * @throws DataException as {@link #read(Path)}, and if the file has no header or no column of
     *                       that name
     */
    public static LabeledData readLabeled(Path file, String labelColumn) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parseLabeled(reader, file.toString(), labelColumn);
        } catch (IOException e) {
            throw DataException.io(file, "read", e);
        }
    }

    /** {@link #readTable(Path)} on a string, for tests and inline data. */
    static CsvTable parseTable(String text, String source) {
        try {
            return parseTable(new BufferedReader(new StringReader(text)), source);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** {@link #readLabeled(Path, String)} on a string. */
    static LabeledData parseLabeled(String text, String source, String labelColumn) {
        try {
            return parseLabeled(new BufferedReader(new StringReader(text)), source, labelColumn);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static CsvTable parseTable(BufferedReader reader, String source) throws IOException {
        CsvLines lines = new CsvLines(reader, source);
        List<String> first = firstLine(lines, source);
        boolean header = isHeader(first);
        long shapeLine = lines.lineNumber();
        int columns = first.size();
        NumberBuffer values = new NumberBuffer(source);
        int rows = 0;
        if (!header) {
            addNumbers(first, values, -1, lines, source);
            rows++;
        }
        for (List<String> fields = lines.next(); fields != null; fields = lines.next()) {
            checkColumns(fields, columns, shapeLine, header, lines, source);
            addNumbers(fields, values, -1, lines, source);
            rows++;
        }
        int[] shape = columns == 1 ? new int[] {rows} : new int[] {rows, columns};
        return new CsvTable(header ? first : List.of(), values.toArray(shape, source));
    }

    private static LabeledData parseLabeled(BufferedReader reader, String source, String labelColumn)
            throws IOException {
        CsvLines lines = new CsvLines(reader, source);
        List<String> names = firstLine(lines, source);
        long headerLine = lines.lineNumber();
        if (!isHeader(names)) {
            throw DataException.at(source, headerLine, "no header line; the label column '" + labelColumn
                    + "' can only be found by name");
        }
        int labelIndex = names.indexOf(labelColumn);
        if (labelIndex < 0) {
            throw DataException.at(source, headerLine, "no column named '" + labelColumn + "'; the columns are "
                    + String.join(", ", names));
        }
        NumberBuffer features = new NumberBuffer(source);
        List<String> labelFields = new ArrayList<>();
        for (List<String> fields = lines.next(); fields != null; fields = lines.next()) {
            checkColumns(fields, names.size(), headerLine, true, lines, source);
            addNumbers(fields, features, labelIndex, lines, source);
            labelFields.add(fields.get(labelIndex));
        }
        int rows = labelFields.size();
        List<String> featureNames = new ArrayList<>(names);
        featureNames.remove(labelIndex);
        boolean[] missing = new boolean[rows];
        for (int i = 0; i < rows; i++) {
            missing[i] = labelFields.get(i).isEmpty();
        }
        List<String> classNames = new ArrayList<>();
        NdArray labels = labels(labelFields, missing, classNames, source);
        return new LabeledData(featureNames, features.toArray(new int[] {rows, featureNames.size()}, source),
                labelColumn, labels, missing, classNames);
    }

    /** Numeric labels if every present one is a number, otherwise class names numbered in sorted order. */
    private static NdArray labels(List<String> fields, boolean[] missing, List<String> classNames, String source) {
        int rows = fields.size();
        NumberBuffer present = new NumberBuffer(source);
        boolean numeric = true;
        for (int i = 0; i < rows && numeric; i++) {
            numeric = missing[i] || Text.parseInto(fields.get(i), present);
        }
        int[] shape = {rows};
        if (numeric && present.isFloating()) {
            double[] out = new double[rows];
            for (int i = 0, j = 0; i < rows; i++) {
                out[i] = missing[i] ? Double.NaN : present.getDouble(j++);
            }
            return NdArray.of(DType.FLOAT64, shape, out, source);
        }
        long[] out = new long[rows];
        if (numeric) {
            for (int i = 0, j = 0; i < rows; i++) {
                out[i] = missing[i] ? -1 : present.getLong(j++);
            }
        } else {
            Map<String, Integer> index = new TreeMap<>();
            for (int i = 0; i < rows; i++) {
                if (!missing[i]) {
                    index.put(fields.get(i), 0);
                }
            }
            classNames.addAll(new TreeSet<>(index.keySet()));
            for (int k = 0; k < classNames.size(); k++) {
                index.put(classNames.get(k), k);
            }
            for (int i = 0; i < rows; i++) {
                out[i] = missing[i] ? -1 : index.get(fields.get(i));
            }
        }
        return NdArray.of(DType.INT64, shape, out, source);
    }

    private static List<String> firstLine(CsvLines lines, String source) throws IOException {
        List<String> first = lines.next();
        if (first == null) {
            throw DataException.at(source, "no data: the file is empty");
        }
        return first;
    }

    private static boolean isHeader(List<String> fields) {
        for (String f : fields) {
            if (!f.isEmpty() && !Text.isNumber(f)) {
                return true;
            }
        }
        return false;
    }

    private static void checkColumns(List<String> fields, int columns, long shapeLine, boolean header,
                                     CsvLines lines, String source) {
        if (fields.size() != columns) {
            throw DataException.at(source, lines.lineNumber(), "expected " + columns + (columns == 1 ? " column" : " columns")
                    + " (like " + (header ? "the header on " : "") + "line " + shapeLine + ") but found " + fields.size());
        }
    }

    /** Parses every field except {@code skip} (-1 for none) into {@code out}. */
    private static void addNumbers(List<String> fields, NumberBuffer out, int skip, CsvLines lines, String source) {
        for (int c = 0; c < fields.size(); c++) {
            if (c == skip) {
                continue;
            }
            String field = fields.get(c);
            if (field.isEmpty()) {
                throw DataException.at(source, lines.lineNumber(), c + 1L, "empty field; write nan for a missing value");
            }
            if (!Text.parseInto(field, out)) {
                throw DataException.at(source, lines.lineNumber(), c + 1L, Text.quote(field) + " is not a number");
            }
        }
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
