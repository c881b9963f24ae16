package io.github.xent4j.cli.train;

import io.github.xent4j.CrossEntropyLoss;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole model's analytic gradient (xent4j's fused cross-entropy gradient back-propagated through
 * the layers) against central finite differences of the loss, in float64.
 */
class GradientCheckTest {

    private static final int FEATURES = 5;
    private static final int CLASSES = 4;
    private static final int ROWS = 7;

    @Test
    void logisticRegressionGradientMatchesFiniteDifferences() {
        check(new LogisticRegression(FEATURES, CLASSES), plainLoss(), 11);
    }

    @Test
    void mlpGradientMatchesFiniteDifferences() {
        check(new Mlp(FEATURES, 6, CLASSES), plainLoss(), 12);
    }

    @Test
    void mlpGradientWithClassWeightsSmoothingAndAnUnlabeledRowMatchesFiniteDifferences() {
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(0.5, 2.0, 1.0, 1.5).labelSmoothing(0.1)
                .ignoreIndex(LabeledTable.UNLABELED).build();
        check(new Mlp(FEATURES, 6, CLASSES), loss, 13);
    }

    @Test
    void untrainedLogisticRegressionPredictsUniformlySoItsLossIsLogC() {
        Random r = new Random(3);
        Model m = new LogisticRegression(FEATURES, CLASSES);
        double[] params = new double[m.parameterCount()];
        m.initialize(params, r);
        try (Parallel par = new Parallel(1)) {
            Trainer t = new Trainer(m, params, new Optimizer.Sgd(params.length, 0.1, 0, 0), plainLoss(), ROWS, par);
            double value = t.lossAndGradient(randomX(r), randomTargets(r, false), ROWS, new double[params.length]);
            assertEquals(Math.log(CLASSES), value, 1e-15);
        }
    }

    @Test
    void gradientIsBitwiseTheSameForAnyThreadCount() {
        long seed = 21;
        Random r = new Random(seed);
        int rows = 300; // enough work for the products to be split across threads
        double[] x = new double[rows * 40];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(CLASSES);
        }
        double[][] grads = new double[3][];
        double[] values = new double[3];
        for (int threads = 1; threads <= 3; threads++) {
            Model m = new Mlp(40, 64, CLASSES);
            double[] params = new double[m.parameterCount()];
            m.initialize(params, new Random(seed));
            CrossEntropyLoss loss = plainLoss().toBuilder().threads(threads).build();
            try (Parallel par = new Parallel(threads)) {
                Trainer t = new Trainer(m, params, new Optimizer.Sgd(params.length, 0.1, 0, 0), loss, rows, par);
                grads[threads - 1] = new double[params.length];
                values[threads - 1] = t.lossAndGradient(x, y, rows, grads[threads - 1]);
            }
        }
        for (int t = 1; t < 3; t++) {
            assertEquals(values[0], values[t], 0.0, "loss, threads=" + (t + 1) + ", seed " + seed);
            assertArrayEquals(grads[0], grads[t], 0.0, "gradient, threads=" + (t + 1) + ", seed " + seed);
        }
    }

    @Test
    void evaluateGivesTheMeanLossOverChunks() {
        // 1500 rows: evaluation runs in two chunks, whose (sum, weight) pairs must merge into the mean.
        Random r = new Random(31);
        int rows = 1500;
        Model m = new LogisticRegression(3, CLASSES);
        double[] params = new double[m.parameterCount()];
        for (int i = 0; i < params.length; i++) {
            params[i] = r.nextGaussian();
        }
        double[] x = new double[rows * 3];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        for (int i = 0; i < rows; i++) {
            y[i] = i % 10 == 0 ? LabeledTable.UNLABELED : r.nextInt(CLASSES);
        }
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(1.0, 3.0, 0.5, 2.0).labelSmoothing(0.2)
                .ignoreIndex(LabeledTable.UNLABELED).build();
        try (Parallel par = new Parallel(1)) {
            Trainer t = new Trainer(m, params, new Optimizer.Sgd(params.length, 0.1, 0, 0), loss, rows, par);
            Trainer.Metrics metrics = t.evaluate(new Examples(x, y, rows, 3));
            double[] logits = new double[rows * CLASSES];
            m.forward(par, params, x, rows, logits);
            assertEquals(loss.value(logits, new int[] {rows, CLASSES}, y), metrics.loss(), 1e-12);
            assertEquals(CrossEntropyLoss.DEFAULTS.value(logits, new int[] {rows, CLASSES}, y),
                    metrics.plainCrossEntropy(), 1e-12);
            assertEquals(rows - rows / 10, metrics.labeled());
        }
    }

    private static CrossEntropyLoss plainLoss() {
        return CrossEntropyLoss.builder().ignoreIndex(LabeledTable.UNLABELED).build();
    }

    /** Central differences with step 1e-6 for every parameter; the error is O(h^2) + O(eps/h), about 1e-9. */
    private static void check(Model m, CrossEntropyLoss loss, long seed) {
        Random r = new Random(seed);
        double[] params = new double[m.parameterCount()];
        m.initialize(params, r);
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.3 * r.nextGaussian(); // non-zero biases and logreg weights: a generic point
        }
        double[] x = randomX(r);
        int[] y = randomTargets(r, true);
        try (Parallel par = new Parallel(1)) {
            Trainer t = new Trainer(m, params, new Optimizer.Sgd(params.length, 0.1, 0, 0), loss, ROWS, par);
            double[] analytic = new double[params.length];
            double value = t.lossAndGradient(x, y, ROWS, analytic);
            assertTrue(Double.isFinite(value) && value > 0, "loss " + value + ", seed " + seed);
            double[] scratch = new double[params.length];
            double h = 1e-6;
            double worst = 0;
            for (int i = 0; i < params.length; i++) {
                double saved = params[i];
                params[i] = saved + h;
                double up = t.lossAndGradient(x, y, ROWS, scratch);
                params[i] = saved - h;
                double down = t.lossAndGradient(x, y, ROWS, scratch);
                params[i] = saved;
                double numeric = (up - down) / (2 * h);
                double err = Math.abs(numeric - analytic[i]);
                worst = Math.max(worst, err);
                assertEquals(numeric, analytic[i], 1e-7 * Math.max(1, Math.abs(numeric)),
                        m.describe() + " d(loss)/d(param[" + i + "]), seed " + seed);
            }
            double norm = 0;
            for (double g : analytic) {
                norm += g * g;
            }
            assertTrue(Math.sqrt(norm) > 1e-3, "a vanishing gradient checks nothing; seed " + seed);
            assertTrue(worst < 1e-7, "worst error " + worst + ", seed " + seed);
        }
    }

    private static double[] randomX(Random r) {
        double[] x = new double[ROWS * FEATURES];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    private static int[] randomTargets(Random r, boolean oneUnlabeled) {
        int[] y = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            y[i] = r.nextInt(CLASSES);
        }
        if (oneUnlabeled) {
            y[2] = LabeledTable.UNLABELED;
        }
        return y;
    }
}
