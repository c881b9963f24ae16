package io.github.xent4j.spi;

/**
 * Options of one cross-entropy (or NLL) call as the kernels see them, validated by the caller.
 *
 * <p>{@code weight} is null for unweighted ({@code weightF}: the same rounded to float);
 * {@code weightSum} is W = sum of the weights (C without weights); {@code smoothing} is epsilon in
 * [0, 1] (0 = off).
 */
public final class CeParams {
    public final int classes;
    public final double[] weight;
    public final float[] weightF;
    public final double weightSum;
    public final int ignoreIndex;
    public final double smoothing;

    public CeParams(int classes, double[] weight, int ignoreIndex, double smoothing) {
        this.classes = classes;
        this.weight = weight;
        double w = 0;
        if (weight == null) {
            w = classes;
            this.weightF = null;
        } else {
            this.weightF = new float[weight.length];
            for (int c = 0; c < weight.length; c++) {
                w += weight[c];
                weightF[c] = (float) weight[c];
            }
        }
        this.weightSum = w;
        this.ignoreIndex = ignoreIndex;
        this.smoothing = smoothing;
    }

    /** Weight of class c (1 when unweighted). */
    public double w(int c) {
        return weight == null ? 1.0 : weight[c];
    }
}
