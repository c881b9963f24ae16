/**
 * Vector API kernels for xent4j. The module reads {@code jdk.incubator.vector} only when it is
 * resolved ({@code requires static}): without {@code --add-modules jdk.incubator.vector} the
 * provider reports itself unsupported and the core keeps its scalar kernels. Nothing is exported;
 * the kernels are reached only through the service.
 */
module io.github.xent4j.simd {
    requires io.github.xent4j;
    requires static jdk.incubator.vector;

    provides io.github.xent4j.spi.KernelProvider with io.github.xent4j.simd.VectorKernelProvider;
}
