package io.github.xent4j;

/**
 * What {@link Reduction#MEAN} yields when no position counts: an empty batch, or every class-index
 * target equal to {@code ignore_index}. The gradient is all zeros in every case.
 */
public enum EmptyMeanPolicy {
    /** 0/0 = NaN, as PyTorch (since 1.11). The default. */
    NAN,
    /** 0, as Keras' {@code divide_no_nan}. */
    ZERO,
    /** An {@link IllegalArgumentException}, thrown before any output is written. */
    THROW
}
