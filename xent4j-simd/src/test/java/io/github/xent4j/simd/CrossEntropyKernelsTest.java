package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.github.xent4j.simd.VectorKernelsTest.assertClose;
import static io.github.xent4j.simd.VectorKernelsTest.toD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector cross-entropy kernels against the scalar reference on seeded random cases: K-dim
 * inputs (inner from 1 to past 3 vectors, multiples of the vector width and not), rows around the
 * vector width, class weights with label smoothing, weighted probability targets, ignore_index,
 * -inf/+inf/NaN logits, upstream gradients, in place; float32 and float64. Tolerances as in
 * {@link VectorKernelsTest}. Also: a split of the samples gives the same sum, bitwise.
 */
class CrossEntropyKernelsTest {

    static final Kernels VEC = TestKernels.VECTOR;
    static final Kernels REF = TestKernels.SCALAR;
    static final int L = VectorMath.LF;
    static final float TOL_F = 1e-6f;
    static final double TOL_D = 1e-12;

    /** One random case; every failure message starts with it. */
    record Case(long seed, int n, int c, int inner, double[] weight, int ignore, double eps, boolean upstream,
                double gradScale, boolean inPlace, boolean lossOut, boolean backward, double spread, int specials) {

        static Case random(long seed, boolean spatial) {
            Random r = new Random(seed);
            int[] cs = {1, 2, 3, L - 1, L, L + 1, 2 * L - 1, 2 * L, 2 * L + 1, 21, 37, 100, 1000};
            int c = Math.max(1, cs[r.nextInt(cs.length)]);
            int inner = 1;
            if (spatial) {
                int[] is = {1, 2, L / 2, L - 1, L, L + 1, 2 * L, 2 * L + 3, 3 * L + 5, 64, 100};
                inner = Math.max(1, is[r.nextInt(is.length)]);
            }
            int n = 1 + r.nextInt(c * inner > 20000 ? 2 : 6);
            double[] w = null;
            if (r.nextInt(2) == 0) {
                w = new double[c];
                for (int i = 0; i < c; i++) {
                    w[i] = 0.1 + 2 * r.nextDouble();
                }
            }
            int ignore = r.nextBoolean() ? -100 : r.nextInt(c);
            double eps = r.nextInt(2) == 0 ? 0.1 + 0.5 * r.nextDouble() : 0;
            double spread = new double[] {0.1, 1, 5, 20}[r.nextInt(4)];
            return new Case(seed, n, c, inner, w, ignore, eps, r.nextBoolean(), 0.5 + r.nextDouble(),
                    r.nextBoolean(), r.nextBoolean(), r.nextInt(4) != 0, spread, r.nextInt(5) == 0 ? 1 + r.nextInt(3) : 0);
        }

        CeParams params() {
            return new CeParams(c, weight, ignore, eps);
        }

        int positions() {
            return n * inner;
        }
    }

