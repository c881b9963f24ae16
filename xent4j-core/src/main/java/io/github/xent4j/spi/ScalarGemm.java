package io.github.xent4j.spi;

/**
 * The reference {@link Gemm}: the Goto/BLIS blocking of the vector kernels (a KC x NC block of B
 * packed into NR-column panels, an MC x KC block of A into MR-row panels, an MR x NR register tile)
 * in scalar Java with {@link Math#fma}, 4 x 4 tiles. Every element follows the arithmetic
 * contract of {@link Gemm} (fma chains over k-blocks of {@link Gemm#KC}, or {@link Gemm#KC_ATB}
 * for atb), so the vector kernels
 * must agree with it bit for bit. Fringe tiles run the same kernel on zero-padded panels into a
 * small buffer, which changes no bit of the real elements.
 */
public final class ScalarGemm implements Gemm {

    public static final ScalarGemm INSTANCE = new ScalarGemm();

    private static final int MR = 4;
    private static final int NR = 4;
    private static final int MC = 64;
    private static final int NC = 512;
    /** Workspace layout: packed A at 0, packed B at B_AT, one MR x NR tile at TMP_AT. */
    private static final int B_AT = MC * KC;
    private static final int TMP_AT = B_AT + KC * NC;
    private static final int WORKSPACE = TMP_AT + MR * NR;

    private ScalarGemm() {
    }

    @Override
    public String name() {
        return "scalar " + MR + "x" + NR;
    }

    @Override
    public int workspaceLength() {
        return WORKSPACE;
    }

    // ---------------------------------------------------------------- float32

