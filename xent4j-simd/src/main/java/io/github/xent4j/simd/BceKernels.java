package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
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
 * BCE on probabilities, BCE with logits under any broadcast weight / pos_weight, and the [0, 1]
 * range scan, on vectors. (Unweighted BCE with logits is {@link ElementwiseKernels}.)
 *
 * <p>Each segment (the SPI's sum unit) runs in chunks of {@code CHUNK} vectors, the operands as
 * {@link ElementOperands} describes. The segment's last (length mod L) elements go to the scalar reference, which adds its own partial
 * sum: the split depends only on the segment, so sums stay independent of threads and chunking.
 *
 * <p>BCE, per element: {@code l = w ((y - 1) max(log1p(-x), -100) - y max(log x, -100))},
 * gradient {@code g w (x - y) / max((1 - x) x, 1e-12f)} (PyTorch's clamps). log is VectorMath's
 * (under 1 ulp), log1p(-x) the same on a = 1 - x with f = -x exactly where no exponent shift
 * occurs, so it keeps its relative accuracy for small x; float32 errors are a few ulp per element.
 *
 * <p>BCE with logits, per element with e = exp(-|x|), lw = 1 + (pw - 1) y:
 * {@code l = w (pw y (max(-x, 0) + log1p e) + (1 - y)(max(x, 0) + log1p e))}, a sum of two
 * non-negative terms (the reference's {@code (1 - y) x - lw log sigmoid x} cancels in float for
 * large |x|); its form is used where x, y or pw is infinite, so special values give the
 * reference's results. Gradient {@code g w (lw sigmoid(x) - pw y)}.
 */
final class BceKernels {

    /** PyTorch's BCE gradient clamp, a float constant in both precisions. */
    private static final float BCE_EPS_F = 1e-12f;
    private static final double BCE_EPS_D = 1e-12f;

    /** The scalar reference kernels, for the tails. */
    private final Kernels ref;

    BceKernels(Kernels reference) {
        this.ref = reference;
    }

    // ================================================================ BCE on probabilities

    void bce(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight,
             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final float[] w = weight == null ? ONES_F : SCRATCH_F.get();
        final float gs = (float) gradScale;
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            final int end = a + (b - a) / LF * LF;
            double total = 0;
            for (int c = a; c < end; c += CF) {
                final int ce = Math.min(end, c + CF);
                if (weight != null) {
                    gather(weight, c, ce - c, w, 0);
                }
                final float[] up = upstream == null ? ONES_F : upstream;
                final int upOff = upstream == null ? -c : 0;
                total += gradOut != null && lossOut == null
                        ? bceGrad(x, y, c, ce, w, -c, up, upOff, gs, gradOut)
                        : bceAny(x, y, c, ce, w, -c, up, upOff, gs, lossOut, gradOut);
            }
            sum.add(total);
            if (end < b) {
                ref.bce(x, y, end, b, slice, weight, lossOut, gradOut, upstream, gradScale, sum);
            }
            a = b;
        }
    }

    /** Loss + gradient over whole vectors [from, to), no per-element loss output: a loop without branches. */
    private static double bceGrad(float[] x, float[] y, int from, int to, float[] w, int wOff, float[] up, int upOff,
                                  float gs, float[] gradOut) {
        FloatVector acc = FloatVector.zero(FS);
        for (int i = from; i < to; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector yv = FloatVector.fromArray(FS, y, i);
                FloatVector wv = FloatVector.fromArray(FS, w, i + wOff);
                // l0 = max(log x, -100): VectorMath.log(FloatVector) written out (x = 0 gives about -105)
                VectorMask<Float> l0Sub = xv.lt(Float.MIN_NORMAL);
                IntVector l0Ix = xv.blend(xv.mul(0x1p25f), l0Sub).reinterpretAsInts().sub(SQRT_HALF_BITS_F);
                FloatVector l0K = l0Ix.lanewise(VectorOperators.ASHR, 23).add(SHIFT_BITS_F).reinterpretAsFloats().sub(SHIFT_F)
                        .sub(FloatVector.broadcast(FS, 25f), l0Sub);
                FloatVector l0F = l0Ix.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
                FloatVector l0S = l0F.div(l0F.add(2f));
                FloatVector l0Z = l0S.mul(l0S);
                FloatVector l0R = l0Z.fma(LG4_F, LG3_F).fma(l0Z, FloatVector.broadcast(FS, LG2_F))
                        .fma(l0Z, FloatVector.broadcast(FS, LG1_F)).mul(l0Z);
                FloatVector l0H = l0F.mul(l0F).mul(0.5f);
                FloatVector l0U = l0H.sub(l0K.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), l0S.mul(l0H.add(l0R)))).sub(l0F);
                FloatVector l0 = l0K.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), l0U.neg()).max(-100f);
                // l1 = max(log1p(-x), -100): a = 1 - x is 0 or at least 2^-24, never subnormal; where
                // a >= sqrt(1/2) (k = 0) its f = a - 1 is -x exactly, which keeps log1p(-x) accurate for small x
                FloatVector a = xv.neg().add(1f);
                IntVector l1Ix = a.reinterpretAsInts().sub(SQRT_HALF_BITS_F);
                FloatVector l1K = l1Ix.lanewise(VectorOperators.ASHR, 23).add(SHIFT_BITS_F).reinterpretAsFloats().sub(SHIFT_F);
                FloatVector l1F = l1Ix.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f)
                        .blend(xv.neg(), l1K.eq(0f));
                FloatVector l1S = l1F.div(l1F.add(2f));
                FloatVector l1Z = l1S.mul(l1S);
                FloatVector l1R = l1Z.fma(LG4_F, LG3_F).fma(l1Z, FloatVector.broadcast(FS, LG2_F))
                        .fma(l1Z, FloatVector.broadcast(FS, LG1_F)).mul(l1Z);
                FloatVector l1H = l1F.mul(l1F).mul(0.5f);
                FloatVector l1U = l1H.sub(l1K.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), l1S.mul(l1H.add(l1R)))).sub(l1F);
                FloatVector l1 = l1K.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), l1U.neg()).max(-100f).blend(-100f, a.eq(0f));
                FloatVector loss = yv.sub(1f).mul(l1).sub(yv.mul(l0)).mul(wv);
                acc = acc.add(loss);
                xv.sub(yv).mul(wv.mul(FloatVector.fromArray(FS, up, i + upOff).mul(gs)).div(a.mul(xv).max(BCE_EPS_F))).intoArray(gradOut, i);
        }
        double total = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Any outputs over whole vectors [from, to) (the branches only guard stores). */
    private static double bceAny(float[] x, float[] y, int from, int to, float[] w, int wOff, float[] up, int upOff,
                                 float gs, float[] lossOut, float[] gradOut) {
        FloatVector acc = FloatVector.zero(FS);
        for (int i = from; i < to; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector yv = FloatVector.fromArray(FS, y, i);
                FloatVector wv = FloatVector.fromArray(FS, w, i + wOff);
                // l0 = max(log x, -100): VectorMath.log(FloatVector) written out (x = 0 gives about -105)
                VectorMask<Float> l0Sub = xv.lt(Float.MIN_NORMAL);
                IntVector l0Ix = xv.blend(xv.mul(0x1p25f), l0Sub).reinterpretAsInts().sub(SQRT_HALF_BITS_F);
                FloatVector l0K = l0Ix.lanewise(VectorOperators.ASHR, 23).add(SHIFT_BITS_F).reinterpretAsFloats().sub(SHIFT_F)
                        .sub(FloatVector.broadcast(FS, 25f), l0Sub);
                FloatVector l0F = l0Ix.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
                FloatVector l0S = l0F.div(l0F.add(2f));
                FloatVector l0Z = l0S.mul(l0S);
                FloatVector l0R = l0Z.fma(LG4_F, LG3_F).fma(l0Z, FloatVector.broadcast(FS, LG2_F))
                        .fma(l0Z, FloatVector.broadcast(FS, LG1_F)).mul(l0Z);
                FloatVector l0H = l0F.mul(l0F).mul(0.5f);
                FloatVector l0U = l0H.sub(l0K.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), l0S.mul(l0H.add(l0R)))).sub(l0F);
                FloatVector l0 = l0K.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), l0U.neg()).max(-100f);
                // l1 = max(log1p(-x), -100): a = 1 - x is 0 or at least 2^-24, never subnormal; where
                // a >= sqrt(1/2) (k = 0) its f = a - 1 is -x exactly, which keeps log1p(-x) accurate for small x
                FloatVector a = xv.neg().add(1f);
                IntVector l1Ix = a.reinterpretAsInts().sub(SQRT_HALF_BITS_F);
                FloatVector l1K = l1Ix.lanewise(VectorOperators.ASHR, 23).add(SHIFT_BITS_F).reinterpretAsFloats().sub(SHIFT_F);
                FloatVector l1F = l1Ix.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f)
                        .blend(xv.neg(), l1K.eq(0f));
                FloatVector l1S = l1F.div(l1F.add(2f));
                FloatVector l1Z = l1S.mul(l1S);
                FloatVector l1R = l1Z.fma(LG4_F, LG3_F).fma(l1Z, FloatVector.broadcast(FS, LG2_F))
                        .fma(l1Z, FloatVector.broadcast(FS, LG1_F)).mul(l1Z);
                FloatVector l1H = l1F.mul(l1F).mul(0.5f);
                FloatVector l1U = l1H.sub(l1K.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), l1S.mul(l1H.add(l1R)))).sub(l1F);
                FloatVector l1 = l1K.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), l1U.neg()).max(-100f).blend(-100f, a.eq(0f));
                FloatVector loss = yv.sub(1f).mul(l1).sub(yv.mul(l0)).mul(wv);
                acc = acc.add(loss);
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                if (gradOut != null) {
                    xv.sub(yv).mul(wv.mul(FloatVector.fromArray(FS, up, i + upOff).mul(gs)).div(a.mul(xv).max(BCE_EPS_F))).intoArray(gradOut, i);
                }
        }
        double total = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    void bce(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight,
             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final double[] scratch = SCRATCH_D.get(); // the weight in [0, CD), log x in [CD, 2 CD)
        final double[] w = weight == null ? ONES_D : scratch;
        final double gs = gradScale;
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            final int end = a + (b - a) / LD * LD;
            double total = 0;
            for (int c = a; c < end; c += CD) {
                final int ce = Math.min(end, c + CD);
                if (weight != null) {
                    gather(weight, c, ce - c, w, 0);
                }
                logClamped(x, c, ce, scratch, CD - c);
                final double[] up = upstream == null ? ONES_D : upstream;
                final int upOff = upstream == null ? -c : 0;
                total += gradOut != null && lossOut == null
                        ? bceGrad(x, y, c, ce, w, -c, scratch, CD - c, up, upOff, gs, gradOut)
                        : bceAny(x, y, c, ce, w, -c, scratch, CD - c, up, upOff, gs, lossOut, gradOut);
            }
            sum.add(total);
            if (end < b) {
                ref.bce(x, y, end, b, slice, weight, lossOut, gradOut, upstream, gradScale, sum);
            }
            a = b;
        }
    }

    /** Loss + gradient over whole vectors [from, to), no per-element loss output: a loop without branches. */
    private static double bceGrad(double[] x, double[] y, int from, int to, double[] w, int wOff, double[] l0s, int l0Off, double[] up, int upOff,
                                  double gs, double[] gradOut) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < to; i += LD) {
                DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                DoubleVector yv = DoubleVector.fromArray(DS, y, i);
                DoubleVector wv = DoubleVector.fromArray(DS, w, i + wOff);
                DoubleVector l0 = DoubleVector.fromArray(DS, l0s, i + l0Off); // max(log x, -100), from logClamped
                // l1 = max(log1p(-x), -100), with f = -x exactly where a = 1 - x >= sqrt(1/2) (see the float32 kernel)
                DoubleVector a = xv.neg().add(1.0);
                LongVector l1Ix = a.reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
                DoubleVector l1K = l1Ix.lanewise(VectorOperators.ASHR, 52).add(SHIFT_BITS_D).reinterpretAsDoubles().sub(SHIFT_D);
                DoubleVector l1F = l1Ix.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0)
                        .blend(xv.neg(), l1K.eq(0.0));
                DoubleVector l1S = l1F.div(l1F.add(2.0));
                DoubleVector l1Z = l1S.mul(l1S);
                DoubleVector l1R = l1Z.fma(LG7_D, LG6_D).fma(l1Z, DoubleVector.broadcast(DS, LG5_D))
                        .fma(l1Z, DoubleVector.broadcast(DS, LG4_D)).fma(l1Z, DoubleVector.broadcast(DS, LG3_D))
                        .fma(l1Z, DoubleVector.broadcast(DS, LG2_D)).fma(l1Z, DoubleVector.broadcast(DS, LG1_D)).mul(l1Z);
                DoubleVector l1H = l1F.mul(l1F).mul(0.5);
                DoubleVector l1U = l1H.sub(l1K.fma(DoubleVector.broadcast(DS, LN2_LO_D), l1S.mul(l1H.add(l1R)))).sub(l1F);
                DoubleVector l1 = l1K.fma(DoubleVector.broadcast(DS, LN2_HI_D), l1U.neg()).max(-100.0);
                DoubleVector loss = yv.sub(1.0).mul(l1).sub(yv.mul(l0)).mul(wv);
                acc = acc.add(loss);
                xv.sub(yv).mul(wv.mul(DoubleVector.fromArray(DS, up, i + upOff).mul(gs)).div(a.mul(xv).max(BCE_EPS_D))).intoArray(gradOut, i);
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Any outputs over whole vectors [from, to) (the branches only guard stores). */
    private static double bceAny(double[] x, double[] y, int from, int to, double[] w, int wOff, double[] l0s, int l0Off, double[] up, int upOff,
                                 double gs, double[] lossOut, double[] gradOut) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < to; i += LD) {
                DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                DoubleVector yv = DoubleVector.fromArray(DS, y, i);
                DoubleVector wv = DoubleVector.fromArray(DS, w, i + wOff);
                DoubleVector l0 = DoubleVector.fromArray(DS, l0s, i + l0Off); // max(log x, -100), from logClamped
                // l1 = max(log1p(-x), -100), with f = -x exactly where a = 1 - x >= sqrt(1/2) (see the float32 kernel)
                DoubleVector a = xv.neg().add(1.0);
                LongVector l1Ix = a.reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
                DoubleVector l1K = l1Ix.lanewise(VectorOperators.ASHR, 52).add(SHIFT_BITS_D).reinterpretAsDoubles().sub(SHIFT_D);
                DoubleVector l1F = l1Ix.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0)
                        .blend(xv.neg(), l1K.eq(0.0));
                DoubleVector l1S = l1F.div(l1F.add(2.0));
                DoubleVector l1Z = l1S.mul(l1S);
                DoubleVector l1R = l1Z.fma(LG7_D, LG6_D).fma(l1Z, DoubleVector.broadcast(DS, LG5_D))
                        .fma(l1Z, DoubleVector.broadcast(DS, LG4_D)).fma(l1Z, DoubleVector.broadcast(DS, LG3_D))
                        .fma(l1Z, DoubleVector.broadcast(DS, LG2_D)).fma(l1Z, DoubleVector.broadcast(DS, LG1_D)).mul(l1Z);
                DoubleVector l1H = l1F.mul(l1F).mul(0.5);
                DoubleVector l1U = l1H.sub(l1K.fma(DoubleVector.broadcast(DS, LN2_LO_D), l1S.mul(l1H.add(l1R)))).sub(l1F);
                DoubleVector l1 = l1K.fma(DoubleVector.broadcast(DS, LN2_HI_D), l1U.neg()).max(-100.0);
                DoubleVector loss = yv.sub(1.0).mul(l1).sub(yv.mul(l0)).mul(wv);
                acc = acc.add(loss);
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                if (gradOut != null) {
                    xv.sub(yv).mul(wv.mul(DoubleVector.fromArray(DS, up, i + upOff).mul(gs)).div(a.mul(xv).max(BCE_EPS_D))).intoArray(gradOut, i);
                }
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /**
     * max(log x, -100) for whole vectors [from, to) into {@code out[i + off]}: a pass of its own in
     * float64 (one kernel with both logs' degree-7 polynomials is past what C2 inlines, and boxes).
     */
    private static void logClamped(double[] x, int from, int to, double[] out, int off) {
        for (int i = from; i < to; i += LD) {
                DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                // l0 = max(log x, -100): VectorMath.log(DoubleVector) written out; a subnormal or zero x
                // needs no scaling here, its unscaled log (about -709 or below) is clamped anyway
                LongVector l0Ix = xv.reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
                DoubleVector l0K = l0Ix.lanewise(VectorOperators.ASHR, 52).add(SHIFT_BITS_D).reinterpretAsDoubles().sub(SHIFT_D);
                DoubleVector l0F = l0Ix.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0);
                DoubleVector l0S = l0F.div(l0F.add(2.0));
                DoubleVector l0Z = l0S.mul(l0S);
                DoubleVector l0R = l0Z.fma(LG7_D, LG6_D).fma(l0Z, DoubleVector.broadcast(DS, LG5_D))
                        .fma(l0Z, DoubleVector.broadcast(DS, LG4_D)).fma(l0Z, DoubleVector.broadcast(DS, LG3_D))
                        .fma(l0Z, DoubleVector.broadcast(DS, LG2_D)).fma(l0Z, DoubleVector.broadcast(DS, LG1_D)).mul(l0Z);
                DoubleVector l0H = l0F.mul(l0F).mul(0.5);
                DoubleVector l0U = l0H.sub(l0K.fma(DoubleVector.broadcast(DS, LN2_LO_D), l0S.mul(l0H.add(l0R)))).sub(l0F);
                DoubleVector l0 = l0K.fma(DoubleVector.broadcast(DS, LN2_HI_D), l0U.neg()).max(-100.0);
                l0.intoArray(out, i + off);
        }
    }

    // ================================================================ BCE with logits, weighted

    void bceWithLogits(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                       float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final float[] scratch = weight == null && posWeight == null ? null : SCRATCH_F.get();
        final float[] w = weight == null ? ONES_F : scratch;
        final float[] pw = posWeight == null ? ONES_F : scratch;
        final float gs = (float) gradScale;
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            final int end = a + (b - a) / LF * LF;
            double total = 0;
            for (int c = a; c < end; c += CF) {
                final int ce = Math.min(end, c + CF);
                if (weight != null) {
                    gather(weight, c, ce - c, scratch, 0);
                }
                if (posWeight != null) {
                    gather(posWeight, c, ce - c, scratch, CF);
                }
                final float[] up = upstream == null ? ONES_F : upstream;
                final int upOff = upstream == null ? -c : 0;
                final int pwOff = posWeight == null ? -c : CF - c;
                total += gradOut != null && lossOut == null
                        ? logitsGrad(x, y, c, ce, w, -c, pw, pwOff, up, upOff, gs, gradOut)
                        : logitsAny(x, y, c, ce, w, -c, pw, pwOff, up, upOff, gs, lossOut, gradOut);
            }
            sum.add(total);
            if (end < b) {
                ref.bceWithLogits(x, y, end, b, slice, weight, posWeight, lossOut, gradOut, upstream, gradScale, sum);
            }
            a = b;
        }
    }

    /** Loss + gradient over whole vectors [from, to), no per-element loss output: a loop without branches. */
    private static double logitsGrad(float[] x, float[] y, int from, int to, float[] w, int wOff, float[] pw, int pwOff,
                                     float[] up, int upOff, float gs, float[] gradOut) {
        FloatVector acc = FloatVector.zero(FS);
        for (int i = from; i < to; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector yv = FloatVector.fromArray(FS, y, i);
                FloatVector wv = FloatVector.fromArray(FS, w, i + wOff);
                FloatVector pwv = FloatVector.fromArray(FS, pw, i + pwOff);
                FloatVector d = xv.abs().neg();
                // e = exp(d): VectorMath.exp(FloatVector) written out, so no vector crosses a call
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
                // l1p = log1p(e) for e in [0, 1]: VectorMath.log1pUnit(FloatVector) written out
                FloatVector l1pS = e.div(e.add(2f));
                FloatVector l1pZ = l1pS.mul(l1pS);
                FloatVector l1pQ = l1pZ.fma(1f / 13, 1f / 11);
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f / 9));
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f / 7));
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f / 5));
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f / 3));
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f));
                FloatVector l1p = l1pS.add(l1pS).mul(l1pQ);
                FloatVector om = yv.neg().add(1f);
                FloatVector py = pwv.mul(yv);
                FloatVector lw = pwv.sub(1f).fma(yv, FloatVector.broadcast(FS, 1f));
                // pw y (-log sigmoid x) + (1 - y) (-log(1 - sigmoid x)): two terms >= 0, no cancellation;
                // where x, y or pw is infinite, the reference's own form (1 - y) x - lw log sigmoid(x) (its NaNs)
                FloatVector stable = py.fma(xv.neg().max(0f).add(l1p), om.mul(xv.max(0f).add(l1p)));
                FloatVector literal = om.mul(xv).sub(lw.mul(xv.min(0f).sub(l1p)));
                FloatVector loss = stable.blend(literal, xv.abs().add(yv.abs()).add(pwv.abs()).eq(Float.POSITIVE_INFINITY)).mul(wv);
                acc = acc.add(loss);
                    FloatVector sig = FloatVector.broadcast(FS, 1f).blend(e, xv.lt(0f)).div(e.add(1f));
                    lw.mul(sig).sub(py).mul(wv.mul(FloatVector.fromArray(FS, up, i + upOff).mul(gs))).intoArray(gradOut, i);
        }
        double total = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Any outputs over whole vectors [from, to) (the branches only guard stores). */
    private static double logitsAny(float[] x, float[] y, int from, int to, float[] w, int wOff, float[] pw, int pwOff,
                                    float[] up, int upOff, float gs, float[] lossOut, float[] gradOut) {
        FloatVector acc = FloatVector.zero(FS);
        for (int i = from; i < to; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector yv = FloatVector.fromArray(FS, y, i);
                FloatVector wv = FloatVector.fromArray(FS, w, i + wOff);
                FloatVector pwv = FloatVector.fromArray(FS, pw, i + pwOff);
                FloatVector d = xv.abs().neg();
                // e = exp(d): VectorMath.exp(FloatVector) written out, so no vector crosses a call
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
                // l1p = log1p(e) for e in [0, 1]: VectorMath.log1pUnit(FloatVector) written out
                FloatVector l1pS = e.div(e.add(2f));
                FloatVector l1pZ = l1pS.mul(l1pS);
                FloatVector l1pQ = l1pZ.fma(1f / 13, 1f / 11);
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f / 9));
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f / 7));
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f / 5));
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f / 3));
                l1pQ = l1pQ.fma(l1pZ, FloatVector.broadcast(FS, 1f));
                FloatVector l1p = l1pS.add(l1pS).mul(l1pQ);
                FloatVector om = yv.neg().add(1f);
                FloatVector py = pwv.mul(yv);
                FloatVector lw = pwv.sub(1f).fma(yv, FloatVector.broadcast(FS, 1f));
                // pw y (-log sigmoid x) + (1 - y) (-log(1 - sigmoid x)): two terms >= 0, no cancellation;
                // where x, y or pw is infinite, the reference's own form (1 - y) x - lw log sigmoid(x) (its NaNs)
                FloatVector stable = py.fma(xv.neg().max(0f).add(l1p), om.mul(xv.max(0f).add(l1p)));
                FloatVector literal = om.mul(xv).sub(lw.mul(xv.min(0f).sub(l1p)));
                FloatVector loss = stable.blend(literal, xv.abs().add(yv.abs()).add(pwv.abs()).eq(Float.POSITIVE_INFINITY)).mul(wv);
                acc = acc.add(loss);
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                if (gradOut != null) {
                    FloatVector sig = FloatVector.broadcast(FS, 1f).blend(e, xv.lt(0f)).div(e.add(1f));
                    lw.mul(sig).sub(py).mul(wv.mul(FloatVector.fromArray(FS, up, i + upOff).mul(gs))).intoArray(gradOut, i);
                }
        }
        double total = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    void bceWithLogits(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                       double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final double[] scratch = weight == null && posWeight == null ? null : SCRATCH_D.get();
        final double[] w = weight == null ? ONES_D : scratch;
        final double[] pw = posWeight == null ? ONES_D : scratch;
        final double gs = gradScale;
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            final int end = a + (b - a) / LD * LD;
            double total = 0;
            for (int c = a; c < end; c += CD) {
                final int ce = Math.min(end, c + CD);
                if (weight != null) {
                    gather(weight, c, ce - c, scratch, 0);
                }
                if (posWeight != null) {
                    gather(posWeight, c, ce - c, scratch, CD);
                }
                final double[] up = upstream == null ? ONES_D : upstream;
                final int upOff = upstream == null ? -c : 0;
                final int pwOff = posWeight == null ? -c : CD - c;
                total += gradOut != null && lossOut == null
                        ? logitsGrad(x, y, c, ce, w, -c, pw, pwOff, up, upOff, gs, gradOut)
                        : logitsAny(x, y, c, ce, w, -c, pw, pwOff, up, upOff, gs, lossOut, gradOut);
            }
            sum.add(total);
            if (end < b) {
                ref.bceWithLogits(x, y, end, b, slice, weight, posWeight, lossOut, gradOut, upstream, gradScale, sum);
            }
            a = b;
        }
    }

    /** Loss + gradient over whole vectors [from, to), no per-element loss output: a loop without branches. */
    private static double logitsGrad(double[] x, double[] y, int from, int to, double[] w, int wOff, double[] pw, int pwOff,
                                     double[] up, int upOff, double gs, double[] gradOut) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < to; i += LD) {
                DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                DoubleVector yv = DoubleVector.fromArray(DS, y, i);
                DoubleVector wv = DoubleVector.fromArray(DS, w, i + wOff);
                DoubleVector pwv = DoubleVector.fromArray(DS, pw, i + pwOff);
                DoubleVector d = xv.abs().neg();
                // e = exp(d): VectorMath.exp(DoubleVector) written out, so no vector crosses a call
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
                // l1p = log1p(e) for e in [0, 1]: VectorMath.log1pUnit(DoubleVector) written out
                DoubleVector l1pS = e.div(e.add(2.0));
                DoubleVector l1pZ = l1pS.mul(l1pS);
                DoubleVector l1pQ = l1pZ.fma(1.0 / 35, 1.0 / 33);
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 31));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 29));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 27));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 25));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 23));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 21));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 19));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 17));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 15));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 13));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 11));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 9));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 7));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 5));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 3));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0));
                DoubleVector l1p = l1pS.add(l1pS).mul(l1pQ);
                DoubleVector om = yv.neg().add(1.0);
                DoubleVector py = pwv.mul(yv);
                DoubleVector lw = pwv.sub(1.0).fma(yv, DoubleVector.broadcast(DS, 1.0));
                // pw y (-log sigmoid x) + (1 - y) (-log(1 - sigmoid x)): two terms >= 0, no cancellation;
                // where x, y or pw is infinite, the reference's own form (1 - y) x - lw log sigmoid(x) (its NaNs)
                DoubleVector stable = py.fma(xv.neg().max(0.0).add(l1p), om.mul(xv.max(0.0).add(l1p)));
                DoubleVector literal = om.mul(xv).sub(lw.mul(xv.min(0.0).sub(l1p)));
                DoubleVector loss = stable.blend(literal, xv.abs().add(yv.abs()).add(pwv.abs()).eq(Double.POSITIVE_INFINITY)).mul(wv);
                acc = acc.add(loss);
                    DoubleVector sig = DoubleVector.broadcast(DS, 1.0).blend(e, xv.lt(0.0)).div(e.add(1.0));
                    lw.mul(sig).sub(py).mul(wv.mul(DoubleVector.fromArray(DS, up, i + upOff).mul(gs))).intoArray(gradOut, i);
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** Any outputs over whole vectors [from, to) (the branches only guard stores). */
    private static double logitsAny(double[] x, double[] y, int from, int to, double[] w, int wOff, double[] pw, int pwOff,
                                    double[] up, int upOff, double gs, double[] lossOut, double[] gradOut) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < to; i += LD) {
                DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                DoubleVector yv = DoubleVector.fromArray(DS, y, i);
                DoubleVector wv = DoubleVector.fromArray(DS, w, i + wOff);
                DoubleVector pwv = DoubleVector.fromArray(DS, pw, i + pwOff);
                DoubleVector d = xv.abs().neg();
                // e = exp(d): VectorMath.exp(DoubleVector) written out, so no vector crosses a call
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
                // l1p = log1p(e) for e in [0, 1]: VectorMath.log1pUnit(DoubleVector) written out
                DoubleVector l1pS = e.div(e.add(2.0));
                DoubleVector l1pZ = l1pS.mul(l1pS);
                DoubleVector l1pQ = l1pZ.fma(1.0 / 35, 1.0 / 33);
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 31));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 29));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 27));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 25));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 23));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 21));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 19));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 17));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 15));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 13));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 11));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 9));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 7));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 5));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0 / 3));
                l1pQ = l1pQ.fma(l1pZ, DoubleVector.broadcast(DS, 1.0));
                DoubleVector l1p = l1pS.add(l1pS).mul(l1pQ);
                DoubleVector om = yv.neg().add(1.0);
                DoubleVector py = pwv.mul(yv);
                DoubleVector lw = pwv.sub(1.0).fma(yv, DoubleVector.broadcast(DS, 1.0));
                // pw y (-log sigmoid x) + (1 - y) (-log(1 - sigmoid x)): two terms >= 0, no cancellation;
                // where x, y or pw is infinite, the reference's own form (1 - y) x - lw log sigmoid(x) (its NaNs)
                DoubleVector stable = py.fma(xv.neg().max(0.0).add(l1p), om.mul(xv.max(0.0).add(l1p)));
                DoubleVector literal = om.mul(xv).sub(lw.mul(xv.min(0.0).sub(l1p)));
                DoubleVector loss = stable.blend(literal, xv.abs().add(yv.abs()).add(pwv.abs()).eq(Double.POSITIVE_INFINITY)).mul(wv);
                acc = acc.add(loss);
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                if (gradOut != null) {
                    DoubleVector sig = DoubleVector.broadcast(DS, 1.0).blend(e, xv.lt(0.0)).div(e.add(1.0));
                    lw.mul(sig).sub(py).mul(wv.mul(DoubleVector.fromArray(DS, up, i + upOff).mul(gs))).intoArray(gradOut, i);
                }
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see VectorKernels)
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    // ================================================================ range scan

    int firstOutsideUnit(float[] v, int from, int to) {
        final int end = from + (to - from) / LF * LF;
        for (int i = from; i < end; i += LF) {
            FloatVector a = FloatVector.fromArray(FS, v, i);
            VectorMask<Float> bad = a.compare(VectorOperators.GE, 0f).and(a.compare(VectorOperators.LE, 1f)).not();
            if (bad.anyTrue()) {
                return i + bad.firstTrue();
            }
        }
        return ref.firstOutsideUnit(v, end, to);
    }

    int firstOutsideUnit(double[] v, int from, int to) {
        final int end = from + (to - from) / LD * LD;
        for (int i = from; i < end; i += LD) {
            DoubleVector a = DoubleVector.fromArray(DS, v, i);
            VectorMask<Double> bad = a.compare(VectorOperators.GE, 0.0).and(a.compare(VectorOperators.LE, 1.0)).not();
            if (bad.anyTrue()) {
                return i + bad.firstTrue();
            }
        }
        return ref.firstOutsideUnit(v, end, to);
    }
}
