package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static io.github.xent4j.simd.RowKernels.*;
import static io.github.xent4j.simd.VectorMath.*;

/** softmax / log_softmax on vectors, contiguous rows; other layouts go to the reference for now. */
final class SoftmaxKernels {

    /** The scalar reference kernels, for the cases delegated. */
    private final Kernels ref;

    SoftmaxKernels(Kernels reference) {
        this.ref = reference;
    }

    // ================================================================ softmax / log_softmax

    public void softmax(float[] x, int n0, int n1, int classes, int inner, boolean log, float[] out) {
        if (inner != 1 || classes < LF) {
            ref.softmax(x, n0, n1, classes, inner, log, out);
            return;
        }
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final float m = rowMax(x, base, classes);
            if (!Float.isFinite(m)) {
                ref.softmax(x, n, n + 1, classes, 1, log, out);
            } else if (log) {
                // (x - m) - log S, in this order (pytorch/pytorch#11752)
                logSoftmaxRow(x, base, classes, m, (float) Math.log(expSum(x, base, classes, m)), out);
            } else {
                final double sum = expSumStore(x, base, classes, m, out);
                scaleRow(out, base, classes, (float) (1 / sum), 0f);
            }
        }
    }

    private static void logSoftmaxRow(float[] x, int base, int classes, float m, float logS, float[] out) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        final FloatVector vl = FloatVector.broadcast(FS, logS);
        int i = base;
        for (; i < vend; i += LF) {
            FloatVector.fromArray(FS, x, i).sub(vm).sub(vl).intoArray(out, i);
        }
        for (; i < end; i++) {
            out[i] = (x[i] - m) - logS;
        }
    }

    public void softmax(double[] x, int n0, int n1, int classes, int inner, boolean log, double[] out) {
        if (inner != 1 || classes < LD) {
            ref.softmax(x, n0, n1, classes, inner, log, out);
            return;
        }
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final double m = rowMax(x, base, classes);
            if (!Double.isFinite(m)) {
                ref.softmax(x, n, n + 1, classes, 1, log, out);
            } else if (log) {
                logSoftmaxRow(x, base, classes, m, Math.log(expSum(x, base, classes, m)), out);
            } else {
                final double sum = expSumStore(x, base, classes, m, out);
                scaleRow(out, base, classes, 1 / sum, 0);
            }
        }
    }

    private static void logSoftmaxRow(double[] x, int base, int classes, double m, double logS, double[] out) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        final DoubleVector vl = DoubleVector.broadcast(DS, logS);
        int i = base;
        for (; i < vend; i += LD) {
            DoubleVector.fromArray(DS, x, i).sub(vm).sub(vl).intoArray(out, i);
        }
        for (; i < end; i++) {
            out[i] = (x[i] - m) - logS;
        }
    }

}
