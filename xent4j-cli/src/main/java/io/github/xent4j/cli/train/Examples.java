package io.github.xent4j.cli.train;

/** {@code rows} examples of {@code cols} features (row-major) and their class indices or {@link LabeledTable#UNLABELED}. */
record Examples(double[] x, int[] target, int rows, int cols) {

    long labeled() {
        long n = 0;
        for (int y : target) {
            if (y != LabeledTable.UNLABELED) {
                n++;
            }
        }
        return n;
    }
}
