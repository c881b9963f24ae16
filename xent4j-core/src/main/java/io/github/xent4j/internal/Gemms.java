package io.github.xent4j.internal;

import io.github.xent4j.spi.Gemm;

import java.util.concurrent.Executor;

/**
 * Runs one {@link Gemm} product on several threads: C is cut into contiguous blocks of rows or of
 * columns, one per thread, each with its own workspace. Which dimension is cut decides how much
 * packing is repeated: every thread packs all of B when the rows are cut and all of A when the
 * columns are, so the larger of m and n is cut (the logits' columns V, dW's rows V, dH's columns
 * D for a chunk of a few hundred rows). The split changes no bit of the result (the arithmetic of
 * each element is fixed by the {@link Gemm} contract), so callers may pass any thread count.
 */
public final class Gemms {

    /** Products with fewer multiply-adds than this stay on one thread (a split costs ~10-50 us). */
    static final long MIN_PARALLEL = 1L << 21;
    /** Block boundaries: multiples of every MR (4, 6, 8) and every NR (4, 8, 16, 32), so that no extra fringe tile appears. */
    private static final int ROW_ALIGN = 48;
    private static final int COL_ALIGN = 64;

    private Gemms() {
    }

    /** Threads worth using for an m x n x k product on at most {@code threads} threads. */
    static int parts(int threads, int m, int n, int k) {
        if (threads <= 1 || (long) m * n * k < MIN_PARALLEL) {
            return 1;
        }
        int big = Math.max(m, n);
        int align = m > n ? ROW_ALIGN : COL_ALIGN;
        return (int) Math.min(threads, (big + align - 1) / align);
    }

    /** Block length: ceil(size / parts) rounded up to a multiple of align. */
    static int step(int size, int parts, int align) {
        int s = (size + parts - 1) / parts;
        return (s + align - 1) / align * align;
    }

    // ---------------------------------------------------------------- float32

    /** One workspace per thread for {@code gemm}. */
    public static float[][] floatWorkspaces(Gemm gemm, int threads) {
        return new float[Math.max(1, threads)][gemm.workspaceLength()];
    }

    /** C[m x n] (+)= A[m x k] . B[n x k]^T on up to {@code work.length} threads (see {@link Gemm#abt}). */
    public static void abt(Gemm g, Executor ex, float[][] work, int m, int n, int k, float[] a, int aOff, int lda,
                           float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean acc) {
        final int parts = parts(work.length, m, n, k);
        if (parts <= 1) {
            g.abt(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work[0]);
        } else if (m > n) {
            final int step = step(m, parts, ROW_ALIGN);
            Dispatch.forEach((m + step - 1) / step, parts, ex, t -> {
                int i0 = t * step, rows = Math.min(m, i0 + step) - i0;
                g.abt(rows, n, k, a, aOff + i0 * lda, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc, acc, work[t]);
            });
        } else {
            final int step = step(n, parts, COL_ALIGN);
            Dispatch.forEach((n + step - 1) / step, parts, ex, t -> {
                int j0 = t * step, cols = Math.min(n, j0 + step) - j0;
                g.abt(m, cols, k, a, aOff, lda, b, bOff + j0 * ldb, ldb, c, cOff + j0, ldc, acc, work[t]);
            });
        }
    }

    /** C[m x n] (+)= A[m x k] . B[k x n] on up to {@code work.length} threads (see {@link Gemm#ab}). */
    public static void ab(Gemm g, Executor ex, float[][] work, int m, int n, int k, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean acc) {
        final int parts = parts(work.length, m, n, k);
        if (parts <= 1) {
            g.ab(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work[0]);
        } else if (m > n) {
            final int step = step(m, parts, ROW_ALIGN);
            Dispatch.forEach((m + step - 1) / step, parts, ex, t -> {
                int i0 = t * step, rows = Math.min(m, i0 + step) - i0;
                g.ab(rows, n, k, a, aOff + i0 * lda, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc, acc, work[t]);
            });
        } else {
            final int step = step(n, parts, COL_ALIGN);
            Dispatch.forEach((n + step - 1) / step, parts, ex, t -> {
                int j0 = t * step, cols = Math.min(n, j0 + step) - j0;
                g.ab(m, cols, k, a, aOff, lda, b, bOff + j0, ldb, c, cOff + j0, ldc, acc, work[t]);
            });
        }
    }

