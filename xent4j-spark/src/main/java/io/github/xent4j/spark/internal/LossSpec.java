package io.github.xent4j.spark.internal;

import io.github.xent4j.BceLoss;
import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.EmptyMeanPolicy;
import io.github.xent4j.KlDivLoss;
import io.github.xent4j.Loss;
import io.github.xent4j.NllLoss;
import io.github.xent4j.Reduction;

/**
 * A core loss as it travels to Spark executors: its options, from which each executor builds the
 * same immutable loss once. The core's loss objects are not serializable (they may hold an
 * {@code Executor}); their options are, and the options are all that defines the loss. Not API.
 */
public final class LossSpec implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** The loss families the Spark module ships. */
    public enum Family { CROSS_ENTROPY, NLL, BCE_WITH_LOGITS, BCE, KL_DIV }

    private final Family family;
    private final double[] weight;
    private final int ignoreIndex;
    private final double labelSmoothing;
    private final boolean logTarget;
    private final Reduction reduction;
    private final EmptyMeanPolicy emptyMean;
    private transient Loss built;

    private LossSpec(Family family, double[] weight, int ignoreIndex, double labelSmoothing, boolean logTarget,
                     Reduction reduction, EmptyMeanPolicy emptyMean) {
        this.family = family;
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
        this.logTarget = logTarget;
        this.reduction = reduction;
        this.emptyMean = emptyMean;
    }

    public static LossSpec of(CrossEntropyLoss l) {
        return new LossSpec(Family.CROSS_ENTROPY, l.weight(), l.ignoreIndex(), l.labelSmoothing(), false,
                l.reduction(), l.emptyMean());
    }

    public static LossSpec of(NllLoss l) {
        return new LossSpec(Family.NLL, l.weight(), l.ignoreIndex(), 0, false, l.reduction(), l.emptyMean());
    }

    public static LossSpec of(KlDivLoss l) {
        return new LossSpec(Family.KL_DIV, null, 0, 0, l.logTarget(), l.reduction(), l.emptyMean());
    }

    /** BCE with logits without element weights (a scalar per row has nothing to broadcast them over). */
    public static LossSpec bceWithLogits(Reduction r, EmptyMeanPolicy emptyMean) {
        return new LossSpec(Family.BCE_WITH_LOGITS, null, 0, 0, false, r, emptyMean);
    }

    /** BCE on probabilities without element weights. */
    public static LossSpec bce(Reduction r, EmptyMeanPolicy emptyMean) {
        return new LossSpec(Family.BCE, null, 0, 0, false, r, emptyMean);
    }

    public Family family() {
        return family;
    }

    public Reduction reduction() {
        return reduction;
    }

    /** Whether the targets are class indices (cross-entropy, NLL) rather than values of the input's shape. */
    public boolean classTargets() {
        return family == Family.CROSS_ENTROPY || family == Family.NLL;
    }

    /** The ignore_index of a class-index loss. */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** Whether this is plain cross-entropy: no class weights and no label smoothing. */
    public boolean plain() {
        return weight == null && !(labelSmoothing > 0);
    }

    /** The core loss (built once per JVM copy of this spec). */
    public Loss loss() {
        Loss l = built;
        if (l == null) {
            l = switch (family) {
                case CROSS_ENTROPY -> CrossEntropyLoss.builder().weight(weight).ignoreIndex(ignoreIndex)
                        .labelSmoothing(labelSmoothing).reduction(reduction).emptyMean(emptyMean).build();
                case NLL -> NllLoss.builder().weight(weight).ignoreIndex(ignoreIndex).reduction(reduction)
                        .emptyMean(emptyMean).build();
                case BCE_WITH_LOGITS -> BceWithLogitsLoss.builder().reduction(reduction).emptyMean(emptyMean).build();
                case BCE -> BceLoss.builder().reduction(reduction).emptyMean(emptyMean).build();
                case KL_DIV -> KlDivLoss.builder().logTarget(logTarget).reduction(reduction).emptyMean(emptyMean).build();
            };
            built = l;
        }
        return l;
    }
}
