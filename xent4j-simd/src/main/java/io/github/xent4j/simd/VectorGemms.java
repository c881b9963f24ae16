package io.github.xent4j.simd;

import io.github.xent4j.spi.Gemm;
import jdk.incubator.vector.FloatVector;

/**
 * Picks the GEMM micro-kernels for this machine: 512-bit kernels when the preferred vector is at
 * least 512 bits, 256-bit kernels otherwise. {@code -Dxent4j.gemm.bits=256|512} forces a width: a
 * width wider than the hardware's runs correctly, on the Vector API's emulation, and very slowly
 * (that is how the tests check the 512-bit kernels on an AVX2 machine).
 */
final class VectorGemms {

    /** The system property that forces the kernel width. */
    static final String BITS_PROPERTY = "xent4j.gemm.bits";

    private VectorGemms() {
    }

    /** The kernels chosen by the property or, without it, by the preferred species. */
    static Gemm preferred() {
        String forced = System.getProperty(BITS_PROPERTY);
        int bits = forced == null ? FloatVector.SPECIES_PREFERRED.vectorBitSize() : parseBits(forced);
        return bits >= 512 ? VectorGemm512.INSTANCE : VectorGemm256.INSTANCE;
    }

    static int parseBits(String value) {
        switch (value.trim()) {
            case "256":
                return 256;
            case "512":
                return 512;
            default:
                throw new IllegalArgumentException("-D" + BITS_PROPERTY + "=" + value + " must be 256 or 512");
        }
    }
}
