package io.github.xent4j.simd;

import io.github.xent4j.spi.Gemm;
import io.github.xent4j.spi.ScalarGemm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packed vector GEMM equals the scalar reference bit for bit (which follows the arithmetic
 * contract of {@link Gemm}, checked in the core), is accurate against a float64 product, and gives
 * the same bits for any split of C into row or column blocks (the core's thread split).
 *
 * <p>Surefire runs this class twice, with {@code -Dxent4j.simd.bits=256} and {@code =512}, each in
 * its own JVM, and the test checks the kernels of that width ({@link VectorGemms#preferred}). On a
 * 256-bit machine the 512-bit kernels run on the Vector API's emulation (exact, slow: the shapes
 * are kept small). The two widths never share a JVM: a second vector species in the same JVM
 * pollutes the Vector API's profiles and makes C2 box vectors in every kernel
 * ({@code NoAllocationTest} and {@code GemmNoAllocationTest} fail).
 */
class VectorGemmTest {

    static final Gemm REF = ScalarGemm.INSTANCE;

    enum Form { ABT, AB, ATB }

    /** A random problem with padded leading dimensions and offsets. */
    static final class Problem {
        final Form form;
        final int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        final float[] a, b, c0;
        final double[] ad, bd, cd0;

        Problem(Form form, int m, int n, int k, Random r) {
            this.form = form;
            this.m = m;
            this.n = n;
            this.k = k;
            int aRows = form == Form.ATB ? k : m, aCols = form == Form.ATB ? m : k;
            int bRows = form == Form.ABT ? n : k, bCols = form == Form.ABT ? k : n;
            aOff = r.nextInt(5);
            lda = aCols + r.nextInt(4);
            bOff = r.nextInt(5);
            ldb = bCols + r.nextInt(4);
            cOff = r.nextInt(5);
            ldc = n + r.nextInt(4);
            a = gaussian(r, aOff + Math.max(0, aRows - 1) * lda + aCols + r.nextInt(3));
            b = gaussian(r, bOff + Math.max(0, bRows - 1) * ldb + bCols + r.nextInt(3));
            c0 = gaussian(r, cOff + Math.max(0, m - 1) * ldc + n + r.nextInt(3));
            ad = VectorKernelsTest.toD(a);
            bd = VectorKernelsTest.toD(b);
            cd0 = VectorKernelsTest.toD(c0);
        }

        /** C with NaN in the block: a non-accumulating product must overwrite all of it. */
        float[] start(boolean acc) {
            float[] c = c0.clone();
            if (!acc) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
                }
            }
            return c;
        }

        double[] startD(boolean acc) {
            double[] c = cd0.clone();
            if (!acc) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Double.NaN);
                }
            }
            return c;
        }

        /** Rows [i0, i1) and columns [j0, j1) of C only, by moving the offsets as the core's runner does. */
        void run(Gemm g, float[] c, boolean acc, float[] w, int i0, int i1, int j0, int j1) {
            int mm = i1 - i0, nn = j1 - j0, co = cOff + i0 * ldc + j0;
            switch (form) {
                case ABT -> g.abt(mm, nn, k, a, aOff + i0 * lda, lda, b, bOff + j0 * ldb, ldb, c, co, ldc, acc, w);
                case AB -> g.ab(mm, nn, k, a, aOff + i0 * lda, lda, b, bOff + j0, ldb, c, co, ldc, acc, w);
                case ATB -> g.atb(mm, nn, k, a, aOff + i0, lda, b, bOff + j0, ldb, c, co, ldc, acc, w);
            }
        }

        void run(Gemm g, double[] c, boolean acc, double[] w, int i0, int i1, int j0, int j1) {
            int mm = i1 - i0, nn = j1 - j0, co = cOff + i0 * ldc + j0;
            switch (form) {
                case ABT -> g.abt(mm, nn, k, ad, aOff + i0 * lda, lda, bd, bOff + j0 * ldb, ldb, c, co, ldc, acc, w);
                case AB -> g.ab(mm, nn, k, ad, aOff + i0 * lda, lda, bd, bOff + j0, ldb, c, co, ldc, acc, w);
                case ATB -> g.atb(mm, nn, k, ad, aOff + i0, lda, bd, bOff + j0, ldb, c, co, ldc, acc, w);
            }
        }

        void run(Gemm g, float[] c, boolean acc, float[] w) {
            run(g, c, acc, w, 0, m, 0, n);
        }

        void run(Gemm g, double[] c, boolean acc, double[] w) {
            run(g, c, acc, w, 0, m, 0, n);
        }

        int kb() {
            return form == Form.ATB ? Gemm.KC_ATB : Gemm.KC;
        }

        double aAt(int i, int p) {
            return form == Form.ATB ? ad[aOff + p * lda + i] : ad[aOff + i * lda + p];
        }

        double bAt(int p, int j) {
            return form == Form.ABT ? bd[bOff + j * ldb + p] : bd[bOff + p * ldb + j];
        }

        /** |c - exact| <= (min(k, KB) + k/KB + 2) u sum |A B| (+ |C0|), the product in float64. */
        void assertAccurate(float[] c, boolean acc, String what) {
            int steps = Math.min(k, kb()) + k / kb() + 2;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int at = cOff + i * ldc + j;
                    double exact = acc ? cd0[at] : 0, mag = acc ? Math.abs(cd0[at]) : 0;
                    for (int p = 0; p < k; p++) {
                        double t = aAt(i, p) * bAt(p, j);
                        exact += t;
                        mag += Math.abs(t);
                    }
                    double bound = steps * 0x1p-24 * mag + 1e-30;
                    if (!(Math.abs(c[at] - exact) <= bound)) {
                        fail(what + ": C(" + i + "," + j + ")=" + c[at] + " exact " + exact + " bound " + bound);
                    }
                }
            }
        }

        @Override
        public String toString() {
            return form + " m=" + m + " n=" + n + " k=" + k + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc;
        }
    }

    static float[] gaussian(Random r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    static void assertBitwise(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    static void assertBitwise(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    /** Shapes around the blocks of both widths: MR 6/8, NR 8/16/32, MC 48-144, k-blocks 256/512, NC 1024/2048. */
    static List<int[]> shapes(boolean emulated) {
        List<int[]> s = new ArrayList<>(List.of(
                new int[] {1, 1, 1}, new int[] {2, 3, 0}, new int[] {1, 1, 0}, new int[] {6, 16, 5},
                new int[] {8, 32, 7}, new int[] {5, 15, 3}, new int[] {7, 33, 9}, new int[] {9, 17, 257},
                new int[] {13, 31, 256}, new int[] {3, 8, 513}, new int[] {17, 9, 40}, new int[] {1, 47, 2},
                new int[] {4, 9, 1030}, new int[] {7, 5, 512},
                new int[] {47, 1, 2}));
        if (!emulated) {
            s.addAll(List.of(new int[] {145, 20, 30}, new int[] {97, 41, 300}, new int[] {130, 70, 65},
                    new int[] {2, 2100, 5}, new int[] {7, 1030, 260}, new int[] {200, 200, 200}));
        } else {
            s.addAll(List.of(new int[] {65, 9, 3}, new int[] {2, 1030, 2}, new int[] {129, 3, 2}));
        }
        return s;
    }

    static boolean emulated(Gemm g) {
        return g == VectorGemm512.INSTANCE && jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() < 512;
    }

    static void checkEqualsReference(Gemm g, long seed) {
        Random r = new Random(seed);
        float[] w = new float[g.workspaceLength()];
        float[] wr = new float[REF.workspaceLength()];
        double[] wd = new double[g.workspaceLength()];
        double[] wrd = new double[REF.workspaceLength()];
        for (int[] s : shapes(emulated(g))) {
            for (Form f : Form.values()) {
                Problem pr = new Problem(f, s[0], s[1], s[2], r);
                for (boolean acc : new boolean[] {false, true}) {
                    String what = g.name() + " " + pr + " accumulate=" + acc;
                    float[] expected = pr.start(acc);
                    pr.run(REF, expected, acc, wr);
                    float[] c = pr.start(acc);
                    pr.run(g, c, acc, w);
                    assertBitwise(expected, c, what);
                    pr.assertAccurate(c, acc, what);
                    double[] expectedD = pr.startD(acc);
                    pr.run(REF, expectedD, acc, wrd);
                    double[] cd = pr.startD(acc);
                    pr.run(g, cd, acc, wd);
                    assertBitwise(expectedD, cd, what + " float64");
                }
            }
        }
    }

    /** The kernels of the width this JVM was started for. */
    static Gemm underTest() {
        return VectorGemms.preferred();
    }

    @Test
    void theKernelsEqualTheScalarReferenceBitwise() {
        checkEqualsReference(underTest(), 30);
    }

    @Test
    void anySplitOfRowsOrColumnsGivesTheSameBits() {
        Random r = new Random(32);
        for (Gemm g : new Gemm[] {underTest()}) {
            boolean small = emulated(g);
            float[] w = new float[g.workspaceLength()];
            double[] wd = new double[g.workspaceLength()];
            for (Form f : Form.values()) {
                Problem pr = small ? new Problem(f, 23, 37, 270, r) : new Problem(f, 101, 90, 300, r);
                float[] whole = pr.start(true);
                pr.run(g, whole, true, w);
                double[] wholeD = pr.startD(false);
                pr.run(g, wholeD, false, wd);
                for (int cut : new int[] {1, 5, 7, 16, 17}) {
                    if (cut >= Math.min(pr.m, pr.n)) {
                        continue;
                    }
                    float[] rows = pr.start(true);
                    pr.run(g, rows, true, w, 0, cut, 0, pr.n);
                    pr.run(g, rows, true, w, cut, pr.m, 0, pr.n);
                    assertBitwise(whole, rows, g.name() + " " + pr + " rows cut at " + cut);
                    float[] cols = pr.start(true);
                    pr.run(g, cols, true, w, 0, pr.m, 0, cut);
                    pr.run(g, cols, true, w, 0, pr.m, cut, pr.n);
                    assertBitwise(whole, cols, g.name() + " " + pr + " columns cut at " + cut);
                    double[] colsD = pr.startD(false);
                    pr.run(g, colsD, false, wd, 0, pr.m, 0, cut);
                    pr.run(g, colsD, false, wd, 0, pr.m, cut, pr.n);
                    assertBitwise(wholeD, colsD, g.name() + " " + pr + " float64 columns cut at " + cut);
                }
            }
        }
    }

    @Test
    void theProviderGivesTheKernelsOfThePropertyOrOfTheHardware() throws ReflectiveOperationException {
        Gemm g = new VectorKernelProvider().gemm(REF);
        String forced = System.getProperty(VectorGemms.BITS_PROPERTY);
        int bits = forced != null ? Integer.parseInt(forced)
                : jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? 512 : 256;
        assertTrue(forced != null, "surefire sets -D" + VectorGemms.BITS_PROPERTY + " for this class");
        assertTrue(g.name().startsWith("vector-" + bits + " "), g.name());
        // the core's choice (tests run on the class path, where the internal package is reachable)
        assertEquals(g, Class.forName("io.github.xent4j.internal.Dispatch").getMethod("gemm").invoke(null));
    }

}
