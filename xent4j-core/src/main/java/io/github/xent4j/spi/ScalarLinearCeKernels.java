package io.github.xent4j.spi;

/** The reference {@link LinearCeKernels}: {@link Math#tanh} in double, rounded once to the data's type. */
public final class ScalarLinearCeKernels implements LinearCeKernels {

    public static final ScalarLinearCeKernels INSTANCE = new ScalarLinearCeKernels();

    private ScalarLinearCeKernels() {
    }

    @Override
    public void softcap(float[] x, int off, int len, float cap) {
        final double c = cap;
        final double inv = 1.0 / c;
        for (int i = off; i < off + len; i++) {
            x[i] = (float) (c * Math.tanh(x[i] * inv));
        }
    }

    @Override
    public void softcap(double[] x, int off, int len, double cap) {
        final double inv = 1.0 / cap;
        for (int i = off; i < off + len; i++) {
            x[i] = cap * Math.tanh(x[i] * inv);
        }
    }
}
