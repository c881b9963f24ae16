package io.github.xent4j.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The polynomials: vector = scalar twin bit for bit, and within a few ulp of Math.exp / Math.log / Math.log1p. */
class VectorMathTest {

    @Test
    void floatExpIsAccurateAndTheScalarTwinAgrees() {
        Random r = new Random(1);
        int lanes = VectorMath.FS.length();
        float[] d = new float[lanes];
        float[] e = new float[lanes];
        double worst = 0;
        for (int k = 0; k < 20_000; k++) {
            for (int j = 0; j < lanes; j++) {
                d[j] = k < 10 ? new float[] {0f, -0f, -1e-30f, -87.3f, -87.34f, -100f, Float.NEGATIVE_INFINITY, -0.34657f, -0.34658f, -1f}[k]
                        : (float) (-r.nextDouble() * (k % 2 == 0 ? 2 : 90));
            }
            VectorMath.exp(FloatVector.fromArray(VectorMath.FS, d, 0)).intoArray(e, 0);
            for (int j = 0; j < lanes; j++) {
                assertEquals(Float.floatToIntBits(VectorMath.exp(d[j])), Float.floatToIntBits(e[j]), "twin at " + d[j]);
                double ref = Math.exp(d[j]);
                if (d[j] < VectorMath.EXP_LO_F) {
                    assertEquals(0f, e[j], "below the cutoff at " + d[j]);
                } else {
                    worst = Math.max(worst, Math.abs(e[j] - ref) / ref);
                }
            }
        }
        assertTrue(worst < 2.5e-7, "float exp relative error " + worst);
    }

    @Test
    void doubleExpIsAccurateAndTheScalarTwinAgrees() {
        Random r = new Random(2);
        int lanes = VectorMath.DS.length();
        double[] d = new double[lanes];
        double[] e = new double[lanes];
        double worst = 0;
        for (int k = 0; k < 20_000; k++) {
            for (int j = 0; j < lanes; j++) {
                d[j] = -r.nextDouble() * (k % 2 == 0 ? 2 : 700);
            }
            VectorMath.exp(DoubleVector.fromArray(VectorMath.DS, d, 0)).intoArray(e, 0);
            for (int j = 0; j < lanes; j++) {
                assertEquals(Double.doubleToLongBits(VectorMath.exp(d[j])), Double.doubleToLongBits(e[j]));
                worst = Math.max(worst, Math.abs(e[j] - Math.exp(d[j])) / Math.exp(d[j]));
            }
        }
        assertTrue(worst < 5e-16, "double exp relative error " + worst);
    }

    @Test
    void log1pOnTheUnitIntervalIsAccurate() {
        Random r = new Random(3);
        float[] a = new float[VectorMath.FS.length()];
        float[] b = new float[a.length];
        double[] ad = new double[VectorMath.DS.length()];
        double[] bd = new double[ad.length];
        double worstF = 0;
        double worstD = 0;
        for (int k = 0; k < 10_000; k++) {
            for (int j = 0; j < a.length; j++) {
                a[j] = k == 0 ? (j == 0 ? 0f : 1f) : (float) Math.pow(r.nextDouble(), 1 + 20 * r.nextDouble());
                if (a[j] < Float.MIN_NORMAL) { // the kernels pass exp(-|x|), which is 0 or normal
                    a[j] = 0f;
                }
            }
            VectorMath.log1pUnit(FloatVector.fromArray(VectorMath.FS, a, 0)).intoArray(b, 0);
            for (int j = 0; j < a.length; j++) {
                double ref = Math.log1p(a[j]);
                worstF = Math.max(worstF, ref == 0 ? Math.abs(b[j]) : Math.abs(b[j] - ref) / ref);
            }
            for (int j = 0; j < ad.length; j++) {
                ad[j] = Math.pow(r.nextDouble(), 1 + 20 * r.nextDouble());
            }
            VectorMath.log1pUnit(DoubleVector.fromArray(VectorMath.DS, ad, 0)).intoArray(bd, 0);
            for (int j = 0; j < ad.length; j++) {
                double ref = Math.log1p(ad[j]);
                worstD = Math.max(worstD, Math.abs(bd[j] - ref) / ref);
            }
        }
        assertTrue(worstF < 3e-7, "float log1p relative error " + worstF);
        assertTrue(worstD < 1e-15, "double log1p relative error " + worstD);
    }

