package io.github.xent4j.cli.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads training data from CSV, as {@code xent train --data FILE --label-column NAME} takes it:
 * one line per example, every column except the label column is a feature.
 *
 * <p>Lines, separators, quotes, comments, the byte order mark, gzip, UTF-8 and the spelling of
 * numbers are as in {@link Csv}, and so are the messages for them: one line reader splits both.
 * What differs:
 * <ul>
 *   <li>The label column is the one named {@code labelColumn} in the header; in a file without
 *       a header, {@code labelColumn} is its 0-based index. When it is null, the label column
 *       is the last one.</li>
 *   <li>Labels may be text, so the first line is a header when it holds the label column's name
 *       (unless that name is a number), or when it has text in a column where the second line
 *       has a number (or, in a one-line file, when none of its fields is a number). Without a
 *       header, the columns are named by their 0-based index: {@code "0"}, {@code "1"}, ...</li>
 *   <li>Every feature must be a finite number: a model cannot learn from {@code nan}.</li>
 *   <li>The file needs at least two columns: features and a label.</li>
 * </ul>
 * See {@link LabeledData} for how labels are typed and how a missing (empty) label is marked.
 */
public final class LabeledCsv {

    private LabeledCsv() {
    }

    /**
     * Reads a training CSV file.
     *
     * @param file        a CSV file, possibly gzip-compressed
     * @param labelColumn the label column's name, its 0-based index in a file without a header, or
     *                    null for the last column
     * @return the features {@code (N, F)}, the labels {@code (N)} and which labels are missing
     * @throws DataException as {@link Csv#read(Path)}, for a non-finite feature, for fewer than two
     *                       columns, and if there is no such label column
     */
    public static LabeledData read(Path file, String labelColumn) {
        return CsvLines.read(file, lines -> parse(lines, labelColumn));
    }

    /**
     * {@link #read(Path, String)} on a stream, such as a bundled resource; reads it to the end and
     * closes it.
     *
     * @param in          CSV text in UTF-8, possibly gzip-compressed
     * @param source      what messages call the data, e.g. {@code "digits (bundled)"}
     * @param labelColumn as in {@link #read(Path, String)}
     * @return as {@link #read(Path, String)}
     * @throws DataException as {@link #read(Path, String)}
     */
    public static LabeledData read(InputStream in, String source, String labelColumn) {
        return CsvLines.read(in, source, lines -> parse(lines, labelColumn));
    }

    /** {@link #read(Path, String)} on a string. */
    static LabeledData parse(String text, String source, String labelColumn) {
        return CsvLines.parse(text, source, lines -> parse(lines, labelColumn));
    }

    private static LabeledData parse(CsvLines lines, String labelColumn) throws IOException {
        String source = lines.source();
        List<String> first = lines.first();
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
            lines.addNumbers(first, features, labelIndex, true, firstLine);
            labelFields.add(first.get(labelIndex));
        }
        for (List<String> fields = second; fields != null; fields = lines.next()) {
            lines.checkColumns(fields, columns, firstLine, header);
            lines.addNumbers(fields, features, labelIndex, true, lines.lineNumber());
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
     * The header rule of {@link #read(Path, String)}: a text label in every line must not make
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
}
