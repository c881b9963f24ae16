package io.github.xent4j.simd;

import io.github.xent4j.spi.Gemm;

/**
 * The Goto/BLIS blocking of a GEMM around a register-blocked micro-kernel: for each NC-wide block
 * of columns and each {@link Gemm#KC}-deep block of k ({@link Gemm#KC_ATB} for atb), B's block is
 * packed into NR-column panels
 * (KC x NR: an L1-sized panel), then for each MC-tall block of rows A's block is packed into
 * MR-row panels (MC x KC: L2-sized), and the micro-kernel runs every MR x NR tile with the tile in
 * registers, broadcasting one A value against NR/lanes vectors of B per step. Panels are
 * zero-padded, so fringe tiles run the same kernel (into the workspace) and change no bit of the
 * real elements: every element of C follows the arithmetic contract of {@link Gemm}.
 *
 * <p>Subclasses supply the micro-kernels and the vector copy used for packing; they are generated
 * ({@code src/gen/gen_gemm_kernels.py}). Nothing here takes or returns a vector (a vector that
 * crosses a call C2 does not inline is boxed).
 */
abstract class PackedGemm implements Gemm {

    private final String name;
    private final int mrF, nrF, mcF, ncF, bAtF, tmpAtF;
    private final int mrD, nrD, mcD, ncD, bAtD, tmpAtD;
    private final int workspace;

    PackedGemm(String name, int mrF, int nrF, int mcF, int ncF, int mrD, int nrD, int mcD, int ncD) {
        this.name = name + " " + mrF + "x" + nrF + " (float), " + mrD + "x" + nrD + " (double)";
        this.mrF = mrF;
        this.nrF = nrF;
        this.mcF = mcF;
        this.ncF = ncF;
        this.mrD = mrD;
        this.nrD = nrD;
        this.mcD = mcD;
        this.ncD = ncD;
        // workspace: packed A (MC x KC) at 0, packed B (KC x NC) at bAt, one MR x NR tile at tmpAt
        this.bAtF = mcF * KC;
        this.tmpAtF = bAtF + KC * ncF;
        this.bAtD = mcD * KC;
        this.tmpAtD = bAtD + KC * ncD;
        this.workspace = Math.max(tmpAtF + mrF * nrF, tmpAtD + mrD * nrD);
        if (mcF % mrF != 0 || ncF % nrF != 0 || mcD % mrD != 0 || ncD % nrD != 0) {
            throw new AssertionError("blocks must be whole panels");
        }
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int workspaceLength() {
        return workspace;
    }

    // ---------------------------------------------------------------- float32

    @Override
    public final void abt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float[] c, int cOff, int ldc, boolean accumulate, float[] work) {
        gemm(m, n, k, a, aOff, lda, 1, b, bOff, 1, ldb, c, cOff, ldc, accumulate, work, KC);
    }

