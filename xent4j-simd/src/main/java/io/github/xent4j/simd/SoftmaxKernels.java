package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static io.github.xent4j.simd.RowKernels.*;
import static io.github.xent4j.simd.VectorMath.*;

/**
 * softmax / log_softmax on vectors: contiguous rows (inner == 1, C >= L), and strided classes
 * (inner >= L) L positions at a time across the inner axis, each lane with its own max and a
 * Kahan-compensated exp sum (float32 lanes, so the error does not grow with C), the last inner mod
 * L positions and blocks whose max is not finite by the reference's formula. Rows shorter than a
 * vector and 1 < inner < L go to the reference; so do contiguous rows whose max is not finite.
 */
final class SoftmaxKernels {

    /** The scalar reference kernels, for the cases delegated. */
    private final Kernels ref;

    SoftmaxKernels(Kernels reference) {
        this.ref = reference;
    }

    // ================================================================ softmax / log_softmax

    public void softmax(float[] x, int n0, int n1, int classes, int inner, boolean log, float[] out) {
        if (inner >= LF) {
            strided(x, n0, n1, classes, inner, log, out);
            return;
        }
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
        if (inner >= LD) {
            strided(x, n0, n1, classes, inner, log, out);
            return;
        }
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


    /**
     * log_softmax of positions [0, vend) of one sample, LF at a time across the inner axis: the max of each
     * lane over the classes, the Kahan-compensated sum of exp(x - max); a block
     * with a max that is not finite takes the reference's formula.
     */
    private static void stridedLogSoftmax(float[] x, int base, int vend, int classes, int inner, float[] out) {
        for (int i = 0; i < vend; i += LF) {
            FloatVector m = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                m = m.max(FloatVector.fromArray(FS, x, k));
            }
            if (m.test(VectorOperators.IS_FINITE).not().anyTrue()) {
                for (int p = i; p < i + LF; p++) {
                    position(x, base + p, classes, inner, true, out);
                }
                continue;
            }
            FloatVector s = FloatVector.zero(FS);
            FloatVector comp = FloatVector.zero(FS);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                    FloatVector d = FloatVector.fromArray(FS, x, k).sub(m);
                    // e = exp(d), d <= 0: VectorMath.exp(FloatVector) written out
                    FloatVector eT = d.fma(LOG2E_F, SHIFT_F);
                    FloatVector eK = eT.sub(SHIFT_F);
                    FloatVector eR = eK.fma(FloatVector.broadcast(FS, -LN2_HI_F), d);
                    eR = eK.fma(FloatVector.broadcast(FS, -LN2_LO_F), eR);
                    FloatVector eP = eR.fma(P0, P1);
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P2));
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P3));
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P4));
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P5));
                    eP = eP.fma(eR.mul(eR), eR).add(1f);
                    FloatVector e = eP.mul(eT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                            .blend(0f, d.lt(EXP_LO_F));
                    FloatVector v = e.sub(comp);
                    FloatVector t = s.add(v);
                    comp = t.sub(s).sub(v);
                    s = t;
            }
            final FloatVector sum = s.sub(comp);
            // logS = log S, S >= 1: VectorMath.log(FloatVector) written out (no special values here)
            IntVector lIx = sum.reinterpretAsInts().sub(SQRT_HALF_BITS_F);
            FloatVector lK = lIx.lanewise(VectorOperators.ASHR, 23).add(ElementOperands.SHIFT_BITS_F).reinterpretAsFloats().sub(SHIFT_F);
            FloatVector lF = lIx.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
            FloatVector lS = lF.div(lF.add(2f));
            FloatVector lZ = lS.mul(lS);
            FloatVector lR = lZ.fma(LG4_F, LG3_F).fma(lZ, FloatVector.broadcast(FS, LG2_F))
                    .fma(lZ, FloatVector.broadcast(FS, LG1_F)).mul(lZ);
            FloatVector lH = lF.mul(lF).mul(0.5f);
            FloatVector lU = lH.sub(lK.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), lS.mul(lH.add(lR)))).sub(lF);
            final FloatVector logS = lK.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), lU.neg());
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                FloatVector.fromArray(FS, x, k).sub(m).sub(logS).intoArray(out, k); // (x - m) - log S
            }
        }
    }

    /**
     * softmax of positions [0, vend) of one sample, LF at a time across the inner axis: the max of each
     * lane over the classes, the Kahan-compensated sum of exp(x - max) (stored, then scaled by 1 / S); a block
     * with a max that is not finite takes the reference's formula.
     */
    private static void stridedSoftmax(float[] x, int base, int vend, int classes, int inner, float[] out) {
        for (int i = 0; i < vend; i += LF) {
            FloatVector m = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                m = m.max(FloatVector.fromArray(FS, x, k));
            }
            if (m.test(VectorOperators.IS_FINITE).not().anyTrue()) {
                for (int p = i; p < i + LF; p++) {
                    position(x, base + p, classes, inner, false, out);
                }
                continue;
            }
            FloatVector s = FloatVector.zero(FS);
            FloatVector comp = FloatVector.zero(FS);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                    FloatVector d = FloatVector.fromArray(FS, x, k).sub(m);
                    // e = exp(d), d <= 0: VectorMath.exp(FloatVector) written out
                    FloatVector eT = d.fma(LOG2E_F, SHIFT_F);
                    FloatVector eK = eT.sub(SHIFT_F);
                    FloatVector eR = eK.fma(FloatVector.broadcast(FS, -LN2_HI_F), d);
                    eR = eK.fma(FloatVector.broadcast(FS, -LN2_LO_F), eR);
                    FloatVector eP = eR.fma(P0, P1);
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P2));
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P3));
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P4));
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P5));
                    eP = eP.fma(eR.mul(eR), eR).add(1f);
                    FloatVector e = eP.mul(eT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                            .blend(0f, d.lt(EXP_LO_F));
                    FloatVector v = e.sub(comp);
                    FloatVector t = s.add(v);
                    comp = t.sub(s).sub(v);
                    s = t;
                    e.intoArray(out, k);
            }
            final FloatVector sum = s.sub(comp);
            final FloatVector inv = FloatVector.broadcast(FS, 1f).div(sum);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                FloatVector.fromArray(FS, out, k).mul(inv).intoArray(out, k);
            }
        }
    }

    /** The reference's formula for the one position at {@code base} (stride {@code inner}). */
    private static void position(float[] x, int base, int classes, int inner, boolean log, float[] out) {
        double m = Double.NEGATIVE_INFINITY;
        for (int c = 0, k = base; c < classes; c++, k += inner) {
            m = Math.max(m, x[k]);
        }
        double se = 0;
        for (int c = 0, k = base; c < classes; c++, k += inner) {
            se += Math.exp(x[k] - m);
        }
        final double logS = Math.log(se);
        final double inv = 1 / se;
        for (int c = 0, k = base; c < classes; c++, k += inner) {
            out[k] = (float) (log ? (x[k] - m) - logS : Math.exp(x[k] - m) * inv);
        }
    }

    /** Strided classes (inner >= LF): whole blocks of LF positions, then the last inner mod LF positions one by one. */
    private static void strided(float[] x, int n0, int n1, int classes, int inner, boolean log, float[] out) {
        final int vend = inner / LF * LF;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes * inner;
            if (log) {
                stridedLogSoftmax(x, base, vend, classes, inner, out);
            } else {
                stridedSoftmax(x, base, vend, classes, inner, out);
            }
            for (int i = vend; i < inner; i++) {
                position(x, base + i, classes, inner, log, out);
            }
        }
    }

    /**
     * log_softmax of positions [0, vend) of one sample, LD at a time across the inner axis: the max of each
     * lane over the classes, the Kahan-compensated sum of exp(x - max); a block
     * with a max that is not finite takes the reference's formula.
     */
    private static void stridedLogSoftmax(double[] x, int base, int vend, int classes, int inner, double[] out) {
        for (int i = 0; i < vend; i += LD) {
            DoubleVector m = DoubleVector.broadcast(DS, Double.NEGATIVE_INFINITY);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                m = m.max(DoubleVector.fromArray(DS, x, k));
            }
            if (m.test(VectorOperators.IS_FINITE).not().anyTrue()) {
                for (int p = i; p < i + LD; p++) {
                    position(x, base + p, classes, inner, true, out);
                }
                continue;
            }
            DoubleVector s = DoubleVector.zero(DS);
            DoubleVector comp = DoubleVector.zero(DS);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                    DoubleVector d = DoubleVector.fromArray(DS, x, k).sub(m);
                    // e = exp(d), d <= 0: VectorMath.exp(DoubleVector) written out
                    DoubleVector eT = d.fma(LOG2E_D, SHIFT_D);
                    DoubleVector eK = eT.sub(SHIFT_D);
                    DoubleVector eR = eK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), d);
                    eR = eK.fma(DoubleVector.broadcast(DS, -LN2_LO_D), eR);
                    DoubleVector eP = eR.fma(Q12, Q11);
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q10));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q9));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q8));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q7));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q6));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q5));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q4));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q3));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q2));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, 1.0));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, 1.0));
                    DoubleVector e = eP.mul(eT.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                            .blend(0.0, d.lt(EXP_LO_D));
                    DoubleVector v = e.sub(comp);
                    DoubleVector t = s.add(v);
                    comp = t.sub(s).sub(v);
                    s = t;
            }
            final DoubleVector sum = s.sub(comp);
            // logS = log S, S >= 1: VectorMath.log(DoubleVector) written out (no special values here)
            LongVector lIx = sum.reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
            DoubleVector lK = lIx.lanewise(VectorOperators.ASHR, 52).add(ElementOperands.SHIFT_BITS_D).reinterpretAsDoubles().sub(SHIFT_D);
            DoubleVector lF = lIx.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0);
            DoubleVector lS = lF.div(lF.add(2.0));
            DoubleVector lZ = lS.mul(lS);
            DoubleVector lR = lZ.fma(LG7_D, LG6_D).fma(lZ, DoubleVector.broadcast(DS, LG5_D))
                    .fma(lZ, DoubleVector.broadcast(DS, LG4_D)).fma(lZ, DoubleVector.broadcast(DS, LG3_D))
                    .fma(lZ, DoubleVector.broadcast(DS, LG2_D)).fma(lZ, DoubleVector.broadcast(DS, LG1_D)).mul(lZ);
            DoubleVector lH = lF.mul(lF).mul(0.5);
            DoubleVector lU = lH.sub(lK.fma(DoubleVector.broadcast(DS, LN2_LO_D), lS.mul(lH.add(lR)))).sub(lF);
            final DoubleVector logS = lK.fma(DoubleVector.broadcast(DS, LN2_HI_D), lU.neg());
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                DoubleVector.fromArray(DS, x, k).sub(m).sub(logS).intoArray(out, k); // (x - m) - log S
            }
        }
    }

    /**
     * softmax of positions [0, vend) of one sample, LD at a time across the inner axis: the max of each
     * lane over the classes, the Kahan-compensated sum of exp(x - max) (stored, then scaled by 1 / S); a block
     * with a max that is not finite takes the reference's formula.
     */
    private static void stridedSoftmax(double[] x, int base, int vend, int classes, int inner, double[] out) {
        for (int i = 0; i < vend; i += LD) {
            DoubleVector m = DoubleVector.broadcast(DS, Double.NEGATIVE_INFINITY);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                m = m.max(DoubleVector.fromArray(DS, x, k));
            }
            if (m.test(VectorOperators.IS_FINITE).not().anyTrue()) {
                for (int p = i; p < i + LD; p++) {
                    position(x, base + p, classes, inner, false, out);
                }
                continue;
            }
            DoubleVector s = DoubleVector.zero(DS);
            DoubleVector comp = DoubleVector.zero(DS);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                    DoubleVector d = DoubleVector.fromArray(DS, x, k).sub(m);
                    // e = exp(d), d <= 0: VectorMath.exp(DoubleVector) written out
                    DoubleVector eT = d.fma(LOG2E_D, SHIFT_D);
                    DoubleVector eK = eT.sub(SHIFT_D);
                    DoubleVector eR = eK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), d);
                    eR = eK.fma(DoubleVector.broadcast(DS, -LN2_LO_D), eR);
                    DoubleVector eP = eR.fma(Q12, Q11);
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q10));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q9));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q8));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q7));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q6));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q5));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q4));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q3));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, Q2));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, 1.0));
                    eP = eP.fma(eR, DoubleVector.broadcast(DS, 1.0));
                    DoubleVector e = eP.mul(eT.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                            .blend(0.0, d.lt(EXP_LO_D));
                    DoubleVector v = e.sub(comp);
                    DoubleVector t = s.add(v);
                    comp = t.sub(s).sub(v);
                    s = t;
                    e.intoArray(out, k);
            }
            final DoubleVector sum = s.sub(comp);
            final DoubleVector inv = DoubleVector.broadcast(DS, 1.0).div(sum);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                DoubleVector.fromArray(DS, out, k).mul(inv).intoArray(out, k);
            }
        }
    }

    /** The reference's formula for the one position at {@code base} (stride {@code inner}). */
    private static void position(double[] x, int base, int classes, int inner, boolean log, double[] out) {
        double m = Double.NEGATIVE_INFINITY;
        for (int c = 0, k = base; c < classes; c++, k += inner) {
            m = Math.max(m, x[k]);
        }
        double se = 0;
        for (int c = 0, k = base; c < classes; c++, k += inner) {
            se += Math.exp(x[k] - m);
        }
        final double logS = Math.log(se);
        final double inv = 1 / se;
        for (int c = 0, k = base; c < classes; c++, k += inner) {
            out[k] = (log ? (x[k] - m) - logS : Math.exp(x[k] - m) * inv);
        }
    }

    /** Strided classes (inner >= LD): whole blocks of LD positions, then the last inner mod LD positions one by one. */
    private static void strided(double[] x, int n0, int n1, int classes, int inner, boolean log, double[] out) {
        final int vend = inner / LD * LD;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes * inner;
            if (log) {
                stridedLogSoftmax(x, base, vend, classes, inner, out);
            } else {
                stridedSoftmax(x, base, vend, classes, inner, out);
            }
            for (int i = vend; i < inner; i++) {
                position(x, base + i, classes, inner, log, out);
            }
        }
    }
}
