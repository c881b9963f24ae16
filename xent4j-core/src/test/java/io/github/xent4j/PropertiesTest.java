package io.github.xent4j;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded property tests (jqwik prints the seed of a failing try). Each property draws a seed and
 * sizes, and builds its data from {@link Random} with that seed.
 */
class PropertiesTest {

    private static double[] gaussian(Random r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian() * scale;
        }
        return a;
    }

    private static int[] targets(Random r, int n, int classes, double ignoreRate) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextDouble() < ignoreRate ? -100 : r.nextInt(classes);
        }
        return t;
    }

    private static double[] positiveWeights(Random r, int classes) {
        double[] w = new double[classes];
        for (int c = 0; c < classes; c++) {
            w[c] = 0.2 + 2 * r.nextDouble();
        }
        return w;
    }

    private static double[] softRows(Random r, int rows, int classes) {
        double[] t = new double[rows * classes];
        for (int n = 0; n < rows; n++) {
            double s = 0;
            for (int c = 0; c < classes; c++) {
                t[n * classes + c] = r.nextDouble();
                s += t[n * classes + c];
            }
            for (int c = 0; c < classes; c++) {
                t[n * classes + c] /= s;
            }
        }
        return t;
    }

    /** Central differences of f at x, compared to the analytic gradient. */
    private static void assertGradient(java.util.function.ToDoubleFunction<double[]> f, double[] x, double[] grad) {
        double h = 1e-6;
        for (int i = 0; i < x.length; i++) {
            double[] a = x.clone();
            double[] b = x.clone();
            a[i] += h;
            b[i] -= h;
            double numeric = (f.applyAsDouble(a) - f.applyAsDouble(b)) / (2 * h);
            assertEquals(numeric, grad[i], 1e-6 * Math.max(1, Math.abs(numeric)), "d/dx[" + i + "]");
        }
    }

    @Property(tries = 60)
    void crossEntropyIndexGradientMatchesFiniteDifferences(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int rows,
                                                           @ForAll @IntRange(min = 1, max = 6) int classes,
                                                           @ForAll @IntRange(min = 1, max = 3) int inner,
                                                           @ForAll boolean weighted,
                                                           @ForAll @DoubleRange(min = 0, max = 1) double smoothing) {
        Random r = new Random(seed);
        int[] shape = inner == 1 ? new int[] {rows, classes} : new int[] {rows, classes, inner};
        double[] x = gaussian(r, rows * classes * inner, 3);
        int[] y = targets(r, rows * inner, classes, 0.2);
        if (y[0] == -100) {
            y[0] = 0;
        }
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(weighted ? positiveWeights(r, classes) : null)
                .labelSmoothing(smoothing).build();
        DoubleResult res = loss.forwardBackward(x, shape, y);
        assertGradient(v -> loss.value(v, shape, y), x, res.gradient());
    }

    @Property(tries = 40)
    void crossEntropyProbGradientMatchesFiniteDifferences(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int rows,
                                                          @ForAll @IntRange(min = 1, max = 6) int classes,
                                                          @ForAll boolean weighted,
                                                          @ForAll @DoubleRange(min = 0, max = 1) double smoothing) {
        Random r = new Random(seed);
        int[] shape = {rows, classes};
        double[] x = gaussian(r, rows * classes, 3);
        double[] t = softRows(r, rows, classes);
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(weighted ? positiveWeights(r, classes) : null)
                .labelSmoothing(smoothing).build();
        assertGradient(v -> loss.value(v, shape, t), x, loss.forwardBackward(x, shape, t).gradient());
    }

    @Property(tries = 40)
    void elementwiseLossGradientsMatchFiniteDifferences(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int n,
                                                        @ForAll boolean weighted) {
        Random r = new Random(seed);
        int[] shape = {n};
        double[] x = gaussian(r, n, 2);
        double[] y = new double[n];
        double[] probs = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextDouble();
            probs[i] = 0.05 + 0.9 * r.nextDouble();
        }
        double[] w = weighted ? positiveWeights(r, n) : null;
        BceWithLogitsLoss bcel = BceWithLogitsLoss.builder().weight(w, n).posWeight(weighted ? positiveWeights(r, n) : null, n).build();
        assertGradient(v -> bcel.value(v, shape, y), x, bcel.forwardBackward(x, shape, y).gradient());
        BceLoss bce = BceLoss.builder().weight(w, n).build();
        assertGradient(v -> bce.value(v, shape, y), probs, bce.forwardBackward(probs, shape, y).gradient());
        KlDivLoss kl = KlDivLoss.builder().reduction(Reduction.BATCHMEAN).build();
        assertGradient(v -> kl.value(v, shape, y), x, kl.forwardBackward(x, shape, y).gradient());
    }

    @Property(tries = 40)
    void softmaxBackwardIsTheVectorJacobianProduct(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int a,
                                                   @ForAll @IntRange(min = 1, max = 5) int b,
                                                   @ForAll @IntRange(min = 0, max = 1) int dim, @ForAll boolean log) {
        Random r = new Random(seed);
        int[] shape = {a, b};
        double[] x = gaussian(r, a * b, 2);
        double[] g = gaussian(r, a * b, 1);
        double[] y = log ? Softmax.DEFAULTS.logSoftmax(x, shape, dim) : Softmax.DEFAULTS.softmax(x, shape, dim);
        java.util.function.ToDoubleFunction<double[]> f = v -> {
            double[] out = log ? Softmax.DEFAULTS.logSoftmax(v, shape, dim) : Softmax.DEFAULTS.softmax(v, shape, dim);
            double s = 0;
            for (int i = 0; i < out.length; i++) {
                s += g[i] * out[i];
            }
            return s;
        };
        assertGradient(f, x, log ? Softmax.DEFAULTS.logSoftmaxBackward(y, g, shape, dim) : Softmax.DEFAULTS.softmaxBackward(y, g, shape, dim));
    }

    @Property(tries = 50)
    void crossEntropyIsShiftInvariantAndNonNegative(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int rows,
                                                    @ForAll @IntRange(min = 1, max = 9) int classes,
                                                    @ForAll @DoubleRange(min = -1e3, max = 1e3) double shift) {
        Random r = new Random(seed);
        int[] shape = {rows, classes};
        double[] x = gaussian(r, rows * classes, 5);
        int[] y = targets(r, rows, classes, 0);
        double[] shifted = x.clone();
        for (int n = 0; n < rows; n++) {
            double rowShift = shift * r.nextDouble();
            for (int c = 0; c < classes; c++) {
                shifted[n * classes + c] += rowShift;
            }
        }
        CrossEntropyLoss loss = CrossEntropyLoss.builder().reduction(Reduction.NONE).labelSmoothing(0.1).build();
        double[] a = loss.forward(x, shape, y).losses();
        double[] b = loss.forward(shifted, shape, y).losses();
        for (int i = 0; i < rows; i++) {
            assertTrue(a[i] >= 0, "CE >= 0");
            assertEquals(a[i], b[i], 1e-9 * Math.max(1, Math.abs(shift)));
        }
    }

    @Property(tries = 50)
    void softmaxRowsSumToOne(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int a, @ForAll @IntRange(min = 1, max = 40) int b,
                             @ForAll @DoubleRange(min = 0.1, max = 1e4) double scale) {
        Random r = new Random(seed);
        float[] x = new float[a * b];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        float[] p = Softmax.DEFAULTS.softmax(x, new int[] {a, b}, 1);
        for (int n = 0; n < a; n++) {
            double s = 0;
            for (int c = 0; c < b; c++) {
                assertTrue(p[n * b + c] >= 0 && p[n * b + c] <= 1);
                s += p[n * b + c];
            }
            assertEquals(1.0, s, 1e-5);
        }
    }

    @Property(tries = 50)
    void integerTargetsEqualOneHotProbabilityTargets(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int rows,
                                                     @ForAll @IntRange(min = 1, max = 7) int classes,
                                                     @ForAll boolean weighted,
                                                     @ForAll @DoubleRange(min = 0, max = 1) double smoothing) {
        Random r = new Random(seed);
        int[] shape = {rows, classes};
        double[] x = gaussian(r, rows * classes, 3);
        int[] y = targets(r, rows, classes, 0);
        double[] oneHot = new double[rows * classes];
        for (int n = 0; n < rows; n++) {
            oneHot[n * classes + y[n]] = 1;
        }
        // Per position the two paths agree; their MEAN denominators differ (sum of w[y] vs N), so compare NONE.
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(weighted ? positiveWeights(r, classes) : null)
                .labelSmoothing(smoothing).reduction(Reduction.NONE).build();
        DoubleResult a = loss.forwardBackward(x, shape, y);
        DoubleResult b = loss.forwardBackward(x, shape, oneHot);
        assertArrayEquals(a.losses(), b.losses(), 1e-12);
        assertArrayEquals(a.gradient(), b.gradient(), 1e-12);
    }

    @Property(tries = 50)
    void ignoreIndexEqualsDroppingThoseRows(@ForAll long seed, @ForAll @IntRange(min = 2, max = 8) int rows,
                                           @ForAll @IntRange(min = 2, max = 6) int classes, @ForAll boolean weighted,
                                           @ForAll @DoubleRange(min = 0, max = 1) double smoothing) {
        Random r = new Random(seed);
        double[] x = gaussian(r, rows * classes, 2);
        int[] y = targets(r, rows, classes, 0.4);
        y[0] = r.nextInt(classes);
        int kept = 0;
        for (int t : y) {
            kept += t == -100 ? 0 : 1;
        }
        double[] xs = new double[kept * classes];
        int[] ys = new int[kept];
        for (int n = 0, k = 0; n < rows; n++) {
            if (y[n] != -100) {
                System.arraycopy(x, n * classes, xs, k * classes, classes);
                ys[k++] = y[n];
            }
        }
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(weighted ? positiveWeights(r, classes) : null)
                .labelSmoothing(smoothing).build();
        assertEquals(loss.value(xs, new int[] {kept, classes}, ys), loss.value(x, new int[] {rows, classes}, y), 1e-12);
    }

    @Property(tries = 30)
    void valueIsBitwiseIdenticalForAnyThreadCount(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3000) int rows,
                                                  @ForAll @IntRange(min = 1, max = 300) int classes) {
        Random r = new Random(seed);
        int[] shape = {rows, classes};
        float[] x = new float[rows * classes];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int[] y = targets(r, rows, classes, 0.1);
        double one = CrossEntropyLoss.builder().threads(1).build().value(x, shape, y);
        for (int threads = 2; threads <= 4; threads++) {
            double many = CrossEntropyLoss.builder().threads(threads).build().value(x, shape, y);
            assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(many), "threads=" + threads);
        }
    }

    @Property(tries = 30)
    void float32AgreesWithFloat64(@ForAll long seed, @ForAll @IntRange(min = 1, max = 20) int rows,
                                  @ForAll @IntRange(min = 1, max = 50) int classes) {
        Random r = new Random(seed);
        int[] shape = {rows, classes};
        float[] xf = new float[rows * classes];
        double[] xd = new double[rows * classes];
        for (int i = 0; i < xf.length; i++) {
            xf[i] = (float) (r.nextGaussian() * 4);
            xd[i] = xf[i];
        }
        int[] y = targets(r, rows, classes, 0.1);
        y[0] = 0;
        CrossEntropyLoss loss = CrossEntropyLoss.builder().labelSmoothing(0.05).build();
        FloatResult f = loss.forwardBackward(xf, shape, y);
        DoubleResult d = loss.forwardBackward(xd, shape, y);
        assertEquals(d.value(), f.value(), 1e-12 * Math.max(1, d.value()));
        for (int i = 0; i < xf.length; i++) {
            assertEquals(d.gradient()[i], f.gradient()[i], 1e-7);
        }
    }

    @Property(tries = 20)
    void inPlaceGradientEqualsSeparateBuffer(@ForAll long seed, @ForAll @IntRange(min = 1, max = 10) int rows,
                                             @ForAll @IntRange(min = 1, max = 12) int classes,
                                             @ForAll @DoubleRange(min = 0, max = 1) double smoothing) {
        Random r = new Random(seed);
        int[] shape = {rows, classes};
        double[] x = gaussian(r, rows * classes, 3);
        int[] y = targets(r, rows, classes, 0.2);
        CrossEntropyLoss loss = CrossEntropyLoss.builder().weight(positiveWeights(r, classes)).labelSmoothing(smoothing).build();
        DoubleResult separate = loss.forwardBackward(x, shape, y);
        double[] inPlace = x.clone();
        double value = loss.compute(inPlace, shape, y, null, null, inPlace);
        assertEquals(Double.doubleToRawLongBits(separate.value()), Double.doubleToRawLongBits(value));
        assertArrayEquals(separate.gradient(), inPlace);
    }

    @Property(tries = 40)
    void gradientsStayFiniteUnderExtremeLogits(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int rows,
                                               @ForAll @IntRange(min = 2, max = 9) int classes,
                                               @ForAll @DoubleRange(min = 1, max = 1e30) double scale,
                                               @ForAll @DoubleRange(min = 0, max = 1) double smoothing) {
        Random r = new Random(seed);
        int[] shape = {rows, classes};
        float[] x = new float[rows * classes];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        int[] y = targets(r, rows, classes, 0.2);
        FloatResult res = CrossEntropyLoss.builder().labelSmoothing(smoothing).weight(positiveWeights(r, classes)).build()
                .forwardBackward(x, shape, y);
        for (float g : res.gradient()) {
            assertTrue(Float.isFinite(g) && Math.abs(g) <= 10, "gradient " + g);
        }
        float[] t = new float[x.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextFloat();
        }
        for (float g : BceWithLogitsLoss.DEFAULTS.forwardBackward(x, new int[] {x.length}, t).gradient()) {
            assertTrue(Float.isFinite(g), "BCE-with-logits gradient " + g);
        }
    }
}
