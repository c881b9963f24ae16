package io.github.xent4j.simd;

import io.github.xent4j.spi.ScalarLinearCeKernels;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vector soft-cap: within 3 ulp of c * Math.tanh(x / c), its scalar tail bit for bit its lanes, special values. */
class VectorLinearCeKernelsTest {

    private final VectorLinearCeKernels k = new VectorLinearCeKernels(ScalarLinearCeKernels.INSTANCE);

    @Test
    void softcapIsCTimesTanhWithin3Ulp() {
        Random r = new Random(50);
        for (float cap : new float[] {0.5f, 3f, 30f}) {
            int n = 4099; // a tail
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                double scale = Math.pow(10, r.nextInt(9) - 5);
                x[i] = (float) (r.nextGaussian() * scale * cap);
            }
            float[] y = x.clone();
            k.softcap(y, 0, n, cap);
            for (int i = 0; i < n; i++) {
                double exact = cap * Math.tanh((double) x[i] / cap);
                double ulp = Math.ulp((float) exact);
                assertTrue(Math.abs(y[i] - exact) <= 3 * ulp, "cap " + cap + " x " + x[i] + ": " + y[i] + " vs " + exact);
            }
        }
    }

    @Test
    void theScalarTailEqualsTheLanesBitwise() {
        Random r = new Random(51);
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 4);
        }
        float[] lanes = x.clone();
        k.softcap(lanes, 0, x.length, 2f);
        for (int i = 0; i < x.length; i++) {
            float[] one = {x[i]};
            k.softcap(one, 0, 1, 2f); // a range shorter than a vector: the scalar twin
            assertEquals(Float.floatToRawIntBits(lanes[i]), Float.floatToRawIntBits(one[0]), "x=" + x[i]);
        }
    }

    @Test
    void specialValues() {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, 1e-30f, -1e-30f, 1e30f, -88f, 0.625f,
            -0.6249999f, 7, 8, 9, 10, 11, 12, 13};
        float[] y = x.clone();
        k.softcap(y, 0, y.length, 5f);
        assertTrue(Float.isNaN(y[0]));
        assertEquals(5f, y[1]);
        assertEquals(-5f, y[2]);
        assertEquals(0f, y[3]);
        assertEquals(1e-30f, y[4]);
        assertEquals(-1e-30f, y[5]);
        assertEquals(5f, y[6]);
        assertEquals(-5f, y[7]);
        double[] d = {1, -2};
        k.softcap(d, 0, 2, 3.0);
        assertEquals(3 * Math.tanh(1 / 3.0), d[0], 0);
        assertEquals(3 * Math.tanh(-2 / 3.0), d[1], 0);
    }
}
