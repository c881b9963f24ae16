package io.github.xent4j.internal;

import io.github.xent4j.spi.Gemm;

import java.util.Arrays;
import java.util.Random;

/**
 * One random GEMM problem of a given form and shape, with padded leading dimensions and nonzero
 * offsets, plus the literal arithmetic contract of {@link Gemm} and a float64 reference.
 */
final class GemmCase {

    enum Form { ABT, AB, ATB }

    final Form form;
    final int m, n, k;
    final int aOff, lda, bOff, ldb, cOff, ldc;
    final float[] a, b, c0;
    final double[] ad, bd, cd0;

    GemmCase(Form form, int m, int n, int k, Random r) {
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
        a = new float[aOff + Math.max(0, aRows - 1) * lda + aCols + r.nextInt(3)];
        b = new float[bOff + Math.max(0, bRows - 1) * ldb + bCols + r.nextInt(3)];
        c0 = new float[cOff + Math.max(0, m - 1) * ldc + n + r.nextInt(3)];
        fill(a, r);
        fill(b, r);
        fill(c0, r);
        ad = toD(a);
        bd = toD(b);
        cd0 = toD(c0);
    }

    private static void fill(float[] x, Random r) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
    }

    static double[] toD(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** The k-block of this form in the contract. */
    int kb() {
        return form == Form.ATB ? Gemm.KC_ATB : Gemm.KC;
    }

    double aAt(double[] a, int i, int p) {
        return form == Form.ATB ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    double bAt(double[] b, int p, int j) {
        return form == Form.ABT ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
    }

    /** C as the contract defines it, float32: fma chains over blocks of KB, then one add per block. */
    float[] contract(boolean accumulate) {
        float[] c = c0.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int at = cOff + i * ldc + j;
                float cij = c[at];
                if (k == 0 && !accumulate) {
                    cij = 0f;
                }
                for (int p0 = 0; p0 < k; p0 += kb()) {
                    float t = 0f;
                    for (int p = p0; p < Math.min(k, p0 + kb()); p++) {
                        t = Math.fma((float) aAt(ad, i, p), (float) bAt(bd, p, j), t);
                    }
                    cij = p0 == 0 && !accumulate ? t : cij + t;
                }
                c[at] = cij;
            }
        }
        return c;
    }

    /** C as the contract defines it, float64. */
    double[] contractD(boolean accumulate) {
        double[] c = cd0.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int at = cOff + i * ldc + j;
                double cij = c[at];
                if (k == 0 && !accumulate) {
                    cij = 0;
                }
                for (int p0 = 0; p0 < k; p0 += kb()) {
                    double t = 0;
                    for (int p = p0; p < Math.min(k, p0 + kb()); p++) {
                        t = Math.fma(aAt(ad, i, p), bAt(bd, p, j), t);
                    }
                    cij = p0 == 0 && !accumulate ? t : cij + t;
                }
                c[at] = cij;
            }
        }
        return c;
    }

    /**
     * Asserts that c (float32) is within the forward error bound of the exact product, computed in
     * double: |c - exact| <= (min(k, KB) + k/KB + 2) u sum_p |A B| (+ |C0| when accumulating).
     */
    void assertAccurate(float[] c, boolean accumulate, String what) {
        double u = 0x1p-24;
        int steps = Math.min(k, kb()) + k / kb() + 2;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int at = cOff + i * ldc + j;
                double exact = accumulate ? cd0[at] : 0;
                double mag = accumulate ? Math.abs(cd0[at]) : 0;
                for (int p = 0; p < k; p++) {
                    double t = aAt(ad, i, p) * bAt(bd, p, j);
                    exact += t;
                    mag += Math.abs(t);
                }
                double err = Math.abs(c[at] - exact);
                if (!(err <= steps * u * mag + 1e-30)) {
                    throw new AssertionError(what + ": C(" + i + "," + j + ")=" + c[at] + " exact " + exact
                            + " error " + err + " > bound " + steps * u * mag);
                }
            }
        }
    }

    void run(Gemm g, float[] c, boolean acc, float[] work) {
        switch (form) {
            case ABT -> g.abt(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work);
            case AB -> g.ab(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work);
            case ATB -> g.atb(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work);
        }
    }

    void run(Gemm g, double[] c, boolean acc, double[] work) {
        switch (form) {
            case ABT -> g.abt(m, n, k, ad, aOff, lda, bd, bOff, ldb, c, cOff, ldc, acc, work);
            case AB -> g.ab(m, n, k, ad, aOff, lda, bd, bOff, ldb, c, cOff, ldc, acc, work);
            case ATB -> g.atb(m, n, k, ad, aOff, lda, bd, bOff, ldb, c, cOff, ldc, acc, work);
        }
    }

    /** The product over k in two calls: the first k1 indices, then the rest accumulated. */
    void runSplitK(Gemm g, float[] c, boolean acc, int k1, float[] work) {
        int k2 = k - k1;
        switch (form) {
            case ABT -> {
                g.abt(m, n, k1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work);
                g.abt(m, n, k2, a, aOff + k1, lda, b, bOff + k1, ldb, c, cOff, ldc, true, work);
            }
            case AB -> {
                g.ab(m, n, k1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work);
                g.ab(m, n, k2, a, aOff + k1, lda, b, bOff + k1 * ldb, ldb, c, cOff, ldc, true, work);
            }
            case ATB -> {
                g.atb(m, n, k1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work);
                g.atb(m, n, k2, a, aOff + k1 * lda, lda, b, bOff + k1 * ldb, ldb, c, cOff, ldc, true, work);
            }
        }
    }

    /** Through the core's multi-threaded runner. */
    void runThreads(Gemm g, float[] c, boolean acc, float[][] work, java.util.concurrent.Executor ex) {
        switch (form) {
            case ABT -> Gemms.abt(g, ex, work, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
            case AB -> Gemms.ab(g, ex, work, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
            case ATB -> Gemms.atb(g, ex, work, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
        }
    }

    void runThreads(Gemm g, double[] c, boolean acc, double[][] work, java.util.concurrent.Executor ex) {
        switch (form) {
            case ABT -> Gemms.abt(g, ex, work, m, n, k, ad, aOff, lda, bd, bOff, ldb, c, cOff, ldc, acc);
            case AB -> Gemms.ab(g, ex, work, m, n, k, ad, aOff, lda, bd, bOff, ldb, c, cOff, ldc, acc);
            case ATB -> Gemms.atb(g, ex, work, m, n, k, ad, aOff, lda, bd, bOff, ldb, c, cOff, ldc, acc);
        }
    }

    /** C with NaN everywhere: a non-accumulating product must overwrite every element of its block. */
    float[] nanC() {
        float[] c = c0.clone();
        for (int i = 0; i < m; i++) {
            Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
        }
        return c;
    }

    double[] nanCD() {
        double[] c = cd0.clone();
        for (int i = 0; i < m; i++) {
            Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Double.NaN);
        }
        return c;
    }

    @Override
    public String toString() {
        return form + " m=" + m + " n=" + n + " k=" + k + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc
                + " offsets " + aOff + "/" + bOff + "/" + cOff;
    }
}
