package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static io.github.xent4j.simd.VectorMath.*;

/**
 * Cross-entropy on K-dim inputs (N, C, d1..dk), without transposing: class c of position i of
 * sample n sits at {@code (n C + c) D + i}, D = {@code inner}, so one vector load at a fixed class
 * covers L consecutive positions. A block of L positions goes through the classes three times, all
 * lane-wise: the max, then e = exp(x - max) with its sum S (and the smoothing / probability-target
 * sums), stored into the gradient buffer; then the gradient, scaled in place.
 *
 * <p>The per-position steps that do not vary over the classes (the target's logit, its weight,
 * ignore_index, the loss with its log, the gradient's scale) run as a scalar loop over the block's
 * lanes, in double, as in the reference kernels, through small per-thread lane buffers. The
 * target class's gradient is then corrected by one scalar store per position.
 *
 * <p>Tails: a last partial block is a full block ending at D, overlapping the one before; its lanes
 * already done are blended back to what memory holds at every store (so in-place use stays
 * correct), and the lane loops skip them. Requires D >= L; smaller D goes to the reference.
 *
 * <p>Sums: float32 lanes sum the classes in float over {@code CHUNK} classes, those sums in float;
 * the per-position losses are added in double, in lane order, into one partial sum per sample,
 * which goes to the exact sum (one value per sample, so the total does not depend on chunking).
 *
 * <p>Vectors stay in registers: loss-only and fused paths are separate straight-line methods, no
 * vector crosses a call or a branch merge (see {@link VectorKernels}).
 */
final class StridedCeKernels {

    private StridedCeKernels() {
    }

    /** Per-thread lane buffers: the scalar per-position steps read and write these. */
    private static final class Lanes {
        final float[] mF = new float[LF];
        final float[] sF = new float[LF];
        final float[] wdF = new float[LF];
        final float[] scaleF = new float[LF];
        final float[] subF = new float[LF];
        final double[] m = new double[LD];
        final double[] s = new double[LD];
        final double[] wd = new double[LD];
        final double[] scale = new double[LD];
        final double[] sub = new double[LD];
        /** Probability targets: A = sum_c w_c t'_c per lane (B = sum_c w_c t'_c d_c goes in wd). */
        final float[] tsF = new float[LF];
        final double[] ts = new double[LD];
        /** The target's logit (index targets) per lane, read before the exps overwrite it. */
        final double[] xy = new double[Math.max(LF, LD)];
        /** Index targets: the target class's e, scale and g eps/C w_y, and the a it loses, per lane, in double. */
        final double[] ey = new double[Math.max(LF, LD)];
        final double[] scaleY = new double[Math.max(LF, LD)];
        final double[] subY = new double[Math.max(LF, LD)];
        final double[] a = new double[Math.max(LF, LD)];
    }

    private static final ThreadLocal<Lanes> LANES = ThreadLocal.withInitial(Lanes::new);

    // ================================================================ index targets, float32

