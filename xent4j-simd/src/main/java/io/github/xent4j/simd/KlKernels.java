package io.github.xent4j.simd;

import io.github.xent4j.spi.ExactSum;
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
 * Pointwise KL divergence on vectors, float32 and float64, in the chunks of {@link ElementOperands};
 * each segment's last (length mod L) elements go to the scalar reference (its own partial sum, at a
 * split fixed by the segment). Per element, with log-probabilities x:
 * <pre>{@code
 * target t:          loss = xlogy(t, t) - t x     (0 log 0 = 0; t < 0 or NaN gives NaN)   grad = -t g
 * log_target, t:     loss = exp(t) (t - x)                                                  grad = -exp(t) g
 * }</pre>
 * log is VectorMath's (under 1 ulp, every special value as Math.log), the product t log t - t x
 * one fused multiply-add. exp is VectorMath's polynomial over the whole range (a log-target may be
 * positive): 0 below about -104 (float) / -746 (double), +inf above the largest finite result,
 * subnormal results kept; about 1 ulp.
 */
final class KlKernels {

    /** exp(t) is 0 below these and +inf above (the float and double overflow thresholds, rounded up). */
    static final float EXP_ALL_LO_F = -104f;
    static final float EXP_ALL_HI_F = 88.7229f;
    static final double EXP_ALL_LO_D = -746.0;
    static final double EXP_ALL_HI_D = 709.783;
    /** Above this a float32 log-target chunk goes to the reference (exp(80) = 5.5e34). */
    static final float LOG_TARGET_MAX_F = 80f;

    /** The scalar reference kernels, for the tails. */
    private final Kernels ref;

    KlKernels(Kernels reference) {
        this.ref = reference;
    }

