package io.github.xent4j.simd;

import io.github.xent4j.spi.LinearCeKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static io.github.xent4j.simd.VectorMath.EXP_LO_F;
import static io.github.xent4j.simd.VectorMath.FS;
import static io.github.xent4j.simd.VectorMath.LN2_HI_F;
import static io.github.xent4j.simd.VectorMath.LN2_LO_F;
import static io.github.xent4j.simd.VectorMath.LOG2E_F;
import static io.github.xent4j.simd.VectorMath.P0;
import static io.github.xent4j.simd.VectorMath.P1;
import static io.github.xent4j.simd.VectorMath.P2;
import static io.github.xent4j.simd.VectorMath.P3;
import static io.github.xent4j.simd.VectorMath.P4;
import static io.github.xent4j.simd.VectorMath.P5;
import static io.github.xent4j.simd.VectorMath.SHIFT_F;

/**
 * Vector row operations of the fused linear + cross-entropy loss. Float32 soft-capping evaluates
 * tanh as cephes' {@code tanhf} does, branch-free: for |t| < 0.625 the odd minimax polynomial
 * {@code t + t^3 P(t^2)}, else {@code (1 - e) / (1 + e)} with {@code e = exp(-2|t|)} from the
 * kernels' exp polynomial (no cancellation there: e <= 0.29); both are computed and blended, the sign
 * restored last. About 2 ulp against {@link Math#tanh}. The scalar tail is the same arithmetic
 * element by element, so an element's result does not depend on where it falls. Float64 delegates
 * to the reference (soft-capping in float64 is not where the time goes).
 */
final class VectorLinearCeKernels implements LinearCeKernels {

    private static final int L = FS.length();
    // cephes tanhf, |x| < 0.625
    private static final float T0 = -5.70498872745E-3f;
    private static final float T1 = 2.06390887954E-2f;
    private static final float T2 = -5.37397155531E-2f;
    private static final float T3 = 1.33314422036E-1f;
    private static final float T4 = -3.33332819422E-1f;
    private static final float SMALL = 0.625f;

    private final LinearCeKernels reference;

    VectorLinearCeKernels(LinearCeKernels reference) {
        this.reference = reference;
    }

    @Override
    public void softcap(float[] x, int off, int len, float cap) {
        final float inv = 1f / cap;
        final int end = off + len;
        int i = off;
        for (; i + L <= end; i += L) {
            FloatVector t = FloatVector.fromArray(FS, x, i).mul(inv);
            FloatVector a = t.abs();
            // small |t|: t + t^3 P(t^2), on |t| (the sign comes back below)
            FloatVector z = a.mul(a);
            FloatVector p = z.fma(T0, T1);
            p = p.fma(z, FloatVector.broadcast(FS, T2));
            p = p.fma(z, FloatVector.broadcast(FS, T3));
            p = p.fma(z, FloatVector.broadcast(FS, T4));
            FloatVector small = p.mul(z).fma(a, a);
            // large |t|: (1 - e) / (1 + e), e = exp(-2|t|), the exp written out (no vector crosses a call)
            FloatVector d = a.mul(-2f);
            FloatVector tt = d.fma(LOG2E_F, SHIFT_F);
            FloatVector k = tt.sub(SHIFT_F);
            FloatVector r = k.fma(FloatVector.broadcast(FS, -LN2_HI_F), d);
            r = k.fma(FloatVector.broadcast(FS, -LN2_LO_F), r);
            FloatVector q = r.fma(P0, P1);
            q = q.fma(r, FloatVector.broadcast(FS, P2));
            q = q.fma(r, FloatVector.broadcast(FS, P3));
            q = q.fma(r, FloatVector.broadcast(FS, P4));
            q = q.fma(r, FloatVector.broadcast(FS, P5));
            q = q.fma(r.mul(r), r).add(1f);
            IntVector bits = tt.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23);
            FloatVector e = q.mul(bits.reinterpretAsFloats()).blend(0f, d.lt(EXP_LO_F));
            FloatVector large = FloatVector.broadcast(FS, 1f).sub(e).div(e.add(1f));
            FloatVector th = large.blend(small, a.lt(SMALL));
            // copysign(th, t); NaN stays NaN through both branches
            VectorMask<Float> neg = t.lt(0f);
            th.blend(th.neg(), neg).mul(cap).intoArray(x, i);
        }
        for (; i < end; i++) {
            x[i] = cap * tanh(x[i] * inv);
        }
    }

    /** The scalar twin of the vector loop's tanh, bit for bit. */
    static float tanh(float t) {
        float a = Math.abs(t);
        float z = a * a;
        float p = Math.fma(z, T0, T1);
        p = Math.fma(p, z, T2);
        p = Math.fma(p, z, T3);
        p = Math.fma(p, z, T4);
        float small = Math.fma(p * z, a, a);
        float e = VectorMath.exp(a * -2f);
        float large = (1f - e) / (e + 1f);
        float th = a < SMALL ? small : large;
        return t < 0f ? -th : th;
    }

    @Override
    public void softcap(double[] x, int off, int len, double cap) {
        reference.softcap(x, off, len, cap);
    }
}
