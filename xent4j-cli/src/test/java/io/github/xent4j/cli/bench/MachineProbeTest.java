package io.github.xent4j.cli.bench;

import io.github.xent4j.Xent4j;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The benchmark's probe measures the kernels' exp: the same constants and width as xent4j-simd's VectorMath. */
class MachineProbeTest {

    private static final String[] CONSTANTS = {"EXP_LO_F", "LOG2E_F", "SHIFT_F", "LN2_HI_F", "LN2_LO_F",
            "P0", "P1", "P2", "P3", "P4", "P5"};

    @Test
    void theExpPolynomialAndTheVectorWidthAreTheKernels() throws Exception {
        // the tests run on the class path, where the simd package's fields can be opened
        Class<?> math = Class.forName("io.github.xent4j.simd.VectorMath");
        for (String name : CONSTANTS) {
            Field kernel = math.getDeclaredField(name);
            kernel.setAccessible(true);
            Field probe = MachineProbe.class.getDeclaredField(name);
            assertEquals(Float.floatToRawIntBits(kernel.getFloat(null)), Float.floatToRawIntBits(probe.getFloat(null)),
                    name);
        }
        Field fs = math.getDeclaredField("FS");
        fs.setAccessible(true);
        assertEquals(fs.get(null), MachineProbe.FS);
    }

    @Test
    void everyLoopComputesWhatItSays() {
        assumeTrue(Xent4j.kernels().startsWith("vector"), "the Vector API is not readable");
        float[] buf = new float[4096];
        double exact = 0;
        for (int i = 0; i < buf.length; i++) {
            buf[i] = -(i % 97) * 0.25f;
            exact += Math.exp(buf[i]);
        }
        // one pass over the whole (lane-aligned) buffer: the sum of the exps, to float32 accuracy
        assertEquals(exact, MachineProbe.exp(buf, buf.length), exact * 1e-5);
        assertEquals(exact, MachineProbe.expScalar(buf, buf.length), exact * 1e-12);
        assertEquals(exact, MachineProbe.expLanewise(buf, buf.length), exact * 1e-5);

        float[] src = new float[1000];
        double sum = 0;
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
            sum += i;
        }
        assertEquals(sum, MachineProbe.read(src, 0, src.length), 0);
        float[] dst = new float[src.length];
        MachineProbe.copy(src, dst, 3, 997);
        assertEquals(0f, dst[2]);
        assertEquals(1.5f, dst[3]);
        assertEquals(498f, dst[996]);
        assertEquals(0f, dst[997]);

        double x = MachineProbe.fma(1);
        assertTrue(x > 0 && Double.isFinite(x), "fma " + x);
        assertEquals(4096L * 12 * MachineProbe.FS.length() * 2, MachineProbe.fmaFlops(1));
    }
}
