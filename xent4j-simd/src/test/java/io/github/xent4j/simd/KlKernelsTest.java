package io.github.xent4j.simd;

import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.github.xent4j.simd.ElementwiseCheck.close;
import static io.github.xent4j.simd.ElementwiseCheck.maxAbs;
import static io.github.xent4j.simd.VectorKernelsTest.assertClose;
import static io.github.xent4j.simd.VectorKernelsTest.toD;

/** KL divergence (probability and log targets): vector = scalar reference, special values included. */
class KlKernelsTest {

    static final Kernels VEC = TestKernels.VECTOR;
    static final Kernels REF = TestKernels.SCALAR;

    /** Log-probabilities, sometimes -inf, +inf or NaN when {@code special}. */
    static float[] logProbs(Random r, int len, boolean special) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (-8 * r.nextDouble());
            if (special && r.nextInt(10) == 0) {
                x[i] = new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0f, -1e30f}[r.nextInt(5)];
            }
        }
        return x;
    }

    /** Targets: probabilities with 0, 1, tiny and subnormal values, or log-targets over the whole range. */
    static float[] targets(Random r, int len, boolean logTarget, boolean special) {
        float[] t = new float[len];
        for (int i = 0; i < len; i++) {
            if (logTarget) {
                // [-100, 100]: below about -103.3 float32's exp(t) is 0 where the reference's double is not, so
                // 0 * inf (an infinite x) would be NaN in one and +-inf in the other
                t[i] = (float) (r.nextInt(4) == 0 ? -100 + 200 * r.nextDouble() : -10 * r.nextDouble());
            } else {
                switch (r.nextInt(8)) {
                    case 0: t[i] = 0f; break;
                    case 1: t[i] = 1f; break;
                    case 2: t[i] = (float) Math.pow(10, -1 - 44 * r.nextDouble()); break;
                    default: t[i] = r.nextFloat(); break;
                }
            }
            if (special && r.nextInt(10) == 0) {
                t[i] = new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, -0f, -0.5f, 88.72f, 88.8f, -103f}[r.nextInt(8)];
            }
        }
        return t;
    }

    @Test
    void klDivMatchesTheReference() {
        for (long seed = 1; seed <= 400; seed++) {
            Random r = new Random(seed);
            BceKernelsTest.Shape s = BceKernelsTest.Shape.random(r);
            int len = s.len();
            boolean logTarget = r.nextBoolean();
            boolean special = seed % 5 == 0;
            float[] x = logProbs(r, len, special);
            float[] t = targets(r, len, logTarget, special);
            float[] up = BceKernelsTest.up(r, len);
            double scale = 0.5 + r.nextDouble();
            int outputs = r.nextInt(4);
            String id = "seed=" + seed + " " + s + " log_target=" + logTarget + " out=" + outputs;
            float[] refLoss = outputs >= 2 ? new float[len] : null;
            float[] refGrad = (outputs & 1) == 1 ? new float[len] : null;
            double ref = TestKernels.sum(k -> REF.klDiv(x, t, s.i0(), len, s.slice(), logTarget, refLoss, refGrad, up, scale, k));
            float[] xv = x.clone();
            float[] loss = refLoss == null ? null : new float[len];
            float[] grad = refGrad == null ? null : r.nextBoolean() ? xv : new float[len]; // in place too
            double got = TestKernels.sum(k -> VEC.klDiv(xv, t, s.i0(), len, s.slice(), logTarget, loss, grad, up, scale, k));
            assertClose(ref, got, 1e-6, id + " sum");
            if (loss != null) {
                close(refLoss, loss, s.i0(), len, 1e-6, 1, id + " loss");
            }
            if (grad != null) {
                close(refGrad, grad, s.i0(), len, 1e-6, 1e-30, id + " grad");
            }
            double[] xd = toD(x);
            double[] td = toD(t);
            double[] upd = up == null ? null : toD(up);
            double[] refLossD = new double[len];
            double[] refGradD = new double[len];
            double refD = TestKernels.sum(k -> REF.klDiv(xd, td, s.i0(), len, s.slice(), logTarget, refLossD, refGradD, upd, scale, k));
            double[] lossD = new double[len];
            double[] gradD = new double[len];
            double gotD = TestKernels.sum(k -> VEC.klDiv(xd, td, s.i0(), len, s.slice(), logTarget,
                    outputs >= 2 ? lossD : null, gradD, upd, scale, k));
            assertClose(refD, gotD, 1e-12, id + " f64 sum");
            if (outputs >= 2) {
                close(refLossD, lossD, s.i0(), len, 1e-12, 1, id + " f64 loss");
            }
            close(refGradD, gradD, s.i0(), len, 1e-12, Math.max(1e-300, 1e-3 * maxAbs(refGradD, s.i0(), len)), id + " f64 grad");
        }
    }
}
