package io.github.xent4j.spark.internal;

import io.github.xent4j.Xent4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs, once per JVM (each executor, and the driver in local mode), which kernels xent4j chose:
 * the Vector API kernels where {@code jdk.incubator.vector} is readable, the scalar ones otherwise.
 * The core makes the choice without touching a vector class when the module is absent, so no
 * NoClassDefFoundError can come from here.
 */
public final class KernelLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.github.xent4j.spark");
    private static volatile boolean logged;

    private KernelLog() {
    }

    /** Logs the kernels' name at INFO the first time this JVM asks. */
    public static void once() {
        if (!logged) {
            synchronized (KernelLog.class) {
                if (!logged) {
                    logged = true;
                    String kernels = Xent4j.kernels();
                    boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
                    LOG.info("xent4j kernels: {} (jdk.incubator.vector {}; xent4j {})", kernels,
                            vector ? "readable" : "not readable: on Spark 3.5 add "
                                    + "--add-modules=jdk.incubator.vector to spark.executor.extraJavaOptions",
                            Xent4j.version());
                }
            }
        }
    }
}
