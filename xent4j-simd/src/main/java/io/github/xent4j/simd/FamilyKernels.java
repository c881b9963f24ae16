package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.DistillParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;
import io.github.xent4j.spi.ScalarFamilyKernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static io.github.xent4j.simd.RowKernels.*;
import static io.github.xent4j.simd.VectorMath.*;

/**
 * The rest of the family on vectors: softmax focal, poly-1 and cross-entropy with z-loss (class-index
 * rows without smoothing), distillation rows, and the sigmoid focal loss element-wise (integer
 * gamma); everything else (spatial inputs, rows shorter than a vector, rows whose max is not finite,
 * smoothing, probability targets, non-integer sigmoid gamma) goes to the scalar reference
 * ({@link ScalarFamilyKernels}). The rules of {@link VectorKernels} hold: exps by the polynomial of
 * {@link VectorMath} written out, no vector crossing a call or an if, float lanes summed in two
 * levels of CHUNK vectors and then into a double in a fixed order, per-row results in double.
 */
final class FamilyKernels {

    private static final int FOCAL = 0;
    private static final int POLY = 1;
    private static final int ZLOSS = 2;

    /** The scalar reference kernels, for the cases delegated. */
    private final Kernels ref;

    FamilyKernels(Kernels reference) {
        this.ref = reference;
    }

    // ================================================================ float32: focal / poly-1 / z-loss rows

    /**
     * Class-index rows without smoothing (inner == 1, C >= L, finite max): the cross-entropy pass
     * (max, exps stored into the gradient, their sum S), then per row the loss and two numbers from
     * l_y = (x_y - max) - log S in double, so that the gradient is {@code e_c * scale} with
     * {@code tsub} taken off at the target: focal {@code scale = a / S, tsub = a, a = -g w_y f'(l_y)};
     * poly-1 {@code scale = g w_y (1 + eps p_y) / S, tsub = g w_y (1 + eps p_y)}; z-loss
     * {@code scale = (g w_y + 2 s lse gz) / S, tsub = g w_y}.
     */
    private void indexRows(int mode, float[] x, int[] target, int n0, int n1, CeParams p, double coef,
                           float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double zGradScale,
                           ExactSum sum, ExactSum zSum) {
        final int classes = p.classes;
        final int intGamma = mode == FOCAL && coef == Math.rint(coef) && coef <= 4 ? (int) coef : -1;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final int y = target[n];
            final float m = rowMaxTail(x, base, classes);
            if (y == p.ignoreIndex) {
                if (lossOut != null) {
                    lossOut[n] = 0;
                }
                if (gradOut != null) {
                    java.util.Arrays.fill(gradOut, base, base + classes, Float.isFinite(m) ? 0 : Float.NaN);
                }
                continue;
            }
            if (!Float.isFinite(m)) {
                refRow(mode, x, target, n, p, coef, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
                continue;
            }
            final double xy = x[base + y];
            final double s = gradOut == null ? expSum(x, base, classes, m) : expSumStoreTail(x, base, classes, m, gradOut);
            final double logS = Math.log(s);
            final double wy = p.w(y);
            final double ly = (xy - m) - logS;
            final double up = upstream == null ? 1.0 : upstream[n];
            final double g = gradScale * up;
            double loss;
            double scale;
            double tsub;
            double zl = 0;
            if (mode == FOCAL) {
                // the reference's focalTerm and focalSlope with one expm1 and, for gamma 1..4, no pow
                final double u = -Math.expm1(ly);
                final double py = 1 - u;
                final double ug = intGamma == 1 ? u : intGamma == 2 ? u * u : intGamma == 3 ? u * u * u
                        : intGamma == 4 ? (u * u) * (u * u) : Math.pow(u, coef);
                loss = wy * (ug * -ly);
                final double slope = py == 0 ? -ug : ug * (-1 + coef * py * (u > 0 ? ly / u : -1));
                final double a = -g * wy * slope;
                scale = a / s;
                tsub = a;
            } else if (mode == POLY) {
                final double py = Math.exp(ly);
                loss = wy * (logS - (xy - m)) + coef * (wy - wy * py);
                tsub = g * wy * (1 + coef * py);
                scale = tsub / s;
            } else {
                loss = wy * (logS - (xy - m));
                final double lse = m + logS;
                zl = coef * lse * lse;
                tsub = g * wy;
                scale = (tsub + zGradScale * up * 2 * coef * lse) / s;
                zSum.add(zl);
            }
            sum.add(loss);
            if (lossOut != null) {
                lossOut[n] = (float) (loss + zl);
            }
            if (gradOut != null) {
                final double ey = gradOut[base + y];
                scaleRowTail(gradOut, base, classes, (float) scale);
                gradOut[base + y] = (float) (ey * scale - tsub);
            }
        }
    }


    /** The row's max (C >= L) with its last vector ending at the row's end (max is exact and order-free). */
    private static float rowMaxTail(float[] x, int base, int classes) {
        final int end = base + classes;
        FloatVector acc = FloatVector.fromArray(FS, x, end - LF);
        for (int i = base; i < end - LF; i += LF) {
            acc = acc.max(FloatVector.fromArray(FS, x, i));
        }
        return acc.reduceLanes(VectorOperators.MAX);
    }

