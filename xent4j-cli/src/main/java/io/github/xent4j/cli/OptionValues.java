package io.github.xent4j.cli;

import io.github.xent4j.cli.io.Tensors;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * How option values become numbers: by the rule of the data files ({@link Tensors#parseNumber}),
 * decimal notation plus {@code nan}, {@code inf} and {@code infinity} in any case, and plain ASCII
 * decimal integers. Java's own parsers, which picocli would use, also take hexadecimal floats,
 * type suffixes, octal and non-ASCII digits ({@code 0x1p-3}, {@code 1d}, {@code 010}).
 */
final class OptionValues {

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    private OptionValues() {
    }

    /** Registers the converters on {@code cl} and its subcommands. */
    static void register(CommandLine cl) {
        ITypeConverter<Double> real = OptionValues::real;
        ITypeConverter<Float> real32 = v -> (float) (double) real(v);
        ITypeConverter<Integer> int32 = v -> (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
        ITypeConverter<Long> int64 = v -> integer(v, Long.MIN_VALUE, Long.MAX_VALUE);
        cl.registerConverter(Double.class, real).registerConverter(double.class, real)
                .registerConverter(Float.class, real32).registerConverter(float.class, real32)
                .registerConverter(Integer.class, int32).registerConverter(int.class, int32)
                .registerConverter(Long.class, int64).registerConverter(long.class, int64);
    }

    static double real(String value) {
        OptionalDouble d = Tensors.parseNumber(value.strip());
        if (d.isEmpty()) {
            throw new TypeConversionException("'" + value + "' is not a number (write it in decimal, e.g. 0.125, "
                    + "or nan, inf, -inf)");
        }
        return d.getAsDouble();
    }

    static long integer(String value, long min, long max) {
        String v = value.strip();
        if (!INTEGER.matcher(v).matches()) {
            throw new TypeConversionException("'" + value + "' is not an integer");
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException tooLong) {
            // out of range below
        }
        throw new TypeConversionException("'" + value + "' is out of range [" + min + ", " + max + "]");
    }
}
