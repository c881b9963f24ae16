package io.github.xent4j.cli.train;

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
