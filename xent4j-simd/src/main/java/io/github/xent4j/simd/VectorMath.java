package io.github.xent4j.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp and log1p on vectors, by range reduction and a polynomial, for the arguments the kernels
 * produce. Every operation is a lane-wise IEEE operation or a fused multiply-add, which the
 * interpreter, C1 and C2 all evaluate identically, so results never depend on the JIT's state.
 *
 * <p>The vector methods are the reference form of the polynomials: the kernels write the same
 * steps out inside their loops (a vector passed to a method C2 does not inline is boxed, 10-250x
 * slower, and C2 stops inlining such helpers after two copies per method), and the tests check the
 * vector form against its scalar twin bit for bit and against {@code Math.exp}/{@code Math.log1p}.
 * The scalar twins also serve the kernels' scalar tails.
 *
 * <p>Why not {@code lanewise(VectorOperators.EXP)}: on JDK 17 it is an SVML stub where the JDK has
 * one (measured here at 0.47 ns/element against this polynomial's 0.41, {@code ExpBench}), and its
 * interpreter fallback is {@code Math.exp}, so its bits could depend on the JIT tier.
 */
final class VectorMath {

    /**
     * The vector shape of every kernel: the platform's preferred one, or the one that
     * {@code -Dxent4j.simd.bits=256|512} names. A shape wider than the hardware's is emulated by the
     * JVM (correct, but much slower): the tests use it to check the 512-bit code on an AVX2 machine.
     */
    static final VectorShape SHAPE = shape(System.getProperty("xent4j.simd.bits"));
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED.withShape(SHAPE);
    /** Lanes of a float and of a double vector. */
    static final int LF = FS.length();
    static final int LD = DS.length();
    /** Vectors per float chunk before the lane sums move to double. */
    static final int CHUNK = 8;
    /** Lane indices 0, 1, ..., L-1, to mask the lanes of an overlapping last vector. */
    static final FloatVector IOTA_F = FloatVector.zero(FS).addIndex(1);
    static final DoubleVector IOTA_D = DoubleVector.zero(DS).addIndex(1);

    private static VectorShape shape(String bits) {
        return bits == null || bits.isBlank() ? VectorShape.preferredShape() : VectorShape.forBitSize(Integer.parseInt(bits.trim()));
    }

    private VectorMath() {
    }

    private static FloatVector bf(float c) {
        return FloatVector.broadcast(FS, c);
    }

    private static DoubleVector bd(double c) {
        return DoubleVector.broadcast(DS, c);
    }

    // ---------------------------------------------------------------- float32 exp

    /** exp(d) is 0 in this implementation below this (2^-126 is reached at about -87.34). */
    static final float EXP_LO_F = -87.33f;
    static final float LOG2E_F = 1.44269504088896341f;
    static final float SHIFT_F = 12582912f; // 1.5 * 2^23: adding it rounds to an integer
    // ln 2 = C1 + C2 with C1 short enough that k * C1 is exact (Cody-Waite)
    static final float LN2_HI_F = 0.693359375f;
    static final float LN2_LO_F = -2.12194440e-4f;
    // cephes expf: exp(r) = 1 + r + r^2 * P(r) on |r| <= ln2/2, about 1 ulp
    static final float P0 = 1.9875691500E-4f;
    static final float P1 = 1.3981999507E-3f;
    static final float P2 = 8.3334519073E-3f;
    static final float P3 = 4.1665795894E-2f;
    static final float P4 = 1.6666665459E-1f;
    static final float P5 = 5.0000001201E-1f;

    /**
     * exp(d) for d <= 0 (the kernels pass x - max): k = round(d / ln2), r = d - k ln2,
     * exp(d) = 2^k (1 + r + r^2 P(r)). Relative error about 1 ulp (1.2e-7) for d >= -87.33, 0 below
     * (and for -inf); NaN stays NaN. Not valid for d > 88.
     */
    static FloatVector exp(FloatVector d) {
        FloatVector t = d.fma(LOG2E_F, SHIFT_F);
        FloatVector k = t.sub(SHIFT_F);
        FloatVector r = k.fma(bf(-LN2_HI_F), d);
        r = k.fma(bf(-LN2_LO_F), r);
        FloatVector r2 = r.mul(r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, bf(P2));
        p = p.fma(r, bf(P3));
        p = p.fma(r, bf(P4));
        p = p.fma(r, bf(P5));
        p = p.fma(r2, r).add(1f);
        // 2^k from the low bits of t: (bits(t) << 23) keeps exactly k in the exponent field
        IntVector bits = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23);
        FloatVector e = p.mul(bits.reinterpretAsFloats());
        return e.blend(0f, d.lt(EXP_LO_F));
    }

    /** The scalar twin of {@link #exp(FloatVector)}, bit for bit the same. */
    static float exp(float d) {
        if (d < EXP_LO_F) {
            return 0f;
        }
        float t = Math.fma(d, LOG2E_F, SHIFT_F);
        float k = t - SHIFT_F;
        float r = Math.fma(k, -LN2_HI_F, d);
        r = Math.fma(k, -LN2_LO_F, r);
        float r2 = r * r;
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        p = Math.fma(p, r2, r) + 1f;
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) << 23) + (127 << 23));
    }

    // ---------------------------------------------------------------- float64 exp

    /** exp(d) is 0 in this implementation below this (2^-1022 is reached at about -708.4). */
    static final double EXP_LO_D = -708.3;
    static final double LOG2E_D = 1.4426950408889634;
    static final double SHIFT_D = 6755399441055744.0; // 1.5 * 2^52
    // fdlibm's split of ln 2: the high part has 32 trailing zero bits
    static final double LN2_HI_D = 6.93147180369123816490e-01;
    static final double LN2_LO_D = 1.90821492927058770002e-10;
    // Taylor coefficients 1/k!, k = 2..12: truncation r^13/13! < 2e-16 relative on |r| <= ln2/2
    static final double Q12 = 1.0 / 479001600;
    static final double Q11 = 1.0 / 39916800;
    static final double Q10 = 1.0 / 3628800;
    static final double Q9 = 1.0 / 362880;
    static final double Q8 = 1.0 / 40320;
    static final double Q7 = 1.0 / 5040;
    static final double Q6 = 1.0 / 720;
    static final double Q5 = 1.0 / 120;
    static final double Q4 = 1.0 / 24;
    static final double Q3 = 1.0 / 6;
    static final double Q2 = 0.5;

    /** exp(d) for d <= 0, as the float version with a degree-12 polynomial; about 1-2 ulp of double. */
    static DoubleVector exp(DoubleVector d) {
        DoubleVector t = d.fma(LOG2E_D, SHIFT_D);
        DoubleVector k = t.sub(SHIFT_D);
        DoubleVector r = k.fma(bd(-LN2_HI_D), d);
        r = k.fma(bd(-LN2_LO_D), r);
        DoubleVector p = r.fma(Q12, Q11);
        p = p.fma(r, bd(Q10));
        p = p.fma(r, bd(Q9));
        p = p.fma(r, bd(Q8));
        p = p.fma(r, bd(Q7));
        p = p.fma(r, bd(Q6));
        p = p.fma(r, bd(Q5));
        p = p.fma(r, bd(Q4));
        p = p.fma(r, bd(Q3));
        p = p.fma(r, bd(Q2));
        p = p.fma(r, bd(1.0));
        p = p.fma(r, bd(1.0));
        LongVector bits = t.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).add(1023L << 52);
        DoubleVector e = p.mul(bits.reinterpretAsDoubles());
        return e.blend(0.0, d.lt(EXP_LO_D));
    }

    /** The scalar twin of {@link #exp(DoubleVector)}, bit for bit the same. */
    static double exp(double d) {
        if (d < EXP_LO_D) {
            return 0.0;
        }
        double t = Math.fma(d, LOG2E_D, SHIFT_D);
        double k = t - SHIFT_D;
        double r = Math.fma(k, -LN2_HI_D, d);
        r = Math.fma(k, -LN2_LO_D, r);
        double p = Math.fma(r, Q12, Q11);
        p = Math.fma(p, r, Q10);
        p = Math.fma(p, r, Q9);
        p = Math.fma(p, r, Q8);
        p = Math.fma(p, r, Q7);
        p = Math.fma(p, r, Q6);
        p = Math.fma(p, r, Q5);
        p = Math.fma(p, r, Q4);
        p = Math.fma(p, r, Q3);
        p = Math.fma(p, r, Q2);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        return p * Double.longBitsToDouble((Double.doubleToRawLongBits(t) << 52) + (1023L << 52));
    }

    // ---------------------------------------------------------------- log1p on (0, 1]

    /**
     * log1p(e) for e in [0, 1] (the kernels pass exp(-|x|)): with s = e / (2 + e) in [0, 1/3],
     * log1p(e) = 2 atanh(s) = 2 s (1 + s^2/3 + s^4/5 + ...), 7 terms (truncation < 2e-8 relative).
     * No rounding of 1 + e is involved, so small e keeps full relative accuracy.
     */
    static FloatVector log1pUnit(FloatVector e) {
        FloatVector s = e.div(e.add(2f));
        FloatVector z = s.mul(s);
        FloatVector q = z.fma(1f / 13, 1f / 11);
        q = q.fma(z, bf(1f / 9));
        q = q.fma(z, bf(1f / 7));
        q = q.fma(z, bf(1f / 5));
        q = q.fma(z, bf(1f / 3));
        q = q.fma(z, bf(1f));
        return s.add(s).mul(q);
    }

    /** log1p(e) for e in [0, 1], float64: the same series to s^34 (truncation < 2e-17 relative). */
    static DoubleVector log1pUnit(DoubleVector e) {
        DoubleVector s = e.div(e.add(2.0));
        DoubleVector z = s.mul(s);
        DoubleVector q = z.fma(1.0 / 35, 1.0 / 33);
        q = q.fma(z, bd(1.0 / 31));
        q = q.fma(z, bd(1.0 / 29));
        q = q.fma(z, bd(1.0 / 27));
        q = q.fma(z, bd(1.0 / 25));
        q = q.fma(z, bd(1.0 / 23));
        q = q.fma(z, bd(1.0 / 21));
        q = q.fma(z, bd(1.0 / 19));
        q = q.fma(z, bd(1.0 / 17));
        q = q.fma(z, bd(1.0 / 15));
        q = q.fma(z, bd(1.0 / 13));
        q = q.fma(z, bd(1.0 / 11));
        q = q.fma(z, bd(1.0 / 9));
        q = q.fma(z, bd(1.0 / 7));
        q = q.fma(z, bd(1.0 / 5));
        q = q.fma(z, bd(1.0 / 3));
        q = q.fma(z, bd(1.0));
        return s.add(s).mul(q);
    }
}
