package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static io.github.xent4j.simd.VectorKernelsTest.toD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** NLL: the vector kernels give the reference's bits (same double products, same per-position sums). */
class NllKernelsTest {

    static final Kernels VEC = TestKernels.VECTOR;
    static final Kernels REF = TestKernels.SCALAR;

    @Test
    void nllMatchesTheReferenceBitForBit() {
        for (long seed = 1; seed <= 300; seed++) {
            Random r = new Random(seed);
            int n = 1 + r.nextInt(9);
            int c = new int[] {1, 2, 5, 16, 17, 100, 1000}[r.nextInt(7)];
            int inner = r.nextBoolean() ? 1 : new int[] {2, 7, 16, 33}[r.nextInt(4)];
            int n0 = r.nextInt(n);
            double[] w = r.nextBoolean() ? null : new double[c];
            if (w != null) {
                for (int k = 0; k < c; k++) {
                    w[k] = 3 * r.nextDouble();
                }
            }
            CeParams p = new CeParams(c, w, r.nextBoolean() ? -100 : 0, 0);
            float[] x = new float[n * c * inner];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(50) == 0 ? Float.NEGATIVE_INFINITY : (float) (-10 * r.nextDouble());
            }
            int[] t = new int[n * inner];
            for (int i = 0; i < t.length; i++) {
                t[i] = r.nextInt(6) == 0 ? p.ignoreIndex : r.nextInt(c);
            }
            float[] up = r.nextBoolean() ? null : BceKernelsTest.up(new Random(seed), n * inner);
            double scale = 0.25 + r.nextDouble();
            String id = "seed=" + seed + " n=" + n + " c=" + c + " inner=" + inner;
            float[] refLoss = new float[t.length];
            float[] refGrad = new float[x.length];
            Arrays.fill(refGrad, 7f);
            double ref = TestKernels.sum(k -> REF.nllLoss(x, t, n0, n, inner, p, refLoss, refGrad, up, scale, k));
            float[] loss = new float[t.length];
            float[] xv = x.clone();
            boolean inPlace = r.nextBoolean();
            float[] grad = inPlace ? xv : new float[x.length];
            if (!inPlace) {
                Arrays.fill(grad, 7f);
            } else {
                System.arraycopy(refGrad, 0, xv, 0, n0 * c * inner); // rows before n0 are not touched
            }
            double got = TestKernels.sum(k -> VEC.nllLoss(xv, t, n0, n, inner, p, loss, grad, up, scale, k));
            assertEquals(ref, got, id + " sum");
            assertArrayEquals(refLoss, loss, id + " loss");
            assertArrayEquals(refGrad, grad, id + " grad");
            double[] xd = toD(x);
            double[] refGradD = new double[x.length];
            double[] gradD = new double[x.length];
            double[] upd = up == null ? null : toD(up);
            double refD = TestKernels.sum(k -> REF.nllLoss(xd, t, n0, n, inner, p, null, refGradD, upd, scale, k));
            double gotD = TestKernels.sum(k -> VEC.nllLoss(xd, t, n0, n, inner, p, null, gradD, upd, scale, k));
            assertEquals(refD, gotD, id + " f64 sum");
            assertArrayEquals(refGradD, gradD, id + " f64 grad");
            double valueOnly = TestKernels.sum(k -> VEC.nllLoss(x, t, n0, n, inner, p, null, null, null, 1, k));
            assertEquals(TestKernels.sum(k -> REF.nllLoss(x, t, n0, n, inner, p, null, null, null, 1, k)), valueOnly, id + " value");
        }
    }
}
