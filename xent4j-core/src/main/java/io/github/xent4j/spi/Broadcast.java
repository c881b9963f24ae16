package io.github.xent4j.spi;

/**
 * An operand broadcast against a flat array: element i reads {@code values[(i / div) % mod]}.
 * Any broadcast whose non-singleton dimensions are contiguous has this form: a per-class (C) weight
 * on (N, C) is (div 1, mod C); (C, 1, 1) on (N, C, H, W) is (div H*W, mod C); (N, 1) on (N, C) is
 * (div C, mod N); anything else is materialised to full size (div 1, mod numel).
 * {@code floats} holds the same values rounded to float, for float32 kernels.
 */
public final class Broadcast {
    public final double[] values;
    public final float[] floats;
    public final int div;
    public final int mod;

    public Broadcast(double[] values, int div, int mod) {
        this.values = values;
        this.floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        this.div = div;
        this.mod = mod;
    }

    /** The operand at flat element i. */
    public double at(int i) {
        return values[(i / div) % mod];
    }
}
