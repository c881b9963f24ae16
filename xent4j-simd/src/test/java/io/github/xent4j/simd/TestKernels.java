package io.github.xent4j.simd;

import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;
import io.github.xent4j.spi.ScalarKernels;

import java.util.function.Consumer;

/** The kernel sets the tests compare, called directly (independent of the provider the core picked). */
final class TestKernels {

    static final Kernels SCALAR = ScalarKernels.INSTANCE;
    static final Kernels VECTOR = new VectorKernels(SCALAR);
    /** An accumulator for calls whose sum a test does not read (reused: no allocation per call). */
    static final ExactSum SINK = new ExactSum();

    private TestKernels() {
    }

    /** The loss sum a kernel call adds. */
    static double sum(Consumer<ExactSum> call) {
        ExactSum s = new ExactSum();
        call.accept(s);
        return s.doubleValue();
    }
}
