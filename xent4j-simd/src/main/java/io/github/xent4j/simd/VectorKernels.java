package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import static io.github.xent4j.simd.VectorMath.DS;
import static io.github.xent4j.simd.VectorMath.FS;

/**
 * Fused Vector API kernels for contiguous rows (inner == 1): one exp per element, the exp stored
 * into the gradient buffer and scaled there in place, no allocation.
 *
 * <p>Per row: pass 1 takes the max; pass 2 computes e = exp(x - max) with {@link VectorMath},
 * stores it into the gradient buffer and sums it; the loss is formed in double from the sums
 * ({@code -log_softmax = log S - (x_y - max)}); pass 3 scales e into the gradient. A row of up to a
 * few hundred kB stays in L2 between the passes, so memory sees one read of the logits and one
 * write of the gradient.
 *
 * <p>Tails: the last vector of a row is loaded at {@code C - L} (overlapping the previous one); the
 * overlapping lanes are blended out of the sums and their stored values are kept, which is also
 * correct in place. Rows shorter than one vector, spatial inputs (inner > 1), rows whose max is not
 * finite or whose sum is NaN, weighted label smoothing, weighted probability targets and broadcast
 * BCE weights go to the scalar reference ({@link Kernels#scalar()}).
 *
 * <p>Float32 sums: lanes accumulate in float over chunks of {@value #CHUNK} vectors, then the lanes
 * are added into a double in lane order (a fixed order: {@code reduceLanes} leaves the order of a
 * floating-point sum unspecified). Error budget per row, S = sum of exps: the argument x - max is
 * rounded to float (relative error of e_c up to |d_c| 2^-24), exp adds about 1 ulp, a chunk adds at
 * most {@value #CHUNK} roundings per lane; so |dS/S| <= 2^-23 + 2^-24 (H(p) + CHUNK), with H the
 * entropy of the softmax. The loss inherits that as an absolute error (typically 1e-7); the gradient
 * error is about 2 ulp of float relative to each entry. Float64 kernels accumulate in double lanes.
 */
final class VectorKernels implements Kernels {

    static final VectorKernels INSTANCE = new VectorKernels();

    private static final Kernels SCALAR = Kernels.scalar();
    private static final int LF = FS.length();
    private static final int LD = DS.length();
    /** Vectors per float chunk before the lane sums move to double. */
    private static final int CHUNK = 8;
    private static final FloatVector IOTA_F = FloatVector.zero(FS).addIndex(1);
    private static final DoubleVector IOTA_D = DoubleVector.zero(DS).addIndex(1);

    private VectorKernels() {
    }

    static int preferredBits() {
        return FS.vectorBitSize();
    }

    static String describe() {
        return "vector-" + FS.vectorBitSize() + " (" + LF + " floats, " + LD + " doubles)";
    }

    // ================================================================ cross-entropy, index, float32

