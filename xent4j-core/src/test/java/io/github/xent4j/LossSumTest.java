package io.github.xent4j;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossSumTest {

    @Test
    void mergesSumsDenominatorsAndCounts() {
        LossSum a = LossSum.of(1.5, 2, 3, 1);
        LossSum b = LossSum.of(2.5, 6, 4, 0);
        LossSum ab = a.plus(b);
        assertEquals(4.0, ab.sum());
        assertEquals(8.0, ab.denominator());
        assertEquals(7, ab.positions());
        assertEquals(1, ab.ignored());
        assertEquals(6, ab.counted());
        assertEquals(0.5, ab.value(Reduction.MEAN));
        assertEquals(4.0, ab.value(Reduction.SUM));
        assertEquals(ab, b.plus(a));
        assertSame(a, a.plus(LossSum.ZERO));
    }

    @Test
    void emptyMeanFollowsThePolicy() {
        LossSum allIgnored = LossSum.of(0, 0, 5, 5);
        assertTrue(allIgnored.isEmpty());
        assertTrue(Double.isNaN(allIgnored.value(Reduction.MEAN)));
        assertEquals(0.0, allIgnored.value(Reduction.MEAN, EmptyMeanPolicy.ZERO));
        assertEquals(0.0, allIgnored.value(Reduction.SUM, EmptyMeanPolicy.THROW));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> allIgnored.value(Reduction.MEAN, EmptyMeanPolicy.THROW));
        assertEquals("reduction", e.argument());
        // weights summing to zero are not "empty": 0/0 as PyTorch, whatever the policy
        LossSum zeroWeights = LossSum.of(0, 0, 2, 0);
        assertTrue(Double.isNaN(zeroWeights.value(Reduction.MEAN, EmptyMeanPolicy.ZERO)));
    }

    @Test
    void rejectsImpossibleCounts() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> LossSum.of(0, 0, 2, 3));
        assertEquals("ignored=3 must be in [0, positions=2]", e.getMessage());
        assertEquals("ignored", e.argument());
        assertEquals("3", e.value());
        assertThrows(InvalidInputException.class, () -> LossSum.of(0, 0, -1, 0));
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        LossSum a = LossSum.of(0.1, 3, 4, 1).plus(LossSum.of(0.2, 1, 1, 0));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(a);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            LossSum b = (LossSum) in.readObject();
            assertEquals(a, b);
            assertEquals(a.sum(), b.sum());
        }
    }

    @Test
    void invalidInputCarriesItsParts() {
        int[] shape = {2, 3};
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> CrossEntropyLoss.DEFAULTS.value(new float[6], shape, new int[] {1, 7}));
        assertEquals("target[1]=7 must be in [0, 3) or equal ignore_index=-100", e.getMessage());
        assertEquals("target", e.argument());
        assertEquals(1, e.index());
        assertEquals("7", e.value());
        assertEquals("must be in [0, 3) or equal ignore_index=-100", e.requirement());
        InvalidInputException d = assertThrows(InvalidInputException.class,
                () -> CrossEntropyLoss.DEFAULTS.denominator(shape, new int[] {-1, 0}));
        assertEquals(0, d.index());
    }

    @Test
    void anInputWithoutClassesSaysSoInsteadOfAnEmptyRange() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> CrossEntropyLoss.DEFAULTS.value(new float[0], new int[] {2, 0}, new int[] {0, -100}));
        assertEquals("target[0]=0 must equal ignore_index=-100: the input has no classes (C=0)", e.getMessage());
    }
}
