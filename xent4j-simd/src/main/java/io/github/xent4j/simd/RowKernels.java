package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static io.github.xent4j.simd.VectorMath.*;

/**
 * Row primitives shared by the vector kernels: max, sum of exps (with or without storing them),
 * sum of shifted logits, scale-and-subtract in place, over one contiguous row. None takes or returns
 * a vector (see {@link VectorKernels} on why). Float32 sums: lanes accumulate in float over
 * {@code CHUNK} vectors, those chunk sums in float over {@code CHUNK} more, then the lanes are
 * added into a double in a fixed pairwise order.
 */
final class RowKernels {

    private RowKernels() {
    }

    static float rowMax(float[] x, int base, int classes) {
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

    /**
     * {@link #rowMax(float[], int, int)} on integer keys, in two independent chains. A float's bits
     * with the non-sign bits flipped where the sign is set ({@code b ^ ((b >> 31) & 0x7fffffff)})
     * order as the floats do (-0 below +0), so the row's max is one integer max per vector (one cycle,
     * where FloatVector.max, with Java's NaN and signed-zero rules, is six instructions in a chain).
     * NaN sorts by its sign, so the largest |bits| is kept alongside: a row holding a NaN returns NaN.
     * The second chain starts with the vector ending at the row's end, which covers the tail, and an
     * odd last vector is taken again by the max at {@code vend - LF}, unconditionally (max is
     * idempotent, and a vector assigned on one branch only would be boxed). Needs {@code classes >= LF}.
     */
    static float rowMaxTwoChains(float[] x, int base, int classes) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        IntVector va = FloatVector.fromArray(FS, x, base).reinterpretAsInts();
        IntVector vb = FloatVector.fromArray(FS, x, end - LF).reinterpretAsInts();
        IntVector mag = va.lanewise(VectorOperators.AND, 0x7fffffff).max(vb.lanewise(VectorOperators.AND, 0x7fffffff));
        IntVector a = va.lanewise(VectorOperators.XOR, va.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.AND, 0x7fffffff));
        IntVector b = vb.lanewise(VectorOperators.XOR, vb.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.AND, 0x7fffffff));
        int i = base + LF;
        for (; i < vend - LF; i += 2 * LF) {
            IntVector ua = FloatVector.fromArray(FS, x, i).reinterpretAsInts();
            IntVector ub = FloatVector.fromArray(FS, x, i + LF).reinterpretAsInts();
            mag = mag.max(ua.lanewise(VectorOperators.AND, 0x7fffffff)).max(ub.lanewise(VectorOperators.AND, 0x7fffffff));
            a = a.max(ua.lanewise(VectorOperators.XOR, ua.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.AND, 0x7fffffff)));
            b = b.max(ub.lanewise(VectorOperators.XOR, ub.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.AND, 0x7fffffff)));
        }
        IntVector uc = FloatVector.fromArray(FS, x, vend - LF).reinterpretAsInts();
        mag = mag.max(uc.lanewise(VectorOperators.AND, 0x7fffffff));
        b = b.max(uc.lanewise(VectorOperators.XOR, uc.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.AND, 0x7fffffff)));
        if (mag.reduceLanes(VectorOperators.MAX) > 0x7f800000) {
            return Float.NaN;
        }
        final int k = a.max(b).reduceLanes(VectorOperators.MAX);
        return Float.intBitsToFloat(k ^ ((k >> 31) & 0x7fffffff));
    }

    /**
     * sum_c exp(x_c - m) over the row with one lane reduction per {@code CHUNK * CHUNK} vectors
     * instead of one more for the tail: the vector ending at the row's end is done first (its lanes
     * that the loop covers stay out of the sum; when C is a multiple of the vector length that is
     * every lane), and its exps start the first level-2 sum. {@link #expSumStoreOneReduction} makes
     * the same additions in the same order, so forward and forward-backward losses agree bit for bit.
     * Needs {@code classes >= LF}.
     */
    static double expSumOneReduction(float[] x, int base, int classes, float m) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final int last = end - LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        final VectorMask<Float> done = IOTA_F.lt((float) (vend - last));
        final FloatVector tail;
        {
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
            tail = e.blend(0f, done);
        }
        double sum = 0;
        int i = base;
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            // the tail starts the first level-2 sum (a factor, not a branch: a vector assigned on one branch is boxed)
            FloatVector acc2 = tail.mul(i == base ? 1f : 0f);
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
        return sum;
    }

    /**
     * {@link #expSumOneReduction}, storing each exp into out (which may be x). Two methods, not one
     * with an optional out: a store under {@code if (out != null)} leaves the exp live across a
     * branch merge, and C2 boxes it (measured: NoAllocationTest fails for both the forward and the
     * fused call).
     */
    static double expSumStoreOneReduction(float[] x, int base, int classes, float m, float[] out) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final int last = end - LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        final VectorMask<Float> done = IOTA_F.lt((float) (vend - last));
        final FloatVector tail;
        {
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
            // in place, the done lanes still hold logits here: they are put back, for the loop to read
            e.blend(FloatVector.fromArray(FS, out, last), done).intoArray(out, last);
            tail = e.blend(0f, done);
        }
        double sum = 0;
        int i = base;
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            // the tail starts the first level-2 sum (a factor, not a branch: a vector assigned on one branch is boxed)
            FloatVector acc2 = tail.mul(i == base ? 1f : 0f);
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
        return sum;
    }

    /** sum_c exp(x_c - m) over the row without storing (forward only). */
    static double expSum(float[] x, int base, int classes, float m) {
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
    static double expSumStore(float[] x, int base, int classes, float m, float[] out) {
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
    static double shiftedSum(float[] x, int base, int classes, float m) {
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
    static void scaleRow(float[] g, int base, int classes, float scale, float sub) {
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

    /**
     * g_c = e_c * scale over the row, in place, without a scalar tail: the vector ending at the row's
     * end is loaded before the loop and stored after it, so the lanes it shares with the loop's last
     * vector are written twice with the same value (the same multiplication of the same input).
     * Needs {@code classes >= LF}.
     */
    static void scaleRowOverlap(float[] g, int base, int classes, float scale) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vs = FloatVector.broadcast(FS, scale);
        final FloatVector tail = FloatVector.fromArray(FS, g, end - LF).mul(vs);
        for (int i = base; i < vend; i += LF) {
            FloatVector.fromArray(FS, g, i).mul(vs).intoArray(g, i);
        }
        tail.intoArray(g, end - LF);
    }

    /** sum_c w_c (x_c - m) over the row, w indexed by class (each term <= 0 for w >= 0). */
    static double weightedShiftedSum(float[] x, int base, int classes, float m, float[] w) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vm = FloatVector.broadcast(FS, m);
        double sum = 0;
        int i = base;
        // two float levels of CHUNK vectors as in shiftedSum
        while (i < vend) {
            final int outerEnd = Math.min(vend, i + CHUNK * CHUNK * LF);
            FloatVector acc2 = FloatVector.zero(FS);
            while (i < outerEnd) {
                final int chunkEnd = Math.min(outerEnd, i + CHUNK * LF);
                FloatVector acc = FloatVector.zero(FS);
                for (; i < chunkEnd; i += LF) {
                    acc = FloatVector.fromArray(FS, x, i).sub(vm).fma(FloatVector.fromArray(FS, w, i - base), acc);
                }
                acc2 = acc2.add(acc);
            }
            for (int j = 0; j < LF; j += 4) { // lanes in a fixed pairwise order (see class note)
                sum += ((double) acc2.lane(j) + acc2.lane(j + 1)) + ((double) acc2.lane(j + 2) + acc2.lane(j + 3));
            }
        }
        for (; i < end; i++) {
            sum += (double) w[i - base] * (x[i] - m);
        }
        return sum;
    }

    /** g_c = e_c * scale - sub * w_c over the row, in place, w indexed by class. */
    static void scaleRowWeighted(float[] g, int base, int classes, float scale, float sub, float[] w) {
        final int end = base + classes;
        final int vend = end - classes % LF;
        final FloatVector vs = FloatVector.broadcast(FS, scale);
        final FloatVector vsub = FloatVector.broadcast(FS, -sub);
        int i = base;
        for (; i < vend; i += LF) {
            FloatVector.fromArray(FS, g, i).fma(vs, vsub.mul(FloatVector.fromArray(FS, w, i - base))).intoArray(g, i);
        }
        for (; i < end; i++) {
            g[i] = Math.fma(g[i], scale, -sub * w[i - base]);
        }
    }

    static double rowMax(double[] x, int base, int classes) {
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

    static double expSum(double[] x, int base, int classes, double m) {
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

    static double expSumStore(double[] x, int base, int classes, double m, double[] out) {
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

    static double shiftedSum(double[] x, int base, int classes, double m) {
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

    static void scaleRow(double[] g, int base, int classes, double scale, double sub) {
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

    static double weightedShiftedSum(double[] x, int base, int classes, double m, double[] w) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vm = DoubleVector.broadcast(DS, m);
        DoubleVector acc = DoubleVector.zero(DS);
        int i = base;
        for (; i < vend; i += LD) {
            acc = DoubleVector.fromArray(DS, x, i).sub(vm).fma(DoubleVector.fromArray(DS, w, i - base), acc);
        }
        double sum = 0;
        for (int j = 0; j < LD; j += 4) { // lanes in a fixed pairwise order (see class note)
            sum += (acc.lane(j) + acc.lane(j + 1)) + (acc.lane(j + 2) + acc.lane(j + 3));
        }
        for (; i < end; i++) {
            sum += w[i - base] * (x[i] - m);
        }
        return sum;
    }

    static void scaleRowWeighted(double[] g, int base, int classes, double scale, double sub, double[] w) {
        final int end = base + classes;
        final int vend = end - classes % LD;
        final DoubleVector vs = DoubleVector.broadcast(DS, scale);
        final DoubleVector vsub = DoubleVector.broadcast(DS, -sub);
        int i = base;
        for (; i < vend; i += LD) {
            DoubleVector.fromArray(DS, g, i).fma(vs, vsub.mul(DoubleVector.fromArray(DS, w, i - base))).intoArray(g, i);
        }
        for (; i < end; i++) {
            g[i] = Math.fma(g[i], scale, -sub * w[i - base]);
        }
    }

    static void fill(float[] a, int from, int len, float v) {
        java.util.Arrays.fill(a, from, from + len, v);
    }

}
