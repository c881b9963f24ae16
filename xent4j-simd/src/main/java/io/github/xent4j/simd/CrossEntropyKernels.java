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
 * Cross-entropy with class-index and probability targets on vectors; see {@link VectorKernels}
 * for the algorithm, the tails and the error budget.
 */
final class CrossEntropyKernels {

    /** The scalar reference kernels, for the cases delegated. */
    private final Kernels ref;

    CrossEntropyKernels(Kernels reference) {
        this.ref = reference;
    }

    // ================================================================ cross-entropy, index, float32

    public void crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                               float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        if (inner != 1) {
            if (StridedCeKernels.takes(inner, classes, true)) {
                StridedCeKernels.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            } else {
                ref.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            }
            return;
        }
        if (classes == 1 || (classes < LF && lossOut != null)) {
            // C = 1: the exact gradient is 0, which the reference gives exactly. Per-position losses of rows
            // under one vector: the reference's double arithmetic as before (the lane path forms them in
            // float32, within 1 ulp of float as PyTorch does; the CLI pins the double-rounded values)
            ref.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        if (classes < LF) {
            StridedCeKernels.shortRows(x, target, n0, n1, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        // class weights enter the smoothing sums and the gradient's smoothing term only with smoothing
        if (classes <= 2 * LF && (eps == 0 || p.weightF == null)) {
            crossEntropyShortRows(x, target, n0, n1, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        if (eps == 0) {
            crossEntropyRows(x, target, n0, n1, p, lossOut, gradOut, upstream, gradScale, lossSum);
        } else {
            crossEntropySmoothed(x, target, n0, n1, p, lossOut, gradOut, upstream, gradScale, lossSum);
        }
    }

    /** Rows of at least L classes with label smoothing (and class weights, if any). */
    private void crossEntropySmoothed(float[] x, int[] target, int n0, int n1, CeParams p,
                                      float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        final float[] wF = p.weightF;
        final double epsC = eps / classes;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final int y = target[n];
            final float m = rowMax(x, base, classes);
            if (y == p.ignoreIndex) {
                ignoredRow(lossOut, gradOut, n, base, classes, m);
                continue;
            }
            if (!Float.isFinite(m)) {
                ref.crossEntropy(x, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, lossSum);
                continue;
            }
            final double xy = x[base + y];
            // sum_c w_c d_c with d_c = x_c - max (w_c = 1 unweighted); read before pass 2, which
            // overwrites the logits in place
            final double wd = wF == null ? shiftedSum(x, base, classes, m) : weightedShiftedSum(x, base, classes, m, wF);
            final double sum = gradOut == null ? expSum(x, base, classes, m) : expSumStore(x, base, classes, m, gradOut);
            final double logS = Math.log(sum);
            final double wy = p.w(y);
            final double loss = (1 - eps) * (wy * (logS - (xy - m))) + epsC * (p.weightSum * logS - wd);
            lossSum.add(loss);
            if (lossOut != null) {
                lossOut[n] = (float) loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                final double a = g * (1 - eps) * wy;
                final double scale = (a + g * epsC * p.weightSum) / sum;
                final double sub = g * epsC; // the smoothing term g eps/C w_c, w_c = 1 unweighted
                final double ey = gradOut[base + y];
                if (wF == null) {
                    scaleRow(gradOut, base, classes, (float) scale, (float) sub);
                } else {
                    scaleRowWeighted(gradOut, base, classes, (float) scale, (float) sub, wF);
                }
                gradOut[base + y] = (float) (ey * scale - sub * (wF == null ? 1 : wy) - a);
            }
        }
    }

    /**
     * Rows of more than 2L classes without label smoothing (class weights allowed: they enter only
     * as w_y): the general path's arithmetic on primitives of its own, a two-chain max and an exp sum
     * with one lane reduction (see RowKernels), small enough that C2 inlines them here. The shared
     * primitives stay as they are: enlarging them pushes the big kernels that inline them past C2's
     * inlining budget, and their vectors get boxed. (Rows in interleaved pairs measured no faster.)
     */
    private void crossEntropyRows(float[] x, int[] target, int n0, int n1, CeParams p,
                                  float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final int y = target[n];
            final float m = rowMaxTwoChains(x, base, classes);
            if (y == p.ignoreIndex) {
                ignoredRow(lossOut, gradOut, n, base, classes, m);
                continue;
            }
            if (!Float.isFinite(m)) {
                ref.crossEntropy(x, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, lossSum);
                continue;
            }
            final double xy = x[base + y];
            final double sum = gradOut == null ? expSumOneReduction(x, base, classes, m)
                    : expSumStoreOneReduction(x, base, classes, m, gradOut);
            final double wy = p.w(y);
            final double loss = wy * (Math.log(sum) - (xy - m));
            lossSum.add(loss);
            if (lossOut != null) {
                lossOut[n] = (float) loss;
            }
            if (gradOut != null) {
                final double a = gradScale * (upstream == null ? 1.0 : upstream[n]) * wy;
                final double scale = a / sum;
                final double ey = gradOut[base + y];
                scaleRowOverlap(gradOut, base, classes, (float) scale);
                gradOut[base + y] = (float) (ey * scale - a);
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
                ignoredRow(lossOut, gradOut, n, base, classes, m);
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

    /** An ignored row of max m: loss 0, and the log_softmax backward of a zero upstream, -p * 0 (NaN when the row is NaN). */
    private static void ignoredRow(float[] lossOut, float[] gradOut, int n, int base, int classes, float m) {
        if (lossOut != null) {
            lossOut[n] = 0f;
        }
        if (gradOut != null) {
            fill(gradOut, base, classes, Float.isFinite(m) ? 0f : Float.NaN);
        }
    }

    // ================================================================ cross-entropy, index, float64

    public void crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                               double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        if (inner != 1) {
            if (StridedCeKernels.takes(inner, classes, false)) {
                StridedCeKernels.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            } else {
                ref.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            }
            return;
        }
        if (classes == 1) {
            // the exact gradient is 0: the reference gives it exactly
            ref.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        if (classes < LD) {
            StridedCeKernels.shortRows(x, target, n0, n1, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        final double[] w = eps > 0 ? p.weight : null;
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
            final double wd = eps == 0 ? 0 : w == null ? shiftedSum(x, base, classes, m) : weightedShiftedSum(x, base, classes, m, w);
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
                if (w == null) {
                    scaleRow(gradOut, base, classes, scale, sub);
                } else {
                    scaleRowWeighted(gradOut, base, classes, scale, sub, w);
                }
                gradOut[base + y] = ey * scale - sub * (w == null ? 1 : wy) - a;
            }
        }
    }

    // ================================================================ cross-entropy, probabilities

    /**
     * Probability targets: per row S = sum e, A = sum w t', B = sum w t' d with
     * t' = t (1 - eps) + eps / C, d = x - max and w the class weights (1 without); loss = A log S - B;
     * grad = e (g A / S) - g w t'.
     * A and B are read before the exps overwrite the logits (in place).
     */
    public void crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        if (inner != 1) {
            if (StridedCeKernels.takes(inner, classes, true)) {
                StridedCeKernels.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            } else {
                ref.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            }
            return;
        }
        if (classes < LF) {
            ref.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        final float[] w = p.weightF;
        final float keep = (float) (1 - p.smoothing);
        final float epsC = (float) (p.smoothing / classes);
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final float m = rowMax(x, base, classes);
            if (!Float.isFinite(m)) {
                ref.crossEntropyProbs(x, t, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, lossSum);
                continue;
            }
            final double a = w == null ? targetSum(t, base, classes, keep, epsC) : weightedTargetSum(t, base, classes, keep, epsC, w);
            final double b = w == null ? targetDot(x, t, base, classes, m, keep, epsC)
                    : weightedTargetDot(x, t, base, classes, m, keep, epsC, w);
            final double sum = gradOut == null ? expSum(x, base, classes, m) : expSumStore(x, base, classes, m, gradOut);
            // -sum_c t'_c (d_c - log S) = A log S - B
            final double loss = a * Math.log(sum) - b;
            lossSum.add(loss);
            if (lossOut != null) {
                lossOut[n] = (float) loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                if (w == null) {
                    probsGrad(gradOut, t, base, classes, (float) (g * a / sum), (float) -g, keep, epsC);
                } else {
                    weightedProbsGrad(gradOut, t, base, classes, (float) (g * a / sum), (float) -g, keep, epsC, w);
                }
            }
        }
    }

    /** sum_c t'_c. */
    static double targetSum(float[] t, int base, int classes, float keep, float epsC) {
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
    static double targetDot(float[] x, float[] t, int base, int classes, float m, float keep, float epsC) {
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
    static void probsGrad(float[] g, float[] t, int base, int classes, float scale, float ng, float keep, float epsC) {
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

    /** sum_c w_c t'_c, w indexed by class. */
    static double weightedTargetSum(float[] t, int base, int classes, float keep, float epsC, float[] w) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        double sum = 0;
        int i = base;
        // two float levels of CHUNK vectors as in targetSum
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            FloatVector acc2 = FloatVector.zero(FS);
            while (i < outerEnd) {
                final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                FloatVector acc = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    acc = FloatVector.fromArray(FS, t, i).fma(keep, epsC).fma(FloatVector.fromArray(FS, w, i - base), acc);
                }
                acc2 = acc2.add(acc);
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see class note)
                sum += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
            }
        }
        for (; i < end; i++) {
            sum += (double) w[i - base] * Math.fma(t[i], keep, epsC);
        }
        return sum;
    }

    /** sum_c w_c t'_c (x_c - m), w indexed by class. */
    static double weightedTargetDot(float[] x, float[] t, int base, int classes, float m, float keep, float epsC, float[] w) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        double sum = 0;
        int i = base;
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            FloatVector acc2 = FloatVector.zero(FS);
            while (i < outerEnd) {
                final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                FloatVector acc = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    FloatVector wt = FloatVector.fromArray(FS, t, i).fma(keep, epsC).mul(FloatVector.fromArray(FS, w, i - base));
                    acc = wt.fma(FloatVector.fromArray(FS, x, i).sub(vm), acc);
                }
                acc2 = acc2.add(acc);
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see class note)
                sum += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
            }
        }
        for (; i < end; i++) {
            sum += (double) w[i - base] * Math.fma(t[i], keep, epsC) * (x[i] - m);
        }
        return sum;
    }

    /** g_c = e_c * scale + ng * w_c t'_c, in place over the exps, w indexed by class. */
    static void weightedProbsGrad(float[] g, float[] t, int base, int classes, float scale, float ng, float keep, float epsC, float[] w) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vs = FloatVector.broadcast(FS, scale);
        int i = base;
        for (; i < vend; i += LF) {
            FloatVector wt = FloatVector.fromArray(FS, t, i).fma(keep, epsC).mul(FloatVector.fromArray(FS, w, i - base));
            FloatVector.fromArray(FS, g, i).fma(vs, wt.mul(ng)).intoArray(g, i);
        }
        for (; i < end; i++) {
            g[i] = Math.fma(g[i], scale, w[i - base] * Math.fma(t[i], keep, epsC) * ng);
        }
    }

    public void crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum lossSum) {
        final int classes = p.classes;
        if (inner != 1) {
            if (StridedCeKernels.takes(inner, classes, false)) {
                StridedCeKernels.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            } else {
                ref.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            }
            return;
        }
        if (classes < LD) {
            ref.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, lossSum);
            return;
        }
        final double[] w = p.weight;
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final double m = rowMax(x, base, classes);
            if (!Double.isFinite(m)) {
                ref.crossEntropyProbs(x, t, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale, lossSum);
                continue;
            }
            final double a = w == null ? targetSum(t, base, classes, keep, epsC) : weightedTargetSum(t, base, classes, keep, epsC, w);
            final double b = w == null ? targetDot(x, t, base, classes, m, keep, epsC)
                    : weightedTargetDot(x, t, base, classes, m, keep, epsC, w);
            final double sum = gradOut == null ? expSum(x, base, classes, m) : expSumStore(x, base, classes, m, gradOut);
            final double loss = a * Math.log(sum) - b;
            lossSum.add(loss);
            if (lossOut != null) {
                lossOut[n] = loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                if (w == null) {
                    probsGrad(gradOut, t, base, classes, g * a / sum, -g, keep, epsC);
                } else {
                    weightedProbsGrad(gradOut, t, base, classes, g * a / sum, -g, keep, epsC, w);
                }
            }
        }
    }

    static double targetSum(double[] t, int base, int classes, double keep, double epsC) {
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

    static double targetDot(double[] x, double[] t, int base, int classes, double m, double keep, double epsC) {
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

    static void probsGrad(double[] g, double[] t, int base, int classes, double scale, double ng, double keep, double epsC) {
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

    static double weightedTargetSum(double[] t, int base, int classes, double keep, double epsC, double[] w) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            acc = DoubleVector.fromArray(DS, t, i).fma(keep, epsC).fma(DoubleVector.fromArray(DS, w, i - base), acc);
        }
        double sum = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see class note)
            sum += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        for (; i < end; i++) {
            sum += w[i - base] * Math.fma(t[i], keep, epsC);
        }
        return sum;
    }

    static double weightedTargetDot(double[] x, double[] t, int base, int classes, double m, double keep, double epsC, double[] w) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            DoubleVector wt = DoubleVector.fromArray(DS, t, i).fma(keep, epsC).mul(DoubleVector.fromArray(DS, w, i - base));
            acc = wt.fma(DoubleVector.fromArray(DS, x, i).sub(vm), acc);
        }
        double sum = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see class note)
            sum += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        for (; i < end; i++) {
            sum += w[i - base] * Math.fma(t[i], keep, epsC) * (x[i] - m);
        }
        return sum;
    }

    static void weightedProbsGrad(double[] g, double[] t, int base, int classes, double scale, double ng, double keep, double epsC, double[] w) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vs = DoubleVector.broadcast(DS, scale);
        int i = base;
        for (; i < vend; i += LD) {
            DoubleVector wt = DoubleVector.fromArray(DS, t, i).fma(keep, epsC).mul(DoubleVector.fromArray(DS, w, i - base));
            DoubleVector.fromArray(DS, g, i).fma(vs, wt.mul(ng)).intoArray(g, i);
        }
        for (; i < end; i++) {
            g[i] = Math.fma(g[i], scale, w[i - base] * Math.fma(t[i], keep, epsC) * ng);
        }
    }
}
