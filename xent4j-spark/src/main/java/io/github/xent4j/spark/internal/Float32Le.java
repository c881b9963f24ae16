package io.github.xent4j.spark.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** float32 little-endian bytes (numpy's {@code tobytes()}) to floats. Not API. */
final class Float32Le {

    private static final VarHandle LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private Float32Le() {
    }

    static float[] decode(byte[] b, String function) {
        if ((b.length & 3) != 0) {
            throw new IllegalArgumentException("xent4j " + function + ": a binary of " + b.length
                    + " bytes must have a multiple of 4 (float32 little-endian values)");
        }
        float[] x = new float[b.length >> 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) LE.get(b, i << 2);
        }
        return x;
    }
}
