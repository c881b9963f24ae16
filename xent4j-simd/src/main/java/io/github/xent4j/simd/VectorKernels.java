package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static io.github.xent4j.simd.VectorMath.*;

/**
 * Fused Vector API kernels for contiguous rows (inner == 1): one exp per element, the exp stored
 * into the gradient buffer and scaled there in place, no allocation.
 *
 * <p>Per row: pass 1 takes the max; pass 2 computes e = exp(x - max) (the polynomial of
 * {@link VectorMath}, written out in each loop), stores it into the gradient buffer and sums it; the
 * loss is formed in double from the sums ({@code -log_softmax = log S - (x_y - max)}); pass 3 scales
 * e into the gradient. A row of up to a few hundred kB stays in L2 between the passes, so memory
 * sees one read of the logits and one write of the gradient. Rows of L to 2L classes take a
 * one-loop path ({@code crossEntropyShortRows}).
 *
 * <p>Keeping vectors in registers (C2 boxes them otherwise, still giving right answers, 10-250x
 * slower): no method of this class takes or returns a vector (C2 stops inlining at its node-count
 * cutoff, and refuses at a cold call site a method it has compiled on its own); no vector is live
 * where two branches merge (an {@code if} that reassigns an accumulator, a {@code ?:} of vectors);
 * the common cases are loops without branches in their bodies. {@code NoAllocationTest} checks
 * that compiled kernels allocate nothing.
 *
 * <p>Tails: whole vectors cover a row up to its last multiple of the vector length; the last
 * C mod L elements are covered by one more vector ending at the row's end, whose lanes already
 * done are blended out of the sums and keep their stored values (also correct in place), or by the
 * scalar twins of the same arithmetic ({@link VectorMath#exp(float)}, {@code Math.fma}). Rows
 * shorter than one vector, spatial inputs (inner > 1), rows whose max is not finite (NaN, +inf,
 * all -inf), weighted label smoothing, weighted probability targets and broadcast BCE weights go to
 * the scalar reference ({@link Kernels#scalar()}).
 *
 * <p>Float32 sums: lanes accumulate in float over {@value #CHUNK} vectors, those chunk sums in float
 * over {@value #CHUNK} more, then the lanes are added into a double in a fixed pairwise order
 * ({@code reduceLanes(ADD)} leaves the order of a floating-point sum unspecified, which would make
 * results depend on the JIT). Error budget per row, S = sum of exps: the argument x - max is rounded
 * to float (relative error of e_c up to |d_c| 2^-24), exp adds about 1 ulp, the two float levels at
 * most 14 roundings; so |dS/S| <= 2^-23 + 2^-24 (H(p) + 14) in the worst case, H the entropy of
 * the softmax (<= log C), about 1e-7 in practice. The loss inherits that as an absolute error; the
 * gradient error is about 2 ulp of float relative to each entry. Float64 kernels accumulate in
 * double lanes.
 */
final class VectorKernels implements Kernels {

    /** The scalar reference kernels, for the cases delegated. */
    private final Kernels ref;
    private static final int LF = FS.length();
    private static final int LD = DS.length();
    /** Vectors per float chunk before the lane sums move to double. */
    private static final int CHUNK = 8;
    private static final double LN2 = Math.log(2);
    /** Lane indices 0, 1, ..., L-1, to mask the lanes of an overlapping last vector. */
    private static final FloatVector IOTA_F = FloatVector.zero(FS).addIndex(1);
    private static final DoubleVector IOTA_D = DoubleVector.zero(DS).addIndex(1);

    VectorKernels(Kernels reference) {
        this.ref = reference;
    }

    static int preferredBits() {
        return FS.vectorBitSize();
    }

    static String describe() {
        return "vector-" + FS.vectorBitSize() + " (" + LF + " floats, " + LD + " doubles)";
    }

    // ================================================================ cross-entropy, index, float32

