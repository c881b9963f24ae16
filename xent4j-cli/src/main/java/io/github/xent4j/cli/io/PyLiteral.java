package io.github.xent4j.cli.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the small subset of Python literals that appears in {@code .npy} headers: dicts,
 * tuples, lists, strings, integers (with Python 2's {@code L} suffix where allowed), {@code True},
 * {@code False} and {@code None}. Tuples become {@link Tuple}s and lists {@link List}s, as Python
 * tells them apart ({@code (4)} is the integer 4, {@code (4,)} a tuple); integers become
 * {@link Long}s.
 *
 * <p>Containers may be nested at most {@link #MAX_DEPTH} deep (a header needs 2), so a crafted
 * header cannot exhaust the stack; every failure is an {@link IllegalArgumentException} with a
 * short message.
 */
final class PyLiteral {

    /** The deepest nesting of dicts, tuples and lists accepted. */
    static final int MAX_DEPTH = 32;

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        @Override
        public String toString() {
            return items.size() == 1 ? "(" + items.get(0) + ",)" : "(" + String.join(", ",
                    items.stream().map(String::valueOf).toList()) + ")";
        }
    }

    private final String text;
    private final boolean longSuffix;
    private int pos;
    private int depth;

    private PyLiteral(String text, boolean longSuffix) {
        this.text = text;
        this.longSuffix = longSuffix;
    }

    /**
     * Parses one literal that must span the whole text, apart from surrounding whitespace.
     *
     * @param longSuffix whether integers may carry Python 2's {@code L} suffix (numpy accepts it in
     *                   format versions 1.0 and 2.0 only)
     * @throws IllegalArgumentException with a message such as {@code "expected ':' at position 9"}
     */
    static Object parse(String text, boolean longSuffix) {
        PyLiteral parser = new PyLiteral(text, longSuffix);
        Object value = parser.value();
        parser.skipSpace();
        if (parser.pos != text.length()) {
            throw parser.error("end of header");
        }
        return value;
    }

    private Object value() {
        skipSpace();
        if (pos >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                enter();
                Object dict = dict();
                depth--;
                return dict;
            case '(':
            case '[':
                enter();
                Object sequence = sequence(c);
                depth--;
                return sequence;
            case '\'':
            case '"':
                return string(c);
            default:
                if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
                    return integer();
                }
                if (Character.isLetter(c)) {
                    return name();
                }
                throw error("a value");
        }
    }

    private Map<Object, Object> dict() {
        pos++;
        Map<Object, Object> map = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            Object key = value();
            skipSpace();
            expect(':');
            map.put(key, value());
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw error("',' or '}'");
            }
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("at most " + MAX_DEPTH + " levels of nesting");
        }
    }

    /** A list, a tuple, or (for a parenthesised value without a comma) the value itself. */
    private Object sequence(char open) {
        char close = open == '(' ? ')' : ']';
        pos++;
        List<Object> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
            skipSpace();
            if (peek() == close) {
                pos++;
                if (open == '[') {
                    return items;
                }
                return items.size() == 1 && !comma ? items.get(0) : new Tuple(List.copyOf(items));
            }
            items.add(value());
            skipSpace();
            if (peek() == ',') {
                pos++;
                comma = true;
            } else if (peek() != close) {
                throw error("',' or '" + close + "'");
            }
        }
    }

    private String string(char quote) {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            }
            sb.append(c);
        }
        throw error("closing " + quote);
    }

    private Long integer() {
        int start = pos;
        if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
            pos++;
        }
        int digits = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == digits) {
            pos = start;
            throw error("a number");
        }
        String number = text.substring(start, pos);
        if (longSuffix && pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
            pos++;
        }
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("an integer that fits in 64 bits");
        }
    }

    private Object name() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        String word = text.substring(start, pos);
        switch (word) {
            case "True":
                return Boolean.TRUE;
            case "False":
                return Boolean.FALSE;
            case "None":
                return null;
            default:
                pos = start;
                throw error("a value");
        }
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String expected) {
        String found = pos < text.length() ? "'" + Messages.oneLine(String.valueOf(text.charAt(pos))) + "'" : "the end";
        return new IllegalArgumentException("expected " + expected + " at position " + pos + " but found " + found);
    }
}