    @Override
    public double crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                               float[] lossOut, float[] gradOut, float[] upstream, double gradScale) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        if (inner != 1 || classes < LF || (eps > 0 && p.weight != null)) {
            return SCALAR.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale);
        }
        final double epsC = eps / classes;
        double total = 0;
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
                total += SCALAR.crossEntropy(x, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale);
                continue;
            }
            final double xy = x[base + y];
            // sum_c w_c d_c with d_c = x_c - max, only for smoothing (unweighted here); read before
            // pass 2, which overwrites the logits in place
            final double wd = eps > 0 ? shiftedSum(x, base, classes, m) : 0;
            final double sum = gradOut == null ? expSum(x, base, classes, m) : expSumStore(x, base, classes, m, gradOut);
            if (Double.isNaN(sum)) {
                // a NaN the max did not see (cannot happen with Java max semantics; kept as a guard)
                total += SCALAR.crossEntropy(x, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale);
                continue;
            }
            final double logS = Math.log(sum);
            final double wy = p.w(y);
            double loss = wy * (logS - (xy - m));
            if (eps > 0) {
                loss = (1 - eps) * loss + epsC * (p.weightSum * logS - wd);
            }
            total += loss;
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
        return total;
    }

    /** max over the row, NaN-propagating (Java max semantics, also in the vector lanes). */
    private static float rowMax(float[] x, int base, int classes) {
        final int last = base + classes - LF;
        FloatVector acc = FloatVector.fromArray(FS, x, last);
        for (int i = base; i < last; i += LF) {
            acc = acc.max(FloatVector.fromArray(FS, x, i));
        }
        float m = acc.lane(0);
        for (int j = 1; j < LF; j++) {
            m = Math.max(m, acc.lane(j));
        }
        return m;
    }

    /** Lane sum in lane order, in double. */
    private static double lanes(FloatVector v) {
        double s = 0;
        for (int j = 0; j < LF; j++) {
            s += v.lane(j);
        }
        return s;
    }

    /** sum_c exp(x_c - m) over the row without storing (forward only). */
    private static double expSum(float[] x, int base, int classes, float m) {
        final int last = base + classes - LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        double sum = 0;
        int i = base;
        while (i < last) {
            final int chunkEnd = Math.min(last, i + CHUNK * LF);
            FloatVector acc = FloatVector.zero(FS);
            for (; i < chunkEnd; i += LF) {
                acc = acc.add(VectorMath.exp(FloatVector.fromArray(FS, x, i).sub(vm)));
            }
            sum += lanes(acc);
        }
        // the last vector overlaps lanes [last, i) already counted
        final VectorMask<Float> done = IOTA_F.lt((float) (i - last));
        FloatVector e = VectorMath.exp(FloatVector.fromArray(FS, x, last).sub(vm));
        return sum + lanes(e.blend(0f, done));
    }

    /** sum_c exp(x_c - m) over the row, storing each exp into out (which may be x). */
    private static double expSumStore(float[] x, int base, int classes, float m, float[] out) {
        final int last = base + classes - LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        double sum = 0;
        int i = base;
        while (i < last) {
            final int chunkEnd = Math.min(last, i + CHUNK * LF);
            FloatVector acc = FloatVector.zero(FS);
            for (; i < chunkEnd; i += LF) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(FS, x, i).sub(vm));
                e.intoArray(out, i);
                acc = acc.add(e);
            }
            sum += lanes(acc);
        }
        final VectorMask<Float> done = IOTA_F.lt((float) (i - last));
        // overlapping lanes: keep what is stored (in place, x there already holds exps)
        FloatVector kept = FloatVector.fromArray(FS, out, last);
        FloatVector e = VectorMath.exp(FloatVector.fromArray(FS, x, last).sub(vm)).blend(kept, done);
        e.intoArray(out, last);
        return sum + lanes(e.blend(0f, done));
    }

    /** sum_c (x_c - m) over the row (each term <= 0: no cancellation). */
    private static double shiftedSum(float[] x, int base, int classes, float m) {
        final int last = base + classes - LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        double sum = 0;
        int i = base;
        while (i < last) {
            final int chunkEnd = Math.min(last, i + CHUNK * LF);
            FloatVector acc = FloatVector.zero(FS);
            for (; i < chunkEnd; i += LF) {
                acc = acc.add(FloatVector.fromArray(FS, x, i).sub(vm));
            }
            sum += lanes(acc);
        }
        final VectorMask<Float> done = IOTA_F.lt((float) (i - last));
        return sum + lanes(FloatVector.fromArray(FS, x, last).sub(vm).blend(0f, done));
    }

    /** g_c = e_c * scale - sub over the row, in place. */
    private static void scaleRow(float[] g, int base, int classes, float scale, float sub) {
        final int last = base + classes - LF;
        final FloatVector vs = FloatVector.broadcast(FS, scale);
        final FloatVector vsub = FloatVector.broadcast(FS, -sub);
        int i = base;
        for (; i < last; i += LF) {
            FloatVector.fromArray(FS, g, i).fma(vs, vsub).intoArray(g, i);
        }
        final VectorMask<Float> done = IOTA_F.lt((float) (i - last));
        FloatVector cur = FloatVector.fromArray(FS, g, last);
        cur.fma(vs, vsub).blend(cur, done).intoArray(g, last);
    }

    // ================================================================ cross-entropy, index, float64

    @Override
    public double crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                               double[] lossOut, double[] gradOut, double[] upstream, double gradScale) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        if (inner != 1 || classes < LD || (eps > 0 && p.weight != null)) {
            return SCALAR.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale);
        }
        final double epsC = eps / classes;
        double total = 0;
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
                total += SCALAR.crossEntropy(x, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale);
                continue;
            }
            final double xy = x[base + y];
            final double wd = eps > 0 ? shiftedSum(x, base, classes, m) : 0;
            final double sum = expSum(x, base, classes, m, gradOut);
            if (Double.isNaN(sum)) {
                total += SCALAR.crossEntropy(x, target, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale);
                continue;
            }
            final double logS = Math.log(sum);
            final double wy = p.w(y);
            double loss = wy * (logS - (xy - m));
            if (eps > 0) {
                loss = (1 - eps) * loss + epsC * (p.weightSum * logS - wd);
            }
            total += loss;
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
        return total;
    }

    private static double rowMax(double[] x, int base, int classes) {
        final int last = base + classes - LD;
        DoubleVector acc = DoubleVector.fromArray(DS, x, last);
        for (int i = base; i < last; i += LD) {
            acc = acc.max(DoubleVector.fromArray(DS, x, i));
        }
        double m = acc.lane(0);
        for (int j = 1; j < LD; j++) {
            m = Math.max(m, acc.lane(j));
        }
        return m;
    }

    private static double lanes(DoubleVector v) {
        double s = 0;
        for (int j = 0; j < LD; j++) {
            s += v.lane(j);
        }
        return s;
    }

    /** sum_c exp(x_c - m), storing each exp into out when out is not null (out may be x). */
    private static double expSum(double[] x, int base, int classes, double m, double[] out) {
        final int last = base + classes - LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        if (out == null) {
            for (; i < last; i += LD) {
                acc = acc.add(VectorMath.exp(DoubleVector.fromArray(DS, x, i).sub(vm)));
            }
        } else {
            for (; i < last; i += LD) {
                DoubleVector e = VectorMath.exp(DoubleVector.fromArray(DS, x, i).sub(vm));
                e.intoArray(out, i);
                acc = acc.add(e);
            }
        }
        final VectorMask<Double> done = IOTA_D.lt((double) (i - last));
        DoubleVector e = VectorMath.exp(DoubleVector.fromArray(DS, x, last).sub(vm));
        if (out != null) {
            e = e.blend(DoubleVector.fromArray(DS, out, last), done);
            e.intoArray(out, last);
        }
        return lanes(acc) + lanes(e.blend(0.0, done));
    }

    private static double shiftedSum(double[] x, int base, int classes, double m) {
        final int last = base + classes - LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < last; i += LD) {
            acc = acc.add(DoubleVector.fromArray(DS, x, i).sub(vm));
        }
        final VectorMask<Double> done = IOTA_D.lt((double) (i - last));
        return lanes(acc) + lanes(DoubleVector.fromArray(DS, x, last).sub(vm).blend(0.0, done));
    }

    private static void scaleRow(double[] g, int base, int classes, double scale, double sub) {
        final int last = base + classes - LD;
        final DoubleVector vs = DoubleVector.broadcast(DS, scale);
        final DoubleVector vsub = DoubleVector.broadcast(DS, -sub);
        int i = base;
        for (; i < last; i += LD) {
            DoubleVector.fromArray(DS, g, i).fma(vs, vsub).intoArray(g, i);
        }
        final VectorMask<Double> done = IOTA_D.lt((double) (i - last));
        DoubleVector cur = DoubleVector.fromArray(DS, g, last);
        cur.fma(vs, vsub).blend(cur, done).intoArray(g, last);
    }

    // ================================================================ cross-entropy, probabilities

    @Override
    public double crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale) {
        final int classes = p.classes;
        if (inner != 1 || classes < LF || p.weight != null) {
            return SCALAR.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale);
        }
        final float keep = (float) (1 - p.smoothing);
        final float epsC = (float) (p.smoothing / classes);
        double total = 0;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final float m = rowMax(x, base, classes);
            if (!Float.isFinite(m)) {
                total += SCALAR.crossEntropyProbs(x, t, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale);
                continue;
            }
            // pass 2: S = sum e, A = sum t', B = sum t' d with t' = t keep + eps/C, d = x - max
            final int last = base + classes - LF;
            final FloatVector vm = FloatVector.broadcast(FS, m);
            double sum = 0;
            double a = 0;
            double b = 0;
            int i = base;
            while (i < last) {
                final int chunkEnd = Math.min(last, i + CHUNK * LF);
                FloatVector accS = FloatVector.zero(FS);
                FloatVector accA = FloatVector.zero(FS);
                FloatVector accB = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    FloatVector d = FloatVector.fromArray(FS, x, i).sub(vm);
                    FloatVector wt = FloatVector.fromArray(FS, t, i).fma(keep, epsC);
                    FloatVector e = VectorMath.exp(d);
                    if (gradOut != null) {
                        e.intoArray(gradOut, i);
                    }
                    accS = accS.add(e);
                    accA = accA.add(wt);
                    accB = wt.fma(d, accB);
                }
                sum += lanes(accS);
                a += lanes(accA);
                b += lanes(accB);
            }
            final VectorMask<Float> done = IOTA_F.lt((float) (i - last));
            {
                FloatVector d = FloatVector.fromArray(FS, x, last).sub(vm);
                FloatVector wt = FloatVector.fromArray(FS, t, last).fma(keep, epsC).blend(0f, done);
                FloatVector e = VectorMath.exp(d);
                if (gradOut != null) {
                    e = e.blend(FloatVector.fromArray(FS, gradOut, last), done);
                    e.intoArray(gradOut, last);
                }
                sum += lanes(e.blend(0f, done));
                a += lanes(wt);
                b += lanes(wt.mul(d.blend(0f, done)));
            }
            if (Double.isNaN(sum)) {
                total += SCALAR.crossEntropyProbs(x, t, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale);
                continue;
            }
            // -sum_c t'_c (d_c - log S) = A log S - B
            final double loss = a * Math.log(sum) - b;
            total += loss;
            if (lossOut != null) {
                lossOut[n] = (float) loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                final FloatVector vs = FloatVector.broadcast(FS, (float) (g * a / sum));
                final float ng = (float) -g;
                int k = base;
                for (; k < last; k += LF) {
                    FloatVector wt = FloatVector.fromArray(FS, t, k).fma(keep, epsC);
                    FloatVector.fromArray(FS, gradOut, k).fma(vs, wt.mul(ng)).intoArray(gradOut, k);
                }
                final VectorMask<Float> doneG = IOTA_F.lt((float) (k - last));
                FloatVector wt = FloatVector.fromArray(FS, t, last).fma(keep, epsC);
                FloatVector cur = FloatVector.fromArray(FS, gradOut, last);
                cur.fma(vs, wt.mul(ng)).blend(cur, doneG).intoArray(gradOut, last);
            }
        }
        return total;
    }

    @Override
    public double crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale) {
        final int classes = p.classes;
        if (inner != 1 || classes < LD || p.weight != null) {
            return SCALAR.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale);
        }
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        double total = 0;
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final double m = rowMax(x, base, classes);
            if (!Double.isFinite(m)) {
                total += SCALAR.crossEntropyProbs(x, t, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale);
                continue;
            }
            final int last = base + classes - LD;
            final DoubleVector vm = DoubleVector.broadcast(DS, m);
            DoubleVector accS = DoubleVector.zero(DS);
            DoubleVector accA = DoubleVector.zero(DS);
            DoubleVector accB = DoubleVector.zero(DS);
            int i = base;
            for (; i < last; i += LD) {
                DoubleVector d = DoubleVector.fromArray(DS, x, i).sub(vm);
                DoubleVector wt = DoubleVector.fromArray(DS, t, i).fma(keep, epsC);
                DoubleVector e = VectorMath.exp(d);
                if (gradOut != null) {
                    e.intoArray(gradOut, i);
                }
                accS = accS.add(e);
                accA = accA.add(wt);
                accB = wt.fma(d, accB);
            }
            final VectorMask<Double> done = IOTA_D.lt((double) (i - last));
            DoubleVector d = DoubleVector.fromArray(DS, x, last).sub(vm);
            DoubleVector wtl = DoubleVector.fromArray(DS, t, last).fma(keep, epsC).blend(0.0, done);
            DoubleVector el = VectorMath.exp(d);
            if (gradOut != null) {
                el = el.blend(DoubleVector.fromArray(DS, gradOut, last), done);
                el.intoArray(gradOut, last);
            }
            final double sum = lanes(accS) + lanes(el.blend(0.0, done));
            final double a = lanes(accA) + lanes(wtl);
            final double b = lanes(accB) + lanes(wtl.mul(d.blend(0.0, done)));
            if (Double.isNaN(sum)) {
                total += SCALAR.crossEntropyProbs(x, t, n, n + 1, 1, p, lossOut, gradOut, upstream, gradScale);
                continue;
            }
            final double loss = a * Math.log(sum) - b;
            total += loss;
            if (lossOut != null) {
                lossOut[n] = loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[n]);
                final DoubleVector vs = DoubleVector.broadcast(DS, g * a / sum);
                final double ng = -g;
                int k = base;
                for (; k < last; k += LD) {
                    DoubleVector wt = DoubleVector.fromArray(DS, t, k).fma(keep, epsC);
                    DoubleVector.fromArray(DS, gradOut, k).fma(vs, wt.mul(ng)).intoArray(gradOut, k);
                }
                final VectorMask<Double> doneG = IOTA_D.lt((double) (k - last));
                DoubleVector wt = DoubleVector.fromArray(DS, t, last).fma(keep, epsC);
                DoubleVector cur = DoubleVector.fromArray(DS, gradOut, last);
                cur.fma(vs, wt.mul(ng)).blend(cur, doneG).intoArray(gradOut, last);
            }
        }
        return total;
    }

    // ================================================================ BCE with logits

    /**
     * Unweighted BCE with logits over whole vectors; the remainder of the range and any weight or
     * pos_weight go to the scalar reference. Per element, with e = exp(-|x|):
     * loss = max(x, 0) - y x + log1p(e) (the log-sigmoid form, fma for max(x,0) - y x), sigmoid = x >= 0 ? 1/(1+e) : e/(1+e).
     */
    @Override
    public double bceWithLogits(float[] x, float[] y, int i0, int i1, Broadcast weight, Broadcast posWeight,
                                float[] lossOut, float[] gradOut, float[] upstream, double gradScale) {
        if (weight != null || posWeight != null) {
            return SCALAR.bceWithLogits(x, y, i0, i1, weight, posWeight, lossOut, gradOut, upstream, gradScale);
        }
        final int end = i0 + (i1 - i0) / LF * LF;
        final float gs = (float) gradScale;
        double total = 0;
        int i = i0;
        while (i < end) {
            final int chunkEnd = Math.min(end, i + CHUNK * LF);
            FloatVector acc = FloatVector.zero(FS);
            for (; i < chunkEnd; i += LF) {
                FloatVector xv = FloatVector.fromArray(FS, x, i);
                FloatVector yv = FloatVector.fromArray(FS, y, i);
                FloatVector e = VectorMath.exp(xv.abs().neg());
                // (1 - y) x - min(x, 0) = max(x, 0) - y x, one rounding with fma (no cancellation)
                FloatVector loss = yv.neg().fma(xv, xv.max(0f)).add(VectorMath.log1pUnit(e));
                if (lossOut != null) {
                    loss.intoArray(lossOut, i);
                }
                acc = acc.add(loss);
                if (gradOut != null) {
                    FloatVector r = e.add(1f);
                    FloatVector num = FloatVector.broadcast(FS, 1f).blend(e, xv.lt(0f));
                    FloatVector sig = num.div(r);
                    FloatVector g = upstream == null ? FloatVector.broadcast(FS, gs)
                            : FloatVector.fromArray(FS, upstream, i).mul(gs);
                    sig.sub(yv).mul(g).intoArray(gradOut, i);
                }
            }
            total += lanes(acc);
        }
        if (end < i1) {
            total += SCALAR.bceWithLogits(x, y, end, i1, null, null, lossOut, gradOut, upstream, gradScale);
        }
        return total;
    }

    @Override
    public double bceWithLogits(double[] x, double[] y, int i0, int i1, Broadcast weight, Broadcast posWeight,
                                double[] lossOut, double[] gradOut, double[] upstream, double gradScale) {
        if (weight != null || posWeight != null) {
            return SCALAR.bceWithLogits(x, y, i0, i1, weight, posWeight, lossOut, gradOut, upstream, gradScale);
        }
        final int end = i0 + (i1 - i0) / LD * LD;
        DoubleVector acc = DoubleVector.zero(DS);
        for (int i = i0; i < end; i += LD) {
            DoubleVector xv = DoubleVector.fromArray(DS, x, i);
            DoubleVector yv = DoubleVector.fromArray(DS, y, i);
            DoubleVector e = VectorMath.exp(xv.abs().neg());
            DoubleVector loss = yv.neg().fma(xv, xv.max(0.0)).add(VectorMath.log1pUnit(e));
            if (lossOut != null) {
                loss.intoArray(lossOut, i);
            }
            acc = acc.add(loss);
            if (gradOut != null) {
                DoubleVector num = DoubleVector.broadcast(DS, 1.0).blend(e, xv.lt(0.0));
                DoubleVector sig = num.div(e.add(1.0));
                DoubleVector g = upstream == null ? DoubleVector.broadcast(DS, gradScale)
                        : DoubleVector.fromArray(DS, upstream, i).mul(gradScale);
                sig.sub(yv).mul(g).intoArray(gradOut, i);
            }
        }
        double total = lanes(acc);
        if (end < i1) {
            total += SCALAR.bceWithLogits(x, y, end, i1, null, null, lossOut, gradOut, upstream, gradScale);
        }
        return total;
    }

    // ================================================================ softmax / log_softmax

    @Override
    public void softmax(float[] x, int n0, int n1, int classes, int inner, boolean log, float[] out) {
        if (inner != 1 || classes < LF) {
            SCALAR.softmax(x, n0, n1, classes, inner, log, out);
            return;
        }
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final float m = rowMax(x, base, classes);
            if (!Float.isFinite(m)) {
                SCALAR.softmax(x, n, n + 1, classes, 1, log, out);
                continue;
            }
            if (log) {
                // (x - m) - log S, in this order (pytorch/pytorch#11752)
                final float logS = (float) Math.log(expSum(x, base, classes, m));
                final int last = base + classes - LF;
                final FloatVector vm = FloatVector.broadcast(FS, m);
                int i = base;
                for (; i < last; i += LF) {
                    FloatVector.fromArray(FS, x, i).sub(vm).sub(logS).intoArray(out, i);
                }
                final VectorMask<Float> done = IOTA_F.lt((float) (i - last));
                FloatVector.fromArray(FS, x, last).sub(vm).sub(logS)
                        .blend(FloatVector.fromArray(FS, out, last), done).intoArray(out, last);
            } else {
                final double sum = expSumStore(x, base, classes, m, out);
                scaleRow(out, base, classes, (float) (1 / sum), 0f);
            }
        }
    }

    @Override
    public void softmax(double[] x, int n0, int n1, int classes, int inner, boolean log, double[] out) {
        if (inner != 1 || classes < LD) {
            SCALAR.softmax(x, n0, n1, classes, inner, log, out);
            return;
        }
        for (int n = n0; n < n1; n++) {
            final int base = n * classes;
            final double m = rowMax(x, base, classes);
            if (!Double.isFinite(m)) {
                SCALAR.softmax(x, n, n + 1, classes, 1, log, out);
                continue;
            }
            if (log) {
                final double logS = Math.log(expSum(x, base, classes, m, null));
                final int last = base + classes - LD;
                final DoubleVector vm = DoubleVector.broadcast(DS, m);
                int i = base;
                for (; i < last; i += LD) {
                    DoubleVector.fromArray(DS, x, i).sub(vm).sub(logS).intoArray(out, i);
                }
                final VectorMask<Double> done = IOTA_D.lt((double) (i - last));
                DoubleVector.fromArray(DS, x, last).sub(vm).sub(logS)
                        .blend(DoubleVector.fromArray(DS, out, last), done).intoArray(out, last);
            } else {
                final double sum = expSum(x, base, classes, m, out);
                scaleRow(out, base, classes, 1 / sum, 0);
            }
        }
    }

    private static void fill(float[] a, int from, int len, float v) {
        java.util.Arrays.fill(a, from, from + len, v);
    }
}