    static void crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        for (int n = n0; n < n1; n++) {
            double part = 0;
            for (int i0 = 0; i0 < inner; i0 += LF) {
                final int b = Math.min(i0, inner - LF);
                readTargets(x, target, n, b, i0 - b, inner, p, l);
                if (gradOut == null) {
                    blockLoss(x, n, b, inner, p, l);
                } else {
                    blockExps(x, n, b, i0 - b, inner, p, gradOut, l);
                }
                part += lanesLoss(target, n, b, i0 - b, inner, p, lossOut, gradOut, upstream, gradScale, l);
                if (gradOut != null) {
                    blockGrad(gradOut, n, b, i0 - b, inner, p, l);
                    fixTarget(gradOut, target, n, b, i0 - b, inner, p, l);
                }
            }
            sum.add(part);
        }
    }

    /** Pass 1 and 2 of one block without storing: max, S, sum w_c d_c into the lane buffers. */
    private static void blockLoss(float[] x, int n, int b, int inner, CeParams p, Lanes l) {
        final int classes = p.classes;
        final float[] w = p.weightF;
        final int base = n * classes * inner + b;
        FloatVector m = FloatVector.fromArray(FS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(FloatVector.fromArray(FS, x, base + c * inner));
        }
        m.intoArray(l.mF, 0);
        FloatVector s2 = FloatVector.zero(FS);
        FloatVector wd2 = FloatVector.zero(FS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            FloatVector s = FloatVector.zero(FS);
            FloatVector wd = FloatVector.zero(FS);
            for (int c = c0; c < c1; c++) {
                final float wc = w == null ? 1f : w[c];
                FloatVector d = FloatVector.fromArray(FS, x, base + c * inner).sub(m);
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
                s = s.add(e);
                wd = d.fma(FloatVector.broadcast(FS, wc), wd);
            }
            s2 = s2.add(s);
            wd2 = wd2.add(wd);
        }
        s2.intoArray(l.sF, 0);
        wd2.intoArray(l.wdF, 0);
    }

    /** Pass 1 and 2 of one block, storing e into out (the done lanes keep what out holds). */
    private static void blockExps(float[] x, int n, int b, int first, int inner, CeParams p, float[] out, Lanes l) {
        final int classes = p.classes;
        final float[] w = p.weightF;
        final int base = n * classes * inner + b;
        final VectorMask<Float> done = IOTA_F.lt((float) first);
        FloatVector m = FloatVector.fromArray(FS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(FloatVector.fromArray(FS, x, base + c * inner));
        }
        m.intoArray(l.mF, 0);
        FloatVector s2 = FloatVector.zero(FS);
        FloatVector wd2 = FloatVector.zero(FS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            FloatVector s = FloatVector.zero(FS);
            FloatVector wd = FloatVector.zero(FS);
            for (int c = c0; c < c1; c++) {
                final float wc = w == null ? 1f : w[c];
                final int k = base + c * inner;
                FloatVector d = FloatVector.fromArray(FS, x, k).sub(m);
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
                e.blend(FloatVector.fromArray(FS, out, k), done).intoArray(out, k);
                s = s.add(e);
                wd = d.fma(FloatVector.broadcast(FS, wc), wd);
            }
            s2 = s2.add(s);
            wd2 = wd2.add(wd);
        }
        s2.intoArray(l.sF, 0);
        wd2.intoArray(l.wdF, 0);
    }

    /** Pass 3: g_c = e_c scale - sub w_c over the block, in place (done lanes unchanged). */
    private static void blockGrad(float[] g, int n, int b, int first, int inner, CeParams p, Lanes l) {
        final int classes = p.classes;
        final float[] w = p.weightF;
        final int base = n * classes * inner + b;
        final VectorMask<Float> done = IOTA_F.lt((float) first);
        final FloatVector scale = FloatVector.fromArray(FS, l.scaleF, 0);
        final FloatVector nsub = FloatVector.fromArray(FS, l.subF, 0).neg();
        for (int c = 0; c < classes; c++) {
            final float wc = w == null ? 1f : w[c];
            final int k = base + c * inner;
            FloatVector e = FloatVector.fromArray(FS, g, k);
            e.fma(scale, nsub.mul(wc)).blend(e, done).intoArray(g, k);
        }
    }

    // ================================================================ index targets, float64

    static void crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        for (int n = n0; n < n1; n++) {
            double part = 0;
            for (int i0 = 0; i0 < inner; i0 += LD) {
                final int b = Math.min(i0, inner - LD);
                readTargets(x, target, n, b, i0 - b, inner, p, l);
                if (gradOut == null) {
                    blockLoss(x, n, b, inner, p, l);
                } else {
                    blockExps(x, n, b, i0 - b, inner, p, gradOut, l);
                }
                part += lanesLoss(target, n, b, i0 - b, inner, p, lossOut, gradOut, upstream, gradScale, l);
                if (gradOut != null) {
                    blockGrad(gradOut, n, b, i0 - b, inner, p, l);
                    fixTarget(gradOut, target, n, b, i0 - b, inner, p, l);
                }
            }
            sum.add(part);
        }
    }

    private static void blockLoss(double[] x, int n, int b, int inner, CeParams p, Lanes l) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final int base = n * classes * inner + b;
        DoubleVector m = DoubleVector.fromArray(DS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(DoubleVector.fromArray(DS, x, base + c * inner));
        }
        m.intoArray(l.m, 0);
        DoubleVector s = DoubleVector.zero(DS);
        DoubleVector wd = DoubleVector.zero(DS);
        for (int c = 0; c < classes; c++) {
            final double wc = w == null ? 1.0 : w[c];
            DoubleVector d = DoubleVector.fromArray(DS, x, base + c * inner).sub(m);
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
            s = s.add(e);
            wd = d.fma(DoubleVector.broadcast(DS, wc), wd);
        }
        s.intoArray(l.s, 0);
        wd.intoArray(l.wd, 0);
    }

    private static void blockExps(double[] x, int n, int b, int first, int inner, CeParams p, double[] out, Lanes l) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final int base = n * classes * inner + b;
        final VectorMask<Double> done = IOTA_D.lt((double) first);
        DoubleVector m = DoubleVector.fromArray(DS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(DoubleVector.fromArray(DS, x, base + c * inner));
        }
        m.intoArray(l.m, 0);
        DoubleVector s = DoubleVector.zero(DS);
        DoubleVector wd = DoubleVector.zero(DS);
        for (int c = 0; c < classes; c++) {
            final double wc = w == null ? 1.0 : w[c];
            final int k = base + c * inner;
            DoubleVector d = DoubleVector.fromArray(DS, x, k).sub(m);
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
            e.blend(DoubleVector.fromArray(DS, out, k), done).intoArray(out, k);
            s = s.add(e);
            wd = d.fma(DoubleVector.broadcast(DS, wc), wd);
        }
        s.intoArray(l.s, 0);
        wd.intoArray(l.wd, 0);
    }

    private static void blockGrad(double[] g, int n, int b, int first, int inner, CeParams p, Lanes l) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final int base = n * classes * inner + b;
        final VectorMask<Double> done = IOTA_D.lt((double) first);
        final DoubleVector scale = DoubleVector.fromArray(DS, l.scale, 0);
        final DoubleVector nsub = DoubleVector.fromArray(DS, l.sub, 0).neg();
        for (int c = 0; c < classes; c++) {
            final double wc = w == null ? 1.0 : w[c];
            final int k = base + c * inner;
            DoubleVector e = DoubleVector.fromArray(DS, g, k);
            e.fma(scale, nsub.mul(wc)).blend(e, done).intoArray(g, k);
        }
    }

    // ================================================================ probability targets, float32

    /**
     * Probability targets: per lane S = sum e, A = sum_c w_c t'_c, B = sum_c w_c t'_c d_c with
     * t' = t (1 - eps) + eps / C; loss = A log S - B; gradient e_c (g A / S) - g w_c t'_c.
     */
    static void crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                                  float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        for (int n = n0; n < n1; n++) {
            double part = 0;
            for (int i0 = 0; i0 < inner; i0 += LF) {
                final int b = Math.min(i0, inner - LF);
                if (gradOut == null) {
                    probsBlockLoss(x, t, n, b, inner, p, l);
                } else {
                    probsBlockExps(x, t, n, b, i0 - b, inner, p, gradOut, l);
                }
                final int s0 = n * inner + b;
                for (int j = i0 - b; j < LF; j++) {
                    final double loss = (double) l.tsF[j] * Math.log(l.sF[j]) - l.wdF[j];
                    part += loss;
                    if (lossOut != null) {
                        lossOut[s0 + j] = (float) loss;
                    }
                    // g rounded to float first, so that scale and g t'_c cancel exactly where they should (C = 1)
                    final float g = (float) (gradScale * (upstream == null ? 1.0 : upstream[s0 + j]));
                    l.scaleF[j] = (float) ((double) g * l.tsF[j] / l.sF[j]);
                    l.subF[j] = g;
                }
                if (gradOut != null) {
                    probsBlockGrad(gradOut, t, n, b, i0 - b, inner, p, l);
                }
            }
            sum.add(part);
        }
    }

    private static void probsBlockLoss(float[] x, float[] t, int n, int b, int inner, CeParams p, Lanes l) {
        final int classes = p.classes;
        final float[] w = p.weightF;
        final float keep = (float) (1 - p.smoothing);
        final float epsC = (float) (p.smoothing / classes);
        final int base = n * classes * inner + b;
        FloatVector m = FloatVector.fromArray(FS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(FloatVector.fromArray(FS, x, base + c * inner));
        }
        FloatVector s2 = FloatVector.zero(FS);
        FloatVector a2 = FloatVector.zero(FS);
        FloatVector b2 = FloatVector.zero(FS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            FloatVector s = FloatVector.zero(FS);
            FloatVector a = FloatVector.zero(FS);
            FloatVector bb = FloatVector.zero(FS);
            for (int c = c0; c < c1; c++) {
                final float wc = w == null ? 1f : w[c];
                final int k = base + c * inner;
                FloatVector d = FloatVector.fromArray(FS, x, k).sub(m);
                FloatVector wt = FloatVector.fromArray(FS, t, k).fma(keep, epsC).mul(wc);
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
                s = s.add(e);
                a = a.add(wt);
                bb = wt.fma(d, bb);
            }
            s2 = s2.add(s);
            a2 = a2.add(a);
            b2 = b2.add(bb);
        }
        s2.intoArray(l.sF, 0);
        a2.intoArray(l.tsF, 0);
        b2.intoArray(l.wdF, 0);
    }

    private static void probsBlockExps(float[] x, float[] t, int n, int b, int first, int inner, CeParams p, float[] out, Lanes l) {
        final int classes = p.classes;
        final float[] w = p.weightF;
        final float keep = (float) (1 - p.smoothing);
        final float epsC = (float) (p.smoothing / classes);
        final int base = n * classes * inner + b;
        final VectorMask<Float> done = IOTA_F.lt((float) first);
        FloatVector m = FloatVector.fromArray(FS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(FloatVector.fromArray(FS, x, base + c * inner));
        }
        FloatVector s2 = FloatVector.zero(FS);
        FloatVector a2 = FloatVector.zero(FS);
        FloatVector b2 = FloatVector.zero(FS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            FloatVector s = FloatVector.zero(FS);
            FloatVector a = FloatVector.zero(FS);
            FloatVector bb = FloatVector.zero(FS);
            for (int c = c0; c < c1; c++) {
                final float wc = w == null ? 1f : w[c];
                final int k = base + c * inner;
                FloatVector d = FloatVector.fromArray(FS, x, k).sub(m);
                FloatVector wt = FloatVector.fromArray(FS, t, k).fma(keep, epsC).mul(wc);
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
                e.blend(FloatVector.fromArray(FS, out, k), done).intoArray(out, k);
                s = s.add(e);
                a = a.add(wt);
                bb = wt.fma(d, bb);
            }
            s2 = s2.add(s);
            a2 = a2.add(a);
            b2 = b2.add(bb);
        }
        s2.intoArray(l.sF, 0);
        a2.intoArray(l.tsF, 0);
        b2.intoArray(l.wdF, 0);
    }

    /** Pass 3: g_c = e_c scale - g w_c t'_c over the block, in place (done lanes unchanged). */
    private static void probsBlockGrad(float[] g, float[] t, int n, int b, int first, int inner, CeParams p, Lanes l) {
        final int classes = p.classes;
        final float[] w = p.weightF;
        final float keep = (float) (1 - p.smoothing);
        final float epsC = (float) (p.smoothing / classes);
        final int base = n * classes * inner + b;
        final VectorMask<Float> done = IOTA_F.lt((float) first);
        final FloatVector scale = FloatVector.fromArray(FS, l.scaleF, 0);
        final FloatVector ng = FloatVector.fromArray(FS, l.subF, 0).neg();
        for (int c = 0; c < classes; c++) {
            final float wc = w == null ? 1f : w[c];
            final int k = base + c * inner;
            FloatVector e = FloatVector.fromArray(FS, g, k);
            FloatVector wt = FloatVector.fromArray(FS, t, k).fma(keep, epsC).mul(wc);
            e.fma(scale, ng.mul(wt)).blend(e, done).intoArray(g, k);
        }
    }

    // ================================================================ probability targets, float64

    static void crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                                  double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        for (int n = n0; n < n1; n++) {
            double part = 0;
            for (int i0 = 0; i0 < inner; i0 += LD) {
                final int b = Math.min(i0, inner - LD);
                if (gradOut == null) {
                    probsBlockLoss(x, t, n, b, inner, p, l);
                } else {
                    probsBlockExps(x, t, n, b, i0 - b, inner, p, gradOut, l);
                }
                final int s0 = n * inner + b;
                for (int j = i0 - b; j < LD; j++) {
                    final double loss = l.ts[j] * Math.log(l.s[j]) - l.wd[j];
                    part += loss;
                    if (lossOut != null) {
                        lossOut[s0 + j] = loss;
                    }
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s0 + j]);
                    l.scale[j] = g * l.ts[j] / l.s[j];
                    l.sub[j] = g;
                }
                if (gradOut != null) {
                    probsBlockGrad(gradOut, t, n, b, i0 - b, inner, p, l);
                }
            }
            sum.add(part);
        }
    }

    private static void probsBlockLoss(double[] x, double[] t, int n, int b, int inner, CeParams p, Lanes l) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        final int base = n * classes * inner + b;
        DoubleVector m = DoubleVector.fromArray(DS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(DoubleVector.fromArray(DS, x, base + c * inner));
        }
        DoubleVector s2 = DoubleVector.zero(DS);
        DoubleVector a2 = DoubleVector.zero(DS);
        DoubleVector b2 = DoubleVector.zero(DS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            DoubleVector s = DoubleVector.zero(DS);
            DoubleVector a = DoubleVector.zero(DS);
            DoubleVector bb = DoubleVector.zero(DS);
            for (int c = c0; c < c1; c++) {
                final double wc = w == null ? 1.0 : w[c];
                final int k = base + c * inner;
                DoubleVector d = DoubleVector.fromArray(DS, x, k).sub(m);
                DoubleVector wt = DoubleVector.fromArray(DS, t, k).fma(keep, epsC).mul(wc);
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
                s = s.add(e);
                a = a.add(wt);
                bb = wt.fma(d, bb);
            }
            s2 = s2.add(s);
            a2 = a2.add(a);
            b2 = b2.add(bb);
        }
        s2.intoArray(l.s, 0);
        a2.intoArray(l.ts, 0);
        b2.intoArray(l.wd, 0);
    }

    private static void probsBlockExps(double[] x, double[] t, int n, int b, int first, int inner, CeParams p, double[] out, Lanes l) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        final int base = n * classes * inner + b;
        final VectorMask<Double> done = IOTA_D.lt((double) first);
        DoubleVector m = DoubleVector.fromArray(DS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(DoubleVector.fromArray(DS, x, base + c * inner));
        }
        DoubleVector s2 = DoubleVector.zero(DS);
        DoubleVector a2 = DoubleVector.zero(DS);
        DoubleVector b2 = DoubleVector.zero(DS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            DoubleVector s = DoubleVector.zero(DS);
            DoubleVector a = DoubleVector.zero(DS);
            DoubleVector bb = DoubleVector.zero(DS);
            for (int c = c0; c < c1; c++) {
                final double wc = w == null ? 1.0 : w[c];
                final int k = base + c * inner;
                DoubleVector d = DoubleVector.fromArray(DS, x, k).sub(m);
                DoubleVector wt = DoubleVector.fromArray(DS, t, k).fma(keep, epsC).mul(wc);
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
                e.blend(DoubleVector.fromArray(DS, out, k), done).intoArray(out, k);
                s = s.add(e);
                a = a.add(wt);
                bb = wt.fma(d, bb);
            }
            s2 = s2.add(s);
            a2 = a2.add(a);
            b2 = b2.add(bb);
        }
        s2.intoArray(l.s, 0);
        a2.intoArray(l.ts, 0);
        b2.intoArray(l.wd, 0);
    }

        private static void probsBlockGrad(double[] g, double[] t, int n, int b, int first, int inner, CeParams p, Lanes l) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        final int base = n * classes * inner + b;
        final VectorMask<Double> done = IOTA_D.lt((double) first);
        final DoubleVector scale = DoubleVector.fromArray(DS, l.scale, 0);
        final DoubleVector ng = DoubleVector.fromArray(DS, l.sub, 0).neg();
        for (int c = 0; c < classes; c++) {
            final double wc = w == null ? 1.0 : w[c];
            final int k = base + c * inner;
            DoubleVector e = DoubleVector.fromArray(DS, g, k);
            DoubleVector wt = DoubleVector.fromArray(DS, t, k).fma(keep, epsC).mul(wc);
            e.fma(scale, ng.mul(wt)).blend(e, done).intoArray(g, k);
        }
    }

    // ================================================================ index targets, per-lane steps

    /** The target's logit per lane not done, before pass 2 overwrites it (in place); 0 where ignored. */
    private static void readTargets(float[] x, int[] target, int n, int b, int first, int inner, CeParams p, Lanes l) {
        final int s0 = n * inner + b;
        final int base = n * p.classes * inner + b;
        for (int j = first; j < LF; j++) {
            final int y = target[s0 + j];
            l.xy[j] = y == p.ignoreIndex ? 0 : x[base + y * inner + j];
        }
    }

    private static void readTargets(double[] x, int[] target, int n, int b, int first, int inner, CeParams p, Lanes l) {
        final int s0 = n * inner + b;
        final int base = n * p.classes * inner + b;
        for (int j = first; j < LD; j++) {
            final int y = target[s0 + j];
            l.xy[j] = y == p.ignoreIndex ? 0 : x[base + y * inner + j];
        }
    }

    /**
     * The loss of each lane not done, PyTorch's rule in double as in the reference kernels: with
     * d_y = x_y - max, loss = w_y (log S - d_y), smoothed to (1 - eps) loss + eps/C (W log S - sum_c w_c d_c),
     * 0 for ignore_index (not summed). Stored, and summed in lane order into the returned partial
     * sum; with a gradient, also each lane's scale and sub for pass 3 and the target's
     * correction a (an ignored lane: scale 0, or NaN when its max is not finite, as the reference).
     */
    private static double lanesLoss(int[] target, int n, int b, int first, int inner, CeParams p, float[] lossOut,
                                    float[] gradOut, float[] upstream, double gradScale, Lanes l) {
        final double eps = p.smoothing;
        final double epsC = eps / p.classes;
        final int s0 = n * inner + b;
        final int base = n * p.classes * inner + b;
        double part = 0;
        for (int j = first; j < LF; j++) {
            final int s = s0 + j;
            final int y = target[s];
            final double m = l.mF[j];
            if (y == p.ignoreIndex) {
                if (lossOut != null) {
                    lossOut[s] = 0f;
                }
                l.scaleF[j] = Double.isFinite(m) ? 0f : Float.NaN;
                l.subF[j] = 0f;
                continue;
            }
            final double se = l.sF[j];
            final double logS = Math.log(se);
            final double wy = p.w(y);
            double loss = wy * (logS - (l.xy[j] - m));
            if (eps > 0) {
                loss = (1 - eps) * loss + epsC * (p.weightSum * logS - l.wdF[j]);
            }
            part += loss;
            if (lossOut != null) {
                lossOut[s] = (float) loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                final double a = g * (1 - eps) * wy;
                final double scale = (a + g * epsC * p.weightSum) / se;
                l.scaleF[j] = (float) scale;
                l.subF[j] = (float) (g * epsC);
                l.ey[j] = gradOut[base + y * inner + j];
                l.scaleY[j] = scale;
                l.subY[j] = g * epsC * wy;
                l.a[j] = a;
            }
        }
        return part;
    }

    private static double lanesLoss(int[] target, int n, int b, int first, int inner, CeParams p, double[] lossOut,
                                    double[] gradOut, double[] upstream, double gradScale, Lanes l) {
        final double eps = p.smoothing;
        final double epsC = eps / p.classes;
        final int s0 = n * inner + b;
        final int base = n * p.classes * inner + b;
        double part = 0;
        for (int j = first; j < LD; j++) {
            final int s = s0 + j;
            final int y = target[s];
            final double m = l.m[j];
            if (y == p.ignoreIndex) {
                if (lossOut != null) {
                    lossOut[s] = 0;
                }
                l.scale[j] = Double.isFinite(m) ? 0 : Double.NaN;
                l.sub[j] = 0;
                continue;
            }
            final double se = l.s[j];
            final double logS = Math.log(se);
            final double wy = p.w(y);
            double loss = wy * (logS - (l.xy[j] - m));
            if (eps > 0) {
                loss = (1 - eps) * loss + epsC * (p.weightSum * logS - l.wd[j]);
            }
            part += loss;
            if (lossOut != null) {
                lossOut[s] = loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                final double a = g * (1 - eps) * wy;
                final double scale = (a + g * epsC * p.weightSum) / se;
                l.scale[j] = scale;
                l.sub[j] = g * epsC;
                l.ey[j] = gradOut[base + y * inner + j];
                l.scaleY[j] = scale;
                l.subY[j] = g * epsC * wy;
                l.a[j] = a;
            }
        }
        return part;
    }

    /**
     * The target class's gradient of each lane not done, as the reference forms it in double:
     * e_y scale - g eps/C w_y - a (ignored lanes: left as pass 3 wrote them).
     */
    private static void fixTarget(float[] g, int[] target, int n, int b, int first, int inner, CeParams p, Lanes l) {
        final int s0 = n * inner + b;
        final int base = n * p.classes * inner + b;
        for (int j = first; j < LF; j++) {
            final int y = target[s0 + j];
            if (y != p.ignoreIndex) {
                final int k = base + y * inner + j;
                g[k] = (float) (l.ey[j] * l.scaleY[j] - l.subY[j] - l.a[j]);
            }
        }
    }

    private static void fixTarget(double[] g, int[] target, int n, int b, int first, int inner, CeParams p, Lanes l) {
        final int s0 = n * inner + b;
        final int base = n * p.classes * inner + b;
        for (int j = first; j < LD; j++) {
            final int y = target[s0 + j];
            if (y != p.ignoreIndex) {
                final int k = base + y * inner + j;
                g[k] = l.ey[j] * l.scaleY[j] - l.subY[j] - l.a[j];
            }
        }
    }
}
