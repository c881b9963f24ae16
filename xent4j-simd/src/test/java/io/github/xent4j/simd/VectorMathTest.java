package io.github.xent4j.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The polynomials: vector = scalar twin bit for bit, and within a few ulp of Math.exp / Math.log1p. */
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
}
