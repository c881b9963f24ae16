package io.github.xent4j.cli.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the small subset of Python literals that appears in {@code .npy} headers: dicts,
 * tuples, lists, strings, integers (with Python 2's {@code L} suffix), {@code True}, {@code False}
 * and {@code None}. Tuples and lists both become {@link List}s, integers {@link Long}s.
 */
final class PyLiteral {

    private final String text;
    private int pos;

    private PyLiteral(String text) {
        this.text = text;
    }

    /**
     * Parses one literal that must span the whole text, apart from surrounding whitespace.
     *
     * @throws IllegalArgumentException with a message such as {@code "expected ':' at position 9"}
     */
    static Object parse(String text) {
        PyLiteral parser = new PyLiteral(text);
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
                return dict();
            case '(':
                return sequence(')');
            case '[':
                return sequence(']');
            case '\'':
            case '"':
                return string(c);
            default:
                if (c == '-' || c == '+' || Character.isDigit(c)) {
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

    private List<Object> sequence(char close) {
        pos++;
        List<Object> items = new ArrayList<>();
        while (true) {
            skipSpace();
            if (peek() == close) {
                pos++;
                return items;
            }
            items.add(value());
            skipSpace();
            if (peek() == ',') {
                pos++;
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
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == digits) {
            pos = start;
            throw error("a number");
        }
        String number = text.substring(start, pos);
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
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
        String found = pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end";
        return new IllegalArgumentException("expected " + expected + " at position " + pos + " but found " + found);
    }
}