    @Override
    public final void ab(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float[] c, int cOff, int ldc, boolean accumulate, float[] work) {
        gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate, work, KC);
    }

    @Override
    public final void atb(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float[] c, int cOff, int ldc, boolean accumulate, float[] work) {
        gemm(m, n, k, a, aOff, 1, lda, b, bOff, ldb, 1, c, cOff, ldc, accumulate, work, KC_ATB);
    }

    /** One MR x NR tile: C[ic...] = (add ? C : 0) + the fma chains over kc packed steps. */
    abstract void kernelF(int kc, float[] w, int ia, int ib, float[] c, int ic, int ldc, boolean add);

    /** Packs {@code panels} full NR-wide panels of a B whose rows are contiguous (B(p, j) = b[off + p*rs + j]). */
    abstract void packRowsF(int kc, int panels, float[] b, int off, int rs, float[] w, int at);

    /** C (+)= A . B with A(i, p) = a[aOff + i*rsA + p*csA] and B(p, j) = b[bOff + p*rsB + j*csB], k-blocks of kb <= KC. */
    private void gemm(int m, int n, int k, float[] a, int aOff, int rsA, int csA,
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
        final int mr = mrF, nr = nrF, bAt = bAtF, tmpAt = tmpAtF;
        for (int jc = 0; jc < n; jc += ncF) {
            final int nc = Math.min(ncF, n - jc);
            for (int pc = 0; pc < k; pc += kb) {
                final int kc = Math.min(kb, k - pc);
                final boolean add = accumulate || pc > 0;
                packB(kc, nc, b, bOff + pc * rsB + jc * csB, rsB, csB, w);
                for (int ic = 0; ic < m; ic += mcF) {
                    final int mc = Math.min(mcF, m - ic);
                    packA(mc, kc, a, aOff + ic * rsA + pc * csA, rsA, csA, w);
                    for (int jr = 0; jr < nc; jr += nr) {
                        final int nw = Math.min(nr, nc - jr);
                        final int ib = bAt + jr * kc;
                        for (int ir = 0; ir < mc; ir += mr) {
                            final int mh = Math.min(mr, mc - ir);
                            final int co = cOff + (ic + ir) * ldc + jc + jr;
                            if (mh == mr && nw == nr) {
                                kernelF(kc, w, ir * kc, ib, c, co, ldc, add);
                            } else {
                                // a fringe tile: the same kernel on zero-padded panels, into the workspace
                                kernelF(kc, w, ir * kc, ib, w, tmpAt, nr, false);
                                for (int i = 0; i < mh; i++) {
                                    for (int j = 0; j < nw; j++) {
                                        final float t = w[tmpAt + i * nr + j];
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

    /** NR-column panels, the last one zero-padded: w[bAt + jr*kc + p*NR + j] = B(p, jr + j). */
    private void packB(int kc, int nc, float[] b, int off, int rs, int cs, float[] w) {
        final int nr = nrF;
        final int full = nc / nr;
        int jr = 0;
        if (cs == 1) {
            packRowsF(kc, full, b, off, rs, w, bAtF);
            jr = full * nr;
        }
        for (; jr < nc; jr += nr) {
            final int base = bAtF + jr * kc;
            final int width = Math.min(nr, nc - jr);
            for (int j = 0; j < nr; j++) {
                if (j < width) {
                    // a transposing copy (abt): B's column j is a contiguous row of the array
                    final int src = off + (jr + j) * cs;
                    for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                        w[d] = b[src + p * rs];
                    }
                } else {
                    for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                        w[d] = 0f;
                    }
                }
            }
        }
    }

    /** MR-row panels, the last one zero-padded: w[ir*kc + p*MR + i] = A(ir + i, p). */
    private void packA(int mc, int kc, float[] a, int off, int rs, int cs, float[] w) {
        final int mr = mrF;
        for (int ir = 0; ir < mc; ir += mr) {
            final int base = ir * kc;
            final int height = Math.min(mr, mc - ir);
            if (rs == 1 && height == mr) {
                // atb: A's rows for one p are contiguous
                for (int p = 0, src = off + ir, d = base; p < kc; p++, src += cs, d += mr) {
                    for (int i = 0; i < mr; i++) {
                        w[d + i] = a[src + i];
                    }
                }
                continue;
            }
            for (int i = 0; i < mr; i++) {
                if (i < height) {
                    final int src = off + (ir + i) * rs;
                    for (int p = 0, d = base + i; p < kc; p++, d += mr) {
                        w[d] = a[src + p * cs];
                    }
                } else {
                    for (int p = 0, d = base + i; p < kc; p++, d += mr) {
                        w[d] = 0f;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- float64

    @Override
    public final void abt(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                          double[] c, int cOff, int ldc, boolean accumulate, double[] work) {
        gemm(m, n, k, a, aOff, lda, 1, b, bOff, 1, ldb, c, cOff, ldc, accumulate, work, KC);
    }

    @Override
    public final void ab(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                         double[] c, int cOff, int ldc, boolean accumulate, double[] work) {
        gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate, work, KC);
    }

    @Override
    public final void atb(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                          double[] c, int cOff, int ldc, boolean accumulate, double[] work) {
        gemm(m, n, k, a, aOff, 1, lda, b, bOff, ldb, 1, c, cOff, ldc, accumulate, work, KC_ATB);
    }

    /** One MR x NR tile: C[ic...] = (add ? C : 0) + the fma chains over kc packed steps. */
    abstract void kernelD(int kc, double[] w, int ia, int ib, double[] c, int ic, int ldc, boolean add);

    /** Packs {@code panels} full NR-wide panels of a B whose rows are contiguous (B(p, j) = b[off + p*rs + j]). */
    abstract void packRowsD(int kc, int panels, double[] b, int off, int rs, double[] w, int at);

    /** C (+)= A . B with A(i, p) = a[aOff + i*rsA + p*csA] and B(p, j) = b[bOff + p*rsB + j*csB], k-blocks of kb <= KC. */
    private void gemm(int m, int n, int k, double[] a, int aOff, int rsA, int csA,
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
        final int mr = mrD, nr = nrD, bAt = bAtD, tmpAt = tmpAtD;
        for (int jc = 0; jc < n; jc += ncD) {
            final int nc = Math.min(ncD, n - jc);
            for (int pc = 0; pc < k; pc += kb) {
                final int kc = Math.min(kb, k - pc);
                final boolean add = accumulate || pc > 0;
                packB(kc, nc, b, bOff + pc * rsB + jc * csB, rsB, csB, w);
                for (int ic = 0; ic < m; ic += mcD) {
                    final int mc = Math.min(mcD, m - ic);
                    packA(mc, kc, a, aOff + ic * rsA + pc * csA, rsA, csA, w);
                    for (int jr = 0; jr < nc; jr += nr) {
                        final int nw = Math.min(nr, nc - jr);
                        final int ib = bAt + jr * kc;
                        for (int ir = 0; ir < mc; ir += mr) {
                            final int mh = Math.min(mr, mc - ir);
                            final int co = cOff + (ic + ir) * ldc + jc + jr;
                            if (mh == mr && nw == nr) {
                                kernelD(kc, w, ir * kc, ib, c, co, ldc, add);
                            } else {
                                // a fringe tile: the same kernel on zero-padded panels, into the workspace
                                kernelD(kc, w, ir * kc, ib, w, tmpAt, nr, false);
                                for (int i = 0; i < mh; i++) {
                                    for (int j = 0; j < nw; j++) {
                                        final double t = w[tmpAt + i * nr + j];
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

    /** NR-column panels, the last one zero-padded: w[bAt + jr*kc + p*NR + j] = B(p, jr + j). */
    private void packB(int kc, int nc, double[] b, int off, int rs, int cs, double[] w) {
        final int nr = nrD;
        final int full = nc / nr;
        int jr = 0;
        if (cs == 1) {
            packRowsD(kc, full, b, off, rs, w, bAtD);
            jr = full * nr;
        }
        for (; jr < nc; jr += nr) {
            final int base = bAtD + jr * kc;
            final int width = Math.min(nr, nc - jr);
            for (int j = 0; j < nr; j++) {
                if (j < width) {
                    // a transposing copy (abt): B's column j is a contiguous row of the array
                    final int src = off + (jr + j) * cs;
                    for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                        w[d] = b[src + p * rs];
                    }
                } else {
                    for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                        w[d] = 0.0;
                    }
                }
            }
        }
    }

    /** MR-row panels, the last one zero-padded: w[ir*kc + p*MR + i] = A(ir + i, p). */
    private void packA(int mc, int kc, double[] a, int off, int rs, int cs, double[] w) {
        final int mr = mrD;
        for (int ir = 0; ir < mc; ir += mr) {
            final int base = ir * kc;
            final int height = Math.min(mr, mc - ir);
            if (rs == 1 && height == mr) {
                // atb: A's rows for one p are contiguous
                for (int p = 0, src = off + ir, d = base; p < kc; p++, src += cs, d += mr) {
                    for (int i = 0; i < mr; i++) {
                        w[d + i] = a[src + i];
                    }
                }
                continue;
            }
            for (int i = 0; i < mr; i++) {
                if (i < height) {
                    final int src = off + (ir + i) * rs;
                    for (int p = 0, d = base + i; p < kc; p++, d += mr) {
                        w[d] = a[src + p * cs];
                    }
                } else {
                    for (int p = 0, d = base + i; p < kc; p++, d += mr) {
                        w[d] = 0.0;
                    }
                }
            }
        }
    }
}
