package io.github.xent4j.cli.io;

/** Number parsing and formatting shared by the text codecs (CSV and JSON). */
final class Text {

    private Text() {
    }

    /** Formats a double the way the text writers do: {@code nan}, {@code inf}, {@code -inf}, or Java's shortest repr. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return Double.toString(v);
    }

    /** Formats a float32 value with the fewest digits that read back to the same float. */
    static String number(float v) {
        if (Float.isNaN(v) || Float.isInfinite(v)) {
            return number((double) v);
        }
        return Float.toString(v);
    }

    /**
     * Parses one numeric field into {@code out}: a decimal integer (kept exact as a long), a decimal
     * floating-point number with {@code .} or an exponent, or {@code nan}, {@code inf},
     * {@code infinity} with an optional sign, in any case. Leading and trailing blanks must already
     * have been removed.
     *
     * @return false when the field is not a number (nothing is added)
     */
    static boolean parseInto(String s, NumberBuffer out) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        int i = 0;
        char first = s.charAt(0);
        if (first == '+' || first == '-') {
            i = 1;
        }
        if (i < n && Character.isLetter(s.charAt(i))) {
            String word = s.substring(i);
            boolean negative = first == '-';
            if (word.equalsIgnoreCase("nan")) {
                out.addDouble(Double.NaN);
                return true;
            }
            if (word.equalsIgnoreCase("inf") || word.equalsIgnoreCase("infinity")) {
                out.addDouble(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                return true;
            }
            return false;
        }
        int intDigits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            intDigits++;
        }
        if (i == n) {
            if (intDigits == 0) {
                return false;
            }
            try {
                out.addLong(Long.parseLong(s));
            } catch (NumberFormatException tooBig) {
                out.addDouble(Double.parseDouble(s));
            }
            return true;
        }
        int fracDigits = 0;
        if (s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                fracDigits++;
            }
        }
        if (intDigits + fracDigits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return false;
            }
        }
        if (i != n) {
            return false;
        }
        out.addDouble(Double.parseDouble(s));
        return true;
    }

    /** Whether {@link #parseInto} would accept {@code s}. */
    static boolean isNumber(String s) {
        return parseInto(s, new NumberBuffer("field"));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Quotes a field for a message, e.g. {@code 'abc'}, shortening very long ones. */
    static String quote(String field) {
        return "'" + shorten(field, 40) + "'";
    }

    /** {@code text} if it has at most {@code max} characters, else its start and "...", {@code max} in all. */
    static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
