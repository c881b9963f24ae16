package io.github.xent4j;

import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.internal.Gemms;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Gemm;
import io.github.xent4j.spi.Kernels;
import io.github.xent4j.spi.LinearCeKernels;

import java.util.Arrays;
import java.util.concurrent.Executor;

/**
 * One float64 call of {@link LinearCrossEntropyLoss}, validated by the caller: row chunks of the
 * non-ignored tokens, each chunk's logits {@code Z = H_c W^T (+ b)} in one reused R x V buffer, the
 * core's cross-entropy kernel per row (in place: the logits become their gradient), then
 * {@code dH_c = G W}, {@code dW (+)= G^T H_c} and {@code db += column sums of G}.
 *
 * <p>Bitwise invariance: every chunk starts at a multiple of {@link Gemm#KC_ATB} of the compacted
 * (non-ignored) token index, so dW accumulates the same k-blocks in the same order for any chunk
 * size (the {@link Gemm} contract); dH and the logits are one product per row; the row epilogue
 * depends on its row alone; db adds the rows in token order in double; the loss and statistics
 * are exact sums. The thread count only splits independent work.
 *
 * <p>GENERATED from {@code LinearCeFloat} by {@code xent4j-core/src/gen/gen_linear_ce_double.py}:
 * edit that file and regenerate.
 */
final class LinearCeDouble {

    /** What a call produced besides its outputs: exact sums over the non-ignored tokens. */
    static final class Totals {
        final ExactSum ce = new ExactSum();
        final ExactSum z = new ExactSum();
        final ExactSum nll = new ExactSum();
        long correct;
    }

    // inputs
    private final double[] h;
    private final int d;
    private final double[] w;
    private final int v;
    private final double[] bias;
    private final int[] target;
    private final double[] tokenWeight;
    /** Per-token upstream gradient (reduction NONE) or null. */
    private final double[] upstream;
    // options
    private final CeParams params;
    private final double cap;
    private final double zLoss;
    private final int threads;
    private final Executor executor;
    // outputs
    private final double[] gradInput;
    private final double[] gradWeight;
    private final double[] gradBias;
    private final boolean accumulate;
    private final double[] tokenLoss;
    private final double[] tokenLse;
    private final boolean stats;

    private final Kernels kernels = Dispatch.kernels();
    private final LinearCeKernels linearCeKernels = Dispatch.linearCeKernels();
    private final Gemm gemm = Dispatch.gemm();

    LinearCeDouble(double[] h, int d, double[] w, int v, double[] bias, int[] target, double[] tokenWeight, double[] upstream,
                  CeParams params, double cap, double zLoss, int threads, Executor executor,
                  double[] gradInput, double[] gradWeight, double[] gradBias, boolean accumulate,
                  double[] tokenLoss, double[] tokenLse, boolean stats) {
        this.h = h;
        this.d = d;
        this.w = w;
        this.v = v;
        this.bias = bias;
        this.target = target;
        this.tokenWeight = tokenWeight;
        this.upstream = upstream;
        this.params = params;
        this.cap = cap;
        this.zLoss = zLoss;
        this.threads = threads;
        this.executor = executor;
        this.gradInput = gradInput;
        this.gradWeight = gradWeight;
        this.gradBias = gradBias;
        this.accumulate = accumulate;
        this.tokenLoss = tokenLoss;
        this.tokenLse = tokenLse;
        this.stats = stats;
    }

    private boolean gradients() {
        return gradInput != null || gradWeight != null || gradBias != null;
    }

    /** Whether the rows need their softmax beside the kernel: z-loss, lse or statistics. */
    private boolean needSoftmax() {
        return zLoss != 0 || stats || tokenLse != null;
    }

