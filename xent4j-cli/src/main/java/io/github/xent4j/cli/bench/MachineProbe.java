package io.github.xent4j.cli.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Loops that measure what this machine can do, for the benchmark's "machine bound": a streaming
 * read (+ write) of the same bytes a kernel touches, one SIMD exp per element, and the FMA peak.
 * Not part of the kernels: the benchmark's own code, in the CLI (the JMH module's {@code ExpBench}
 * uses it too), so that the published xent4j-simd holds kernels only. Call only when the Vector API
 * is readable ({@code Xent4j.kernels()} starts with "vector").
 *
 * <p>The exp loop is the kernels' float32 polynomial, written out here with the same constants and
 * vector width as xent4j-simd's {@code VectorMath} (which that module does not export);
 * {@code MachineProbeTest} checks the constants against {@code VectorMath}'s, so the two cannot drift.
 *
 * <p>Each method returns a value derived from everything it computed, so that the JIT cannot drop
 * the work.
 */
public final class MachineProbe {

    /** The kernels' vector width: preferred, or {@code -Dxent4j.simd.bits=256|512} as in VectorMath. */
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED.withShape(shape(System.getProperty("xent4j.simd.bits")));

    // VectorMath's float32 exp: Cody-Waite range reduction, then cephes expf's polynomial
    static final float EXP_LO_F = -87.33f;
    static final float LOG2E_F = 1.44269504088896341f;
    static final float SHIFT_F = 12582912f;
    static final float LN2_HI_F = 0.693359375f;
    static final float LN2_LO_F = -2.12194440e-4f;
    static final float P0 = 1.9875691500E-4f;
    static final float P1 = 1.3981999507E-3f;
    static final float P2 = 8.3334519073E-3f;
    static final float P3 = 4.1665795894E-2f;
    static final float P4 = 1.6666665459E-1f;
    static final float P5 = 5.0000001201E-1f;

    private static final int L = FS.length();

    private static VectorShape shape(String bits) {
        return bits == null || bits.isBlank() ? VectorShape.preferredShape() : VectorShape.forBitSize(Integer.parseInt(bits.trim()));
    }

    private MachineProbe() {
    }

    /** Reads src[from, to) once (4 independent vector sums, so memory is the limit, not latency). */
    public static double read(float[] src, int from, int to) {
        // in chunks through a method that is called many times: a single long call would run as an
        // on-stack-replacement compilation, measured here to be 2-3x slower for vector loops
        double s = 0;
        for (int i = from; i < to; i += CHUNK) {
            s += readChunk(src, i, Math.min(to, i + CHUNK));
        }
        return s;
    }

    private static final int CHUNK = 1 << 14;

