package io.github.xent4j;

/**
 * Bad input to a loss, thrown before any output is written. Besides the message it carries the
 * parts of it, so that a caller holding the data in its own terms (a file, a table row) can restate
 * the position without validating a second time:
 * <pre>{@code
 * target[3]=7 must be in [0, 5) or equal ignore_index=-100
 * ^argument ^index ^value ^requirement
 * }</pre>
 * {@link #index()} is the flat (row-major) index into the array passed to the call, or -1 when the
 * problem is not at one element (a shape, an option).
 */
public class InvalidInputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String argument;
    private final long index;
    private final String value;
    private final String requirement;

    /**
     * @param argument    the argument's name, as in the method signature or builder ("target", "labelSmoothing")
     * @param index       the flat index of the offending element, or -1
     * @param value       the offending value as text, or null
     * @param requirement what the value must satisfy, starting with a verb ("must be in [0, 1]")
     */
    public InvalidInputException(String argument, long index, String value, String requirement) {
        super(format(argument, index, value, requirement));
        this.argument = argument;
        this.index = index;
        this.value = value;
        this.requirement = requirement;
    }

    /** A problem that has no single offending value (shapes, lengths): argument plus the sentence. */
    public static InvalidInputException of(String argument, String requirement) {
        return new InvalidInputException(argument, -1, null, requirement);
    }

    private static String format(String argument, long index, String value, String requirement) {
        StringBuilder sb = new StringBuilder(argument);
        if (index >= 0) {
            sb.append('[').append(index).append(']');
        }
        if (value != null) {
            sb.append('=').append(value);
        }
        return sb.append(' ').append(requirement).toString();
    }

    /** The argument's name. */
    public String argument() {
        return argument;
    }

    /** The flat index of the offending element in the array passed to the call, or -1. */
    public long index() {
        return index;
    }

    /** The offending value as text, or null. */
    public String value() {
        return value;
    }

    /** What the value must satisfy ("must be in [0, 5) or equal ignore_index=-100"). */
    public String requirement() {
        return requirement;
    }
}