    /**
     * Runs the call over the non-ignored tokens {@code valid[0, nValid)} in chunks of {@code rows}
     * (a multiple of KC_ATB, or all of them), with the gradient scales of the reduction: the kernel's
     * {@code gradScale} for cross-entropy, {@code zScale} for the z-loss (both per unit of token
     * weight and upstream).
     */
    Totals run(int[] valid, int nValid, int rows, double gradScale, double zScale) {
        final boolean grads = gradients();
        final int n = target.length;
        Totals totals = new Totals();
        // outputs of ignored tokens (and everything when no token counts)
        int next = 0;
        for (int t = 0; t < n; t++) {
            if (next < nValid && valid[next] == t) {
                next++;
                continue;
            }
            if (gradInput != null && !accumulate) {
                Arrays.fill(gradInput, t * d, t * d + d, 0.0);
            }
            if (tokenLoss != null) {
                tokenLoss[t] = 0.0;
            }
            if (tokenLse != null) {
                tokenLse[t] = 0.0;
            }
        }
        if (nValid == 0) {
            if (!accumulate) {
                if (gradWeight != null) {
                    Arrays.fill(gradWeight, 0.0);
                }
                if (gradBias != null) {
                    Arrays.fill(gradBias, 0.0);
                }
            }
            return totals;
        }
        final int r = Math.min(rows, nValid);
        final double[] z = new double[r * v];
        final double[] hc = nValid == n ? null : new double[r * d];
        final double[] dhc = nValid == n || gradInput == null ? null : new double[r * d];
        final int[] yc = new int[r];
        final double[] upc = tokenWeight != null || upstream != null ? new double[r] : null;
        final double[] az = zLoss != 0 ? new double[r] : null;
        final double[] rowCe = new double[r];
        final double[] rowLse = needSoftmax() ? new double[r] : null;
        final double[] rowNll = stats ? new double[r] : null;
        final boolean[] rowHit = stats ? new boolean[r] : null;
        final int parts = Math.max(1, Math.min(threads, r));
        final double[][] work = Gemms.doubleWorkspaces(gemm, threads);
        final double[][] zs = needSoftmax() || (cap > 0 && grads) ? new double[parts][v] : null;
        final double[][] ps = needSoftmax() ? new double[parts][v] : null;
        final ExactSum[] rowSum = new ExactSum[parts];
        for (int t = 0; t < parts; t++) {
            rowSum[t] = new ExactSum();
        }
        final double[] db = gradBias != null ? new double[v] : null;

        for (int q0 = 0, chunk = 0; q0 < nValid; q0 += r, chunk++) {
            final int m = Math.min(r, nValid - q0);
            final int first = valid[q0];
            final boolean contiguous = valid[q0 + m - 1] - first == m - 1;
            final double[] a = contiguous ? h : hc;
            final int aOff = contiguous ? first * d : 0;
            if (!contiguous) {
                for (int i = 0; i < m; i++) {
                    System.arraycopy(h, valid[q0 + i] * d, hc, i * d, d);
                }
            }
            for (int i = 0; i < m; i++) {
                final int t = valid[q0 + i];
                yc[i] = target[t];
                final double tw = tokenWeight == null ? 1 : tokenWeight[t];
                final double up = upstream == null ? 1 : upstream[t];
                if (upc != null) {
                    upc[i] = (tw * up);
                }
                if (az != null) {
                    az[i] = zScale * tw * up;
                }
            }
            // logits of the chunk
            Gemms.abt(gemm, executor, work, m, v, d, a, aOff, d, w, 0, d, z, 0, v, false);
            // the row epilogue, rows split over threads (each row is independent)
            final int step = (m + parts - 1) / parts;
            final int tasks = (m + step - 1) / step;
            final int base = q0;
            Dispatch.forEach(tasks, threads, executor, task -> {
                int i0 = task * step;
                int i1 = Math.min(m, i0 + step);
                for (int i = i0; i < i1; i++) {
                    row(i, z, yc, upc, az, rowCe, rowLse, rowNll, rowHit, zs == null ? null : zs[task],
                            ps == null ? null : ps[task], rowSum[task], gradScale, grads);
                }
            });
            // statistics and per-token outputs, in token order
            for (int i = 0; i < m; i++) {
                final int t = valid[base + i];
                final double tw = tokenWeight == null ? 1 : tokenWeight[t];
                final double ce = tokenWeight == null ? rowCe[i] : tw * rowCe[i];
                totals.ce.add(ce);
                double zl = 0;
                if (zLoss != 0) {
                    zl = tw * (zLoss * rowLse[i] * rowLse[i]);
                    totals.z.add(zl);
                }
                if (stats) {
                    totals.nll.add(tw * rowNll[i]);
                    if (rowHit[i]) {
                        totals.correct++;
                    }
                }
                if (tokenLoss != null) {
                    tokenLoss[t] = (ce + zl);
                }
                if (tokenLse != null) {
                    tokenLse[t] = rowLse[i];
                }
            }
            if (!grads) {
                continue;
            }
            // dH rows = G W
            if (gradInput != null) {
                if (contiguous) {
                    Gemms.ab(gemm, executor, work, m, d, v, z, 0, v, w, 0, d, gradInput, first * d, d, accumulate);
                } else {
                    if (accumulate) {
                        for (int i = 0; i < m; i++) {
                            System.arraycopy(gradInput, valid[q0 + i] * d, dhc, i * d, d);
                        }
                    }
                    Gemms.ab(gemm, executor, work, m, d, v, z, 0, v, w, 0, d, dhc, 0, d, accumulate);
                    for (int i = 0; i < m; i++) {
                        System.arraycopy(dhc, i * d, gradInput, valid[q0 + i] * d, d);
                    }
                }
            }
            // dW (+)= G^T H_c: the chunk's k-blocks follow the previous chunks' in token order
            if (gradWeight != null) {
                Gemms.atb(gemm, executor, work, v, d, m, z, 0, v, a, aOff, d, gradWeight, 0, d, accumulate || chunk > 0);
            }
            // db += column sums of G, row by row in token order, in double
            if (db != null) {
                final int cols = (v + parts - 1) / parts;
                final int colTasks = (v + cols - 1) / cols;
                Dispatch.forEach(colTasks, threads, executor, task -> {
                    int j0 = task * cols;
                    int j1 = Math.min(v, j0 + cols);
                    for (int i = 0; i < m; i++) {
                        int off = i * v;
                        for (int j = j0; j < j1; j++) {
                            db[j] += z[off + j];
                        }
                    }
                });
            }
        }
        if (db != null) {
            for (int j = 0; j < v; j++) {
                gradBias[j] = (accumulate ? gradBias[j] + db[j] : db[j]);
            }
        }
        return totals;
    }