    @Override
    public void abt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float[] c, int cOff, int ldc, boolean accumulate, float[] work) {
        gemm(m, n, k, a, aOff, lda, 1, b, bOff, 1, ldb, c, cOff, ldc, accumulate, work, KC);
    }

    @Override
    public void ab(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                   float[] c, int cOff, int ldc, boolean accumulate, float[] work) {
        gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate, work, KC);
    }

    @Override
    public void atb(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float[] c, int cOff, int ldc, boolean accumulate, float[] work) {
        gemm(m, n, k, a, aOff, 1, lda, b, bOff, ldb, 1, c, cOff, ldc, accumulate, work, KC_ATB);
    }

    /** C (+)= A . B with A(i, p) = a[aOff + i*rsA + p*csA] and B(p, j) = b[bOff + p*rsB + j*csB], k-blocks of kb <= KC. */
    private static void gemm(int m, int n, int k, float[] a, int aOff, int rsA, int csA,
                             float[] b, int bOff, int rsB, int csB,
                             float[] c, int cOff, int ldc, boolean accumulate, float[] w, int kb) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            final int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kb) {
                final int kc = Math.min(kb, k - pc);
                final boolean add = accumulate || pc > 0;
                packB(kc, nc, b, bOff + pc * rsB + jc * csB, rsB, csB, w);
                for (int ic = 0; ic < m; ic += MC) {
                    final int mc = Math.min(MC, m - ic);
                    packA(mc, kc, a, aOff + ic * rsA + pc * csA, rsA, csA, w);
                    for (int jr = 0; jr < nc; jr += NR) {
                        final int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            final int mr = Math.min(MR, mc - ir);
                            final int co = cOff + (ic + ir) * ldc + jc + jr;
                            if (mr == MR && nr == NR) {
                                kernel(kc, w, ir * kc, B_AT + jr * kc, c, co, ldc, add);
                            } else {
                                kernel(kc, w, ir * kc, B_AT + jr * kc, w, TMP_AT, NR, false);
                                for (int i = 0; i < mr; i++) {
                                    for (int j = 0; j < nr; j++) {
                                        final float t = w[TMP_AT + i * NR + j];
                                        final int ci = co + i * ldc + j;
                                        c[ci] = add ? c[ci] + t : t;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Panels of NR columns, zero-padded: w[B_AT + jr*kc + p*NR + j] = B(p, jr + j). */
    private static void packB(int kc, int nc, float[] b, int off, int rs, int cs, float[] w) {
        for (int jr = 0; jr < nc; jr += NR) {
            final int base = B_AT + jr * kc;
            final int width = Math.min(NR, nc - jr);
            for (int j = 0; j < NR; j++) {
                if (j < width) {
                    final int src = off + (jr + j) * cs;
                    for (int p = 0; p < kc; p++) {
                        w[base + p * NR + j] = b[src + p * rs];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        w[base + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /** Panels of MR rows, zero-padded: w[ir*kc + p*MR + i] = A(ir + i, p). */
    private static void packA(int mc, int kc, float[] a, int off, int rs, int cs, float[] w) {
        for (int ir = 0; ir < mc; ir += MR) {
            final int base = ir * kc;
            final int height = Math.min(MR, mc - ir);
            for (int i = 0; i < MR; i++) {
                if (i < height) {
                    final int src = off + (ir + i) * rs;
                    for (int p = 0; p < kc; p++) {
                        w[base + p * MR + i] = a[src + p * cs];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        w[base + p * MR + i] = 0f;
                    }
                }
            }
        }
    }

    /** One MR x NR tile over kc packed steps: 16 independent fma chains. */
    private static void kernel(int kc, float[] w, int ia, int ib, float[] c, int ic, int ldc, boolean add) {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int p = 0; p < kc; p++, ia += MR, ib += NR) {
            final float a0 = w[ia], a1 = w[ia + 1], a2 = w[ia + 2], a3 = w[ia + 3];
            final float b0 = w[ib], b1 = w[ib + 1], b2 = w[ib + 2], b3 = w[ib + 3];
            c00 = Math.fma(a0, b0, c00); c01 = Math.fma(a0, b1, c01); c02 = Math.fma(a0, b2, c02); c03 = Math.fma(a0, b3, c03);
            c10 = Math.fma(a1, b0, c10); c11 = Math.fma(a1, b1, c11); c12 = Math.fma(a1, b2, c12); c13 = Math.fma(a1, b3, c13);
            c20 = Math.fma(a2, b0, c20); c21 = Math.fma(a2, b1, c21); c22 = Math.fma(a2, b2, c22); c23 = Math.fma(a2, b3, c23);
            c30 = Math.fma(a3, b0, c30); c31 = Math.fma(a3, b1, c31); c32 = Math.fma(a3, b2, c32); c33 = Math.fma(a3, b3, c33);
        }
        final int r1 = ic + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        if (add) {
            c[ic] += c00; c[ic + 1] += c01; c[ic + 2] += c02; c[ic + 3] += c03;
            c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12; c[r1 + 3] += c13;
            c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22; c[r2 + 3] += c23;
            c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32; c[r3 + 3] += c33;
        } else {
            c[ic] = c00; c[ic + 1] = c01; c[ic + 2] = c02; c[ic + 3] = c03;
            c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
            c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
            c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
        }
    }

    // ---------------------------------------------------------------- float64

    @Override
    public void abt(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                    double[] c, int cOff, int ldc, boolean accumulate, double[] work) {
        gemm(m, n, k, a, aOff, lda, 1, b, bOff, 1, ldb, c, cOff, ldc, accumulate, work, KC);
    }

    @Override
    public void ab(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                   double[] c, int cOff, int ldc, boolean accumulate, double[] work) {
        gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate, work, KC);
    }

    @Override
    public void atb(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                    double[] c, int cOff, int ldc, boolean accumulate, double[] work) {
        gemm(m, n, k, a, aOff, 1, lda, b, bOff, ldb, 1, c, cOff, ldc, accumulate, work, KC_ATB);
    }

    /** C (+)= A . B with A(i, p) = a[aOff + i*rsA + p*csA] and B(p, j) = b[bOff + p*rsB + j*csB], k-blocks of kb <= KC. */
    private static void gemm(int m, int n, int k, double[] a, int aOff, int rsA, int csA,
                             double[] b, int bOff, int rsB, int csB,
                             double[] c, int cOff, int ldc, boolean accumulate, double[] w, int kb) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0.0);
                }
            }
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            final int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kb) {
                final int kc = Math.min(kb, k - pc);
                final boolean add = accumulate || pc > 0;
                packB(kc, nc, b, bOff + pc * rsB + jc * csB, rsB, csB, w);
                for (int ic = 0; ic < m; ic += MC) {
                    final int mc = Math.min(MC, m - ic);
                    packA(mc, kc, a, aOff + ic * rsA + pc * csA, rsA, csA, w);
                    for (int jr = 0; jr < nc; jr += NR) {
                        final int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            final int mr = Math.min(MR, mc - ir);
                            final int co = cOff + (ic + ir) * ldc + jc + jr;
                            if (mr == MR && nr == NR) {
                                kernel(kc, w, ir * kc, B_AT + jr * kc, c, co, ldc, add);
                            } else {
                                kernel(kc, w, ir * kc, B_AT + jr * kc, w, TMP_AT, NR, false);
                                for (int i = 0; i < mr; i++) {
                                    for (int j = 0; j < nr; j++) {
                                        final double t = w[TMP_AT + i * NR + j];
                                        final int ci = co + i * ldc + j;
                                        c[ci] = add ? c[ci] + t : t;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Panels of NR columns, zero-padded: w[B_AT + jr*kc + p*NR + j] = B(p, jr + j). */
    private static void packB(int kc, int nc, double[] b, int off, int rs, int cs, double[] w) {
        for (int jr = 0; jr < nc; jr += NR) {
            final int base = B_AT + jr * kc;
            final int width = Math.min(NR, nc - jr);
            for (int j = 0; j < NR; j++) {
                if (j < width) {
                    final int src = off + (jr + j) * cs;
                    for (int p = 0; p < kc; p++) {
                        w[base + p * NR + j] = b[src + p * rs];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        w[base + p * NR + j] = 0.0;
                    }
                }
            }
        }
    }

    /** Panels of MR rows, zero-padded: w[ir*kc + p*MR + i] = A(ir + i, p). */
    private static void packA(int mc, int kc, double[] a, int off, int rs, int cs, double[] w) {
        for (int ir = 0; ir < mc; ir += MR) {
            final int base = ir * kc;
            final int height = Math.min(MR, mc - ir);
            for (int i = 0; i < MR; i++) {
                if (i < height) {
                    final int src = off + (ir + i) * rs;
                    for (int p = 0; p < kc; p++) {
                        w[base + p * MR + i] = a[src + p * cs];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        w[base + p * MR + i] = 0.0;
                    }
                }
            }
        }
    }

    /** One MR x NR tile over kc packed steps: 16 independent fma chains. */
    private static void kernel(int kc, double[] w, int ia, int ib, double[] c, int ic, int ldc, boolean add) {
        double c00 = 0.0, c01 = 0.0, c02 = 0.0, c03 = 0.0;
        double c10 = 0.0, c11 = 0.0, c12 = 0.0, c13 = 0.0;
        double c20 = 0.0, c21 = 0.0, c22 = 0.0, c23 = 0.0;
        double c30 = 0.0, c31 = 0.0, c32 = 0.0, c33 = 0.0;
        for (int p = 0; p < kc; p++, ia += MR, ib += NR) {
            final double a0 = w[ia], a1 = w[ia + 1], a2 = w[ia + 2], a3 = w[ia + 3];
            final double b0 = w[ib], b1 = w[ib + 1], b2 = w[ib + 2], b3 = w[ib + 3];
            c00 = Math.fma(a0, b0, c00); c01 = Math.fma(a0, b1, c01); c02 = Math.fma(a0, b2, c02); c03 = Math.fma(a0, b3, c03);
            c10 = Math.fma(a1, b0, c10); c11 = Math.fma(a1, b1, c11); c12 = Math.fma(a1, b2, c12); c13 = Math.fma(a1, b3, c13);
            c20 = Math.fma(a2, b0, c20); c21 = Math.fma(a2, b1, c21); c22 = Math.fma(a2, b2, c22); c23 = Math.fma(a2, b3, c23);
            c30 = Math.fma(a3, b0, c30); c31 = Math.fma(a3, b1, c31); c32 = Math.fma(a3, b2, c32); c33 = Math.fma(a3, b3, c33);
        }
        final int r1 = ic + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        if (add) {
            c[ic] += c00; c[ic + 1] += c01; c[ic + 2] += c02; c[ic + 3] += c03;
            c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12; c[r1 + 3] += c13;
            c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22; c[r2 + 3] += c23;
            c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32; c[r3 + 3] += c33;
        } else {
            c[ic] = c00; c[ic + 1] = c01; c[ic + 2] = c02; c[ic + 3] = c03;
            c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
            c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
            c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
        }
    }
}
