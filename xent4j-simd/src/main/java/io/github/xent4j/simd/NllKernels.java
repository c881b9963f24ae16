package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

import static io.github.xent4j.simd.VectorMath.*;

/**
 * NLL on log-probabilities: per position the loss -w[y] x[s, y] (exactly the reference's double
 * product, added to the sum per position, so sums are bitwise the reference's), and a gradient
 * that is zero except at the target class. The work is the gradient's zeroing, one contiguous
 * (C, D) block per sample written with whole-vector stores; the losses of a sample are read before
 * its block is zeroed, so the gradient may be written over the input.
 */
final class NllKernels {

    void nllLoss(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                 float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final int block = p.classes * inner;
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
            if (gradOut != null) {
                zero(gradOut, base, base + block);
                for (int i = 0; i < inner; i++) {
                    final int y = target[s0 + i];
                    if (y != p.ignoreIndex) {
                        gradOut[base + y * inner + i] = (float) (-p.w(y) * gradScale * (upstream == null ? 1.0 : upstream[s0 + i]));
                    }
                }
            }
        }
    }

    void nllLoss(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                 double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final int block = p.classes * inner;
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
            if (gradOut != null) {
                zero(gradOut, base, base + block);
                for (int i = 0; i < inner; i++) {
                    final int y = target[s0 + i];
                    if (y != p.ignoreIndex) {
                        gradOut[base + y * inner + i] = -p.w(y) * gradScale * (upstream == null ? 1.0 : upstream[s0 + i]);
                    }
                }
            }
        }
    }

    private static void zero(float[] a, int from, int to) {
        final FloatVector z = FloatVector.zero(FS);
        int i = from;
        for (; i <= to - LF; i += LF) {
            z.intoArray(a, i);
        }
        for (; i < to; i++) {
            a[i] = 0f;
        }
    }

    private static void zero(double[] a, int from, int to) {
        final DoubleVector z = DoubleVector.zero(DS);
        int i = from;
        for (; i <= to - LD; i += LD) {
            z.intoArray(a, i);
        }
        for (; i < to; i++) {
            a[i] = 0.0;
        }
    }
}
