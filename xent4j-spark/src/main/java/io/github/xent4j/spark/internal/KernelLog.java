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

    /** The kernels' name, logged at INFO the first time this JVM asks. */
    public static String once() {
        String kernels = Xent4j.kernels();
        if (!logged) {
            synchronized (KernelLog.class) {
                if (!logged) {
                    logged = true;
                    boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
                    LOG.info("xent4j kernels: {} (jdk.incubator.vector {}; xent4j {})", kernels,
                            vector ? "readable" : "not readable: on Spark 3.5 add "
                                    + "--add-modules=jdk.incubator.vector to spark.executor.extraJavaOptions",
                            Xent4j.version());
                }
            }
        }
        return kernels;
    }
}
