package io.github.xent4j;

import io.github.xent4j.internal.Dispatch;

import java.lang.module.ModuleDescriptor;

/** Facts about this build and JVM. */
public final class Xent4j {

    private Xent4j() {
    }

    /**
     * The kernel provider chosen at start-up: "scalar" (the reference, always present) or the
     * Vector API provider, "vector-256 (8 floats, 4 doubles)" say, when xent4j-simd is on the class
     * or module path and {@code jdk.incubator.vector} is readable ({@code --add-modules
     * jdk.incubator.vector}); without it the library runs the scalar kernels, and this says so.
     * {@code -Dxent4j.kernels=scalar} forces the reference, {@code vector} requires the provider.
     *
     * @throws IllegalStateException when {@code -Dxent4j.kernels} names no provider that can run
     *         (the message says which values are valid); every call into the library then throws it
     */
    public static String kernels() {
        return Dispatch.providerName();
    }

    /**
     * The library version, "0.1.0" say: the jar manifest's {@code Implementation-Version} on the
     * class path, the module's version on the module path, or "dev" when run from classes.
     */
    public static String version() {
        String v = Xent4j.class.getPackage().getImplementationVersion();
        if (v == null) {
            // a package of a named module has no manifest attributes; the compiler records the version
            ModuleDescriptor d = Xent4j.class.getModule().getDescriptor();
            v = d == null ? null : d.rawVersion().orElse(null);
        }
        return v == null ? "dev" : v;
    }
}
