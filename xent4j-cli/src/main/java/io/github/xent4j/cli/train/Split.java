package io.github.xent4j.cli.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded, stratified train/test split with features standardised by the training part's mean and
 * standard deviation. Each class puts {@code round(n_c * testFraction)} of its examples into the test
 * part, but always keeps at least one for training; unlabeled examples all go to training (the loss
 * ignores them there, and a test set without labels measures nothing).
 */
record Split(Examples train, Examples test, double[] mean, double[] std) {

    static Split stratified(LabeledTable t, double testFraction, long seed) {
        Random random = new Random(seed);
        List<List<Integer>> byClass = new ArrayList<>();
        for (int k = 0; k < t.classes(); k++) {
            byClass.add(new ArrayList<>());
        }
        List<Integer> unlabeled = new ArrayList<>();
        for (int r = 0; r < t.rows(); r++) {
            int y = t.target()[r];
            (y == LabeledTable.UNLABELED ? unlabeled : byClass.get(y)).add(r);
        }
        List<Integer> train = new ArrayList<>(unlabeled);
        List<Integer> test = new ArrayList<>();
        for (List<Integer> rows : byClass) {
            int[] order = rows.stream().mapToInt(Integer::intValue).toArray();
            shuffle(order, random);
            int n = order.length;
            int nTest = n == 0 ? 0 : (int) Math.min(n - 1, Math.round(n * testFraction));
            for (int i = 0; i < n; i++) {
                (i < nTest ? test : train).add(order[i]);
            }
        }
        // Interleave the classes: training batches are drawn from a shuffled order anyway, but the
        // test rows and the log stay in one seeded order.
        int[] trainRows = train.stream().mapToInt(Integer::intValue).toArray();
        int[] testRows = test.stream().mapToInt(Integer::intValue).toArray();
        shuffle(trainRows, random);
        shuffle(testRows, random);

        int d = t.cols();
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int r : trainRows) {
            for (int j = 0; j < d; j++) {
                mean[j] += t.features()[r * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= Math.max(1, trainRows.length);
        }
        for (int r : trainRows) {
            for (int j = 0; j < d; j++) {
                double v = t.features()[r * d + j] - mean[j];
                std[j] += v * v;
            }
        }
        for (int j = 0; j < d; j++) {
            double s = Math.sqrt(std[j] / Math.max(1, trainRows.length));
            // A constant feature (a corner pixel that is always 0) becomes 0, not 0/0.
            std[j] = s > 1e-12 ? s : 1;
        }
        return new Split(gather(t, trainRows, mean, std), gather(t, testRows, mean, std), mean, std);
    }

    private static Examples gather(LabeledTable t, int[] rows, double[] mean, double[] std) {
        int d = t.cols();
        double[] x = new double[rows.length * d];
        int[] y = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            int r = rows[i];
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (t.features()[r * d + j] - mean[j]) / std[j];
            }
            y[i] = t.target()[r];
        }
        return new Examples(x, y, rows.length, d);
    }

    /** Fisher-Yates with java.util.Random, whose sequence is specified: same seed, same order on any JVM. */
    static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}
