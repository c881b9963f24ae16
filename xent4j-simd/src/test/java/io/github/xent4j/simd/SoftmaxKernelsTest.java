package io.github.xent4j.simd;

import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.github.xent4j.simd.ElementwiseCheck.close;
import static io.github.xent4j.simd.VectorKernelsTest.toD;

/** softmax / log_softmax along a strided class dim (inner > 1): vector = scalar reference, special values included. */
class SoftmaxKernelsTest {

    static final Kernels VEC = TestKernels.VECTOR;
    static final Kernels REF = TestKernels.SCALAR;

    @Test
    void stridedSoftmaxMatchesTheReference() {
        for (long seed = 1; seed <= 300; seed++) {
            Random r = new Random(seed);
            int n = 1 + r.nextInt(4);
            int c = new int[] {1, 2, 3, 7, 16, 17, 33, 100, 1000}[r.nextInt(9)];
            int inner = new int[] {2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100}[r.nextInt(11)];
            boolean log = r.nextBoolean();
            int len = n * c * inner;
            float[] x = VectorKernelsTest.logitsF(r, len, new double[] {1, 5, 30}[r.nextInt(3)]);
            if (seed % 5 == 0) {
                for (int i = r.nextInt(20); i < len; i += 1 + r.nextInt(40)) {
                    x[i] = new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN}[r.nextInt(3)];
                }
            }
            int n0 = r.nextInt(n);
            int from = n0 * c * inner;
            String id = "seed=" + seed + " n=" + n + " c=" + c + " inner=" + inner + " log=" + log;
            float[] ref = new float[len];
            REF.softmax(x, n0, n, c, inner, log, ref);
            float[] xv = x.clone();
            float[] out = r.nextBoolean() ? xv : new float[len]; // in place too
            VEC.softmax(xv, n0, n, c, inner, log, out);
            // as VectorKernelsTest: absolute below 1, relative above (log-probabilities)
            close(ref, out, from, len, 4e-7, 1, id);
            double[] xd = toD(x);
            double[] refD = new double[len];
            REF.softmax(xd, n0, n, c, inner, log, refD);
            double[] outD = new double[len];
            VEC.softmax(xd, n0, n, c, inner, log, outD);
            close(refD, outD, from, len, 1e-14, 1, id + " f64");
        }
    }
}
