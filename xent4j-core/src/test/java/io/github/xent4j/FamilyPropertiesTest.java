package io.github.xent4j;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the family beyond cross-entropy (seeded; jqwik prints a failing seed): each loss
 * reduces to cross-entropy (or KL) bit for bit at its neutral option, its gradient matches central
 * differences in float64, in-place gradients equal separate ones, chunks merged in any order and any
 * thread count give the one-call bits, bad options are rejected, and the javadoc examples hold.
 */
class FamilyPropertiesTest {

    static double[] gaussian(Random r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian() * scale;
        }
        return a;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    static int[] targets(Random r, int n, int classes, double ignoreRate) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextDouble() < ignoreRate ? -100 : r.nextInt(classes);
        }
        return t;
    }

    static double[] weights(Random r, int classes) {
        double[] w = new double[classes];
        for (int c = 0; c < classes; c++) {
            w[c] = 0.2 + 2 * r.nextDouble();
        }
        return w;
    }

    static double[] softRows(Random r, int positions, int classes, int inner) {
        double[] t = new double[positions * classes];
        for (int n = 0; n < positions / inner; n++) {
            for (int i = 0; i < inner; i++) {
                double s = 0;
                for (int c = 0; c < classes; c++) {
                    int k = n * classes * inner + c * inner + i;
                    t[k] = r.nextDouble();
                    s += t[k];
                }
                for (int c = 0; c < classes; c++) {
                    t[n * classes * inner + c * inner + i] /= s;
                }
            }
        }
        return t;
    }

    static int[] shape(int rows, int classes, int inner) {
        return inner == 1 ? new int[] {rows, classes} : new int[] {rows, classes, inner};
    }

    /** Central differences of f at x against the analytic gradient. */
    static void assertGradient(java.util.function.ToDoubleFunction<double[]> f, double[] x, double[] grad, String id) {
        double h = 1e-6;
        for (int i = 0; i < x.length; i++) {
            double[] a = x.clone();
            double[] b = x.clone();
            a[i] += h;
            b[i] -= h;
            double numeric = (f.applyAsDouble(a) - f.applyAsDouble(b)) / (2 * h);
            assertEquals(numeric, grad[i], 2e-6 * Math.max(1, Math.abs(numeric)), id + " d/dx[" + i + "]");
        }
    }

    // ---------------------------------------------------------------- neutral options: cross-entropy, bit for bit

    @Property(tries = 40)
    void focalAtGammaZeroPolyAtEpsilonZeroAndZLossAtZeroAreCrossEntropy(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int rows, @ForAll @IntRange(min = 1, max = 40) int classes,
            @ForAll @IntRange(min = 1, max = 3) int inner, @ForAll boolean weighted, @ForAll boolean smooth) {
        Random r = new Random(seed);
        int[] shape = shape(rows, classes, inner);
        float[] x = toFloat(gaussian(r, rows * classes * inner, 3));
        int[] t = targets(r, rows * inner, classes, 0.2);
        double[] w = weighted ? weights(r, classes) : null;
        double ls = smooth ? 0.15 : 0;
        for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
            CrossEntropyLoss ce = CrossEntropyLoss.builder().weight(w).labelSmoothing(ls).reduction(red).build();
            FloatResult want = ce.forwardBackward(x, shape, t);
            List<FloatResult> got = List.of(
                    FocalLoss.builder().gamma(0).weight(w).labelSmoothing(ls).reduction(red).build().forwardBackward(x, shape, t),
                    PolyLoss.builder().epsilon(0).weight(w).labelSmoothing(ls).reduction(red).build().forwardBackward(x, shape, t),
                    ce.toBuilder().zLoss(0).build().forwardBackward(x, shape, t));
            for (FloatResult g : got) {
                assertEquals(Double.doubleToRawLongBits(want.value()), Double.doubleToRawLongBits(g.value()), "seed " + seed);
                assertArrayEquals(want.gradient(), g.gradient());
                assertArrayEquals(want.losses(), g.losses());
            }
        }
    }

    @Property(tries = 40)
    void distillationAtTemperatureOneIsKlDivergenceOfTheSoftmaxes(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int rows, @ForAll @IntRange(min = 1, max = 30) int classes) {
        Random r = new Random(seed);
        int[] shape = {rows, classes};
        double[] s = gaussian(r, rows * classes, 3);
        double[] t = gaussian(r, rows * classes, 3);
        double[] logP = Softmax.DEFAULTS.logSoftmax(s, shape, 1);
        double[] q = Softmax.DEFAULTS.softmax(t, shape, 1);
        double kl = KlDivLoss.builder().reduction(Reduction.BATCHMEAN).build().value(logP, shape, q);
        double kd = DistillationLoss.DEFAULTS.value(s, shape, t);
        assertEquals(kl, kd, 1e-12 * Math.max(1, Math.abs(kl)), "seed " + seed);
        // with log-probabilities of the teacher (log_target=True)
        double[] logQ = Softmax.DEFAULTS.logSoftmax(t, shape, 1);
        double kd2 = DistillationLoss.builder().teacherLogProbs(true).build().value(s, shape, logQ);
        assertEquals(kl, kd2, 1e-12 * Math.max(1, Math.abs(kl)), "seed " + seed);
        // alpha = 0 is cross-entropy
        int[] y = targets(r, rows, classes, 0.2);
        if (Arrays.stream(y).anyMatch(v -> v != -100)) {
            double ce = CrossEntropyLoss.DEFAULTS.value(s, shape, y);
            double d0 = DistillationLoss.builder().alpha(0).temperature(3).build().value(s, shape, t, y);
            assertEquals(ce, d0, 1e-12 * Math.max(1, Math.abs(ce)));
        }
    }

    @Property(tries = 30)
    void sigmoidFocalAtGammaZeroIsAlphaWeightedBceWithLogits(@ForAll long seed, @ForAll @IntRange(min = 1, max = 50) int n) {
        Random r = new Random(seed);
        double[] x = gaussian(r, n, 4);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(2);
        }
        double bce = BceWithLogitsLoss.builder().reduction(Reduction.SUM).build().value(x, new int[] {n}, t);
        double focal = SigmoidFocalLoss.builder().gamma(0).alpha(-1).reduction(Reduction.SUM).build().value(x, new int[] {n}, t);
        assertEquals(bce, focal, 1e-12 * Math.max(1, Math.abs(bce)), "seed " + seed);
    }

    // ---------------------------------------------------------------- finite differences, float64

    @Property(tries = 40)
    void gradientsMatchFiniteDifferences(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int rows,
                                         @ForAll @IntRange(min = 1, max = 6) int classes,
                                         @ForAll @IntRange(min = 1, max = 2) int inner, @ForAll boolean weighted,
                                         @ForAll boolean smooth, @ForAll @DoubleRange(min = 0, max = 5) double gamma) {
        Random r = new Random(seed);
        int[] shape = shape(rows, classes, inner);
        int positions = rows * inner;
        double[] x = gaussian(r, rows * classes * inner, 2);
        int[] t = targets(r, positions, classes, 0.2);
        double[] w = weighted ? weights(r, classes) : null;
        double ls = smooth ? 0.2 : 0;
        double[] probs = softRows(r, positions, classes, inner);
        double[] teacher = gaussian(r, x.length, 2);
        double[] up = gaussian(r, positions, 1);
        String id = "seed " + seed;
        List<Loss> losses = new ArrayList<>();
        for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.NONE}) {
            losses.add(FocalLoss.builder().gamma(gamma).weight(w).labelSmoothing(ls).reduction(red).build());
            losses.add(PolyLoss.builder().epsilon(1.5).weight(w).labelSmoothing(ls).reduction(red).build());
            losses.add(CrossEntropyLoss.builder().zLoss(0.3).weight(w).labelSmoothing(ls).reduction(red).build());
            losses.add(DistillationLoss.builder().temperature(0.5 + gamma).alpha(0.6).reduction(red).build());
        }
        for (Loss loss : losses) {
            boolean none = loss.reduction() == Reduction.NONE;
            double[] u = none ? up : null;
            if (loss instanceof FocalLoss f) {
                if (Arrays.stream(t).allMatch(v -> v == -100) && !none) {
                    continue;
                }
                assertGradient(a -> weighted(f.forward(a, shape, t).losses(), f.value(a, shape, t), u), x,
                        f.forwardBackward(x, shape, t, u).gradient(), id + " " + f);
            } else if (loss instanceof PolyLoss p) {
                assertGradient(a -> weighted(p.forward(a, shape, probs).losses(), p.value(a, shape, probs), u), x,
                        p.forwardBackward(x, shape, probs, u).gradient(), id + " " + p + " probs");
                if (Arrays.stream(t).allMatch(v -> v == -100) && !none) {
                    continue;
                }
                assertGradient(a -> weighted(p.forward(a, shape, t).losses(), p.value(a, shape, t), u), x,
                        p.forwardBackward(x, shape, t, u).gradient(), id + " " + p);
            } else if (loss instanceof CrossEntropyLoss c) {
                assertGradient(a -> weighted(c.forward(a, shape, probs).losses(), c.value(a, shape, probs), u), x,
                        c.forwardBackward(x, shape, probs, u).gradient(), id + " " + c + " probs");
                if (Arrays.stream(t).allMatch(v -> v == -100) && !none) {
                    continue;
                }
                assertGradient(a -> weighted(c.forward(a, shape, t).losses(), c.value(a, shape, t), u), x,
                        c.forwardBackward(x, shape, t, u).gradient(), id + " " + c);
            } else if (loss instanceof DistillationLoss d) {
                if (Arrays.stream(t).allMatch(v -> v == -100)) {
                    continue;
                }
                assertGradient(a -> weighted(d.forward(a, shape, teacher, t).losses(), d.value(a, shape, teacher, t), u), x,
                        d.forwardBackward(x, shape, teacher, t, u).gradient(), id + " " + d);
            }
        }
        // sigmoid focal, element-wise
        double[] bin = new double[x.length];
        for (int i = 0; i < bin.length; i++) {
            bin[i] = r.nextBoolean() ? 1 : r.nextDouble();
        }
        double[] upE = gaussian(r, x.length, 1);
        for (Reduction red : new Reduction[] {Reduction.MEAN, Reduction.NONE}) {
            SigmoidFocalLoss s = SigmoidFocalLoss.builder().gamma(gamma).alpha(0.3).reduction(red).build();
            double[] u = red == Reduction.NONE ? upE : null;
            assertGradient(a -> weighted(s.forward(a, shape, bin).losses(), s.value(a, shape, bin), u), x,
                    s.forwardBackward(x, shape, bin, u).gradient(), id + " " + s);
        }
    }

    /** sum(upstream * losses) for NONE, else the value. */
    private static double weighted(double[] losses, double value, double[] upstream) {
        if (upstream == null) {
            return value;
        }
        double s = 0;
        for (int i = 0; i < losses.length; i++) {
            s += upstream[i] * losses[i];
        }
        return s;
    }

    @Test
    void saturatedLogitsAndSmallGammaGiveFiniteGradients() {
        int[] shape = {3, 4};
        double[] x = {1e4, -1e4, 0, 1, -1e4, 1e4, 2, 3, 40, -40, 0, 0};
        int[] t = {0, 1, 0};
        for (double g : new double[] {0.25, 0.5, 1, 2}) {
            DoubleResult f = FocalLoss.builder().gamma(g).build().forwardBackward(x, shape, t);
            DoubleResult fs = FocalLoss.builder().gamma(g).labelSmoothing(0.1).build().forwardBackward(x, shape, t);
            DoubleResult s = SigmoidFocalLoss.builder().gamma(g).build().forwardBackward(x, shape,
                    new double[] {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0});
            for (DoubleResult res : List.of(f, fs, s)) {
                assertTrue(Double.isFinite(res.value()));
                for (double v : res.gradient()) {
                    assertTrue(Double.isFinite(v), "gamma " + g + ": " + Arrays.toString(res.gradient()));
                }
            }
            // the easy rows (p_y = 1) add nothing, the wrong ones (p_y = 0) add their whole CE
            assertEquals(0, f.gradient()[0], 0);
        }
    }

    // ---------------------------------------------------------------- in place

    @Test
    void inPlaceGradientsEqualSeparateOnes() {
        Random r = new Random(5);
        int[] shape = {5, 7, 2};
        float[] x = toFloat(gaussian(r, 70, 3));
        int[] t = targets(r, 10, 7, 0.2);
        float[] probs = toFloat(softRows(r, 10, 7, 2));
        float[] teacher = toFloat(gaussian(r, 70, 3));
        List<java.util.function.BiFunction<float[], float[], Double>> calls = List.of(
                (a, g) -> FocalLoss.builder().gamma(1.5).build().compute(a, shape, t, null, null, g),
                (a, g) -> FocalLoss.builder().gamma(0.5).labelSmoothing(0.2).build().compute(a, shape, t, null, null, g),
                (a, g) -> PolyLoss.DEFAULTS.compute(a, shape, t, null, null, g),
                (a, g) -> PolyLoss.builder().labelSmoothing(0.1).build().compute(a, shape, probs, null, null, g),
                (a, g) -> CrossEntropyLoss.builder().zLoss(1e-2).build().compute(a, shape, t, null, null, g),
                (a, g) -> CrossEntropyLoss.builder().zLoss(1e-2).build().compute(a, shape, probs, null, null, g),
                (a, g) -> DistillationLoss.builder().temperature(2).alpha(0.5).build().compute(a, shape, teacher, t, null, null, g),
                (a, g) -> SigmoidFocalLoss.DEFAULTS.compute(a, shape, probs, null, null, g));
        for (var call : calls) {
            float[] g = new float[x.length];
            double v = call.apply(x, g);
            float[] inPlace = x.clone();
            double v2 = call.apply(inPlace, inPlace);
            assertEquals(v, v2);
            assertArrayEquals(g, inPlace);
        }
    }

    // ---------------------------------------------------------------- chunks and threads

    /** One loss over a batch, as one call and as chunks of rows. */
    private record Batch(int rows, int classes, int inner, float[] x, int[] t, float[] aux) {
        int[] shape(int n) {
            return FamilyPropertiesTest.shape(n, classes, inner);
        }

        float[] xs(int r0, int r1) {
            return Arrays.copyOfRange(x, r0 * classes * inner, r1 * classes * inner);
        }

        float[] auxs(int r0, int r1) {
            return aux == null ? null : Arrays.copyOfRange(aux, r0 * classes * inner, r1 * classes * inner);
        }

        int[] ts(int r0, int r1) {
            return Arrays.copyOfRange(t, r0 * inner, r1 * inner);
        }
    }

    private static double one(Loss loss, Batch b, float[] g, float[] l) {
        int[] s = b.shape(b.rows);
        if (loss instanceof FocalLoss f) {
            return f.compute(b.x, s, b.t, null, l, g);
        }
        if (loss instanceof PolyLoss p) {
            return b.aux != null ? p.compute(b.x, s, b.aux, null, l, g) : p.compute(b.x, s, b.t, null, l, g);
        }
        if (loss instanceof CrossEntropyLoss c) {
            return b.aux != null ? c.compute(b.x, s, b.aux, null, l, g) : c.compute(b.x, s, b.t, null, l, g);
        }
        if (loss instanceof DistillationLoss d) {
            return d.compute(b.x, s, b.aux, b.t, null, l, g);
        }
        return ((SigmoidFocalLoss) loss).compute(b.x, s, b.aux, null, l, g);
    }

    private static LossSum denominator(Loss loss, Batch b, int r0, int r1) {
        int[] s = b.shape(r1 - r0);
        if (loss instanceof FocalLoss f) {
            return f.denominator(s, b.ts(r0, r1));
        }
        if (loss instanceof PolyLoss p) {
            return b.aux != null ? p.denominator(s) : p.denominator(s, b.ts(r0, r1));
        }
        if (loss instanceof CrossEntropyLoss c) {
            return b.aux != null ? c.denominator(s) : c.denominator(s, b.ts(r0, r1));
        }
        if (loss instanceof DistillationLoss d) {
            return d.denominator(s, b.ts(r0, r1));
        }
        return ((SigmoidFocalLoss) loss).denominator(s);
    }

    private static LossSum partial(Loss loss, Batch b, int r0, int r1, double scale, double scale2, float[] g, float[] l) {
        int[] s = b.shape(r1 - r0);
        float[] gc = new float[(r1 - r0) * b.classes * b.inner];
        boolean elementwise = loss instanceof SigmoidFocalLoss;
        float[] lc = new float[elementwise ? gc.length : (r1 - r0) * b.inner];
        float[] xc = b.xs(r0, r1);
        LossSum p;
        if (loss instanceof FocalLoss f) {
            p = f.partial(xc, s, b.ts(r0, r1), scale, null, lc, gc);
        } else if (loss instanceof PolyLoss pl) {
            p = b.aux != null ? pl.partial(xc, s, b.auxs(r0, r1), scale, null, lc, gc) : pl.partial(xc, s, b.ts(r0, r1), scale, null, lc, gc);
        } else if (loss instanceof CrossEntropyLoss c) {
            p = b.aux != null ? c.partial(xc, s, b.auxs(r0, r1), scale, scale2, null, lc, gc)
                    : c.partial(xc, s, b.ts(r0, r1), scale, scale2, null, lc, gc);
        } else if (loss instanceof DistillationLoss d) {
            p = d.partial(xc, s, b.auxs(r0, r1), b.ts(r0, r1), scale, scale2, null, lc, gc);
        } else {
            p = ((SigmoidFocalLoss) loss).partial(xc, s, b.auxs(r0, r1), scale, null, lc, gc);
        }
        System.arraycopy(gc, 0, g, r0 * b.classes * b.inner, gc.length);
        System.arraycopy(lc, 0, l, r0 * lc.length / (r1 - r0), lc.length);
        return p;
    }

    private static Loss randomLoss(Random r, int kind, int classes, Reduction red, int threads) {
        double[] w = r.nextBoolean() ? weights(r, classes) : null;
        double ls = r.nextBoolean() ? 0.1 : 0;
        return switch (kind) {
            case 0 -> FocalLoss.builder().gamma(new double[] {0.5, 1, 2, 5}[r.nextInt(4)]).weight(w).labelSmoothing(ls)
                    .reduction(red).threads(threads).build();
            case 1, 2 -> PolyLoss.builder().epsilon(1 + r.nextDouble()).weight(w).labelSmoothing(ls).reduction(red)
                    .threads(threads).build();
            case 3, 4 -> CrossEntropyLoss.builder().zLoss(1e-3 + r.nextDouble()).weight(w).labelSmoothing(ls)
                    .reduction(red).threads(threads).build();
            case 5 -> DistillationLoss.builder().temperature(0.5 + 3 * r.nextDouble()).alpha(r.nextBoolean() ? 1 : r.nextDouble())
                    .reduction(red == Reduction.MEAN && r.nextBoolean() ? Reduction.BATCHMEAN : red).threads(threads).build();
            default -> SigmoidFocalLoss.builder().gamma(2 * r.nextDouble()).reduction(red).threads(threads).build();
        };
    }

    private static Batch randomBatch(Random r, int kind) {
        int n = 1 + r.nextInt(30);
        int c = 1 + r.nextInt(r.nextBoolean() ? 12 : 300);
        int inner = r.nextBoolean() ? 1 : 1 + r.nextInt(4);
        float[] x = toFloat(gaussian(r, n * c * inner, 3));
        int[] t = targets(r, n * inner, c, 0.15);
        float[] aux = switch (kind) {
            case 2, 4 -> toFloat(softRows(r, n * inner, c, inner));
            case 5 -> toFloat(gaussian(r, x.length, 3));
            case 6 -> {
                float[] y = new float[x.length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = r.nextInt(3) == 0 ? r.nextFloat() : r.nextInt(2);
                }
                yield y;
            }
            default -> null;
        };
        return new Batch(n, c, inner, x, t, aux);
    }

    @Test
    void chunksMergedInAnyOrderEqualOneCallBitwise() {
        for (long seed = 1; seed <= 210; seed++) {
            Random r = new Random(seed);
            int kind = (int) (seed % 7);
            Batch b = randomBatch(r, kind);
            Reduction red = new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}[r.nextInt(3)];
            Loss loss = randomLoss(r, kind, b.classes, red, 1);
            String id = "seed " + seed + " " + loss;
            boolean elementwise = kind == 6;
            int outputs = elementwise ? b.x.length : b.rows * b.inner;
            float[] g1 = new float[b.x.length];
            float[] l1 = new float[outputs];
            double one = one(loss, b, g1, l1);
            List<int[]> chunks = new ArrayList<>();
            for (int r0 = 0; r0 < b.rows; ) {
                int r1 = Math.min(b.rows, r0 + 1 + r.nextInt(Math.max(1, b.rows / 2)));
                chunks.add(new int[] {r0, r1});
                r0 = r1;
            }
            LossSum d = LossSum.ZERO;
            for (int[] ch : chunks) {
                d = d.plus(denominator(loss, b, ch[0], ch[1]));
            }
            double scale = loss.gradScale(d, 1.0);
            double scale2 = loss.countedGradScale(d, 1.0);
            Collections.shuffle(chunks, r);
            float[] g2 = new float[b.x.length];
            float[] l2 = new float[outputs];
            LossSum total = LossSum.ZERO;
            for (int[] ch : chunks) {
                total = total.plus(partial(loss, b, ch[0], ch[1], scale, scale2, g2, l2));
            }
            assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(loss.reduce(total)), id + " value");
            assertArrayEquals(g1, g2, id + " gradient");
            assertArrayEquals(l1, l2, id + " losses");
        }
    }

    @Test
    void anyThreadCountGivesTheSameBits() {
        Random r = new Random(17);
        for (int kind = 0; kind < 7; kind++) {
            Batch b = new Batch(300, 200, 1, toFloat(gaussian(r, 300 * 200, 4)), targets(r, 300, 200, 0.1),
                    kind == 2 || kind == 4 ? toFloat(softRows(r, 300, 200, 1)) : kind == 5 || kind == 6
                            ? toFloat(gaussian(r, 300 * 200, 2)) : null);
            if (kind == 6) {
                for (int i = 0; i < b.aux.length; i++) {
                    b.aux[i] = b.aux[i] > 0 ? 1 : 0;
                }
            }
            long seed = 100 + kind;
            Loss base = randomLoss(new Random(seed), kind, 200, Reduction.MEAN, 1);
            float[] g1 = new float[b.x.length];
            double v1 = one(base, b, g1, null);
            for (int threads : new int[] {2, 3, 7}) {
                Loss l = randomLoss(new Random(seed), kind, 200, Reduction.MEAN, threads);
                float[] g = new float[b.x.length];
                assertEquals(Double.doubleToRawLongBits(v1), Double.doubleToRawLongBits(one(l, b, g, null)), l + " threads " + threads);
                assertArrayEquals(g1, g);
            }
        }
    }

    @Test
    void zLossPartialWithWeightsUnderMeanNeedsItsOwnScale() {
        CrossEntropyLoss z = CrossEntropyLoss.builder().zLoss(0.1).weight(1, 2, 3).build();
        float[] x = {0.1f, 0.2f, 0.3f};
        assertThrows(InvalidInputException.class, () -> z.partial(x, new int[] {1, 3}, new int[] {1}, 1.0, null, null, null));
        // without weights the scales agree and the short form works
        CrossEntropyLoss plain = CrossEntropyLoss.builder().zLoss(0.1).build();
        LossSum p = plain.partial(x, new int[] {1, 3}, new int[] {1}, 1.0, null, null, null);
        assertEquals(plain.value(x, new int[] {1, 3}, new int[] {1}), plain.reduce(p), 0);
        assertTrue(p.auxSum() > 0);
        // probability targets: both denominators count positions, so the short form works with weights too
        float[] probs = {0.2f, 0.3f, 0.5f};
        LossSum pp = z.partial(x, new int[] {1, 3}, probs, 1.0, null, null, null);
        assertEquals(z.value(x, new int[] {1, 3}, probs), z.reduce(pp), 0);
    }

    // ---------------------------------------------------------------- bad options and examples

    @Test
    void badOptionsAreRejected() {
        assertThrows(InvalidInputException.class, () -> FocalLoss.builder().gamma(-0.5));
        assertThrows(InvalidInputException.class, () -> FocalLoss.builder().gamma(Double.NaN));
        assertThrows(InvalidInputException.class, () -> SigmoidFocalLoss.builder().gamma(-1));
        assertThrows(InvalidInputException.class, () -> SigmoidFocalLoss.builder().alpha(1.5));
        assertThrows(InvalidInputException.class, () -> SigmoidFocalLoss.builder().alpha(Double.NaN));
        assertThrows(InvalidInputException.class, () -> DistillationLoss.builder().temperature(0));
        assertThrows(InvalidInputException.class, () -> DistillationLoss.builder().temperature(-2));
        assertThrows(InvalidInputException.class, () -> DistillationLoss.builder().alpha(1.1));
        assertThrows(InvalidInputException.class, () -> DistillationLoss.builder().alpha(-0.1));
        assertThrows(InvalidInputException.class, () -> CrossEntropyLoss.builder().zLoss(-1e-4));
        assertThrows(InvalidInputException.class, () -> CrossEntropyLoss.builder().zLoss(Double.POSITIVE_INFINITY));
        assertThrows(InvalidInputException.class, () -> PolyLoss.builder().epsilon(Double.NaN));
        assertThrows(InvalidInputException.class, () -> FocalLoss.builder().reduction(Reduction.BATCHMEAN));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> DistillationLoss.builder().alpha(0.5).build().value(new float[] {1, 2}, new int[] {1, 2}, new float[] {1, 2}));
        assertTrue(e.getMessage().contains("target"), e.getMessage());
        assertThrows(InvalidInputException.class,
                () -> FocalLoss.DEFAULTS.value(new float[] {1, 2}, new int[] {1, 2}, new int[] {2}));
        assertThrows(InvalidInputException.class,
                () -> DistillationLoss.DEFAULTS.value(new float[] {1, 2}, new int[] {1, 2}, new float[] {1}));
    }

    @Test
    void defaultsAreTheReferencesDefaults() {
        assertEquals(2, FocalLoss.DEFAULTS.gamma());
        assertEquals(Reduction.MEAN, FocalLoss.DEFAULTS.reduction());
        assertEquals(0.25, SigmoidFocalLoss.DEFAULTS.alpha());
        assertEquals(2, SigmoidFocalLoss.DEFAULTS.gamma());
        assertEquals(Reduction.NONE, SigmoidFocalLoss.DEFAULTS.reduction());
        assertEquals(2, PolyLoss.DEFAULTS.epsilon());
        assertEquals(Reduction.BATCHMEAN, DistillationLoss.DEFAULTS.reduction());
        assertEquals(1, DistillationLoss.DEFAULTS.temperature());
        assertEquals(0, CrossEntropyLoss.DEFAULTS.zLoss());
        assertEquals(3.0, FocalLoss.DEFAULTS.toBuilder().gamma(3).build().gamma());
        assertEquals(0.5, DistillationLoss.builder().alpha(0.5).build().toBuilder().temperature(2).build().alpha());
    }

    @Test
    void javadocExamples() {
        float[] x = {0.1f, 0.3f, 0.6f, 0.3f, 0.2f, 0.5f};
        int[] shape = {2, 3};
        int[] t = {0, 2};
        assertEquals(0.5466023, FocalLoss.DEFAULTS.value(x, shape, t), 1e-7);
        FloatResult fn = FocalLoss.builder().reduction(Reduction.NONE).build().forward(x, shape, t);
        assertArrayEquals(new float[] {0.7442885f, 0.348916f}, fn.losses(), 1e-7f);
        assertEquals(2.4974753, PolyLoss.DEFAULTS.value(x, shape, t), 1e-7);
        FloatResult pn = PolyLoss.builder().reduction(Reduction.NONE).build().forward(x, shape, t);
        assertArrayEquals(new float[] {2.8365073f, 2.1584434f}, pn.losses(), 1e-6f);
        assertEquals(1.1674846, CrossEntropyLoss.builder().zLoss(0.01).build().value(x, shape, t), 1e-7);
        assertEquals(0.2500698, DistillationLoss.builder().temperature(2).build()
                .value(x, shape, new float[] {1, 0, 2, 0.5f, 0.5f, -1}), 1e-7);
        assertEquals(2.2932358, SigmoidFocalLoss.builder().reduction(Reduction.SUM).build()
                .value(new float[] {0.5f, -1, 2, 3, 0, -2}, shape, new float[] {1, 0, 1, 0, 1, 0.5f}), 1e-6);
    }

    @Test
    void twoPartLossSumsMergeExactlyAndReduceByTheirOwnDenominators() {
        Random r = new Random(3);
        List<LossSum> parts = new ArrayList<>();
        double main = 0;
        double aux = 0;
        for (int i = 0; i < 50; i++) {
            double a = r.nextDouble() * Math.pow(10, r.nextInt(30) - 15);
            double m = r.nextGaussian() * Math.pow(10, r.nextInt(30) - 15);
            parts.add(LossSum.of(m + a, a, 2, 3, 1));
            main += m;
            aux += a;
        }
        LossSum forward = LossSum.ZERO;
        for (LossSum p : parts) {
            forward = forward.plus(p);
        }
        Collections.shuffle(parts, r);
        LossSum shuffled = LossSum.ZERO;
        for (LossSum p : parts) {
            shuffled = shuffled.plus(p);
        }
        assertEquals(forward, shuffled);
        assertEquals(Double.doubleToRawLongBits(forward.sum()), Double.doubleToRawLongBits(shuffled.sum()));
        assertEquals(100, forward.counted());
        assertEquals(aux, forward.auxSum(), 1e-12 * Math.abs(aux));
        assertEquals((forward.sum() - forward.auxSum()) / 100 + forward.auxSum() / 100, forward.value(Reduction.MEAN),
                1e-12 * Math.abs(forward.value(Reduction.MEAN)) + 1e-300);
        // SUM is the whole sum; a pair without an auxiliary part reduces as before
        assertEquals(forward.sum(), forward.value(Reduction.SUM));
        LossSum plain = LossSum.of(6, 3, 4, 1);
        assertEquals(0, plain.auxSum());
        assertEquals(2, plain.value(Reduction.MEAN));
        LossSum twoPart = LossSum.of(6, 2, 4, 4, 2); // main 4 over 4, aux 2 over counted 2
        assertEquals(2, twoPart.value(Reduction.MEAN));
        assertEquals(6, twoPart.value(Reduction.SUM));
        assertTrue(twoPart.toString().contains("auxSum=2.0"), twoPart.toString());
    }
}
