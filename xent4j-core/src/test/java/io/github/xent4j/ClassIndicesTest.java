package io.github.xent4j;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClassIndicesTest {

    @Test
    void narrowsExactly() {
        assertArrayEquals(new int[] {0, 2, -100, Integer.MAX_VALUE, Integer.MIN_VALUE},
                ClassIndices.toInt(new long[] {0, 2, -100, Integer.MAX_VALUE, Integer.MIN_VALUE}));
        assertArrayEquals(new int[0], ClassIndices.toInt(new long[0]));
    }

    @Test
    void aValueOutsideTheIntRangeIsNeverWrappedIntoAClass() {
        // 2^32 + 1 would wrap to class 1
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ClassIndices.toInt(new long[] {0, (1L << 32) + 1}));
        assertEquals("target", e.argument());
        assertEquals(1, e.index());
        assertEquals("4294967297", e.value());
        assertEquals("target[1]=4294967297 is outside the int range [-2147483648, 2147483647], so it is neither a "
                + "class index nor ignore_index", e.getMessage());
        assertEquals(0, assertThrows(InvalidInputException.class,
                () -> ClassIndices.toInt(new long[] {Integer.MIN_VALUE - 1L})).index());
    }

    @Test
    void narrowedTargetsGoThroughTheLossesRangeRule() {
        int[] y = ClassIndices.toInt(new long[] {0, 3});
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> CrossEntropyLoss.DEFAULTS.denominator(new int[] {2, 3}, y));
        assertEquals(1, e.index());
    }
}
