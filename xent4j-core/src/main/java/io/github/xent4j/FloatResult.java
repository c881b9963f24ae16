package io.github.xent4j;

/**
 * The result of a float32 loss call.
 *
 * @param value    the reduced loss (for {@link Reduction#NONE}: the sum of {@code losses});
 *                 computed in double, round it with {@code (float)} for PyTorch's float32 scalar
 * @param losses   per-position losses for {@link Reduction#NONE}, else null
 * @param gradient d(loss)/d(input), same shape as the input, or null when not requested
 */
public record FloatResult(double value, float[] losses, float[] gradient) {
}
