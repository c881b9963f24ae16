package io.github.xent4j.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, log and log1p on vectors, by range reduction and a polynomial, for the arguments the kernels
 * produce (log for any argument). Every operation is a lane-wise IEEE operation or a fused multiply-add, which the
 * interpreter, C1 and C2 all evaluate identically, so results never depend on the JIT's state.
 *
 * <p>The vector methods are the reference form of the polynomials: the kernels write the same
 * steps out inside their loops (a vector passed to a method C2 does not inline is boxed, 10-250x
 * slower, and C2 stops inlining such helpers after two copies per method), and the tests check the
 * vector form against its scalar twin bit for bit and against {@code Math.exp}/{@code Math.log}/{@code Math.log1p}.
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

    // ---------------------------------------------------------------- log, any argument

    // fdlibm/FreeBSD e_logf.c: x = 2^k m with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact),
    // s = f / (2 + f), log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), R a minimax polynomial;
    // k ln 2 in two parts so that k * LN2_HI is exact. Under 1 ulp in fdlibm's evaluation order.
    /** The float bits of sqrt(1/2): subtracting them puts m in [sqrt(1/2), sqrt(2)) with one shift. */
    static final int SQRT_HALF_BITS_F = 0x3f3504f3;
    static final float LOG_LN2_HI_F = 6.9313812256e-01f; // 0x3f317180, 9 trailing zero bits
    static final float LOG_LN2_LO_F = 9.0580006145e-06f; // 0x3717f7d1
    static final float LG1_F = 0.66666662693f;  // 0xaaaaaa.0p-24
    static final float LG2_F = 0.40000972152f;  // 0xccce13.0p-25
    static final float LG3_F = 0.28498786688f;  // 0x91e9ee.0p-25
    static final float LG4_F = 0.24279078841f;  // 0xf89e26.0p-26

    /**
     * log(x) for every float x, within 1 ulp over the normal and subnormal range (subnormals are
     * scaled by 2^25 first): log(+-0) = -inf, log(+inf) = +inf, log(x < 0) and log(NaN) = NaN, as
     * {@code Math.log}. The scalar twin {@link #log(float)} gives the same bits.
     */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.lt(Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(0x1p25f), sub);
        IntVector ix = xs.reinterpretAsInts().sub(SQRT_HALF_BITS_F);
        // k as a float without a conversion: the integer k added to the bits of 1.5 * 2^23
        FloatVector k = ix.lanewise(VectorOperators.ASHR, 23).add(Float.floatToRawIntBits(SHIFT_F))
                .reinterpretAsFloats().sub(SHIFT_F);
        k = k.sub(bf(25f), sub);
        FloatVector f = ix.and(0x007fffff).add(SQRT_HALF_BITS_F).reinterpretAsFloats().sub(1f);
        FloatVector s = f.div(f.add(2f));
        FloatVector z = s.mul(s);
        FloatVector r = z.fma(LG4_F, LG3_F);
        r = r.fma(z, bf(LG2_F));
        r = r.fma(z, bf(LG1_F));
        r = r.mul(z);
        FloatVector hfsq = f.mul(f).mul(0.5f);
        // k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f)
        FloatVector t = k.fma(bf(LOG_LN2_LO_F), s.mul(hfsq.add(r)));
        FloatVector u = hfsq.sub(t).sub(f);
        FloatVector y = k.fma(bf(LOG_LN2_HI_F), u.neg());
        return y.blend(Float.POSITIVE_INFINITY, x.eq(Float.POSITIVE_INFINITY))
                .blend(Float.NEGATIVE_INFINITY, x.eq(0f))
                .blend(Float.NaN, x.compare(VectorOperators.GE, 0f).not());
    }

    /** The scalar twin of {@link #log(FloatVector)}, bit for bit the same (NaN results may differ in payload). */
    static float log(float x) {
        if (!(x >= 0f)) {
            return Float.NaN;
        }
        if (x == 0f) {
            return Float.NEGATIVE_INFINITY;
        }
        if (x == Float.POSITIVE_INFINITY) {
            return x;
        }
        boolean sub = x < Float.MIN_NORMAL;
        float xs = sub ? x * 0x1p25f : x;
        int ix = Float.floatToRawIntBits(xs) - SQRT_HALF_BITS_F;
        float k = Float.intBitsToFloat((ix >> 23) + Float.floatToRawIntBits(SHIFT_F)) - SHIFT_F;
        if (sub) {
            k -= 25f;
        }
        float f = Float.intBitsToFloat((ix & 0x007fffff) + SQRT_HALF_BITS_F) - 1f;
        float s = f / (f + 2f);
        float z = s * s;
        float r = Math.fma(z, LG4_F, LG3_F);
        r = Math.fma(r, z, LG2_F);
        r = Math.fma(r, z, LG1_F);
        r = r * z;
        float hfsq = f * f * 0.5f;
        float t = Math.fma(k, LOG_LN2_LO_F, s * (hfsq + r));
        float u = hfsq - t - f;
        return Math.fma(k, LOG_LN2_HI_F, -u);
    }

    /** The bits of sqrt(1/2) as a double. */
    static final long SQRT_HALF_BITS_D = 0x3fe6a09e667f3bcdL;
    // fdlibm e_log.c
    static final double LG1_D = 6.666666666666735130e-01;
    static final double LG2_D = 3.999999999940941908e-01;
    static final double LG3_D = 2.857142874366239149e-01;
    static final double LG4_D = 2.222219843214978396e-01;
    static final double LG5_D = 1.818357216161805012e-01;
    static final double LG6_D = 1.531383769920937332e-01;
    static final double LG7_D = 1.479819860511658591e-01;

    /**
     * log(x) for every double x, within 1 ulp (fdlibm e_log.c, with the polynomial R evaluated by
     * Horner's rule; subnormals are scaled by 2^54 first), special values as {@code Math.log}. The
     * scalar twin {@link #log(double)} gives the same bits.
     */
    static DoubleVector log(DoubleVector x) {
        VectorMask<Double> sub = x.lt(Double.MIN_NORMAL);
        DoubleVector xs = x.blend(x.mul(0x1p54), sub);
        LongVector ix = xs.reinterpretAsLongs().sub(SQRT_HALF_BITS_D);
        // k as a double without a long-to-double conversion (AVX2 has none): k + bits(1.5 * 2^52)
        DoubleVector k = ix.lanewise(VectorOperators.ASHR, 52).add(Double.doubleToRawLongBits(SHIFT_D))
                .reinterpretAsDoubles().sub(SHIFT_D);
        k = k.sub(bd(54.0), sub);
        DoubleVector f = ix.and(0x000fffffffffffffL).add(SQRT_HALF_BITS_D).reinterpretAsDoubles().sub(1.0);
        DoubleVector s = f.div(f.add(2.0));
        DoubleVector z = s.mul(s);
        DoubleVector r = z.fma(LG7_D, LG6_D);
        r = r.fma(z, bd(LG5_D));
        r = r.fma(z, bd(LG4_D));
        r = r.fma(z, bd(LG3_D));
        r = r.fma(z, bd(LG2_D));
        r = r.fma(z, bd(LG1_D));
        r = r.mul(z);
        DoubleVector hfsq = f.mul(f).mul(0.5);
        DoubleVector t = k.fma(bd(LN2_LO_D), s.mul(hfsq.add(r)));
        DoubleVector u = hfsq.sub(t).sub(f);
        DoubleVector y = k.fma(bd(LN2_HI_D), u.neg());
        return y.blend(Double.POSITIVE_INFINITY, x.eq(Double.POSITIVE_INFINITY))
                .blend(Double.NEGATIVE_INFINITY, x.eq(0.0))
                .blend(Double.NaN, x.compare(VectorOperators.GE, 0.0).not());
    }

    /** The scalar twin of {@link #log(DoubleVector)}, bit for bit the same (NaN results may differ in payload). */
    static double log(double x) {
        if (!(x >= 0.0)) {
            return Double.NaN;
        }
        if (x == 0.0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return x;
        }
        boolean sub = x < Double.MIN_NORMAL;
        double xs = sub ? x * 0x1p54 : x;
        long ix = Double.doubleToRawLongBits(xs) - SQRT_HALF_BITS_D;
        double k = Double.longBitsToDouble((ix >> 52) + Double.doubleToRawLongBits(SHIFT_D)) - SHIFT_D;
        if (sub) {
            k -= 54.0;
        }
        double f = Double.longBitsToDouble((ix & 0x000fffffffffffffL) + SQRT_HALF_BITS_D) - 1.0;
        double s = f / (f + 2.0);
        double z = s * s;
        double r = Math.fma(z, LG7_D, LG6_D);
        r = Math.fma(r, z, LG5_D);
        r = Math.fma(r, z, LG4_D);
        r = Math.fma(r, z, LG3_D);
        r = Math.fma(r, z, LG2_D);
        r = Math.fma(r, z, LG1_D);
        r = r * z;
        double hfsq = f * f * 0.5;
        double t = Math.fma(k, LN2_LO_D, s * (hfsq + r));
        double u = hfsq - t - f;
        return Math.fma(k, LN2_HI_D, -u);
    }
}
