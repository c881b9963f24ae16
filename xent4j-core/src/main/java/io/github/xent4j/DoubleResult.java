package io.github.xent4j;

/**
 * The result of a float64 loss call.
 *
 * @param value    the reduced loss (for {@link Reduction#NONE}: the sum of {@code losses})
 * @param losses   per-position losses for {@link Reduction#NONE}, else null
 * @param gradient d(loss)/d(input), same shape as the input, or null when not requested
 */
public record DoubleResult(double value, double[] losses, double[] gradient) {
}
