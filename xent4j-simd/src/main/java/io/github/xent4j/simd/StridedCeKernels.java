package io.github.xent4j.simd;

import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static io.github.xent4j.simd.VectorMath.*;

/**
 * Cross-entropy on K-dim inputs (N, C, d1..dk), without transposing: class c of position i of
 * sample n sits at {@code (n C + c) D + i}, D = {@code inner}, so one vector load at a fixed class
 * covers L consecutive positions, and every step runs lane-wise across positions. Per block of L
 * positions: pass 1 takes the max over the classes; pass 2 computes d = x - max, e = exp(d), stores
 * e, and sums S = sum e together with what the options need (index targets: sum_c w_c d_c;
 * probability targets: A = sum_c w_c t'_c and B = sum_c w_c t'_c d_c); then the loss with a vector
 * log ({@link VectorMath#log}, written out); pass 3 scales e into the gradient.
 *
 * <p>Float32 index targets, fused: pass 1 also picks each lane's target logit, and pass 3 subtracts
 * the target class's term, each by a compare of the lanes' targets against the constant class (no
 * scalar gather or fix-up per position); with C <= {@link #BUFFERED}, e goes to a per-thread buffer,
 * so pass 3 only stores into the gradient (see there: 4 KB aliasing). The other kernels store e into
 * the gradient in place and fix the target class with one scalar store per position, and the
 * loss-only float32 kernel gathers the target logit in the scalar lane loop (the vector pick there
 * made C2 box vectors at 256 bits).
 *
 * <p>PyTorch's rule, as the reference kernels: index targets lose w_y (log S - d_y), with label
 * smoothing (1 - eps) that + eps/C (W log S - sum_c w_c d_c), ignore_index positions 0 (gradient 0,
 * or NaN when their max is not finite); the gradient is e_c scale - g eps/C w_c, minus g (1 - eps) w_y
 * at the target, with scale = g ((1 - eps) w_y + eps/C W) / S. Probability targets lose A log S - B,
 * gradient e_c (g A / S) - g w_c t'_c with t' = t (1 - eps) + eps/C. Per position the loss is formed
 * in the data type (float32: a few ulp of float, within the documented 1e-6 of the reference).
 *
 * <p>Tails: a last partial block is a full block ending at D, overlapping the one before; its lanes
 * already done are blended back to what memory holds at every store (so in-place use stays correct)
 * and out of the sums, or, in the buffered fused kernel when the gradient is not the logits,
 * recomputed bit for bit. Requires D >= L; smaller D goes to the reference. Each lane's target (-1 for
 * ignore_index), its logit and weight, and gradient factor {@code gradScale * upstream} come through
 * small per-thread lane buffers filled by a scalar loop.
 *
 * <p>Sums: S and the option sums accumulate in {@code CHUNK} classes, then across chunks; the
 * per-position losses go into a double in lane order, one partial sum per sample into the exact sum
 * (so the total does not depend on how the samples are split).
 *
 * <p>Vectors stay in registers: one straight-line method per block for each of loss-only and
 * fused, no vector crosses a call or a branch merge (options are blends with constant masks, see
 * {@link VectorKernels}).
 */
final class StridedCeKernels {

    private StridedCeKernels() {
    }

    /**
     * Per-thread lane buffers: each lane's target (as a class number, -1 when ignored), gradient
     * factor, target logit and weight (0 when ignored), and the a its target class loses.
     */
    private static final class Lanes {
        final float[] yF = new float[LF];
        final float[] gF = new float[LF];
        final float[] xyF = new float[LF];
        final float[] wyF = new float[LF];
        final double[] y = new double[LD];
        final double[] g = new double[LD];
        final double[] xy = new double[LD];
        final double[] wy = new double[LD];
        final double[] a = new double[LD];
        /** Rows shorter than one vector, transposed: class c of lane (row) j at c L + j; their losses. */
        final float[] rowsF = new float[LF * LF];
        /** Pass 2's exponentials and the logits it read, class c at c L, for C <= {@link #BUFFERED}. */
        final float[] expF = new float[BUFFERED * LF];
        final float[] logitF = new float[BUFFERED * LF];
        final float[] lossF = new float[LF];
        final double[] rows = new double[LD * LD];
        final double[] loss = new double[LD];
    }

    /**
     * Up to this many classes, the fused kernels keep pass 2's exponentials in a per-thread buffer
     * instead of the gradient: with D a multiple of 1024 floats every class of a block sits at the
     * same address modulo 4 KB, and a load after a store to such an address (pass 3 reading back
     * what pass 2 and the class before stored) stalls on the CPU's store-to-load aliasing check; from
     * the buffer, pass 3 only stores into the gradient. (Measured, kernel alone, C = 21, D = 4096,
     * AVX-512, noisy: 1.3-1.5 to 1.25 ns per element with the data in L2; at (32, 21, 64, 64) within
     * the noise. The larger part of the gain is the vector target pick and fix, see the class.)
     */
    static final int BUFFERED = 64;

    private static final ThreadLocal<Lanes> LANES = ThreadLocal.withInitial(Lanes::new);

    /**
     * Whether these kernels take a K-dim call: D >= one vector, class numbers exact in the lanes'
     * type, and C >= 2 (with C = 1 the exact gradient is 0, which the reference returns exactly and
     * these kernels only to rounding).
     */
    static boolean takes(int inner, int classes, boolean f32) {
        return inner >= (f32 ? LF : LD) && classes >= 2 && classes <= 1 << 24;
    }
    // ================================================================ index targets, float32