    /**
     * sum_c exp(x_c - m) over a row of C >= L, storing each exp into out (which may be x): as
     * {@code RowKernels.expSumStore}, but the last vector (ending at the row's end, the lanes the
     * loop does masked off) goes first, into the first flush, so that a short row has one lane
     * reduction and no second one for its tail.
     */
    private static double expSumStoreTail(float[] x, int base, int classes, float m, float[] out) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final int last = end - LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        final VectorMask<Float> done = IOTA_F.lt((float) (vend - last));
        final FloatVector ld = FloatVector.fromArray(FS, x, last).sub(vm);
        // le = exp(ld): VectorMath.exp written out, so no vector crosses a call
        final FloatVector leT = ld.fma(LOG2E_F, SHIFT_F);
        final FloatVector leK = leT.sub(SHIFT_F);
        FloatVector leR = leK.fma(FloatVector.broadcast(FS, -LN2_HI_F), ld);
        leR = leK.fma(FloatVector.broadcast(FS, -LN2_LO_F), leR);
        FloatVector leP = leR.fma(P0, P1);
        leP = leP.fma(leR, FloatVector.broadcast(FS, P2));
        leP = leP.fma(leR, FloatVector.broadcast(FS, P3));
        leP = leP.fma(leR, FloatVector.broadcast(FS, P4));
        leP = leP.fma(leR, FloatVector.broadcast(FS, P5));
        leP = leP.fma(leR.mul(leR), leR).add(1f);
        final FloatVector le = leP.mul(leT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                .blend(0f, ld.lt(EXP_LO_F));
        // in place the lanes the loop does still hold their logits: stored back as they are
        le.blend(FloatVector.fromArray(FS, out, last), done).intoArray(out, last);
        final FloatVector lastE = le.blend(0f, done);
        double sum = 0;
        int i = base;
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            // the last vector into the first flush: a mask, not a vector reassigned across iterations (boxed)
            FloatVector acc2 = FloatVector.zero(FS).blend(lastE, IOTA_F.lt(i == base ? LF : 0));
            while (i < outerEnd) {
                final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                FloatVector acc = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    final FloatVector d = FloatVector.fromArray(FS, x, i).sub(vm);
                    // e = exp(d): VectorMath.exp written out, so no vector crosses a call
                    final FloatVector eT = d.fma(LOG2E_F, SHIFT_F);
                    final FloatVector eK = eT.sub(SHIFT_F);
                    FloatVector eR = eK.fma(FloatVector.broadcast(FS, -LN2_HI_F), d);
                    eR = eK.fma(FloatVector.broadcast(FS, -LN2_LO_F), eR);
                    FloatVector eP = eR.fma(P0, P1);
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P2));
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P3));
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P4));
                    eP = eP.fma(eR, FloatVector.broadcast(FS, P5));
                    eP = eP.fma(eR.mul(eR), eR).add(1f);
                    final FloatVector e = eP.mul(eT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                            .blend(0f, d.lt(EXP_LO_F));
                    e.intoArray(out, i);
                    acc = acc.add(e);
                }
                acc2 = acc2.add(acc);
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order
                sum += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
            }
        }
        return sum;
    }

    /** g_c = e_c * scale over a row of C >= L in place, its last vector ending at the row's end (the lanes done kept). */
    private static void scaleRowTail(float[] g, int base, int classes, float scale) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final int last = end - LF;
        final FloatVector vs = FloatVector.broadcast(FS, scale);
        for (int i = base; i < vend; i += LF) {
            FloatVector.fromArray(FS, g, i).mul(vs).intoArray(g, i);
        }
        final FloatVector t = FloatVector.fromArray(FS, g, last);
        t.mul(vs).blend(t, IOTA_F.lt((float) (vend - last))).intoArray(g, last);
    }

    private void refRow(int mode, float[] x, int[] target, int n, CeParams p, double coef, float[] lossOut, float[] gradOut,
                        float[] upstream, double gradScale, double zGradScale, ExactSum sum, ExactSum zSum) {
        if (mode == FOCAL) {
            ref.focal(x, target, n, n + 1, 1, p, coef, lossOut, gradOut, upstream, gradScale, sum);
        } else if (mode == POLY) {
            ref.polyCrossEntropy(x, target, n, n + 1, 1, p, coef, lossOut, gradOut, upstream, gradScale, sum);
        } else {
            ref.crossEntropyZ(x, target, n, n + 1, 1, p, coef, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
        }
    }

    public void focal(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double gamma,
                      float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        if (inner != 1 || p.classes < LF || p.smoothing > 0) {
            ref.focal(x, target, n0, n1, inner, p, gamma, lossOut, gradOut, upstream, gradScale, sum);
            return;
        }
        indexRows(FOCAL, x, target, n0, n1, p, gamma, lossOut, gradOut, upstream, gradScale, 0, sum, null);
    }

    public void polyCrossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double epsilon,
                                 float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        if (inner != 1 || p.classes < LF || p.smoothing > 0) {
            ref.polyCrossEntropy(x, target, n0, n1, inner, p, epsilon, lossOut, gradOut, upstream, gradScale, sum);
            return;
        }
        indexRows(POLY, x, target, n0, n1, p, epsilon, lossOut, gradOut, upstream, gradScale, 0, sum, null);
    }

    public void crossEntropyZ(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double zLoss,
                              float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double zGradScale,
                              ExactSum sum, ExactSum zSum) {
        if (inner != 1 || p.classes < LF || p.smoothing > 0) {
            ref.crossEntropyZ(x, target, n0, n1, inner, p, zLoss, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
            return;
        }
        indexRows(ZLOSS, x, target, n0, n1, p, zLoss, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
    }

    // ================================================================ float32: distillation rows

    /**
     * Distillation rows (inner == 1, C >= L, finite maxima). With v = (x - max x) / T, u = (t - max
     * t) / T (log-probabilities: u = t), one pass sums S = sum e^v, St = sum e^u, A = sum e^u (u - v)
     * (a term with e^u = 0 is 0) and, for the hard-label term at T != 1, S1 = sum e^(x - max) (for T
     * = 2, 3 or 4 in the same pass as (e^v)^T, by products; otherwise in a pass of its own); then
     * {@code KD = T^2 (A / St - log St + log S)} (log-probabilities: {@code A - (sum e^u) (0 - log S)},
     * St = 1), and a second pass writes {@code e^v gk / S - e^u gk / St (+ e^(x - max) gc / S1)},
     * reading each logit before its gradient is written (in place). The row's last C mod L entries
     * are one vector ending at the row's end whose lanes already done are masked off (no scalar
     * exps). Error: the float sums as the cross-entropy's; (e^v)^T within a few float ulps of
     * e^(x - max); KD is a difference of terms of the size of log S, so its error is absolute, about
     * 1e-7 of log S in float32.
     */
    public void distillation(float[] x, float[] teacher, int[] target, int n0, int n1, int inner, DistillParams p,
                             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double ceGradScale,
                             ExactSum sum, ExactSum ceSum) {
        final int classes = p.classes;
        if (inner != 1 || classes < LF) {
            ref.distillation(x, teacher, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, ceGradScale, sum, ceSum);
            return;
        }
        final double temp = p.temperature;
        final float invT = (float) (1 / temp);
        final float tInv = p.logTeacher ? 1 : invT;
        final double alpha = p.alpha;
        final boolean kdOn = alpha > 0;
        // e^(x - max) = (e^v)^T for an integer T of 2..4: (e^v or 1) (e^2v) (e^2v or 1)
        final int powT = temp == 2 || temp == 3 || temp == 4 ? (int) temp : 0;
        final FloatVector vsA = FloatVector.broadcast(FS, (float) (powT % 2));
        final FloatVector vcA = FloatVector.broadcast(FS, (float) (1 - powT % 2));
        final FloatVector vsC = FloatVector.broadcast(FS, (float) (powT == 4 ? 1 : 0));
        final FloatVector vcC = FloatVector.broadcast(FS, (float) (powT == 4 ? 0 : 1));
        final FloatVector vinv = FloatVector.broadcast(FS, invT);
        // log-probabilities: u = (t - 0) * 1 = t exactly
        final FloatVector vtinv = FloatVector.broadcast(FS, tInv);
        final FloatVector zero = FloatVector.zero(FS);
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final int y = target == null ? p.ignoreIndex : target[n];
            final boolean ceOn = target != null && alpha < 1 && y != p.ignoreIndex;
            final boolean third = ceOn && temp != 1;
            final float m = rowMax(x, base, classes);
            final float mt = p.logTeacher ? 0 : rowMax(teacher, base, classes);
            if (!Float.isFinite(m) || !Float.isFinite(mt)) {
                ref.distillation(x, teacher, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, ceGradScale, sum, ceSum);
                continue;
            }
            final double xy = ceOn ? x[base + y] : 0;
            // pass 1: the sums, in lane accumulators flushed to double every CHUNK * CHUNK vectors; the
            // last vector ends at the row's end, the lanes already done masked off
            final int end = base + classes;
            final int last = end - LF;
            final FloatVector vm = FloatVector.broadcast(FS, m);
            final FloatVector vmt = FloatVector.broadcast(FS, mt);
            double se = 0;
            double st = 0;
            double sa = 0;
            double s1 = 0;
            int i = base;
            while (i < end) {
                final int outerEnd = Math.min(end, i + CHUNK * CHUNK * LF);
                FloatVector accE2 = zero;
                FloatVector accT2 = zero;
                FloatVector accA2 = zero;
                FloatVector acc12 = zero;
                while (i < outerEnd) {
                    final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                    FloatVector accE = zero;
                    FloatVector accT = zero;
                    FloatVector accA = zero;
                    FloatVector acc1 = zero;
                    for (; i < chunkEnd; i += LF) {
                        final int at = Math.min(i, last);
                        final VectorMask<Float> skip = IOTA_F.lt((float) (i - at));
                        final FloatVector xv = FloatVector.fromArray(FS, x, at);
                        final FloatVector d = xv.sub(vm).mul(vinv);
                        // ev = exp(d): VectorMath.exp written out, so no vector crosses a call
                        final FloatVector evT = d.fma(LOG2E_F, SHIFT_F);
                        final FloatVector evK = evT.sub(SHIFT_F);
                        FloatVector evR = evK.fma(FloatVector.broadcast(FS, -LN2_HI_F), d);
                        evR = evK.fma(FloatVector.broadcast(FS, -LN2_LO_F), evR);
                        FloatVector evP = evR.fma(P0, P1);
                        evP = evP.fma(evR, FloatVector.broadcast(FS, P2));
                        evP = evP.fma(evR, FloatVector.broadcast(FS, P3));
                        evP = evP.fma(evR, FloatVector.broadcast(FS, P4));
                        evP = evP.fma(evR, FloatVector.broadcast(FS, P5));
                        evP = evP.fma(evR.mul(evR), evR).add(1f);
                        final FloatVector ev = evP.mul(evT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                                .blend(0f, d.lt(EXP_LO_F)).blend(0f, skip);
                        final FloatVector tv = FloatVector.fromArray(FS, teacher, at);
                        final FloatVector u = tv.sub(vmt).mul(vtinv);
                        // eu = exp(u): VectorMath.exp written out, so no vector crosses a call
                        final FloatVector euT = u.fma(LOG2E_F, SHIFT_F);
                        final FloatVector euK = euT.sub(SHIFT_F);
                        FloatVector euR = euK.fma(FloatVector.broadcast(FS, -LN2_HI_F), u);
                        euR = euK.fma(FloatVector.broadcast(FS, -LN2_LO_F), euR);
                        FloatVector euP = euR.fma(P0, P1);
                        euP = euP.fma(euR, FloatVector.broadcast(FS, P2));
                        euP = euP.fma(euR, FloatVector.broadcast(FS, P3));
                        euP = euP.fma(euR, FloatVector.broadcast(FS, P4));
                        euP = euP.fma(euR, FloatVector.broadcast(FS, P5));
                        euP = euP.fma(euR.mul(euR), euR).add(1f);
                        final FloatVector eu = euP.mul(euT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                                .blend(0f, u.lt(EXP_LO_F)).blend(0f, skip);
                        final FloatVector ev2 = ev.mul(ev);
                        accE = accE.add(ev);
                        accT = accT.add(eu);
                        accA = accA.add(eu.mul(u.sub(d)).blend(zero, eu.eq(zero)));
                        acc1 = acc1.add(ev.fma(vsA, vcA).mul(ev2).mul(ev2.fma(vsC, vcC)));
                    }
                    accE2 = accE2.add(accE);
                    accT2 = accT2.add(accT);
                    accA2 = accA2.add(accA);
                    acc12 = acc12.add(acc1);
                }
                for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order
                    se += ((double) accE2.lane(j) + accE2.lane(j + 1)) + ((double) accE2.lane(j + 2) + accE2.lane(j + 3));
                }
                for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order
                    st += ((double) accT2.lane(j) + accT2.lane(j + 1)) + ((double) accT2.lane(j + 2) + accT2.lane(j + 3));
                }
                for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order
                    sa += ((double) accA2.lane(j) + accA2.lane(j + 1)) + ((double) accA2.lane(j + 2) + accA2.lane(j + 3));
                }
                for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (unused unless third and powT != 0)
                    s1 += ((double) acc12.lane(j) + acc12.lane(j + 1)) + ((double) acc12.lane(j + 2) + acc12.lane(j + 3));
                }
            }
            if (third && powT == 0) {
                s1 = expSum(x, base, classes, m);
            }
            final double logS = Math.log(se);
            final double stN = p.logTeacher ? 1 : st;
            final double logSt = p.logTeacher ? 0 : Math.log(st);
            final double kd = kdOn ? temp * temp * (sa / stN - (logSt - logS) * (st / stN)) : 0;
            final double logS1 = temp == 1 ? logS : Math.log(s1);
            final double lk = kdOn ? alpha * kd : 0;
            final double lc = ceOn ? (1 - alpha) * (logS1 - (xy - m)) : 0;
            sum.add(lk);
            if (ceOn) {
                ceSum.add(lc);
            }
            if (lossOut != null) {
                lossOut[n] = (float) (lk + lc);
            }
            if (gradOut == null) {
                continue;
            }
            // pass 2: the gradient
            final double up = upstream == null ? 1.0 : upstream[n];
            final double gk = kdOn ? gradScale * up * alpha * temp : 0;
            final double gc = ceOn ? ceGradScale * up * (1 - alpha) : 0;
            if (third && powT != 0) {
                distillGradRowPow(x, teacher, base, classes, m, mt, invT, tInv, powT, (float) (gk / se), (float) (-gk / stN),
                        (float) (gc / s1), gradOut);
            } else if (third) {
                distillGradRow3(x, teacher, base, classes, m, mt, invT, tInv, (float) (gk / se), (float) (-gk / stN), (float) (gc / s1),
                        gradOut);
            } else {
                distillGradRow(x, teacher, base, classes, m, mt, invT, tInv, (float) ((gk + gc) / se), (float) (-gk / stN), gradOut);
            }
            if (ceOn) {
                gradOut[base + y] = (float) (gradOut[base + y] - gc);
            }
        }
    }

    /**
     * Pass 2 of a distillation row without a separate hard-label softmax (T = 1, or none):
     * {@code g_c = e^v cv + e^u cu}, each logit read before its gradient is written; the last vector
     * ends at the row's end and keeps the lanes the loop wrote.
     */
    private static void distillGradRow(float[] x, float[] teacher, int base, int classes, float m, float mt, float invT, float tInv,
                                       float cv, float cu, float[] gradOut) {
        final int end = base + classes;
        final int last = end - LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        final FloatVector vmt = FloatVector.broadcast(FS, mt);
        final FloatVector vinv = FloatVector.broadcast(FS, invT);
        final FloatVector vtinv = FloatVector.broadcast(FS, tInv);
        final FloatVector vcv = FloatVector.broadcast(FS, cv);
        final FloatVector vcu = FloatVector.broadcast(FS, cu);
        for (int i = base; i < end; i += LF) {
            // the last vector ends at the row's end; its lanes already written keep their gradient
            // (in place their logits are gone)
            final int at = Math.min(i, last);
            final VectorMask<Float> skip = IOTA_F.lt((float) (i - at));
            final FloatVector xv = FloatVector.fromArray(FS, x, at);
            final FloatVector d = xv.sub(vm).mul(vinv);
            // ev = exp(d): VectorMath.exp written out, so no vector crosses a call
            final FloatVector evT = d.fma(LOG2E_F, SHIFT_F);
            final FloatVector evK = evT.sub(SHIFT_F);
            FloatVector evR = evK.fma(FloatVector.broadcast(FS, -LN2_HI_F), d);
            evR = evK.fma(FloatVector.broadcast(FS, -LN2_LO_F), evR);
            FloatVector evP = evR.fma(P0, P1);
            evP = evP.fma(evR, FloatVector.broadcast(FS, P2));
            evP = evP.fma(evR, FloatVector.broadcast(FS, P3));
            evP = evP.fma(evR, FloatVector.broadcast(FS, P4));
            evP = evP.fma(evR, FloatVector.broadcast(FS, P5));
            evP = evP.fma(evR.mul(evR), evR).add(1f);
            final FloatVector ev = evP.mul(evT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                    .blend(0f, d.lt(EXP_LO_F));
            final FloatVector u = FloatVector.fromArray(FS, teacher, at).sub(vmt).mul(vtinv);
            // eu = exp(u): VectorMath.exp written out, so no vector crosses a call
            final FloatVector euT = u.fma(LOG2E_F, SHIFT_F);
            final FloatVector euK = euT.sub(SHIFT_F);
            FloatVector euR = euK.fma(FloatVector.broadcast(FS, -LN2_HI_F), u);
            euR = euK.fma(FloatVector.broadcast(FS, -LN2_LO_F), euR);
            FloatVector euP = euR.fma(P0, P1);
            euP = euP.fma(euR, FloatVector.broadcast(FS, P2));
            euP = euP.fma(euR, FloatVector.broadcast(FS, P3));
            euP = euP.fma(euR, FloatVector.broadcast(FS, P4));
            euP = euP.fma(euR, FloatVector.broadcast(FS, P5));
            euP = euP.fma(euR.mul(euR), euR).add(1f);
            final FloatVector eu = euP.mul(euT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                    .blend(0f, u.lt(EXP_LO_F));
            final FloatVector g = ev.mul(vcv).add(eu.mul(vcu));
            g.blend(FloatVector.fromArray(FS, gradOut, at), skip).intoArray(gradOut, at);
        }
    }

    /**
     * Pass 2 of a distillation row with the hard-label softmax at an integer T of 2..4:
     * {@code g_c = e^v cv + e^u cu + (e^v)^T c1}, each logit read before its gradient is written;
     * the last vector ends at the row's end and keeps the lanes the loop wrote.
     */
    private static void distillGradRowPow(float[] x, float[] teacher, int base, int classes, float m, float mt, float invT, float tInv,
                                          int powT, float cv, float cu, float c1, float[] gradOut) {
        final int end = base + classes;
        final int last = end - LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        final FloatVector vmt = FloatVector.broadcast(FS, mt);
        final FloatVector vinv = FloatVector.broadcast(FS, invT);
        final FloatVector vtinv = FloatVector.broadcast(FS, tInv);
        final FloatVector vcv = FloatVector.broadcast(FS, cv);
        final FloatVector vcu = FloatVector.broadcast(FS, cu);
        final FloatVector vc1 = FloatVector.broadcast(FS, c1);
        final FloatVector vsA = FloatVector.broadcast(FS, (float) (powT % 2));
        final FloatVector vcA = FloatVector.broadcast(FS, (float) (1 - powT % 2));
        final FloatVector vsC = FloatVector.broadcast(FS, (float) (powT == 4 ? 1 : 0));
        final FloatVector vcC = FloatVector.broadcast(FS, (float) (powT == 4 ? 0 : 1));
        for (int i = base; i < end; i += LF) {
            // the last vector ends at the row's end; its lanes already written keep their gradient
            // (in place their logits are gone)
            final int at = Math.min(i, last);
            final VectorMask<Float> skip = IOTA_F.lt((float) (i - at));
            final FloatVector xv = FloatVector.fromArray(FS, x, at);
            final FloatVector d = xv.sub(vm).mul(vinv);
            // ev = exp(d): VectorMath.exp written out, so no vector crosses a call
            final FloatVector evT = d.fma(LOG2E_F, SHIFT_F);
            final FloatVector evK = evT.sub(SHIFT_F);
            FloatVector evR = evK.fma(FloatVector.broadcast(FS, -LN2_HI_F), d);
            evR = evK.fma(FloatVector.broadcast(FS, -LN2_LO_F), evR);
            FloatVector evP = evR.fma(P0, P1);
            evP = evP.fma(evR, FloatVector.broadcast(FS, P2));
            evP = evP.fma(evR, FloatVector.broadcast(FS, P3));
            evP = evP.fma(evR, FloatVector.broadcast(FS, P4));
            evP = evP.fma(evR, FloatVector.broadcast(FS, P5));
            evP = evP.fma(evR.mul(evR), evR).add(1f);
            final FloatVector ev = evP.mul(evT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                    .blend(0f, d.lt(EXP_LO_F));
            final FloatVector u = FloatVector.fromArray(FS, teacher, at).sub(vmt).mul(vtinv);
            // eu = exp(u): VectorMath.exp written out, so no vector crosses a call
            final FloatVector euT = u.fma(LOG2E_F, SHIFT_F);
            final FloatVector euK = euT.sub(SHIFT_F);
            FloatVector euR = euK.fma(FloatVector.broadcast(FS, -LN2_HI_F), u);
            euR = euK.fma(FloatVector.broadcast(FS, -LN2_LO_F), euR);
            FloatVector euP = euR.fma(P0, P1);
            euP = euP.fma(euR, FloatVector.broadcast(FS, P2));
            euP = euP.fma(euR, FloatVector.broadcast(FS, P3));
            euP = euP.fma(euR, FloatVector.broadcast(FS, P4));
            euP = euP.fma(euR, FloatVector.broadcast(FS, P5));
            euP = euP.fma(euR.mul(euR), euR).add(1f);
            final FloatVector eu = euP.mul(euT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                    .blend(0f, u.lt(EXP_LO_F));
            final FloatVector ev2 = ev.mul(ev);
            final FloatVector e1 = ev.fma(vsA, vcA).mul(ev2).mul(ev2.fma(vsC, vcC));
            final FloatVector g = ev.mul(vcv).add(eu.mul(vcu)).add(e1.mul(vc1));
            g.blend(FloatVector.fromArray(FS, gradOut, at), skip).intoArray(gradOut, at);
        }
    }

    /** Pass 2 of a distillation row: {@code g_c = e^v cv + e^u cu + e^(x - max) c1}, each logit read before its gradient is written. */
    private static void distillGradRow3(float[] x, float[] teacher, int base, int classes, float m, float mt, float invT, float tInv,
                                       float cv, float cu, float c1, float[] gradOut) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        final FloatVector vmt = FloatVector.broadcast(FS, mt);
        final FloatVector vinv = FloatVector.broadcast(FS, invT);
        final FloatVector vtinv = FloatVector.broadcast(FS, tInv);
        final FloatVector vcv = FloatVector.broadcast(FS, cv);
        final FloatVector vcu = FloatVector.broadcast(FS, cu);
        final FloatVector vc1 = FloatVector.broadcast(FS, c1);
        int i = base;
        for (; i < vend; i += LF) {
            final FloatVector xv = FloatVector.fromArray(FS, x, i);
            final FloatVector d = xv.sub(vm).mul(vinv);
            // ev = exp(d): VectorMath.exp written out, so no vector crosses a call
            final FloatVector evT = d.fma(LOG2E_F, SHIFT_F);
            final FloatVector evK = evT.sub(SHIFT_F);
            FloatVector evR = evK.fma(FloatVector.broadcast(FS, -LN2_HI_F), d);
            evR = evK.fma(FloatVector.broadcast(FS, -LN2_LO_F), evR);
            FloatVector evP = evR.fma(P0, P1);
            evP = evP.fma(evR, FloatVector.broadcast(FS, P2));
            evP = evP.fma(evR, FloatVector.broadcast(FS, P3));
            evP = evP.fma(evR, FloatVector.broadcast(FS, P4));
            evP = evP.fma(evR, FloatVector.broadcast(FS, P5));
            evP = evP.fma(evR.mul(evR), evR).add(1f);
            final FloatVector ev = evP.mul(evT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                    .blend(0f, d.lt(EXP_LO_F));
            final FloatVector tv = FloatVector.fromArray(FS, teacher, i);
            final FloatVector u = tv.sub(vmt).mul(vtinv);
            // eu = exp(u): VectorMath.exp written out, so no vector crosses a call
            final FloatVector euT = u.fma(LOG2E_F, SHIFT_F);
            final FloatVector euK = euT.sub(SHIFT_F);
            FloatVector euR = euK.fma(FloatVector.broadcast(FS, -LN2_HI_F), u);
            euR = euK.fma(FloatVector.broadcast(FS, -LN2_LO_F), euR);
            FloatVector euP = euR.fma(P0, P1);
            euP = euP.fma(euR, FloatVector.broadcast(FS, P2));
            euP = euP.fma(euR, FloatVector.broadcast(FS, P3));
            euP = euP.fma(euR, FloatVector.broadcast(FS, P4));
            euP = euP.fma(euR, FloatVector.broadcast(FS, P5));
            euP = euP.fma(euR.mul(euR), euR).add(1f);
            final FloatVector eu = euP.mul(euT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                    .blend(0f, u.lt(EXP_LO_F));
            final FloatVector d1 = xv.sub(vm);
            // e1 = exp(d1): VectorMath.exp written out, so no vector crosses a call
            final FloatVector e1T = d1.fma(LOG2E_F, SHIFT_F);
            final FloatVector e1K = e1T.sub(SHIFT_F);
            FloatVector e1R = e1K.fma(FloatVector.broadcast(FS, -LN2_HI_F), d1);
            e1R = e1K.fma(FloatVector.broadcast(FS, -LN2_LO_F), e1R);
            FloatVector e1P = e1R.fma(P0, P1);
            e1P = e1P.fma(e1R, FloatVector.broadcast(FS, P2));
            e1P = e1P.fma(e1R, FloatVector.broadcast(FS, P3));
            e1P = e1P.fma(e1R, FloatVector.broadcast(FS, P4));
            e1P = e1P.fma(e1R, FloatVector.broadcast(FS, P5));
            e1P = e1P.fma(e1R.mul(e1R), e1R).add(1f);
            final FloatVector e1 = e1P.mul(e1T.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                    .blend(0f, d1.lt(EXP_LO_F));
            ev.mul(vcv).add(eu.mul(vcu)).add(e1.mul(vc1)).intoArray(gradOut, i);
        }
        for (; i < end; i++) {
            final float d = (x[i] - m) * invT;
            final float u = (teacher[i] - mt) * tInv;
            gradOut[i] = VectorMath.exp(d) * cv + VectorMath.exp(u) * cu + VectorMath.exp(x[i] - m) * c1;
        }
    }

    // ================================================================ float32: sigmoid focal

    /**
     * Element-wise, for gamma 1, 2, 3 or 4 (others go to the reference): e = exp(-|x|) (the
     * exp of {@link VectorMath}), sigmoid(x) and sigmoid(-x) as 1 / (1 + e) and e / (1 + e),
     * log_sigmoid from {@code log1pUnit}, (1 - p_t)^gamma by products; the reference's
     * formulas otherwise. Segment sums in lane accumulators flushed to double every CHUNK vectors.
     */
    public void sigmoidFocal(float[] x, float[] t, int i0, int i1, int slice, double alpha, double gamma,
                             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final int ig = (int) gamma;
        if (ig != gamma || ig < 1 || ig > 4) {
            ref.sigmoidFocal(x, t, i0, i1, slice, alpha, gamma, lossOut, gradOut, upstream, gradScale, sum);
            return;
        }
        final float a1 = (float) (alpha >= 0 ? 2 * alpha - 1 : 0);
        final float a0 = (float) (alpha >= 0 ? 1 - alpha : 1);
        final float gm = (float) gamma;
        final FloatVector one = FloatVector.broadcast(FS, 1);
        final FloatVector zero = FloatVector.zero(FS);
        final FloatVector va1 = FloatVector.broadcast(FS, a1);
        final FloatVector va0 = FloatVector.broadcast(FS, a0);
        final FloatVector vgm = FloatVector.broadcast(FS, gm);
        final float gs = (float) gradScale;
        final FloatVector vsA = FloatVector.broadcast(FS, (float) (ig % 2));
        final FloatVector vcA = FloatVector.broadcast(FS, (float) (1 - ig % 2));
        final FloatVector vsB = FloatVector.broadcast(FS, (float) (ig >= 2 ? 1 : 0));
        final FloatVector vcB = FloatVector.broadcast(FS, (float) (ig >= 2 ? 0 : 1));
        final FloatVector vsC = FloatVector.broadcast(FS, (float) (ig == 4 ? 1 : 0));
        final FloatVector vcC = FloatVector.broadcast(FS, (float) (ig == 4 ? 0 : 1));
        final FloatVector vgs = FloatVector.broadcast(FS, gs);
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            final int vend = b - (b - a) % LF;
            int i = a;
            while (i < vend) {
                final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
                FloatVector acc2 = zero;
                while (i < outerEnd) {
                    final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                    FloatVector acc = zero;
                    for (; i < chunkEnd; i += LF) {
                        final FloatVector xv = FloatVector.fromArray(FS, x, i);
                        final FloatVector tv = FloatVector.fromArray(FS, t, i);
                        final FloatVector na = xv.abs().neg();
                        // e = exp(na): VectorMath.exp written out, so no vector crosses a call
                        final FloatVector eT = na.fma(LOG2E_F, SHIFT_F);
                        final FloatVector eK = eT.sub(SHIFT_F);
                        FloatVector eR = eK.fma(FloatVector.broadcast(FS, -LN2_HI_F), na);
                        eR = eK.fma(FloatVector.broadcast(FS, -LN2_LO_F), eR);
                        FloatVector eP = eR.fma(P0, P1);
                        eP = eP.fma(eR, FloatVector.broadcast(FS, P2));
                        eP = eP.fma(eR, FloatVector.broadcast(FS, P3));
                        eP = eP.fma(eR, FloatVector.broadcast(FS, P4));
                        eP = eP.fma(eR, FloatVector.broadcast(FS, P5));
                        eP = eP.fma(eR.mul(eR), eR).add(1f);
                        final FloatVector e = eP.mul(eT.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                                .blend(0f, na.lt(EXP_LO_F));
                        final FloatVector big = one.div(e.add(one));
                        final FloatVector small = e.mul(big);
                        final VectorMask<Float> pos = xv.compare(VectorOperators.GE, zero);
                        final FloatVector pv = small.blend(big, pos);
                        final FloatVector pn = big.blend(small, pos);
                        // lp = log1p(e): VectorMath.log1pUnit written out
                        final FloatVector lpS = e.div(e.add(2f));
                        final FloatVector lpZ = lpS.mul(lpS);
                        FloatVector lpQ = lpZ.fma(1f / 13, 1f / 11);
                        lpQ = lpQ.fma(lpZ, FloatVector.broadcast(FS, 1f / 9));
                        lpQ = lpQ.fma(lpZ, FloatVector.broadcast(FS, 1f / 7));
                        lpQ = lpQ.fma(lpZ, FloatVector.broadcast(FS, 1f / 5));
                        lpQ = lpQ.fma(lpZ, FloatVector.broadcast(FS, 1f / 3));
                        lpQ = lpQ.fma(lpZ, FloatVector.broadcast(FS, 1f));
                        final FloatVector lp = lpS.add(lpS).mul(lpQ);
                        final FloatVector ce = one.sub(tv).mul(xv).sub(xv.min(zero).sub(lp));
                        final FloatVector q = tv.mul(pn).add(one.sub(tv).mul(pv));
                        // q^gamma for gamma in 1..4 without a branch: (q or 1) (q^2 or 1) (q^2 or 1)
                        final FloatVector q2 = q.mul(q);
                        final FloatVector qg = q.fma(vsA, vcA).mul(q2.fma(vsB, vcB)).mul(q2.fma(vsC, vcC));
                        final FloatVector aw = tv.fma(va1, va0);
                        final FloatVector l = aw.mul(ce).mul(qg);
                        acc = acc.add(l);
                        if (lossOut != null) {
                            l.intoArray(lossOut, i);
                        }
                        if (gradOut != null) {
                            final FloatVector r = pv.mul(pn).div(q).blend(one, q.compare(VectorOperators.LE, zero));
                            final FloatVector dd = pv.sub(tv).mul(qg).add(ce.mul(vgm).mul(qg).mul(one.sub(tv.add(tv))).mul(r));
                            dd.mul(aw).mul(vgs).intoArray(gradOut, i);
                        }
                    }
                    acc2 = acc2.add(acc);
                }
                for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order
                    part += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
                }
            }
            for (; i < b; i++) {
                final float xi = x[i];
                final float ti = t[i];
                final float e = VectorMath.exp(-Math.abs(xi));
                final float big = 1 / (e + 1);
                final float small = e * big;
                final float pv = xi >= 0 ? big : small;
                final float pn = xi >= 0 ? small : big;
                final float ce = (1 - ti) * xi - (Math.min(xi, 0) - (float) Math.log1p(e));
                final float q = ti * pn + (1 - ti) * pv;
                float qg = 1;
                for (int k = 0; k < ig; k++) {
                    qg *= q;
                }
                final float aw = Math.fma(ti, a1, a0);
                final float l = aw * ce * qg;
                part += l;
                if (lossOut != null) {
                    lossOut[i] = l;
                }
                if (gradOut != null) {
                    final float r = q > 0 ? pv * pn / q : 1;
                    gradOut[i] = ((pv - ti) * qg + ce * gm * qg * (1 - (ti + ti)) * r) * aw * gs;
                }
            }
            if (gradOut != null && upstream != null) {
                for (int j = a; j < b; j++) {
                    gradOut[j] *= upstream[j];
                }
            }
            sum.add(part);
            a = b;
        }
    }

    // ================================================================ float64: focal / poly-1 / z-loss rows

    /**
     * Class-index rows without smoothing (inner == 1, C >= L, finite max): the cross-entropy pass
     * (max, exps stored into the gradient, their sum S), then per row the loss and two numbers from
     * l_y = (x_y - max) - log S in double, so that the gradient is {@code e_c * scale} with
     * {@code tsub} taken off at the target: focal {@code scale = a / S, tsub = a, a = -g w_y f'(l_y)};
     * poly-1 {@code scale = g w_y (1 + eps p_y) / S, tsub = g w_y (1 + eps p_y)}; z-loss
     * {@code scale = (g w_y + 2 s lse gz) / S, tsub = g w_y}.
     */
    private void indexRows(int mode, double[] x, int[] target, int n0, int n1, CeParams p, double coef,
                           double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double zGradScale,
                           ExactSum sum, ExactSum zSum) {
        final int classes = p.classes;
        final int intGamma = mode == FOCAL && coef == Math.rint(coef) && coef <= 4 ? (int) coef : -1;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final int y = target[n];
            final double m = rowMax(x, base, classes);
            if (y == p.ignoreIndex) {
                if (lossOut != null) {
                    lossOut[n] = 0;
                }
                if (gradOut != null) {
                    java.util.Arrays.fill(gradOut, base, base + classes, Double.isFinite(m) ? 0 : Double.NaN);
                }
                continue;
            }
            if (!Double.isFinite(m)) {
                refRow(mode, x, target, n, p, coef, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
                continue;
            }
            final double xy = x[base + y];
            final double s = gradOut == null ? expSum(x, base, classes, m) : expSumStore(x, base, classes, m, gradOut);
            final double logS = Math.log(s);
            final double wy = p.w(y);
            final double ly = (xy - m) - logS;
            final double up = upstream == null ? 1.0 : upstream[n];
            final double g = gradScale * up;
            double loss;
            double scale;
            double tsub;
            double zl = 0;
            if (mode == FOCAL) {
                // the reference's focalTerm and focalSlope with one expm1 and, for gamma 1..4, no pow
                final double u = -Math.expm1(ly);
                final double py = 1 - u;
                final double ug = intGamma == 1 ? u : intGamma == 2 ? u * u : intGamma == 3 ? u * u * u
                        : intGamma == 4 ? (u * u) * (u * u) : Math.pow(u, coef);
                loss = wy * (ug * -ly);
                final double slope = py == 0 ? -ug : ug * (-1 + coef * py * (u > 0 ? ly / u : -1));
                final double a = -g * wy * slope;
                scale = a / s;
                tsub = a;
            } else if (mode == POLY) {
                final double py = Math.exp(ly);
                loss = wy * (logS - (xy - m)) + coef * (wy - wy * py);
                tsub = g * wy * (1 + coef * py);
                scale = tsub / s;
            } else {
                loss = wy * (logS - (xy - m));
                final double lse = m + logS;
                zl = coef * lse * lse;
                tsub = g * wy;
                scale = (tsub + zGradScale * up * 2 * coef * lse) / s;
                zSum.add(zl);
            }
            sum.add(loss);
            if (lossOut != null) {
                lossOut[n] = (loss + zl);
            }
            if (gradOut != null) {
                final double ey = gradOut[base + y];
                scaleRow(gradOut, base, classes, (double) scale, 0);
                gradOut[base + y] = (ey * scale - tsub);
            }
        }
    }

    private void refRow(int mode, double[] x, int[] target, int n, CeParams p, double coef, double[] lossOut, double[] gradOut,
                        double[] upstream, double gradScale, double zGradScale, ExactSum sum, ExactSum zSum) {
        if (mode == FOCAL) {
            ref.focal(x, target, n, n + 1, 1, p, coef, lossOut, gradOut, upstream, gradScale, sum);
        } else if (mode == POLY) {
            ref.polyCrossEntropy(x, target, n, n + 1, 1, p, coef, lossOut, gradOut, upstream, gradScale, sum);
        } else {
            ref.crossEntropyZ(x, target, n, n + 1, 1, p, coef, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
        }
    }

    public void focal(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double gamma,
                      double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        if (inner != 1 || p.classes < LD || p.smoothing > 0) {
            ref.focal(x, target, n0, n1, inner, p, gamma, lossOut, gradOut, upstream, gradScale, sum);
            return;
        }
        indexRows(FOCAL, x, target, n0, n1, p, gamma, lossOut, gradOut, upstream, gradScale, 0, sum, null);
    }

    public void polyCrossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double epsilon,
                                 double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        if (inner != 1 || p.classes < LD || p.smoothing > 0) {
            ref.polyCrossEntropy(x, target, n0, n1, inner, p, epsilon, lossOut, gradOut, upstream, gradScale, sum);
            return;
        }
        indexRows(POLY, x, target, n0, n1, p, epsilon, lossOut, gradOut, upstream, gradScale, 0, sum, null);
    }

    public void crossEntropyZ(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double zLoss,
                              double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double zGradScale,
                              ExactSum sum, ExactSum zSum) {
        if (inner != 1 || p.classes < LD || p.smoothing > 0) {
            ref.crossEntropyZ(x, target, n0, n1, inner, p, zLoss, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
            return;
        }
        indexRows(ZLOSS, x, target, n0, n1, p, zLoss, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
    }

    // ================================================================ float64: distillation rows

    /**
     * Distillation rows (inner == 1, C >= L, finite maxima). With v = (x - max x) / T, u = (t - max
     * t) / T (log-probabilities: u = t), one pass sums S = sum e^v, St = sum e^u, A = sum e^u (u - v)
     * (a term with e^u = 0 is 0) and, for the hard-label term at T != 1, S1 = sum e^(x - max); then
     * {@code KD = T^2 (A / St - log St + log S)} (log-probabilities: {@code A - (sum e^u) (0 - log S)},
     * St = 1), and a second pass writes {@code e^v gk / S - e^u gk / St (+ e^(x - max) gc / S1)},
     * reading each logit before its gradient is written (in place). Error: the float sums as the
     * cross-entropy's; KD is a difference of terms of the size of log S, so its error is absolute,
     * about 1e-7 of log S in float32.
     */
    public void distillation(double[] x, double[] teacher, int[] target, int n0, int n1, int inner, DistillParams p,
                             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double ceGradScale,
                             ExactSum sum, ExactSum ceSum) {
        final int classes = p.classes;
        if (inner != 1 || classes < LD) {
            ref.distillation(x, teacher, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, ceGradScale, sum, ceSum);
            return;
        }
        final double temp = p.temperature;
        final double invT = (1 / temp);
        final double tInv = p.logTeacher ? 1 : invT;
        final double alpha = p.alpha;
        final boolean kdOn = alpha > 0;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final int y = target == null ? p.ignoreIndex : target[n];
            final boolean ceOn = target != null && alpha < 1 && y != p.ignoreIndex;
            final boolean third = ceOn && temp != 1;
            final double m = rowMax(x, base, classes);
            final double mt = p.logTeacher ? 0 : rowMax(teacher, base, classes);
            if (!Double.isFinite(m) || !Double.isFinite(mt)) {
                ref.distillation(x, teacher, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, ceGradScale, sum, ceSum);
                continue;
            }
            final double xy = ceOn ? x[base + y] : 0;
            // pass 1: the sums, in lane accumulators flushed to double every CHUNK vectors
            double se = 0;
            double st = 0;
            double sa = 0;
            double s1 = 0;
            final int end = base + classes;
            final int vend = end - classes % LD;
            final DoubleVector vm = DoubleVector.broadcast(DS, m);
            final DoubleVector vmt = DoubleVector.broadcast(DS, mt);
            final DoubleVector vinv = DoubleVector.broadcast(DS, invT);
            // log-probabilities: u = (t - 0) * 1 = t exactly
            final DoubleVector vtinv = DoubleVector.broadcast(DS, tInv);
            final DoubleVector zero = DoubleVector.zero(DS);
            int i = base;
            while (i < vend) {
                final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LD);
                DoubleVector accE2 = zero;
                DoubleVector accT2 = zero;
                DoubleVector accA2 = zero;
                while (i < outerEnd) {
                    final int chunkEnd = Math.min(outerEnd, i + CHUNK * LD);
                    DoubleVector accE = zero;
                    DoubleVector accT = zero;
                    DoubleVector accA = zero;
                    for (; i < chunkEnd; i += LD) {
                        final DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                        final DoubleVector d = xv.sub(vm).mul(vinv);
                        // ev = exp(d): VectorMath.exp written out, so no vector crosses a call
                        final DoubleVector evT = d.fma(LOG2E_D, SHIFT_D);
                        final DoubleVector evK = evT.sub(SHIFT_D);
                        DoubleVector evR = evK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), d);
                        evR = evK.fma(DoubleVector.broadcast(DS, -LN2_LO_D), evR);
                        DoubleVector evP = evR.fma(Q12, Q11);
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, Q10));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, Q9));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, Q8));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, Q7));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, Q6));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, Q5));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, Q4));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, Q3));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, Q2));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, 1.0));
                        evP = evP.fma(evR, DoubleVector.broadcast(DS, 1.0));
                        final DoubleVector ev = evP.mul(evT.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                                .blend(0.0, d.lt(EXP_LO_D));
                        final DoubleVector tv = DoubleVector.fromArray(DS, teacher, i);
                        final DoubleVector u = tv.sub(vmt).mul(vtinv);
                        // eu = exp(u): VectorMath.exp written out, so no vector crosses a call
                        final DoubleVector euT = u.fma(LOG2E_D, SHIFT_D);
                        final DoubleVector euK = euT.sub(SHIFT_D);
                        DoubleVector euR = euK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), u);
                        euR = euK.fma(DoubleVector.broadcast(DS, -LN2_LO_D), euR);
                        DoubleVector euP = euR.fma(Q12, Q11);
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, Q10));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, Q9));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, Q8));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, Q7));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, Q6));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, Q5));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, Q4));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, Q3));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, Q2));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, 1.0));
                        euP = euP.fma(euR, DoubleVector.broadcast(DS, 1.0));
                        final DoubleVector eu = euP.mul(euT.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                                .blend(0.0, u.lt(EXP_LO_D));
                        accE = accE.add(ev);
                        accT = accT.add(eu);
                        accA = accA.add(eu.mul(u.sub(d)).blend(zero, eu.eq(zero)));
                    }
                    accE2 = accE2.add(accE);
                    accT2 = accT2.add(accT);
                    accA2 = accA2.add(accA);
                }
                for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order
                    se += ((double) accE2.lane(j) + accE2.lane(j + 1)) + ((double) accE2.lane(j + 2) + accE2.lane(j + 3));
                }
                for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order
                    st += ((double) accT2.lane(j) + accT2.lane(j + 1)) + ((double) accT2.lane(j + 2) + accT2.lane(j + 3));
                }
                for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order
                    sa += ((double) accA2.lane(j) + accA2.lane(j + 1)) + ((double) accA2.lane(j + 2) + accA2.lane(j + 3));
                }
            }
            for (; i < end; i++) {
                final double d = (x[i] - m) * invT;
                final double u = (teacher[i] - mt) * tInv;
                final double ev = VectorMath.exp(d);
                final double eu = VectorMath.exp(u);
                se += ev;
                st += eu;
                sa += eu == 0 ? 0 : eu * (u - d);
            }
            if (third) {
                s1 = expSum(x, base, classes, m);
            }
            final double logS = Math.log(se);
            final double stN = p.logTeacher ? 1 : st;
            final double logSt = p.logTeacher ? 0 : Math.log(st);
            final double kd = kdOn ? temp * temp * (sa / stN - (logSt - logS) * (st / stN)) : 0;
            final double logS1 = temp == 1 ? logS : Math.log(s1);
            final double lk = kdOn ? alpha * kd : 0;
            final double lc = ceOn ? (1 - alpha) * (logS1 - (xy - m)) : 0;
            sum.add(lk);
            if (ceOn) {
                ceSum.add(lc);
            }
            if (lossOut != null) {
                lossOut[n] = (lk + lc);
            }
            if (gradOut == null) {
                continue;
            }
            // pass 2: the gradient
            final double up = upstream == null ? 1.0 : upstream[n];
            final double gk = kdOn ? gradScale * up * alpha * temp : 0;
            final double gc = ceOn ? ceGradScale * up * (1 - alpha) : 0;
            if (third) {
                distillGradRow3(x, teacher, base, classes, m, mt, invT, tInv, (gk / se), (-gk / stN), (gc / s1),
                        gradOut);
            } else {
                distillGradRow(x, teacher, base, classes, m, mt, invT, tInv, ((gk + gc) / se), (-gk / stN), gradOut);
            }
            if (ceOn) {
                gradOut[base + y] = (gradOut[base + y] - gc);
            }
        }
    }

    /** Pass 2 of a distillation row without a separate hard-label softmax (T = 1, or none): {@code g_c = e^v cv + e^u cu}, each logit read before its gradient is written. */
    private static void distillGradRow(double[] x, double[] teacher, int base, int classes, double m, double mt, double invT, double tInv,
                                       double cv, double cu, double[] gradOut) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        final DoubleVector vmt = DoubleVector.broadcast(DS, mt);
        final DoubleVector vinv = DoubleVector.broadcast(DS, invT);
        final DoubleVector vtinv = DoubleVector.broadcast(DS, tInv);
        final DoubleVector vcv = DoubleVector.broadcast(DS, cv);
        final DoubleVector vcu = DoubleVector.broadcast(DS, cu);
        int i = base;
        for (; i < vend; i += LD) {
            final DoubleVector xv = DoubleVector.fromArray(DS, x, i);
            final DoubleVector d = xv.sub(vm).mul(vinv);
            // ev = exp(d): VectorMath.exp written out, so no vector crosses a call
            final DoubleVector evT = d.fma(LOG2E_D, SHIFT_D);
            final DoubleVector evK = evT.sub(SHIFT_D);
            DoubleVector evR = evK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), d);
            evR = evK.fma(DoubleVector.broadcast(DS, -LN2_LO_D), evR);
            DoubleVector evP = evR.fma(Q12, Q11);
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q10));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q9));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q8));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q7));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q6));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q5));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q4));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q3));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q2));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, 1.0));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, 1.0));
            final DoubleVector ev = evP.mul(evT.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                    .blend(0.0, d.lt(EXP_LO_D));
            final DoubleVector tv = DoubleVector.fromArray(DS, teacher, i);
            final DoubleVector u = tv.sub(vmt).mul(vtinv);
            // eu = exp(u): VectorMath.exp written out, so no vector crosses a call
            final DoubleVector euT = u.fma(LOG2E_D, SHIFT_D);
            final DoubleVector euK = euT.sub(SHIFT_D);
            DoubleVector euR = euK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), u);
            euR = euK.fma(DoubleVector.broadcast(DS, -LN2_LO_D), euR);
            DoubleVector euP = euR.fma(Q12, Q11);
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q10));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q9));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q8));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q7));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q6));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q5));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q4));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q3));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q2));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, 1.0));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, 1.0));
            final DoubleVector eu = euP.mul(euT.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                    .blend(0.0, u.lt(EXP_LO_D));
            ev.mul(vcv).add(eu.mul(vcu)).intoArray(gradOut, i);
        }
        for (; i < end; i++) {
            final double d = (x[i] - m) * invT;
            final double u = (teacher[i] - mt) * tInv;
            gradOut[i] = VectorMath.exp(d) * cv + VectorMath.exp(u) * cu;
        }
    }

    /** Pass 2 of a distillation row: {@code g_c = e^v cv + e^u cu + e^(x - max) c1}, each logit read before its gradient is written. */
    private static void distillGradRow3(double[] x, double[] teacher, int base, int classes, double m, double mt, double invT, double tInv,
                                       double cv, double cu, double c1, double[] gradOut) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        final DoubleVector vmt = DoubleVector.broadcast(DS, mt);
        final DoubleVector vinv = DoubleVector.broadcast(DS, invT);
        final DoubleVector vtinv = DoubleVector.broadcast(DS, tInv);
        final DoubleVector vcv = DoubleVector.broadcast(DS, cv);
        final DoubleVector vcu = DoubleVector.broadcast(DS, cu);
        final DoubleVector vc1 = DoubleVector.broadcast(DS, c1);
        int i = base;
        for (; i < vend; i += LD) {
            final DoubleVector xv = DoubleVector.fromArray(DS, x, i);
            final DoubleVector d = xv.sub(vm).mul(vinv);
            // ev = exp(d): VectorMath.exp written out, so no vector crosses a call
            final DoubleVector evT = d.fma(LOG2E_D, SHIFT_D);
            final DoubleVector evK = evT.sub(SHIFT_D);
            DoubleVector evR = evK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), d);
            evR = evK.fma(DoubleVector.broadcast(DS, -LN2_LO_D), evR);
            DoubleVector evP = evR.fma(Q12, Q11);
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q10));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q9));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q8));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q7));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q6));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q5));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q4));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q3));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, Q2));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, 1.0));
            evP = evP.fma(evR, DoubleVector.broadcast(DS, 1.0));
            final DoubleVector ev = evP.mul(evT.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                    .blend(0.0, d.lt(EXP_LO_D));
            final DoubleVector tv = DoubleVector.fromArray(DS, teacher, i);
            final DoubleVector u = tv.sub(vmt).mul(vtinv);
            // eu = exp(u): VectorMath.exp written out, so no vector crosses a call
            final DoubleVector euT = u.fma(LOG2E_D, SHIFT_D);
            final DoubleVector euK = euT.sub(SHIFT_D);
            DoubleVector euR = euK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), u);
            euR = euK.fma(DoubleVector.broadcast(DS, -LN2_LO_D), euR);
            DoubleVector euP = euR.fma(Q12, Q11);
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q10));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q9));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q8));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q7));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q6));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q5));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q4));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q3));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, Q2));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, 1.0));
            euP = euP.fma(euR, DoubleVector.broadcast(DS, 1.0));
            final DoubleVector eu = euP.mul(euT.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                    .blend(0.0, u.lt(EXP_LO_D));
            final DoubleVector d1 = xv.sub(vm);
            // e1 = exp(d1): VectorMath.exp written out, so no vector crosses a call
            final DoubleVector e1T = d1.fma(LOG2E_D, SHIFT_D);
            final DoubleVector e1K = e1T.sub(SHIFT_D);
            DoubleVector e1R = e1K.fma(DoubleVector.broadcast(DS, -LN2_HI_D), d1);
            e1R = e1K.fma(DoubleVector.broadcast(DS, -LN2_LO_D), e1R);
            DoubleVector e1P = e1R.fma(Q12, Q11);
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, Q10));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, Q9));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, Q8));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, Q7));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, Q6));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, Q5));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, Q4));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, Q3));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, Q2));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, 1.0));
            e1P = e1P.fma(e1R, DoubleVector.broadcast(DS, 1.0));
            final DoubleVector e1 = e1P.mul(e1T.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                    .blend(0.0, d1.lt(EXP_LO_D));
            ev.mul(vcv).add(eu.mul(vcu)).add(e1.mul(vc1)).intoArray(gradOut, i);
        }
        for (; i < end; i++) {
            final double d = (x[i] - m) * invT;
            final double u = (teacher[i] - mt) * tInv;
            gradOut[i] = VectorMath.exp(d) * cv + VectorMath.exp(u) * cu + VectorMath.exp(x[i] - m) * c1;
        }
    }

    // ================================================================ float64: sigmoid focal

    /**
     * Element-wise, for gamma 1, 2, 3 or 4 (others go to the reference): e = exp(-|x|) (the
     * exp of {@link VectorMath}), sigmoid(x) and sigmoid(-x) as 1 / (1 + e) and e / (1 + e),
     * log_sigmoid from {@code log1pUnit}, (1 - p_t)^gamma by products; the reference's
     * formulas otherwise. Segment sums in lane accumulators flushed to double every CHUNK vectors.
     */
    public void sigmoidFocal(double[] x, double[] t, int i0, int i1, int slice, double alpha, double gamma,
                             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final int ig = (int) gamma;
        if (ig != gamma || ig < 1 || ig > 4) {
            ref.sigmoidFocal(x, t, i0, i1, slice, alpha, gamma, lossOut, gradOut, upstream, gradScale, sum);
            return;
        }
        final double a1 = (alpha >= 0 ? 2 * alpha - 1 : 0);
        final double a0 = (alpha >= 0 ? 1 - alpha : 1);
        final double gm = (double) gamma;
        final DoubleVector one = DoubleVector.broadcast(DS, 1);
        final DoubleVector zero = DoubleVector.zero(DS);
        final DoubleVector va1 = DoubleVector.broadcast(DS, a1);
        final DoubleVector va0 = DoubleVector.broadcast(DS, a0);
        final DoubleVector vgm = DoubleVector.broadcast(DS, gm);
        final double gs = (double) gradScale;
        final DoubleVector vsA = DoubleVector.broadcast(DS, (ig % 2));
        final DoubleVector vcA = DoubleVector.broadcast(DS, (1 - ig % 2));
        final DoubleVector vsB = DoubleVector.broadcast(DS, (ig >= 2 ? 1 : 0));
        final DoubleVector vcB = DoubleVector.broadcast(DS, (ig >= 2 ? 0 : 1));
        final DoubleVector vsC = DoubleVector.broadcast(DS, (ig == 4 ? 1 : 0));
        final DoubleVector vcC = DoubleVector.broadcast(DS, (ig == 4 ? 0 : 1));
        final DoubleVector vgs = DoubleVector.broadcast(DS, gs);
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            final int vend = b - (b - a) % LD;
            int i = a;
            while (i < vend) {
                final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LD);
                DoubleVector acc2 = zero;
                while (i < outerEnd) {
                    final int chunkEnd = Math.min(outerEnd, i + CHUNK * LD);
                    DoubleVector acc = zero;
                    for (; i < chunkEnd; i += LD) {
                        final DoubleVector xv = DoubleVector.fromArray(DS, x, i);
                        final DoubleVector tv = DoubleVector.fromArray(DS, t, i);
                        final DoubleVector na = xv.abs().neg();
                        // e = exp(na): VectorMath.exp written out, so no vector crosses a call
                        final DoubleVector eT = na.fma(LOG2E_D, SHIFT_D);
                        final DoubleVector eK = eT.sub(SHIFT_D);
                        DoubleVector eR = eK.fma(DoubleVector.broadcast(DS, -LN2_HI_D), na);
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
                        final DoubleVector e = eP.mul(eT.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52).reinterpretAsDoubles())
                                .blend(0.0, na.lt(EXP_LO_D));
                        final DoubleVector big = one.div(e.add(one));
                        final DoubleVector small = e.mul(big);
                        final VectorMask<Double> pos = xv.compare(VectorOperators.GE, zero);
                        final DoubleVector pv = small.blend(big, pos);
                        final DoubleVector pn = big.blend(small, pos);
                        // lp = log1p(e): VectorMath.log1pUnit written out
                        final DoubleVector lpS = e.div(e.add(2.0));
                        final DoubleVector lpZ = lpS.mul(lpS);
                        DoubleVector lpQ = lpZ.fma(1.0 / 35, 1.0 / 33);
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 31));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 29));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 27));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 25));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 23));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 21));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 19));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 17));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 15));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 13));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 11));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 9));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 7));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 5));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0 / 3));
                        lpQ = lpQ.fma(lpZ, DoubleVector.broadcast(DS, 1.0));
                        final DoubleVector lp = lpS.add(lpS).mul(lpQ);
                        final DoubleVector ce = one.sub(tv).mul(xv).sub(xv.min(zero).sub(lp));
                        final DoubleVector q = tv.mul(pn).add(one.sub(tv).mul(pv));
                        // q^gamma for gamma in 1..4 without a branch: (q or 1) (q^2 or 1) (q^2 or 1)
                        final DoubleVector q2 = q.mul(q);
                        final DoubleVector qg = q.fma(vsA, vcA).mul(q2.fma(vsB, vcB)).mul(q2.fma(vsC, vcC));
                        final DoubleVector aw = tv.fma(va1, va0);
                        final DoubleVector l = aw.mul(ce).mul(qg);
                        acc = acc.add(l);
                        if (lossOut != null) {
                            l.intoArray(lossOut, i);
                        }
                        if (gradOut != null) {
                            final DoubleVector r = pv.mul(pn).div(q).blend(one, q.compare(VectorOperators.LE, zero));
                            final DoubleVector dd = pv.sub(tv).mul(qg).add(ce.mul(vgm).mul(qg).mul(one.sub(tv.add(tv))).mul(r));
                            dd.mul(aw).mul(vgs).intoArray(gradOut, i);
                        }
                    }
                    acc2 = acc2.add(acc);
                }
                for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order
                    part += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
                }
            }
            for (; i < b; i++) {
                final double xi = x[i];
                final double ti = t[i];
                final double e = VectorMath.exp(-Math.abs(xi));
                final double big = 1 / (e + 1);
                final double small = e * big;
                final double pv = xi >= 0 ? big : small;
                final double pn = xi >= 0 ? small : big;
                final double ce = (1 - ti) * xi - (Math.min(xi, 0) - (double) Math.log1p(e));
                final double q = ti * pn + (1 - ti) * pv;
                double qg = 1;
                for (int k = 0; k < ig; k++) {
                    qg *= q;
                }
                final double aw = Math.fma(ti, a1, a0);
                final double l = aw * ce * qg;
                part += l;
                if (lossOut != null) {
                    lossOut[i] = l;
                }
                if (gradOut != null) {
                    final double r = q > 0 ? pv * pn / q : 1;
                    gradOut[i] = ((pv - ti) * qg + ce * gm * qg * (1 - (ti + ti)) * r) * aw * gs;
                }
            }
            if (gradOut != null && upstream != null) {
                for (int j = a; j < b; j++) {
                    gradOut[j] *= upstream[j];
                }
            }
            sum.add(part);
            a = b;
        }
    }
}
