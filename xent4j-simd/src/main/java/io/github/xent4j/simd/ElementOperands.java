package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;

import static io.github.xent4j.simd.VectorMath.*;

/**
 * The operands of the element-wise vector kernels. They run each segment in chunks of
 * {@code CHUNK} vectors; a broadcast operand is first copied for the chunk's elements into a
 * per-thread scratch array ({@link #gather}: the layout (i / div) % mod is then one contiguous load
 * per vector, whatever div and mod are; no allocation after a thread's first call), and an absent
 * operand or upstream reads an array of ones, so one loop serves every layout.
 */
final class ElementOperands {

    /** Elements per chunk (the scratch size of one operand). */
    static final int CF = CHUNK * LF;
    static final int CD = CHUNK * LD;
    static final int SHIFT_BITS_F = Float.floatToRawIntBits(SHIFT_F);
    static final long SHIFT_BITS_D = Double.doubleToRawLongBits(SHIFT_D);
    /** The operand of an absent weight or upstream (never written). */
    static final float[] ONES_F = ones(CF);
    static final double[] ONES_D = onesD(CD);
    /** Per-thread scratch for two broadcast operands of one chunk. */
    static final ThreadLocal<float[]> SCRATCH_F = ThreadLocal.withInitial(() -> new float[2 * CF]);
    static final ThreadLocal<double[]> SCRATCH_D = ThreadLocal.withInitial(() -> new double[2 * CD]);

    private ElementOperands() {
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    private static double[] onesD(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1.0);
        return a;
    }

    /** Copies the broadcast operand of elements [i, i + len) to {@code dst[off..]}. */
    static void gather(Broadcast b, int i, int len, float[] dst, int off) {
        final float[] v = b.floats;
        if (b.div == 1) {
            int j = i % b.mod;
            for (int done = 0; done < len; ) {
                final int n = Math.min(len - done, b.mod - j);
                System.arraycopy(v, j, dst, off + done, n);
                done += n;
                j = 0;
            }
        } else {
            int j = (i / b.div) % b.mod;
            int left = b.div - i % b.div;
            for (int done = 0; done < len; ) {
                final int n = Math.min(len - done, left);
                java.util.Arrays.fill(dst, off + done, off + done + n, v[j]);
                done += n;
                left = b.div;
                j = j + 1 == b.mod ? 0 : j + 1;
            }
        }
    }

    /** Copies the broadcast operand of elements [i, i + len) to {@code dst[off..]}. */
    static void gather(Broadcast b, int i, int len, double[] dst, int off) {
        final double[] v = b.values;
        if (b.div == 1) {
            int j = i % b.mod;
            for (int done = 0; done < len; ) {
                final int n = Math.min(len - done, b.mod - j);
                System.arraycopy(v, j, dst, off + done, n);
                done += n;
                j = 0;
            }
        } else {
            int j = (i / b.div) % b.mod;
            int left = b.div - i % b.div;
            for (int done = 0; done < len; ) {
                final int n = Math.min(len - done, left);
                java.util.Arrays.fill(dst, off + done, off + done + n, v[j]);
                done += n;
                left = b.div;
                j = j + 1 == b.mod ? 0 : j + 1;
            }
        }
    }
}
