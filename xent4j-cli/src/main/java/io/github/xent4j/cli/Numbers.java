package io.github.xent4j.cli;

import java.util.Locale;

/**
 * How the command line prints numbers: enough significant digits to round-trip (9 for float32,
 * 17 for float64), in a form Python's {@code float()} and NumPy parse, with {@code nan},
 * {@code inf} and {@code -inf} for the special values.
 */
public final class Numbers {

    private Numbers() {
    }

    /** A float32 value (the double is rounded to float first) with 9 significant digits. */
    public static String float32(double v) {
        return format((float) v, 9);
    }

    /** A float64 value with 17 significant digits. */
    public static String float64(double v) {
        return format(v, 17);
    }

    /** {@link #float32} or {@link #float64}. */
    public static String roundTrip(double v, boolean float32) {
        return float32 ? float32(v) : float64(v);
    }

    /** {@code v} with {@code digits} significant digits ({@code %g}), or nan/inf/-inf. */
    public static String format(double v, int digits) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%." + digits + "g", v);
    }

    /** A short human-readable form for explanations: {@code digits} decimals, nan/inf spelled out. */
    public static String fixed(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        return s.startsWith("-") && s.matches("-0\\.?0*") ? s.substring(1) : s;
    }
}
