package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rows holding +-inf, NaN and large values give what the scalar reference gives, before and after
 * the JIT has compiled the kernels (a vector max compiled by C2 must propagate NaN as Java does).
 */
class SpecialValuesTest {

    /** Includes a NaN with its sign bit set and -0 (the row max compares float bits as integers). */
    static final float[] SPECIAL = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e4f, -1e4f, 88f, -90f,
        Float.intBitsToFloat(0xffc00000), -0f};

    @Test
    void specialValuesMatchTheReferenceColdAndWarm() {
        check(1);
        // warm the kernels so that C2 compiles them, then check again
        Random r = new Random(3);
        float[] x = new float[64 * 40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int[] t = new int[64];
        float[] g = new float[x.length];
        CeParams p = new CeParams(40, null, -100, 0.1);
        CeParams q = new CeParams(40, null, -100, 0);
        for (int k = 0; k < 20_000; k++) {
            TestKernels.VECTOR.crossEntropy(x, t, 0, 64, 1, (k & 1) == 0 ? p : q, null, g, null, 1, TestKernels.SINK);
        }
        check(2);
    }

    private static void check(long seed0) {
        for (long seed = seed0 * 1000; seed < seed0 * 1000 + 300; seed++) {
            Random r = new Random(seed);
            int c = new int[] {8, 9, 16, 21, 40, 67}[r.nextInt(6)];
            int n = 6;
            float[] x = new float[n * c];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            int specials = 1 + r.nextInt(3);
            for (int k = 0; k < specials; k++) {
                x[r.nextInt(x.length)] = SPECIAL[r.nextInt(SPECIAL.length)];
            }
            if (r.nextInt(5) == 0) { // a row of -inf
                java.util.Arrays.fill(x, 0, c, Float.NEGATIVE_INFINITY);
            }
            int[] t = new int[n];
            for (int i = 0; i < n; i++) {
                t[i] = r.nextInt(6) == 0 ? 1 : r.nextInt(c);
            }
            double eps = r.nextBoolean() ? 0.2 : 0;
            CeParams p = new CeParams(c, null, r.nextBoolean() ? 1 : -100, eps);
            float[] lossRef = new float[n];
            float[] gradRef = new float[x.length];
            TestKernels.SCALAR.crossEntropy(x, t, 0, n, 1, p, lossRef, gradRef, null, 0.5, TestKernels.SINK);
            float[] loss = new float[n];
            float[] xv = x.clone();
            float[] grad = r.nextBoolean() ? xv : new float[x.length];
            TestKernels.VECTOR.crossEntropy(xv, t, 0, n, 1, p, loss, grad, null, 0.5, TestKernels.SINK);
            String id = "seed=" + seed + " C=" + c + " eps=" + eps;
            for (int i = 0; i < n; i++) {
                assertSame(lossRef[i], loss[i], 1e-6f, id + " loss[" + i + "]");
            }
            for (int i = 0; i < x.length; i++) {
                assertSame(gradRef[i], grad[i], 1e-6f, id + " grad[" + i + "] x=" + x[i]);
            }
            // softmax of the same rows
            float[] sRef = new float[x.length];
            float[] s = new float[x.length];
            TestKernels.SCALAR.softmax(x, 0, n, c, 1, false, sRef);
            TestKernels.VECTOR.softmax(x, 0, n, c, 1, false, s);
            for (int i = 0; i < x.length; i++) {
                assertSame(sRef[i], s[i], 1e-6f, id + " softmax[" + i + "]");
            }
        }
    }

    /** Same NaN-ness, same infinity, else close (absolute, values here are O(1)). */
    static void assertSame(float ref, float got, float tol, String id) {
        if (Float.isNaN(ref) || Float.isNaN(got) || Float.isInfinite(ref) || Float.isInfinite(got)) {
            assertEquals(ref, got, id + ": " + got + " vs " + ref);
        } else {
            assertTrue(Math.abs(ref - got) <= tol * Math.max(1, Math.abs(ref)), id + ": " + got + " vs " + ref);
        }
    }
}
