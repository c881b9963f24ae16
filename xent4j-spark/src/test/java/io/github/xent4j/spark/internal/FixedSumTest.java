package io.github.xent4j.spark.internal;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixedSumTest {

    @Test
    void anyOrderAndGroupingGivesTheSameBits() {
        SplittableRandom r = new SplittableRandom(3);
        double[] v = new double[10_000];
        BigDecimal exact = BigDecimal.ZERO;
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 7 == 0 ? r.nextDouble() * 1e-12 : r.nextDouble() * (i % 3 == 0 ? 2 : 1);
            exact = exact.add(new BigDecimal(v[i]));
        }
        FixedSum forward = new FixedSum();
        for (double x : v) {
            forward.add(x);
        }
        FixedSum a = new FixedSum();
        FixedSum b = new FixedSum();
        for (int i = v.length - 1; i >= 0; i--) {
            (i % 2 == 0 ? a : b).add(v[i]);
        }
        b.add(a);
        assertEquals(Double.doubleToLongBits(forward.value()), Double.doubleToLongBits(b.value()));
        assertEquals(exact.doubleValue(), forward.value(), 1e-15 * exact.doubleValue(), "quantised at 2^-64 per value only");
    }

    @Test
    void valuesNearOneAndTheTopBitOfTheLowWordAreExact() {
        FixedSum s = new FixedSum();
        s.add(0.75);
        s.add(0.75);
        s.add(Math.nextDown(1.0));
        s.add(1.5);
        assertEquals(new BigDecimal(0.75).add(new BigDecimal(0.75)).add(new BigDecimal(Math.nextDown(1.0)))
                .add(new BigDecimal(1.5)).doubleValue(), s.value(), 0.0);
    }

    @Test
    void nanPropagatesAndNegativesAreRejected() {
        FixedSum s = new FixedSum();
        s.add(1);
        s.add(Double.NaN);
        assertTrue(Double.isNaN(s.value()));
        assertThrows(IllegalArgumentException.class, () -> new FixedSum().add(-1e-300));
    }
}
