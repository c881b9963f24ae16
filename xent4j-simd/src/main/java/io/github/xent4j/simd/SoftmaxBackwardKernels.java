package io.github.xent4j.simd;

import io.github.xent4j.spi.Kernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static io.github.xent4j.simd.ElementOperands.*;
import static io.github.xent4j.simd.VectorMath.*;

/**
 * The backward of softmax / log_softmax on vectors, along any dim:
 * {@code dx = y (g - sum_c g y)} or, for log_softmax, {@code dx = g - exp(y) sum_c g}.
 *
 * <p>A peaked softmax makes g - dot cancel (y near 1 where g is near dot), so the dot is kept to
 * about double accuracy. Contiguous classes (inner == 1): the row's dot as a lane sum (float32:
 * float-float lanes, float64: double lanes), then to double in a fixed order, passed to the
 * second pass as hi + lo; the row's last C mod L entries use the reference's double formula.
 * Strided classes (inner > 1): L positions at a time across the inner axis, each lane summing its
 * own position's classes with Kahan compensation (and, float32 and float64 alike, the products'
 * exact errors); the last inner mod L positions use the reference's formula.
 * Rows shorter than a vector (inner == 1, C < L) and inner < L go to the reference. exp(y) is the
 * whole-range exp of {@link KlKernels} (about 1 ulp). dx may be g itself: every entry is read
 * before it is written, position by position.
 */
final class SoftmaxBackwardKernels {

    /** The scalar reference kernels, for the cases delegated. */
    private final Kernels ref;

    SoftmaxBackwardKernels(Kernels reference) {
        this.ref = reference;
    }

