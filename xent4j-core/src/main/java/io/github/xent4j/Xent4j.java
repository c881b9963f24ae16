package io.github.xent4j;

import io.github.xent4j.internal.Dispatch;

/** Facts about this build and JVM. */
public final class Xent4j {

    private Xent4j() {
    }

    /**
     * The kernel provider chosen at start-up: "scalar" (the reference, always present) or the
     * Vector API provider when {@code jdk.incubator.vector} is readable. Force scalar with
     * {@code -Dxent4j.kernels=scalar}.
     */
    public static String kernels() {
        return Dispatch.providerName();
    }

    /** The library version from the jar manifest, or "dev" when run from classes. */
    public static String version() {
        String v = Xent4j.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
