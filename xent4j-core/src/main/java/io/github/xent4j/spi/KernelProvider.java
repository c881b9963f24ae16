package io.github.xent4j.spi;

/**
 * A source of {@link Kernels}, found by {@link java.util.ServiceLoader}. The core picks the
 * supported provider of highest priority once, at start-up; the scalar provider (priority 0) is
 * always there.
 */
public interface KernelProvider {
    /** Short name shown by {@code xent --version}, e.g. "scalar" or "vector-avx512 (16 floats)". */
    String name();

    /** Higher wins among supported providers. */
    int priority();

    /** Whether this provider can run on this JVM (e.g. jdk.incubator.vector is readable). */
    boolean isSupported();

    /** The kernels; called only when {@link #isSupported()} is true. */
    Kernels kernels();

    /**
     * The matrix products of the fused linear + cross-entropy loss; called once, only when
     * {@link #isSupported()} is true. {@code reference} is the core's scalar GEMM, which a provider
     * without its own returns (the default).
     */
    default Gemm gemm(Gemm reference) {
        return reference;
    }
}