    private static double readChunk(float[] src, int from, int to) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = from;
        for (; i + 4 * L <= to; i += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(FS, src, i));
            a1 = a1.add(FloatVector.fromArray(FS, src, i + L));
            a2 = a2.add(FloatVector.fromArray(FS, src, i + 2 * L));
            a3 = a3.add(FloatVector.fromArray(FS, src, i + 3 * L));
        }
        double s = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            s += src[i];
        }
        return s;
    }

    /** Reads src[from, to) and writes dst[from, to) = src * 0.5 (read + write of the same bytes). */
    public static double copy(float[] src, float[] dst, int from, int to) {
        for (int i = from; i < to; i += CHUNK) {
            copyChunk(src, dst, i, Math.min(to, i + CHUNK));
        }
        return dst[from];
    }

    private static void copyChunk(float[] src, float[] dst, int from, int to) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector.fromArray(FS, src, i).mul(0.5f).intoArray(dst, i);
        }
        for (; i < to; i++) {
            dst[i] = src[i] * 0.5f;
        }
    }

    /**
     * {@code elements} exps (rounded up to whole passes) over {@code buf}, which should be small
     * enough to stay in L1 (e.g. 4096 floats of values {@code <= 0}): the same polynomial as the kernels,
     * with two independent chains per iteration so that throughput, not latency, is measured.
     */
    public static double exp(float[] buf, long elements) {
        final int n = buf.length - buf.length % (2 * L);
        double s = 0;
        for (long done = 0; done < elements; done += n) {
            s += expPass(buf, n);
        }
        return s;
    }

    private static double expPass(float[] buf, int n) {
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = acc0;
        {
            for (int i = 0; i < n; i += 2 * L) {
                FloatVector d = FloatVector.fromArray(FS, buf, i);
                FloatVector t = d.fma(LOG2E_F, SHIFT_F);
                FloatVector k = t.sub(SHIFT_F);
                FloatVector r = k.fma(FloatVector.broadcast(FS, -LN2_HI_F), d);
                r = k.fma(FloatVector.broadcast(FS, -LN2_LO_F), r);
                FloatVector p = r.fma(P0, P1);
                p = p.fma(r, FloatVector.broadcast(FS, P2));
                p = p.fma(r, FloatVector.broadcast(FS, P3));
                p = p.fma(r, FloatVector.broadcast(FS, P4));
                p = p.fma(r, FloatVector.broadcast(FS, P5));
                p = p.fma(r.mul(r), r).add(1f);
                acc0 = acc0.add(p.mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23)
                        .reinterpretAsFloats()).blend(0f, d.lt(EXP_LO_F)));
                FloatVector d1 = FloatVector.fromArray(FS, buf, i + L);
                FloatVector t1 = d1.fma(LOG2E_F, SHIFT_F);
                FloatVector k1 = t1.sub(SHIFT_F);
                FloatVector r1 = k1.fma(FloatVector.broadcast(FS, -LN2_HI_F), d1);
                r1 = k1.fma(FloatVector.broadcast(FS, -LN2_LO_F), r1);
                FloatVector p1 = r1.fma(P0, P1);
                p1 = p1.fma(r1, FloatVector.broadcast(FS, P2));
                p1 = p1.fma(r1, FloatVector.broadcast(FS, P3));
                p1 = p1.fma(r1, FloatVector.broadcast(FS, P4));
                p1 = p1.fma(r1, FloatVector.broadcast(FS, P5));
                p1 = p1.fma(r1.mul(r1), r1).add(1f);
                acc1 = acc1.add(p1.mul(t1.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23)
                        .reinterpretAsFloats()).blend(0f, d1.lt(EXP_LO_F)));
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** The same count of exps through the Vector API's own {@code lanewise(EXP)}, for comparison. */
    public static double expLanewise(float[] buf, long elements) {
        final int n = buf.length - buf.length % (2 * L);
        double s = 0;
        for (long done = 0; done < elements; done += n) {
            s += expLanewisePass(buf, n);
        }
        return s;
    }

    private static double expLanewisePass(float[] buf, int n) {
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = acc0;
        {
            for (int i = 0; i < n; i += 2 * L) {
                acc0 = acc0.add(FloatVector.fromArray(FS, buf, i).lanewise(VectorOperators.EXP));
                acc1 = acc1.add(FloatVector.fromArray(FS, buf, i + L).lanewise(VectorOperators.EXP));
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** The same count of exps through scalar {@code Math.exp}, for comparison. */
    public static double expScalar(float[] buf, long elements) {
        double acc = 0;
        final int n = buf.length;
        for (long done = 0; done < elements; done += n) {
            for (int i = 0; i < n; i++) {
                acc += Math.exp(buf[i]);
            }
        }
        return acc;
    }

    /** Independent FMA chains in {@link #fma}: enough to cover the latency of two FMA pipes (4-5 cycles each). */
    private static final int FMA_CHAINS = 12;
    private static final int FMA_CHUNK = 1 << 12;

    /** Floating-point operations done by {@code fma(steps)}: 2 per lane per FMA. */
    public static long fmaFlops(long steps) {
        long rounded = (steps + FMA_CHUNK - 1) / FMA_CHUNK * FMA_CHUNK;
        return rounded * FMA_CHAINS * L * 2;
    }

    /**
     * The machine's float32 FMA peak on one thread: {@code steps} (rounded up to whole chunks) of
     * {@value #FMA_CHAINS} independent vector FMA chains of the preferred width, with nothing else
     * in the loop. {@link #fmaFlops} converts steps to flops. The GEMM's share of this is the
     * benchmark's "percent of peak".
     */
    public static double fma(long steps) {
        double s = 0;
        for (long done = 0; done < steps; done += FMA_CHUNK) {
            s += fmaChunk(FMA_CHUNK);
        }
        return s;
    }

    private static double fmaChunk(int steps) {
        // x <- x * m + a converges to a / (1 - m) = 1e-3 without over- or underflow
        final FloatVector m = FloatVector.broadcast(FS, 0.999f);
        final FloatVector a = FloatVector.broadcast(FS, 1e-6f);
        FloatVector x0 = FloatVector.broadcast(FS, 0.5f);
        FloatVector x1 = x0.add(0.01f), x2 = x0.add(0.02f), x3 = x0.add(0.03f), x4 = x0.add(0.04f);
        FloatVector x5 = x0.add(0.05f), x6 = x0.add(0.06f), x7 = x0.add(0.07f), x8 = x0.add(0.08f);
        FloatVector x9 = x0.add(0.09f), x10 = x0.add(0.10f), x11 = x0.add(0.11f);
        for (int i = 0; i < steps; i++) {
            x0 = x0.fma(m, a);
            x1 = x1.fma(m, a);
            x2 = x2.fma(m, a);
            x3 = x3.fma(m, a);
            x4 = x4.fma(m, a);
            x5 = x5.fma(m, a);
            x6 = x6.fma(m, a);
            x7 = x7.fma(m, a);
            x8 = x8.fma(m, a);
            x9 = x9.fma(m, a);
            x10 = x10.fma(m, a);
            x11 = x11.fma(m, a);
        }
        return x0.add(x1).add(x2).add(x3).add(x4).add(x5).add(x6).add(x7).add(x8).add(x9).add(x10).add(x11)
                .reduceLanes(VectorOperators.ADD);
    }
}