    static float[] logits(Case k, Random r) {
        float[] x = new float[k.n * k.c * k.inner];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * k.spread);
        }
        // a NaN of either sign and -0 (the row and lane maxima compare float bits as integers)
        float[] special = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xffc00000), -0f};
        for (int s = 0; s < k.specials; s++) {
            x[r.nextInt(x.length)] = special[r.nextInt(special.length)];
        }
        return x;
    }

    static int[] targets(Case k, Random r) {
        int[] t = new int[k.positions()];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(5) == 0 ? k.ignore : r.nextInt(k.c);
        }
        return t;
    }

    static float[] probTargets(Case k, Random r) {
        float[] t = new float[k.n * k.c * k.inner];
        for (int n = 0; n < k.n; n++) {
            for (int i = 0; i < k.inner; i++) {
                double s = 0;
                for (int c = 0; c < k.c; c++) {
                    int idx = (n * k.c + c) * k.inner + i;
                    t[idx] = r.nextFloat();
                    s += t[idx];
                }
                for (int c = 0; c < k.c; c++) {
                    t[(n * k.c + c) * k.inner + i] /= (float) s;
                }
            }
        }
        return t;
    }

    static float[] upstream(Case k, Random r) {
        if (!k.upstream) {
            return null;
        }
        float[] u = new float[k.positions()];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) r.nextGaussian();
        }
        return u;
    }

    @Test
    void spatialIndexTargetsMatchScalar() {
        for (long seed = 1; seed <= 350; seed++) {
            checkIndex(Case.random(seed, true));
        }
    }

    @Test
    void rowsWithEveryOptionMatchScalar() {
        for (long seed = 1001; seed <= 1400; seed++) {
            checkIndex(Case.random(seed, false));
        }
    }

    @Test
    void spatialProbabilityTargetsMatchScalar() {
        for (long seed = 1; seed <= 200; seed++) {
            checkProbs(Case.random(seed, true));
        }
    }

    @Test
    void rowProbabilityTargetsWithWeightsMatchScalar() {
        for (long seed = 2001; seed <= 2250; seed++) {
            checkProbs(Case.random(seed, false));
        }
    }

    static void checkIndex(Case k) {
        Random r = new Random(k.seed * 31 + 7);
        float[] x = logits(k, r);
        int[] t = targets(k, r);
        float[] up = upstream(k, r);
        CeParams p = k.params();
        String id = "seed=" + k.seed + " " + k;
        // float32
        float[] refGrad = k.backward ? new float[x.length] : null;
        float[] refLoss = k.lossOut ? new float[k.positions()] : null;
        double ref = TestKernels.sum(s -> REF.crossEntropy(x, t, 0, k.n, k.inner, p, refLoss, refGrad, up, k.gradScale, s));
        float[] xv = x.clone();
        float[] grad = !k.backward ? null : k.inPlace ? xv : new float[x.length];
        float[] loss = k.lossOut ? new float[k.positions()] : null;
        double got = TestKernels.sum(s -> VEC.crossEntropy(xv, t, 0, k.n, k.inner, p, loss, grad, up, k.gradScale, s));
        assertClose(ref, got, TOL_F, id + " total");
        if (loss != null) {
            assertLossesClose(refLoss, loss, TOL_F, id);
        }
        if (grad != null) {
            assertGradClose(refGrad, grad, noise(k, up, 0x1p-22), id);
        }
        assertSplitsAgree(k, id, (n0, n1, s) -> VEC.crossEntropy(x.clone(), t, n0, n1, k.inner, p, null, null, up, k.gradScale, s));
        // float64
        double[] xd = toD(x);
        double[] upd = up == null ? null : toD(up);
        double[] refGradD = k.backward ? new double[x.length] : null;
        double[] refLossD = k.lossOut ? new double[k.positions()] : null;
        double refD = TestKernels.sum(s -> REF.crossEntropy(xd, t, 0, k.n, k.inner, p, refLossD, refGradD, upd, k.gradScale, s));
        double[] xdv = xd.clone();
        double[] gradD = !k.backward ? null : k.inPlace ? xdv : new double[x.length];
        double[] lossD = k.lossOut ? new double[k.positions()] : null;
        double gotD = TestKernels.sum(s -> VEC.crossEntropy(xdv, t, 0, k.n, k.inner, p, lossD, gradD, upd, k.gradScale, s));
        assertClose(refD, gotD, TOL_D, id + " f64 total");
        if (lossD != null) {
            assertLossesClose(refLossD, lossD, TOL_D, id + " f64");
        }
        if (gradD != null) {
            assertGradClose(refGradD, gradD, noise(k, up, 0x1p-50), id + " f64");
        }
        assertSplitsAgree(k, id + " f64", (n0, n1, s) -> VEC.crossEntropy(xd.clone(), t, n0, n1, k.inner, p, null, new double[xd.length], upd, k.gradScale, s));
    }

    static void checkProbs(Case k) {
        Random r = new Random(k.seed * 17 + 3);
        float[] x = logits(k, r);
        float[] t = probTargets(k, r);
        float[] up = upstream(k, r);
        CeParams p = new CeParams(k.c, k.weight, -100, k.eps);
        String id = "seed=" + k.seed + " probs " + k;
        float[] refGrad = k.backward ? new float[x.length] : null;
        float[] refLoss = k.lossOut ? new float[k.positions()] : null;
        double ref = TestKernels.sum(s -> REF.crossEntropyProbs(x, t, 0, k.n, k.inner, p, refLoss, refGrad, up, k.gradScale, s));
        float[] xv = x.clone();
        float[] grad = !k.backward ? null : k.inPlace ? xv : new float[x.length];
        float[] loss = k.lossOut ? new float[k.positions()] : null;
        double got = TestKernels.sum(s -> VEC.crossEntropyProbs(xv, t, 0, k.n, k.inner, p, loss, grad, up, k.gradScale, s));
        assertClose(ref, got, TOL_F, id + " total");
        if (loss != null) {
            assertLossesClose(refLoss, loss, TOL_F, id);
        }
        if (grad != null) {
            assertGradClose(refGrad, grad, noise(k, up, 0x1p-22), id);
        }
        assertSplitsAgree(k, id, (n0, n1, s) -> VEC.crossEntropyProbs(x.clone(), t, n0, n1, k.inner, p, null, new float[x.length], up, k.gradScale, s));
        double[] xd = toD(x);
        double[] td = toD(t);
        double[] upd = up == null ? null : toD(up);
        double[] refGradD = k.backward ? new double[x.length] : null;
        double[] refLossD = k.lossOut ? new double[k.positions()] : null;
        double refD = TestKernels.sum(s -> REF.crossEntropyProbs(xd, td, 0, k.n, k.inner, p, refLossD, refGradD, upd, k.gradScale, s));
        double[] xdv = xd.clone();
        double[] gradD = !k.backward ? null : k.inPlace ? xdv : new double[x.length];
        double[] lossD = k.lossOut ? new double[k.positions()] : null;
        double gotD = TestKernels.sum(s -> VEC.crossEntropyProbs(xdv, td, 0, k.n, k.inner, p, lossD, gradD, upd, k.gradScale, s));
        assertClose(refD, gotD, TOL_D, id + " f64 total");
        if (lossD != null) {
            assertLossesClose(refLossD, lossD, TOL_D, id + " f64");
        }
        if (gradD != null) {
            assertGradClose(refGradD, gradD, noise(k, up, 0x1p-50), id + " f64");
        }
    }

    @FunctionalInterface
    interface Call {
        void run(int n0, int n1, ExactSum sum);
    }

    /** Every split of [0, N) in two gives the one-call sum, bitwise. */
    static void assertSplitsAgree(Case k, String id, Call call) {
        ExactSum whole = new ExactSum();
        call.run(0, k.n, whole);
        for (int cut = 1; cut < k.n; cut++) {
            ExactSum a = new ExactSum();
            call.run(0, cut, a);
            ExactSum b = new ExactSum();
            call.run(cut, k.n, b);
            a.add(b);
            assertEquals(Double.doubleToRawLongBits(whole.doubleValue()), Double.doubleToRawLongBits(a.doubleValue()),
                    id + " split at " + cut + ": " + a + " vs " + whole);
        }
    }

    /**
     * A few ulp of the largest gradient factor (g w): where the exact gradient cancels to 0 (C = 1),
     * both kernels return rounding noise of that size, which the relative bound cannot absorb.
     */
    static double noise(Case k, float[] up, double ulps) {
        double u = 1;
        if (up != null) {
            for (float v : up) {
                u = Math.max(u, Math.abs(v));
            }
        }
        double w = 1;
        if (k.weight != null) {
            for (double v : k.weight) {
                w = Math.max(w, v);
            }
        }
        return ulps * k.gradScale * u * w;
    }

    /** |got - ref| <= tol * max|ref| + noise over the whole gradient, NaN where NaN (f32: tol 1e-6). */
    static void assertGradClose(float[] ref, float[] got, double noise, String id) {
        double[] r = toD(ref);
        double[] g = toD(got);
        assertGradClose(r, g, TOL_F, noise, id);
    }

    static void assertGradClose(double[] ref, double[] got, double noise, String id) {
        assertGradClose(ref, got, TOL_D, noise, id);
    }

    static void assertGradClose(double[] ref, double[] got, double tol, double noise, String id) {
        double max = 0;
        for (double v : ref) {
            if (!Double.isNaN(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        for (int i = 0; i < ref.length; i++) {
            if (Double.isNaN(ref[i]) || Double.isNaN(got[i])) {
                assertEquals(Double.isNaN(ref[i]), Double.isNaN(got[i]), id + " grad[" + i + "] NaN mismatch " + got[i] + " vs " + ref[i]);
            } else {
                assertTrue(Math.abs(got[i] - ref[i]) <= tol * max + noise,
                        id + " grad[" + i + "] " + got[i] + " vs " + ref[i] + " (max|g| " + max + ")");
            }
        }
    }

    static void assertLossesClose(float[] ref, float[] got, float tol, String id) {
        for (int i = 0; i < ref.length; i++) {
            if (Float.isNaN(ref[i]) || Float.isNaN(got[i]) || Float.isInfinite(ref[i])) {
                assertEquals(ref[i], got[i], id + " loss[" + i + "]");
            } else {
                assertTrue(Math.abs(got[i] - ref[i]) <= tol * Math.max(1, Math.abs(ref[i])),
                        id + " loss[" + i + "] " + got[i] + " vs " + ref[i]);
            }
        }
    }

    static void assertLossesClose(double[] ref, double[] got, double tol, String id) {
        for (int i = 0; i < ref.length; i++) {
            if (Double.isNaN(ref[i]) || Double.isNaN(got[i]) || Double.isInfinite(ref[i])) {
                assertEquals(ref[i], got[i], id + " loss[" + i + "]");
            } else {
                assertTrue(Math.abs(got[i] - ref[i]) <= tol * Math.max(1, Math.abs(ref[i])),
                        id + " loss[" + i + "] " + got[i] + " vs " + ref[i]);
            }
        }
    }
}