    static void crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        for (int n = n0; n < n1; n++) {
            double part = 0;
            for (int i0 = 0; i0 < inner; i0 += LF) {
                final int b = Math.min(i0, inner - LF);
                targets(x, target, n, b, inner, p, l, gradOut == null);
                lanes(n * inner + b, upstream, gradScale, l);
                final float[] lossTo = lossOut == null ? l.lossF : lossOut;
                final int lossAt = lossOut == null ? 0 : n * inner + b;
                if (gradOut == null) {
                    part += indexLoss(x, n, b, i0 - b, inner, p, lossTo, lossAt, l);
                } else {
                    part += indexFused(x, n, b, i0 - b, inner, p, lossTo, lossAt, gradOut, l);
                }
            }
            sum.add(part);
        }
    }

    /**
     * Whether a fused block rewrites the lanes already done (a tail block) rather than keeping what
     * memory holds: when its exponentials go through the buffer and the gradient is not the logits,
     * those lanes are recomputed from the same logits by the same lane-wise arithmetic, so rewritten
     * bit for bit (their target correction then applies again, to the rewritten value).
     */
    private static boolean recomputes(Object x, Object out, CeParams p) {
        return x != out && p.classes <= BUFFERED;
    }

    /**
     * Rows shorter than one vector (inner 1, C < L): L rows at a time are transposed into a per-thread
     * buffer (class-major, one lane per row), go through the block kernels above as one block of L
     * positions, and the gradient is transposed back; each row's loss goes to the exact sum on its
     * own (one value per position, so the total does not depend on chunking). Lanes past the last
     * row are ignored positions of zeros.
     */
    static void shortRows(float[] x, int[] target, int n0, int n1, CeParams p,
                          float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        final int classes = p.classes;
        final float[] w = p.weightF;
        final float[] xt = l.rowsF;
        for (int r0 = n0; r0 < n1; r0 += LF) {
            final int count = Math.min(LF, n1 - r0);
            for (int j = 0; j < LF; j++) {
                final int n = r0 + j;
                final boolean live = j < count;
                final int y = live ? target[n] : p.ignoreIndex;
                final boolean ignored = y == p.ignoreIndex;
                for (int c = 0; c < classes; c++) {
                    xt[c * LF + j] = live ? x[n * classes + c] : 0f;
                }
                l.yF[j] = ignored ? -1f : y;
                l.xyF[j] = ignored ? 0f : x[n * classes + y];
                l.wyF[j] = ignored ? 0f : w == null ? 1f : w[y];
                l.gF[j] = live ? (float) (gradScale * (upstream == null ? 1.0 : upstream[n])) : 0f;
            }
            if (gradOut == null) {
                indexLoss(xt, 0, 0, 0, LF, p, l.lossF, 0, l);
            } else {
                indexFused(xt, 0, 0, 0, LF, p, l.lossF, 0, xt, l);
            }
            for (int j = 0; j < count; j++) {
                final int n = r0 + j;
                final int y = target[n];
                if (y != p.ignoreIndex) {
                    sum.add(l.lossF[j]);
                }
                if (lossOut != null) {
                    lossOut[n] = l.lossF[j];
                }
                if (gradOut != null) {
                    for (int c = 0; c < classes; c++) {
                        gradOut[n * classes + c] = xt[c * LF + j];
                    }
                }
            }
        }
    }

    /** Each lane's gradient factor, for the block of positions from s0. */
    private static void lanes(int s0, float[] upstream, double gradScale, Lanes l) {
        for (int j = 0; j < LF; j++) {
            l.gF[j] = (float) (gradScale * (upstream == null ? 1.0 : upstream[s0 + j]));
        }
    }

    /**
     * Each lane's target and its weight, and for the loss-only kernel its target logit (the fused
     * kernel picks that by vector compares in pass 1).
     */
    private static void targets(float[] x, int[] target, int n, int b, int inner, CeParams p, Lanes l, boolean logits) {
        final int s0 = n * inner + b;
        final int base = n * p.classes * inner + b;
        final float[] w = p.weightF;
        for (int j = 0; j < LF; j++) {
            final int y = target[s0 + j];
            final boolean ignored = y == p.ignoreIndex;
            l.yF[j] = ignored ? -1f : y;
            l.wyF[j] = ignored ? 0f : w == null ? 1f : w[y];
            if (logits) {
                l.xyF[j] = ignored ? 0f : x[base + y * inner + j];
            }
        }
    }

    /** One block, loss only; returns the sum of its losses over the lanes not done. */
    private static double indexLoss(float[] x, int n, int b, int first, int inner, CeParams p, float[] lossTo, int lossAt, Lanes l) {
        final int classes = p.classes;
        final float[] w = p.weightF;
        final float keep = (float) (1 - p.smoothing);
        final float epsC = (float) (p.smoothing / classes);
        final float wsum = (float)  p.weightSum;
        final int base = n * classes * inner + b;
        final VectorMask<Float> done = IOTA_F.lt((float) first);
        final VectorMask<Float> smooth = FS.maskAll(p.smoothing > 0);
        final FloatVector y = FloatVector.fromArray(FS, l.yF, 0);
        FloatVector m = FloatVector.fromArray(FS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(FloatVector.fromArray(FS, x, base + c * inner));
        }
        FloatVector s2 = FloatVector.zero(FS);
        FloatVector wd2 = FloatVector.zero(FS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            FloatVector s = FloatVector.zero(FS);
            FloatVector wd = FloatVector.zero(FS);
            for (int c = c0; c < c1; c++) {
                final float wc = w == null ? 1f : w[c];
                final int k = base + c * inner;
                final FloatVector d = FloatVector.fromArray(FS, x, k).sub(m);
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
        // logS = log(S): VectorMath.log(FloatVector) written out; S >= 1 (the max's own e is 1) or
        // NaN, so no subnormal, zero or infinite argument (done lanes may hold anything: blended out)
        IntVector lIx = s2.reinterpretAsInts().sub(SQRT_HALF_BITS_F);
        FloatVector lK = lIx.lanewise(VectorOperators.ASHR, 23).add(Float.floatToRawIntBits(SHIFT_F))
                .reinterpretAsFloats().sub(SHIFT_F);
        FloatVector lF = lIx.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
        FloatVector lS = lF.div(lF.add(2f));
        FloatVector lZ = lS.mul(lS);
        FloatVector lR = lZ.fma(LG4_F, LG3_F);
        lR = lR.fma(lZ, FloatVector.broadcast(FS, LG2_F));
        lR = lR.fma(lZ, FloatVector.broadcast(FS, LG1_F));
        lR = lR.mul(lZ);
        FloatVector lH = lF.mul(lF).mul(0.5f);
        FloatVector lT = lK.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), lS.mul(lH.add(lR)));
        FloatVector lU = lH.sub(lT).sub(lF);
        final FloatVector logS = lK.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), lU.neg())
                .blend(Float.NaN, s2.compare(VectorOperators.NE, s2));
        // w_y (log S - d_y), smoothed: (1 - eps) that + eps/C (W log S - sum w_c d_c); ignored and done lanes 0
        final FloatVector wy = FloatVector.fromArray(FS, l.wyF, 0);
        final FloatVector plain = logS.sub(FloatVector.fromArray(FS, l.xyF, 0).sub(m)).mul(wy);
        final FloatVector loss = plain.blend(plain.mul(keep).add(logS.mul(wsum).sub(wd2).mul(epsC)), smooth)
                .blend(0f, y.lt(0f).or(done));
        // stored unconditionally (into the lane buffer when there is no lossOut): an if here would
        // merge branches with vectors live, which makes C2 box them
        loss.blend(FloatVector.fromArray(FS, lossTo, lossAt), done).intoArray(lossTo, lossAt);
        double part = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order
            part += ((double) loss.lane(j) + loss.lane(j + 1)) + ((double) loss.lane(j + 2) + loss.lane(j + 3));
        }
        return part;
    }

    /** One block, loss and gradient (into out, which may be x); returns the block's loss sum. */
    private static double indexFused(float[] x, int n, int b, int first, int inner, CeParams p,
                                     float[] lossTo, int lossAt, float[] out, Lanes l) {
        final int classes = p.classes;
        final float[] w = p.weightF;
        final float keep = (float) (1 - p.smoothing);
        final float epsC = (float) (p.smoothing / classes);
        final float wsum = (float)  p.weightSum;
        final int base = n * classes * inner + b;
        final VectorMask<Float> done = IOTA_F.lt((float) first);
        final VectorMask<Float> smooth = FS.maskAll(p.smoothing > 0);
        // buffered: e to the lane buffer (all lanes), the gradient written once in pass 3, done lanes
        // rewritten (see recomputes) or, in place, kept as read in pass 2; else e into out, done lanes kept
        final boolean buffered = classes <= BUFFERED;
        final float[] eTo = buffered ? l.expF : out;
        final float[] keptFrom = buffered ? l.logitF : out;
        // (masks chosen by and-ing, not by a conditional: a vector merged at a branch gets boxed)
        final VectorMask<Float> keep2 = done.and(FS.maskAll(!buffered));
        final VectorMask<Float> keep3 = done.and(FS.maskAll(!recomputes(x, out, p)));
        final FloatVector y = FloatVector.fromArray(FS, l.yF, 0);
        // pass 1: the max, and each lane's target logit picked by a compare against the constant
        // class (0 where ignored: no class matches -1)
        FloatVector m = FloatVector.fromArray(FS, x, base);
        FloatVector xy = m.blend(0f, y.compare(VectorOperators.NE, 0f));
        for (int c = 1; c < classes; c++) {
            final FloatVector v = FloatVector.fromArray(FS, x, base + c * inner);
            m = m.max(v);
            xy = v.blend(xy, y.compare(VectorOperators.NE, (float) c));
        }
        FloatVector s2 = FloatVector.zero(FS);
        FloatVector wd2 = FloatVector.zero(FS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            FloatVector s = FloatVector.zero(FS);
            FloatVector wd = FloatVector.zero(FS);
            for (int c = c0; c < c1; c++) {
                final float wc = w == null ? 1f : w[c];
                final int k = base + c * inner;
                final int eAt = buffered ? c * LF : k;
                final FloatVector xv = FloatVector.fromArray(FS, x, k);
                xv.intoArray(l.logitF, buffered ? eAt : 0);
                final FloatVector d = xv.sub(m);
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
                e.blend(FloatVector.fromArray(FS, eTo, eAt), keep2).intoArray(eTo, eAt);
                s = s.add(e);
                wd = d.fma(FloatVector.broadcast(FS, wc), wd);
            }
            s2 = s2.add(s);
            wd2 = wd2.add(wd);
        }
        // logS = log(S): VectorMath.log(FloatVector) written out; S >= 1 (the max's own e is 1) or
        // NaN, so no subnormal, zero or infinite argument (done lanes may hold anything: blended out)
        IntVector lIx = s2.reinterpretAsInts().sub(SQRT_HALF_BITS_F);
        FloatVector lK = lIx.lanewise(VectorOperators.ASHR, 23).add(Float.floatToRawIntBits(SHIFT_F))
                .reinterpretAsFloats().sub(SHIFT_F);
        FloatVector lF = lIx.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
        FloatVector lS = lF.div(lF.add(2f));
        FloatVector lZ = lS.mul(lS);
        FloatVector lR = lZ.fma(LG4_F, LG3_F);
        lR = lR.fma(lZ, FloatVector.broadcast(FS, LG2_F));
        lR = lR.fma(lZ, FloatVector.broadcast(FS, LG1_F));
        lR = lR.mul(lZ);
        FloatVector lH = lF.mul(lF).mul(0.5f);
        FloatVector lT = lK.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), lS.mul(lH.add(lR)));
        FloatVector lU = lH.sub(lT).sub(lF);
        final FloatVector logS = lK.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), lU.neg())
                .blend(Float.NaN, s2.compare(VectorOperators.NE, s2));
        // w_y (log S - d_y), smoothed: (1 - eps) that + eps/C (W log S - sum w_c d_c); ignored and done lanes 0
        final FloatVector wy = FloatVector.fromArray(FS, l.wyF, 0);
        final FloatVector plain = logS.sub(xy.sub(m)).mul(wy);
        final FloatVector loss = plain.blend(plain.mul(keep).add(logS.mul(wsum).sub(wd2).mul(epsC)), smooth)
                .blend(0f, y.lt(0f).or(done));
        // stored unconditionally (into the lane buffer when there is no lossOut): an if here would
        // merge branches with vectors live, which makes C2 box them
        loss.blend(FloatVector.fromArray(FS, lossTo, lossAt), done).intoArray(lossTo, lossAt);
        double part = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order
            part += ((double) loss.lane(j) + loss.lane(j + 1)) + ((double) loss.lane(j + 2) + loss.lane(j + 3));
        }
        // pass 3
        final FloatVector g = FloatVector.fromArray(FS, l.gF, 0);
        final VectorMask<Float> ign = y.lt(0f);
        final FloatVector a = g.mul(keep).mul(wy).blend(0f, ign);
        final FloatVector scale = a.add(g.mul(epsC * wsum)).div(s2).blend(m.sub(m), ign); // ignored: 0, NaN where the max is not finite
        final FloatVector nsub = g.mul(-epsC).blend(0f, ign);
        for (int c = 0; c < classes; c++) {
            final float wc = w == null ? 1f : w[c];
            final int k = base + c * inner;
            final int eAt = buffered ? c * LF : k;
            final FloatVector e = FloatVector.fromArray(FS, eTo, eAt);
            // the target class loses a: a compare against a constant class, 0 subtracted elsewhere (exact)
            e.fma(scale, nsub.mul(wc)).sub(a.blend(0f, y.compare(VectorOperators.NE, (float) c)))
                    .blend(FloatVector.fromArray(FS, keptFrom, eAt), keep3).intoArray(out, k);
        }
        return part;
    }

    // ================================================================ index targets, float64

    static void crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        for (int n = n0; n < n1; n++) {
            double part = 0;
            for (int i0 = 0; i0 < inner; i0 += LD) {
                final int b = Math.min(i0, inner - LD);
                targets(x, target, n, b, inner, p, l);
                lanes(n * inner + b, upstream, gradScale, l);
                final double[] lossTo = lossOut == null ? l.loss : lossOut;
                final int lossAt = lossOut == null ? 0 : n * inner + b;
                if (gradOut == null) {
                    part += indexLoss(x, n, b, i0 - b, inner, p, lossTo, lossAt, l);
                } else {
                    part += indexFused(x, n, b, i0 - b, inner, p, lossTo, lossAt, gradOut, l);
                    fixTargets(gradOut, target, n, b, i0 - b, inner, p, l);
                }
            }
            sum.add(part);
        }
    }

    /**
     * Rows shorter than one vector (inner 1, C < L): L rows at a time are transposed into a per-thread
     * buffer (class-major, one lane per row), go through the block kernels above as one block of L
     * positions, and the gradient is transposed back; each row's loss goes to the exact sum on its
     * own (one value per position, so the total does not depend on chunking). Lanes past the last
     * row are ignored positions of zeros.
     */
    static void shortRows(double[] x, int[] target, int n0, int n1, CeParams p,
                          double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        final int classes = p.classes;
        final double[] w = p.weight;
        final double[] xt = l.rows;
        for (int r0 = n0; r0 < n1; r0 += LD) {
            final int count = Math.min(LD, n1 - r0);
            for (int j = 0; j < LD; j++) {
                final int n = r0 + j;
                final boolean live = j < count;
                final int y = live ? target[n] : p.ignoreIndex;
                final boolean ignored = y == p.ignoreIndex;
                for (int c = 0; c < classes; c++) {
                    xt[c * LD + j] = live ? x[n * classes + c] : 0.0;
                }
                l.y[j] = ignored ? -1 : y;
                l.xy[j] = ignored ? 0.0 : x[n * classes + y];
                l.wy[j] = ignored ? 0.0 : w == null ? 1.0 : w[y];
                l.g[j] = live ? (gradScale * (upstream == null ? 1.0 : upstream[n])) : 0.0;
            }
            if (gradOut == null) {
                indexLoss(xt, 0, 0, 0, LD, p, l.loss, 0, l);
            } else {
                indexFused(xt, 0, 0, 0, LD, p, l.loss, 0, xt, l);
            }
            for (int j = 0; j < count; j++) {
                final int n = r0 + j;
                final int y = target[n];
                if (y != p.ignoreIndex) {
                    sum.add(l.loss[j]);
                }
                if (lossOut != null) {
                    lossOut[n] = l.loss[j];
                }
                if (gradOut != null) {
                    for (int c = 0; c < classes; c++) {
                        gradOut[n * classes + c] = xt[c * LD + j];
                    }
                    if (y != p.ignoreIndex) {
                        gradOut[n * classes + y] -= l.a[j];
                    }
                }
            }
        }
    }

    /** Each lane's gradient factor, for the block of positions from s0. */
    private static void lanes(int s0, double[] upstream, double gradScale, Lanes l) {
        for (int j = 0; j < LD; j++) {
            l.g[j] = (gradScale * (upstream == null ? 1.0 : upstream[s0 + j]));
        }
    }

    /** Each lane's target, its logit and its weight, read before pass 2 overwrites x (in place). */
    private static void targets(double[] x, int[] target, int n, int b, int inner, CeParams p, Lanes l) {
        final int s0 = n * inner + b;
        final int base = n * p.classes * inner + b;
        final double[] w = p.weight;
        for (int j = 0; j < LD; j++) {
            final int y = target[s0 + j];
            final boolean ignored = y == p.ignoreIndex;
            l.y[j] = ignored ? -1 : y;
            l.xy[j] = ignored ? 0.0 : x[base + y * inner + j];
            l.wy[j] = ignored ? 0.0 : w == null ? 1.0 : w[y];
        }
    }

    /** The target class's gradient of each lane not done (nor ignored) loses its a. */
    private static void fixTargets(double[] g, int[] target, int n, int b, int first, int inner, CeParams p, Lanes l) {
        final int s0 = n * inner + b;
        final int base = n * p.classes * inner + b;
        for (int j = first; j < LD; j++) {
            final int y = target[s0 + j];
            if (y != p.ignoreIndex) {
                g[base + y * inner + j] -= l.a[j];
            }
        }
    }

    /** One block, loss only; returns the sum of its losses over the lanes not done. */
    private static double indexLoss(double[] x, int n, int b, int first, int inner, CeParams p, double[] lossTo, int lossAt, Lanes l) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final double keep = (1 - p.smoothing);
        final double epsC = (p.smoothing / classes);
        final double wsum =  p.weightSum;
        final int base = n * classes * inner + b;
        final VectorMask<Double> done = IOTA_D.lt((double) first);
        final VectorMask<Double> smooth = DS.maskAll(p.smoothing > 0);
        final DoubleVector y = DoubleVector.fromArray(DS, l.y, 0);
        DoubleVector m = DoubleVector.fromArray(DS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(DoubleVector.fromArray(DS, x, base + c * inner));
        }
        DoubleVector s2 = DoubleVector.zero(DS);
        DoubleVector wd2 = DoubleVector.zero(DS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            DoubleVector s = DoubleVector.zero(DS);
            DoubleVector wd = DoubleVector.zero(DS);
            for (int c = c0; c < c1; c++) {
                final double wc = w == null ? 1.0 : w[c];
                final int k = base + c * inner;
                final DoubleVector d = DoubleVector.fromArray(DS, x, k).sub(m);
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
            s2 = s2.add(s);
            wd2 = wd2.add(wd);
        }
        // logS = log(S): VectorMath.log(DoubleVector) written out; S >= 1 (the max's own e is 1) or
        // NaN, so no subnormal, zero or infinite argument (done lanes may hold anything: blended out)
        LongVector lIx = s2.reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
        DoubleVector lK = lIx.lanewise(VectorOperators.ASHR, 52).add(Double.doubleToRawLongBits(SHIFT_D))
                .reinterpretAsDoubles().sub(SHIFT_D);
        DoubleVector lF = lIx.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0);
        DoubleVector lS = lF.div(lF.add(2.0));
        DoubleVector lZ = lS.mul(lS);
        DoubleVector lR = lZ.fma(LG7_D, LG6_D);
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG5_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG4_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG3_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG2_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG1_D));
        lR = lR.mul(lZ);
        DoubleVector lH = lF.mul(lF).mul(0.5);
        DoubleVector lT = lK.fma(DoubleVector.broadcast(DS, LN2_LO_D), lS.mul(lH.add(lR)));
        DoubleVector lU = lH.sub(lT).sub(lF);
        final DoubleVector logS = lK.fma(DoubleVector.broadcast(DS, LN2_HI_D), lU.neg())
                .blend(Double.NaN, s2.compare(VectorOperators.NE, s2));
        // w_y (log S - d_y), smoothed: (1 - eps) that + eps/C (W log S - sum w_c d_c); ignored and done lanes 0
        final DoubleVector wy = DoubleVector.fromArray(DS, l.wy, 0);
        final DoubleVector plain = logS.sub(DoubleVector.fromArray(DS, l.xy, 0).sub(m)).mul(wy);
        final DoubleVector loss = plain.blend(plain.mul(keep).add(logS.mul(wsum).sub(wd2).mul(epsC)), smooth)
                .blend(0.0, y.lt(0.0).or(done));
        // stored unconditionally (into the lane buffer when there is no lossOut): an if here would
        // merge branches with vectors live, which makes C2 box them
        loss.blend(DoubleVector.fromArray(DS, lossTo, lossAt), done).intoArray(lossTo, lossAt);
        double part = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order
            part += (loss.lane(j) + loss.lane(j + 1)) + (loss.lane(j + 2) + loss.lane(j + 3));
        }
        return part;
    }

    /** One block, loss and gradient (into out, which may be x); returns the block's loss sum. */
    private static double indexFused(double[] x, int n, int b, int first, int inner, CeParams p,
                                     double[] lossTo, int lossAt, double[] out, Lanes l) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final double keep = (1 - p.smoothing);
        final double epsC = (p.smoothing / classes);
        final double wsum =  p.weightSum;
        final int base = n * classes * inner + b;
        final VectorMask<Double> done = IOTA_D.lt((double) first);
        final VectorMask<Double> smooth = DS.maskAll(p.smoothing > 0);
        final DoubleVector y = DoubleVector.fromArray(DS, l.y, 0);
        DoubleVector m = DoubleVector.fromArray(DS, x, base);
        for (int c = 1; c < classes; c++) {
            m = m.max(DoubleVector.fromArray(DS, x, base + c * inner));
        }
        DoubleVector s2 = DoubleVector.zero(DS);
        DoubleVector wd2 = DoubleVector.zero(DS);
        for (int c0 = 0; c0 < classes; c0 += CHUNK) {
            final int c1 = Math.min(classes, c0 + CHUNK);
            DoubleVector s = DoubleVector.zero(DS);
            DoubleVector wd = DoubleVector.zero(DS);
            for (int c = c0; c < c1; c++) {
                final double wc = w == null ? 1.0 : w[c];
                final int k = base + c * inner;
                final DoubleVector d = DoubleVector.fromArray(DS, x, k).sub(m);
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
            s2 = s2.add(s);
            wd2 = wd2.add(wd);
        }
        // logS = log(S): VectorMath.log(DoubleVector) written out; S >= 1 (the max's own e is 1) or
        // NaN, so no subnormal, zero or infinite argument (done lanes may hold anything: blended out)
        LongVector lIx = s2.reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
        DoubleVector lK = lIx.lanewise(VectorOperators.ASHR, 52).add(Double.doubleToRawLongBits(SHIFT_D))
                .reinterpretAsDoubles().sub(SHIFT_D);
        DoubleVector lF = lIx.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0);
        DoubleVector lS = lF.div(lF.add(2.0));
        DoubleVector lZ = lS.mul(lS);
        DoubleVector lR = lZ.fma(LG7_D, LG6_D);
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG5_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG4_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG3_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG2_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG1_D));
        lR = lR.mul(lZ);
        DoubleVector lH = lF.mul(lF).mul(0.5);
        DoubleVector lT = lK.fma(DoubleVector.broadcast(DS, LN2_LO_D), lS.mul(lH.add(lR)));
        DoubleVector lU = lH.sub(lT).sub(lF);
        final DoubleVector logS = lK.fma(DoubleVector.broadcast(DS, LN2_HI_D), lU.neg())
                .blend(Double.NaN, s2.compare(VectorOperators.NE, s2));
        // w_y (log S - d_y), smoothed: (1 - eps) that + eps/C (W log S - sum w_c d_c); ignored and done lanes 0
        final DoubleVector wy = DoubleVector.fromArray(DS, l.wy, 0);
        final DoubleVector plain = logS.sub(DoubleVector.fromArray(DS, l.xy, 0).sub(m)).mul(wy);
        final DoubleVector loss = plain.blend(plain.mul(keep).add(logS.mul(wsum).sub(wd2).mul(epsC)), smooth)
                .blend(0.0, y.lt(0.0).or(done));
        // stored unconditionally (into the lane buffer when there is no lossOut): an if here would
        // merge branches with vectors live, which makes C2 box them
        loss.blend(DoubleVector.fromArray(DS, lossTo, lossAt), done).intoArray(lossTo, lossAt);
        double part = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order
            part += (loss.lane(j) + loss.lane(j + 1)) + (loss.lane(j + 2) + loss.lane(j + 3));
        }
        // pass 3
        final DoubleVector g = DoubleVector.fromArray(DS, l.g, 0);
        final VectorMask<Double> ign = y.lt(0.0);
        final DoubleVector a = g.mul(keep).mul(wy).blend(0.0, ign);
        final DoubleVector scale = a.add(g.mul(epsC * wsum)).div(s2).blend(m.sub(m), ign); // ignored: 0, NaN where the max is not finite
        final DoubleVector nsub = g.mul(-epsC).blend(0.0, ign);
        a.intoArray(l.a, 0);
        for (int c = 0; c < classes; c++) {
            final double wc = w == null ? 1.0 : w[c];
            final int k = base + c * inner;
            final DoubleVector e = DoubleVector.fromArray(DS, out, k);
            e.fma(scale, nsub.mul(wc)).blend(e, done).intoArray(out, k);
        }
        return part;
    }

    // ================================================================ probability targets, float32

    static void crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                                  float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        for (int n = n0; n < n1; n++) {
            double part = 0;
            for (int i0 = 0; i0 < inner; i0 += LF) {
                final int b = Math.min(i0, inner - LF);
                lanes(n * inner + b, upstream, gradScale, l);
                final float[] lossTo = lossOut == null ? l.lossF : lossOut;
                final int lossAt = lossOut == null ? 0 : n * inner + b;
                part += gradOut == null
                        ? probsLoss(x, t, n, b, i0 - b, inner, p, lossTo, lossAt)
                        : probsFused(x, t, n, b, i0 - b, inner, p, lossTo, lossAt, gradOut, l);
            }
            sum.add(part);
        }
    }

    /** One block of probability targets, loss only; returns the sum of its losses over the lanes not done. */
    private static double probsLoss(float[] x, float[] t, int n, int b, int first, int inner, CeParams p, float[] lossTo, int lossAt) {
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
                final FloatVector d = FloatVector.fromArray(FS, x, k).sub(m);
                final FloatVector wt = FloatVector.fromArray(FS, t, k).fma(keep, epsC).mul(wc);
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
        // logS = log(S): VectorMath.log(FloatVector) written out; S >= 1 (the max's own e is 1) or
        // NaN, so no subnormal, zero or infinite argument (done lanes may hold anything: blended out)
        IntVector lIx = s2.reinterpretAsInts().sub(SQRT_HALF_BITS_F);
        FloatVector lK = lIx.lanewise(VectorOperators.ASHR, 23).add(Float.floatToRawIntBits(SHIFT_F))
                .reinterpretAsFloats().sub(SHIFT_F);
        FloatVector lF = lIx.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
        FloatVector lS = lF.div(lF.add(2f));
        FloatVector lZ = lS.mul(lS);
        FloatVector lR = lZ.fma(LG4_F, LG3_F);
        lR = lR.fma(lZ, FloatVector.broadcast(FS, LG2_F));
        lR = lR.fma(lZ, FloatVector.broadcast(FS, LG1_F));
        lR = lR.mul(lZ);
        FloatVector lH = lF.mul(lF).mul(0.5f);
        FloatVector lT = lK.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), lS.mul(lH.add(lR)));
        FloatVector lU = lH.sub(lT).sub(lF);
        final FloatVector logS = lK.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), lU.neg())
                .blend(Float.NaN, s2.compare(VectorOperators.NE, s2));
        final FloatVector loss = a2.mul(logS).sub(b2).blend(0f, done);
        // stored unconditionally (into the lane buffer when there is no lossOut): an if here would
        // merge branches with vectors live, which makes C2 box them
        loss.blend(FloatVector.fromArray(FS, lossTo, lossAt), done).intoArray(lossTo, lossAt);
        double part = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order
            part += ((double) loss.lane(j) + loss.lane(j + 1)) + ((double) loss.lane(j + 2) + loss.lane(j + 3));
        }
        return part;
    }

    /** One block of probability targets, loss and gradient (into out, which may be x). */
    private static double probsFused(float[] x, float[] t, int n, int b, int first, int inner, CeParams p,
                                     float[] lossTo, int lossAt, float[] out, Lanes l) {
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
                final FloatVector d = FloatVector.fromArray(FS, x, k).sub(m);
                final FloatVector wt = FloatVector.fromArray(FS, t, k).fma(keep, epsC).mul(wc);
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
        // logS = log(S): VectorMath.log(FloatVector) written out; S >= 1 (the max's own e is 1) or
        // NaN, so no subnormal, zero or infinite argument (done lanes may hold anything: blended out)
        IntVector lIx = s2.reinterpretAsInts().sub(SQRT_HALF_BITS_F);
        FloatVector lK = lIx.lanewise(VectorOperators.ASHR, 23).add(Float.floatToRawIntBits(SHIFT_F))
                .reinterpretAsFloats().sub(SHIFT_F);
        FloatVector lF = lIx.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
        FloatVector lS = lF.div(lF.add(2f));
        FloatVector lZ = lS.mul(lS);
        FloatVector lR = lZ.fma(LG4_F, LG3_F);
        lR = lR.fma(lZ, FloatVector.broadcast(FS, LG2_F));
        lR = lR.fma(lZ, FloatVector.broadcast(FS, LG1_F));
        lR = lR.mul(lZ);
        FloatVector lH = lF.mul(lF).mul(0.5f);
        FloatVector lT = lK.fma(FloatVector.broadcast(FS, LOG_LN2_LO_F), lS.mul(lH.add(lR)));
        FloatVector lU = lH.sub(lT).sub(lF);
        final FloatVector logS = lK.fma(FloatVector.broadcast(FS, LOG_LN2_HI_F), lU.neg())
                .blend(Float.NaN, s2.compare(VectorOperators.NE, s2));
        final FloatVector loss = a2.mul(logS).sub(b2).blend(0f, done);
        // stored unconditionally (into the lane buffer when there is no lossOut): an if here would
        // merge branches with vectors live, which makes C2 box them
        loss.blend(FloatVector.fromArray(FS, lossTo, lossAt), done).intoArray(lossTo, lossAt);
        double part = 0;
        for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order
            part += ((double) loss.lane(j) + loss.lane(j + 1)) + ((double) loss.lane(j + 2) + loss.lane(j + 3));
        }
        // pass 3
        final FloatVector g = FloatVector.fromArray(FS, l.gF, 0);
        final FloatVector scale = g.mul(a2).div(s2);
        final FloatVector ng = g.neg();
        for (int c = 0; c < classes; c++) {
            final float wc = w == null ? 1f : w[c];
            final int k = base + c * inner;
            final FloatVector e = FloatVector.fromArray(FS, out, k);
            final FloatVector wt = FloatVector.fromArray(FS, t, k).fma(keep, epsC).mul(wc);
            e.fma(scale, ng.mul(wt)).blend(e, done).intoArray(out, k);
        }
        return part;
    }

    // ================================================================ probability targets, float64

    static void crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                                  double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final Lanes l = LANES.get();
        for (int n = n0; n < n1; n++) {
            double part = 0;
            for (int i0 = 0; i0 < inner; i0 += LD) {
                final int b = Math.min(i0, inner - LD);
                lanes(n * inner + b, upstream, gradScale, l);
                final double[] lossTo = lossOut == null ? l.loss : lossOut;
                final int lossAt = lossOut == null ? 0 : n * inner + b;
                part += gradOut == null
                        ? probsLoss(x, t, n, b, i0 - b, inner, p, lossTo, lossAt)
                        : probsFused(x, t, n, b, i0 - b, inner, p, lossTo, lossAt, gradOut, l);
            }
            sum.add(part);
        }
    }

    /** One block of probability targets, loss only; returns the sum of its losses over the lanes not done. */
    private static double probsLoss(double[] x, double[] t, int n, int b, int first, int inner, CeParams p, double[] lossTo, int lossAt) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final double keep = (1 - p.smoothing);
        final double epsC = (p.smoothing / classes);
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
                final DoubleVector d = DoubleVector.fromArray(DS, x, k).sub(m);
                final DoubleVector wt = DoubleVector.fromArray(DS, t, k).fma(keep, epsC).mul(wc);
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
        // logS = log(S): VectorMath.log(DoubleVector) written out; S >= 1 (the max's own e is 1) or
        // NaN, so no subnormal, zero or infinite argument (done lanes may hold anything: blended out)
        LongVector lIx = s2.reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
        DoubleVector lK = lIx.lanewise(VectorOperators.ASHR, 52).add(Double.doubleToRawLongBits(SHIFT_D))
                .reinterpretAsDoubles().sub(SHIFT_D);
        DoubleVector lF = lIx.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0);
        DoubleVector lS = lF.div(lF.add(2.0));
        DoubleVector lZ = lS.mul(lS);
        DoubleVector lR = lZ.fma(LG7_D, LG6_D);
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG5_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG4_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG3_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG2_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG1_D));
        lR = lR.mul(lZ);
        DoubleVector lH = lF.mul(lF).mul(0.5);
        DoubleVector lT = lK.fma(DoubleVector.broadcast(DS, LN2_LO_D), lS.mul(lH.add(lR)));
        DoubleVector lU = lH.sub(lT).sub(lF);
        final DoubleVector logS = lK.fma(DoubleVector.broadcast(DS, LN2_HI_D), lU.neg())
                .blend(Double.NaN, s2.compare(VectorOperators.NE, s2));
        final DoubleVector loss = a2.mul(logS).sub(b2).blend(0.0, done);
        // stored unconditionally (into the lane buffer when there is no lossOut): an if here would
        // merge branches with vectors live, which makes C2 box them
        loss.blend(DoubleVector.fromArray(DS, lossTo, lossAt), done).intoArray(lossTo, lossAt);
        double part = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order
            part += (loss.lane(j) + loss.lane(j + 1)) + (loss.lane(j + 2) + loss.lane(j + 3));
        }
        return part;
    }

    /** One block of probability targets, loss and gradient (into out, which may be x). */
    private static double probsFused(double[] x, double[] t, int n, int b, int first, int inner, CeParams p,
                                     double[] lossTo, int lossAt, double[] out, Lanes l) {
        final int classes = p.classes;
        final double[] w = p.weight;
        final double keep = (1 - p.smoothing);
        final double epsC = (p.smoothing / classes);
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
                final DoubleVector d = DoubleVector.fromArray(DS, x, k).sub(m);
                final DoubleVector wt = DoubleVector.fromArray(DS, t, k).fma(keep, epsC).mul(wc);
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
        // logS = log(S): VectorMath.log(DoubleVector) written out; S >= 1 (the max's own e is 1) or
        // NaN, so no subnormal, zero or infinite argument (done lanes may hold anything: blended out)
        LongVector lIx = s2.reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
        DoubleVector lK = lIx.lanewise(VectorOperators.ASHR, 52).add(Double.doubleToRawLongBits(SHIFT_D))
                .reinterpretAsDoubles().sub(SHIFT_D);
        DoubleVector lF = lIx.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0);
        DoubleVector lS = lF.div(lF.add(2.0));
        DoubleVector lZ = lS.mul(lS);
        DoubleVector lR = lZ.fma(LG7_D, LG6_D);
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG5_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG4_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG3_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG2_D));
        lR = lR.fma(lZ, DoubleVector.broadcast(DS, LG1_D));
        lR = lR.mul(lZ);
        DoubleVector lH = lF.mul(lF).mul(0.5);
        DoubleVector lT = lK.fma(DoubleVector.broadcast(DS, LN2_LO_D), lS.mul(lH.add(lR)));
        DoubleVector lU = lH.sub(lT).sub(lF);
        final DoubleVector logS = lK.fma(DoubleVector.broadcast(DS, LN2_HI_D), lU.neg())
                .blend(Double.NaN, s2.compare(VectorOperators.NE, s2));
        final DoubleVector loss = a2.mul(logS).sub(b2).blend(0.0, done);
        // stored unconditionally (into the lane buffer when there is no lossOut): an if here would
        // merge branches with vectors live, which makes C2 box them
        loss.blend(DoubleVector.fromArray(DS, lossTo, lossAt), done).intoArray(lossTo, lossAt);
        double part = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order
            part += (loss.lane(j) + loss.lane(j + 1)) + (loss.lane(j + 2) + loss.lane(j + 3));
        }
        // pass 3
        final DoubleVector g = DoubleVector.fromArray(DS, l.g, 0);
        final DoubleVector scale = g.mul(a2).div(s2);
        final DoubleVector ng = g.neg();
        for (int c = 0; c < classes; c++) {
            final double wc = w == null ? 1.0 : w[c];
            final int k = base + c * inner;
            final DoubleVector e = DoubleVector.fromArray(DS, out, k);
            final DoubleVector wt = DoubleVector.fromArray(DS, t, k).fma(keep, epsC).mul(wc);
            e.fma(scale, ng.mul(wt)).blend(e, done).intoArray(out, k);
        }
        return part;
    }
}
