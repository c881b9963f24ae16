package io.github.xent4j.spi;

/**
 * Element-wise row operations of the fused linear + cross-entropy loss that the cross-entropy
 * kernels ({@link Kernels}) do not cover. Like every kernel: no checks, no allocation, and the
 * result of an element depends on that element alone (not on its position in the range).
 */
public interface LinearCeKernels {

    /**
     * Soft-capping (Gemma 2) in place: {@code x[i] = cap * tanh(x[i] / cap)} for i in
     * [off, off + len), cap > 0. NaN stays NaN, +-inf becomes +-cap.
     */
    void softcap(float[] x, int off, int len, float cap);

    /** Soft-capping in place, float64. */
    void softcap(double[] x, int off, int len, double cap);
}
