package io.github.xent4j.spi;

/**
 * Options of one cross-entropy call as the kernels see them, validated by the caller.
 *
 * <p>{@code weight} is null for unweighted; {@code weightSum} is W = sum of the weights (C without
 * weights); {@code smoothing} is epsilon in [0, 1] (0 = off).
 */
public final class CeParams {
    public final int classes;
    public final double[] weight;
    public final double weightSum;
    public final int ignoreIndex;
    public final double smoothing;

    public CeParams(int classes, double[] weight, int ignoreIndex, double smoothing) {
        this.classes = classes;
        this.weight = weight;
        double w = 0;
        if (weight == null) {
            w = classes;
        } else {
            for (double v : weight) {
                w += v;
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
