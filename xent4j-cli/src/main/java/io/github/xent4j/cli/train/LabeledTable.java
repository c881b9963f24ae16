package io.github.xent4j.cli.train;

import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.io.DataException;
import io.github.xent4j.cli.io.LabeledCsv;
import io.github.xent4j.cli.io.LabeledData;
import io.github.xent4j.cli.io.NdArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeMap;

/**
 * A data set in memory: {@code rows} examples of {@code cols} features (row-major in
 * {@code features}) and one class index per example in {@code target}, where
 * {@link #UNLABELED} (PyTorch's default ignore_index) marks an example without a label.
 * Class index {@code k} is called {@code classNames[k]}.
 */
record LabeledTable(String source, String[] featureNames, String labelName, String[] classNames,
                    double[] features, int[] target, int rows, int cols) {

    /** The class index of an unlabeled example: cross-entropy's default ignore_index. */
    static final int UNLABELED = -100;

    private static final String DIGITS = "digits.csv.gz";

    /** The bundled 8x8 digits (see NOTICE.md beside digits.csv.gz): 1,797 rows, 64 pixels, label last. */
    static LabeledTable digits() throws IOException {
        InputStream in = LabeledTable.class.getResourceAsStream(DIGITS);
        if (in == null) {
            throw new IOException("the bundled " + DIGITS + " is missing from this build");
        }
        return of(LabeledCsv.read(in, "digits (bundled)", null));
    }

    /**
     * Reads the user's CSV as {@link LabeledCsv#read(Path, String)} does.
     *
     * @param labelColumn a header name, a 0-based index in a file without a header, or null for the last column
     * @throws DataException for a file that cannot be read or parsed, or that has nothing to train on
     */
    static LabeledTable read(Path file, String labelColumn) {
        return of(LabeledCsv.read(file, labelColumn));
    }

    /**
     * Numbers the classes of {@code data}: text labels keep the codec's sorted order; numeric labels
     * are class names too, in increasing order of value, so "1", "1.0" and "+1" are one class called
     * "1". A missing label becomes {@link #UNLABELED}.
     *
     * @throws DataException when there are no rows, no labels, or fewer than two classes
     */
    static LabeledTable of(LabeledData data) {
        NdArray labels = data.labels();
        String source = labels.source();
        boolean[] missing = data.labelMissing();
        int rows = missing.length;
        if (rows == 0) {
            throw new DataException(source + ": has a header but no data rows");
        }
        int[] target = new int[rows];
        String[] classNames;
        if (!data.classNames().isEmpty()) {
            classNames = data.classNames().toArray(new String[0]);
            for (int r = 0; r < rows; r++) {
                target[r] = missing[r] ? UNLABELED : (int) labels.getDouble(r);
            }
        } else {
            TreeMap<Double, Integer> index = new TreeMap<>();
            for (int r = 0; r < rows; r++) {
                if (!missing[r]) {
                    index.put(labels.getDouble(r), 0);
                }
            }
            classNames = new String[index.size()];
            int k = 0;
            for (var e : index.entrySet()) {
                classNames[k] = Dims.value(e.getKey(), false);
                e.setValue(k++);
            }
            for (int r = 0; r < rows; r++) {
                target[r] = missing[r] ? UNLABELED : index.get(labels.getDouble(r));
            }
        }
        if (classNames.length == 0) {
            throw new DataException(String.format(Locale.ROOT, "%s: no row has a label in column '%s'; every label is empty",
                    source, data.labelName()));
        }
        if (classNames.length == 1) {
            throw new DataException(String.format(Locale.ROOT,
                    "%s: the label column '%s' has only one class ('%s'); training needs at least 2",
                    source, data.labelName(), classNames[0]));
        }
        int cols = data.featureNames().size();
        return new LabeledTable(source, data.featureNames().toArray(new String[0]), data.labelName(), classNames,
                data.features().toDouble(), target, rows, cols);
    }

    int classes() {
        return classNames.length;
    }

    long labeledRows() {
        long n = 0;
        for (int y : target) {
            if (y != UNLABELED) {
                n++;
            }
        }
        return n;
    }
}
