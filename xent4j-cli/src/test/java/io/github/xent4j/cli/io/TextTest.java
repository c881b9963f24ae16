package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The number scanner shared by CSV and JSON, the Python literal parser and the one-line messages. */
class TextTest {

    @Test
    void isNumberAcceptsDecimalForms() {
        for (String s : new String[] {"0", "-12", "+3", "1.", ".5", "-.5e-3", "1E+10", "nan", "-Inf", "INFINITY"}) {
            assertTrue(Text.isNumber(s), s);
        }
    }

    @Test
    void isNumberRejectsJavaOnlyAndBrokenForms() {
        for (String s : new String[] {"", "-", ".", "1e", "1f", "1d", "0x10", "1,5", "1 2", "abc", "nanx", "e5", "--1"}) {
            assertFalse(Text.isNumber(s), s);
        }
    }

    @Test
    void parseIntoKeepsIntegersUntilAFloatArrives() {
        NumberBuffer b = new NumberBuffer("x");

        Text.parseInto("3", b);
        assertFalse(b.isFloating());
        Text.parseInto("99999999999999999999", b);

        assertTrue(b.isFloating());
        assertEquals(3.0, b.getDouble(0));
        assertEquals(1e20, b.getDouble(1));
    }

    @Test
    void pyLiteralParsesNumpyHeaders() {
        Object v = PyLiteral.parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }  ");

        assertEquals(Map.of("descr", "<f4", "fortran_order", false, "shape", List.of(2L, 3L)), v);
        assertEquals(List.of(), PyLiteral.parse("()"));
        assertEquals(List.of(3L), PyLiteral.parse("(3L,)"));
    }

    @Test
    void dataExceptionMessagesAreOneLine() {
        assertEquals("a b c", new DataException("a\n  b\r\nc\n").getMessage());
        assertEquals("f.csv:3:2: bad", DataException.at("f.csv", 3, 2, "bad").getMessage());
    }
}