    void softmaxBackward(float[] y, float[] g, int n0, int n1, int classes, int inner, boolean log, float[] dx) {
        if (inner == 1 ? classes < LF : inner < LF) {
            ref.softmaxBackward(y, g, n0, n1, classes, inner, log, dx);
            return;
        }
        for (int n = n0; n < n1; n++) {
            final int base = n * classes * inner;
            if (inner == 1) {
                if (log) {
                    final double dot = rowSum(y, g, base, classes);
                    if (Double.isFinite(dot)) {
                        rowLog(y, g, base, classes, (float) dot, (float) (dot - (float) dot), dx);
                    }
                    // a row whose dot is not finite takes the reference's formula throughout (below,
                    // float32's exp(y) is 0 where the reference's is not, and 0 * inf differs)
                    tailLog(y, g, Double.isFinite(dot) ? base + classes / LF * LF : base, base + classes, 1, dot, dx);
                } else {
                    final double dot = rowDot(y, g, base, classes);
                    if (Double.isFinite(dot)) {
                        rowProd(y, g, base, classes, (float) dot, (float) (dot - (float) dot), dx);
                    }
                    tailProd(y, g, Double.isFinite(dot) ? base + classes / LF * LF : base, base + classes, 1, dot, dx);
                }
            } else {
                final int vend = inner / LF * LF;
                if (log) {
                    stridedLog(y, g, base, vend, classes, inner, dx);
                } else {
                    stridedProd(y, g, base, vend, classes, inner, dx);
                }
                for (int i = vend; i < inner; i++) {
                    double dot = 0;
                    for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                        dot += log ? g[k] : (double) g[k] * y[k];
                    }
                    if (log) {
                        tailLog(y, g, base + i, base + i + classes * inner, inner, dot, dx);
                    } else {
                        tailProd(y, g, base + i, base + i + classes * inner, inner, dot, dx);
                    }
                }
            }
        }
    }

    /** The reference's formula g - exp(y) dot at k = from, from + step, ... < to. */
    private static void tailLog(float[] y, float[] g, int from, int to, int step, double dot, float[] dx) {
        for (int k = from; k < to; k += step) {
            dx[k] = (float) (g[k] - Math.exp(y[k]) * dot);
        }
    }

    /** The reference's formula y (g - dot) at k = from, from + step, ... < to. */
    private static void tailProd(float[] y, float[] g, int from, int to, int step, double dot, float[] dx) {
        for (int k = from; k < to; k += step) {
            dx[k] = (float) (y[k] * (g[k] - dot));
        }
    }

    /**
     * sum g over a row in float-float lanes (hi the running float sum, lo the exact
     * rounding errors of its additions), then to double in a fixed order: as
     * accurate as a double sum, which the backward needs where g - dot cancels (a peaked softmax).
     * Where hi is not finite (an infinite or NaN term) it is the answer, the plain sum.
     */
    private static double rowSum(float[] y, float[] g, int base, int classes) {
        final int end = base + classes;
        final int vend = base + classes / LF * LF;
        FloatVector hi = FloatVector.zero(FS);
        FloatVector lo = FloatVector.zero(FS);
        int i = base;
        for (; i < vend; i += LF) {
                FloatVector gv = FloatVector.fromArray(FS, g, i);
                FloatVector yv = FloatVector.fromArray(FS, y, i);
                FloatVector p = gv;
                FloatVector t = hi.add(p);
                FloatVector bp = t.sub(hi);
                lo = lo.add(hi.sub(t.sub(bp)).add(p.sub(bp))); // TwoSum: hi + p - t, exactly
                hi = t;
        }
        double sumHi = 0;
        double sumLo = 0;
        for (int j = 0; j < LF; j += 4) {
            sumHi += ((double) hi.lane(j) + hi.lane(j + 1)) + ((double) hi.lane(j + 2) + hi.lane(j + 3));
            sumLo += ((double) lo.lane(j) + lo.lane(j + 1)) + ((double) lo.lane(j + 2) + lo.lane(j + 3));
        }
        double total = Double.isFinite(sumHi) ? sumHi + sumLo : sumHi;
        for (; i < end; i++) {
            total += g[i];
        }
        return total;
    }

    /**
     * sum g y over a row in float-float lanes (hi the running float sum, lo the exact
     * rounding errors of its additions and products), then to double in a fixed order: as
     * accurate as a double sum, which the backward needs where g - dot cancels (a peaked softmax).
     * Where hi is not finite (an infinite or NaN term) it is the answer, the plain sum.
     */
    private static double rowDot(float[] y, float[] g, int base, int classes) {
        final int end = base + classes;
        final int vend = base + classes / LF * LF;
        FloatVector hi = FloatVector.zero(FS);
        FloatVector lo = FloatVector.zero(FS);
        int i = base;
        for (; i < vend; i += LF) {
                FloatVector gv = FloatVector.fromArray(FS, g, i);
                FloatVector yv = FloatVector.fromArray(FS, y, i);
                FloatVector p = gv.mul(yv);
                lo = lo.add(gv.fma(yv, p.neg())); // g y - p, exactly
                FloatVector t = hi.add(p);
                FloatVector bp = t.sub(hi);
                lo = lo.add(hi.sub(t.sub(bp)).add(p.sub(bp))); // TwoSum: hi + p - t, exactly
                hi = t;
        }
        double sumHi = 0;
        double sumLo = 0;
        for (int j = 0; j < LF; j += 4) {
            sumHi += ((double) hi.lane(j) + hi.lane(j + 1)) + ((double) hi.lane(j + 2) + hi.lane(j + 3));
            sumLo += ((double) lo.lane(j) + lo.lane(j + 1)) + ((double) lo.lane(j + 2) + lo.lane(j + 3));
        }
        double total = Double.isFinite(sumHi) ? sumHi + sumLo : sumHi;
        for (; i < end; i++) {
            total += (double) g[i] * y[i];
        }
        return total;
    }

    /** dx = g - exp(y) (hi + lo) over the row's whole vectors, dot = hi + lo. */
    private static void rowLog(float[] y, float[] g, int base, int classes, float hi, float lo, float[] dx) {
        final int vend = base + classes / LF * LF;
        final FloatVector dh = FloatVector.broadcast(FS, hi);
        final FloatVector dl = FloatVector.broadcast(FS, lo);
        for (int i = base; i < vend; i += LF) {
                FloatVector yv = FloatVector.fromArray(FS, y, i);
                // e = exp(y) over the whole range: KlKernels' form of VectorMath.exp, written out
                FloatVector eT = yv.fma(LOG2E_F, SHIFT_F);
                FloatVector eK = eT.sub(SHIFT_F);
                FloatVector eR = eK.fma(FloatVector.broadcast(FS, -LN2_HI_F), yv);
                eR = eK.fma(FloatVector.broadcast(FS, -LN2_LO_F), eR);
                FloatVector eP = eR.fma(P0, P1);
                eP = eP.fma(eR, FloatVector.broadcast(FS, P2));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P3));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P4));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P5));
                eP = eP.fma(eR.mul(eR), eR).add(1f);
                IntVector eKi = eT.reinterpretAsInts().and(0x007fffff).sub(0x00400000);
                IntVector eK1 = eKi.lanewise(VectorOperators.ASHR, 1);
                FloatVector e = eP.mul(eK1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(eKi.sub(eK1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .blend(0f, yv.lt(KlKernels.EXP_ALL_LO_F))
                        .blend(Float.POSITIVE_INFINITY, yv.compare(VectorOperators.GT, KlKernels.EXP_ALL_HI_F));
                e.neg().fma(dl, e.neg().fma(dh, FloatVector.fromArray(FS, g, i))).intoArray(dx, i);
        }
    }

    /** dx = y ((g - hi) - lo) over the row's whole vectors, dot = hi + lo (g - hi is exact where they are close). */
    private static void rowProd(float[] y, float[] g, int base, int classes, float hi, float lo, float[] dx) {
        final int vend = base + classes / LF * LF;
        for (int i = base; i < vend; i += LF) {
            FloatVector.fromArray(FS, g, i).sub(hi).sub(lo).mul(FloatVector.fromArray(FS, y, i)).intoArray(dx, i);
        }
    }

    /**
     * Positions [0, vend) of one sample, LF at a time across the inner axis: the dot of each lane
     * over the classes, Kahan-compensated and with the products' exact errors, kept as hi + lo
     * (accurate where g - dot cancels), then dx.
     */
    private static void stridedLog(float[] y, float[] g, int base, int vend, int classes, int inner, float[] dx) {
        for (int i = 0; i < vend; i += LF) {
            FloatVector s = FloatVector.zero(FS);
            FloatVector comp = FloatVector.zero(FS);
            FloatVector plain = FloatVector.zero(FS);
            FloatVector perr = FloatVector.zero(FS);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                FloatVector term = FloatVector.fromArray(FS, g, k);
                plain = plain.add(term);
                FloatVector v = term.sub(comp);
                FloatVector t = s.add(v);
                comp = t.sub(s).sub(v);
                s = t;
            }
            // dot = hi + lo; an infinite term turns the compensation into NaN: there the plain sum is the answer
            final FloatVector lo0 = perr.sub(comp);
            final VectorMask<Float> bad = s.add(lo0).test(VectorOperators.IS_NAN);
            if (bad.or(plain.test(VectorOperators.IS_INFINITE)).anyTrue()) {
                // a dot that is not finite: these positions take the reference's formula (see softmaxBackward)
                for (int p = i; p < i + LF; p++) {
                    double d = 0;
                    for (int c = 0, k = base + p; c < classes; c++, k += inner) {
                        d += g[k];
                    }
                    tailLog(y, g, base + p, base + p + classes * inner, inner, d, dx);
                }
                continue;
            }
            final FloatVector hi = s;
            final FloatVector lo = lo0;
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                FloatVector yv = FloatVector.fromArray(FS, y, k);
                // e = exp(y) over the whole range: KlKernels' form of VectorMath.exp, written out
                FloatVector eT = yv.fma(LOG2E_F, SHIFT_F);
                FloatVector eK = eT.sub(SHIFT_F);
                FloatVector eR = eK.fma(FloatVector.broadcast(FS, -LN2_HI_F), yv);
                eR = eK.fma(FloatVector.broadcast(FS, -LN2_LO_F), eR);
                FloatVector eP = eR.fma(P0, P1);
                eP = eP.fma(eR, FloatVector.broadcast(FS, P2));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P3));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P4));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P5));
                eP = eP.fma(eR.mul(eR), eR).add(1f);
                IntVector eKi = eT.reinterpretAsInts().and(0x007fffff).sub(0x00400000);
                IntVector eK1 = eKi.lanewise(VectorOperators.ASHR, 1);
                FloatVector e = eP.mul(eK1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(eKi.sub(eK1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .blend(0f, yv.lt(KlKernels.EXP_ALL_LO_F))
                        .blend(Float.POSITIVE_INFINITY, yv.compare(VectorOperators.GT, KlKernels.EXP_ALL_HI_F));
                e.neg().fma(lo, e.neg().fma(hi, FloatVector.fromArray(FS, g, k))).intoArray(dx, k);
            }
        }
    }

    /**
     * Positions [0, vend) of one sample, LF at a time across the inner axis: the dot of each lane
     * over the classes, Kahan-compensated and with the products' exact errors, kept as hi + lo
     * (accurate where g - dot cancels), then dx.
     */
    private static void stridedProd(float[] y, float[] g, int base, int vend, int classes, int inner, float[] dx) {
        for (int i = 0; i < vend; i += LF) {
            FloatVector s = FloatVector.zero(FS);
            FloatVector comp = FloatVector.zero(FS);
            FloatVector plain = FloatVector.zero(FS);
            FloatVector perr = FloatVector.zero(FS);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                FloatVector term = FloatVector.fromArray(FS, g, k).mul(FloatVector.fromArray(FS, y, k));
                perr = perr.add(FloatVector.fromArray(FS, g, k).fma(FloatVector.fromArray(FS, y, k), term.neg())); // g y - term, exactly
                plain = plain.add(term);
                FloatVector v = term.sub(comp);
                FloatVector t = s.add(v);
                comp = t.sub(s).sub(v);
                s = t;
            }
            // dot = hi + lo; an infinite term turns the compensation into NaN: there the plain sum is the answer
            final FloatVector lo0 = perr.sub(comp);
            final VectorMask<Float> bad = s.add(lo0).test(VectorOperators.IS_NAN);
            if (bad.or(plain.test(VectorOperators.IS_INFINITE)).anyTrue()) {
                // a dot that is not finite: these positions take the reference's formula (see softmaxBackward)
                for (int p = i; p < i + LF; p++) {
                    double d = 0;
                    for (int c = 0, k = base + p; c < classes; c++, k += inner) {
                        d += (double) g[k] * y[k];
                    }
                    tailProd(y, g, base + p, base + p + classes * inner, inner, d, dx);
                }
                continue;
            }
            final FloatVector hi = s;
            final FloatVector lo = lo0;
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                FloatVector.fromArray(FS, g, k).sub(hi).sub(lo).mul(FloatVector.fromArray(FS, y, k)).intoArray(dx, k);
            }
        }
    }

    void softmaxBackward(double[] y, double[] g, int n0, int n1, int classes, int inner, boolean log, double[] dx) {
        if (inner == 1 ? classes < LD : inner < LD) {
            ref.softmaxBackward(y, g, n0, n1, classes, inner, log, dx);
            return;
        }
        for (int n = n0; n < n1; n++) {
            final int base = n * classes * inner;
            if (inner == 1) {
                if (log) {
                    final double dot = rowSum(y, g, base, classes);
                    if (Double.isFinite(dot)) {
                        rowLog(y, g, base, classes, dot, 0.0, dx);
                    }
                    // a row whose dot is not finite takes the reference's formula throughout (below,
                    // float32's exp(y) is 0 where the reference's is not, and 0 * inf differs)
                    tailLog(y, g, Double.isFinite(dot) ? base + classes / LD * LD : base, base + classes, 1, dot, dx);
                } else {
                    final double dot = rowDot(y, g, base, classes);
                    if (Double.isFinite(dot)) {
                        rowProd(y, g, base, classes, dot, 0.0, dx);
                    }
                    tailProd(y, g, Double.isFinite(dot) ? base + classes / LD * LD : base, base + classes, 1, dot, dx);
                }
            } else {
                final int vend = inner / LD * LD;
                if (log) {
                    stridedLog(y, g, base, vend, classes, inner, dx);
                } else {
                    stridedProd(y, g, base, vend, classes, inner, dx);
                }
                for (int i = vend; i < inner; i++) {
                    double dot = 0;
                    for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                        dot += log ? g[k] : g[k] * y[k];
                    }
                    if (log) {
                        tailLog(y, g, base + i, base + i + classes * inner, inner, dot, dx);
                    } else {
                        tailProd(y, g, base + i, base + i + classes * inner, inner, dot, dx);
                    }
                }
            }
        }
    }

    /** The reference's formula g - exp(y) dot at k = from, from + step, ... < to. */
    private static void tailLog(double[] y, double[] g, int from, int to, int step, double dot, double[] dx) {
        for (int k = from; k < to; k += step) {
            dx[k] = (g[k] - Math.exp(y[k]) * dot);
        }
    }

    /** The reference's formula y (g - dot) at k = from, from + step, ... < to. */
    private static void tailProd(double[] y, double[] g, int from, int to, int step, double dot, double[] dx) {
        for (int k = from; k < to; k += step) {
            dx[k] = (y[k] * (g[k] - dot));
        }
    }

    /** sum g over a row, in double lanes. */
    private static double rowSum(double[] y, double[] g, int base, int classes) {
        final int end = base + classes;
        final int vend = base + classes / LD * LD;
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            acc = acc.add(DoubleVector.fromArray(DS, g, i));
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) {
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        for (; i < end; i++) {
            total += g[i];
        }
        return total;
    }

    /** sum g y over a row, in double lanes. */
    private static double rowDot(double[] y, double[] g, int base, int classes) {
        final int end = base + classes;
        final int vend = base + classes / LD * LD;
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            acc = DoubleVector.fromArray(DS, g, i).fma(DoubleVector.fromArray(DS, y, i), acc);
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) {
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        for (; i < end; i++) {
            total += g[i] * y[i];
        }
        return total;
    }

    /** dx = g - exp(y) (hi + lo) over the row's whole vectors, dot = hi + lo. */
    private static void rowLog(double[] y, double[] g, int base, int classes, double hi, double lo, double[] dx) {
        final int vend = base + classes / LD * LD;
        final DoubleVector dh = DoubleVector.broadcast(DS, hi);
        final DoubleVector dl = DoubleVector.broadcast(DS, lo);
        for (int i = base; i < vend; i += LD) {
                DoubleVector yv = DoubleVector.fromArray(DS, y, i);
                // e = exp(y) over the whole range: KlKernels' form of VectorMath.exp, written out
                DoubleVector eT = yv.fma(LOG2E_D, SHIFT_D);
                DoubleVector eK = eT.sub(SHIFT_D);
                DoubleVector eR = eK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), yv);
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
                LongVector eKi = eT.reinterpretAsLongs().and(0x000fffffffffffffL).sub(1L << 51);
                LongVector eK1 = eKi.lanewise(VectorOperators.ASHR, 1);
                DoubleVector e = eP.mul(eK1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .mul(eKi.sub(eK1).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .blend(0.0, yv.lt(KlKernels.EXP_ALL_LO_D))
                        .blend(Double.POSITIVE_INFINITY, yv.compare(VectorOperators.GT, KlKernels.EXP_ALL_HI_D));
                e.neg().fma(dl, e.neg().fma(dh, DoubleVector.fromArray(DS, g, i))).intoArray(dx, i);
        }
    }

    /** dx = y ((g - hi) - lo) over the row's whole vectors, dot = hi + lo (g - hi is exact where they are close). */
    private static void rowProd(double[] y, double[] g, int base, int classes, double hi, double lo, double[] dx) {
        final int vend = base + classes / LD * LD;
        for (int i = base; i < vend; i += LD) {
            DoubleVector.fromArray(DS, g, i).sub(hi).sub(lo).mul(DoubleVector.fromArray(DS, y, i)).intoArray(dx, i);
        }
    }

    /**
     * Positions [0, vend) of one sample, LD at a time across the inner axis: the dot of each lane
     * over the classes, Kahan-compensated and with the products' exact errors, kept as hi + lo
     * (accurate where g - dot cancels), then dx.
     */
    private static void stridedLog(double[] y, double[] g, int base, int vend, int classes, int inner, double[] dx) {
        for (int i = 0; i < vend; i += LD) {
            DoubleVector s = DoubleVector.zero(DS);
            DoubleVector comp = DoubleVector.zero(DS);
            DoubleVector plain = DoubleVector.zero(DS);
            DoubleVector perr = DoubleVector.zero(DS);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                DoubleVector term = DoubleVector.fromArray(DS, g, k);
                plain = plain.add(term);
                DoubleVector v = term.sub(comp);
                DoubleVector t = s.add(v);
                comp = t.sub(s).sub(v);
                s = t;
            }
            // dot = hi + lo; an infinite term turns the compensation into NaN: there the plain sum is the answer
            final DoubleVector lo0 = perr.sub(comp);
            final VectorMask<Double> bad = s.add(lo0).test(VectorOperators.IS_NAN);
            if (bad.or(plain.test(VectorOperators.IS_INFINITE)).anyTrue()) {
                // a dot that is not finite: these positions take the reference's formula (see softmaxBackward)
                for (int p = i; p < i + LD; p++) {
                    double d = 0;
                    for (int c = 0, k = base + p; c < classes; c++, k += inner) {
                        d += g[k];
                    }
                    tailLog(y, g, base + p, base + p + classes * inner, inner, d, dx);
                }
                continue;
            }
            final DoubleVector hi = s;
            final DoubleVector lo = lo0;
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                DoubleVector yv = DoubleVector.fromArray(DS, y, k);
                // e = exp(y) over the whole range: KlKernels' form of VectorMath.exp, written out
                DoubleVector eT = yv.fma(LOG2E_D, SHIFT_D);
                DoubleVector eK = eT.sub(SHIFT_D);
                DoubleVector eR = eK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), yv);
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
                LongVector eKi = eT.reinterpretAsLongs().and(0x000fffffffffffffL).sub(1L << 51);
                LongVector eK1 = eKi.lanewise(VectorOperators.ASHR, 1);
                DoubleVector e = eP.mul(eK1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .mul(eKi.sub(eK1).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .blend(0.0, yv.lt(KlKernels.EXP_ALL_LO_D))
                        .blend(Double.POSITIVE_INFINITY, yv.compare(VectorOperators.GT, KlKernels.EXP_ALL_HI_D));
                e.neg().fma(lo, e.neg().fma(hi, DoubleVector.fromArray(DS, g, k))).intoArray(dx, k);
            }
        }
    }

    /**
     * Positions [0, vend) of one sample, LD at a time across the inner axis: the dot of each lane
     * over the classes, Kahan-compensated and with the products' exact errors, kept as hi + lo
     * (accurate where g - dot cancels), then dx.
     */
    private static void stridedProd(double[] y, double[] g, int base, int vend, int classes, int inner, double[] dx) {
        for (int i = 0; i < vend; i += LD) {
            DoubleVector s = DoubleVector.zero(DS);
            DoubleVector comp = DoubleVector.zero(DS);
            DoubleVector plain = DoubleVector.zero(DS);
            DoubleVector perr = DoubleVector.zero(DS);
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                DoubleVector term = DoubleVector.fromArray(DS, g, k).mul(DoubleVector.fromArray(DS, y, k));
                perr = perr.add(DoubleVector.fromArray(DS, g, k).fma(DoubleVector.fromArray(DS, y, k), term.neg())); // g y - term, exactly
                plain = plain.add(term);
                DoubleVector v = term.sub(comp);
                DoubleVector t = s.add(v);
                comp = t.sub(s).sub(v);
                s = t;
            }
            // dot = hi + lo; an infinite term turns the compensation into NaN: there the plain sum is the answer
            final DoubleVector lo0 = perr.sub(comp);
            final VectorMask<Double> bad = s.add(lo0).test(VectorOperators.IS_NAN);
            if (bad.or(plain.test(VectorOperators.IS_INFINITE)).anyTrue()) {
                // a dot that is not finite: these positions take the reference's formula (see softmaxBackward)
                for (int p = i; p < i + LD; p++) {
                    double d = 0;
                    for (int c = 0, k = base + p; c < classes; c++, k += inner) {
                        d += g[k] * y[k];
                    }
                    tailProd(y, g, base + p, base + p + classes * inner, inner, d, dx);
                }
                continue;
            }
            final DoubleVector hi = s;
            final DoubleVector lo = lo0;
            for (int c = 0, k = base + i; c < classes; c++, k += inner) {
                DoubleVector.fromArray(DS, g, k).sub(hi).sub(lo).mul(DoubleVector.fromArray(DS, y, k)).intoArray(dx, k);
            }
        }
    }
}
