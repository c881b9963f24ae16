package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.DistillParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The family's vector kernels ({@link FamilyKernels}) = the scalar reference on random shapes
 * (tails of every length), options and special values, float32 and float64, called directly; and
 * they allocate nothing once compiled. Tolerance: float32 losses and sums within 1e-6 of
 * max(1, |value|) (distillation: of max(1, |value|, T^2 log C), its value being a difference of
 * terms of that size), gradients within 1e-6 of the largest |entry| of the whole gradient
 * (distillation: at least of its gradient scale, its entries being differences of probabilities);
 * float64 the same with 1e-12.
 */
class FamilyKernelsTest {

    static final Kernels VEC = TestKernels.VECTOR;
    static final Kernels REF = TestKernels.SCALAR;
    static final int[] CLASSES = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257, 1000, 1031};

    /** What one kernel call wrote, as doubles. */
    record Out(double sum, double aux, double[] loss, double[] grad) {
    }

    interface CallF {
        void run(Kernels k, float[] x, float[] loss, float[] grad, ExactSum sum, ExactSum aux);
    }

    interface CallD {
        void run(Kernels k, double[] x, double[] loss, double[] grad, ExactSum sum, ExactSum aux);
    }

    static double[] toD(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static Out runF(Kernels k, float[] x, int outputs, boolean inPlace, CallF c) {
        float[] xs = x.clone();
        float[] loss = new float[outputs];
        float[] grad = inPlace ? xs : new float[x.length];
        ExactSum s = new ExactSum();
        ExactSum a = new ExactSum();
        c.run(k, xs, loss, grad, s, a);
        return new Out(s.doubleValue(), a.doubleValue(), toD(loss), toD(grad));
    }

    static Out runD(Kernels k, double[] x, int outputs, boolean inPlace, CallD c) {
        double[] xs = x.clone();
        double[] loss = new double[outputs];
        double[] grad = inPlace ? xs : new double[x.length];
        ExactSum s = new ExactSum();
        ExactSum a = new ExactSum();
        c.run(k, xs, loss, grad, s, a);
        return new Out(s.doubleValue(), a.doubleValue(), loss, grad);
    }

    static void close(String id, Out want, Out got, double tol, double floor, int rowLen) {
        close(id, want, got, tol, floor, rowLen, 0);
    }

    /** As above, the gradient tolerance at least {@code tol * gradFloor} (a row whose entries are all differences of O(scale) terms). */
    static void close(String id, Out want, Out got, double tol, double floor, int rowLen, double gradFloor) {
        check(id + " sum", want.sum, got.sum, tol * Math.max(Math.max(1, floor), Math.abs(want.sum)));
        check(id + " aux", want.aux, got.aux, tol * Math.max(Math.max(1, floor), Math.abs(want.aux)));
        for (int i = 0; i < want.loss.length; i++) {
            check(id + " loss[" + i + "]", want.loss[i], got.loss[i], tol * Math.max(Math.max(1, floor), Math.abs(want.loss[i])));
        }
        for (int r0 = 0; r0 < want.grad.length; r0 += rowLen) {
            double max = 0;
            for (int i = r0; i < r0 + rowLen; i++) {
                if (Double.isFinite(want.grad[i])) {
                    max = Math.max(max, Math.abs(want.grad[i]));
                }
            }
            for (int i = r0; i < r0 + rowLen; i++) {
                check(id + " grad[" + i + "]", want.grad[i], got.grad[i], tol * Math.max(Math.max(max, gradFloor), Double.MIN_NORMAL));
            }
        }
    }

    static void check(String what, double want, double got, double tol) {
        if (Double.isNaN(want) || Double.isInfinite(want)) {
            assertTrue(Double.compare(want, got) == 0, what + ": expected " + want + " but was " + got);
            return;
        }
        assertTrue(Math.abs(want - got) <= tol, what + ": expected " + want + " but was " + got + " (tol " + tol + ")");
    }

    static float[] logits(Random r, int len, double spread, boolean special) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (r.nextGaussian() * spread);
        }
        if (special && len > 3) {
            x[r.nextInt(len)] = 1e4f;
            x[r.nextInt(len)] = -1e4f;
            x[r.nextInt(len)] = Float.NEGATIVE_INFINITY;
        }
        return x;
    }

    static int[] targets(Random r, int n, int c) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(6) == 0 ? -100 : r.nextInt(c);
        }
        return t;
    }

    @Test
    void classRowKernelsMatchScalar() {
        for (long seed = 1; seed <= 500; seed++) {
            Random r = new Random(seed);
            int c = CLASSES[r.nextInt(CLASSES.length)];
            int n = 1 + r.nextInt(c > 300 ? 4 : 20);
            double[] w = r.nextInt(3) == 0 ? weights(r, c) : null;
            CeParams p = new CeParams(c, w, -100, r.nextInt(5) == 0 ? 0.1 : 0);
            float[] x = logits(r, n * c, new double[] {0.1, 1, 5, 20}[r.nextInt(4)], r.nextInt(5) == 0);
            int[] t = targets(r, n, c);
            float[] teacher = logits(r, n * c, 3, false);
            float[] up = r.nextBoolean() ? logits(r, n, 1, false) : null;
            double[] upD = up == null ? null : toD(up);
            double gs = 0.5 + r.nextDouble();
            double gz = 0.5 + r.nextDouble();
            double gamma = new double[] {0.5, 1, 2, 5}[r.nextInt(4)];
            double coef = 0.1 + 2 * r.nextDouble();
            boolean inPlace = r.nextBoolean();
            DistillParams dp = new DistillParams(c, new double[] {1, 2, 0.5, 3.7, 3, 4}[r.nextInt(6)], r.nextInt(4) == 0,
                    new double[] {1, 0.5, 0}[r.nextInt(3)], -100);
            float[] tlog = dp.logTeacher ? logSoftmax(teacher, n, c) : teacher;
            int[] dt = dp.alpha < 1 ? t : null;
            String id = "seed " + seed + " C=" + c + " n=" + n;
            double[] xd = toD(x);
            CallF[] fs = {
                (k, a, l, g, s, z) -> k.focal(a, t, 0, n, 1, p, gamma, l, g, up, gs, s),
                (k, a, l, g, s, z) -> k.polyCrossEntropy(a, t, 0, n, 1, p, coef, l, g, up, gs, s),
                (k, a, l, g, s, z) -> k.crossEntropyZ(a, t, 0, n, 1, p, coef * 1e-2, l, g, up, gs, gz, s, z),
                (k, a, l, g, s, z) -> k.distillation(a, tlog, dt, 0, n, 1, dp, l, g, up, gs, gz, s, z),
            };
            CallD[] ds = {
                (k, a, l, g, s, z) -> k.focal(a, t, 0, n, 1, p, gamma, l, g, upD, gs, s),
                (k, a, l, g, s, z) -> k.polyCrossEntropy(a, t, 0, n, 1, p, coef, l, g, upD, gs, s),
                (k, a, l, g, s, z) -> k.crossEntropyZ(a, t, 0, n, 1, p, coef * 1e-2, l, g, upD, gs, gz, s, z),
                (k, a, l, g, s, z) -> k.distillation(a, toD(tlog), dt, 0, n, 1, dp, l, g, upD, gs, gz, s, z),
            };
            String[] names = {"focal", "poly", "z-loss", "distillation"};
            for (int i = 0; i < fs.length; i++) {
                double floor = i == 3 ? Math.log(c) * (dp.temperature * dp.temperature) : 1;
                double gradFloor = i == 3 ? (gs * dp.temperature + gz) * (up == null ? 1 : maxAbs(up)) : 0;
                close(id + " " + names[i] + " f32", runF(REF, x, n, inPlace, fs[i]), runF(VEC, x, n, inPlace, fs[i]), 1e-6, floor, n * c,
                        gradFloor);
                close(id + " " + names[i] + " f64", runD(REF, xd, n, inPlace, ds[i]), runD(VEC, xd, n, inPlace, ds[i]), 1e-12, floor, n * c,
                        gradFloor);
            }
        }
    }

    @Test
    void sigmoidFocalMatchesScalar() {
        for (long seed = 1; seed <= 300; seed++) {
            Random r = new Random(seed);
            int len = 1 + r.nextInt(r.nextBoolean() ? 40 : 9000);
            float[] x = logits(r, len, new double[] {0.5, 3, 30}[r.nextInt(3)], r.nextInt(4) == 0);
            float[] t = new float[len];
            for (int i = 0; i < len; i++) {
                t[i] = r.nextInt(4) == 0 ? r.nextFloat() : r.nextInt(2);
            }
            float[] up = r.nextBoolean() ? logits(r, len, 1, false) : null;
            double gamma = new double[] {0, 1, 2, 3, 5, 0.5}[r.nextInt(6)];
            double alpha = new double[] {0.25, -1, 0.9}[r.nextInt(3)];
            double gs = 0.5 + r.nextDouble();
            int slice = r.nextBoolean() ? len : 1 + r.nextInt(len);
            boolean inPlace = r.nextBoolean();
            double[] td = toD(t);
            double[] upD = up == null ? null : toD(up);
            CallF f = (k, a, l, g, s, z) -> k.sigmoidFocal(a, t, 0, len, slice, alpha, gamma, l, g, up, gs, s);
            CallD d = (k, a, l, g, s, z) -> k.sigmoidFocal(a, td, 0, len, slice, alpha, gamma, l, g, upD, gs, s);
            String id = "seed " + seed + " len=" + len + " gamma=" + gamma;
            close(id + " f32", runF(REF, x, len, inPlace, f), runF(VEC, x, len, inPlace, f), 1e-6, Math.sqrt(len), len);
            close(id + " f64", runD(REF, toD(x), len, inPlace, d), runD(VEC, toD(x), len, inPlace, d), 1e-12, Math.sqrt(len), len);
        }
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static double[] weights(Random r, int c) {
        double[] w = new double[c];
        for (int i = 0; i < c; i++) {
            w[i] = 0.1 + 2 * r.nextDouble();
        }
        return w;
    }

    static float[] logSoftmax(float[] x, int n, int c) {
        float[] out = new float[x.length];
        REF.softmax(x, 0, n, c, 1, true, out);
        return out;
    }

    interface RowsF {
        void run(int n0, int n1, float[] loss, float[] grad, ExactSum sum, ExactSum aux);
    }

    /** One call over all rows and one call per row write the same bits (losses, gradient, sums). */
    static void assertChunkInvariant(String id, int n, int c, RowsF call) {
        float[] loss = new float[n];
        float[] grad = new float[n * c];
        ExactSum sum = new ExactSum();
        ExactSum aux = new ExactSum();
        call.run(0, n, loss, grad, sum, aux);
        float[] loss1 = new float[n];
        float[] grad1 = new float[n * c];
        ExactSum sum1 = new ExactSum();
        ExactSum aux1 = new ExactSum();
        for (int i = 0; i < n; i++) {
            call.run(i, i + 1, loss1, grad1, sum1, aux1);
        }
        assertTrue(java.util.Arrays.equals(loss, loss1), id + ": losses differ");
        assertTrue(java.util.Arrays.equals(grad, grad1), id + ": gradients differ");
        assertTrue(sum.doubleValue() == sum1.doubleValue() && aux.doubleValue() == aux1.doubleValue(), id + ": sums differ");
    }

    /**
     * Rows of 100 classes (a tail of C mod L on either vector width), with ignored targets: the
     * float32 row kernels give the same bits for any chunking, distillation at T = 1, 2, 2.5 and 4
     * (the integer T's hard-label softmax by products).
     */
    @Test
    void rowKernelsAreChunkInvariant() {
        Random r = new Random(11);
        int n = 37;
        int c = 100;
        float[] x = logits(r, n * c, 3, false);
        float[] teacher = logits(r, n * c, 3, false);
        int[] t = targets(r, n, c);
        float[] up = logits(r, n, 1, false);
        CeParams p = new CeParams(c, null, -100, 0);
        assertChunkInvariant("focal", n, c, (a, b, l, g, s, z) -> VEC.focal(x, t, a, b, 1, p, 2, l, g, up, 0.5, s));
        assertChunkInvariant("poly", n, c, (a, b, l, g, s, z) -> VEC.polyCrossEntropy(x, t, a, b, 1, p, 1, l, g, up, 0.5, s));
        assertChunkInvariant("z-loss", n, c, (a, b, l, g, s, z) -> VEC.crossEntropyZ(x, t, a, b, 1, p, 1e-3, l, g, up, 0.5, 0.7, s, z));
        for (double temp : new double[] {1, 2, 2.5, 4}) {
            DistillParams dp = new DistillParams(c, temp, false, 0.5, -100);
            assertChunkInvariant("distillation T=" + temp, n, c,
                    (a, b, l, g, s, z) -> VEC.distillation(x, teacher, t, a, b, 1, dp, l, g, up, 0.5, 0.7, s, z));
        }
    }

    @Test
    void compiledFamilyKernelsAllocateNothing() {
        Random r = new Random(9);
        int n = 24;
        int c = 203;
        float[] x = logits(r, n * c, 2, false);
        double[] xd = toD(x);
        float[] teacher = logits(r, n * c, 2, false);
        float[] g = new float[x.length];
        double[] gd = new double[x.length];
        int[] t = new int[n];
        float[] bin = new float[x.length];
        for (int i = 0; i < bin.length; i++) {
            bin[i] = i % 3 == 0 ? 1 : 0;
        }
        CeParams p = new CeParams(c, null, -100, 0);
        DistillParams dp = new DistillParams(c, 2, false, 0.5, -100);
        Kernels k = TestKernels.VECTOR;
        ExactSum aux = new ExactSum();
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("focal", () -> k.focal(x, t, 0, n, 1, p, 2, null, g, null, 1, TestKernels.SINK));
        calls.put("focal f64", () -> k.focal(xd, t, 0, n, 1, p, 2, null, gd, null, 1, TestKernels.SINK));
        calls.put("poly", () -> k.polyCrossEntropy(x, t, 0, n, 1, p, 2, null, g, null, 1, TestKernels.SINK));
        calls.put("z-loss", () -> k.crossEntropyZ(x, t, 0, n, 1, p, 1e-4, null, g, null, 1, 1, TestKernels.SINK, aux));
        calls.put("distillation", () -> k.distillation(x, teacher, t, 0, n, 1, dp, null, g, null, 1, 1, TestKernels.SINK, aux));
        calls.put("distillation f64", () -> k.distillation(xd, xd, t, 0, n, 1, dp, null, gd, null, 1, 1, TestKernels.SINK, aux));
        calls.put("sigmoid focal", () -> k.sigmoidFocal(x, bin, 0, x.length, x.length, 0.25, 2, null, g, null, 1, TestKernels.SINK));
        calls.put("sigmoid focal f64", () -> k.sigmoidFocal(xd, xd, 0, x.length, x.length, 0.25, 2, null, gd, null, 1, TestKernels.SINK));
        Allocation.assertCompiledAllocateNothing(calls);
    }
}
