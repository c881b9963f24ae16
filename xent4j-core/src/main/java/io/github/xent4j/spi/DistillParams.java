package io.github.xent4j.spi;

/**
 * Options of one distillation call as the kernels see them, validated by the caller.
 *
 * <p>{@code temperature} T > 0; {@code logTeacher}: the teacher array holds log-probabilities used as
 * they are (q = exp(teacher)), else logits (q = softmax(teacher / T)); {@code alpha} in [0, 1], the
 * weight of the distillation term (1 - alpha weighs the hard-label cross-entropy, which needs a
 * target array; a null target means alpha is 1); {@code ignoreIndex}: targets skipped by the
 * cross-entropy term.
 */
public final class DistillParams {
    public final int classes;
    public final double temperature;
    public final boolean logTeacher;
    public final double alpha;
    public final int ignoreIndex;

    public DistillParams(int classes, double temperature, boolean logTeacher, double alpha, int ignoreIndex) {
        this.classes = classes;
        this.temperature = temperature;
        this.logTeacher = logTeacher;
        this.alpha = alpha;
        this.ignoreIndex = ignoreIndex;
    }
}
