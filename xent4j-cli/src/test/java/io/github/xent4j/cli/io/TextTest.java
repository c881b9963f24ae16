package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        Object v = PyLiteral.parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }  ", false);

        assertEquals(Map.of("descr", "<f4", "fortran_order", false, "shape", new PyLiteral.Tuple(List.of(2L, 3L))), v);
        assertEquals(new PyLiteral.Tuple(List.of()), PyLiteral.parse("()", false));
        assertEquals(new PyLiteral.Tuple(List.of(3L)), PyLiteral.parse("(3L,)", true));
        assertEquals(3L, PyLiteral.parse("(3)", false), "parentheses without a comma are not a tuple");
        assertEquals(List.of(3L), PyLiteral.parse("[3]", false));
        assertThrows(IllegalArgumentException.class, () -> PyLiteral.parse("(3L,)", false));
        assertThrows(IllegalArgumentException.class, () -> PyLiteral.parse("(\u0663,)", false), "ASCII digits only, as Python");
    }

    @Test
    void pyLiteralLimitsNestingInsteadOfOverflowingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PyLiteral.parse(deep, false));
        assertEquals("expected at most 32 levels of nesting at position 32 but found '['", e.getMessage());
        assertEquals(1, ((List<?>) PyLiteral.parse("[".repeat(32) + "]".repeat(32), false)).size());
    }

    @Test
    void messagesAreOneSafeBoundedLine() {
        assertEquals("a b c", Messages.oneLine("a\n  b\r\n\tc\n"));
        assertEquals("title \\x1b]0;owned\\x07 bidi \\u202e", Messages.oneLine("title \u001b]0;owned\u0007 bidi \u202e"));
        String huge = "x.npy: shape (" + "1, ".repeat(1_000_000) + ") is too large";
        String m = Messages.oneLine(huge);
        assertTrue(m.length() <= Messages.MAX_LENGTH && m.length() > Messages.MAX_LENGTH - 5, m);
        assertTrue(m.startsWith("x.npy: shape (1, 1, ") && m.contains(" ... ") && m.endsWith("1, ) is too large"), m);
        assertEquals("emoji \ud83d\ude00 kept", Messages.oneLine("emoji \ud83d\ude00 kept"));
    }

    @Test
    void dataExceptionMessagesAreOneLine() {
        assertEquals("a b c", new DataException("a\n  b\r\nc\n").getMessage());
        assertEquals("f.csv:3:2: bad", DataException.at("f.csv", 3, 2, "bad").getMessage());
    }
}
