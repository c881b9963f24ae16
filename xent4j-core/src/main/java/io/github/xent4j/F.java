package io.github.xent4j;

/**
 * A short static facade named after {@code torch.nn.functional}, with PyTorch's default options,
 * for people coming from Python. Every method returns the MEAN loss unless a reduction is given;
 * build a loss object ({@link CrossEntropyLoss#builder()}, {@link BceWithLogitsLoss#builder()}, ...) for
 * options, gradients and caller-owned buffers.
 * <pre>{@code
 * double loss = F.crossEntropy(new float[] {0.1f, 0.3f, 0.6f, 0.3f, 0.2f, 0.5f}, new int[] {2, 3}, new int[] {0, 2});
 * // 1.1465588
 * }</pre>
 */
public final class F {

    private F() {
    }

    /** {@code torch.softmax(x, dim)}. */
    public static float[] softmax(float[] x, int[] shape, int dim) {
        return Softmax.DEFAULTS.softmax(x, shape, dim);
    }

    /** {@code torch.softmax(x, dim)}. */
    public static double[] softmax(double[] x, int[] shape, int dim) {
        return Softmax.DEFAULTS.softmax(x, shape, dim);
    }

    /** {@code torch.log_softmax(x, dim)}. */
    public static float[] logSoftmax(float[] x, int[] shape, int dim) {
        return Softmax.DEFAULTS.logSoftmax(x, shape, dim);
    }

    /** {@code torch.log_softmax(x, dim)}. */
    public static double[] logSoftmax(double[] x, int[] shape, int dim) {
        return Softmax.DEFAULTS.logSoftmax(x, shape, dim);
    }

    /** {@code F.cross_entropy(logits, target)} with class-index targets. */
    public static double crossEntropy(float[] logits, int[] shape, int[] target) {
        return CrossEntropyLoss.DEFAULTS.value(logits, shape, target);
    }

    /** {@code F.cross_entropy(logits, target)} with class-index targets. */
    public static double crossEntropy(double[] logits, int[] shape, int[] target) {
        return CrossEntropyLoss.DEFAULTS.value(logits, shape, target);
    }

    /** {@code F.cross_entropy(logits, target)} with probability targets of the logits' shape. */
    public static double crossEntropy(float[] logits, int[] shape, float[] targetProbs) {
        return CrossEntropyLoss.DEFAULTS.value(logits, shape, targetProbs);
    }

    /** {@code F.cross_entropy(logits, target)} with probability targets of the logits' shape. */
    public static double crossEntropy(double[] logits, int[] shape, double[] targetProbs) {
        return CrossEntropyLoss.DEFAULTS.value(logits, shape, targetProbs);
    }

    /** {@code F.nll_loss(log_probs, target)}. */
    public static double nllLoss(float[] logProbs, int[] shape, int[] target) {
        return NllLoss.DEFAULTS.value(logProbs, shape, target);
    }

    /** {@code F.nll_loss(log_probs, target)}. */
    public static double nllLoss(double[] logProbs, int[] shape, int[] target) {
        return NllLoss.DEFAULTS.value(logProbs, shape, target);
    }

    /** {@code F.binary_cross_entropy(probs, target)}. */
    public static double binaryCrossEntropy(float[] probs, int[] shape, float[] target) {
        return BceLoss.DEFAULTS.value(probs, shape, target);
    }

    /** {@code F.binary_cross_entropy(probs, target)}. */
    public static double binaryCrossEntropy(double[] probs, int[] shape, double[] target) {
        return BceLoss.DEFAULTS.value(probs, shape, target);
    }

    /** {@code F.binary_cross_entropy_with_logits(logits, target)}. */
    public static double binaryCrossEntropyWithLogits(float[] logits, int[] shape, float[] target) {
        return BceWithLogitsLoss.DEFAULTS.value(logits, shape, target);
    }

    /** {@code F.binary_cross_entropy_with_logits(logits, target)}. */
    public static double binaryCrossEntropyWithLogits(double[] logits, int[] shape, double[] target) {
        return BceWithLogitsLoss.DEFAULTS.value(logits, shape, target);
    }

    /** {@code F.kl_div(log_probs, target)} (MEAN over elements; build a {@link KlDivLoss} for batchmean or log_target). */
    public static double klDiv(float[] logProbs, int[] shape, float[] target) {
        return KlDivLoss.DEFAULTS.value(logProbs, shape, target);
    }

    /** {@code F.kl_div(log_probs, target)} (MEAN over elements; build a {@link KlDivLoss} for batchmean or log_target). */
    public static double klDiv(double[] logProbs, int[] shape, double[] target) {
        return KlDivLoss.DEFAULTS.value(logProbs, shape, target);
    }
}
