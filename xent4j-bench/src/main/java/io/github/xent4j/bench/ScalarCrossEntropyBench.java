package io.github.xent4j.bench;

import org.openjdk.jmh.annotations.Fork;

/** {@link CrossEntropyBench} with the scalar reference kernels forced, for the SIMD speed-up. */
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx8g", "-Dxent4j.kernels=scalar"})
public class ScalarCrossEntropyBench extends CrossEntropyBench {
}
