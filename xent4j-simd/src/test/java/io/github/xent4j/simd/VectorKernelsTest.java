package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIMD kernels = scalar reference on random shapes and options, at the kernel level (both called
 * directly, so the comparison does not depend on which provider the core picked).
 *
 * <p>Accuracy contract checked here (and stated in the module README): float32 per-position loss
 * |dl| <= 1e-6 * max(1, |l|), returned sum relative error <= 1e-6, gradient
 * |dg| <= 1e-6 * max|g| over the gradient; float64 the same with 1e-12.
 */
class VectorKernelsTest {

    static final Kernels VEC = TestKernels.VECTOR;
    static final Kernels REF = TestKernels.SCALAR;
    static final int[] CLASSES = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 48, 100, 257, 1000, 4099};
    static final float TOL_F = 1e-6f;
    static final double TOL_D = 1e-12;

    /** One random case; every failure message starts with the seed. */
    record Case(long seed, int n, int c, double[] weight, int ignore, double eps, boolean upstream,
                double gradScale, boolean inPlace, boolean lossOut, boolean backward, double spread) {
        static Case random(long seed) {
            Random r = new Random(seed);
            int c = CLASSES[r.nextInt(CLASSES.length)];
            int n = 1 + r.nextInt(c > 1000 ? 4 : 24);
            double[] w = null;
            if (r.nextInt(3) == 0) {
                w = new double[c];
                for (int i = 0; i < c; i++) {
                    w[i] = 0.1 + 2 * r.nextDouble();
                }
            }
            int ignore = r.nextBoolean() ? -100 : r.nextInt(c);
            double eps = r.nextInt(3) == 0 ? 0.1 + 0.5 * r.nextDouble() : 0;
            double spread = new double[] {0.1, 1, 5, 20}[r.nextInt(4)];
            return new Case(seed, n, c, w, ignore, eps, r.nextBoolean(), 0.5 + r.nextDouble(),
                    r.nextBoolean(), r.nextBoolean(), r.nextInt(4) != 0, spread);
        }

        CeParams params() {
            return new CeParams(c, weight, ignore, eps);
        }
    }

    static float[] logitsF(Random r, int len, double spread) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (r.nextGaussian() * spread);
        }
        return x;
    }

    static int[] targets(Random r, int n, int c, int ignore) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(5) == 0 && ignore >= 0 ? ignore : r.nextInt(c);
        }
        return t;
    }

    @Test
    void crossEntropyFloatMatchesScalarOnRandomShapes() {
        for (long seed = 1; seed <= 600; seed++) {
            checkIndexFloat(Case.random(seed));
        }
    }

    @Test
    void crossEntropyDoubleMatchesScalarOnRandomShapes() {
        for (long seed = 1; seed <= 400; seed++) {
            checkIndexDouble(Case.random(seed));
        }
    }

    static void checkIndexFloat(Case k) {
        Random r = new Random(k.seed * 31 + 7);
        float[] x = logitsF(r, k.n * k.c, k.spread);
        int[] t = targets(r, k.n, k.c, k.ignore);
        float[] up = k.upstream ? logitsF(r, k.n, 1) : null;
        float[] refGrad = k.backward ? new float[x.length] : null;
        float[] refLoss = k.lossOut ? new float[k.n] : null;
        double ref = TestKernels.sum(s -> REF.crossEntropy(x, t, 0, k.n, 1, k.params(), refLoss, refGrad, up, k.gradScale, s));
        float[] xv = x.clone();
        float[] grad = !k.backward ? null : k.inPlace ? xv : new float[x.length];
        float[] loss = k.lossOut ? new float[k.n] : null;
        double got = TestKernels.sum(s -> VEC.crossEntropy(xv, t, 0, k.n, 1, k.params(), loss, grad, up, k.gradScale, s));
        String id = "seed=" + k.seed + " " + k;
        assertClose(ref, got, TOL_F, id + " total");
        if (loss != null) {
            for (int i = 0; i < k.n; i++) {
                assertTrue(Math.abs(loss[i] - refLoss[i]) <= TOL_F * Math.max(1, Math.abs(refLoss[i])),
                        id + " loss[" + i + "] " + loss[i] + " vs " + refLoss[i]);
            }
        }
        if (grad != null) {
            assertRowsClose(refGrad, grad, k.n, k.c, TOL_F, id);
        }
    }

    static void checkIndexDouble(Case k) {
        Random r = new Random(k.seed * 31 + 7);
        double[] x = toD(logitsF(r, k.n * k.c, k.spread));
        int[] t = targets(r, k.n, k.c, k.ignore);
        double[] up = k.upstream ? toD(logitsF(r, k.n, 1)) : null;
        double[] refGrad = k.backward ? new double[x.length] : null;
        double[] refLoss = k.lossOut ? new double[k.n] : null;
        double ref = TestKernels.sum(s -> REF.crossEntropy(x, t, 0, k.n, 1, k.params(), refLoss, refGrad, up, k.gradScale, s));
        double[] xv = x.clone();
        double[] grad = !k.backward ? null : k.inPlace ? xv : new double[x.length];
        double[] loss = k.lossOut ? new double[k.n] : null;
        double got = TestKernels.sum(s -> VEC.crossEntropy(xv, t, 0, k.n, 1, k.params(), loss, grad, up, k.gradScale, s));
        String id = "seed=" + k.seed + " " + k;
        assertClose(ref, got, TOL_D, id + " total");
        if (loss != null) {
            for (int i = 0; i < k.n; i++) {
                assertTrue(Math.abs(loss[i] - refLoss[i]) <= TOL_D * Math.max(1, Math.abs(refLoss[i])),
                        id + " loss[" + i + "] " + loss[i] + " vs " + refLoss[i]);
            }
        }
        if (grad != null) {
            assertRowsClose(refGrad, grad, k.n, k.c, TOL_D, id);
        }
    }

    @Test
    void probabilityTargetsMatchScalar() {
        for (long seed = 1; seed <= 300; seed++) {
            Case k = Case.random(seed);
            Random r = new Random(seed);
            CeParams p = new CeParams(k.c, seed % 5 == 0 ? k.weight : null, -100, k.eps);
            float[] x = logitsF(r, k.n * k.c, k.spread);
            float[] t = new float[x.length];
            for (int i = 0; i < k.n; i++) {
                double s = 0;
                for (int c = 0; c < k.c; c++) {
                    t[i * k.c + c] = r.nextFloat();
                    s += t[i * k.c + c];
                }
                for (int c = 0; c < k.c; c++) {
                    t[i * k.c + c] /= (float) s;
                }
            }
            float[] up = k.upstream ? logitsF(r, k.n, 1) : null;
            float[] refGrad = new float[x.length];
            float[] refLoss = new float[k.n];
            double ref = TestKernels.sum(s -> REF.crossEntropyProbs(x, t, 0, k.n, 1, p, refLoss, refGrad, up, k.gradScale, s));
            float[] xv = x.clone();
            float[] grad = k.inPlace ? xv : new float[x.length];
            float[] loss = new float[k.n];
            double got = TestKernels.sum(s -> VEC.crossEntropyProbs(xv, t, 0, k.n, 1, p, loss, grad, up, k.gradScale, s));
            String id = "seed=" + seed + " probs " + k;
            assertClose(ref, got, TOL_F, id);
            assertRowsClose(refGrad, grad, k.n, k.c, TOL_F, id);
            for (int i = 0; i < k.n; i++) {
                assertTrue(Math.abs(loss[i] - refLoss[i]) <= TOL_F * Math.max(1, Math.abs(refLoss[i])), id + " loss " + i);
            }
            // float64
            double[] xd = toD(x);
            double[] td = toD(t);
            double[] upd = up == null ? null : toD(up);
            double[] refGradD = new double[x.length];
            double refD = TestKernels.sum(s -> REF.crossEntropyProbs(xd, td, 0, k.n, 1, p, null, refGradD, upd, k.gradScale, s));
            double[] gradD = new double[x.length];
            double gotD = TestKernels.sum(s -> VEC.crossEntropyProbs(xd, td, 0, k.n, 1, p, null, gradD, upd, k.gradScale, s));
            assertClose(refD, gotD, TOL_D, id + " f64");
            assertRowsClose(refGradD, gradD, k.n, k.c, TOL_D, id + " f64");
        }
    }

    @Test
    void bceWithLogitsMatchesScalar() {
        for (long seed = 1; seed <= 200; seed++) {
            Random r = new Random(seed);
            int len = 1 + r.nextInt(300);
            int i0 = r.nextInt(Math.max(1, len / 3));
            float[] x = logitsF(r, len, new double[] {0.5, 3, 30}[r.nextInt(3)]);
            float[] y = new float[len];
            for (int i = 0; i < len; i++) {
                y[i] = r.nextBoolean() ? r.nextFloat() : (float) r.nextInt(2);
            }
            float[] up = r.nextBoolean() ? logitsF(r, len, 1) : null;
            double scale = 0.5 + r.nextDouble();
            Broadcast w = seed % 7 == 0 ? new Broadcast(new double[] {0.5, 2}, 1, 2) : null;
            float[] refLoss = new float[len];
            float[] refGrad = new float[len];
            double ref = TestKernels.sum(s -> REF.bceWithLogits(x, y, i0, len, Integer.MAX_VALUE, w, null, refLoss, refGrad, up, scale, s));
            float[] loss = new float[len];
            float[] xv = x.clone();
            float[] grad = r.nextBoolean() ? xv : new float[len];
            double got = TestKernels.sum(s -> VEC.bceWithLogits(xv, y, i0, len, Integer.MAX_VALUE, w, null, loss, grad, up, scale, s));
            String id = "seed=" + seed + " bce len=" + len;
            assertClose(ref, got, TOL_F, id);
            double gmax = 0;
            for (float g : refGrad) {
                gmax = Math.max(gmax, Math.abs(g));
            }
            for (int i = i0; i < len; i++) {
                assertTrue(Math.abs(loss[i] - refLoss[i]) <= TOL_F * Math.max(1, Math.abs(refLoss[i])),
                        id + " loss[" + i + "] " + loss[i] + " vs " + refLoss[i] + " x=" + x[i] + " y=" + y[i]);
                assertTrue(Math.abs(grad[i] - refGrad[i]) <= TOL_F * gmax, id + " grad[" + i + "]");
            }
            double[] xd = toD(x);
            double[] yd = toD(y);
            double[] gd = new double[len];
            double[] gdRef = new double[len];
            double refD = TestKernels.sum(s -> REF.bceWithLogits(xd, yd, i0, len, Integer.MAX_VALUE, w, null, null, gdRef, up == null ? null : toD(up), scale, s));
            double gotD = TestKernels.sum(s -> VEC.bceWithLogits(xd, yd, i0, len, Integer.MAX_VALUE, w, null, null, gd, up == null ? null : toD(up), scale, s));
            assertClose(refD, gotD, TOL_D, id + " f64");
            for (int i = i0; i < len; i++) {
                assertTrue(Math.abs(gd[i] - gdRef[i]) <= TOL_D * Math.max(gmax, 1e-300), id + " f64 grad[" + i + "]");
            }
        }
    }

    @Test
    void softmaxAndLogSoftmaxMatchScalar() {
        for (long seed = 1; seed <= 200; seed++) {
            Case k = Case.random(seed);
            Random r = new Random(seed);
            float[] x = logitsF(r, k.n * k.c, k.spread);
            for (boolean log : new boolean[] {false, true}) {
                float[] ref = new float[x.length];
                REF.softmax(x, 0, k.n, k.c, 1, log, ref);
                float[] xv = x.clone();
                float[] out = k.inPlace ? xv : new float[x.length];
                VEC.softmax(xv, 0, k.n, k.c, 1, log, out);
                for (int i = 0; i < x.length; i++) {
                    assertTrue(Math.abs(out[i] - ref[i]) <= 4e-7 * Math.max(1, Math.abs(ref[i])),
                            "seed=" + seed + " log=" + log + " C=" + k.c + " [" + i + "] " + out[i] + " vs " + ref[i]);
                }
                double[] refD = new double[x.length];
                double[] xd = toD(x);
                REF.softmax(xd, 0, k.n, k.c, 1, log, refD);
                double[] outD = new double[x.length];
                VEC.softmax(xd, 0, k.n, k.c, 1, log, outD);
                for (int i = 0; i < x.length; i++) {
                    assertTrue(Math.abs(outD[i] - refD[i]) <= 1e-14 * Math.max(1, Math.abs(refD[i])),
                            "seed=" + seed + " f64 log=" + log + " [" + i + "]");
                }
            }
        }
    }

    @Test
    void spatialInputsBelowOneVectorGoToTheReference() {
        Random r = new Random(5);
        int n = 3, c = 20, d = VectorMath.LD - 1;
        float[] x = logitsF(r, n * c * d, 2);
        int[] t = new int[n * d];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(c);
        }
        CeParams p = new CeParams(c, null, -100, 0);
        float[] g1 = new float[x.length];
        float[] g2 = new float[x.length];
        double a = TestKernels.sum(s -> REF.crossEntropy(x, t, 0, n, d, p, null, g1, null, 1, s));
        double b = TestKernels.sum(s -> VEC.crossEntropy(x, t, 0, n, d, p, null, g2, null, 1, s));
        assertEquals(a, b);
        assertTrue(java.util.Arrays.equals(g1, g2));
    }

    // ---------------------------------------------------------------- helpers

    static double[] toD(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static void assertClose(double ref, double got, double tol, String id) {
        if (Double.isNaN(ref) || Double.isNaN(got)) {
            assertEquals(Double.isNaN(ref), Double.isNaN(got), id + ": NaN mismatch " + got + " vs " + ref);
            return;
        }
        if (Math.abs(got - ref) > tol * Math.max(1, Math.abs(ref))) {
            fail(id + ": " + got + " vs " + ref + " (rel " + Math.abs(got - ref) / Math.max(1, Math.abs(ref)) + ")");
        }
    }

    /** |got - ref| <= tol * max|ref| over the whole gradient (the contract), NaN where NaN. */
    static void assertRowsClose(float[] ref, float[] got, int n, int c, float tol, String id) {
        double max = 0;
        for (float v : ref) {
            if (!Float.isNaN(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        for (int row = 0; row < n; row++) {
            for (int j = 0; j < c; j++) {
                float a = ref[row * c + j];
                float b = got[row * c + j];
                if (Float.isNaN(a) || Float.isNaN(b)) {
                    assertEquals(Float.isNaN(a), Float.isNaN(b), id + " grad[" + row + "," + j + "] NaN mismatch");
                } else if (Math.abs(a - b) > tol * max) {
                    fail(id + " grad[" + row + "," + j + "] " + b + " vs " + a + " (max|g| " + max + ")");
                }
            }
        }
    }

    /** |got - ref| <= tol * max|ref| over the whole gradient (the contract), NaN where NaN. */
    static void assertRowsClose(double[] ref, double[] got, int n, int c, double tol, String id) {
        double max = 0;
        for (double v : ref) {
            if (!Double.isNaN(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        for (int row = 0; row < n; row++) {
            for (int j = 0; j < c; j++) {
                double a = ref[row * c + j];
                double b = got[row * c + j];
                if (Double.isNaN(a) || Double.isNaN(b)) {
                    assertEquals(Double.isNaN(a), Double.isNaN(b), id + " grad[" + row + "," + j + "] NaN mismatch");
                } else if (Math.abs(a - b) > tol * max) {
                    fail(id + " grad[" + row + "," + j + "] " + b + " vs " + a + " (max|g| " + max + ")");
                }
            }
        }
    }
}
