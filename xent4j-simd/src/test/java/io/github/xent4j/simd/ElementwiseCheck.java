package io.github.xent4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Element-by-element comparison of a vector kernel's outputs with the reference's. */
final class ElementwiseCheck {

    private ElementwiseCheck() {
    }

    /**
     * Each entry within {@code tol} relative ({@code |got - ref| <= tol * max(|ref|, floor)}), NaN
     * where NaN, infinities equal, over [from, to).
     */
    static void close(float[] ref, float[] got, int from, int to, double tol, double floor, String id) {
        for (int i = from; i < to; i++) {
            same(ref[i], got[i], tol, floor, id + "[" + i + "]");
        }
    }

    static void close(double[] ref, double[] got, int from, int to, double tol, double floor, String id) {
        for (int i = from; i < to; i++) {
            same(ref[i], got[i], tol, floor, id + "[" + i + "]");
        }
    }

    static void same(double ref, double got, double tol, double floor, String id) {
        if (Double.isNaN(ref) || Double.isNaN(got) || Double.isInfinite(ref) || Double.isInfinite(got)) {
            assertEquals(ref, got, id + ": " + got + " vs " + ref);
            return;
        }
        assertTrue(Math.abs(got - ref) <= tol * Math.max(Math.abs(ref), floor), id + ": " + got + " vs " + ref);
    }

    /** The largest |a[i]| over [from, to) (finite entries). */
    static double maxAbs(float[] a, int from, int to) {
        double m = 0;
        for (int i = from; i < to; i++) {
            if (Float.isFinite(a[i])) {
                m = Math.max(m, Math.abs(a[i]));
            }
        }
        return m;
    }

    static double maxAbs(double[] a, int from, int to) {
        double m = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(a[i])) {
                m = Math.max(m, Math.abs(a[i]));
            }
        }
        return m;
    }
}
