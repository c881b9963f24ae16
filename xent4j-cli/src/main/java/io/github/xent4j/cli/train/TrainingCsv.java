package io.github.xent4j.cli.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Reads a table of training examples from CSV: numeric feature columns and one label column.
 *
 * <ul>
 *   <li>Fields are separated by commas; a field may be quoted with {@code "} ({@code ""} inside
 *       quotes is one quote). Blank lines are skipped; a {@code .gz} file is decompressed.</li>
 *   <li>The first row is a header when it contains the requested label column's name (unless that
 *       name is a number), or when it has text in a column where the second row has a number. Without a header, columns are
 *       called by their 0-based index.</li>
 *   <li>The label column is the one named by {@code labelColumn} (a header name, or a 0-based index
 *       for a file without a header), or the last column when null. Every other column is a
 *       feature and must hold a finite number in every row.</li>
 *   <li>Labels are any text; an empty label marks an unlabeled row ({@link LabeledTable#UNLABELED}).
 *       Classes are the distinct labels in numeric order when all are numbers, otherwise in text
 *       order; class index k is the k-th.</li>
 * </ul>
 * Every problem is reported as a {@link BadDataException} naming the file, the line and the value.
 */
final class TrainingCsv {

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private TrainingCsv() {
    }

    /** The bundled 8x8 digits (see NOTICE.md beside digits.csv.gz): 1,797 rows, 64 pixels, label last. */
    static LabeledTable digits() throws BadDataException, IOException {
        String name = "digits.csv.gz";
        InputStream in = TrainingCsv.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("the bundled " + name + " is missing from this build");
        }
        try (InputStream gz = new GZIPInputStream(in)) {
            return read(new InputStreamReader(gz, StandardCharsets.UTF_8), "digits (bundled)", null);
        }
    }

    /** Reads {@code file} (gzip-compressed when its name ends in .gz). */
    static LabeledTable read(Path file, String labelColumn) throws BadDataException {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw BadDataException.in(source, "is a directory, not a CSV file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            InputStream data = source.endsWith(".gz") ? new GZIPInputStream(in) : in;
            return read(new InputStreamReader(data, StandardCharsets.UTF_8), source, labelColumn);
        } catch (NoSuchFileException e) {
            throw BadDataException.in(source, "no such file");
        } catch (IOException e) {
            throw BadDataException.in(source, "cannot be read: %s", e.getMessage());
        }
    }

    /** Reads CSV text from {@code reader}; {@code source} names it in messages. */
    static LabeledTable read(Reader reader, String source, String labelColumn) throws BadDataException, IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<String[]> records = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        String text;
        long lineNo = 0;
        while ((text = in.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            if (text.isBlank()) {
                continue;
            }
            records.add(split(text, source, lineNo));
            lines.add(lineNo);
        }
        if (records.isEmpty()) {
            throw BadDataException.in(source, "is empty; expected CSV rows of numeric features and a label");
        }

        String[] first = records.get(0);
        boolean header = isHeader(first, records.size() > 1 ? records.get(1) : null, labelColumn);
        int cols = first.length;
        if (cols < 2) {
            throw BadDataException.at(source, lines.get(0),
                    "found %d column; expected at least 2 (features and a label), separated by commas", cols);
        }
        String[] names = new String[cols];
        for (int c = 0; c < cols; c++) {
            names[c] = header ? first[c].strip() : Integer.toString(c);
        }
        int label = labelIndex(names, header, labelColumn, source, lines.get(0));

        int start = header ? 1 : 0;
        int rows = records.size() - start;
        if (rows == 0) {
            throw BadDataException.in(source, "has a header but no data rows");
        }
        int featureCount = cols - 1;
        double[] features = new double[Math.multiplyExact(rows, featureCount)];
        String[] labels = new String[rows];
        for (int r = 0; r < rows; r++) {
            String[] rec = records.get(start + r);
            long line = lines.get(start + r);
            if (rec.length != cols) {
                throw BadDataException.at(source, line, "found %d fields; expected %d as in line %d",
                        rec.length, cols, lines.get(0));
            }
            for (int c = 0, f = 0; c < cols; c++) {
                String v = rec[c].strip();
                if (c == label) {
                    labels[r] = v;
                    continue;
                }
                if (v.isEmpty()) {
                    throw BadDataException.at(source, line, "feature %s is empty; every feature must be a number",
                            describe(names[c], header));
                }
                if (!NUMBER.matcher(v).matches()) {
                    throw BadDataException.at(source, line, "feature %s is '%s', not a number",
                            describe(names[c], header), abbreviate(v));
                }
                double d = Double.parseDouble(v);
                if (!Double.isFinite(d)) {
                    throw BadDataException.at(source, line, "feature %s is '%s', too large for a double",
                            describe(names[c], header), abbreviate(v));
                }
                features[r * featureCount + f++] = d;
            }
        }

        String[] featureNames = new String[featureCount];
        for (int c = 0, f = 0; c < cols; c++) {
            if (c != label) {
                featureNames[f++] = names[c];
            }
        }
        String[] classNames = classNames(labels);
        if (classNames.length == 0) {
            throw BadDataException.in(source, "no row has a label in column %s; every label is empty",
                    describe(names[label], header));
        }
        if (classNames.length == 1) {
            throw BadDataException.in(source, "the label column %s has only one class ('%s'); training needs at least 2",
                    describe(names[label], header), abbreviate(classNames[0]));
        }
        Map<String, Integer> index = new HashMap<>();
        for (int k = 0; k < classNames.length; k++) {
            index.put(classNames[k], k);
        }
        int[] target = new int[rows];
        boolean numeric = allNumeric(labels);
        for (int r = 0; r < rows; r++) {
            String v = labels[r];
            target[r] = v.isEmpty() ? LabeledTable.UNLABELED : index.get(numeric ? canonical(v) : v);
        }
        return new LabeledTable(source, featureNames, names[label], classNames, features, target, rows, featureCount);
    }

    /** Splits one CSV line into fields, with RFC 4180 quoting within the line. */
    static String[] split(String line, String source, long lineNo) throws BadDataException {
        if (line.indexOf('"') < 0) {
            return line.split(",", -1);
        }
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            field.setLength(0);
            int p = i;
            while (p < n && line.charAt(p) == ' ') {
                p++;
            }
            if (p < n && line.charAt(p) == '"') {
                int q = p + 1;
                while (true) {
                    if (q >= n) {
                        throw BadDataException.at(source, lineNo, "a quoted field opened at column %d is not closed", p + 1);
                    }
                    char ch = line.charAt(q);
                    if (ch == '"') {
                        if (q + 1 < n && line.charAt(q + 1) == '"') {
                            field.append('"');
                            q += 2;
                            continue;
                        }
                        q++;
                        break;
                    }
                    field.append(ch);
                    q++;
                }
                while (q < n && line.charAt(q) == ' ') {
                    q++;
                }
                if (q < n && line.charAt(q) != ',') {
                    throw BadDataException.at(source, lineNo, "unexpected text after the quoted field ending at column %d", q);
                }
                i = q;
            } else {
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                field.append(line, i, end);
                i = end;
            }
            fields.add(field.toString());
            if (i >= n) {
                return fields.toArray(new String[0]);
            }
            i++; // the comma
        }
    }

    private static boolean isHeader(String[] first, String[] second, String labelColumn) {
        if (labelColumn != null && !isNumber(labelColumn.strip())) {
            for (String f : first) {
                if (f.strip().equals(labelColumn)) {
                    return true;
                }
            }
        }
        if (second == null) {
            for (String f : first) {
                if (isNumber(f.strip())) {
                    return false;
                }
            }
            return true;
        }
        for (int c = 0; c < Math.min(first.length, second.length); c++) {
            String a = first[c].strip();
            if (!a.isEmpty() && !isNumber(a) && isNumber(second[c].strip())) {
                return true;
            }
        }
        return false;
    }

    private static int labelIndex(String[] names, boolean header, String labelColumn, String source, long line)
            throws BadDataException {
        if (labelColumn == null) {
            return names.length - 1;
        }
        if (header) {
            for (int c = 0; c < names.length; c++) {
                if (names[c].equals(labelColumn)) {
                    return c;
                }
            }
            throw BadDataException.at(source, line, "the header has no column named '%s'; columns are %s",
                    labelColumn, abbreviate(String.join(", ", names)));
        }
        try {
            int c = Integer.parseInt(labelColumn.strip());
            if (c >= 0 && c < names.length) {
                return c;
            }
            throw BadDataException.at(source, line, "--label-column %d is out of range: the file has %d columns, 0..%d",
                    c, names.length, names.length - 1);
        } catch (NumberFormatException e) {
            throw BadDataException.at(source, line,
                    "the file has no header row (line %d is data), so no column is named '%s'; add a header or give a 0-based column index",
                    line, labelColumn);
        }
    }

    private static String[] classNames(String[] labels) {
        if (allNumeric(labels)) {
            TreeMap<Double, String> byValue = new TreeMap<>();
            for (String v : labels) {
                if (!v.isEmpty()) {
                    byValue.putIfAbsent(Double.parseDouble(v), canonical(v));
                }
            }
            return byValue.values().toArray(new String[0]);
        }
        return Arrays.stream(labels).filter(v -> !v.isEmpty()).distinct().sorted().toArray(String[]::new);
    }

    private static boolean allNumeric(String[] labels) {
        for (String v : labels) {
            if (!v.isEmpty() && !isNumber(v)) {
                return false;
            }
        }
        return true;
    }

    /** One spelling per numeric label value: "1", "1.0" and "+1" are the same class, called "1". */
    private static String canonical(String v) {
        double d = Double.parseDouble(v);
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    private static boolean isNumber(String v) {
        return NUMBER.matcher(v).matches();
    }

    private static String describe(String name, boolean header) {
        return header ? "'" + name + "'" : "in column " + name;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
