package io.github.xent4j.cli.explain;

import io.github.xent4j.cli.Numbers;

import java.util.Locale;

/** Formatting for explanations: short fixed-point numbers, aligned rows, bar charts. */
final class Style {

    private static final String[] EIGHTHS = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};

    private Style() {
    }

    /** 4 decimals (nan/inf spelled out). */
    static String num(double v) {
        return Numbers.fixed(v, 4);
    }

    /** A count or weight sum: whole numbers without decimals, others with 4. */
    static String count(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : num(v);
    }

    /** A number right-aligned in a column of {@code width}. */
    static String cell(double v, int width) {
        return pad(num(v), width);
    }

    static String pad(String s, int width) {
        int w = displayWidth(s);
        return w >= width ? s : " ".repeat(width - w) + s;
    }

    static String padRight(String s, int width) {
        int w = displayWidth(s);
        return w >= width ? s : s + " ".repeat(width - w);
    }

    /** A row of numbers, each in a column of 9. */
    static String row(double[] v, int from, int stride, int count) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < count; c++) {
            sb.append(cell(v[from + c * stride], 9));
        }
        return sb.toString();
    }

    /** A horizontal bar for a probability in [0, 1], {@code width} cells wide at 1, in eighths. */
    static String bar(double p, int width) {
        if (!(p > 0)) {
            return "";
        }
        int eighths = (int) Math.round(Math.min(p, 1) * width * 8);
        return "█".repeat(eighths / 8) + EIGHTHS[eighths % 8];
    }

    /** The full-precision value, as the loss commands print it. */
    static String exact(double v) {
        return Numbers.float64(v);
    }

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** Terminal columns taken by {@code s}: CJK characters take two. */
    static int displayWidth(String s) {
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            w += isWide(cp) ? 2 : 1;
            i += Character.charCount(cp);
        }
        return w;
    }

    private static boolean isWide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6);
    }
}