    void klDiv(float[] x, float[] t, int i0, int i1, int slice, boolean logTarget,
               float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final float gs = (float) gradScale;
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            final int end = a + (b - a) / LF * LF;
            double total = 0;
            for (int c = a; c < end; c += CF) {
                final int ce = Math.min(end, c + CF);
                final float[] up = upstream == null ? ONES_F : upstream;
                final int upOff = upstream == null ? -c : 0;
                if (logTarget) {
                    if (anyAbove(t, c, ce, LOG_TARGET_MAX_F)) {
                        // exp(t) (t - x) may overflow float32 where the reference's double does not
                        ref.klDiv(x, t, c, ce, slice, true, lossOut, gradOut, upstream, gradScale, sum);
                        continue;
                    }
                    total += gradOut != null && lossOut == null
                            ? logTargetGrad(x, t, c, ce, up, upOff, gs, gradOut)
                            : logTargetAny(x, t, c, ce, up, upOff, gs, lossOut, gradOut);
                } else {
                    total += gradOut != null && lossOut == null
                            ? probTargetGrad(x, t, c, ce, up, upOff, gs, gradOut)
                            : probTargetAny(x, t, c, ce, up, upOff, gs, lossOut, gradOut);
                }
            }
            sum.add(total);
            if (end < b) {
                ref.klDiv(x, t, end, b, slice, logTarget, lossOut, gradOut, upstream, gradScale, sum);
            }
            a = b;
        }
    }

    /** Loss + gradient over whole vectors [from, to), no per-element loss output: a loop without branches. */
    private static double probTargetGrad(float[] x, float[] t, int from, int to, float[] up, int upOff, float gs, float[] gradOut) {
        FloatVector acc = FloatVector.zero(FS);
        for (int i = from; i < to; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector tv = FloatVector.fromArray(FS, t, i);
                // lt = log t: VectorMath.log(FloatVector) written out (t = 0 is blended out below)
                VectorMask<Float> ltSub = tv.lt(Float.MIN_NORMAL);
                IntVector ltIx = tv.blend(tv.mul(0x1p25f), ltSub).reinterpretAsInts().sub(SQRT_HALF_BITS_F);
                FloatVector ltK = ltIx.lanewise(VectorOperators.ASHR, 23).add(SHIFT_BITS_F).reinterpretAsFloats().sub(SHIFT_F)
                        .sub(FloatVector.broadcast(FS, 25f), ltSub);
                FloatVector ltF = ltIx.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
                FloatVector ltS = ltF.div(ltF.add(2f));
                FloatVector ltZ = ltS.mul(ltS);
                FloatVector ltR = ltZ.fma(LG4_F, LG3_F).fma(ltZ, FloatVector.broadcast(FS, LG2_F))
                        .fma(ltZ, FloatVector.broadcast(FS, LG1_F)).mul(ltZ);
                FloatVector ltH = ltF.mul(ltF).mul(0.5f);
                FloatVector ltU = ltH.sub(ltK.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), ltS.mul(ltH.add(ltR)))).sub(ltF);
                FloatVector lt = ltK.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), ltU.neg())
                        .blend(Float.POSITIVE_INFINITY, tv.eq(Float.POSITIVE_INFINITY))
                        .blend(Float.NaN, tv.compare(VectorOperators.GE, 0f).not());
                // xlogy(t, t) - t x, xlogy being 0 where t == 0 (NaN stays NaN: NaN == 0 is false)
                FloatVector loss = tv.neg().fma(xv, tv.mul(lt).blend(0f, tv.eq(0f)));
                acc = acc.add(loss);
                tv.neg().mul(FloatVector.fromArray(FS, up, i + upOff).mul(gs)).intoArray(gradOut, i);
        }
        double total = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Any outputs over whole vectors [from, to) (the branches only guard stores). */
    private static double probTargetAny(float[] x, float[] t, int from, int to, float[] up, int upOff, float gs,
                                   float[] lossOut, float[] gradOut) {
        FloatVector acc = FloatVector.zero(FS);
        for (int i = from; i < to; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector tv = FloatVector.fromArray(FS, t, i);
                // lt = log t: VectorMath.log(FloatVector) written out (t = 0 is blended out below)
                VectorMask<Float> ltSub = tv.lt(Float.MIN_NORMAL);
                IntVector ltIx = tv.blend(tv.mul(0x1p25f), ltSub).reinterpretAsInts().sub(SQRT_HALF_BITS_F);
                FloatVector ltK = ltIx.lanewise(VectorOperators.ASHR, 23).add(SHIFT_BITS_F).reinterpretAsFloats().sub(SHIFT_F)
                        .sub(FloatVector.broadcast(FS, 25f), ltSub);
                FloatVector ltF = ltIx.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
                FloatVector ltS = ltF.div(ltF.add(2f));
                FloatVector ltZ = ltS.mul(ltS);
                FloatVector ltR = ltZ.fma(LG4_F, LG3_F).fma(ltZ, FloatVector.broadcast(FS, LG2_F))
                        .fma(ltZ, FloatVector.broadcast(FS, LG1_F)).mul(ltZ);
                FloatVector ltH = ltF.mul(ltF).mul(0.5f);
                FloatVector ltU = ltH.sub(ltK.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), ltS.mul(ltH.add(ltR)))).sub(ltF);
                FloatVector lt = ltK.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), ltU.neg())
                        .blend(Float.POSITIVE_INFINITY, tv.eq(Float.POSITIVE_INFINITY))
                        .blend(Float.NaN, tv.compare(VectorOperators.GE, 0f).not());
                // xlogy(t, t) - t x, xlogy being 0 where t == 0 (NaN stays NaN: NaN == 0 is false)
                FloatVector loss = tv.neg().fma(xv, tv.mul(lt).blend(0f, tv.eq(0f)));
                acc = acc.add(loss);
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                if (gradOut != null) {
                    tv.neg().mul(FloatVector.fromArray(FS, up, i + upOff).mul(gs)).intoArray(gradOut, i);
                }
        }
        double total = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Loss + gradient over whole vectors [from, to), no per-element loss output: a loop without branches. */
    private static double logTargetGrad(float[] x, float[] t, int from, int to, float[] up, int upOff, float gs, float[] gradOut) {
        FloatVector acc = FloatVector.zero(FS);
        for (int i = from; i < to; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector tv = FloatVector.fromArray(FS, t, i);
                // e = exp(t) over the whole range (t may be positive): VectorMath.exp's polynomial, with
                // 2^k applied as two factors 2^(k>>1) 2^(k-(k>>1)), so that k from -150 to 128 stays normal
                FloatVector eT = tv.fma(LOG2E_F, SHIFT_F);
                FloatVector eK = eT.sub(SHIFT_F);
                FloatVector eR = eK.fma(FloatVector.broadcast(FS, -LN2_HI_F), tv);
                eR = eK.fma(FloatVector.broadcast(FS, -LN2_LO_F), eR);
                FloatVector eP = eR.fma(P0, P1);
                eP = eP.fma(eR, FloatVector.broadcast(FS, P2));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P3));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P4));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P5));
                eP = eP.fma(eR.mul(eR), eR).add(1f);
                IntVector eKi = eT.reinterpretAsInts().and(0x007fffff).sub(0x00400000); // the low bits hold 2^22 + k
                IntVector eK1 = eKi.lanewise(VectorOperators.ASHR, 1);
                FloatVector e = eP.mul(eK1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(eKi.sub(eK1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .blend(0f, tv.lt(EXP_ALL_LO_F)).blend(Float.POSITIVE_INFINITY, tv.compare(VectorOperators.GT, EXP_ALL_HI_F));
                FloatVector loss = tv.sub(xv).mul(e);
                acc = acc.add(loss);
                e.neg().mul(FloatVector.fromArray(FS, up, i + upOff).mul(gs)).intoArray(gradOut, i);
        }
        double total = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Any outputs over whole vectors [from, to) (the branches only guard stores). */
    private static double logTargetAny(float[] x, float[] t, int from, int to, float[] up, int upOff, float gs,
                                   float[] lossOut, float[] gradOut) {
        FloatVector acc = FloatVector.zero(FS);
        for (int i = from; i < to; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector tv = FloatVector.fromArray(FS, t, i);
                // e = exp(t) over the whole range (t may be positive): VectorMath.exp's polynomial, with
                // 2^k applied as two factors 2^(k>>1) 2^(k-(k>>1)), so that k from -150 to 128 stays normal
                FloatVector eT = tv.fma(LOG2E_F, SHIFT_F);
                FloatVector eK = eT.sub(SHIFT_F);
                FloatVector eR = eK.fma(FloatVector.broadcast(FS, -LN2_HI_F), tv);
                eR = eK.fma(FloatVector.broadcast(FS, -LN2_LO_F), eR);
                FloatVector eP = eR.fma(P0, P1);
                eP = eP.fma(eR, FloatVector.broadcast(FS, P2));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P3));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P4));
                eP = eP.fma(eR, FloatVector.broadcast(FS, P5));
                eP = eP.fma(eR.mul(eR), eR).add(1f);
                IntVector eKi = eT.reinterpretAsInts().and(0x007fffff).sub(0x00400000); // the low bits hold 2^22 + k
                IntVector eK1 = eKi.lanewise(VectorOperators.ASHR, 1);
                FloatVector e = eP.mul(eK1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(eKi.sub(eK1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .blend(0f, tv.lt(EXP_ALL_LO_F)).blend(Float.POSITIVE_INFINITY, tv.compare(VectorOperators.GT, EXP_ALL_HI_F));
                FloatVector loss = tv.sub(xv).mul(e);
                acc = acc.add(loss);
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                if (gradOut != null) {
                    e.neg().mul(FloatVector.fromArray(FS, up, i + upOff).mul(gs)).intoArray(gradOut, i);
                }
        }
        double total = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Whether some t[i], i in [from, to) (whole vectors), exceeds {@code limit}. */
    private static boolean anyAbove(float[] t, int from, int to, float limit) {
        for (int i = from; i < to; i += LF) {
            if (FloatVector.fromArray(FS, t, i).compare(VectorOperators.GT, limit).anyTrue()) {
                return true;
            }
        }
        return false;
    }

    void klDiv(double[] x, double[] t, int i0, int i1, int slice, boolean logTarget,
               double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final double gs = gradScale;
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            final int end = a + (b - a) / LD * LD;
            double total = 0;
            for (int c = a; c < end; c += CD) {
                final int ce = Math.min(end, c + CD);
                final double[] up = upstream == null ? ONES_D : upstream;
                final int upOff = upstream == null ? -c : 0;
                if (logTarget) {
                    total += gradOut != null && lossOut == null
                            ? logTargetGrad(x, t, c, ce, up, upOff, gs, gradOut)
                            : logTargetAny(x, t, c, ce, up, upOff, gs, lossOut, gradOut);
                } else {
                    total += gradOut != null && lossOut == null
                            ? probTargetGrad(x, t, c, ce, up, upOff, gs, gradOut)
                            : probTargetAny(x, t, c, ce, up, upOff, gs, lossOut, gradOut);
                }
            }
            sum.add(total);
            if (end < b) {
                ref.klDiv(x, t, end, b, slice, logTarget, lossOut, gradOut, upstream, gradScale, sum);
            }
            a = b;
        }
    }

    /** Loss + gradient over whole vectors [from, to), no per-element loss output: a loop without branches. */
    private static double probTargetGrad(double[] x, double[] t, int from, int to, double[] up, int upOff, double gs, double[] gradOut) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < to; i += LD) {
                DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                DoubleVector tv = DoubleVector.fromArray(DS, t, i);
                // lt = log t: VectorMath.log(DoubleVector) written out (t = 0 is blended out below)
                VectorMask<Double> ltSub = tv.lt(Double.MIN_NORMAL);
                LongVector ltIx = tv.blend(tv.mul(0x1p54), ltSub).reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
                DoubleVector ltK = ltIx.lanewise(VectorOperators.ASHR, 52).add(SHIFT_BITS_D).reinterpretAsDoubles().sub(SHIFT_D)
                        .sub(DoubleVector.broadcast(DS, 54.0), ltSub);
                DoubleVector ltF = ltIx.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0);
                DoubleVector ltS = ltF.div(ltF.add(2.0));
                DoubleVector ltZ = ltS.mul(ltS);
                DoubleVector ltR = ltZ.fma(LG7_D, LG6_D).fma(ltZ, DoubleVector.broadcast(DS, LG5_D))
                        .fma(ltZ, DoubleVector.broadcast(DS, LG4_D)).fma(ltZ, DoubleVector.broadcast(DS, LG3_D))
                        .fma(ltZ, DoubleVector.broadcast(DS, LG2_D)).fma(ltZ, DoubleVector.broadcast(DS, LG1_D)).mul(ltZ);
                DoubleVector ltH = ltF.mul(ltF).mul(0.5);
                DoubleVector ltU = ltH.sub(ltK.fma(DoubleVector.broadcast(DS, LN2_LO_D), ltS.mul(ltH.add(ltR)))).sub(ltF);
                DoubleVector lt = ltK.fma(DoubleVector.broadcast(DS, LN2_HI_D), ltU.neg())
                        .blend(Double.POSITIVE_INFINITY, tv.eq(Double.POSITIVE_INFINITY))
                        .blend(Double.NaN, tv.compare(VectorOperators.GE, 0.0).not());
                DoubleVector loss = tv.neg().fma(xv, tv.mul(lt).blend(0.0, tv.eq(0.0)));
                acc = acc.add(loss);
                tv.neg().mul(DoubleVector.fromArray(DS, up, i + upOff).mul(gs)).intoArray(gradOut, i);
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Any outputs over whole vectors [from, to) (the branches only guard stores). */
    private static double probTargetAny(double[] x, double[] t, int from, int to, double[] up, int upOff, double gs,
                                   double[] lossOut, double[] gradOut) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < to; i += LD) {
                DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                DoubleVector tv = DoubleVector.fromArray(DS, t, i);
                // lt = log t: VectorMath.log(DoubleVector) written out (t = 0 is blended out below)
                VectorMask<Double> ltSub = tv.lt(Double.MIN_NORMAL);
                LongVector ltIx = tv.blend(tv.mul(0x1p54), ltSub).reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
                DoubleVector ltK = ltIx.lanewise(VectorOperators.ASHR, 52).add(SHIFT_BITS_D).reinterpretAsDoubles().sub(SHIFT_D)
                        .sub(DoubleVector.broadcast(DS, 54.0), ltSub);
                DoubleVector ltF = ltIx.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0);
                DoubleVector ltS = ltF.div(ltF.add(2.0));
                DoubleVector ltZ = ltS.mul(ltS);
                DoubleVector ltR = ltZ.fma(LG7_D, LG6_D).fma(ltZ, DoubleVector.broadcast(DS, LG5_D))
                        .fma(ltZ, DoubleVector.broadcast(DS, LG4_D)).fma(ltZ, DoubleVector.broadcast(DS, LG3_D))
                        .fma(ltZ, DoubleVector.broadcast(DS, LG2_D)).fma(ltZ, DoubleVector.broadcast(DS, LG1_D)).mul(ltZ);
                DoubleVector ltH = ltF.mul(ltF).mul(0.5);
                DoubleVector ltU = ltH.sub(ltK.fma(DoubleVector.broadcast(DS, LN2_LO_D), ltS.mul(ltH.add(ltR)))).sub(ltF);
                DoubleVector lt = ltK.fma(DoubleVector.broadcast(DS, LN2_HI_D), ltU.neg())
                        .blend(Double.POSITIVE_INFINITY, tv.eq(Double.POSITIVE_INFINITY))
                        .blend(Double.NaN, tv.compare(VectorOperators.GE, 0.0).not());
                DoubleVector loss = tv.neg().fma(xv, tv.mul(lt).blend(0.0, tv.eq(0.0)));
                acc = acc.add(loss);
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                if (gradOut != null) {
                    tv.neg().mul(DoubleVector.fromArray(DS, up, i + upOff).mul(gs)).intoArray(gradOut, i);
                }
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Loss + gradient over whole vectors [from, to), no per-element loss output: a loop without branches. */
    private static double logTargetGrad(double[] x, double[] t, int from, int to, double[] up, int upOff, double gs, double[] gradOut) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < to; i += LD) {
                DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                DoubleVector tv = DoubleVector.fromArray(DS, t, i);
                // e = exp(t) over the whole range: as the float32 kernel, k from -1077 to 1024
                DoubleVector eT = tv.fma(LOG2E_D, SHIFT_D);
                DoubleVector eK = eT.sub(SHIFT_D);
                DoubleVector eR = eK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), tv);
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
                LongVector eKi = eT.reinterpretAsLongs().and(0x000fffffffffffffL).sub(1L << 51); // the low bits hold 2^51 + k
                LongVector eK1 = eKi.lanewise(VectorOperators.ASHR, 1);
                DoubleVector e = eP.mul(eK1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .mul(eKi.sub(eK1).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .blend(0.0, tv.lt(EXP_ALL_LO_D)).blend(Double.POSITIVE_INFINITY, tv.compare(VectorOperators.GT, EXP_ALL_HI_D));
                DoubleVector loss = tv.sub(xv).mul(e);
                acc = acc.add(loss);
                e.neg().mul(DoubleVector.fromArray(DS, up, i + upOff).mul(gs)).intoArray(gradOut, i);
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Any outputs over whole vectors [from, to) (the branches only guard stores). */
    private static double logTargetAny(double[] x, double[] t, int from, int to, double[] up, int upOff, double gs,
                                   double[] lossOut, double[] gradOut) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < to; i += LD) {
                DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                DoubleVector tv = DoubleVector.fromArray(DS, t, i);
                // e = exp(t) over the whole range: as the float32 kernel, k from -1077 to 1024
                DoubleVector eT = tv.fma(LOG2E_D, SHIFT_D);
                DoubleVector eK = eT.sub(SHIFT_D);
                DoubleVector eR = eK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), tv);
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
                LongVector eKi = eT.reinterpretAsLongs().and(0x000fffffffffffffL).sub(1L << 51); // the low bits hold 2^51 + k
                LongVector eK1 = eKi.lanewise(VectorOperators.ASHR, 1);
                DoubleVector e = eP.mul(eK1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .mul(eKi.sub(eK1).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .blend(0.0, tv.lt(EXP_ALL_LO_D)).blend(Double.POSITIVE_INFINITY, tv.compare(VectorOperators.GT, EXP_ALL_HI_D));
                DoubleVector loss = tv.sub(xv).mul(e);
                acc = acc.add(loss);
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                if (gradOut != null) {
                    e.neg().mul(DoubleVector.fromArray(DS, up, i + upOff).mul(gs)).intoArray(gradOut, i);
                }
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }
}
