package io.github.xent4j.cli.io;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

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
 *       {@link #readLabeled(Path, String)}.</li>
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

    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;

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
        try (BufferedReader reader = open(file)) {
            return parseTable(reader, file.toString());
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    /** An I/O failure while reading {@code file}; for bad UTF-8, where the first bad byte is. */
    private static DataException readError(Path file, IOException e) {
        return e instanceof CharacterCodingException ? Utf8.error(file) : DataException.io(file, "read", e);
    }

    /**
     * Reads training data: every column except the label column is a feature.
     *
     * <ul>
     *   <li>The label column is the one named {@code labelColumn} in the header; in a file without
     *       a header, {@code labelColumn} is its 0-based index. When it is null, the label column
     *       is the last one.</li>
     *   <li>Labels may be text, so the first line is a header when it holds the label column's name
     *       (unless that name is a number), or when it has text in a column where the second line
     *       has a number (or, in a one-line file, when none of its fields is a number). Without a
     *       header, the columns are named by their 0-based index: {@code "0"}, {@code "1"}, ...</li>
     *   <li>Every feature must be a finite number: a model cannot learn from {@code nan}.</li>
     * </ul>
     *
     * @param file        a CSV file, possibly gzip-compressed
     * @param labelColumn the label column's name, its 0-based index in a file without a header, or
     *                    null for the last column
     * @return the features {@code (N, F)}, the labels {@code (N)} and which labels are missing
     * @throws DataException as {@link #read(Path)}, for a non-finite feature, for fewer than two
     *                       columns, and if there is no such label column
     */
    public static LabeledData readLabeled(Path file, String labelColumn) {
        try (BufferedReader reader = open(file)) {
            return parseLabeled(reader, file.toString(), labelColumn);
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    /**
     * {@link #readLabeled(Path, String)} on a stream, such as a bundled resource; reads it to the
     * end and closes it.
     *
     * @param in          CSV text in UTF-8, possibly gzip-compressed
     * @param source      what messages call the data, e.g. {@code "digits (bundled)"}
     * @param labelColumn as in {@link #readLabeled(Path, String)}
     * @throws DataException as {@link #readLabeled(Path, String)}
     */
    public static LabeledData readLabeled(InputStream in, String source, String labelColumn) {
        try (BufferedReader reader = open(in)) {
            return parseLabeled(reader, source, labelColumn);
        } catch (IOException e) {
            throw DataException.io(source, "read", e);
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

    private static BufferedReader open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw DataException.at(file, "is a directory, not a file");
        }
        return open(Files.newInputStream(file));
    }

    /** UTF-8 text (malformed bytes are an error, as in Files.newBufferedReader), gunzipped if it starts like gzip. */
    private static BufferedReader open(InputStream in) throws IOException {
        try {
            BufferedInputStream buffered = new BufferedInputStream(in);
            buffered.mark(2);
            boolean gzip = buffered.read() == GZIP_MAGIC_0 && buffered.read() == GZIP_MAGIC_1;
            buffered.reset();
            InputStream data = gzip ? new GZIPInputStream(buffered) : buffered;
            return new BufferedReader(new InputStreamReader(data, StandardCharsets.UTF_8.newDecoder()));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
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
            try {
                addNumbers(first, values, -1, false, shapeLine, source);
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
            checkColumns(fields, columns, shapeLine, header, lines.lineNumber(), source);
            addNumbers(fields, values, -1, false, lines.lineNumber(), source);
            rows++;
        }
        int[] shape = columns == 1 ? new int[] {rows} : new int[] {rows, columns};
        return new CsvTable(header ? first : List.of(), values.toArray(shape, source));
    }

    private static LabeledData parseLabeled(BufferedReader reader, String source, String labelColumn)
            throws IOException {
        CsvLines lines = new CsvLines(reader, source);
        List<String> first = firstLine(lines, source);
        long firstLine = lines.lineNumber();
        int columns = first.size();
        if (columns < 2) {
            throw DataException.at(source, firstLine, "found 1 column; training data needs at least 2: "
                    + "features and a label");
        }
        List<String> second = lines.next();
        boolean header = isLabeledHeader(first, second, labelColumn);
        List<String> names = header ? first : indexNames(columns);
        int labelIndex = labelIndex(names, header, labelColumn, source, firstLine);

        NumberBuffer features = new NumberBuffer(source);
        List<String> labelFields = new ArrayList<>();
        if (!header) {
            addNumbers(first, features, labelIndex, true, firstLine, source);
            labelFields.add(first.get(labelIndex));
        }
        for (List<String> fields = second; fields != null; fields = lines.next()) {
            checkColumns(fields, columns, firstLine, header, lines.lineNumber(), source);
            addNumbers(fields, features, labelIndex, true, lines.lineNumber(), source);
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
                names.get(labelIndex), labels, missing, classNames);
    }

    /**
     * The header rule of {@link #readLabeled(Path, String)}: a text label in every line must not make
     * the first line a header, so text counts only above a number.
     */
    private static boolean isLabeledHeader(List<String> first, List<String> second, String labelColumn) {
        if (labelColumn != null && !Text.isNumber(labelColumn) && first.contains(labelColumn)) {
            return true;
        }
        if (second == null) {
            return first.stream().noneMatch(Text::isNumber);
        }
        for (int c = 0; c < Math.min(first.size(), second.size()); c++) {
            String name = first.get(c);
            if (!name.isEmpty() && !Text.isNumber(name) && Text.isNumber(second.get(c))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> indexNames(int columns) {
        List<String> names = new ArrayList<>(columns);
        for (int c = 0; c < columns; c++) {
            names.add(Integer.toString(c));
        }
        return names;
    }

    private static int labelIndex(List<String> names, boolean header, String labelColumn, String source, long line) {
        if (labelColumn == null) {
            return names.size() - 1;
        }
        if (header) {
            int index = names.indexOf(labelColumn);
            if (index < 0) {
                throw DataException.at(source, line, "no column named '" + labelColumn + "'; the columns are "
                        + Text.shorten(String.join(", ", names), 60));
            }
            return index;
        }
        int index;
        try {
            index = Integer.parseInt(labelColumn);
        } catch (NumberFormatException e) {
            throw DataException.at(source, line, "no header line (line " + line + " is data), so no column is named '"
                    + labelColumn + "'; add a header or give a 0-based column index");
        }
        if (index < 0 || index >= names.size()) {
            throw DataException.at(source, line, "label column " + index + " is out of range: the file has "
                    + names.size() + " columns, 0.." + (names.size() - 1));
        }
        return index;
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

    private static void checkColumns(List<String> fields, int columns, long shapeLine, boolean header, long line,
                                     String source) {
        if (fields.size() != columns) {
            throw DataException.at(source, line, "expected " + columns + (columns == 1 ? " column" : " columns")
                    + " (like " + (header ? "the header on " : "") + "line " + shapeLine + ") but found " + fields.size());
        }
    }

    /**
     * Parses every field except {@code skip} (-1 for none) into {@code out}; {@code finite} when the
     * fields are features to train on, where nan and inf are errors.
     */
    private static void addNumbers(List<String> fields, NumberBuffer out, int skip, boolean finite, long line,
                                   String source) {
        for (int c = 0; c < fields.size(); c++) {
            if (c == skip) {
                continue;
            }
            String field = fields.get(c);
            if (field.isEmpty()) {
                throw DataException.at(source, line, c + 1L, finite ? "empty field; every feature must be a number"
                        : "empty field; write nan for a missing value");
            }
            if (!Text.parseInto(field, out)) {
                throw DataException.at(source, line, c + 1L, Text.quote(field) + " is not a number");
            }
            if (finite && !Double.isFinite(out.getDouble(out.size() - 1))) {
                boolean overflow = Character.isDigit(field.charAt(field.length() - 1));
                throw DataException.at(source, line, c + 1L, Text.quote(field) + (overflow ? " is too large for a double"
                        : " is not a finite number; every feature must be one"));
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
