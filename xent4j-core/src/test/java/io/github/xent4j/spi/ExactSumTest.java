package io.github.xent4j.spi;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The superaccumulator against BigDecimal (exact), and its order/grouping invariance. */
class ExactSumTest {

    /** A double of random sign, significand and exponent over [2^lo, 2^hi). */
    private static double random(Random r, int lo, int hi) {
        double m = 1 + r.nextDouble();
        double v = Math.scalb(m, lo + r.nextInt(hi - lo));
        return r.nextBoolean() ? v : -v;
    }

    private static double exact(List<Double> values) {
        BigDecimal s = BigDecimal.ZERO;
        for (double v : values) {
            s = s.add(new BigDecimal(v));
        }
        return s.doubleValue(); // correctly rounded (BigDecimal -> decimal string -> parseDouble)
    }

    @Test
    void equalsTheCorrectlyRoundedSumOverTheWholeRange() {
        for (long seed = 1; seed <= 300; seed++) {
            Random r = new Random(seed);
            int n = 1 + r.nextInt(200);
            int lo = -1074 + r.nextInt(2000);
            int hi = Math.min(1023, lo + 1 + r.nextInt(120));
            List<Double> values = new ArrayList<>();
            ExactSum s = new ExactSum();
            for (int i = 0; i < n; i++) {
                double v = r.nextInt(10) == 0 ? Double.MIN_VALUE * r.nextInt(1000) : random(r, lo, hi);
                values.add(v);
                s.add(v);
            }
            assertEquals(exact(values), s.doubleValue(), "seed " + seed);
        }
    }

    @Test
    void sumsNearlyCancellingValuesExactly() {
        ExactSum s = new ExactSum();
        s.add(1e300);
        s.add(1.0);
        s.add(-1e300);
        s.add(Math.ulp(1.0) / 4);
        assertEquals(1.0, s.doubleValue()); // 1 + 2^-54 rounds to 1 (tie goes to even)
        s.add(Math.ulp(1.0) / 4 + Math.ulp(1.0) / 1024);
        assertEquals(1 + Math.ulp(1.0), s.doubleValue());
        ExactSum z = new ExactSum();
        z.add(0.1);
        z.add(0.2);
        z.add(-0.3);
        assertEquals(new BigDecimal(0.1).add(new BigDecimal(0.2)).subtract(new BigDecimal(0.3)).doubleValue(), z.doubleValue());
    }

    @Test
    void orderAndGroupingDoNotChangeTheBits() {
        Random r = new Random(7);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            values.add(random(r, -60, 60));
        }
        ExactSum whole = new ExactSum();
        values.forEach(whole::add);
        for (int trial = 0; trial < 20; trial++) {
            Collections.shuffle(values, r);
            ExactSum merged = new ExactSum();
            int i = 0;
            while (i < values.size()) {
                int j = Math.min(values.size(), i + 1 + r.nextInt(700));
                ExactSum part = new ExactSum();
                for (int k = i; k < j; k++) {
                    part.add(values.get(k));
                }
                merged.add(part);
                i = j;
            }
            assertEquals(Double.doubleToRawLongBits(whole.doubleValue()), Double.doubleToRawLongBits(merged.doubleValue()));
            assertEquals(whole, merged);
        }
    }

    @Test
    void specialValuesFollowIeeeSums() {
        ExactSum s = new ExactSum();
        s.add(1);
        s.add(Double.POSITIVE_INFINITY);
        assertEquals(Double.POSITIVE_INFINITY, s.doubleValue());
        s.add(Double.NEGATIVE_INFINITY);
        assertTrue(Double.isNaN(s.doubleValue()));
        ExactSum n = new ExactSum();
        n.add(Double.NaN);
        assertTrue(Double.isNaN(n.doubleValue()));
        ExactSum big = new ExactSum();
        big.add(Double.MAX_VALUE);
        big.add(Double.MAX_VALUE);
        assertEquals(Double.POSITIVE_INFINITY, big.doubleValue());
        big.add(-Double.MAX_VALUE);
        assertEquals(Double.MAX_VALUE, big.doubleValue());
        ExactSum neg = new ExactSum();
        neg.add(-Double.MAX_VALUE);
        neg.add(-Double.MAX_VALUE);
        assertEquals(Double.NEGATIVE_INFINITY, neg.doubleValue());
    }

    @Test
    void subnormalsAndTheSmallestValuesAreExact() {
        ExactSum s = new ExactSum();
        for (int i = 0; i < 3; i++) {
            s.add(Double.MIN_VALUE);
        }
        assertEquals(3 * Double.MIN_VALUE, s.doubleValue());
        s.add(Double.MIN_NORMAL);
        assertEquals(Double.MIN_NORMAL + 3 * Double.MIN_VALUE, s.doubleValue());
        s.add(-Double.MIN_NORMAL);
        s.add(-4 * Double.MIN_VALUE);
        assertEquals(-Double.MIN_VALUE, s.doubleValue());
        assertTrue(new ExactSum().isZero());
    }

    @Test
    void manyAdditionsPropagateCarries() {
        ExactSum s = new ExactSum();
        long n = 3_000_000;
        for (long i = 0; i < n; i++) {
            s.add(0.1);
        }
        assertEquals(new BigDecimal(0.1).multiply(BigDecimal.valueOf(n)).doubleValue(), s.doubleValue());
    }

    /** add() holds up to 64 values before adding them: every read, merge and clear must see them. */
    @Test
    void heldValuesCountInEveryReadMergeAndClear() throws Exception {
        Random r = new Random(11);
        for (int n : new int[] {1, 63, 64, 65, 130, 1000}) {
            List<Double> values = new ArrayList<>();
            ExactSum s = new ExactSum();
            for (int i = 0; i < n; i++) {
                double v = random(r, -40, 40);
                values.add(v);
                s.add(v);
                if (i % 37 == 5) {
                    assertEquals(exact(values), s.doubleValue(), "read after " + (i + 1) + " of " + n);
                }
            }
            assertEquals(exact(values), s.doubleValue(), "n " + n);
            ExactSum other = new ExactSum();
            values.forEach(other::add);
            assertEquals(other, s, "equals with values held, n " + n);
            assertEquals(other.hashCode(), s.hashCode());
            ExactSum merged = new ExactSum();
            merged.add(1.0);
            ExactSum held = new ExactSum();
            values.forEach(held::add);
            merged.add(held);
            List<Double> plusOne = new ArrayList<>(values);
            plusOne.add(1.0);
            assertEquals(exact(plusOne), merged.doubleValue(), "merge of held values, n " + n);
            ExactSum copied = new ExactSum();
            values.forEach(copied::add);
            assertEquals(exact(values), copied.copy().doubleValue());
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            ExactSum sent = new ExactSum();
            values.forEach(sent::add);
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
                out.writeObject(sent);
            }
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                assertEquals(exact(values), ((ExactSum) in.readObject()).doubleValue(), "serialized with values held");
            }
            s.clear();
            assertTrue(s.isZero(), "clear drops held values");
            assertEquals(0.0, s.doubleValue());
        }
        ExactSum nan = new ExactSum();
        nan.add(Double.NaN);
        assertTrue(!nan.isZero(), "a held NaN is not zero");
        ExactSum inf = new ExactSum();
        inf.add(Double.POSITIVE_INFINITY);
        ExactSum finite = new ExactSum();
        finite.add(1.0);
        assertTrue(!inf.equals(finite) && !finite.equals(inf), "a held infinity counts in equals");
        ExactSum cancel = new ExactSum();
        cancel.add(2.5);
        cancel.add(-2.5);
        assertTrue(cancel.isZero());
    }
}
