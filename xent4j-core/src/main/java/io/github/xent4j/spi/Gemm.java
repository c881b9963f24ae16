package io.github.xent4j.spi;

/**
 * The three dense matrix products of a fused linear + cross-entropy loss, on flat row-major
 * arrays, in float32 and float64. With {@code H} the inputs (N x D), {@code W} the classifier
 * weight (V x D) and {@code G} the logits' gradient (rows x V):
 * <pre>{@code
 * abt:  C[m x n] (+)= A[m x k] . B[n x k]^T    logits     Z  = H . W^T      (m rows, n = V, k = D)
 * ab:   C[m x n] (+)= A[m x k] . B[k x n]      input grad dH = G . W        (m rows, n = D, k = V)
 * atb:  C[m x n] (+)= A[k x m]^T . B[k x n]    weight grad dW = G^T . H     (m = V, n = D, k rows)
 * }</pre>
 * Element (i, j) of each operand sits at {@code off + i * ld + j}: {@code a[aOff + i*lda + p]} is
 * A(i, p) for abt and ab, A(p, i) for atb; {@code b[bOff + j*ldb + p]} is B(j, p) for abt,
 * {@code b[bOff + p*ldb + j]} is B(p, j) for ab and atb; C(i, j) is {@code c[cOff + i*ldc + j]}.
 * A sub-block of C (a range of its rows or columns, for one thread) is computed by moving the
 * offsets and shrinking m or n; the leading dimensions stay those of the whole arrays.
 *
 * <p><b>The arithmetic of every element is fixed</b>, so that results are bitwise the same for
 * every implementation, vector width, thread count and split of C into sub-blocks: k is cut into
 * blocks of KB consecutive indices starting at 0 (the last one shorter), KB = {@link #KC} for abt
 * and ab and {@link #KC_ATB} for atb, and for each block b in ascending order
 * <pre>{@code
 * t = +0.0;  for p in block b, ascending:  t = fma(A(i,p), B(p,j), t)     (one rounding per step)
 * C(i,j) = (b == 0 && !accumulate) ? t : C(i,j) + t                        (one rounding)
 * }</pre>
 * With k = 0, C is set to +0.0 (or left as it is when accumulating). A consequence the fused loss
 * relies on: a product over k = k1 + k2 with k1 a multiple of KB gives the same bits as the product
 * over the first k1 indices followed by an accumulating product over the other k2 (its weight
 * gradient, an atb over the tokens, is accumulated over row chunks of a multiple of {@link #KC_ATB}).
 *
 * <p>Kernels trust their caller (no checks: shapes, offsets, and the workspace length are the
 * caller's business), never allocate, and never start threads: the core's dispatcher splits one
 * product into sub-blocks and gives each thread its own workspace. C must not overlap A or B.
 * {@link ScalarGemm} is the reference every implementation must match bit for bit.
 */
public interface Gemm {

    /**
     * The k-block of abt and ab in the arithmetic contract above, in elements. Deep enough that C's
     * read-modify-write per block is cheap (512 measured 10-15 points of peak better than 256 on an
     * AVX2 Zen 3), shallow enough that a KC x NR panel of B stays in L1.
     */
    int KC = 512;

    /**
     * The k-block of atb: the granularity at which a product over k can be split into consecutive
     * accumulating calls with the same bits. The fused loss's weight gradient is an atb over a chunk
     * of rows, so its chunks are multiples of this; at 256 rows per chunk a deeper block would not
     * be used anyway.
     */
    int KC_ATB = 256;

    /** Short name for diagnostics, e.g. "scalar 4x4" or "vector-256 6x16". */
    String name();

    /**
     * Elements of the workspace one call needs (packed panels of A and B), the same for float32
     * and float64: pass a {@code float[]} (or {@code double[]}) of at least this length, one per
     * thread, and reuse it across calls.
     */
    int workspaceLength();

    /** C[m x n] (+)= A[m x k] . B[n x k]^T, float32. */
    void abt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
             float[] c, int cOff, int ldc, boolean accumulate, float[] work);

    /** C[m x n] (+)= A[m x k] . B[k x n], float32. */
    void ab(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate, float[] work);

    /** C[m x n] (+)= A[k x m]^T . B[k x n], float32. */
    void atb(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
             float[] c, int cOff, int ldc, boolean accumulate, float[] work);

    /** C[m x n] (+)= A[m x k] . B[n x k]^T, float64. */
    void abt(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
             double[] c, int cOff, int ldc, boolean accumulate, double[] work);

    /** C[m x n] (+)= A[m x k] . B[k x n], float64. */
    void ab(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
            double[] c, int cOff, int ldc, boolean accumulate, double[] work);

    /** C[m x n] (+)= A[k x m]^T . B[k x n], float64. */
    void atb(int m, int n, int k, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
             double[] c, int cOff, int ldc, boolean accumulate, double[] work);
}
