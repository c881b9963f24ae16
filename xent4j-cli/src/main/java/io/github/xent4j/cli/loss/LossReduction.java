package io.github.xent4j.cli.loss;

import io.github.xent4j.Reduction;

/** The reductions of the losses other than kl-div, spelled as PyTorch spells them. */
public enum LossReduction implements Choice {
    mean(Reduction.MEAN), sum(Reduction.SUM), none(Reduction.NONE);

    private final Reduction core;

    LossReduction(Reduction core) {
        this.core = core;
    }

    /** The core's reduction. */
    @Override
    public Reduction core() {
        return core;
    }
}
