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

/**
 * Unweighted BCE with logits on vectors (the facade sends weighted calls to {@link BceKernels};
 * this class still hands them to the reference if called with one). Each segment's sum depends only
 * on its own elements (the SPI's sum contract).
 */
final class ElementwiseKernels {

    /** The scalar reference kernels, for the cases delegated. */
    private final Kernels ref;

    ElementwiseKernels(Kernels reference) {
        this.ref = reference;
    }

    // ================================================================ BCE with logits

    /**
     * Unweighted BCE with logits over whole vectors; the remainder of the range and any weight or
     * pos_weight go to the scalar reference. Per element, with e = exp(-|x|):
     * <pre>{@code
     * loss    = max(x, 0) - y x + log1p(e)        (log-sigmoid form; fma: no cancellation in max(x,0) - y x)
     * sigmoid = (x >= 0 ? 1 : e) / (1 + e)        (never exp of a positive argument)
     * }</pre>
     */
    public void bceWithLogits(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                              float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        if (weight != null || posWeight != null) {
            ref.bceWithLogits(x, y, i0, i1, slice, weight, posWeight, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            lossSum.add(bceSegment(x, y, a, b, lossOut, gradOut, upstream, gradScale));
            a = b;
        }
    }

    /** The unweighted loss sum of one segment [i0, i1), writing its outputs. */
    private static double bceSegment(float[] x, float[] y, int i0, int i1,
                                     float[] lossOut, float[] gradOut, float[] upstream, double gradScale) {
        final int end = i0 + (i1 - i0) / LF * LF;
        final float gs = (float) gradScale;
        double total = 0;
        int i = i0;
        if (lossOut == null && upstream == null) {
            total = gradOut == null ? bceSum(x, y, i0, end) : bceSumGrad(x, y, i0, end, gs, gradOut);
            i = end;
        }
        while (i < end) {
            final int chunkEnd = Math.min(end, i + CHUNK * LF);
            FloatVector acc = FloatVector.zero(FS);
            for (; i < chunkEnd; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector yv = FloatVector.fromArray(FS, y, i);
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
                FloatVector loss = yv.neg().fma(xv, xv.max(0f)).add(l1p);
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                acc = acc.add(loss);
                if (gradOut != null) {
                    FloatVector sig = FloatVector.broadcast(FS, 1f).blend(e, xv.lt(0f)).div(e.add(1f));
                    // no vector may come out of a ?: or an if (it would be boxed where the branches merge)
                    if (upstream == null) {
                        sig.sub(yv).mul(gs).intoArray(gradOut, i);
                    } else {
                        sig.sub(yv).mul(FloatVector.fromArray(FS, upstream, i).mul(gs)).intoArray(gradOut, i);
                    }
                }
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see class note)
                total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
            }
        }
        if (end < i1) {
            total += bceTail(x, y, end, i1, lossOut, gradOut, upstream, gradScale);
        }
        return total;
    }

    public void bceWithLogits(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                              double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum lossSum) {
        if (weight != null || posWeight != null) {
            ref.bceWithLogits(x, y, i0, i1, slice, weight, posWeight, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            lossSum.add(bceSegment(x, y, a, b, lossOut, gradOut, upstream, gradScale));
            a = b;
        }
    }

    /** The unweighted loss sum of one segment [i0, i1), writing its outputs. */
    private static double bceSegment(double[] x, double[] y, int i0, int i1,
                                     double[] lossOut, double[] gradOut, double[] upstream, double gradScale) {
        final int end = i0 + (i1 - i0) / LD * LD;
        if (lossOut == null && upstream == null) {
            double total = gradOut == null ? bceSum(x, y, i0, end) : bceSumGrad(x, y, i0, end, gradScale, gradOut);
            if (end < i1) {
                total += bceTail(x, y, end, i1, null, gradOut, null, gradScale);
            }
            return total;
        }
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = i0; i < end; i += LD) {
            DoubleVector xv = DoubleVector.fromArray(DS, x, i);
            DoubleVector yv = DoubleVector.fromArray(DS, y, i);
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
            DoubleVector loss = yv.neg().fma(xv, xv.max(0.0)).add(l1p);
            if (lossOut != null) {
                loss.intoArray(lossOut, i);
            }
            acc = acc.add(loss);
            if (gradOut != null) {
                DoubleVector sig = DoubleVector.broadcast(DS, 1.0).blend(e, xv.lt(0.0)).div(e.add(1.0));
                if (upstream == null) {
                    sig.sub(yv).mul(gradScale).intoArray(gradOut, i);
                } else {
                    sig.sub(yv).mul(DoubleVector.fromArray(DS, upstream, i).mul(gradScale)).intoArray(gradOut, i);
                }
            }
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see class note)
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        if (end < i1) {
            total += bceTail(x, y, end, i1, lossOut, gradOut, upstream, gradScale);
        }
        return total;
    }