    /** Row i of the chunk: bias, soft-capping, softmax statistics, the cross-entropy kernel, z-loss and soft-cap gradients. */
    private void row(int i, double[] z, int[] yc, double[] upc, double[] az, double[] rowCe, double[] rowLse,
                     double[] rowNll, boolean[] rowHit, double[] zs, double[] ps, ExactSum sum, double gradScale,
                     boolean grads) {
        final int off = i * v;
        if (bias != null) {
            for (int j = 0; j < v; j++) {
                z[off + j] += bias[j];
            }
        }
        if (cap > 0) {
            linearCeKernels.softcap(z, off, v, cap);
        }
        final int y = yc[i];
        final double zy = z[off + y];
        double lse = 0;
        if (ps != null) {
            System.arraycopy(z, off, zs, 0, v);
            kernels.softmax(zs, 0, 1, v, 1, false, ps);
            // the first maximum, a NaN counting as the maximum (torch.argmax)
            int am = 0;
            double best = zs[0];
            for (int j = 1; j < v && best == best; j++) {
                if (zs[j] > best || zs[j] != zs[j]) {
                    best = zs[j];
                    am = j;
                }
            }
            // lse = z[argmax] - log p[argmax]: p there is at least 1/V, so its log loses nothing
            lse = zs[am] - Math.log(ps[am]);
            if (rowLse != null) {
                rowLse[i] = lse;
            }
            if (rowHit != null) {
                rowHit[i] = am == y;
                rowNll[i] = lse - zy;
            }
        } else if (zs != null) {
            System.arraycopy(z, off, zs, 0, v);
        }
        sum.clear();
        kernels.crossEntropy(z, yc, i, i + 1, 1, params, null, grads ? z : null, upc, gradScale, sum);
        rowCe[i] = sum.doubleValue();
        if (!grads) {
            return;
        }
        if (az != null) {
            // d(s lse^2)/dz_j = 2 s lse p_j
            final double coef = (2 * zLoss * lse * az[i]);
            for (int j = 0; j < v; j++) {
                z[off + j] += coef * ps[j];
            }
        }
        if (cap > 0) {
            // z = c tanh(u / c): dz/du = 1 - (z / c)^2
            final double inv = 1.0 / cap;
            for (int j = 0; j < v; j++) {
                final double q = zs[j] * inv;
                z[off + j] *= 1.0 - q * q;
            }
        }
    }
}
