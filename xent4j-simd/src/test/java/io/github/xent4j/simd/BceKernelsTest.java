package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.github.xent4j.simd.ElementwiseCheck.close;
import static io.github.xent4j.simd.ElementwiseCheck.maxAbs;
import static io.github.xent4j.simd.VectorKernelsTest.assertClose;
import static io.github.xent4j.simd.VectorKernelsTest.toD;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** BCE on probabilities, weighted BCE with logits and the range scan: vector = scalar reference. */
class BceKernelsTest {

    static final Kernels VEC = TestKernels.VECTOR;
    static final Kernels REF = TestKernels.SCALAR;
    static final double TOL_F = 1e-6;
    static final double TOL_D = 1e-12;

    /** A random (N, C) shape, C often not a multiple of any vector length, and a start offset. */
    record Shape(int n, int c, int i0, int slice) {
        int len() {
            return n * c;
        }

        static Shape random(Random r) {
            int n = 1 + r.nextInt(12);
            int c = new int[] {1, 3, 7, 8, 15, 16, 17, 31, 33, 100, 129, 300}[r.nextInt(12)];
            int i0 = r.nextInt(3) == 0 ? 0 : r.nextInt(Math.max(1, n * c / 3));
            // slice: the dim-0 slice, so segments are cut at rows; also the 1-D case (one big slice)
            return new Shape(n, c, i0, r.nextBoolean() ? c : n * c);
        }
    }

    /** null, or a weight laid out as one of the broadcasts the core builds (see Broadcast). */
    static Broadcast weight(Random r, Shape s, boolean positive) {
        int kind = r.nextInt(6);
        int div;
        int mod;
        switch (kind) {
            case 0: return null;
            case 1: div = 1; mod = s.c(); break;                   // (C) on (N, C)
            case 2: div = s.c(); mod = s.n(); break;               // (N, 1) on (N, C)
            case 3: div = 1; mod = s.len(); break;                 // materialised, full size
            case 4: div = Math.max(1, s.c() / 3); mod = 3; break;  // (3, 1) on (N, 3, D)-like
            default: div = 1; mod = 1; break;                      // a scalar
        }
        double[] v = new double[mod];
        for (int i = 0; i < mod; i++) {
            v[i] = positive ? 0.1 + 3 * r.nextDouble() : (r.nextInt(5) == 0 ? 0 : 3 * r.nextDouble());
        }
        return new Broadcast(v, div, mod);
    }

