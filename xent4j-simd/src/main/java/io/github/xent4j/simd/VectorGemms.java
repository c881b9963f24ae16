package io.github.xent4j.simd;

import io.github.xent4j.spi.Gemm;

/**
 * Picks the GEMM micro-kernels for the vector shape every kernel of this module uses
 * ({@link VectorMath#SHAPE}: the hardware's preferred one, or {@code -Dxent4j.simd.bits=256|512}):
 * the 512-bit kernels from 512 bits up, the 256-bit kernels otherwise. A width above the
 * hardware's runs correctly on the Vector API's emulation, very slowly (that is how the tests check
 * the 512-bit kernels on an AVX2 machine).
 */
final class VectorGemms {

    /** The system property that forces the vector width (VectorMath's). */
    static final String BITS_PROPERTY = "xent4j.simd.bits";

    private VectorGemms() {
    }

    /** The kernels of the module's vector shape. */
    static Gemm preferred() {
        return VectorMath.SHAPE.vectorBitSize() >= 512 ? VectorGemm512.INSTANCE : VectorGemm256.INSTANCE;
    }
}