    /*
     * The two common BCE cases as straight-line loops (no branch in the loop body): loss value only,
     * and loss + gradient with no per-element upstream and no per-element loss output. With a
     * branch in the body, some JIT profiles (seen after other call patterns had trained the method)
     * boxed one vector per iteration; the general loop above keeps the branches for the rare cases.
     */
    private static double bceSum(float[] x, float[] y, int from, int end) {
        double total = 0;
        int i = from;
        while (i < end) {
            final int chunkEnd = Math.min(end, i + CHUNK * LF);
            FloatVector acc = FloatVector.zero(FS);
            for (; i < chunkEnd; i += LF) {
                    FloatVector xv = FloatVector.fromArray(FS, x, i);
                    FloatVector yv = FloatVector.fromArray(FS, y, i);
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
                    acc = acc.add(yv.neg().fma(xv, xv.max(0f)).add(l1p));
            }
            for (int j = 0; j < LF; j += 4) {
                total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
            }
        }
        return total;
    }

    private static double bceSumGrad(float[] x, float[] y, int from, int end, float gs, float[] gradOut) {
        double total = 0;
        int i = from;
        while (i < end) {
            final int chunkEnd = Math.min(end, i + CHUNK * LF);
            FloatVector acc = FloatVector.zero(FS);
            for (; i < chunkEnd; i += LF) {
                    FloatVector xv = FloatVector.fromArray(FS, x, i);
                    FloatVector yv = FloatVector.fromArray(FS, y, i);
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
                    acc = acc.add(yv.neg().fma(xv, xv.max(0f)).add(l1p));
                    FloatVector sig = FloatVector.broadcast(FS, 1f).blend(e, xv.lt(0f)).div(e.add(1f));
                    sig.sub(yv).mul(gs).intoArray(gradOut, i);
            }
            for (int j = 0; j < LF; j += 4) {
                total += ((double) acc.lane(j) + acc.lane(j + 1)) + ((double) acc.lane(j + 2) + acc.lane(j + 3));
            }
        }
        return total;
    }

    private static double bceSum(double[] x, double[] y, int from, int end) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < end; i += LD) {
            DoubleVector xv = DoubleVector.fromArray(DS, x, i);
            DoubleVector yv = DoubleVector.fromArray(DS, y, i);
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
            acc = acc.add(yv.neg().fma(xv, xv.max(0.0)).add(l1p));
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) {
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    private static double bceSumGrad(double[] x, double[] y, int from, int end, double gs, double[] gradOut) {
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = from; i < end; i += LD) {
            DoubleVector xv = DoubleVector.fromArray(DS, x, i);
            DoubleVector yv = DoubleVector.fromArray(DS, y, i);
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
            acc = acc.add(yv.neg().fma(xv, xv.max(0.0)).add(l1p));
            DoubleVector sig = DoubleVector.broadcast(DS, 1.0).blend(e, xv.lt(0.0)).div(e.add(1.0));
            sig.sub(yv).mul(gs).intoArray(gradOut, i);
        }
        double total = 0;
        for (int j = 0; j < LD; j += 4) {
            total += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        return total;
    }

    /** The scalar form of the unweighted BCE with logits, for the last elements of a segment. */
    static double bceTail(float[] x, float[] y, int from, int to,
                                  float[] lossOut, float[] gradOut, float[] upstream, double gradScale) {
        double total = 0;
        for (int i = from; i < to; i++) {
            final double xi = x[i];
            final double yi = y[i];
            // log sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
            final double loss = (1 - yi) * xi - (Math.min(xi, 0) - Math.log1p(Math.exp(-Math.abs(xi))));
            total += loss;
            if (lossOut != null) {
                lossOut[i] = (float) loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[i]);
                gradOut[i] = (float) (g * (1 / (1 + Math.exp(-xi)) - yi));
            }
        }
        return total;
    }

    /** The scalar form of the unweighted BCE with logits, float64. */
    static double bceTail(double[] x, double[] y, int from, int to,
                                  double[] lossOut, double[] gradOut, double[] upstream, double gradScale) {
        double total = 0;
        for (int i = from; i < to; i++) {
            final double xi = x[i];
            final double yi = y[i];
            final double loss = (1 - yi) * xi - (Math.min(xi, 0) - Math.log1p(Math.exp(-Math.abs(xi))));
            total += loss;
            if (lossOut != null) {
                lossOut[i] = loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[i]);
                gradOut[i] = g * (1 / (1 + Math.exp(-xi)) - yi);
            }
        }
        return total;
    }

}
