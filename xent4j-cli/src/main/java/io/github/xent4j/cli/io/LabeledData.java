package io.github.xent4j.cli.io;

import java.util.List;
import java.util.Objects;

/**
 * Training data read from a CSV file: feature columns and one label column (see
 * {@link LabeledCsv#read(java.nio.file.Path, String)}). Every feature is a finite number.
 *
 * <p>Labels may be missing (an empty field). A numeric label column gives {@code INT64} labels when
 * every present label is an integer, else {@code FLOAT64}; a column with any non-numeric label is
 * read as class names, numbered {@code 0..K-1} in sorted order, with the names in
 * {@link #classNames()}. A missing label holds {@code -1} ({@code INT64}) or {@code NaN}
 * ({@code FLOAT64}); use {@link #labelMissing()} to tell it from a real one.
 *
 * @param featureNames the names of the feature columns, in file order (their 0-based indices as
 *                     text when the file has no header)
 * @param features     shape {@code (N, F)}
 * @param labelName    the label column's name (likewise)
 * @param labels       shape {@code (N)}
 * @param labelMissing length {@code N}; true where the label field was empty
 * @param classNames   the sorted class names when the labels are names, otherwise empty
 */
public record LabeledData(List<String> featureNames, NdArray features, String labelName, NdArray labels,
                          boolean[] labelMissing, List<String> classNames) {

    /** Copies the lists and the mask. */
    public LabeledData {
        featureNames = List.copyOf(featureNames);
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labelName, "labelName");
        Objects.requireNonNull(labels, "labels");
        labelMissing = labelMissing.clone();
        classNames = List.copyOf(classNames);
    }

    /** A copy of the missing-label mask. */
    @Override
    public boolean[] labelMissing() {
        return labelMissing.clone();
    }

    /** The number of rows whose label is missing. */
    public int missingCount() {
        int n = 0;
        for (boolean m : labelMissing) {
            n += m ? 1 : 0;
        }
        return n;
    }
}
