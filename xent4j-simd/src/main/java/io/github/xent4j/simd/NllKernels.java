package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;

/**
 * NLL on log-probabilities: per position the loss -w[y] x[s, y] (exactly the reference's double
 * product, added to the sum per position, so sums are bitwise the reference's), and a gradient
 * that is zero except at the target class. The work is the gradient's zeroing, one fill of the
 * call's contiguous range (which C2 compiles to aligned vector stores); all losses of the call are
 * read before it, so the gradient may be written over the input.
 */
final class NllKernels {

    void nllLoss(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                 float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final int block = p.classes * inner;
        // all losses first: a loop of independent gathers (one per position) keeps many cache
        // misses in flight, and with gradOut == x the zeroing below may overwrite x
        for (int n = n0; n < n1; n++) {
            final int base = n * block;
            final int s0 = n * inner;
            for (int i = 0; i < inner; i++) {
                final int y = target[s0 + i];
                final boolean ignored = y == p.ignoreIndex;
                final double loss = ignored ? 0 : -p.w(y) * x[base + y * inner + i];
                if (!ignored) {
                    sum.add(loss);
                }
                if (lossOut != null) {
                    lossOut[s0 + i] = (float) loss;
                }
            }
        }
        if (gradOut == null) {
            return;
        }
        // one fill of the call's whole range: per-sample fills of rows that are not a multiple of
        // 64 bytes measured 2x slower (cache-line-split stores)
        java.util.Arrays.fill(gradOut, n0 * block, n1 * block, 0);
        for (int n = n0; n < n1; n++) {
            final int base = n * block;
            final int s0 = n * inner;
            for (int i = 0; i < inner; i++) {
                final int y = target[s0 + i];
                if (y != p.ignoreIndex) {
                    gradOut[base + y * inner + i] = (float) (-p.w(y) * gradScale * (upstream == null ? 1.0 : upstream[s0 + i]));
                }
            }
        }
    }

    void nllLoss(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                 double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final int block = p.classes * inner;
        // all losses first: a loop of independent gathers (one per position) keeps many cache
        // misses in flight, and with gradOut == x the zeroing below may overwrite x
        for (int n = n0; n < n1; n++) {
            final int base = n * block;
            final int s0 = n * inner;
            for (int i = 0; i < inner; i++) {
                final int y = target[s0 + i];
                final boolean ignored = y == p.ignoreIndex;
                final double loss = ignored ? 0 : -p.w(y) * x[base + y * inner + i];
                if (!ignored) {
                    sum.add(loss);
                }
                if (lossOut != null) {
                    lossOut[s0 + i] = loss;
                }
            }
        }
        if (gradOut == null) {
            return;
        }
        // one fill of the call's whole range: per-sample fills of rows that are not a multiple of
        // 64 bytes measured 2x slower (cache-line-split stores)
        java.util.Arrays.fill(gradOut, n0 * block, n1 * block, 0);
        for (int n = n0; n < n1; n++) {
            final int base = n * block;
            final int s0 = n * inner;
            for (int i = 0; i < inner; i++) {
                final int y = target[s0 + i];
                if (y != p.ignoreIndex) {
                    gradOut[base + y * inner + i] = (-p.w(y) * gradScale * (upstream == null ? 1.0 : upstream[s0 + i]));
                }
            }
        }
    }
}