    /** Arguments that exercise every branch of log: specials, subnormals, both sides of sqrt(1/2), near 1. */
    private static final float[] LOG_SPECIAL_F = {0f, -0f, Float.MIN_VALUE, 3e-45f, 1e-40f, Float.MIN_NORMAL * 0.999f,
            Float.MIN_NORMAL, 1e-38f, 1e-30f, 0.70710677f, 0.7071068f, 0.70710665f, 1f, Math.nextUp(1f), Math.nextDown(1f),
            1.0001f, 0.9999f, 2f, 0.5f, 1.4142135f, 1.4142137f, Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, -1f, -Float.MIN_VALUE, Float.NaN, 1e-12f, 1f - 1e-7f};
    private static final double[] LOG_SPECIAL_D = {0.0, -0.0, Double.MIN_VALUE, 1e-310, Double.MIN_NORMAL * 0.999,
            Double.MIN_NORMAL, 1e-300, 0.7071067811865476, 0.7071067811865475, 1.0, Math.nextUp(1.0),
            Math.nextDown(1.0), 1.0000001, 0.9999999, 2.0, 0.5, 1.4142135623730951, Double.MAX_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1.0, -Double.MIN_VALUE, Double.NaN, 1e-12};

    @Test
    void floatLogIsWithinOneUlpAndTheScalarTwinAgrees() {
        Random r = new Random(4);
        int lanes = VectorMath.FS.length();
        float[] a = new float[lanes];
        float[] b = new float[lanes];
        double worstUlp = 0;
        int specials = (LOG_SPECIAL_F.length + lanes - 1) / lanes;
        for (int k = 0; k < 40_000; k++) {
            for (int j = 0; j < lanes; j++) {
                int s = k * lanes + j;
                a[j] = k < specials ? LOG_SPECIAL_F[s % LOG_SPECIAL_F.length]
                        : switch (k % 4) {
                            case 0 -> Float.intBitsToFloat(r.nextInt(0x7f800000)); // any positive finite float
                            case 1 -> (float) r.nextDouble();
                            case 2 -> (float) (1 + (r.nextDouble() - 0.5) * 1e-3);
                            default -> Float.intBitsToFloat(r.nextInt(0x00800000)); // subnormals
                        };
            }
            VectorMath.log(FloatVector.fromArray(VectorMath.FS, a, 0)).intoArray(b, 0);
            for (int j = 0; j < lanes; j++) {
                float twin = VectorMath.log(a[j]);
                double ref = Math.log(a[j]);
                if (Double.isNaN(ref)) {
                    assertTrue(Float.isNaN(b[j]) && Float.isNaN(twin), "NaN at " + a[j]);
                    continue;
                }
                assertEquals(Float.floatToIntBits(twin), Float.floatToIntBits(b[j]), "twin at " + a[j]);
                if (Double.isInfinite(ref)) {
                    assertEquals(ref, b[j], "at " + a[j]);
                } else {
                    worstUlp = Math.max(worstUlp, Math.abs(b[j] - ref) / Math.ulp((float) ref));
                }
            }
        }
        assertTrue(worstUlp <= 1.0, "float log error " + worstUlp + " ulp");
    }

    @Test
    void doubleLogIsWithinOneUlpAndTheScalarTwinAgrees() {
        Random r = new Random(5);
        int lanes = VectorMath.DS.length();
        double[] a = new double[lanes];
        double[] b = new double[lanes];
        double worstUlp = 0;
        int specials = (LOG_SPECIAL_D.length + lanes - 1) / lanes;
        for (int k = 0; k < 40_000; k++) {
            for (int j = 0; j < lanes; j++) {
                int s = k * lanes + j;
                a[j] = k < specials ? LOG_SPECIAL_D[s % LOG_SPECIAL_D.length]
                        : switch (k % 4) {
                            case 0 -> Double.longBitsToDouble(r.nextLong() >>> 1); // any non-negative double
                            case 1 -> r.nextDouble();
                            case 2 -> 1 + (r.nextDouble() - 0.5) * 1e-6;
                            default -> Double.longBitsToDouble(r.nextLong() >>> 12); // subnormals
                        };
            }
            VectorMath.log(DoubleVector.fromArray(VectorMath.DS, a, 0)).intoArray(b, 0);
            for (int j = 0; j < lanes; j++) {
                double twin = VectorMath.log(a[j]);
                double ref = Math.log(a[j]);
                if (Double.isNaN(ref)) {
                    assertTrue(Double.isNaN(b[j]) && Double.isNaN(twin), "NaN at " + a[j]);
                    continue;
                }
                assertEquals(Double.doubleToLongBits(twin), Double.doubleToLongBits(b[j]), "twin at " + a[j]);
                if (Double.isInfinite(ref)) {
                    assertEquals(ref, b[j], "at " + a[j]);
                } else {
                    // Math.log is itself within 1 ulp, so 1 ulp apart from it can be 2 ulp from log(x); seen: 1.0
                    worstUlp = Math.max(worstUlp, Math.abs(b[j] - ref) / Math.ulp(ref));
                }
            }
        }
        assertTrue(worstUlp <= 2.0, "double log error " + worstUlp + " ulp");
    }
}
