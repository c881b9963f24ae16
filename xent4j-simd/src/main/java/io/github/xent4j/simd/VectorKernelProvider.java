package io.github.xent4j.simd;

import io.github.xent4j.spi.Gemm;
import io.github.xent4j.spi.KernelProvider;
import io.github.xent4j.spi.Kernels;
import io.github.xent4j.spi.LinearCeKernels;

import java.util.Optional;

/**
 * The Vector API kernel provider: supported when {@code jdk.incubator.vector} is in the boot layer
 * and readable, and the preferred vector shape is at least 256 bits (narrower vectors lose to the
 * scalar loops once range reduction and tails are paid for).
 *
 * <p>No vector class is touched before {@link #isSupported()} has checked the module: the species
 * live in {@link VectorKernels}, which is loaded only by {@link #kernels(Kernels)} and {@link #name()}.
 */
public final class VectorKernelProvider implements KernelProvider {

    /** Smallest preferred vector the provider accepts, in bits. */
    static final int MIN_BITS = 256;

    public VectorKernelProvider() {
        // ServiceLoader constructor: must stay cheap and must not load vector classes.
    }

    @Override
    public String name() {
        if (!isSupported()) {
            return "vector (unsupported: jdk.incubator.vector is not readable)";
        }
        return VectorKernels.describe();
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public boolean isSupported() {
        Optional<Module> vector = ModuleLayer.boot().findModule("jdk.incubator.vector");
        if (vector.isEmpty() || !VectorKernelProvider.class.getModule().canRead(vector.get())) {
            return false;
        }
        try {
            return VectorKernels.preferredBits() >= MIN_BITS;
        } catch (LinkageError e) {
            return false;
        }
    }

    @Override
    public Kernels kernels(Kernels reference) {
        return new VectorKernels(reference);
    }

    /** Packed, register-blocked Vector API kernels; the width follows -Dxent4j.simd.bits or the hardware, as every kernel of the module. */
    @Override
    public Gemm gemm(Gemm reference) {
        return VectorGemms.preferred();
    }

    /** Soft-capping with a vector tanh (float32). */
    @Override
    public LinearCeKernels linearCeKernels(LinearCeKernels reference) {
        return new VectorLinearCeKernels(reference);
    }
}