    /** Probabilities with the edges: 0, 1, tiny, subnormal, next to 1. */
    static float[] probs(Random r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            switch (r.nextInt(12)) {
                case 0: x[i] = 0f; break;
                case 1: x[i] = 1f; break;
                case 2: x[i] = (float) Math.pow(10, -1 - 44 * r.nextDouble()); break; // down to subnormal
                case 3: x[i] = 1f - (float) Math.pow(2, -1 - 23 * r.nextDouble()); break;
                case 4: x[i] = Float.MIN_VALUE * (1 + r.nextInt(100)); break;
                default: x[i] = r.nextFloat(); break;
            }
        }
        return x;
    }

    static float[] up(Random r, int len) {
        if (r.nextBoolean()) {
            return null;
        }
        float[] u = new float[len];
        for (int i = 0; i < len; i++) {
            u[i] = (float) r.nextGaussian();
        }
        return u;
    }

    @Test
    void bceOnProbabilitiesMatchesTheReference() {
        for (long seed = 1; seed <= 400; seed++) {
            Random r = new Random(seed);
            Shape s = Shape.random(r);
            int len = s.len();
            float[] x = probs(r, len);
            float[] y = r.nextBoolean() ? probs(r, len) : binary(r, len);
            Broadcast w = weight(r, s, false);
            float[] up = up(r, len);
            double scale = 0.5 + r.nextDouble();
            int outputs = r.nextInt(4); // 0: value only, 1: grad only, 2: loss only, 3: both
            String id = "seed=" + seed + " " + s + " w=" + (w == null ? "-" : w.div + "/" + w.mod) + " out=" + outputs;
            float[] refLoss = outputs >= 2 ? new float[len] : null;
            float[] refGrad = (outputs & 1) == 1 ? new float[len] : null;
            double ref = TestKernels.sum(k -> REF.bce(x, y, s.i0(), len, s.slice(), w, refLoss, refGrad, up, scale, k));
            float[] xv = x.clone();
            float[] loss = refLoss == null ? null : new float[len];
            float[] grad = refGrad == null ? null : r.nextBoolean() ? xv : new float[len]; // in place too
            double got = TestKernels.sum(k -> VEC.bce(xv, y, s.i0(), len, s.slice(), w, loss, grad, up, scale, k));
            assertClose(ref, got, TOL_F, id + " sum");
            if (loss != null) {
                close(refLoss, loss, s.i0(), len, TOL_F, 1e-30, id + " loss");
            }
            if (grad != null) {
                close(refGrad, grad, s.i0(), len, 2 * TOL_F, 1e-30, id + " grad");
            }
            double[] xd = toD(x);
            double[] yd = toD(y);
            double[] upd = up == null ? null : toD(up);
            double[] refLossD = new double[len];
            double[] refGradD = new double[len];
            double refD = TestKernels.sum(k -> REF.bce(xd, yd, s.i0(), len, s.slice(), w, refLossD, refGradD, upd, scale, k));
            double[] lossD = new double[len];
            double[] gradD = new double[len];
            double gotD = TestKernels.sum(k -> VEC.bce(xd, yd, s.i0(), len, s.slice(), w,
                    outputs >= 2 ? lossD : null, gradD, upd, scale, k));
            assertClose(refD, gotD, TOL_D, id + " f64 sum");
            if (outputs >= 2) {
                close(refLossD, lossD, s.i0(), len, TOL_D, 1e-300, id + " f64 loss");
            }
            close(refGradD, gradD, s.i0(), len, TOL_D, 1e-300, id + " f64 grad");
        }
    }

    static float[] binary(Random r, int len) {
        float[] y = new float[len];
        for (int i = 0; i < len; i++) {
            y[i] = r.nextInt(2);
        }
        return y;
    }

    @Test
    void weightedBceWithLogitsMatchesTheReference() {
        for (long seed = 1; seed <= 400; seed++) {
            Random r = new Random(seed);
            Shape s = Shape.random(r);
            int len = s.len();
            float[] x = VectorKernelsTest.logitsF(r, len, new double[] {0.5, 3, 30}[r.nextInt(3)]);
            float[] y = r.nextBoolean() ? probs(r, len) : binary(r, len);
            Broadcast w = weight(r, s, false);
            Broadcast pw = weight(r, s, false);
            if (w == null && pw == null) {
                pw = new Broadcast(new double[] {2.5}, 1, 1);
            }
            Broadcast fpw = pw;
            float[] up = up(r, len);
            double scale = 0.5 + r.nextDouble();
            int outputs = r.nextInt(4);
            String id = "seed=" + seed + " " + s + " out=" + outputs;
            float[] refLoss = outputs >= 2 ? new float[len] : null;
            float[] refGrad = (outputs & 1) == 1 ? new float[len] : null;
            double ref = TestKernels.sum(k -> REF.bceWithLogits(x, y, s.i0(), len, s.slice(), w, fpw, refLoss, refGrad, up, scale, k));
            float[] xv = x.clone();
            float[] loss = refLoss == null ? null : new float[len];
            float[] grad = refGrad == null ? null : r.nextBoolean() ? xv : new float[len];
            double got = TestKernels.sum(k -> VEC.bceWithLogits(xv, y, s.i0(), len, s.slice(), w, fpw, loss, grad, up, scale, k));
            assertClose(ref, got, TOL_F, id + " sum");
            if (loss != null) {
                close(refLoss, loss, s.i0(), len, TOL_F, 1, id + " loss");
            }
            if (grad != null) {
                // the contract: relative to the largest gradient entry
                close(refGrad, grad, s.i0(), len, TOL_F, maxAbs(refGrad, s.i0(), len), id + " grad");
            }
            double[] xd = toD(x);
            double[] yd = toD(y);
            double[] upd = up == null ? null : toD(up);
            double[] refLossD = new double[len];
            double[] refGradD = new double[len];
            double refD = TestKernels.sum(k -> REF.bceWithLogits(xd, yd, s.i0(), len, s.slice(), w, fpw, refLossD, refGradD, upd, scale, k));
            double[] lossD = new double[len];
            double[] gradD = new double[len];
            double gotD = TestKernels.sum(k -> VEC.bceWithLogits(xd, yd, s.i0(), len, s.slice(), w, fpw,
                    outputs >= 2 ? lossD : null, gradD, upd, scale, k));
            assertClose(refD, gotD, TOL_D, id + " f64 sum");
            if (outputs >= 2) {
                close(refLossD, lossD, s.i0(), len, TOL_D, 1, id + " f64 loss");
            }
            close(refGradD, gradD, s.i0(), len, TOL_D, maxAbs(refGradD, s.i0(), len), id + " f64 grad");
        }
    }

    @Test
    void weightedBceWithLogitsSpecialValuesAreTheReferences() {
        float[] specials = {0f, -0f, 1f, -1f, 100f, -100f, 1e30f, -1e30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        float[] ys = {0f, 1f, 0.5f, Float.NaN};
        // (an infinite pos_weight is left out: the reference's double exp(-100) = 3.7e-44 makes inf * it
        // finite where float32's exp is 0 and inf * 0 = NaN, as in PyTorch's float32)
        double[] pws = {0, 1, 3};
        int len = specials.length * ys.length * 3;
        for (double pwv : pws) {
            float[] x = new float[len];
            float[] y = new float[len];
            for (int i = 0; i < len; i++) {
                x[i] = specials[i % specials.length];
                y[i] = ys[(i / specials.length) % ys.length];
            }
            Broadcast pw = new Broadcast(new double[] {pwv, 1.5}, 1, 2);
            float[] refLoss = new float[len];
            float[] refGrad = new float[len];
            float[] loss = new float[len];
            float[] grad = new float[len];
            REF.bceWithLogits(x, y, 0, len, len, null, pw, refLoss, refGrad, null, 0.5, TestKernels.SINK);
            VEC.bceWithLogits(x, y, 0, len, len, null, pw, loss, grad, null, 0.5, TestKernels.SINK);
            close(refLoss, loss, 0, len, TOL_F, 1, "pw=" + pwv + " loss");
            close(refGrad, grad, 0, len, TOL_F, 1, "pw=" + pwv + " grad");
            double[] xd = toD(x);
            double[] yd = toD(y);
            double[] refLossD = new double[len];
            double[] lossD = new double[len];
            REF.bceWithLogits(xd, yd, 0, len, len, null, pw, refLossD, null, null, 0.5, TestKernels.SINK);
            VEC.bceWithLogits(xd, yd, 0, len, len, null, pw, lossD, null, null, 0.5, TestKernels.SINK);
            close(refLossD, lossD, 0, len, TOL_D, 1, "pw=" + pwv + " f64 loss");
        }
    }

    @Test
    void firstOutsideUnitFindsTheFirstBadEntry() {
        Random r = new Random(11);
        float[] bad = {-0.0001f, 1.0001f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -Float.MIN_VALUE};
        for (int len = 0; len < 80; len++) {
            float[] a = new float[len];
            for (int i = 0; i < len; i++) {
                a[i] = r.nextInt(5) == 0 ? (float) r.nextInt(2) : r.nextFloat();
            }
            if (len > 0) {
                a[len / 2] = -0f;
            }
            int from = len == 0 ? 0 : r.nextInt(len);
            assertEquals(-1, VEC.firstOutsideUnit(a, from, len), "clean len=" + len);
            assertEquals(-1, VEC.firstOutsideUnit(toD(a), from, len), "clean f64 len=" + len);
            for (int at = from; at < len; at++) {
                float[] b = a.clone();
                b[at] = bad[r.nextInt(bad.length)];
                int second = at + 1 + r.nextInt(len - at);
                if (second < len) {
                    b[second] = bad[r.nextInt(bad.length)];
                }
                assertEquals(REF.firstOutsideUnit(b, from, len), VEC.firstOutsideUnit(b, from, len), "len=" + len + " at=" + at);
                assertEquals(at, VEC.firstOutsideUnit(toD(b), from, len), "f64 len=" + len + " at=" + at);
                if (at > from) {
                    assertEquals(-1, VEC.firstOutsideUnit(b, from, at), "before it");
                }
            }
        }
    }
}