    @Override
    public void crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                               float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        if (inner != 1 || classes < LF || (eps > 0 && p.weight != null)) {
            ref.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        if (classes <= 2 * LF) {
            crossEntropyShortRows(x, target, n0, n1, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        final double epsC = eps / classes;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final int y = target[n];
            final float m = rowMax(x, base, classes);
            if (y == p.ignoreIndex) {
                if (lossOut != null) {
                    lossOut[n] = 0f;
                }
                if (gradOut != null) {
                    // log_softmax backward of a zero upstream: -p * 0, NaN when the row is NaN.
                    fill(gradOut, base, classes, Float.isFinite(m) ? 0f : Float.NaN);
                }
                continue;
            }
            if (!Float.isFinite(m)) {
                ref.crossEntropy(x, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, lossSum);
                continue;
            }
            final double xy = x[base + y];
            // sum_c w_c d_c with d_c = x_c - max, only for smoothing (unweighted here); read before
            // pass 2, which overwrites the logits in place
            final double wd = eps > 0 ? shiftedSum(x, base, classes, m) : 0;
            final double sum = gradOut == null ? expSum(x, base, classes, m) : expSumStore(x, base, classes, m, gradOut);
            final double logS = Math.log(sum);
            final double wy = p.w(y);
            double loss = wy * (logS - (xy - m));
            if (eps > 0) {
                loss = (1 - eps) * loss + epsC * (p.weightSum * logS - wd);
            }
            lossSum.add(loss);
            if (lossOut != null) {
                lossOut[n] = (float) loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                final double a = g * (1 - eps) * wy;
                final double scale = (a + g * epsC * p.weightSum) / sum;
                final double sub = g * epsC; // unweighted smoothing: g * eps/C * w_c with w_c = 1
                final double ey = gradOut[base + y];
                scaleRow(gradOut, base, classes, (float) scale, (float) sub);
                gradOut[base + y] = (float) (ey * scale - sub - a);
            }
        }
    }

    /**
     * Rows of L to 2L classes (e.g. C = 10 on 8-float vectors): each row is two overlapping vectors,
     * at 0 and at C - L, and every step of the row is written out in this one loop, with no call, so
     * that the out-of-order core overlaps consecutive rows (per row the work is a chain of short
     * reductions, and calls would serialise it). Same arithmetic as the general path.
     */
    private void crossEntropyShortRows(float[] x, int[] target, int n0, int n1, CeParams p,
                                       float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        final int off = classes - LF;
        final double eps = p.smoothing;
        final double epsC = eps / classes;
        // lanes of the second vector that the first one already covers
        final VectorMask<Float> done = IOTA_F.lt((float) (LF - off));
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final int y = target[n];
            final FloatVector v0 = FloatVector.fromArray(FS, x, base);
            final FloatVector v1 = FloatVector.fromArray(FS, x, base + off);
            final float m = v0.max(v1).reduceLanes(VectorOperators.MAX);
            if (y == p.ignoreIndex) {
                if (lossOut != null) {
                    lossOut[n] = 0f;
                }
                if (gradOut != null) {
                    fill(gradOut, base, classes, Float.isFinite(m) ? 0f : Float.NaN);
                }
                continue;
            }
            if (!Float.isFinite(m)) {
                ref.crossEntropy(x, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, lossSum);
                continue;
            }
            final float xy = x[base + y];
            final FloatVector vm = FloatVector.broadcast(FS, m);
            final FloatVector d0 = v0.sub(vm);
            final FloatVector d1 = v1.sub(vm);
            // e0 = exp(d0): VectorMath.exp(FloatVector) written out, so no vector crosses a call
            FloatVector e0T = d0.fma(LOG2E_F, SHIFT_F);
            FloatVector e0K = e0T.sub(SHIFT_F);
            FloatVector e0R = e0K.fma(FloatVector.broadcast(FS, -LN2_HI_F), d0);
            e0R = e0K.fma(FloatVector.broadcast(FS, -LN2_LO_F), e0R);
            FloatVector e0P = e0R.fma(P0, P1);
            e0P = e0P.fma(e0R, FloatVector.broadcast(FS, P2));
            e0P = e0P.fma(e0R, FloatVector.broadcast(FS, P3));
            e0P = e0P.fma(e0R, FloatVector.broadcast(FS, P4));
            e0P = e0P.fma(e0R, FloatVector.broadcast(FS, P5));
            e0P = e0P.fma(e0R.mul(e0R), e0R).add(1f);
            FloatVector e0 = e0P.mul(e0T.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                    .blend(0f, d0.lt(EXP_LO_F));
            // e1 = exp(d1): VectorMath.exp(FloatVector) written out, so no vector crosses a call
            FloatVector e1T = d1.fma(LOG2E_F, SHIFT_F);
            FloatVector e1K = e1T.sub(SHIFT_F);
            FloatVector e1R = e1K.fma(FloatVector.broadcast(FS, -LN2_HI_F), d1);
            e1R = e1K.fma(FloatVector.broadcast(FS, -LN2_LO_F), e1R);
            FloatVector e1P = e1R.fma(P0, P1);
            e1P = e1P.fma(e1R, FloatVector.broadcast(FS, P2));
            e1P = e1P.fma(e1R, FloatVector.broadcast(FS, P3));
            e1P = e1P.fma(e1R, FloatVector.broadcast(FS, P4));
            e1P = e1P.fma(e1R, FloatVector.broadcast(FS, P5));
            e1P = e1P.fma(e1R.mul(e1R), e1R).add(1f);
            FloatVector e1 = e1P.mul(e1T.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats())
                    .blend(0f, d1.lt(EXP_LO_F));
            final FloatVector s = e0.add(e1.blend(0f, done));
            double sum = 0;
            for (int j = 0; j < LF; j += 4) {
                sum += ((double) s.lane(j) + s.lane(j + 1)) + ((double) s.lane(j + 2) + s.lane(j + 3));
            }
            double wd = 0;
            if (eps > 0) {
                final FloatVector dd = d0.add(d1.blend(0f, done));
                for (int j = 0; j < LF; j += 4) {
                    wd += ((double) dd.lane(j) + dd.lane(j + 1)) + ((double) dd.lane(j + 2) + dd.lane(j + 3));
                }
            }
            final double wy = p.w(y);
            final double logS = Math.log(sum);
            double loss = wy * (logS - ((double) xy - m));
            if (eps > 0) {
                loss = (1 - eps) * loss + epsC * (p.weightSum * logS - wd);
            }
            lossSum.add(loss);
            if (lossOut != null) {
                lossOut[n] = (float) loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                final double a = g * (1 - eps) * wy;
                final double scale = (a + g * epsC * p.weightSum) / sum;
                final double sub = g * epsC;
                final FloatVector vs = FloatVector.broadcast(FS, (float) scale);
                final FloatVector vsub = FloatVector.broadcast(FS, (float) -sub);
                // both vectors hold the same values on the lanes they share, so the order of the stores does not matter
                e1.fma(vs, vsub).intoArray(gradOut, base + off);
                e0.fma(vs, vsub).intoArray(gradOut, base);
                // the scalar twin of the vector exp gives the target's e bit for bit
                final double ey = VectorMath.exp(xy - m);
                gradOut[base + y] = (float) (ey * scale - sub - a);
            }
        }
    }

    /** max over the row, NaN-propagating (Java max semantics, also in the vector lanes). */
    private static float rowMax(float[] x, int base, int classes) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        FloatVector acc = FloatVector.fromArray(FS, x, base);
        for (int i = base + LF; i < vend; i += LF) {
            acc = acc.max(FloatVector.fromArray(FS, x, i));
        }
        // max is exact and order-free, so the lane reduction order does not matter here
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (int i = vend; i < end; i++) {
            m = Math.max(m, x[i]);
        }
        return m;
    }

