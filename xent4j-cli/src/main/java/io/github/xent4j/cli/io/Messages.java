package io.github.xent4j.cli.io;

/**
 * The one rule for text that reaches the terminal in an error message: one line, no control
 * characters, bounded length.
 *
 * <p>Messages quote what they were given (a file name, a header, an option value), which may hold
 * anything. {@link #oneLine(String)} turns line breaks and tabs into single spaces, writes every
 * other control or invisible formatting character as an escape ({@code \x1b}, {@code \u202e}) so
 * that nothing is interpreted by the terminal, and elides the middle of a message longer than
 * {@link #MAX_LENGTH} characters, keeping its start (what went wrong and where) and its end.
 */
public final class Messages {

    /** The longest message printed, in characters. */
    public static final int MAX_LENGTH = 480;
    private static final int KEEP_END = 120;
    private static final String ELISION = " ... ";

    private Messages() {
    }

    /**
     * {@code message} as one safe line: line breaks and tabs (with the blanks around them) become
     * one space, other control and format characters are escaped, the result is stripped and
     * bounded to {@link #MAX_LENGTH} characters. Null becomes {@code "unknown error"}.
     */
    public static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        StringBuilder sb = new StringBuilder(Math.min(message.length(), 4 * MAX_LENGTH) + 16);
        int n = message.length();
        // Only the part that can be shown is escaped: a 4 MB message costs no more than a short one.
        int head = Math.min(n, 2 * MAX_LENGTH);
        int tailStart = Math.max(head, n - 2 * KEEP_END);
        append(sb, message, 0, head);
        int elidedAt = -1;
        if (tailStart > head) {
            elidedAt = sb.length();
            append(sb, message, tailStart, n);
        }
        String s = sb.toString().strip();
        if (elidedAt < 0 && s.length() <= MAX_LENGTH) {
            return s;
        }
        return s.substring(0, MAX_LENGTH - KEEP_END - ELISION.length()).stripTrailing() + ELISION
                + s.substring(s.length() - KEEP_END).stripLeading();
    }

    private static void append(StringBuilder sb, String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t' || c == '\u2028' || c == '\u2029') {
                int len = sb.length();
                while (len > 0 && sb.charAt(len - 1) == ' ') {
                    len--;
                }
                sb.setLength(len);
                sb.append(' ');
                while (i + 1 < to && Character.isWhitespace(text.charAt(i + 1))) {
                    i++;
                }
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else if (Character.getType(c) == Character.FORMAT || Character.getType(c) == Character.SURROGATE
                    && !validSurrogate(text, i)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
    }

    private static boolean validSurrogate(String text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
