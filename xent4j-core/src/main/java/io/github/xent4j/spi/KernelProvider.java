package io.github.xent4j.spi;

/**
 * A source of {@link Kernels}, found by {@link java.util.ServiceLoader}. The core picks the
 * supported provider of highest priority once, at start-up; the scalar reference kernels
 * (priority 0) are always there, and every provider is handed them to delegate the cases it does
 * not speed up.
 */
public interface KernelProvider {
    /** Short name shown by {@code xent --version}, e.g. "scalar" or "vector-512 (16 floats, 8 doubles)". */
    String name();

    /** Higher wins among supported providers. */
    int priority();

    /** Whether this provider can run on this JVM (e.g. jdk.incubator.vector is readable). */
    boolean isSupported();

    /**
     * The kernels; called once, only when {@link #isSupported()} is true.
     *
     * @param reference the scalar reference kernels, for the cases this provider delegates
     */
    Kernels kernels(Kernels reference);
}