    /** sum_c exp(x_c - m) over the row without storing (forward only). */
    private static double expSum(float[] x, int base, int classes, float m) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        double sum = 0;
        int i = base;
        // float lanes in two levels of CHUNK vectors, then into the double sum in lane order. Loops,
        // not a flat loop with a conditional flush: a vector reassigned on one branch of an if is
        // boxed where the branches merge (measured: one allocation per flush on JDK 17).
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            FloatVector acc2 = FloatVector.zero(FS);
            while (i < outerEnd) {
                final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                FloatVector acc = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    FloatVector d = FloatVector.fromArray(FS, x, i).sub(vm);
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
                    acc = acc.add(e);
                }
                acc2 = acc2.add(acc);
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see class note)
                sum += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
            }
        }
        if (vend < end) {
            // the last vector ends at the row's end; its first lanes were done by the loop
            final int last = end - LF;
            final VectorMask<Float> done = IOTA_F.lt((float) (vend - last));
            FloatVector d = FloatVector.fromArray(FS, x, last).sub(vm);
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
            e = e.blend(0f, done);
            for (int j = 0; j < LF; j += 4) {
                sum += ((double) e.lane(j) + e.lane(j + 1)) + ((double) e.lane(j + 2) + e.lane(j + 3));
            }
        }
        return sum;
    }

    /** sum_c exp(x_c - m) over the row, storing each exp into out (which may be x). */
    private static double expSumStore(float[] x, int base, int classes, float m, float[] out) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        double sum = 0;
        int i = base;
        // float lanes in two levels of CHUNK vectors, then into the double sum in lane order. Loops,
        // not a flat loop with a conditional flush: a vector reassigned on one branch of an if is
        // boxed where the branches merge (measured: one allocation per flush on JDK 17).
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            FloatVector acc2 = FloatVector.zero(FS);
            while (i < outerEnd) {
                final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                FloatVector acc = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    FloatVector d = FloatVector.fromArray(FS, x, i).sub(vm);
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
                    e.intoArray(out, i);
                    acc = acc.add(e);
                }
                acc2 = acc2.add(acc);
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see class note)
                sum += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
            }
        }
        if (vend < end) {
            // the last vector ends at the row's end; its done lanes keep what is stored there (in
            // place, x there already holds exps) and stay out of the sum
            final int last = end - LF;
            final VectorMask<Float> done = IOTA_F.lt((float) (vend - last));
            FloatVector d = FloatVector.fromArray(FS, x, last).sub(vm);
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
            e.blend(FloatVector.fromArray(FS, out, last), done).intoArray(out, last);
            e = e.blend(0f, done);
            for (int j = 0; j < LF; j += 4) {
                sum += ((double) e.lane(j) + e.lane(j + 1)) + ((double) e.lane(j + 2) + e.lane(j + 3));
            }
        }
        return sum;
    }

    /** sum_c (x_c - m) over the row (each term <= 0: no cancellation). */
    private static double shiftedSum(float[] x, int base, int classes, float m) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        double sum = 0;
        int i = base;
        // float lanes in two levels of CHUNK vectors, then into the double sum in lane order. Loops,
        // not a flat loop with a conditional flush: a vector reassigned on one branch of an if is
        // boxed where the branches merge (measured: one allocation per flush on JDK 17).
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            FloatVector acc2 = FloatVector.zero(FS);
            while (i < outerEnd) {
                final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                FloatVector acc = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    acc = acc.add(FloatVector.fromArray(FS, x, i).sub(vm));
                }
                acc2 = acc2.add(acc);
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see class note)
                sum += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
            }
        }
        for (; i < end; i++) {
            sum += x[i] - m;
        }
        return sum;
    }

    /** g_c = e_c * scale - sub over the row, in place. */
    private static void scaleRow(float[] g, int base, int classes, float scale, float sub) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vs = FloatVector.broadcast(FS, scale);
        final FloatVector vsub = FloatVector.broadcast(FS, -sub);
        int i = base;
        for (; i < vend; i += LF) {
            FloatVector.fromArray(FS, g, i).fma(vs, vsub).intoArray(g, i);
        }
        for (; i < end; i++) {
            g[i] = Math.fma(g[i], scale, -sub);
        }
    }

    // ================================================================ cross-entropy, index, float64

    @Override
    public void crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                               double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        if (inner != 1 || classes < LD || (eps > 0 && p.weight != null)) {
            ref.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        final double epsC = eps / classes;
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
                ref.crossEntropy(x, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, lossSum);
                continue;
            }
            final double xy = x[base + y];
            final double wd = eps > 0 ? shiftedSum(x, base, classes, m) : 0;
            final double sum = gradOut == null ? expSum(x, base, classes, m) : expSumStore(x, base, classes, m, gradOut);
            final double logS = Math.log(sum);
            final double wy = p.w(y);
            double loss = wy * (logS - (xy - m));
            if (eps > 0) {
                loss = (1 - eps) * loss + epsC * (p.weightSum * logS - wd);
            }
            lossSum.add(loss);
            if (lossOut != null) {
                lossOut[n] = loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                final double a = g * (1 - eps) * wy;
                final double scale = (a + g * epsC * p.weightSum) / sum;
                final double sub = g * epsC;
                final double ey = gradOut[base + y];
                scaleRow(gradOut, base, classes, scale, sub);
                gradOut[base + y] = ey * scale - sub - a;
            }
        }
    }

    private static double rowMax(double[] x, int base, int classes) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        DoubleVector acc = DoubleVector.fromArray(DS, x, base);
        for (int i = base + LD; i < vend; i += LD) {
            acc = acc.max(DoubleVector.fromArray(DS, x, i));
        }
        // max is exact and order-free, so the lane reduction order does not matter here
        double m = acc.reduceLanes(VectorOperators.MAX);
        for (int i = vend; i < end; i++) {
            m = Math.max(m, x[i]);
        }
        return m;
    }

    private static double expSum(double[] x, int base, int classes, double m) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            DoubleVector d = DoubleVector.fromArray(DS, x, i).sub(vm);
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
            acc = acc.add(e);
        }
        double sum = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see class note)
            sum += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        if (vend < end) {
            final int last = end - LD;
            final VectorMask<Double> done = IOTA_D.lt((double) (vend - last));
            DoubleVector d = DoubleVector.fromArray(DS, x, last).sub(vm);
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
            e = e.blend(0.0, done);
            for (int j = 0; j < LD; j += 4) {
                sum += (e.lane(j) + e.lane(j + 1)) + (e.lane(j + 2) + e.lane(j + 3));
            }
        }
        return sum;
    }

    private static double expSumStore(double[] x, int base, int classes, double m, double[] out) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            DoubleVector d = DoubleVector.fromArray(DS, x, i).sub(vm);
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
            e.intoArray(out, i);
            acc = acc.add(e);
        }
        double sum = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see class note)
            sum += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        if (vend < end) {
            final int last = end - LD;
            final VectorMask<Double> done = IOTA_D.lt((double) (vend - last));
            DoubleVector d = DoubleVector.fromArray(DS, x, last).sub(vm);
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
            e.blend(DoubleVector.fromArray(DS, out, last), done).intoArray(out, last);
            e = e.blend(0.0, done);
            for (int j = 0; j < LD; j += 4) {
                sum += (e.lane(j) + e.lane(j + 1)) + (e.lane(j + 2) + e.lane(j + 3));
            }
        }
        return sum;
    }

    private static double shiftedSum(double[] x, int base, int classes, double m) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            acc = acc.add(DoubleVector.fromArray(DS, x, i).sub(vm));
        }
        double sum = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see class note)
            sum += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        for (; i < end; i++) {
            sum += x[i] - m;
        }
        return sum;
    }

    private static void scaleRow(double[] g, int base, int classes, double scale, double sub) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vs = DoubleVector.broadcast(DS, scale);
        final DoubleVector vsub = DoubleVector.broadcast(DS, -sub);
        int i = base;
        for (; i < vend; i += LD) {
            DoubleVector.fromArray(DS, g, i).fma(vs, vsub).intoArray(g, i);
        }
        for (; i < end; i++) {
            g[i] = Math.fma(g[i], scale, -sub);
        }
    }

    // ================================================================ cross-entropy, probabilities

    /**
     * Probability targets, unweighted: per row S = sum e, A = sum t', B = sum t' d with
     * t' = t (1 - eps) + eps / C and d = x - max; loss = A log S - B; grad = e (g A / S) - g t'.
     * A and B are read before the exps overwrite the logits (in place).
     */
    @Override
    public void crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        if (inner != 1 || classes < LF || p.weight != null) {
            ref.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        final float keep = (float) (1 - p.smoothing);
        final float epsC = (float) (p.smoothing / classes);
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final float m = rowMax(x, base, classes);
            if (!Float.isFinite(m)) {
                ref.crossEntropyProbs(x, t, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, lossSum);
                continue;
            }
            final double a = targetSum(t, base, classes, keep, epsC);
            final double b = targetDot(x, t, base, classes, m, keep, epsC);
            final double sum = gradOut == null ? expSum(x, base, classes, m) : expSumStore(x, base, classes, m, gradOut);
            // -sum_c t'_c (d_c - log S) = A log S - B
            final double loss = a * Math.log(sum) - b;
            lossSum.add(loss);
            if (lossOut != null) {
                lossOut[n] = (float) loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                probsGrad(gradOut, t, base, classes, (float) (g * a / sum), (float) -g, keep, epsC);
            }
        }
    }

    /** sum_c t'_c. */
    private static double targetSum(float[] t, int base, int classes, float keep, float epsC) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        double sum = 0;
        int i = base;
        // float lanes in two levels of CHUNK vectors, then into the double sum in lane order. Loops,
        // not a flat loop with a conditional flush: a vector reassigned on one branch of an if is
        // boxed where the branches merge (measured: one allocation per flush on JDK 17).
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            FloatVector acc2 = FloatVector.zero(FS);
            while (i < outerEnd) {
                final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                FloatVector acc = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    acc = acc.add(FloatVector.fromArray(FS, t, i).fma(keep, epsC));
                }
                acc2 = acc2.add(acc);
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see class note)
                sum += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
            }
        }
        for (; i < end; i++) {
            sum += Math.fma(t[i], keep, epsC);
        }
        return sum;
    }

    /** sum_c t'_c (x_c - m). */
    private static double targetDot(float[] x, float[] t, int base, int classes, float m, float keep, float epsC) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        double sum = 0;
        int i = base;
        // float lanes in two levels of CHUNK vectors, then into the double sum in lane order. Loops,
        // not a flat loop with a conditional flush: a vector reassigned on one branch of an if is
        // boxed where the branches merge (measured: one allocation per flush on JDK 17).
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            FloatVector acc2 = FloatVector.zero(FS);
            while (i < outerEnd) {
                final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                FloatVector acc = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    acc = FloatVector.fromArray(FS, t, i).fma(keep, epsC).fma(FloatVector.fromArray(FS, x, i).sub(vm), acc);
                }
                acc2 = acc2.add(acc);
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see class note)
                sum += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
            }
        }
        for (; i < end; i++) {
            sum += Math.fma(t[i], keep, epsC) * (x[i] - m);
        }
        return sum;
    }

    /** g_c = e_c * scale + ng * t'_c, in place over the exps. */
    private static void probsGrad(float[] g, float[] t, int base, int classes, float scale, float ng, float keep, float epsC) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vs = FloatVector.broadcast(FS, scale);
        int i = base;
        for (; i < vend; i += LF) {
            FloatVector wt = FloatVector.fromArray(FS, t, i).fma(keep, epsC);
            FloatVector.fromArray(FS, g, i).fma(vs, wt.mul(ng)).intoArray(g, i);
        }
        for (; i < end; i++) {
            g[i] = Math.fma(g[i], scale, Math.fma(t[i], keep, epsC) * ng);
        }
    }

    @Override
    public void crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        if (inner != 1 || classes < LD || p.weight != null) {
            ref.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final double m = rowMax(x, base, classes);
            if (!Double.isFinite(m)) {
                ref.crossEntropyProbs(x, t, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, lossSum);
                continue;
            }
            final double a = targetSum(t, base, classes, keep, epsC);
            final double b = targetDot(x, t, base, classes, m, keep, epsC);
            final double sum = gradOut == null ? expSum(x, base, classes, m) : expSumStore(x, base, classes, m, gradOut);
            final double loss = a * Math.log(sum) - b;
            lossSum.add(loss);
            if (lossOut != null) {
                lossOut[n] = loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                probsGrad(gradOut, t, base, classes, g * a / sum, -g, keep, epsC);
            }
        }
    }

    private static double targetSum(double[] t, int base, int classes, double keep, double epsC) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            acc = acc.add(DoubleVector.fromArray(DS, t, i).fma(keep, epsC));
        }
        double sum = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see class note)
            sum += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        for (; i < end; i++) {
            sum += Math.fma(t[i], keep, epsC);
        }
        return sum;
    }

    private static double targetDot(double[] x, double[] t, int base, int classes, double m, double keep, double epsC) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            acc = DoubleVector.fromArray(DS, t, i).fma(keep, epsC).fma(DoubleVector.fromArray(DS, x, i).sub(vm), acc);
        }
        double sum = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see class note)
            sum += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        for (; i < end; i++) {
            sum += Math.fma(t[i], keep, epsC) * (x[i] - m);
        }
        return sum;
    }

    private static void probsGrad(double[] g, double[] t, int base, int classes, double scale, double ng, double keep, double epsC) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vs = DoubleVector.broadcast(DS, scale);
        int i = base;
        for (; i < vend; i += LD) {
            DoubleVector wt = DoubleVector.fromArray(DS, t, i).fma(keep, epsC);
            DoubleVector.fromArray(DS, g, i).fma(vs, wt.mul(ng)).intoArray(g, i);
        }
        for (; i < end; i++) {
            g[i] = Math.fma(g[i], scale, Math.fma(t[i], keep, epsC) * ng);
        }
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
    @Override
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

    @Override
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

    // ================================================================ softmax / log_softmax

    @Override
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

    @Override
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

    private static void fill(float[] a, int from, int len, float v) {
        java.util.Arrays.fill(a, from, from + len, v);
    }

    /** The scalar form of the unweighted BCE with logits, for the last elements of a segment. */
    private static double bceTail(float[] x, float[] y, int from, int to,
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
    private static double bceTail(double[] x, double[] y, int from, int to,
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

    // ================================================================ delegated to the reference (for now)

    @Override
    public void nllLoss(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                        float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        ref.nllLoss(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
    }

    @Override
    public void nllLoss(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                        double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum lossSum) {
        ref.nllLoss(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
    }

    @Override
    public void bce(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight,
                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        ref.bce(x, y, i0, i1, slice, weight, lossOut, gradOut, upstream, gradScale, lossSum);
    }

    @Override
    public void bce(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight,
                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum lossSum) {
        ref.bce(x, y, i0, i1, slice, weight, lossOut, gradOut, upstream, gradScale, lossSum);
    }

    @Override
    public void klDiv(float[] x, float[] t, int i0, int i1, int slice, boolean logTarget,
                      float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        ref.klDiv(x, t, i0, i1, slice, logTarget, lossOut, gradOut, upstream, gradScale, lossSum);
    }

    @Override
    public void klDiv(double[] x, double[] t, int i0, int i1, int slice, boolean logTarget,
                      double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum lossSum) {
        ref.klDiv(x, t, i0, i1, slice, logTarget, lossOut, gradOut, upstream, gradScale, lossSum);
    }

    @Override
    public int firstOutsideUnit(float[] a, int from, int to) {
        return ref.firstOutsideUnit(a, from, to);
    }

    @Override
    public int firstOutsideUnit(double[] a, int from, int to) {
        return ref.firstOutsideUnit(a, from, to);
    }

    @Override
    public void softmaxBackward(float[] y, float[] g, int n0, int n1, int classes, int inner, boolean log, float[] dx) {
        ref.softmaxBackward(y, g, n0, n1, classes, inner, log, dx);
    }

    @Override
    public void softmaxBackward(double[] y, double[] g, int n0, int n1, int classes, int inner, boolean log, double[] dx) {
        ref.softmaxBackward(y, g, n0, n1, classes, inner, log, dx);
    }
}
