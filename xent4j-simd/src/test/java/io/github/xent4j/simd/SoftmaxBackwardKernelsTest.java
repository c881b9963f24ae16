package io.github.xent4j.simd;

import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.github.xent4j.simd.ElementwiseCheck.close;
import static io.github.xent4j.simd.ElementwiseCheck.maxAbs;
import static io.github.xent4j.simd.VectorKernelsTest.toD;

/** softmax / log_softmax backward along any dim (inner = 1 and strided): vector = scalar reference. */
class SoftmaxBackwardKernelsTest {

    static final Kernels VEC = TestKernels.VECTOR;
    static final Kernels REF = TestKernels.SCALAR;

    @Test
    void backwardMatchesTheReference() {
        for (long seed = 1; seed <= 300; seed++) {
            Random r = new Random(seed);
            int n = 1 + r.nextInt(5);
            int c = new int[] {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 100, 1000}[r.nextInt(12)];
            int inner = r.nextBoolean() ? 1 : new int[] {2, 3, 7, 8, 15, 16, 17, 31, 33, 100}[r.nextInt(10)];
            boolean log = r.nextBoolean();
            boolean special = seed % 6 == 0;
            int len = n * c * inner;
            float[] logits = VectorKernelsTest.logitsF(r, len, new double[] {1, 5, 30}[r.nextInt(3)]);
            if (special) {
                for (int i = 0; i < len; i += 1 + r.nextInt(20)) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
            float[] y = new float[len];
            REF.softmax(logits, 0, n, c, inner, log, y);
            float[] g = new float[len];
            for (int i = 0; i < len; i++) {
                g[i] = (float) r.nextGaussian();
                if (special && r.nextInt(50) == 0) {
                    g[i] = new float[] {Float.NaN, Float.POSITIVE_INFINITY, 0f}[r.nextInt(3)];
                }
            }
            int n0 = r.nextInt(n);
            String id = "seed=" + seed + " n=" + n + " c=" + c + " inner=" + inner + " log=" + log;
            float[] ref = new float[len];
            REF.softmaxBackward(y, g, n0, n, c, inner, log, ref);
            float[] gv = g.clone();
            float[] dx = r.nextBoolean() ? gv : new float[len]; // in place over g too
            VEC.softmaxBackward(y, gv, n0, n, c, inner, log, dx);
            int from = n0 * c * inner;
            close(ref, dx, from, len, 1e-6, maxAbs(ref, from, len), id);
            double[] yd = toD(y);
            double[] gd = toD(g);
            double[] refD = new double[len];
            REF.softmaxBackward(yd, gd, n0, n, c, inner, log, refD);
            double[] dxD = r.nextBoolean() ? gd : new double[len];
            VEC.softmaxBackward(yd, gd, n0, n, c, inner, log, dxD);
            // the reference's own double dot is off by about 1e-16 |g| |y|, and g - dot can cancel (a peaked
            // softmax): 1e-12 relative to the largest entry, or to 1e-4 |g|max |y|max where that is larger
            double floor = Math.max(maxAbs(refD, from, len), 1e-4 * maxAbs(g, 0, len) * maxAbs(y, 0, len));
            close(refD, dxD, from, len, 1e-12, floor, id + " f64");
        }
    }
}