    /** C[m x n] (+)= A[k x m]^T . B[k x n] on up to {@code work.length} threads (see {@link Gemm#atb}). */
    public static void atb(Gemm g, Executor ex, float[][] work, int m, int n, int k, float[] a, int aOff, int lda,
                           float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean acc) {
        final int parts = parts(work.length, m, n, k);
        if (parts <= 1) {
            g.atb(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work[0]);
        } else if (m > n) {
            final int step = step(m, parts, ROW_ALIGN);
            Dispatch.forEach((m + step - 1) / step, parts, ex, t -> {
                int i0 = t * step, rows = Math.min(m, i0 + step) - i0;
                g.atb(rows, n, k, a, aOff + i0, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc, acc, work[t]);
            });
        } else {
            final int step = step(n, parts, COL_ALIGN);
            Dispatch.forEach((n + step - 1) / step, parts, ex, t -> {
                int j0 = t * step, cols = Math.min(n, j0 + step) - j0;
                g.atb(m, cols, k, a, aOff, lda, b, bOff + j0, ldb, c, cOff + j0, ldc, acc, work[t]);
            });
        }
    }

    // ---------------------------------------------------------------- float64

    /** One workspace per thread for {@code gemm}. */
    public static double[][] doubleWorkspaces(Gemm gemm, int threads) {
        return new double[Math.max(1, threads)][gemm.workspaceLength()];
    }

    /** C[m x n] (+)= A[m x k] . B[n x k]^T on up to {@code work.length} threads (see {@link Gemm#abt}). */
    public static void abt(Gemm g, Executor ex, double[][] work, int m, int n, int k, double[] a, int aOff, int lda,
                           double[] b, int bOff, int ldb, double[] c, int cOff, int ldc, boolean acc) {
        final int parts = parts(work.length, m, n, k);
        if (parts <= 1) {
            g.abt(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work[0]);
        } else if (m > n) {
            final int step = step(m, parts, ROW_ALIGN);
            Dispatch.forEach((m + step - 1) / step, parts, ex, t -> {
                int i0 = t * step, rows = Math.min(m, i0 + step) - i0;
                g.abt(rows, n, k, a, aOff + i0 * lda, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc, acc, work[t]);
            });
        } else {
            final int step = step(n, parts, COL_ALIGN);
            Dispatch.forEach((n + step - 1) / step, parts, ex, t -> {
                int j0 = t * step, cols = Math.min(n, j0 + step) - j0;
                g.abt(m, cols, k, a, aOff, lda, b, bOff + j0 * ldb, ldb, c, cOff + j0, ldc, acc, work[t]);
            });
        }
    }

    /** C[m x n] (+)= A[m x k] . B[k x n] on up to {@code work.length} threads (see {@link Gemm#ab}). */
    public static void ab(Gemm g, Executor ex, double[][] work, int m, int n, int k, double[] a, int aOff, int lda,
                          double[] b, int bOff, int ldb, double[] c, int cOff, int ldc, boolean acc) {
        final int parts = parts(work.length, m, n, k);
        if (parts <= 1) {
            g.ab(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work[0]);
        } else if (m > n) {
            final int step = step(m, parts, ROW_ALIGN);
            Dispatch.forEach((m + step - 1) / step, parts, ex, t -> {
                int i0 = t * step, rows = Math.min(m, i0 + step) - i0;
                g.ab(rows, n, k, a, aOff + i0 * lda, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc, acc, work[t]);
            });
        } else {
            final int step = step(n, parts, COL_ALIGN);
            Dispatch.forEach((n + step - 1) / step, parts, ex, t -> {
                int j0 = t * step, cols = Math.min(n, j0 + step) - j0;
                g.ab(m, cols, k, a, aOff, lda, b, bOff + j0, ldb, c, cOff + j0, ldc, acc, work[t]);
            });
        }
    }

    /** C[m x n] (+)= A[k x m]^T . B[k x n] on up to {@code work.length} threads (see {@link Gemm#atb}). */
    public static void atb(Gemm g, Executor ex, double[][] work, int m, int n, int k, double[] a, int aOff, int lda,
                           double[] b, int bOff, int ldb, double[] c, int cOff, int ldc, boolean acc) {
        final int parts = parts(work.length, m, n, k);
        if (parts <= 1) {
            g.atb(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc, work[0]);
        } else if (m > n) {
            final int step = step(m, parts, ROW_ALIGN);
            Dispatch.forEach((m + step - 1) / step, parts, ex, t -> {
                int i0 = t * step, rows = Math.min(m, i0 + step) - i0;
                g.atb(rows, n, k, a, aOff + i0, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc, acc, work[t]);
            });
        } else {
            final int step = step(n, parts, COL_ALIGN);
            Dispatch.forEach((n + step - 1) / step, parts, ex, t -> {
                int j0 = t * step, cols = Math.min(n, j0 + step) - j0;
                g.atb(m, cols, k, a, aOff, lda, b, bOff + j0, ldb, c, cOff + j0, ldc, acc, work[t]);
            });
        }
    }
}
